#!/usr/bin/env node
// Queue mode, proven: the real n8n (2.41.1, on Node 24, the cache of scripts/n8n-e2e.mjs) as users scale it: a main
// process, Redis, and two workers, all on 127.0.0.1, with the packed package installed; the example workflows run on
// the workers, and the backup triggers poll on main while their executions run on the workers. Plain Node ESM.
//
//   node scripts/n8n-queue.mjs [--keep] [--verbose]          (npm run test:queue)
//
// 1. n8n and Node 24 from the cache (scripts/n8n/install.mjs ensureN8n; installed on first use); Debian's
//    redis-server (`apt-get install -y redis-server` if missing and we are root); the database (N8N_QUEUE_DB):
//    `postgres` (default when Debian's PostgreSQL is installed: /usr/lib/postgresql/<major>/bin; `postgres` asks for
//    it, installing it with apt if missing) or `sqlite` (one database file in the shared user folder; n8n warns
//    "Scaling mode is not officially supported with sqlite", acceptable for a test; the default when there is no
//    PostgreSQL).
// 2. `npm run build`, `npm pack`, the tarball unpacked into <user folder>/.n8n/nodes/node_modules/<name> (as n8n's
//    installer does; scripts/n8n/pack.mjs). One user folder for main and both workers (like the shared volume of
//    n8n's docker-compose queue set-ups): the pack, the encryption key, the files folder.
// 3. Redis (free port, temp dir, no RDB/AOF), PostgreSQL (initdb into a temp dir, trust auth, 127.0.0.1 only), the
//    emulator (its demo seed, control endpoint); the emulator credentials (ids alibaba-emulator, ...) and the
//    examples imported with the CLI. Each example that does not start with our trigger is imported as a copy whose
//    start node (Manual / Schedule Trigger) is a Webhook node of the same name (scripts/n8n/queue.mjs webhookCopy):
//    in queue mode only production executions go to the workers unless OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true
//    (n8n workflow-runner.js l.307), and a webhook is the production start we can fire at a chosen moment.
// 4. `n8n start` in queue mode (EXECUTIONS_MODE=queue, QUEUE_BULL_REDIS_HOST/PORT, binary data mode left to n8n's
//    queue default, `database`) and two `n8n worker` (their own task-broker ports, health servers on 127.0.0.1 on
//    ports of their own; n8n's default concurrency, 10), started together, JSON logs (N8N_LOG_FORMAT=json). Inside a
//    container n8n names a worker `worker-<hostname>` (n8n-core InstanceSettings): where `unshare --uts` is allowed
//    (root), each worker gets a hostname of its own, as each container of a real deployment has. Checks: each
//    process loaded the pack, each worker has its own host id, n8n says queue mode and database binary mode (GET
//    /rest/settings), every socket our processes listen on is on 127.0.0.1 (ss).
// 5. The examples: activated over REST, their webhooks fired at once (in waves only where a cloud refuses two
//    backups of one instance at a time: UCloud), each execution read back over REST: the items (the nodes that must
//    run, the backup task succeeded), every binary (id `database:<uuid>`) read back through GET /rest/binary-data
//    and, with PostgreSQL, from its `binary_data` row (its execution id; SHA-256 computed in SQL), compared with the
//    bytes the emulator serves; files written by Write to Folder compared too; and which worker ran it: main's log
//    "Enqueued execution X (job J)", exactly one worker's log "Worker started/finished execution X", main's log
//    "Execution X (job J) finished" naming that worker's host id. Both workers must have run some.
// 6. The triggers (scripts/n8n/triggers.mjs runTriggerCheck, in this main): per cloud a check workflow plus the
//    trigger examples, active, polling every 5 s; backups started/failed/succeeded through the emulator's control
//    endpoint; each expected event exactly once. Then: the polls ran on main ("Poll trigger initiated" for each
//    trigger workflow in main's log, none in the workers' logs, no cron registered on a worker) and every trigger
//    execution was enqueued by main and run by a worker. N8N_QUEUE_TRIGGERS=full (default) waits for the failed
//    Tencent backup the trigger reports VANISHED_AFTER_MS after it stops being listed (about 2 min more); quick
//    does not.
// 7. A PASS/FAIL report and the run time; exit code 0 only if every check passed. Everything we started is stopped
//    at exit (workers, main, emulator, Redis, PostgreSQL), also on Ctrl-C; logs in .artifacts/n8n-queue/ on failure.
//
// Env: N8N_E2E_CACHE (the n8n cache), N8N_QUEUE_DB (auto | postgres | sqlite), N8N_QUEUE_TRIGGERS (full | quick |
// off), N8N_QUEUE_KEEP=1 (same as --keep: keep the temp folder even on success).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CLOUD_IDS, CLOUDS, cloudOfUrl, emulatorCredentials, startEmulator } from './n8n/clouds.mjs';
import { N8N_OFFLINE_ENV } from './n8n/env.mjs';
import { ensureN8n, N8N_VERSION } from './n8n/install.mjs';
import { buildPackInstall } from './n8n/pack.mjs';
import { describeFailure, freePorts, installExitHandlers, run, stopChild } from './n8n/proc.mjs';
import {
	activateWorkflow,
	aptInstall,
	canUnshareUts,
	findPostgresBin,
	listeners,
	queueFacts,
	readJsonLog,
	sha256Rest,
	startN8nWorker,
	startPostgres,
	startRedis,
	webhookCopy,
	which,
} from './n8n/queue.mjs';
import { startN8nServer } from './n8n/server.mjs';
import { ExecutionReader, loadFlatted, runTriggerCheck, startsWithOurTrigger } from './n8n/triggers.mjs';
import { sha256File, sha256Url } from './n8n/workflows.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE_DIR = path.resolve(process.env.N8N_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-cloud-redis-backups'));
const EXAMPLES_DIR = path.join(ROOT, 'examples');
const ARTIFACTS_DIR = path.join(ROOT, '.artifacts', 'n8n-queue');
const KEEP = process.argv.includes('--keep') || process.env.N8N_QUEUE_KEEP === '1';
const VERBOSE = process.argv.includes('--verbose');
const DB_WANTED = process.env.N8N_QUEUE_DB || 'auto';
const TRIGGERS = process.env.N8N_QUEUE_TRIGGERS || 'full';
if (!['auto', 'postgres', 'sqlite'].includes(DB_WANTED)) throw new Error(`N8N_QUEUE_DB must be auto, postgres or sqlite, not ${DB_WANTED}`);
if (!['full', 'quick', 'off'].includes(TRIGGERS)) throw new Error(`N8N_QUEUE_TRIGGERS must be full, quick or off, not ${TRIGGERS}`);

