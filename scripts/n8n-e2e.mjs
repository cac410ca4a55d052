#!/usr/bin/env node
// What users install is what we test: the real n8n (2.41.1, on Node 24) loads the packed package and runs every
// example workflow against the local emulator, headless. Plain Node ESM (Node 20+); n8n runs on its own Node 24.
//
//   node scripts/n8n-e2e.mjs [--keep] [--verbose] [--only-triggers]
//
// 1. n8n and Node 24 from the npm registry into a cache outside the work tree (N8N_E2E_CACHE, default
//    ~/.cache/n8n-nodes-cloud-redis-backups/); installed once (a few minutes, ~3 GB), then reused (marker file).
// 2. `npm run build`, `npm pack`, and the tarball unpacked into <fresh user folder>/.n8n/nodes/node_modules/<name>,
//    the way n8n's own community-package installer does it.
// 3. `n8n export:nodes` with debug logs: the package must load with every node and credential of its package.json.
// 3b. Each per-cloud package (scripts/build-packages.mjs, packaging/clouds.json) alone in a fresh user folder.
// 4. The emulator (emulator/cli.ts, its demo seed, every cloud on a free port, tasks advancing every 300 ms); one
//    emulator credential per cloud imported (ids alibaba-emulator, tencent-emulator, ucloud-emulator, as in the
//    examples: the cloud table is scripts/n8n/clouds.mjs); every examples/*.json imported and run with
//    `n8n execute --id`; the items checked; every binary read back from n8n's filesystem store and compared (size,
//    SHA-256) with the bytes the emulator serves at the item's URL (and with its CRC-64 header where the object store
//    sends one: OSS, COS; UFile sends none, so UCloud's downloads are proven by SHA-256 alone, whatever the item calls
//    its checksum fields); files written by Read/Write Files nodes too.
//    What is changed to run an example headless is printed as a note (scripts/n8n/workflows.mjs, runnableCopy):
//    a Schedule Trigger runs as a Manual Trigger of the same name (`n8n execute` starts at nothing else), nodes with
//    a credential of another service (Slack) run as No Operation nodes, /home/node/ (the Docker image's home)
//    points at the HOME n8n gets here, a fresh folder whose .n8n-files (n8n's default allowed folder) exists, empty.
//    Examples that start with one of our polling triggers cannot run with `n8n execute`: step 4b activates them.
// 4b. The backup triggers in a running n8n (scripts/n8n/triggers.mjs): per cloud a check workflow (our trigger ->
//    No Operation; events backupStarted/Succeeded/Failed on the cloud's demo instance) and the trigger examples,
//    imported, ONE `n8n start`, each activated over REST (its first poll records state, runs nothing), polling every
//    5 s (12 once-a-minute Poll Times: n8n refuses a cron more frequent than a minute); then per cloud a backup that
//    fails and one that succeeds, started in the emulator through its control endpoint (emulator/control.ts); the
//    executions read back over REST: each expected event exactly once, with that backup's ids, and nothing else. A
//    failed Tencent backup stops being listed; the trigger reports it 5 min after it went (VANISHED_AFTER_MS), so
//    this step takes about 6 min in full; N8N_E2E_TRIGGERS=quick does not wait for that failure (about 1.5 min).
// 5. A PASS/FAIL report; exit code 0 only if everything passed. Logs stay in .artifacts/n8n-e2e/ on failure.
//
// Env: N8N_E2E_CACHE (cache folder), N8N_E2E_EXAMPLES (folder of workflows instead of examples/),
// N8N_E2E_KEEP=1 (same as --keep: keep the temp folder and logs even on success), N8N_E2E_TRIGGERS=full (default) |
// quick | off (step 4b). --only-triggers: skip step 3b and the `n8n execute` runs of step 4 (to work on 4b).

import { N8N_OFFLINE_ENV } from './n8n/env.mjs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CLOUD_IDS, CLOUDS, cloudOfUrl, emulatorCredentials, startEmulator } from './n8n/clouds.mjs';
import { diskUsage, ensureN8n, N8N_VERSION } from './n8n/install.mjs';
import { describeFailure, freePort, installExitHandlers, run, stopChild } from './n8n/proc.mjs';
import {
	findStoredBinary,
	nodeResults,
	findExecuteRun,
	runnableCopy,
	sha256File,
	sha256Url,
} from './n8n/workflows.mjs';
import { runTriggerCheck, startsWithOurTrigger } from './n8n/triggers.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE_DIR = path.resolve(process.env.N8N_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-cloud-redis-backups'));
const EXAMPLES_DIR = path.resolve(process.env.N8N_E2E_EXAMPLES || path.join(ROOT, 'examples'));
const ARTIFACTS_DIR = path.join(ROOT, '.artifacts', 'n8n-e2e');
const KEEP = process.argv.includes('--keep') || process.env.N8N_E2E_KEEP === '1';
const VERBOSE = process.argv.includes('--verbose');
const ONLY_TRIGGERS = process.argv.includes('--only-triggers');
const TRIGGERS = process.env.N8N_E2E_TRIGGERS || 'full';
if (!['full', 'quick', 'off'].includes(TRIGGERS)) throw new Error(`N8N_E2E_TRIGGERS must be full, quick or off, not ${TRIGGERS}`);

const ENCRYPTION_KEY = 'n8n-e2e-fixed-encryption-key-do-not-use-elsewhere';
const EMULATOR_STEP_MS = 300;

const MIN = 60 * 1000;
const TIMEOUTS = { build: 5 * MIN, pack: 2 * MIN, cli: 4 * MIN, execute: 8 * MIN, emulatorStart: 90 * 1000 };

/**
 * Per-example expectations, on top of the generic ones (every example: the execution succeeds, every node of ours
 * that runs succeeds without error items, every binary is intact in n8n's store, every file a Read/Write Files node
 * wrote has the binary's bytes). `mustRun`: nodes that must run and output at least one item; `taskSucceededIn`:
 * a Wait Until Finished node whose tasks must have succeeded; `binaryFrom`: a node that must output binary data;
 * `more(results)`: further [name, ok, detail] checks.
 */
