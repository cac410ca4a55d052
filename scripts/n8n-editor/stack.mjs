// The stack the editor check drives: our package built, packed and unpacked into a fresh n8n user folder, the
// cloud emulator (every cloud, free ports), per cloud (scripts/n8n/clouds.mjs) an emulator credential and an example
// workflow imported with n8n's CLI, `n8n start` on 127.0.0.1, the owner set up over REST and a login cookie. Every
// step has a time limit; `stop()` undoes all of it.

import { N8N_OFFLINE_ENV } from '../n8n/env.mjs';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
	CLOUD_IDS,
	CLOUDS,
	emulatorCredentials,
	PACK_NAME,
	startEmulator,
} from '../n8n/clouds.mjs';
import { describeFailure, freePorts, run, startChild, stopChild } from '../n8n/proc.mjs';

export const PACKAGE_NAME = PACK_NAME;
export const OWNER = {
	email: 'owner@example.com',
	firstName: 'Editor',
	lastName: 'Check',
	password: 'EditorCheck1!',
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function fail(message, res, logFile) {
	const tail = res
		? `\n${(res.stderr || res.stdout || '').trim().split('\n').slice(-20).join('\n')}`
		: '';
	return new Error(
		`${message}${res ? ` (${describeFailure(res)})` : ''}${logFile ? `; log: ${logFile}` : ''}${tail}`,
	);
}

/** The environment of every n8n command: offline, inside the temporary user folder, Node 24 first on PATH. */
function n8nEnv({ n8n, userFolder, port, brokerPort, encryptionKey }) {
	const env = {};
	// Keep the basics of ours, drop anything npm or n8n-related that could leak in (npm_config_*, N8N_*, NODE_OPTIONS).
	for (const key of ['HOME', 'LANG', 'LC_ALL', 'TZ', 'USER', 'LOGNAME', 'SHELL', 'TERM']) {
		if (process.env[key] !== undefined) env[key] = process.env[key];
	}
	const tmp = path.join(userFolder, 'tmp');
	fs.mkdirSync(tmp, { recursive: true });
	Object.assign(env, N8N_OFFLINE_ENV, {
		PATH: `${path.dirname(n8n.nodeBin)}${path.delimiter}${process.env.PATH}`,
		TMPDIR: tmp,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: encryptionKey,
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_PORT: String(port),
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		DB_SQLITE_POOL_SIZE: '2',
	});
	return env;
}

/** `npm run build`, `npm pack`, and the tarball unpacked as n8n's own installer would lay it out. */
export async function buildAndInstallPackage({ repoRoot, workDir, userFolder, logFile, log }) {
	const npmEnv = {
		...process.env,
		npm_config_fund: 'false',
		npm_config_audit: 'false',
		npm_config_update_notifier: 'false',
	};
	let t = Date.now();
	const build = await run('npm', ['run', 'build'], {
		cwd: repoRoot,
		env: npmEnv,
		timeoutMs: 5 * 60 * 1000,
		logFile,
		label: 'build',
	});
	if (build.code !== 0) throw fail('npm run build failed', build, logFile);
	log(`  npm run build: ${Date.now() - t} ms`);

	t = Date.now();
	const packDir = path.join(workDir, 'pack');
	fs.mkdirSync(packDir, { recursive: true });
	const pack = await run('npm', ['pack', '--json', '--pack-destination', packDir], {
		cwd: repoRoot,
		env: npmEnv,
		timeoutMs: 2 * 60 * 1000,
		logFile,
		label: 'pack',
	});
	if (pack.code !== 0) throw fail('npm pack failed', pack, logFile);
	const tarballs = fs.readdirSync(packDir).filter((f) => f.endsWith('.tgz'));
	if (tarballs.length !== 1)
		throw new Error(`npm pack left ${tarballs.length} tarballs in ${packDir}`);
	const tarball = path.join(packDir, tarballs[0]);

	const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	fs.mkdirSync(target, { recursive: true });
	const untar = await run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], {
		timeoutMs: 60000,
		logFile,
		label: 'unpack',
	});
	if (untar.code !== 0) throw fail('unpacking the tarball failed', untar, logFile);
	log(
		`  npm pack + unpack: ${Date.now() - t} ms (${path.basename(tarball)}, ${fs.statSync(tarball).size} bytes)`,
	);
	return { tarball, target };
}