const WORKER_COUNT = 2;
const ENCRYPTION_KEY = 'n8n-queue-fixed-encryption-key-do-not-use-elsewhere';
const EMULATOR_STEP_MS = 300;
const MIN = 60 * 1000;
/** The longest an example may take once its webhook fired (the nightly examples poll their task every 10 s). */
const EXAMPLES_DEADLINE_MS = 6 * MIN;
/** n8n's database binary mode refuses files above N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (default 512 MiB). */
const DATABASE_MAX_BYTES = 512 * 1024 * 1024;

/**
 * Per example: nodes that must run and output at least one item; the Wait Until Finished node whose task must have
 * succeeded; the node that must output binary data. (The deeper per-example checks are test:n8n's; here the point
 * is that the same runs happen on the workers.)
 */
const cycle = ['Start', 'Create Backup', 'Wait Until Finished', 'List Recent Backups', 'Get Download URL', 'Download Backup'];
const nightly = ['Every Night at 03:00', 'Settings', 'Create Backup', 'Wait Until Finished', 'Download Backup', 'Write to Folder'];
const EXPECTED = {
	'alibaba-backup-cycle.workflow.json': { mustRun: cycle, taskSucceededIn: 'Wait Until Finished', binaryFrom: 'Download Backup' },
	'tencent-backup-cycle.workflow.json': { mustRun: [...cycle, 'List via Legacy CRS API'], taskSucceededIn: 'Wait Until Finished', binaryFrom: 'Download Backup' },
	'ucloud-backup-cycle.workflow.json': { mustRun: cycle, taskSucceededIn: 'Wait Until Finished', binaryFrom: 'Download Backup' },
	'alibaba-nightly-backup-to-folder.workflow.json': { mustRun: nightly, taskSucceededIn: 'Wait Until Finished', binaryFrom: 'Download Backup' },
	'tencent-nightly-backup-to-folder.workflow.json': { mustRun: nightly, taskSucceededIn: 'Wait Until Finished', binaryFrom: 'Download Backup' },
	'ucloud-nightly-backup-to-folder.workflow.json': { mustRun: nightly, taskSucceededIn: 'Wait Until Finished', binaryFrom: 'Download Backup' },
	'alibaba-failed-backups-to-slack.workflow.json': { mustRun: ['Every Hour', 'Failed Backups of the Last Day', 'Post to Slack'] },
};

// ---------------------------------------------------------------------------------------------------------------
// Report

const checks = [];
const facts = { phases: {} };
const exampleReports = [];
let triggerReport = null;