const backupCycle = (more = {}) => ({
	mustRun: ['Start', 'Create Backup', 'Wait Until Finished', 'List Recent Backups', 'Get Download URL', 'Download Backup', ...(more.mustRun ?? [])],
	taskSucceededIn: 'Wait Until Finished',
	binaryFrom: 'Download Backup',
	more: more.more,
});
const nightlyToFolder = () => ({
	mustRun: ['Every Night at 03:00', 'Settings', 'Create Backup', 'Wait Until Finished', 'Download Backup', 'Write to Folder'],
	taskSucceededIn: 'Wait Until Finished',
	binaryFrom: 'Download Backup',
});
/**
 * Items of two List nodes (two APIs of one cloud) are the same normalized backups: the same fields, and for the
 * backups both list the same values, except `unshared` (fields one API does not carry: null there, and listed in
 * the detail) and the provider's own words (`providerStatus`, `providerMode`, `raw`).
 */
function sameNormalizedBackups(a, b, aName, bName, { unshared = [] } = {}) {
	const keys = (items) => [...new Set(items.flatMap((i) => Object.keys(i.json ?? {})))].sort().join(',');
	const byId = new Map(a.map((i) => [i.json?.backupId, i.json]));
	const common = b.filter((i) => byId.has(i.json?.backupId));
	const fields = ['kind', 'provider', 'region', 'instanceId', 'backupId', 'status', 'mode', 'startedAt', 'finishedAt', 'sizeBytes', 'locked', 'remark'].filter((f) => !unshared.includes(f));
	const show = (v) => JSON.stringify(v);
	const differ = common.flatMap((i) =>
		fields.filter((f) => show(i.json[f]) !== show(byId.get(i.json.backupId)[f])).map((f) => `${i.json.backupId}.${f}: ${show(byId.get(i.json.backupId)[f])} vs ${show(i.json[f])}`),
	);
	const notNull = common.flatMap((i) => unshared.filter((f) => i.json[f] !== null).map((f) => `${i.json.backupId}.${f} is ${show(i.json[f])}, not null`));
	return [
		[`"${bName}" items have the fields of "${aName}" items`, keys(a) === keys(b), keys(a) === keys(b) ? keys(b) : `${aName}: ${keys(a)}; ${bName}: ${keys(b)}`],
		[
			`backups both "${aName}" and "${bName}" list agree on ${fields.join(', ')}`,
			common.length > 0 && differ.length === 0 && notNull.length === 0,
			`${common.length} in common${unshared.length ? `; ${unshared.join(', ')} null in "${bName}" (not in that API's answer)` : ''}${[...differ, ...notNull].length ? `; ${[...differ, ...notNull].slice(0, 4).join('; ')}` : ''}`,
		],
	];
}
const EXPECTED = {
	'alibaba-backup-cycle.workflow.json': backupCycle(),
	'alibaba-failed-backups-to-slack.workflow.json': {
		// The emulator's demo seed has a backup that failed within the last day.
		mustRun: ['Every Hour', 'Failed Backups of the Last Day', 'Post to Slack'],
		more: (results) => {
			const listed = results['Failed Backups of the Last Day']?.items ?? [];
			const posted = results['Post to Slack']?.items ?? [];
			const notFailed = listed.filter((i) => i.json?.kind !== 'backup' || i.json?.status !== 'failed');
			return [
				['every listed backup failed', listed.length > 0 && notFailed.length === 0, `${listed.length} listed: ${listed.map((i) => `${i.json?.backupId} ${i.json?.status} ${i.json?.startedAt}`).join(', ')}`],
				['each failed backup reaches "Post to Slack"', posted.length === listed.length, `${posted.length} item(s) reached it`],
			];
		},
	},
	'alibaba-nightly-backup-to-folder.workflow.json': nightlyToFolder(),
	'tencent-backup-cycle.workflow.json': backupCycle({
		// The legacy CRS API (GetRedisBackupList) lists the same backups as API 3.0 (DescribeInstanceBackups).
		mustRun: ['List via Legacy CRS API'],
		more: (results) => {
			const api3 = results['List Recent Backups']?.items ?? [];
			const legacy = results['List via Legacy CRS API']?.items ?? [];
			const instance = results['Wait Until Finished']?.items?.[0]?.json?.instanceId;
			const foreign = legacy.filter((i) => i.json?.kind !== 'backup' || i.json?.instanceId !== instance);
			return [
				['every legacy-listed item is a backup of the instance', legacy.length > 0 && foreign.length === 0, `${legacy.length} item(s) of ${instance}: ${legacy.map((i) => `${i.json?.backupId} ${i.json?.status} ${i.json?.startedAt}`).join(', ')}`],
				// GetRedisBackupList documents no end time and no size (nodes/TencentCloudRedis/normalize.ts).
				...sameNormalizedBackups(api3, legacy, 'List Recent Backups', 'List via Legacy CRS API', { unshared: ['finishedAt', 'sizeBytes'] }),
			];
		},
	}),
	'tencent-nightly-backup-to-folder.workflow.json': nightlyToFolder(),
	'ucloud-backup-cycle.workflow.json': backupCycle({
		more: (results) => [
			...downloadedTheNewBackup(results, 'uredis-demo01'),
			...listsTheNewBackup(results, 'List Recent Backups'),
		],
	}),
	'ucloud-nightly-backup-to-folder.workflow.json': { ...nightlyToFolder(), more: (results) => downloadedTheNewBackup(results, 'uredis-demo01') },
};

/** The backup "Wait Until Finished" waited for (its `backup`, or the task item itself where the task is the backup). */
function waitedBackupId(results) {
	const waited = results['Wait Until Finished']?.items?.[0]?.json ?? {};
	return waited.backup?.backupId ?? waited.backupId ?? null;
}
/** "Download Backup" downloaded the backup just made, of the instance the example names. */
function downloadedTheNewBackup(results, instanceId) {
	const backupId = waitedBackupId(results);
	const items = results['Download Backup']?.items ?? [];
	const other = items.filter((i) => i.json?.backupId !== backupId || i.json?.instanceId !== instanceId);
	return [
		[
			`"Download Backup" downloaded the backup just made (${backupId ?? '?'} of ${instanceId})`,
			!!backupId && items.length > 0 && other.length === 0,
			`${items.length} item(s): ${items.map((i) => `${i.json?.instanceId}/${i.json?.backupId} ${i.json?.fileName ?? i.json?.name ?? ''}`).join(', ')}`,
		],
	];
}
/** A List node's items are backups of one instance, the one just made among them. */
function listsTheNewBackup(results, listNode) {
	const backupId = waitedBackupId(results);
	const items = results[listNode]?.items ?? [];
	const instance = results['Wait Until Finished']?.items?.[0]?.json?.instanceId;
	const foreign = items.filter((i) => i.json?.kind !== 'backup' || i.json?.instanceId !== instance);
	return [
		[
			`"${listNode}" lists backups of ${instance}, the one just made (${backupId ?? '?'}) among them`,
			items.length > 0 && foreign.length === 0 && items.some((i) => i.json?.backupId === backupId),
			`${items.length} item(s): ${items.map((i) => `${i.json?.backupId} ${i.json?.status} ${i.json?.startedAt}`).join(', ')}`,
		],
	];
}

// ---------------------------------------------------------------------------------------------------------------
// Report

const checks = [];
const facts = {};
const workflowReports = [];
/** Examples that start with our polling trigger: not run with `n8n execute`, activated in step 4b. */
const triggerExamples = [];
let triggerReport = null;

function say(line = '') {
	process.stdout.write(`${line}\n`);
}
function check(name, ok, detail = '') {
	checks.push({ name, ok, detail });
	say(`  ${ok ? 'ok  ' : 'FAIL'}  ${name}${detail ? ` — ${detail}` : ''}`);
	return ok;
}
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

class Abort extends Error {}
function must(name, ok, detail) {
	if (!check(name, ok, detail)) throw new Abort(name);
}

// ---------------------------------------------------------------------------------------------------------------
// Temp folders and n8n's environment

const started = Date.now();
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-'));
const logsDir = path.join(tmpRoot, 'logs');
const userFolder = path.join(tmpRoot, 'user');
const n8nFolder = path.join(userFolder, '.n8n');
const inputsDir = path.join(userFolder, 'inputs');
const filesFolder = path.join(userFolder, '.n8n-files');
for (const d of [logsDir, userFolder, n8nFolder, inputsDir, filesFolder, path.join(userFolder, 'tmp')]) fs.mkdirSync(d, { recursive: true });
let runtime;
let emulator;
let logCounter = 0;
const logFile = (label) => path.join(logsDir, `${String(++logCounter).padStart(2, '0')}-${label.replace(/[^A-Za-z0-9.-]+/g, '_')}.log`);

/** The environment of every n8n command: offline, a fresh user folder, debug logs, filesystem binary mode. */
function n8nEnv(extra = {}) {
	const env = {};
	// Only what a shell would have; nothing of ours (npm_*, N8N_* of the caller) leaks into n8n.
	for (const key of ['USER', 'LANG', 'LC_ALL', 'TZ', 'TERM']) if (process.env[key]) env[key] = process.env[key];
	Object.assign(env, N8N_OFFLINE_ENV, {
		// n8n's file nodes may only touch ~/.n8n-files (N8N_RESTRICT_FILE_ACCESS_TO's default): a HOME of our own.
		HOME: userFolder,
		PATH: `${path.dirname(runtime.nodeBin)}${path.delimiter}${process.env.PATH}`,
		NO_COLOR: '1',
		TMPDIR: path.join(userFolder, 'tmp'),
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_LOG_LEVEL: 'debug',
		N8N_LOG_OUTPUT: 'console',
		N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
		...extra,
	});
	return env;
}

const n8nLogs = [];
async function n8n(label, args, { timeoutMs = TIMEOUTS.cli, env = {} } = {}) {
	const file = logFile(`n8n-${label}`);
	const res = await run(runtime.nodeBin, [runtime.n8nBin, ...args], {
		cwd: userFolder,
		env: n8nEnv({ N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...env }),
		timeoutMs,
		logFile: file,
		label: `n8n ${label}`,
		echo: VERBOSE,
	});
	n8nLogs.push({ label, file, res });
	return res;
}

// ---------------------------------------------------------------------------------------------------------------
// Steps

async function stepInstall() {
	say(`\n[1/5] n8n ${N8N_VERSION} and Node 24 in ${CACHE_DIR}`);
	runtime = await ensureN8n(CACHE_DIR, { log: (l) => say(l), logFile: logFile('install') });
	facts.n8nVersion = runtime.n8nVersion;
	facts.nodeVersion = runtime.nodeVersion;
	facts.installMs = runtime.ms;
	facts.installCached = runtime.cached;
	check(
		runtime.cached ? 'n8n and Node 24 reused from the cache' : 'n8n and Node 24 installed into the cache',
		true,
		`n8n ${runtime.n8nVersion}, Node ${runtime.nodeVersion}, ${seconds(runtime.ms)}`,
	);
	const v = await run(runtime.nodeBin, [runtime.n8nBin, '--version'], {
		cwd: userFolder,
		env: n8nEnv(),
		timeoutMs: TIMEOUTS.cli,
		logFile: logFile('n8n-version'),
	});
	const printed = v.stdout.trim().split('\n').pop();
	must('n8n --version runs on Node 24', v.code === 0 && printed === N8N_VERSION, `printed "${printed ?? ''}" (${describeFailure(v)})`);
}

async function stepPackage() {
	say('\n[2/5] Build, pack and install our package as n8n does');
	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
	facts.packageName = pkg.name;
	facts.packageVersion = pkg.version;
	facts.declared = { credentials: pkg.n8n?.credentials?.length ?? 0, nodes: pkg.n8n?.nodes?.length ?? 0 };
	facts.credentialTypes = CLOUD_IDS.map((id) => CLOUDS[id].credential.type);
	const npmEnv = { ...process.env };
	const build = await run('npm', ['run', 'build'], { cwd: ROOT, env: npmEnv, timeoutMs: TIMEOUTS.build, logFile: logFile('build'), echo: VERBOSE });
	must('npm run build', build.code === 0, `${describeFailure(build)}, ${seconds(build.ms)}`);

	const packDir = path.join(tmpRoot, 'pack');
	fs.mkdirSync(packDir);
	const pack = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], {
		cwd: ROOT,
		env: npmEnv,
		timeoutMs: TIMEOUTS.pack,
		logFile: logFile('pack'),
	});
	let packed;
	try {
		packed = JSON.parse(pack.stdout)[0];
	} catch {
		packed = null;
	}
	must('npm pack', pack.code === 0 && packed?.filename, packed ? `${packed.filename}, ${packed.entryCount} files, ${packed.size} bytes` : describeFailure(pack));
	const tarball = path.join(packDir, path.basename(packed.filename));
	const shipped = new Set(packed.files.map((f) => f.path));
	const missing = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])].filter((f) => !shipped.has(f));
	must('the tarball holds every file named in package.json "n8n"', missing.length === 0, missing.length ? `missing ${missing.join(', ')}` : `${facts.declared.nodes} node(s), ${facts.declared.credentials} credential(s)`);

	// n8n's installer (CommunityPackagesService.downloadPackage): tar -xzf <tgz> --strip-components=1 into
	// nodes/node_modules/<name>, drop dev/peer/optional dependencies from its package.json, `npm install` the rest
	// with scripts off, and record the package in nodes/package.json.
	const nodesDir = path.join(n8nFolder, 'nodes');
	const packageDir = path.join(nodesDir, 'node_modules', pkg.name);
	fs.mkdirSync(packageDir, { recursive: true });
	execFileSync('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1']);
	const installedJsonPath = path.join(packageDir, 'package.json');
	const { devDependencies, peerDependencies, optionalDependencies, ...installedJson } = JSON.parse(fs.readFileSync(installedJsonPath, 'utf8'));
	void devDependencies;
	void peerDependencies;
	void optionalDependencies;
	fs.writeFileSync(installedJsonPath, JSON.stringify(installedJson, null, 2));
	const deps = Object.keys(installedJson.dependencies ?? {});
	if (deps.length > 0) {
		const install = await run('npm', ['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false'], {
			cwd: packageDir,
			env: { ...process.env, PATH: `${path.dirname(runtime.nodeBin)}${path.delimiter}${process.env.PATH}` },
			timeoutMs: TIMEOUTS.pack,
			logFile: logFile('package-deps'),
		});
		must(`npm install of the package's dependencies (${deps.join(', ')})`, install.code === 0, describeFailure(install));
	}
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [pkg.name]: pkg.version } }, null, 2),
	);
	check('unpacked into the user folder', true, `${path.relative(tmpRoot, packageDir)}${deps.length ? '' : ' (no runtime dependencies)'}`);
	return pkg;
}

