// Child processes for the n8n end-to-end check: every child gets a time limit, its own process group (so a
// timeout or an exit of ours takes its children with it: n8n spawns a task runner), and its output goes to a log
// file as well as back to the caller.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

const live = new Set();

function killGroup(child, signal) {
	if (child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		try {
			child.kill(signal);
		} catch {
			// already gone
		}
	}
}

/** Stop a child (and its process group): SIGTERM, then SIGKILL after `graceMs`. Resolves when it has exited. */
export function stopChild(child, graceMs = 5000) {
	if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	return new Promise((resolve) => {
		const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
		child.once('exit', () => {
			clearTimeout(timer);
			resolve();
		});
		killGroup(child, 'SIGTERM');
	});
}

/** Kill every child still running, synchronously (for process 'exit' and signals). */
export function killAllChildren() {
	for (const child of live) killGroup(child, 'SIGKILL');
	live.clear();
}

let handlersInstalled = false;
export function installExitHandlers(onSignal) {
	if (handlersInstalled) return;
	handlersInstalled = true;
	process.on('exit', killAllChildren);
	for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.once(sig, () => {
			killAllChildren();
			if (onSignal) onSignal(sig);
			process.exit(sig === 'SIGINT' ? 130 : 143);
		});
	}
}

/**
 * Start a long-lived child (the emulator). Output is appended to `logFile`; `onLine` sees each stdout line.
 */
export function startChild(cmd, args, { cwd, env, logFile, onLine } = {}) {
	const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	live.add(child);
	child.once('exit', () => live.delete(child));
	const log = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : null;
	let pending = '';
	child.stdout.on('data', (chunk) => {
		log?.write(chunk);
		pending += chunk.toString('utf8');
		let nl;
		while ((nl = pending.indexOf('\n')) >= 0) {
			const line = pending.slice(0, nl);
			pending = pending.slice(nl + 1);
			onLine?.(line);
		}
	});
	child.stderr.on('data', (chunk) => log?.write(chunk));
	child.once('exit', () => log?.end());
	return child;
}

/**
 * Run a command to completion with a time limit. Resolves (never rejects) with
 * { code, signal, stdout, stderr, timedOut, ms, error }.
 */
export function run(cmd, args, { cwd, env, timeoutMs = 120000, logFile, label, echo = false } = {}) {
	const started = Date.now();
	return new Promise((resolve) => {
		let child;
		try {
			child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		} catch (error) {
			resolve({ code: null, signal: null, stdout: '', stderr: '', timedOut: false, ms: 0, error });
			return;
		}
		live.add(child);
		const log = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : null;
		log?.write(`\n$ ${label ? `[${label}] ` : ''}${cmd} ${args.join(' ')}\n  (cwd ${cwd ?? process.cwd()})\n`);
		const out = [];
		const err = [];
		child.stdout.on('data', (c) => {
			out.push(c);
			log?.write(c);
			if (echo) process.stdout.write(c);
		});
		child.stderr.on('data', (c) => {
			err.push(c);
			log?.write(c);
			if (echo) process.stderr.write(c);
		});
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			log?.write(`\n!! time limit of ${timeoutMs} ms reached, stopping\n`);
			stopChild(child, 5000);
		}, timeoutMs);
		let spawnError;
		child.once('error', (e) => {
			spawnError = e;
		});
		child.once('exit', () => {
			// Whatever this command left behind in its process group (n8n's task runner) goes too; it may hold our
			// pipes open, which would keep 'close' from coming.
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				// group already empty
			}
		});
		child.once('close', (code, signal) => {
			clearTimeout(timer);
			live.delete(child);
			const ms = Date.now() - started;
			log?.write(`\n-> exit ${code ?? signal}${timedOut ? ' (timed out)' : ''} after ${ms} ms\n`);
			log?.end();
			resolve({
				code,
				signal,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
				timedOut,
				ms,
				error: spawnError,
			});
		});
	});
}

/** A TCP port nobody listens on right now (on 127.0.0.1). */
export function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

/** `n` distinct free ports. */
export async function freePorts(n) {
	const ports = new Set();
	while (ports.size < n) ports.add(await freePort());
	return [...ports];
}

export function describeFailure(res) {
	if (res.error) return `could not start: ${res.error.message}`;
	if (res.timedOut) return `timed out after ${Math.round(res.ms / 1000)} s`;
	return `exit ${res.code ?? res.signal}`;
}
