// `n8n start` as a child process, ready and logged in: wait for /healthz/readiness, complete the owner set-up over
// REST (the CLI commands before it made a "shell" owner), log in, and hand back a REST helper with the n8n-auth
// cookie. The same steps as scripts/n8n-editor/stack.mjs, for checks that need a running n8n without a browser
// (scripts/n8n/triggers.mjs). n8n-notes section 8.

import { startChild, stopChild } from './proc.mjs';

export const OWNER = Object.freeze({
	email: 'owner@example.com',
	firstName: 'Trigger',
	lastName: 'Check',
	password: 'TriggerCheck1!',
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One HTTP request; never throws for an HTTP status (only for no answer). */
export async function httpJson(method, url, { body, cookie, timeoutMs = 15000 } = {}) {
	const res = await fetch(url, {
		method,
		headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
		body: body === undefined ? undefined : JSON.stringify(body),
		signal: AbortSignal.timeout(timeoutMs),
	});
	const text = await res.text();
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, text, json };
}

/**
 * Start `n8n start` with `env` (which must set N8N_PORT; N8N_LISTEN_ADDRESS 127.0.0.1 is advised) and log in.
 * Resolves with { baseUrl, child, cookie, readyMs, rest(method, path, body?), api(method, path, body?), stop() }:
 * `rest` gives the raw answer, `api` the answer's `data` and throws on a status other than 200.
 */
export async function startN8nServer({ nodeBin, n8nBin, cwd, env, logFile, readyTimeoutMs = 180000, owner = OWNER }) {
	const port = env.N8N_PORT;
	if (!port) throw new Error('startN8nServer: env.N8N_PORT is not set');
	const started = Date.now();
	const child = startChild(nodeBin, [n8nBin, 'start'], { cwd, env, logFile });
	const stop = () => stopChild(child, 10000);
	const baseUrl = `http://127.0.0.1:${port}`;
	try {
		for (;;) {
			if (child.exitCode !== null || child.signalCode !== null) {
				throw new Error(`n8n start exited (${child.exitCode ?? child.signalCode}); log: ${logFile}`);
			}
			try {
				const res = await httpJson('GET', `${baseUrl}/healthz/readiness`, { timeoutMs: 3000 });
				if (res.status === 200) break;
			} catch {
				// not listening yet
			}
			if (Date.now() - started > readyTimeoutMs) throw new Error(`n8n was not ready within ${readyTimeoutMs / 1000} s; log: ${logFile}`);
			await sleep(500);
		}
		const readyMs = Date.now() - started;
		const setup = await httpJson('POST', `${baseUrl}/rest/owner/setup`, { body: owner });
		if (setup.status !== 200) throw new Error(`POST /rest/owner/setup answered ${setup.status}: ${setup.text.slice(0, 300)}`);
		const login = await httpJson('POST', `${baseUrl}/rest/login`, { body: { emailOrLdapLoginId: owner.email, password: owner.password } });
		const cookie = (login.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
		if (login.status !== 200 || !cookie) throw new Error(`POST /rest/login answered ${login.status} without an n8n-auth cookie: ${login.text.slice(0, 300)}`);
		const rest = (method, path, body, opts = {}) => httpJson(method, `${baseUrl}${path}`, { body, cookie, ...opts });
		const api = async (method, path, body, opts = {}) => {
			const res = await rest(method, path, body, opts);
			if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${res.text.slice(0, 400)}`);
			return res.json && typeof res.json === 'object' && 'data' in res.json ? res.json.data : res.json;
		};
		return { baseUrl, child, cookie, readyMs, rest, api, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}