async function stepLoad(pkg) {
	say('\n[3/5] n8n loads the package (n8n export:nodes, debug log)');
	const loadChecksFrom = checks.length;
	const out = path.join(tmpRoot, 'nodes.json');
	const res = await n8n('export-nodes', ['export:nodes', `--output=${out}`]);
	const log = `${res.stdout}\n${res.stderr}`;
	must('n8n export:nodes', res.code === 0, `${describeFailure(res)}, ${seconds(res.ms)}`);

	// n8n logs `Failed to load package "<name>" {error: {message, cause, stack}}` and carries on (exit code 0).
	const failed = log
		.split('\n')
		.filter((l) => /Failed to load package|Skipping package/.test(l))
		.map((l) => {
			const cause = l.match(/"cause":\s*"((?:[^"\\]|\\.)*)"/)?.[1];
			const message = l.match(/"message":\s*"((?:[^"\\]|\\.)*)"/)?.[1];
			const head = l.replace(/^.*?((?:Failed to load|Skipping) package)/, '$1').split(' {')[0];
			return `${head}${message ? `: ${message}` : ''}${cause ? `; cause: ${cause}` : ''}`;
		});
	facts.loadFailures = failed;
	check('no "Failed to load package" / "Skipping package" in the log', failed.length === 0, failed.join(' | ').slice(0, 800));
	const re = new RegExp(`^.*Loaded all credentials and nodes from ${pkg.name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\b.*$`, 'm');
	const line = log.match(re)?.[0]?.trim();
	facts.loadLine = line ?? null;
	const counts = line?.match(/"credentials":\s*(\d+),\s*"nodes":\s*(\d+)/);
	facts.loaded = counts ? { credentials: Number(counts[1]), nodes: Number(counts[2]) } : null;
	check(
		'the package loaded with every node and credential of package.json',
		!!counts && facts.loaded.credentials === facts.declared.credentials && facts.loaded.nodes === facts.declared.nodes,
		line ? `n8n: ${line.replace(/^.*?(Loaded all)/, '$1')}; package.json: ${facts.declared.credentials} credential(s), ${facts.declared.nodes} node(s)` : 'no "Loaded all credentials and nodes" line',
	);
	facts.packageLogLines = log.split('\n').filter((l) => l.includes(pkg.name) && !l.includes('Received CLI command')).map((l) => l.trim());

	let exported = [];
	try {
		exported = JSON.parse(fs.readFileSync(out, 'utf8'));
	} catch (e) {
		check('exported nodes JSON readable', false, e.message);
	}
	const nodeFiles = pkg.n8n?.nodes ?? [];
	const ours = exported.filter((n) => typeof n.name === 'string' && n.name.startsWith(`${pkg.name}.`));
	facts.exportedTypes = ours.map((n) => `${n.name} v${[].concat(n.version).join(',')}`);
	for (const id of CLOUD_IDS) {
		for (const type of [`${pkg.name}.${CLOUDS[id].nodeType}`, `${pkg.name}.${CLOUDS[id].trigger.nodeType}`]) {
			check(`the exported nodes JSON has ${type}`, ours.some((n) => n.name === type), `${exported.length} node types exported; ours: ${facts.exportedTypes.join(', ') || 'none'}`);
		}
	}
	// Credential types our nodes use: nodes naming any other type would reach some other service.
	const used = ours.flatMap((n) => (n.credentials ?? []).map((c) => c.name));
	if (used.length) facts.credentialTypes = [...new Set(used)];
	// n8n adds a "<name>Tool" variant of every node with usableAsTool, for AI agents.
	const plain = ours.filter((n) => !(n.name.endsWith('Tool') && ours.some((o) => `${o.name}Tool` === n.name)));
	check(`one exported node type per node file in package.json (${nodeFiles.length})`, plain.length === nodeFiles.length, `${plain.length} (+ ${ours.length - plain.length} AI-tool variant(s))`);
	if (checks.slice(loadChecksFrom).some((c) => !c.ok)) throw new Abort('n8n did not load the package; the workflows are not run');
}

