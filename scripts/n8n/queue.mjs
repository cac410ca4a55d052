// The pieces of n8n's queue mode (scaling mode) for scripts/n8n-queue.mjs: Debian's redis-server and PostgreSQL on
// 127.0.0.1 in temp folders, `n8n worker` processes, n8n's JSON logs read back (who enqueued, who ran what), example
// workflows started by a production webhook, and the listening sockets of our processes.
//
// What n8n 2.41.1 does in queue mode, read in its code (the cache's node_modules/n8n/dist):
// - Enqueue or run in-process: workflow-runner.js l.307: `shouldEnqueue = OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS ===
//   'true' ? mode === 'queue' : mode === 'queue' && executionMode !== 'manual'`: production executions (webhook,
//   trigger) go to the Bull queue in Redis; manual ones (the editor's "Execute workflow", POST /rest/workflows/:id/run)
//   stay on main unless OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true (the v3 default, breaking-changes rule
//   offload-manual-executions). We start the examples with a production webhook, so nothing depends on that switch.
// - Who ran what: main logs `Enqueued execution <id> (job <job>)` (scaling.service.js addJob) and, on the worker's
//   job-finished message, `Execution <id> (job <job>) finished` with `workerId` (the worker's hostId); the worker logs
//   `Worker started execution <id> (job <job>)` / `Worker finished execution ...` (scaling/job-processor.js) and, at
//   start, `Host ID: worker-<nanoid>` (commands/worker.js; n8n-core InstanceSettings: `${instanceType}-${nanoid}`
//   outside Docker, so two workers on one machine have different ids). No execution column records the worker
//   (@n8n/db ExecutionEntity), so the logs are the evidence (N8N_LOG_FORMAT=json: one JSON object per line, the
//   fields under `metadata`).
// - Polls: `Poll trigger initiated for workflow "<name>"` {workflowId} (n8n-core poll-trigger-executor.js, debug) and
//   `Registered cron` (scheduled-task-manager.js, debug) on the process that polls: main (the leader).
// - Binary data: n8n-core binary-data.config.js l.35 `mode ??= executions.mode === 'queue' ? 'database' :
//   'filesystem'`: ids `database:<uuid>`, rows of the `binary_data` table (fileId, sourceType 'execution', sourceId the
//   execution id, data, fileSize), read back by GET /rest/binary-data?id=<id>&action=download (binary-data.controller.js).
// - Worker server: QUEUE_HEALTH_CHECK_ACTIVE=true, QUEUE_HEALTH_CHECK_PORT (default 5678, the main's port), address
//   N8N_WORKER_SERVER_ADDRESS (default '::', every interface): GET /healthz/readiness answers 200 once the DB is
//   connected and migrated, Redis is connected and the worker is set up (scaling/worker-server.js).
// - SQLite: base-command.js l.151 warns "Scaling mode is not officially supported with sqlite. Please use PostgreSQL
//   instead." when EXECUTIONS_MODE=queue and DB_TYPE=sqlite.

import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { describeFailure, run, startChild, stopChild } from './proc.mjs';
import { httpJson } from './server.mjs';
import { runnableCopy } from './workflows.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The first of `names` found on PATH (or as an absolute path), or null. */
export function which(...names) {
	for (const name of names) {
		if (path.isAbsolute(name)) {
			if (fs.existsSync(name)) return name;
			continue;
		}
		for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
			const p = path.join(dir, name);
			try {
				fs.accessSync(p, fs.constants.X_OK);
				return p;
			} catch {
				// not here
			}
		}
	}
	return null;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * `apt-get install -y <packages>` when we are root (after an `apt-get update` if the first try fails). Resolves with
 * { ok, detail }.
 */
export async function aptInstall(packages, { logFile, timeoutMs = 10 * 60 * 1000 } = {}) {
	if (!isRoot()) return { ok: false, detail: `not root: install ${packages.join(' ')} yourself (apt-get install -y ${packages.join(' ')})` };
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	let res = await run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, timeoutMs, logFile, label: 'apt-get install' });
	if (res.code !== 0) {
		await run('apt-get', ['update'], { env, timeoutMs, logFile, label: 'apt-get update' });
		res = await run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, timeoutMs, logFile, label: 'apt-get install' });
	}
	return { ok: res.code === 0, detail: `apt-get install -y ${packages.join(' ')}: ${describeFailure(res)}` };
}