async function http(method, url, { body, cookie, timeoutMs = 15000 } = {}) {
	const res = await fetch(url, {
		method,
		headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
		body: body ? JSON.stringify(body) : undefined,
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
 * Fresh user folder with our package, the emulator, per cloud the imported credential + workflow, `n8n start`,
 * owner + login. Returns { baseUrl, cookie, workflows: { <cloud>: workflow }, emulator, stop() }.
 */
export async function startStack({ repoRoot, n8n, log, logDir }) {
	const timings = {};
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-editor-'));
	const userFolder = path.join(workDir, 'user');
	fs.mkdirSync(userFolder, { recursive: true });
	const logFile = path.join(logDir, 'n8n-editor.log');
	const children = [];
	let stopped = false;
	const stop = async () => {
		if (stopped) return;
		stopped = true;
		const t = Date.now();
		for (const child of children.reverse()) await stopChild(child, 8000);
		timings.stopMs = Date.now() - t;
		if (!process.env.N8N_EDITOR_KEEP_TMP) fs.rmSync(workDir, { recursive: true, force: true });
	};
	try {
		let t = Date.now();
		await buildAndInstallPackage({ repoRoot, workDir, userFolder, logFile, log });
		timings.buildPackMs = Date.now() - t;

		t = Date.now();
		const emulator = await startEmulator({
			repoRoot,
			logFile: path.join(logDir, 'emulator.log'),
			timeoutMs: 60000,
			say: log,
		});
		children.push(emulator.child);
		timings.emulatorMs = Date.now() - t;
		log(
			`  emulator: ${CLOUD_IDS.map((id) => `${CLOUDS[id].label} ${emulator.clouds[id].endpoint}`).join(', ')} (${timings.emulatorMs} ms)`,
		);
		const [port, brokerPort] = await freePorts(2);

		const env = n8nEnv({
			n8n,
			userFolder,
			port,
			brokerPort,
			encryptionKey: crypto.randomBytes(24).toString('hex'),
		});
		const cwd = userFolder;

		// The credentials and the workflows (one per cloud), through n8n's CLI: a folder of workflow files,
		// imported with --separate.
		const credentialFile = path.join(workDir, 'credentials.json');
		fs.writeFileSync(credentialFile, JSON.stringify(emulatorCredentials(emulator)));
		const workflowsDir = path.join(workDir, 'workflows');
		fs.mkdirSync(workflowsDir);
		for (const id of CLOUD_IDS) {
			const { workflowFile, workflowId } = CLOUDS[id].editor;
			const workflow = JSON.parse(
				fs.readFileSync(path.join(repoRoot, 'examples', workflowFile), 'utf8'),
			);
			workflow.id = workflowId;
			workflow.active = false;
			fs.writeFileSync(path.join(workflowsDir, `${workflowId}.json`), JSON.stringify(workflow));
		}

		t = Date.now();
		for (const [label, args] of [
			['import:credentials', ['import:credentials', `--input=${credentialFile}`]],
			['import:workflow', ['import:workflow', '--separate', `--input=${workflowsDir}`]],
		]) {
			const res = await run(n8n.nodeBin, [n8n.n8nBin, ...args], {
				cwd,
				env,
				timeoutMs: 3 * 60 * 1000,
				logFile,
				label,
			});
			if (res.code !== 0) throw fail(`n8n ${label} failed`, res, logFile);
		}
		timings.importMs = Date.now() - t;
		log(`  n8n import:credentials + import:workflow: ${timings.importMs} ms`);

		// n8n start.
		t = Date.now();
		const n8nLog = path.join(logDir, 'n8n-start.log');
		const loadLines = [];
		const server = startChild(n8n.nodeBin, [n8n.n8nBin, 'start'], {
			cwd,
			env,
			logFile: n8nLog,
			onLine: (line) => {
				if (/Failed to load package|Error|error/.test(line)) loadLines.push(line);
			},
		});
		children.push(server);
		const baseUrl = `http://127.0.0.1:${port}`;
		const deadline = Date.now() + 3 * 60 * 1000;
		for (;;) {
			if (server.exitCode !== null || server.signalCode !== null) {
				throw new Error(
					`n8n start exited (${server.exitCode ?? server.signalCode}); log: ${n8nLog}`,
				);
			}
			try {
				const res = await http('GET', `${baseUrl}/healthz/readiness`, { timeoutMs: 3000 });
				if (res.status === 200) break;
			} catch {
				// not listening yet
			}
			if (Date.now() > deadline) throw new Error(`n8n was not ready within 180 s; log: ${n8nLog}`);
			await sleep(500);
		}
		timings.n8nStartMs = Date.now() - t;
		log(`  n8n start -> /healthz/readiness 200: ${timings.n8nStartMs} ms (${baseUrl})`);
		const failedLoads = loadLines.filter((l) => /Failed to load package/.test(l));
		if (failedLoads.length)
			throw new Error(`n8n could not load our package: ${failedLoads.join(' | ')}`);

		// Owner and login.
		t = Date.now();
		const setup = await http('POST', `${baseUrl}/rest/owner/setup`, { body: OWNER });
		if (setup.status !== 200)
			throw new Error(
				`POST /rest/owner/setup answered ${setup.status}: ${setup.text.slice(0, 300)}`,
			);
		const login = await http('POST', `${baseUrl}/rest/login`, {
			body: { emailOrLdapLoginId: OWNER.email, password: OWNER.password },
		});
		const setCookie = login.headers.getSetCookie?.() ?? [];
		const authCookie = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
		if (login.status !== 200 || !authCookie) {
			throw new Error(
				`POST /rest/login answered ${login.status} without an n8n-auth cookie: ${login.text.slice(0, 300)}`,
			);
		}
		const workflows = {};
		for (const id of CLOUD_IDS) {
			const { workflowId } = CLOUDS[id].editor;
			const stored = await http('GET', `${baseUrl}/rest/workflows/${workflowId}`, {
				cookie: authCookie,
			});
			if (stored.status !== 200)
				throw new Error(`GET /rest/workflows/${workflowId} answered ${stored.status}`);
			workflows[id] = stored.json.data ?? stored.json;
		}
		const types = await http('GET', `${baseUrl}/types/nodes.json`, { cookie: authCookie });
		for (const id of CLOUD_IDS) {
			const nodeType = `${PACKAGE_NAME}.${CLOUDS[id].nodeType}`;
			const known = Array.isArray(types.json) && types.json.some((n) => n.name === nodeType);
			if (!known)
				throw new Error(`n8n does not list ${nodeType} in /types/nodes.json; log: ${n8nLog}`);
		}
		timings.ownerLoginMs = Date.now() - t;
		log(`  owner setup + login + node type checks: ${timings.ownerLoginMs} ms`);

		return {
			baseUrl,
			cookie: { name: 'n8n-auth', value: authCookie.slice('n8n-auth='.length) },
			cookieHeader: authCookie,
			workflows,
			emulator,
			workDir,
			userFolder,
			timings,
			n8nLog,
			http: (method, p, opts = {}) =>
				http(method, `${baseUrl}${p}`, { cookie: authCookie, ...opts }),
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