/**
 * Each per-cloud package (scripts/build-packages.mjs, one per cloud of packaging/clouds.json) must load on its own
 * too: alone in a fresh user folder, with every node and credential its package.json names, exporting its cloud's
 * node type and no other cloud's.
 */
async function stepLoadPerCloud() {
	say('\n[3b/5] Each per-cloud package loads alone');
	const build = await run('node', [path.join(ROOT, 'scripts', 'build-packages.mjs')], {
		cwd: ROOT,
		env: { ...process.env },
		timeoutMs: TIMEOUTS.build,
		logFile: logFile('build-packages'),
	});
	must('node scripts/build-packages.mjs', build.code === 0, describeFailure(build));
	const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'packaging', 'clouds.json'), 'utf8')).clouds;
	const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
	check(
		'packaging/clouds.json has a package for every cloud of the pack',
		CLOUD_IDS.every((id) => manifest[id]),
		`clouds.json: ${Object.keys(manifest).join(', ')}; the pack: ${CLOUD_IDS.join(', ')}`,
	);
	const tarballs = path.join(ROOT, '.build', 'tarballs');
	for (const [id, entry] of Object.entries(manifest)) {
		const file = `${entry.packageName.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
		if (!check(`${entry.packageName}: built`, fs.existsSync(path.join(tarballs, file)), path.join('.build', 'tarballs', file))) continue;
		const folder = path.join(tmpRoot, `alone-${file.replace(/\.tgz$/, '')}`);
		const extract = path.join(folder, 'extract');
		fs.mkdirSync(extract, { recursive: true });
		execFileSync('tar', ['-xzf', path.join(tarballs, file), '-C', extract, '--strip-components=1']);
		const pkg = JSON.parse(fs.readFileSync(path.join(extract, 'package.json'), 'utf8'));
		const packageDir = path.join(folder, '.n8n', 'nodes', 'node_modules', pkg.name);
		fs.mkdirSync(path.dirname(packageDir), { recursive: true });
		fs.renameSync(extract, packageDir);
		fs.mkdirSync(path.join(folder, 'tmp'));
		const nodesJson = path.join(folder, 'nodes.json');
		const res = await n8n(`export-nodes-${pkg.name}`, ['export:nodes', `--output=${nodesJson}`], {
			env: { N8N_USER_FOLDER: folder, HOME: folder, TMPDIR: path.join(folder, 'tmp') },
		});
		const log = `${res.stdout}\n${res.stderr}`;
		const counts = log.match(new RegExp(`Loaded all credentials and nodes from ${pkg.name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\b.*?"credentials":\\s*(\\d+),\\s*"nodes":\\s*(\\d+)`));
		const declared = { credentials: pkg.n8n?.credentials?.length ?? 0, nodes: pkg.n8n?.nodes?.length ?? 0 };
		const loaded = counts ? { credentials: Number(counts[1]), nodes: Number(counts[2]) } : null;
		let types = [];
		try {
			types = JSON.parse(fs.readFileSync(nodesJson, 'utf8'))
				.map((n) => n.name)
				.filter((n) => typeof n === 'string' && n.startsWith(`${pkg.name}.`));
		} catch {
			// checked below
		}
		(facts.perCloud ??= []).push({ cloud: id, name: pkg.name, declared, loaded, types });
		check(
			`${pkg.name} loads alone with every node and credential`,
			res.code === 0 && !/Failed to load package|Skipping package/.test(log) && loaded?.credentials === declared.credentials && loaded?.nodes === declared.nodes,
			loaded ? `n8n: ${loaded.credentials} credential(s), ${loaded.nodes} node(s); package.json: ${declared.credentials}, ${declared.nodes}` : `no "Loaded all credentials and nodes from ${pkg.name}" line (${describeFailure(res)})`,
		);
		const own = CLOUDS[id] ? `${pkg.name}.${CLOUDS[id].nodeType}` : null;
		const others = CLOUD_IDS.filter((o) => o !== id).map((o) => CLOUDS[o].nodeType);
		const foreign = types.filter((t) => others.some((o) => t === `${pkg.name}.${o}` || t === `${pkg.name}.${o}Tool`));
		check(
			`${pkg.name} exports the ${CLOUDS[id]?.label ?? id} node type and no other cloud's`,
			!!own && types.includes(own) && foreign.length === 0,
			`exported: ${types.join(', ') || 'none'}`,
		);
	}
}