// ---------------------------------------------------------------------------------------------------------------
// Redis

/** One Redis command over RESP on a fresh connection; resolves with the raw reply text. */
export function redisCommand(port, args, { host = '127.0.0.1', timeoutMs = 3000 } = {}) {
	return new Promise((resolve, reject) => {
		const socket = net.connect(port, host);
		let reply = '';
		const timer = setTimeout(() => socket.destroy(new Error(`redis ${args[0]}: no answer in ${timeoutMs} ms`)), timeoutMs);
		socket.on('connect', () => socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join('')}`));
		socket.on('data', (c) => {
			reply += c.toString('utf8');
			if (reply.endsWith('\r\n')) {
				clearTimeout(timer);
				socket.end();
				resolve(reply);
			}
		});
		socket.on('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
	});
}

/**
 * Debian's redis-server on 127.0.0.1:`port`, its working directory `dir`, no persistence (no RDB snapshots, no AOF).
 * Resolves with { child, port, version } once it answers PING.
 */
export async function startRedis({ bin, port, dir, logFile, timeoutMs = 30000 }) {
	fs.mkdirSync(dir, { recursive: true });
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--logfile', ''];
	const child = startChild(bin, args, { cwd: dir, env: { PATH: process.env.PATH }, logFile });
	const started = Date.now();
	for (;;) {
		if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server exited (${child.exitCode ?? child.signalCode}); log ${logFile}`);
		try {
			if ((await redisCommand(port, ['PING'])).startsWith('+PONG')) break;
		} catch {
			// not yet
		}
		if (Date.now() - started > timeoutMs) {
			await stopChild(child);
			throw new Error(`redis-server did not answer PING within ${timeoutMs / 1000} s; log ${logFile}`);
		}
		await sleep(200);
	}
	const info = await redisCommand(port, ['INFO', 'server']).catch(() => '');
	const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
	return { child, port, version, ms: Date.now() - started, stop: () => stopChild(child, 5000) };
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL (Debian's postgresql package: /usr/lib/postgresql/<major>/bin)

/** The bin folder of the newest Debian PostgreSQL installed, or null. */
export function findPostgresBin() {
	const base = '/usr/lib/postgresql';
	if (!fs.existsSync(base)) return null;
	const majors = fs
		.readdirSync(base)
		.filter((d) => /^\d+$/.test(d) && fs.existsSync(path.join(base, d, 'bin', 'postgres')) && fs.existsSync(path.join(base, d, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return majors.length ? path.join(base, majors[0], 'bin') : null;
}

/**
 * A throw-away PostgreSQL cluster: initdb into a fresh temp folder (trust authentication, superuser `user`), the
 * server on 127.0.0.1:`port` only (its Unix socket in the same folder), fsync off (a test database), and a database
 * `database`. PostgreSQL refuses to run as root: as root, it runs as the `postgres` user the Debian package created.
 * Resolves with { child, port, user, database, dir, version, psql(sql), stop() }.
 */
export async function startPostgres({ binDir, port, logFile, user = 'n8n', database = 'n8n', timeoutMs = 60000 }) {
	const started = Date.now();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-queue-pg-'));
	let asUser = [];
	if (isRoot()) {
		const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
		fs.chownSync(dir, uid, gid);
		asUser = ['runuser', '-u', 'postgres', '--'];
	}
	const cmd = (bin, args) => (asUser.length ? [asUser[0], [...asUser.slice(1), path.join(binDir, bin), ...args]] : [path.join(binDir, bin), args]);
	const data = path.join(dir, 'data');
	const env = { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C' };
	const [initCmd, initArgs] = cmd('initdb', ['-D', data, '-U', user, '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
	const init = await run(initCmd, initArgs, { cwd: dir, env, timeoutMs, logFile, label: 'initdb' });
	if (init.code !== 0) throw new Error(`initdb failed (${describeFailure(init)}): ${(init.stderr || init.stdout).trim().split('\n').slice(-3).join(' | ')}`);
	const [pgCmd, pgArgs] = cmd('postgres', [
		'-D', data,
		'-p', String(port),
		'-k', dir,
		'-c', 'listen_addresses=127.0.0.1',
		'-c', 'fsync=off',
		'-c', 'synchronous_commit=off',
		'-c', 'full_page_writes=off',
		'-c', 'max_connections=100',
	]);
	const child = startChild(pgCmd, pgArgs, { cwd: dir, env, logFile });
	const psqlBin = path.join(binDir, 'psql');
	const psql = async (sql, db = database) => {
		const res = await run(psqlBin, ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', db, '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], { env, timeoutMs: 30000 });
		if (res.code !== 0) throw new Error(`psql: ${(res.stderr || res.stdout).trim().split('\n')[0]}`);
		return res.stdout.trim();
	};
	const stop = async () => {
		await stopChild(child, 10000);
		fs.rmSync(dir, { recursive: true, force: true });
	};
	try {
		for (;;) {
			if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}); log ${logFile}`);
			try {
				await psql('select 1', 'postgres');
				break;
			} catch {
				// not yet
			}
			if (Date.now() - started > timeoutMs) throw new Error(`postgres did not accept connections within ${timeoutMs / 1000} s; log ${logFile}`);
			await sleep(300);
		}
		await psql(`create database ${database}`, 'postgres');
		const version = await psql('show server_version', 'postgres');
		return { child, port, user, database, dir, version, ms: Date.now() - started, psql, stop };
	} catch (e) {
		await stop();
		throw e;
	}
}

// ---------------------------------------------------------------------------------------------------------------
// n8n workers

/**
 * Whether a child can get a hostname of its own (`unshare --uts`: root with CAP_SYS_ADMIN). n8n's host id
 * (n8n-core InstanceSettings) is `<type>-<hostname>` when it thinks it runs in a container (/.dockerenv,
 * /run/.containerenv, a docker/kubepods/containerd cgroup) and `<type>-<nanoid>` otherwise: inside a container,
 * two workers on one hostname share one id; each container of a real deployment has a hostname of its own.
 */
export async function canUnshareUts() {
	if (!which('unshare') || !which('hostname')) return false;
	const res = await run('unshare', ['--uts', 'sh', '-c', 'hostname n8n-queue-probe && hostname'], { timeoutMs: 10000 });
	return res.code === 0 && res.stdout.trim() === 'n8n-queue-probe';
}

/**
 * `n8n worker` with `env` (which must set QUEUE_HEALTH_CHECK_ACTIVE=true and QUEUE_HEALTH_CHECK_PORT): resolves once
 * GET /healthz/readiness on that port answers 200. Returns { child, healthPort, readyMs, stop() }.
 */
export async function startN8nWorker({ nodeBin, n8nBin, cwd, env, logFile, args = [], hostname = null, readyTimeoutMs = 240000 }) {
	const healthPort = env.QUEUE_HEALTH_CHECK_PORT;
	if (!healthPort || env.QUEUE_HEALTH_CHECK_ACTIVE !== 'true') throw new Error('startN8nWorker: QUEUE_HEALTH_CHECK_ACTIVE=true and QUEUE_HEALTH_CHECK_PORT are needed');
	const started = Date.now();
	// `hostname`: the worker gets a UTS namespace (`unshare --uts`, see canUnshareUts) with a hostname of its own, as a
	// container would: n8n names a worker in Docker `worker-<hostname>`.
	const child = hostname
		? startChild('unshare', ['--uts', 'sh', '-c', 'hostname "$1" && shift && exec "$@"', 'sh', hostname, nodeBin, n8nBin, 'worker', ...args], { cwd, env, logFile })
		: startChild(nodeBin, [n8nBin, 'worker', ...args], { cwd, env, logFile });
	const stop = () => stopChild(child, 20000);
	try {
		for (;;) {
			if (child.exitCode !== null || child.signalCode !== null) throw new Error(`n8n worker exited (${child.exitCode ?? child.signalCode}); log ${logFile}`);
			try {
				const res = await httpJson('GET', `http://127.0.0.1:${healthPort}/healthz/readiness`, { timeoutMs: 3000 });
				if (res.status === 200) break;
			} catch {
				// not listening yet
			}
			if (Date.now() - started > readyTimeoutMs) throw new Error(`n8n worker was not ready within ${readyTimeoutMs / 1000} s; log ${logFile}`);
			await sleep(500);
		}
	} catch (e) {
		await stop();
		throw e;
	}
	return { child, healthPort: Number(healthPort), readyMs: Date.now() - started, stop };
}

// ---------------------------------------------------------------------------------------------------------------
// n8n's JSON logs (N8N_LOG_FORMAT=json): { level, message, metadata: { ..., timestamp } } per line

/** The JSON log entries of a log file (other lines, e.g. the task runner's, skipped). */
export function readJsonLog(file) {
	if (!file || !fs.existsSync(file)) return [];
	const out = [];
	for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
		if (!line.startsWith('{')) continue;
		try {
			const e = JSON.parse(line);
			if (typeof e.message === 'string') out.push({ level: e.level, message: e.message, meta: e.metadata ?? {} });
		} catch {
			// not one of n8n's lines
		}
	}
	return out;
}

/**
 * What an n8n process's log says about queue mode: its host id, the executions it enqueued (main), started and
 * finished (worker), the job-finished messages it received with the worker's id (main), and the polls and crons it
 * ran, per workflow id.
 */
export function queueFacts(entries) {
	const facts = {
		hostId: null,
		enqueued: new Map(), // executionId -> jobId
		started: new Map(), // executionId -> jobId
		finished: new Map(), // executionId -> { jobId, success }
		finishedBy: new Map(), // executionId -> workerId (main: the job-finished message)
		polls: new Map(), // workflowId -> count
		crons: new Map(), // workflowId -> count of "Registered cron"
		sqliteWarning: false,
		loaded: [],
		loadFailures: [],
		errors: [],
	};
	const count = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
	for (const { level, message, meta } of entries) {
		let m;
		if ((m = /^Host ID: (\S+)/.exec(message))) facts.hostId = m[1];
		else if ((m = /^Enqueued execution (\S+) \(job (\S+)\)/.exec(message))) facts.enqueued.set(String(m[1]), String(m[2]));
		else if ((m = /^Worker started execution (\S+) \(job (\S+)\)/.exec(message))) facts.started.set(String(m[1]), String(m[2]));
		else if ((m = /^Worker finished execution (\S+) \(job (\S+)\)/.exec(message))) facts.finished.set(String(m[1]), { jobId: String(m[2]), success: meta.success });
		else if ((m = /^Execution (\S+) \(job (\S+)\) finished/.exec(message))) facts.finishedBy.set(String(m[1]), meta.workerId ?? null);
		else if (/^Poll trigger initiated for workflow/.test(message)) count(facts.polls, String(meta.workflowId));
		else if (message === 'Registered cron') count(facts.crons, String(meta.groupId ?? meta.targetId ?? '?'));
		else if (/Scaling mode is not officially supported with sqlite/.test(message)) facts.sqliteWarning = true;
		else if (/^Loaded all credentials and nodes from /.test(message)) facts.loaded.push({ message, meta });
		else if (/Failed to load package|Skipping package/.test(message)) facts.loadFailures.push(message);
		if (level === 'error') facts.errors.push(message.split('\n')[0].slice(0, 300));
	}
	return facts;
}

// ---------------------------------------------------------------------------------------------------------------
// Example workflows started by a production webhook

export const WEBHOOK_TYPE = 'n8n-nodes-base.webhook';

/**
 * An example made runnable here (scripts/n8n/workflows.mjs runnableCopy: id, other services as No Operation nodes,
 * /home/node/ mapped to `home`), its start node (a Manual Trigger, or the Schedule Trigger runnableCopy turned into
 * one) then replaced by a Webhook node of the same name: POST /webhook/<path>, answered at once ("Respond:
 * Immediately"), so the execution is a production one (mode "webhook") that main puts in the queue. Returns
 * { copy, startNode, notes, path }.
 */
export function webhookCopy(workflow, file, { ownCredentialTypes, home }) {
	const { copy, startNode, notes: copyNotes } = runnableCopy(workflow, file, { ownCredentialTypes, home });
	const original = workflow.nodes.find((n) => n.name === startNode);
	const notes = copyNotes.filter((n) => !n.startsWith(`"${startNode}" (`) || !/runs as a Manual Trigger/.test(n));
	const node = copy.nodes.find((n) => n.name === startNode);
	const hookPath = `queue-${copy.id}`;
	node.type = WEBHOOK_TYPE;
	node.typeVersion = 2;
	node.parameters = { httpMethod: 'POST', path: hookPath, responseMode: 'onReceived', options: {} };
	node.webhookId = crypto.createHash('sha256').update(`queue-${copy.id}`).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5');
	notes.unshift(`"${startNode}" (${original?.type ?? '?'}) runs as a Webhook node of the same name (POST /webhook/${hookPath}, answered at once): a production execution, which queue mode sends to the workers`);
	return { copy, startNode, notes, path: hookPath };
}

/**
 * Activate a workflow over REST and wait until its publication is done (scripts/n8n/triggers.mjs explains the
 * publication outbox). Resolves with { status, ms, failures }.
 */
export async function activateWorkflow(server, id, { timeoutMs = 90000 } = {}) {
	const t0 = Date.now();
	let status;
	try {
		const stored = await server.api('GET', `/rest/workflows/${id}`);
		await server.api('POST', `/rest/workflows/${id}/activate`, { versionId: stored.versionId });
		for (;;) {
			status = await server.api('GET', `/rest/workflows/${id}/publication-status`);
			if (!['in_progress', 'not_published'].includes(status?.status)) break;
			if (Date.now() - t0 > timeoutMs) break;
			await sleep(250);
		}
	} catch (e) {
		status = { status: 'error', error: e.message };
	}
	const failures = (status?.triggers ?? []).filter((tr) => tr.status !== 'activated').map((tr) => `${tr.nodeId}: ${tr.status} ${tr.errorMessage ?? ''}`);
	return { status: status?.status ?? '?', error: status?.error, failures, ms: Date.now() - t0 };
}

/** GET a path of a running n8n with its auth cookie, hashing the body: { status, sha256, bytes, headers }. */
export async function sha256Rest(server, p, timeoutMs = 120000) {
	const res = await fetch(`${server.baseUrl}${p}`, { headers: { cookie: server.cookie }, signal: AbortSignal.timeout(timeoutMs) });
	const hash = crypto.createHash('sha256');
	let bytes = 0;
	if (res.body) {
		for await (const chunk of res.body) {
			hash.update(chunk);
			bytes += chunk.length;
		}
	}
	return { status: res.status, sha256: hash.digest('hex'), bytes, headers: Object.fromEntries(res.headers) };
}

// ---------------------------------------------------------------------------------------------------------------
// Listening sockets

/** The pids whose process group is `pgid` (our children run in groups of their own: scripts/n8n/proc.mjs). */
export function pidsOfGroup(pgid) {
	const out = [];
	for (const d of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(d)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(fields[2]) === pgid) out.push(Number(d));
		} catch {
			// gone
		}
	}
	return out;
}

/**
 * The TCP sockets listening now, per process of the given groups: `ss -ltnpH` (iproute2). Resolves with
 * [{ group, pid, local }] or null when `ss` is missing.
 */
export async function listeners(groups) {
	if (!which('ss')) return null;
	const res = await run('ss', ['-ltnpH'], { timeoutMs: 10000 });
	if (res.code !== 0) return null;
	const owner = new Map();
	for (const [label, pgid] of Object.entries(groups)) for (const pid of pidsOfGroup(pgid)) owner.set(pid, label);
	const out = [];
	for (const line of res.stdout.split('\n')) {
		const cols = line.trim().split(/\s+/);
		if (cols.length < 5) continue;
		const local = cols[3];
		for (const m of line.matchAll(/pid=(\d+)/g)) {
			const pid = Number(m[1]);
			if (owner.has(pid)) out.push({ group: owner.get(pid), pid, local });
		}
	}
	return out;
}