function say(line = '') {
	process.stdout.write(`${line}\n`);
}
function check(name, ok, detail = '') {
	checks.push({ name, ok: !!ok, detail });
	say(`  ${ok ? 'ok  ' : 'FAIL'}  ${name}${detail ? ` — ${detail}` : ''}`);
	return !!ok;
}
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
class Abort extends Error {}
function must(name, ok, detail) {
	if (!check(name, ok, detail)) throw new Abort(name);
}
async function phase(name, fn) {
	const t = Date.now();
	try {
		return await fn();
	} finally {
		facts.phases[name] = Date.now() - t;
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Temp folders, processes, environments

const started = Date.now();
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-queue-'));
const logsDir = path.join(tmpRoot, 'logs');
const userFolder = path.join(tmpRoot, 'user');
const n8nFolder = path.join(userFolder, '.n8n');
const inputsDir = path.join(userFolder, 'inputs');
for (const d of [logsDir, userFolder, n8nFolder, inputsDir, path.join(userFolder, '.n8n-files'), path.join(userFolder, 'tmp')]) fs.mkdirSync(d, { recursive: true });
let logCounter = 0;
const logFile = (label) => path.join(logsDir, `${String(++logCounter).padStart(2, '0')}-${label.replace(/[^A-Za-z0-9.-]+/g, '_')}.log`);

let runtime;
let redis;
let postgres;
let emulator;
let main;
let mainLog;
const workers = []; // { label, worker, log, brokerPort, healthPort }
let dbKind;
let pkgName;
let declared;

/** Every n8n process: offline, the shared user folder, the database, debug logs. */
function n8nEnv(extra = {}) {
	const env = {};
	for (const key of ['USER', 'LANG', 'LC_ALL', 'TZ', 'TERM']) if (process.env[key]) env[key] = process.env[key];
	Object.assign(env, N8N_OFFLINE_ENV, {
		HOME: userFolder,
		PATH: `${path.dirname(runtime.nodeBin)}${path.delimiter}${process.env.PATH}`,
		NO_COLOR: '1',
		TMPDIR: path.join(userFolder, 'tmp'),
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_LOG_LEVEL: 'debug',
		N8N_LOG_OUTPUT: 'console',
	});
	if (dbKind === 'postgres') {
		Object.assign(env, {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: postgres.database,
			DB_POSTGRESDB_USER: postgres.user,
			DB_POSTGRESDB_PASSWORD: '',
		});
	}
	return { ...env, ...extra };
}

/** What main and the workers add: queue mode on our Redis, JSON logs (read back for who ran what). */
function queueEnv(extra = {}) {
	return n8nEnv({
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		N8N_LOG_FORMAT: 'json',
		...extra,
	});
}

/** An n8n CLI command (regular mode: imports only touch the database). */
async function n8nCli(label, args, { timeoutMs = 4 * MIN } = {}) {
	const [brokerPort] = await freePorts(1);
	return run(runtime.nodeBin, [runtime.n8nBin, ...args], {
		cwd: userFolder,
		env: n8nEnv({ N8N_RUNNERS_BROKER_PORT: String(brokerPort) }),
		timeoutMs,
		logFile: logFile(`n8n-${label}`),
		label: `n8n ${label}`,
		echo: VERBOSE,
	});
}

// ---------------------------------------------------------------------------------------------------------------
// Who ran what, from the logs

function logFacts() {
	return {
		main: queueFacts(readJsonLog(mainLog)),
		workers: workers.map((w) => ({ label: w.label, ...queueFacts(readJsonLog(w.log)) })),
	};
}

/**
 * Where an execution ran: { ok, worker (label), detail }: main enqueued it, exactly one worker started and finished
 * it, and main's job-finished line names that worker's host id.
 */
function whereRan(executionId, lf) {
	const id = String(executionId);
	const job = lf.main.enqueued.get(id);
	const startedBy = lf.workers.filter((w) => w.started.has(id));
	const finishedBy = lf.workers.filter((w) => w.finished.has(id));
	const reported = lf.main.finishedBy.get(id);
	const worker = startedBy.length === 1 ? startedBy[0] : null;
	const ok = !!job && !!worker && finishedBy.length === 1 && finishedBy[0] === worker && !!reported && reported === worker.hostId;
	const detail = [
		job ? `main enqueued it (job ${job})` : 'main never logged "Enqueued execution"',
		startedBy.length ? `"Worker started execution ${id}" in ${startedBy.map((w) => w.label).join(' and ')}'s log` : 'no worker logged "Worker started execution"',
		finishedBy.length ? `finished in ${finishedBy.map((w) => w.label).join(' and ')}` : 'no worker logged "Worker finished execution"',
		reported ? `main: "Execution ${id} finished" from ${reported}${worker && reported === worker.hostId ? ` (= ${worker.label})` : ''}` : 'main logged no "finished" message with a worker id',
	].join('; ');
	return { ok, worker: worker?.label ?? null, detail };
}

// ---------------------------------------------------------------------------------------------------------------
// Steps

async function stepInstall() {
	say(`\n[1/7] n8n ${N8N_VERSION} and Node 24 from ${CACHE_DIR}; Redis; the database`);
	runtime = await ensureN8n(CACHE_DIR, { log: (l) => say(l), logFile: logFile('install') });
	facts.n8nVersion = runtime.n8nVersion;
	facts.nodeVersion = runtime.nodeVersion;
	check(runtime.cached ? 'n8n and Node 24 reused from the cache' : 'n8n and Node 24 installed into the cache', true, `n8n ${runtime.n8nVersion}, Node ${runtime.nodeVersion}, ${seconds(runtime.ms)}`);

	let redisBin = which('redis-server', '/usr/bin/redis-server');
	if (!redisBin) {
		say('  redis-server is not installed: apt-get install -y redis-server');
		const apt = await aptInstall(['redis-server'], { logFile: logFile('apt-redis') });
		redisBin = which('redis-server', '/usr/bin/redis-server');
		must('redis-server installed with apt', !!redisBin, apt.detail);
	}
	const v = await run(redisBin, ['--version'], { timeoutMs: 10000 });
	facts.redisBin = redisBin;
	check('redis-server found', v.code === 0, `${redisBin}: ${v.stdout.trim()}`);

	let pgBin = findPostgresBin();
	if (DB_WANTED === 'postgres' && !pgBin) {
		say('  PostgreSQL is not installed: apt-get install -y postgresql');
		const apt = await aptInstall(['postgresql'], { logFile: logFile('apt-postgresql') });
		pgBin = findPostgresBin();
		must('PostgreSQL installed with apt', !!pgBin, apt.detail);
	}
	dbKind = DB_WANTED === 'sqlite' || !pgBin ? 'sqlite' : 'postgres';
	facts.pgBin = pgBin;
	check(
		`database: ${dbKind === 'postgres' ? 'PostgreSQL' : 'SQLite'} (N8N_QUEUE_DB=${DB_WANTED})`,
		true,
		dbKind === 'postgres' ? `Debian's PostgreSQL in ${pgBin}` : `one SQLite file shared by main and the workers${DB_WANTED === 'auto' ? ' (no Debian PostgreSQL found)' : ''}: n8n does not officially support queue mode on SQLite`,
	);
}

async function stepPackage() {
	say('\n[2/7] Build, pack and install our package into the shared user folder');
	let result;
	try {
		result = await buildPackInstall({ root: ROOT, userFolder, workDir: tmpRoot, nodeBin: runtime.nodeBin, logFile, echo: VERBOSE });
	} catch (e) {
		for (const s of e.steps ?? []) check(s.name, s.ok, s.detail);
		if (!e.steps) check('build, pack and install', false, e.message);
		throw new Abort('the package could not be built and installed');
	}
	for (const s of result.steps) check(s.name, s.ok, s.detail);
	pkgName = result.pkg.name;
	facts.packageName = pkgName;
	facts.packageVersion = result.pkg.version;
	declared = { credentials: result.pkg.n8n?.credentials?.length ?? 0, nodes: result.pkg.n8n?.nodes?.length ?? 0 };
	return result;
}

async function stepServices() {
	say('\n[3/7] Redis, the database, the emulator; credentials and examples imported');
	const [redisPort, pgPort] = await freePorts(2);
	try {
		redis = await startRedis({ bin: facts.redisBin, port: redisPort, dir: path.join(tmpRoot, 'redis'), logFile: logFile('redis') });
	} catch (e) {
		must('redis-server started', false, e.message);
	}
	check('redis-server started', true, `127.0.0.1:${redis.port}, Redis ${redis.version}, no persistence (--save "" --appendonly no), ready in ${seconds(redis.ms)}`);
	if (dbKind === 'postgres') {
		try {
			postgres = await startPostgres({ binDir: facts.pgBin, port: pgPort, logFile: logFile('postgres') });
		} catch (e) {
			must('PostgreSQL started', false, e.message);
		}
		check('PostgreSQL started', true, `127.0.0.1:${postgres.port}, PostgreSQL ${postgres.version}, database ${postgres.database} (initdb into ${postgres.dir}, fsync off), ready in ${seconds(postgres.ms)}`);
	}
	try {
		emulator = await startEmulator({ repoRoot: ROOT, stepMs: EMULATOR_STEP_MS, logFile: (port) => logFile(`emulator-${port}`), timeoutMs: 90000, control: true, say });
	} catch (e) {
		must('emulator started', false, e.message);
	}
	check('emulator started', true, `${CLOUD_IDS.map((id) => `${CLOUDS[id].label} ${emulator.clouds[id].endpoint}`).join(', ')}, control ${emulator.controlUrl}`);

	const credFile = path.join(inputsDir, 'credentials.json');
	const credentials = emulatorCredentials(emulator);
	fs.writeFileSync(credFile, JSON.stringify(credentials, null, 2));
	const imp = await n8nCli('import-credentials', ['import:credentials', `--input=${credFile}`]);
	must(
		`n8n import:credentials (${credentials.map((c) => c.id).join(', ')}); creates the ${dbKind} schema`,
		imp.code === 0 && new RegExp(`Successfully imported ${credentials.length} credential`).test(imp.stdout + imp.stderr),
		`${describeFailure(imp)}, ${seconds(imp.ms)}`,
	);

	const files = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();
	const examples = [];
	const triggerExamples = [];
	const dir = path.join(inputsDir, 'example-workflows');
	fs.mkdirSync(dir, { recursive: true });
	for (const file of files) {
		const workflow = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
		if (startsWithOurTrigger(workflow, pkgName)) {
			triggerExamples.push({ file, workflow });
			continue;
		}
		const report = { file, ok: false, notes: [], nodes: {}, binaries: [], files: [], executions: [] };
		exampleReports.push(report);
		try {
			const { copy, startNode, notes, path: hookPath } = webhookCopy(workflow, file, { ownCredentialTypes: CLOUD_IDS.map((id) => CLOUDS[id].credential.type), home: userFolder });
			Object.assign(report, { id: copy.id, startNode, hookPath, notes, nodeNames: copy.nodes.map((n) => n.name), ours: copy.nodes.filter((n) => n.type.startsWith(`${pkgName}.`) && !n.disabled).map((n) => n.name), copy });
			fs.writeFileSync(path.join(dir, `${copy.id}.json`), JSON.stringify(copy, null, 2));
			examples.push(report);
		} catch (e) {
			check(`${file}: runnable from a webhook`, false, e.message);
		}
	}
	const impW = await n8nCli('import-examples', ['import:workflow', '--separate', `--input=${dir}`]);
	must(
		`n8n import:workflow of ${examples.length} example(s) started by a webhook`,
		impW.code === 0 && new RegExp(`Successfully imported ${examples.length} workflow`).test(impW.stdout + impW.stderr),
		`${examples.map((e) => e.id).join(', ')}; ${describeFailure(impW)}`,
	);
	return { examples, triggerExamples };
}

async function stepStart() {
	say(`\n[4/7] n8n main in queue mode and ${WORKER_COUNT} workers`);
	const ports = await freePorts(2 + 2 * WORKER_COUNT);
	const [mainPort, mainBroker] = ports;
	mainLog = logFile('n8n-main');
	for (let i = 0; i < WORKER_COUNT; i++) {
		workers.push({ label: `worker ${i + 1}`, log: logFile(`n8n-worker-${i + 1}`), brokerPort: ports[2 + 2 * i], healthPort: ports[3 + 2 * i] });
	}
	// Inside a container n8n names a worker `worker-<hostname>`: each worker gets a hostname of its own if it can.
	const ownHostnames = await canUnshareUts();
	facts.ownHostnames = ownHostnames;
	facts.ports = { n8n: mainPort, mainBroker, redis: redis.port, postgres: postgres?.port ?? null, workers: workers.map((w) => ({ label: w.label, broker: w.brokerPort, health: w.healthPort })) };
	const t = Date.now();
	// Main and the workers start together: the schema exists (the imports made it), so nobody migrates.
	const mainP = startN8nServer({
		nodeBin: runtime.nodeBin,
		n8nBin: runtime.n8nBin,
		cwd: userFolder,
		env: queueEnv({
			N8N_PORT: String(mainPort),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			N8N_EDITOR_BASE_URL: `http://127.0.0.1:${mainPort}/`,
			WEBHOOK_URL: `http://127.0.0.1:${mainPort}/`,
			N8N_RUNNERS_BROKER_PORT: String(mainBroker),
		}),
		logFile: mainLog,
		readyTimeoutMs: 5 * MIN,
	});
	const workerPs = workers.map((w) =>
		startN8nWorker({
			nodeBin: runtime.nodeBin,
			n8nBin: runtime.n8nBin,
			cwd: userFolder,
			env: queueEnv({
				N8N_RUNNERS_BROKER_PORT: String(w.brokerPort),
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(w.healthPort),
				N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			}),
			logFile: w.log,
			hostname: ownHostnames ? `n8n-queue-${w.label.replace(/\W+/g, '')}` : null,
			readyTimeoutMs: 5 * MIN,
		}),
	);
	const [mainR, ...workerRs] = await Promise.allSettled([mainP, ...workerPs]);
	facts.startMs = Date.now() - t;
	if (mainR.status === 'fulfilled') main = mainR.value;
	workerRs.forEach((r, i) => {
		if (r.status === 'fulfilled') workers[i].worker = r.value;
	});
	check('n8n main (n8n start, EXECUTIONS_MODE=queue) ready, owner set up, logged in', !!main, main ? `${main.baseUrl}, ready after ${seconds(main.readyMs)}` : mainR.reason?.message);
	workerRs.forEach((r, i) => {
		const w = workers[i];
		check(`${w.label} (n8n worker) ready`, r.status === 'fulfilled', r.status === 'fulfilled' ? `GET http://127.0.0.1:${w.healthPort}/healthz/readiness 200 after ${seconds(r.value.readyMs)}; task broker 127.0.0.1:${w.brokerPort}` : r.reason?.message);
	});
	if (!main || workers.some((w) => !w.worker)) throw new Abort('n8n main and the workers did not all start');

	const settings = await main.api('GET', '/rest/settings');
	facts.executionMode = settings?.executionMode;
	facts.binaryDataMode = settings?.binaryDataMode;
	check('n8n says: executions mode "queue"', settings?.executionMode === 'queue', `GET /rest/settings executionMode ${settings?.executionMode}`);
	check('n8n says: binary data mode "database" (queue mode\'s default; N8N_DEFAULT_BINARY_DATA_MODE not set)', settings?.binaryDataMode === 'database', `GET /rest/settings binaryDataMode ${settings?.binaryDataMode}`);

	const lf = logFacts();
	for (const [label, f] of [['main', lf.main], ...lf.workers.map((w) => [w.label, w])]) {
		const line = f.loaded.find((l) => l.message.includes(`from ${pkgName}`));
		const counts = line?.meta;
		check(
			`${label} loaded the pack with every node and credential`,
			!!line && counts?.credentials === declared.credentials && counts?.nodes === declared.nodes && f.loadFailures.length === 0,
			line ? `"${line.message}" ${JSON.stringify({ credentials: counts?.credentials, nodes: counts?.nodes })}; package.json: ${declared.credentials} credential(s), ${declared.nodes} node(s)${f.loadFailures.length ? `; ${f.loadFailures.join('; ')}` : ''}` : `no "Loaded all credentials and nodes from ${pkgName}" line`,
		);
	}
	const ids = lf.workers.map((w) => w.hostId);
	facts.hostIds = { main: lf.main.hostId, ...Object.fromEntries(lf.workers.map((w) => [w.label, w.hostId])) };
	const idsDetail = lf.workers.map((w) => `${w.label} ${w.hostId}`).join(', ') + `; main ${lf.main.hostId}`;
	if (ownHostnames || new Set(ids).size === ids.length) {
		check('each worker has a host id of its own', ids.every((id) => /^worker-/.test(id ?? '')) && new Set(ids).size === ids.length, `${idsDetail}${ownHostnames ? ' (each worker in a UTS namespace with a hostname of its own: unshare --uts)' : ''}`);
	} else {
		check('each worker has a host id', ids.every((id) => /^worker-/.test(id ?? '')), idsDetail);
		say('  note: n8n runs in a container here and names workers worker-<hostname>; `unshare --uts` is not allowed, so both workers share one host id: which worker ran an execution is read from each worker\'s own log only');
	}
	if (dbKind === 'sqlite') {
		facts.sqliteWarning = lf.main.sqliteWarning || lf.workers.some((w) => w.sqliteWarning);
		say(`  note: n8n warned "Scaling mode is not officially supported with sqlite": ${facts.sqliteWarning ? 'yes' : 'no'} (accepted for this test)`);
	}

	// Every socket our processes listen on: 127.0.0.1 only.
	const groups = { redis: redis.child.pid, emulator: emulator.child.pid, main: main.child.pid, ...Object.fromEntries(workers.map((w) => [w.label, w.worker.child.pid])) };
	if (postgres) groups.postgres = postgres.child.pid;
	const socks = await listeners(groups);
	if (socks) {
		facts.listeners = socks;
		const open = socks.filter((s) => !s.local.startsWith('127.0.0.1:'));
		const byGroup = Object.keys(groups).map((g) => `${g} ${[...new Set(socks.filter((s) => s.group === g).map((s) => s.local.replace('127.0.0.1:', ':')))].join(' ') || '-'}`);
		check('every port our processes listen on is on 127.0.0.1', open.length === 0 && socks.length > 0, `${byGroup.join('; ')}${open.length ? `; NOT loopback: ${open.map((s) => `${s.group} ${s.local}`).join(', ')}` : ''}`);
	} else {
		say('  note: `ss` not found: listening sockets not checked');
	}
}

async function stepExamples(examples) {
	say(`\n[5/7] The examples, started by their webhooks, run by the workers`);
	const reader = new ExecutionReader(main, loadFlatted(runtime.n8nRoot));
	for (const ex of examples) {
		for (const n of ex.notes) say(`        note: ${ex.file}: ${n}`);
		const a = await activateWorkflow(main, ex.id);
		ex.activationMs = a.ms;
		ex.active = check(`${ex.file}: activated (id ${ex.id})`, a.status === 'published', `${a.status}${a.error ? `: ${a.error}` : ''}${a.failures.length ? `; ${a.failures.join('; ')}` : ''} after ${seconds(a.ms)}`);
	}
	const active = examples.filter((e) => e.active);
	// As many at once as the clouds allow (more jobs than one worker picks up at a time, so both take some). UCloud
	// refuses a second backup of a group while one runs (CreateURedisBackup RetCode 20203; so does the emulator):
	// two examples that create UCloud backups go in different waves.
	const waves = [];
	for (const ex of active) {
		const serial = backupCloudsOf(ex.copy).filter((c) => ONE_BACKUP_AT_A_TIME.includes(c));
		const wave = waves.find((w) => !w.some((other) => backupCloudsOf(other.copy).some((c) => serial.includes(c))));
		if (wave) wave.push(ex);
		else waves.push([ex]);
	}
	facts.waves = waves.map((w) => w.map((ex) => ex.file));
	const firedAt = Date.now();
	let execs = new Map();
	for (const [i, wave] of waves.entries()) {
		say(`        wave ${i + 1}/${waves.length}: ${wave.map((ex) => ex.file).join(', ')}`);
		execs = new Map([...execs, ...(await fireWave(reader, wave))]);
	}
	facts.examplesMs = Date.now() - firedAt;
	const lf = logFacts();
	for (const ex of active) await checkExample(ex, execs.get(ex.id) ?? [], lf);

	// Both workers took a share.
	const ran = exampleReports.flatMap((r) => r.executions.filter((e) => e.worker).map((e) => e.worker));
	const share = workers.map((w) => `${w.label} ${ran.filter((x) => x === w.label).length}`);
	facts.exampleShare = share;
	check(`both workers ran examples`, workers.every((w) => ran.includes(w.label)), `${share.join(', ')} of ${active.length} execution(s)`);
}

/** UCloud refuses a second CreateURedisBackup of a group while one runs. */
const ONE_BACKUP_AT_A_TIME = ['ucloud'];
/** The clouds a workflow creates backups on (nodes of ours with operation "create"). */
function backupCloudsOf(copy) {
	return CLOUD_IDS.filter((id) => copy.nodes.some((n) => !n.disabled && n.type === `${pkgName}.${CLOUDS[id].nodeType}` && n.parameters?.operation === 'create'));
}

/** Fire the webhooks of `wave` at once; wait until each has a finished execution (or the deadline). */
async function fireWave(reader, wave) {
	const firedAt = Date.now();
	const answers = await Promise.all(
		wave.map(async (ex) => {
			try {
				const res = await fetch(`${main.baseUrl}/webhook/${ex.hookPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ queueTest: ex.file }), signal: AbortSignal.timeout(60000) });
				return { ex, status: res.status, text: (await res.text()).slice(0, 200), ms: Date.now() - firedAt };
			} catch (e) {
				return { ex, status: null, text: e.message, ms: Date.now() - firedAt };
			}
		}),
	);
	for (const a of answers) check(`${a.ex.file}: POST /webhook/${a.ex.hookPath}`, a.status === 200, `HTTP ${a.status} after ${seconds(a.ms)}: ${a.text}`);

	const deadline = firedAt + EXAMPLES_DEADLINE_MS;
	let execs = new Map();
	for (;;) {
		execs = new Map();
		for (const ex of wave) execs.set(ex.id, await reader.refresh(ex.id));
		const done = wave.every((ex) => execs.get(ex.id).length > 0 && execs.get(ex.id).every((e) => e.data));
		if (done || Date.now() > deadline) break;
		await new Promise((r) => setTimeout(r, 1000));
	}
	return execs;
}

async function checkExample(ex, execs, lf) {
	const before = checks.length;
	const expected = EXPECTED[ex.file] ?? { mustRun: [ex.startNode] };
	try {
		ex.executions = execs.map((e) => ({ id: e.id, status: e.status, mode: e.mode }));
		const e = execs[0];
		if (!check(`${ex.file}: one execution, mode "webhook", succeeded`, execs.length === 1 && e.data && e.status === 'success' && e.mode === 'webhook', execs.length ? execs.map((x) => `#${x.id} ${x.mode} ${x.status}`).join(', ') + (e?.data?.data?.resultData?.error ? `: ${e.data.data.resultData.error.message}` : '') : 'no execution')) {
			if (!e?.data) return;
		}
		ex.executionId = e.id;
		const where = whereRan(e.id, lf);
		ex.executions[0].worker = where.worker;
		ex.worker = where.worker;
		check(`${ex.file}: execution #${e.id} ran on a worker${where.worker ? ` (${where.worker})` : ''}`, where.ok, where.detail);

		const results = e.results;
		for (const name of ex.nodeNames) {
			const r = results[name];
			ex.nodes[name] = r ? `${r.status}, ${r.items.length} item(s)${r.error ? `: ${r.error}` : ''}` : 'did not run';
		}
		const mustRun = new Set(expected.mustRun);
		for (const name of new Set([...mustRun, ...ex.ours.filter((n) => results[n])])) {
			const r = results[name];
			const errorItems = r?.items.filter((i) => i.json && typeof i.json.error !== 'undefined') ?? [];
			check(
				`${ex.file}: node "${name}"`,
				!!r && r.status === 'success' && r.items.length >= (mustRun.has(name) ? 1 : 0) && errorItems.length === 0,
				r ? `${r.status}, ${r.items.length} item(s)${r.error ? `: ${r.error}` : ''}${errorItems.length ? `, ${errorItems.length} error item(s): ${String(errorItems[0].json.error).slice(0, 200)}` : ''}` : 'did not run',
			);
		}
		if (expected.taskSucceededIn) {
			const items = results[expected.taskSucceededIn]?.items ?? [];
			const bad = items.filter((i) => i.json?.status !== 'succeeded' || (i.json.backup && i.json.backup.status !== 'succeeded'));
			const first = items[0]?.json ?? {};
			check(`${ex.file}: "${expected.taskSucceededIn}" task succeeded`, items.length > 0 && bad.length === 0, items.length ? `task ${first.taskId ?? '-'} ${first.status}; backup ${first.backup?.backupId ?? first.backupId ?? '?'} ${first.backup?.status ?? ''}` : 'no items');
		}

		// Every binary (once per id): in n8n's database store, read back over REST (and from the row), the emulator's bytes.
		const seen = new Map();
		for (const [nodeName, r] of Object.entries(results)) {
			for (const item of r.items) {
				for (const [prop, bin] of Object.entries(item.binary ?? {})) {
					if (bin.id && seen.has(bin.id)) continue;
					seen.set(bin.id ?? `${nodeName}.${prop}.${seen.size}`, await checkBinary(ex, e.id, nodeName, prop, item, bin, ex.ours.includes(nodeName)));
				}
			}
		}
		if (expected.binaryFrom) {
			const produced = (results[expected.binaryFrom]?.items ?? []).filter((i) => Object.keys(i.binary ?? {}).length > 0).length;
			check(`${ex.file}: "${expected.binaryFrom}" produced binary data`, produced > 0, `${produced} item(s) with a binary`);
		}
		// Files the worker wrote (Read/Write Files from Disk): the binary's bytes.
		for (const node of ex.copy.nodes.filter((n) => n.type === 'n8n-nodes-base.readWriteFile' && n.parameters?.operation === 'write')) {
			for (const item of results[node.name]?.items ?? []) {
				const target = item.json?.fileName;
				const source = seen.get(item.binary?.[node.parameters.dataPropertyName ?? 'data']?.id);
				const entry = { node: node.name, path: target };
				ex.files.push(entry);
				if (typeof target !== 'string' || !fs.existsSync(target)) {
					check(`${ex.file}: "${node.name}" wrote ${target}`, false, 'no such file');
					continue;
				}
				Object.assign(entry, await sha256File(target));
				const want = source?.servedSha256 ?? source?.storedSha256;
				entry.match = !!want && entry.sha256 === want;
				check(`${ex.file}: "${node.name}" wrote ${path.relative(userFolder, target)}`, entry.match, `${entry.bytes} B sha256 ${entry.sha256.slice(0, 16)}…, binary ${want ? `${want.slice(0, 16)}…` : 'none to compare with'}`);
			}
		}
	} finally {
		ex.ok = checks.slice(before).every((c) => c.ok);
	}
}

async function checkBinary(ex, executionId, nodeName, prop, item, bin, ours) {
	const entry = { node: nodeName, property: prop, fileName: bin.fileName, id: bin.id, bytes: bin.bytes };
	ex.binaries.push(entry);
	const what = `${ex.file}: "${nodeName}" binary "${prop}" (${bin.fileName ?? '?'})`;
	const fileId = typeof bin.id === 'string' && bin.id.startsWith('database:') ? bin.id.slice('database:'.length) : null;
	if (!check(`${what} in the database store`, !!fileId, `id ${bin.id ?? `none (data "${String(bin.data).slice(0, 24)}…")`}`)) return entry;
	const stored = await sha256Rest(main, `/rest/binary-data?id=${encodeURIComponent(bin.id)}&action=download`);
	entry.storedBytes = stored.bytes;
	entry.storedSha256 = stored.sha256;
	if (!check(`${what} read back: GET /rest/binary-data`, stored.status === 200, `HTTP ${stored.status}, ${stored.bytes} B`)) return entry;
	if (postgres) {
		try {
			const row = await postgres.psql(`select "sourceType", "sourceId", "fileSize", encode(sha256(data), 'hex') from binary_data where "fileId" = '${fileId.replace(/'/g, "''")}'`);
			const [sourceType, sourceId, fileSize, sha] = row.split('|');
			entry.row = { sourceType, sourceId, fileSize: Number(fileSize), sha256: sha };
			check(
				`${what}: its binary_data row belongs to execution #${executionId}, same bytes`,
				sourceType === 'execution' && sourceId === String(executionId) && sha === stored.sha256 && Number(fileSize) === stored.bytes,
				row ? `sourceType ${sourceType}, sourceId ${sourceId}, fileSize ${fileSize}, sha256(data) ${sha?.slice(0, 16)}…` : `no row for fileId ${fileId}`,
			);
		} catch (e) {
			check(`${what}: its binary_data row`, false, e.message);
		}
	}
	const url = item.json?.downloadUrl;
	if (!cloudOfUrl(emulator, url)) {
		check(ours ? `${what} matches the emulator's bytes` : `${what} size`, !ours && bin.bytes === stored.bytes, ours ? `downloadUrl ${JSON.stringify(url)?.slice(0, 100)} is no URL of the emulator` : `stored ${stored.bytes} B, item says ${bin.bytes}`);
		return entry;
	}
	let served;
	try {
		served = await sha256Url(url);
	} catch (e) {
		check(`${what} matches the emulator's bytes`, false, `fetching ${url.split('?')[0]}: ${e.message}`);
		return entry;
	}
	entry.servedBytes = served.bytes;
	entry.servedSha256 = served.sha256;
	entry.match = served.status === 200 && served.sha256 === stored.sha256 && served.bytes === stored.bytes;
	const sizes = [served.bytes, bin.bytes, item.json.sizeBytes, item.json.downloadedBytes].filter((v) => v !== undefined && v !== null);
	check(
		`${what} matches the emulator's bytes`,
		entry.match && sizes.every((s) => s === stored.bytes) && stored.bytes <= DATABASE_MAX_BYTES,
		`stored ${stored.bytes} B sha256 ${stored.sha256.slice(0, 16)}…, served ${served.bytes} B sha256 ${served.sha256.slice(0, 16)}… (HTTP ${served.status}); item sizeBytes ${item.json.sizeBytes}, binary.bytes ${bin.bytes}`,
	);
	return entry;
}

async function stepTriggers(triggerExamples) {
	say(`\n[6/7] The backup triggers: polls on main, executions on the workers (N8N_QUEUE_TRIGGERS=${TRIGGERS})`);
	if (TRIGGERS === 'off') {
		check('trigger step skipped (N8N_QUEUE_TRIGGERS=off)', true, `${triggerExamples.length} trigger example(s) not run`);
		return;
	}
	const before = logFacts();
	triggerReport = await runTriggerCheck({
		runtime,
		n8nEnv: queueEnv,
		runCli: (label, args) => n8nCli(label, args),
		cwd: userFolder,
		inputsDir,
		controlUrl: emulator.controlUrl,
		logFile,
		say,
		check,
		examples: triggerExamples,
		ownCredentialTypes: CLOUD_IDS.map((id) => CLOUDS[id].credential.type),
		home: userFolder,
		packageDir: path.join(n8nFolder, 'nodes', 'node_modules', pkgName),
		waitForUnlistedFailures: TRIGGERS === 'full',
		packageName: pkgName,
		server: main,
	});
	const lf = logFacts();
	const wfs = (triggerReport.workflows ?? []).filter((w) => w.id);
	// Polls: on main, for every active trigger workflow; none on a worker, no cron on a worker.
	const pollsOnMain = wfs.map((w) => `${w.id} ${lf.main.polls.get(w.id) ?? 0}`);
	check('the polls ran on main: "Poll trigger initiated" for every trigger workflow in main\'s log', wfs.length > 0 && wfs.every((w) => (lf.main.polls.get(w.id) ?? 0) > 1), pollsOnMain.join(', '));
	const workerPolls = lf.workers.map((w) => `${w.label}: ${[...w.polls.values()].reduce((a, b) => a + b, 0)} poll(s), ${[...w.crons.values()].reduce((a, b) => a + b, 0)} cron(s)`);
	check('no poll and no cron on a worker', lf.workers.every((w) => w.polls.size === 0 && w.crons.size === 0), workerPolls.join('; '));
	// Executions: each enqueued by main, run by one worker.
	const share = new Map(workers.map((w) => [w.label, 0]));
	const bad = [];
	let count = 0;
	for (const w of wfs) {
		w.ranOn = {};
		for (const e of w.executions ?? []) {
			count++;
			const where = whereRan(e.id, lf);
			w.ranOn[e.id] = where.worker;
			if (where.worker) share.set(where.worker, share.get(where.worker) + 1);
			if (!where.ok) bad.push(`#${e.id} (${w.label}): ${where.detail}`);
		}
	}
	facts.triggerShare = [...share].map(([k, v]) => `${k} ${v}`);
	check('every trigger execution was enqueued by main and run by a worker', count > 0 && bad.length === 0, bad.length ? bad.slice(0, 4).join(' | ') : `${count} execution(s): ${facts.triggerShare.join(', ')}`);
	// Main ran none of them itself: every execution it enqueued in this step went to a worker.
	const newOnMain = [...lf.main.enqueued.keys()].filter((id) => !before.main.enqueued.has(id));
	check('main enqueued exactly the trigger executions', newOnMain.length === count, `${newOnMain.length} enqueued by main during the step, ${count} trigger execution(s) read back`);
}

// ---------------------------------------------------------------------------------------------------------------
// Main

let pgDirs = [];
function keepArtifacts(reason) {
	const dest = path.join(ARTIFACTS_DIR, new Date().toISOString().replace(/[:.]/g, '-'));
	fs.mkdirSync(dest, { recursive: true });
	fs.cpSync(logsDir, path.join(dest, 'logs'), { recursive: true });
	if (fs.existsSync(inputsDir)) fs.cpSync(inputsDir, path.join(dest, 'inputs'), { recursive: true });
	const strip = (r) => {
		const { copy, ...rest } = r;
		void copy;
		return rest;
	};
	fs.writeFileSync(path.join(dest, 'report.json'), JSON.stringify({ reason, facts, checks, examples: exampleReports.map(strip), triggers: triggerReport }, null, 2));
	return dest;
}

async function stopAll() {
	const t = Date.now();
	await Promise.all([...workers.filter((w) => w.worker).map((w) => w.worker.stop()), main ? main.stop() : null]);
	if (emulator) await stopChild(emulator.child);
	if (redis) await redis.stop();
	if (postgres) await postgres.stop();
	facts.stopMs = Date.now() - t;
}

function cleanup() {
	for (const d of pgDirs) fs.rmSync(d, { recursive: true, force: true });
	if (!KEEP) fs.rmSync(tmpRoot, { recursive: true, force: true });
}

async function mainFn() {
	installExitHandlers(() => {
		try {
			say('\nInterrupted.');
			keepArtifacts('interrupted');
			if (postgres) pgDirs.push(postgres.dir);
			cleanup();
		} catch {
			// best effort
		}
	});
	say(`n8n queue-mode check of ${path.basename(ROOT)} (temp folder ${tmpRoot})`);
	let aborted = null;
	try {
		await phase('install', stepInstall);
		await phase('package', stepPackage);
		const { examples, triggerExamples } = await phase('services', stepServices);
		await phase('start', stepStart);
		await phase('examples', () => stepExamples(examples));
		await phase('triggers', () => stepTriggers(triggerExamples));
	} catch (e) {
		aborted = e instanceof Abort ? `stopped after: ${e.message}` : `error: ${e.stack ?? e.message}`;
		if (!(e instanceof Abort)) check('the run itself', false, e.message);
	} finally {
		say('\n[7/7] Stopping everything');
		await phase('stop', stopAll);
		say(`  stopped: ${workers.length} worker(s), main, emulator, Redis${postgres ? ', PostgreSQL' : ''} in ${seconds(facts.phases.stop)}`);
	}

	const failed = checks.filter((c) => !c.ok);
	const ok = failed.length === 0 && !aborted;
	say('\nReport');
	say(`  n8n ${facts.n8nVersion ?? '?'} on Node ${facts.nodeVersion ?? '?'} (runner: Node ${process.version}); package ${facts.packageName ?? '?'}@${facts.packageVersion ?? '?'}`);
	say(`  database: ${dbKind ?? '?'}${postgres ? ` (PostgreSQL ${postgres.version})` : ''}; executions mode ${facts.executionMode ?? '?'}; binary data mode ${facts.binaryDataMode ?? '?'}`);
	if (facts.ports) {
		const p = facts.ports;
		say(`  processes (127.0.0.1): redis-server :${p.redis}${p.postgres ? `, postgres :${p.postgres}` : ''}, n8n main :${p.n8n} (task broker :${p.mainBroker}, host id ${facts.hostIds?.main ?? '?'}), ${p.workers.map((w) => `${w.label} health :${w.health} broker :${w.broker} (host id ${facts.hostIds?.[w.label] ?? '?'})`).join(', ')}; emulator ${emulator ? CLOUD_IDS.map((id) => emulator.clouds[id].endpoint.replace('http://127.0.0.1', '')).join(' ') : '?'}`);
	}
	for (const r of exampleReports) {
		say(`  example ${r.file} (id ${r.id ?? '?'}, webhook /webhook/${r.hookPath ?? '?'}): ${r.ok ? 'PASS' : 'FAIL'}, execution ${r.executionId ? `#${r.executionId}` : '?'} on ${r.worker ?? '?'}`);
		for (const [name, s] of Object.entries(r.nodes)) say(`    ${name}: ${s}`);
		for (const b of r.binaries) {
			say(`    binary ${b.node}.${b.property} ${b.fileName}: ${b.id}, stored ${b.storedBytes ?? '?'} B sha256 ${b.storedSha256 ?? '?'}${b.row ? ` (row of execution #${b.row.sourceId})` : ''}`);
			if (b.servedSha256) say(`      emulator served ${b.servedBytes} B sha256 ${b.servedSha256}: ${b.match ? 'MATCH' : 'MISMATCH'}`);
		}
		for (const f of r.files) say(`    file ${f.path}: ${f.bytes ?? '?'} B: ${f.match ? 'MATCH' : 'MISMATCH'}`);
	}
	if (facts.exampleShare) say(`  examples per worker: ${facts.exampleShare.join(', ')} (fired in ${facts.waves?.length ?? '?'} wave(s) of ${(facts.waves ?? []).map((w) => w.length).join(' + ')}, all done ${seconds(facts.examplesMs ?? 0)} after the first)`);
	if (triggerReport) {
		const r = triggerReport;
		say(`  triggers: ${r.ok ? 'PASS' : 'FAIL'} in ${seconds(r.ms ?? 0)} (polls every ${r.pollSeconds} s; events ${r.phases?.eventsCompleteAfterMs != null ? `complete ${seconds(r.phases.eventsCompleteAfterMs)} after firing` : 'incomplete'})`);
		for (const w of r.workflows ?? []) {
			say(`    workflow ${w.label} (id ${w.id}): ${w.ok ? 'PASS' : 'FAIL'}, ${w.executions?.length ?? 0} execution(s)${w.ranOn ? `: ${Object.entries(w.ranOn).map(([id, wk]) => `#${id} on ${wk ?? '?'}`).join(', ')}` : ''}`);
			for (const e of w.events ?? []) say(`      #${e.execution} ${e.event}: ${e.kind} ${e.instanceId} backupId ${e.backupId ?? '-'} taskId ${e.taskId ?? '-'} ${e.status}`);
		}
		for (const s of r.skipped ?? []) say(`    not awaited (quick): ${s}`);
		if (facts.triggerShare) say(`    trigger executions per worker: ${facts.triggerShare.join(', ')}`);
	}
	say(`  time: ${Object.entries(facts.phases).map(([k, v]) => `${k} ${seconds(v)}`).join(', ')}`);
	if (aborted) say(`  ${aborted}`);
	say(`  ${checks.length - failed.length}/${checks.length} checks passed in ${seconds(Date.now() - started)}`);
	if (ok) {
		if (KEEP) say(`  kept: ${tmpRoot}`);
		say('\nPASS');
	} else {
		for (const c of failed) say(`  FAILED: ${c.name}${c.detail ? ` — ${c.detail}` : ''}`);
		const dest = keepArtifacts(aborted ?? 'failed checks');
		say(`  logs: ${path.relative(process.cwd(), dest) || dest}`);
		say('\nFAIL');
	}
	cleanup();
	return ok ? 0 : 1;
}

mainFn().then(
	(code) => process.exit(code),
	(e) => {
		console.error(e);
		process.exit(2);
	},
);