async function stepWorkflows() {
	say('\n[4/5] The examples, run by n8n against the emulator');
	try {
		emulator = await startEmulator({ repoRoot: ROOT, stepMs: EMULATOR_STEP_MS, logFile: (port) => logFile(`emulator-${port}`), timeoutMs: TIMEOUTS.emulatorStart, control: true, say });
	} catch (e) {
		must('emulator started', false, e.message);
	}
	check('emulator started', true, `${CLOUD_IDS.map((id) => `${CLOUDS[id].label} ${emulator.clouds[id].endpoint}`).join(', ')}, control ${emulator.controlUrl} (tasks advance every ${EMULATOR_STEP_MS} ms)`);

	const credFile = path.join(inputsDir, 'credentials.json');
	const credentials = emulatorCredentials(emulator);
	fs.writeFileSync(credFile, JSON.stringify(credentials, null, 2));
	const imp = await n8n('import-credentials', ['import:credentials', `--input=${credFile}`]);
	must(
		`n8n import:credentials (${credentials.map((c) => `${c.type} id ${c.id}`).join(', ')})`,
		imp.code === 0 && new RegExp(`Successfully imported ${credentials.length} credential`).test(imp.stdout + imp.stderr),
		describeFailure(imp),
	);

	const files = fs.existsSync(EXAMPLES_DIR) ? fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort() : [];
	must(`examples found in ${path.relative(ROOT, EXAMPLES_DIR) || EXAMPLES_DIR}`, files.length > 0, files.join(', '));
	for (const file of files) {
		let workflow = null;
		try {
			workflow = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
		} catch {
			// runExample reports it
		}
		if (workflow && startsWithOurTrigger(workflow, facts.packageName)) {
			triggerExamples.push({ file, workflow });
			continue;
		}
		if (!ONLY_TRIGGERS) await runExample(file);
	}
	if (triggerExamples.length) say(`\n  Starting with our trigger, activated in step 4b: ${triggerExamples.map((e) => e.file).join(', ')}`);
}

async function stepTriggers() {
	say(`\n[4b/5] The backup triggers, active in a running n8n (N8N_E2E_TRIGGERS=${TRIGGERS})`);
	if (TRIGGERS === 'off') {
		check('trigger step skipped (N8N_E2E_TRIGGERS=off)', triggerExamples.length === 0, triggerExamples.length ? `${triggerExamples.length} trigger example(s) left unchecked` : '');
		return;
	}
	triggerReport = await runTriggerCheck({
		runtime,
		n8nEnv,
		runCli: (label, args) => n8n(label, args),
		cwd: userFolder,
		inputsDir,
		controlUrl: emulator.controlUrl,
		logFile,
		say,
		check,
		examples: triggerExamples,
		ownCredentialTypes: facts.credentialTypes,
		home: userFolder,
		packageDir: path.join(n8nFolder, 'nodes', 'node_modules', facts.packageName),
		waitForUnlistedFailures: TRIGGERS === 'full',
		packageName: facts.packageName,
	});
}

async function runExample(file) {
	const report = { file, ok: false, notes: [], binaries: [], files: [], nodes: {} };
	workflowReports.push(report);
	const label = file.replace(/\.json$/, '');
	say(`\n  ── ${file}`);
	const before = checks.length;
	try {
		const workflow = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
		report.name = workflow.name;
		let prepared;
		try {
			prepared = runnableCopy(workflow, file, { ownCredentialTypes: facts.credentialTypes, home: userFolder });
		} catch (e) {
			check(`${file}: runnable headless`, false, e.message);
			return;
		}
		const { copy, startNode, notes } = prepared;
		report.id = copy.id;
		report.startNode = startNode;
		report.notes.push(...notes);
		for (const n of notes) say(`        note: ${n}`);
		const input = path.join(inputsDir, `${label}.json`);
		fs.writeFileSync(input, JSON.stringify(copy, null, 2));

		const imp = await n8n(`import-${label}`, ['import:workflow', `--input=${input}`]);
		if (!check(`${file}: n8n import:workflow (id ${copy.id})`, imp.code === 0 && /Successfully imported 1 workflow/.test(imp.stdout + imp.stderr), describeFailure(imp))) return;

		// n8n prints the run through its logger; a JSON log file keeps it apart from everything else, debug included.
		const execLog = logFile(`n8n-execute-${label}-debug`);
		const exec = await n8n(`execute-${label}`, ['execute', `--id=${copy.id}`, '--rawOutput'], {
			timeoutMs: TIMEOUTS.execute,
			env: { N8N_LOG_OUTPUT: 'file', N8N_LOG_FILE_LOCATION: execLog },
		});
		report.ms = exec.ms;
		const logText = fs.existsSync(execLog) ? fs.readFileSync(execLog, 'utf8') : '';
		const runResult = findExecuteRun({ stdout: exec.stdout, logText });
		const results = runResult ? nodeResults(runResult) : {};
		const runError = runResult?.data?.resultData?.error;
		const status = runResult ? (runResult.status ?? (runResult.finished ? 'success' : 'unknown')) : 'no run printed';
		report.status = status;
		check(
			`${file}: n8n execute --id=${copy.id} --rawOutput`,
			exec.code === 0 && status === 'success' && !runError,
			`${describeFailure(exec)}, ${seconds(exec.ms)}, status ${status}${runError ? `: ${runError.node?.name ? `"${runError.node.name}": ` : ''}${runError.message}${runError.messages?.length ? ` (${runError.messages[0]})` : ''}` : ''}${runResult ? '' : `; ${errorsIn(logText) || (exec.stderr || exec.stdout).trim().split('\n').slice(-3).join(' | ').slice(0, 400)}`}`,
		);
		if (!runResult) return;

		const expected = EXPECTED[file] ?? {};
		const ours = copy.nodes.filter((n) => typeof n.type === 'string' && n.type.startsWith(`${facts.packageName}.`) && !n.disabled);
		const mustRun = new Set(expected.mustRun ?? [startNode]);
		const toCheck = [...new Set([...mustRun, ...ours.map((n) => n.name).filter((n) => results[n])])];
		for (const name of copy.nodes.map((n) => n.name)) {
			const r = results[name];
			report.nodes[name] = r ? `${r.status}, ${r.items.length} item(s)${r.error ? `: ${r.error}` : ''}` : 'did not run';
		}
		for (const name of toCheck) {
			const r = results[name];
			const errorItems = r?.items.filter((i) => i.json && typeof i.json.error !== 'undefined') ?? [];
			const minItems = mustRun.has(name) ? 1 : 0;
			check(
				`${file}: node "${name}"`,
				!!r && r.status === 'success' && r.items.length >= minItems && errorItems.length === 0,
				r ? `${r.status}, ${r.items.length} item(s)${r.error ? `: ${r.error}` : ''}${errorItems.length ? `, ${errorItems.length} error item(s): ${String(errorItems[0].json.error).slice(0, 200)}` : ''}` : 'did not run',
			);
		}

		// Wait Until Finished: the task it waited for succeeded (and so did the backup it made).
		const waitNodes = expected.taskSucceededIn
			? [expected.taskSucceededIn]
			: ours.filter((n) => n.parameters?.operation === 'waitUntilFinished' && results[n.name]).map((n) => n.name);
		for (const name of waitNodes) {
			const items = results[name]?.items ?? [];
			const bad = items.filter((i) => i.json?.status !== 'succeeded' || (i.json.backup && i.json.backup.status !== 'succeeded'));
			const first = items[0]?.json ?? {};
			check(
				`${file}: "${name}" task succeeded`,
				items.length > 0 && bad.length === 0,
				items.length
					? `task ${first.taskId} ${first.status} after ${first.checks ?? '?'} check(s), ${first.waitedMs ?? '?'} ms; backup ${first.backup?.backupId ?? '?'} ${first.backup?.status ?? ''}`
					: 'no items',
			);
		}

		// Every binary any node produced (once per binary id): in n8n's filesystem store, with the emulator's bytes.
		const seen = new Map();
		for (const [nodeName, r] of Object.entries(results)) {
			for (const item of r.items) {
				for (const [prop, bin] of Object.entries(item.binary ?? {})) {
					if (bin.id && seen.has(bin.id)) continue;
					const fromOurs = ours.some((n) => n.name === nodeName);
					seen.set(bin.id ?? `${nodeName}.${prop}.${seen.size}`, await checkBinary(file, report, nodeName, prop, item, bin, fromOurs));
				}
			}
		}
		report.binaryCount = seen.size;
		if (expected.binaryFrom) {
			const produced = (results[expected.binaryFrom]?.items ?? []).filter((i) => Object.keys(i.binary ?? {}).length > 0).length;
			check(`${file}: "${expected.binaryFrom}" produced binary data`, produced > 0, `${produced} item(s) with a binary`);
		}

		// Files written by Read/Write Files from Disk: on disk, with the bytes of the binary they were written from.
		for (const node of copy.nodes.filter((n) => n.type === 'n8n-nodes-base.readWriteFile' && n.parameters?.operation === 'write')) {
			for (const item of results[node.name]?.items ?? []) {
				const target = item.json?.fileName;
				const prop = node.parameters.dataPropertyName ?? 'data';
				const source = seen.get(item.binary?.[prop]?.id);
				const entry = { node: node.name, path: target };
				report.files.push(entry);
				if (typeof target !== 'string' || !fs.existsSync(target)) {
					check(`${file}: "${node.name}" wrote ${target}`, false, 'no such file');
					continue;
				}
				Object.assign(entry, await sha256File(target));
				const want = source?.servedSha256 ?? source?.storedSha256;
				entry.match = !!want && entry.sha256 === want;
				check(
					`${file}: "${node.name}" wrote ${path.relative(userFolder, target)}`,
					entry.match,
					`${entry.bytes} B sha256 ${entry.sha256.slice(0, 16)}…, ${want ? `binary ${want.slice(0, 16)}…` : 'no binary to compare with'}`,
				);
			}
		}

		for (const [name, ok, detail] of expected.more?.(results) ?? []) check(`${file}: ${name}`, ok, detail);
	} finally {
		report.ok = checks.slice(before).every((c) => c.ok);
	}
}

/** The first specific error message of a JSON log file (n8n's generic "Error executing workflow" lines skipped). */
function errorsIn(logText) {
	for (const line of logText.split('\n')) {
		try {
			const e = JSON.parse(line);
			const msg = String(e.message ?? '').trim();
			if (e.level === 'error' && msg && !/^(Error executing workflow|Execution error:)/.test(msg)) return msg.split('\n')[0].slice(0, 400);
		} catch {
			// not JSON
		}
	}
	return '';
}

async function checkBinary(file, report, nodeName, prop, item, bin, ours = false) {
	const entry = { node: nodeName, property: prop, fileName: bin.fileName, id: bin.id, bytes: bin.bytes };
	report.binaries.push(entry);
	const what = `${file}: "${nodeName}" binary "${prop}" (${bin.fileName ?? '?'})`;
	if (!bin.id) {
		check(`${what} in the filesystem store`, false, `no id: stored as "${String(bin.data).slice(0, 40)}…", not in filesystem mode`);
		return entry;
	}
	const stored = findStoredBinary(bin.id, n8nFolder);
	entry.path = stored;
	if (!check(`${what} in the filesystem store`, !!stored, stored ? path.relative(userFolder, stored) : `${bin.id} not found under ${n8nFolder}`)) return entry;
	const got = await sha256File(stored);
	entry.storedBytes = got.bytes;
	entry.storedSha256 = got.sha256;
	const url = item.json?.downloadUrl;
	const cloud = cloudOfUrl(emulator, url);
	if (!cloud) {
		// A download of our node must be compared with the emulator's bytes; another node's binary (a file read back) by size.
		if (ours) {
			check(`${what} matches the emulator's bytes`, false, `the item's downloadUrl ${JSON.stringify(url)?.slice(0, 120)} is no URL of the emulator: nothing to compare the ${got.bytes} stored bytes with`);
			return entry;
		}
		check(`${what} size`, bin.bytes === got.bytes, `stored ${got.bytes} bytes, item says ${bin.bytes}; no emulator URL in the item to compare the content with`);
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
	entry.match = served.status === 200 && served.sha256 === got.sha256 && served.bytes === got.bytes;
	const sizes = [got.bytes, served.bytes, bin.bytes, item.json.sizeBytes, item.json.downloadedBytes].filter((v) => v !== undefined);
	// Shown, never checked by name: what the item says of its own verification (crc64/checksum, algorithm, verified).
	const said = Object.entries(item.json)
		.filter(([k, v]) => /checksum|crc/i.test(k) && (v === null || typeof v !== 'object'))
		.map(([k, v]) => `${k} ${JSON.stringify(v)}`)
		.join(', ');
	entry.itemChecksum = said;
	check(
		`${what} matches the emulator's bytes`,
		entry.match && sizes.every((s) => s === got.bytes),
		`stored ${got.bytes} B sha256 ${got.sha256.slice(0, 16)}…, served ${served.bytes} B sha256 ${served.sha256.slice(0, 16)}… (HTTP ${served.status}); item sizeBytes ${item.json.sizeBytes}, downloadedBytes ${item.json.downloadedBytes}, binary.bytes ${bin.bytes}${said ? `; item: ${said}` : ''}`,
	);
	// The CRC-64 the object store sent, where it sends one (OSS, COS; not UFile), against the item's: by value, under
	// whichever name the item gives it (crc64, or a checksum whose algorithm, if named, is a CRC). The SHA-256 above
	// is the proof; this is the node's word.
	const crcName = CLOUDS[cloud].crc64Header;
	const crcHeader = crcName ? served.headers[crcName] : undefined;
	const algorithm = item.json.checksumAlgorithm;
	const itemCrc = [item.json.crc64, algorithm === undefined || /crc/i.test(String(algorithm)) ? item.json.checksum : undefined].find(
		(v) => typeof v === 'string' || typeof v === 'number',
	);
	if (crcHeader && itemCrc !== undefined) {
		check(`${what} CRC-64 as served`, String(itemCrc) === String(crcHeader), `item ${itemCrc}, ${crcName} ${crcHeader}`);
	}
	return entry;
}

// ---------------------------------------------------------------------------------------------------------------
// Main

function keepArtifacts(reason) {
	const dest = path.join(ARTIFACTS_DIR, new Date().toISOString().replace(/[:.]/g, '-'));
	fs.mkdirSync(dest, { recursive: true });
	fs.cpSync(logsDir, path.join(dest, 'logs'), { recursive: true });
	if (fs.existsSync(inputsDir)) fs.cpSync(inputsDir, path.join(dest, 'inputs'), { recursive: true });
	const nodesJson = path.join(tmpRoot, 'nodes.json');
	if (fs.existsSync(nodesJson)) fs.copyFileSync(nodesJson, path.join(dest, 'nodes.json'));
	fs.writeFileSync(path.join(dest, 'report.json'), JSON.stringify({ reason, facts, checks, workflows: workflowReports, triggers: triggerReport }, null, 2));
	return dest;
}

function cleanup() {
	if (!KEEP) fs.rmSync(tmpRoot, { recursive: true, force: true });
}

async function main() {
	installExitHandlers(() => {
		try {
			say('\nInterrupted.');
			keepArtifacts('interrupted');
			cleanup();
		} catch {
			// best effort
		}
	});
	say(`n8n end-to-end check of ${path.basename(ROOT)} (temp folder ${tmpRoot})`);
	let aborted = null;
	try {
		await stepInstall();
		const pkg = await stepPackage();
		await stepLoad(pkg);
		if (!ONLY_TRIGGERS) await stepLoadPerCloud();
		await stepWorkflows();
		await stepTriggers();
	} catch (e) {
		aborted = e instanceof Abort ? `stopped after: ${e.message}` : `error: ${e.stack ?? e.message}`;
		if (!(e instanceof Abort)) check('the run itself', false, e.message);
	} finally {
		if (emulator) await stopChild(emulator.child);
	}

	// n8n must never have refused the package in any command.
	const refused = n8nLogs.filter(({ res }) => /Failed to load package/.test(res.stdout + res.stderr));
	if (refused.length) check('no n8n command failed to load the package', false, refused.map((r) => r.label).join(', '));

	const failed = checks.filter((c) => !c.ok);
	const ok = failed.length === 0 && !aborted;
	let usage = null;
	if (runtime) usage = await diskUsage(CACHE_DIR);

	say('\n[5/5] Report');
	say(`  n8n ${facts.n8nVersion ?? '?'} on Node ${facts.nodeVersion ?? '?'} (runner: Node ${process.version})`);
	say(`  cache ${CACHE_DIR}: ${facts.installCached ? 'reused' : 'installed'} in ${facts.installMs !== undefined ? seconds(facts.installMs) : '?'}${usage ? `, ${mib(usage)} on disk` : ''}`);
	if (facts.packageName) say(`  package ${facts.packageName}@${facts.packageVersion}: declares ${facts.declared.credentials} credential(s), ${facts.declared.nodes} node(s)`);
	say(`  n8n said: ${facts.loadLine ?? '(no "Loaded all credentials and nodes" line)'}`);
	for (const f of facts.loadFailures ?? []) say(`  n8n said: ${f}`);
	for (const p of facts.perCloud ?? []) say(`  per-cloud package ${p.name}: loaded alone with ${p.loaded ? `${p.loaded.credentials} credential(s), ${p.loaded.nodes} node(s)` : 'nothing'}; node types ${p.types.join(', ') || 'none'}`);
	if (facts.exportedTypes) say(`  node types: ${facts.exportedTypes.join(', ')}; credential types used: ${(facts.credentialTypes ?? []).join(', ')}`);
	for (const w of workflowReports) {
		say(`  workflow ${w.file} (id ${w.id ?? '?'}, start "${w.startNode ?? '?'}"): ${w.ok ? 'PASS' : 'FAIL'}${w.ms ? ` in ${seconds(w.ms)}` : ''}`);
		for (const n of w.notes) say(`    note: ${n}`);
		for (const [name, r] of Object.entries(w.nodes)) say(`    ${name}: ${r}`);
		for (const b of w.binaries) {
			say(`    binary ${b.node}.${b.property} ${b.fileName}: stored ${b.storedBytes ?? '?'} B sha256 ${b.storedSha256 ?? '?'}`);
			if (b.servedSha256) say(`      emulator served ${b.servedBytes} B sha256 ${b.servedSha256}: ${b.match ? 'MATCH' : 'MISMATCH'}`);
		}
		for (const f of w.files) say(`    file ${f.node} ${f.path}: ${f.bytes ?? '?'} B sha256 ${f.sha256 ?? '?'}: ${f.match ? 'MATCH' : 'MISMATCH'}`);
	}
	if (triggerReport) {
		const r = triggerReport;
		const ph = r.phases ?? {};
		say(`  triggers: ${r.ok ? 'PASS' : 'FAIL'} in ${seconds(r.ms ?? 0)} (polls every ${r.pollSeconds} s; import ${seconds(ph.importMs ?? 0)}, n8n start + login ${seconds(ph.startMs ?? 0)}, activation ${seconds(ph.activateMs ?? 0)}, events ${ph.eventsCompleteAfterMs != null ? `complete ${seconds(ph.eventsCompleteAfterMs)} after firing` : `incomplete after ${seconds(ph.eventsMs ?? 0)}`}, stop ${seconds(ph.stopMs ?? 0)})`);
		for (const f of r.fired ?? []) say(`    fired ${f.cloud} ${f.instanceId}: ${f.outcome === 'fail' ? 'fails' : 'succeeds'} after ${seconds(f.durationMs)} (backupId ${f.backupId ?? '(at the end)'}, taskId ${f.taskId ?? '-'})`);
		for (const w of r.workflows ?? []) {
			say(`    workflow ${w.label} (id ${w.id}): ${w.ok ? 'PASS' : 'FAIL'}, activated in ${seconds(w.activationMs ?? 0)}, ${w.executions?.length ?? 0} execution(s)`);
			for (const n of w.notes ?? []) say(`      note: ${n}`);
			for (const e of w.events ?? []) say(`      #${e.execution} ${e.event}: ${e.kind} ${e.instanceId} backupId ${e.backupId ?? '-'} taskId ${e.taskId ?? '-'} ${e.status} (detected ${e.detectedAt})`);
		}
		if (r.pollRequests) say(`    list requests the polls sent: ${Object.entries(r.pollRequests).map(([k, v]) => `${k} ${v}`).join(', ')}`);
		for (const sk of r.skipped ?? []) say(`    not awaited (quick): ${sk}`);
	}
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

main().then(
	(code) => process.exit(code),
	(e) => {
		console.error(e);
		process.exit(2);
	},
);
