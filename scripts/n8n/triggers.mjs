// The backup triggers in a real, running n8n: per cloud, a trigger workflow (our polling trigger -> No Operation)
// imported, `n8n start`, the workflow activated over REST, backups made to start, fail and succeed in the emulator
// through its control endpoint (emulator/control.ts), and the executions n8n ran read back over REST and checked:
// each expected event exactly once, nothing else. Example workflows that start with one of our triggers are
// activated alongside (their other services stubbed, as scripts/n8n/workflows.mjs runnableCopy does for `n8n
// execute`). Used by scripts/n8n-e2e.mjs (step 4b); everything runs in ONE `n8n start`.
//
// What n8n 2.41.1 does, read in its code (the cache's node_modules):
// - Activation: `POST /rest/workflows/:id/activate {versionId}` (n8n/dist/workflows/workflows.controller.js
//   `activate`; versionId is required, `@n8n/api-types` ActivateWorkflowDto; take it from GET /rest/workflows/:id).
//   With the default N8N_USE_WORKFLOW_PUBLICATION_SERVICE=true (@n8n/config workflows.config.js) the request only
//   records the publication in an outbox and wakes its consumer (workflow.service.js `_publishViaOutbox`): the
//   triggers are started asynchronously. `GET /rest/workflows/:id/publication-status` tells when it is done:
//   { status: in_progress | published | partial | failed | not_published, triggers: [{ nodeId, status, errorMessage }] }
//   (workflows/publication/workflow-publication-status.service.js).
//   Before `n8n start`, `n8n publish:workflow --id=<id>` (commands/publish/workflow.js; `update:workflow
//   --active=true` is deprecated and does the same) marks it published; `n8n start` then activates it at start.
// - The first poll is part of the activation: n8n-core ActiveWorkflowTriggers.activatePollTrigger awaits
//   `executePollTrigger(true)` before it registers the crons, and a poll that throws there fails the activation
//   (poll-trigger-executor.js rethrows in "testing" mode). "published" therefore means the activation poll ran.
//   A poll returning items runs the workflow (an execution, mode "trigger"); null runs nothing.
// - Poll Times: every item becomes a cron (n8n-workflow cron.js toCronExpression; "custom" is used verbatim) and
//   activation refuses any cron that fires more than once a minute: `isSubMinuteCron` (a 6-field cron whose seconds
//   field is not one fixed number) -> "The polling interval is too short. It has to be at least a minute."
//   (active-workflow-triggers.js). But every item is its own cron (ScheduledTaskManager keys them by expression), so
//   12 items `0 * * * * *`, `5 * * * * *`, ... poll every 5 s, each one passing the check. That is what this check
//   uses (fastPollTimes).
// - Executions: `GET /rest/executions?filter={"workflowId":"<id>"}&limit=100` -> { results: [{ id, status, mode,
//   startedAt, ... }], ... } (executions.controller.js, parse-range-query.middleware.js: limit 1..100);
//   `GET /rest/executions/:id` -> the execution with `data` as a flatted string (execution.service.js findOne).
//   Success and error executions are saved by default.

import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { CLOUD_IDS, CLOUDS, PACK_NAME } from './clouds.mjs';
import { freePorts } from './proc.mjs';
import { startN8nServer } from './server.mjs';
import { nodeResults, runnableCopy } from './workflows.mjs';

export const DEFAULT_POLL_SECONDS = 5;
/** The events the check workflows watch. */
export const CHECK_EVENTS = ['backupStarted', 'backupSucceeded', 'backupFailed'];
/**
 * The trigger reports a running backup that the cloud stops listing as failed only after it has been unlisted this
 * long (nodes/common/backupEvents.ts VANISHED_AFTER_MS; read from the built package when given).
 */
export const DEFAULT_VANISHED_AFTER_MS = 2 * 60_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Poll Times polling every `everySeconds` (a divisor of 60): one once-a-minute cron per offset. */
export function fastPollTimes(everySeconds = DEFAULT_POLL_SECONDS) {
	if (!Number.isInteger(everySeconds) || everySeconds < 1 || 60 % everySeconds !== 0) {
		throw new Error(`poll interval ${everySeconds} s: must be a whole divisor of 60`);
	}
	return {
		item: Array.from({ length: 60 / everySeconds }, (_, i) => ({ mode: 'custom', cronExpression: `${i * everySeconds} * * * * *` })),
	};
}

/** The node types of our triggers (package name + node name). */
export function triggerNodeTypes(packageName = PACK_NAME) {
	return CLOUD_IDS.map((id) => `${packageName}.${CLOUDS[id].trigger.nodeType}`);
}

/** Which cloud a trigger node type belongs to, or null. */
function cloudOfTriggerType(type, packageName = PACK_NAME) {
	return CLOUD_IDS.find((id) => type === `${packageName}.${CLOUDS[id].trigger.nodeType}`) ?? null;
}

/** A workflow that starts with one of our triggers (an enabled trigger node of ours). */
export function startsWithOurTrigger(workflow, packageName = PACK_NAME) {
	return (workflow.nodes ?? []).some((n) => !n.disabled && cloudOfTriggerType(n.type, packageName));
}

const TRIGGER_NODE = 'Backup Trigger';

/** The check workflow of a cloud: its trigger (CHECK_EVENTS, one instance, fast polls) -> No Operation. */
export function triggerCheckWorkflow(cloudId, { id, everySeconds = DEFAULT_POLL_SECONDS, packageName = PACK_NAME }) {
	const cloud = CLOUDS[cloudId];
	const nodeId = (n) => crypto.createHash('sha256').update(`${id}-${n}`).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5');
	return {
		id,
		name: `Trigger check: ${cloud.label} backups`,
		active: false,
		nodes: [
			{
				id: nodeId(1),
				name: TRIGGER_NODE,
				type: `${packageName}.${cloud.trigger.nodeType}`,
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					pollTimes: fastPollTimes(everySeconds),
					events: CHECK_EVENTS,
					watch: 'instance',
					instanceId: { __rl: true, mode: 'id', value: cloud.trigger.instanceId },
					region: '',
				},
				credentials: { [cloud.credential.type]: { id: cloud.credential.id, name: cloud.credential.name } },
			},
			{ id: nodeId(2), name: 'No Operation', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
		],
		connections: { [TRIGGER_NODE]: { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/**
 * An example workflow that starts with our trigger, made runnable here: runnableCopy's changes (id, other services
 * as No Operation nodes, /home/node/) and its Poll Times replaced by fastPollTimes. Returns { copy, notes, triggers:
 * [{ node, cloud, events, instanceIds }] }.
 */
export function triggerExampleCopy(workflow, file, { ownCredentialTypes, home, everySeconds = DEFAULT_POLL_SECONDS, packageName = PACK_NAME }) {
	const { copy, notes } = runnableCopy(workflow, file, { ownCredentialTypes, home, startTypes: triggerNodeTypes(packageName) });
	const triggers = [];
	for (const node of copy.nodes) {
		const cloud = !node.disabled && cloudOfTriggerType(node.type, packageName);
		if (!cloud) continue;
		node.parameters = { ...node.parameters, pollTimes: fastPollTimes(everySeconds) };
		notes.push(`"${node.name}" polls every ${everySeconds} s (Poll Times: ${60 / everySeconds} once-a-minute crons) instead of the example's Poll Times`);
		const p = node.parameters;
		const watch = p.watch ?? 'instance';
		const instanceIds =
			watch === 'instance'
				? [typeof p.instanceId === 'object' ? p.instanceId?.value : p.instanceId]
				: watch === 'list'
					? String(p.instanceIds ?? '').split(',').map((s) => s.trim()).filter(Boolean)
					: null; // a whole region
		triggers.push({ node: node.name, cloud, events: [].concat(p.events ?? ['backupFailed']), instanceIds });
	}
	return { copy, notes, triggers };
}

/** The emulator's control endpoint (emulator/control.ts). */
export class EmulatorControlClient {
	constructor(url) {
		this.url = url.replace(/\/+$/, '');
	}

	async #call(method, p, body) {
		const res = await fetch(`${this.url}${p}`, {
			method,
			headers: { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(10000),
		});
		const json = await res.json().catch(() => null);
		if (!res.ok) throw new Error(`emulator control ${method} ${p}: ${res.status} ${json?.error ?? ''}`);
		return json;
	}

	startBackup({ cloud, instanceId, outcome, durationMs }) {
		return this.#call('POST', '/backups', { cloud, instanceId, outcome, durationMs });
	}

	backups() {
		return this.#call('GET', '/backups');
	}

	requests() {
		return this.#call('GET', '/requests');
	}
}

function listRequests(counts, cloudId) {
	return CLOUDS[cloudId].trigger.listActions.reduce((sum, a) => sum + (counts?.[cloudId]?.[a] ?? 0), 0);
}

/** n8n's own `flatted` (execution data comes flatted-stringified). */
export function loadFlatted(n8nRoot) {
	const require = createRequire(path.join(n8nRoot, 'node_modules', 'n8n', 'package.json'));
	return require('flatted');
}

/**
 * Reads a workflow's executions over REST, each finished one once (its data parsed), and keeps their trigger items.
 */
export class ExecutionReader {
	constructor(server, flatted) {
		this.server = server;
		this.flatted = flatted;
		this.byWorkflow = new Map();
	}

	async refresh(workflowId) {
		const known = this.byWorkflow.get(workflowId) ?? new Map();
		this.byWorkflow.set(workflowId, known);
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const list = await this.server.api('GET', `/rest/executions?filter=${filter}&limit=100`);
		const results = list?.results ?? [];
		for (const summary of results) {
			if (known.get(summary.id)?.data) continue;
			const done = !['new', 'running', 'waiting'].includes(summary.status);
			const entry = { id: summary.id, status: summary.status, mode: summary.mode, startedAt: summary.startedAt, data: null };
			if (done) {
				const full = await this.server.api('GET', `/rest/executions/${summary.id}`);
				const run = { ...full, data: typeof full.data === 'string' ? this.flatted.parse(full.data) : full.data };
				entry.status = full.status ?? entry.status;
				entry.data = run;
				entry.results = nodeResults(run);
			}
			known.set(summary.id, entry);
		}
		return [...known.values()].sort((a, b) => Number(a.id) - Number(b.id));
	}

	/** Every item a node output in the workflow's finished executions: [{ executionId, json }]. */
	items(workflowId, nodeName) {
		const out = [];
		for (const e of this.byWorkflow.get(workflowId)?.values() ?? []) {
			for (const item of e.results?.[nodeName]?.items ?? []) out.push({ executionId: e.id, json: item.json ?? {} });
		}
		return out;
	}
}

/** The fired backup an item is about (same instance, and its backupId or taskId), or null. */
function firedBackupOf(json, fired) {
	return (
		fired.find(
			(f) =>
				json.instanceId === f.instanceId &&
				((json.backupId != null && f.backupId != null && String(json.backupId) === f.backupId) ||
					(json.taskId != null && f.taskId != null && String(json.taskId) === f.taskId)),
		) ?? null
	);
}

const endEvent = (outcome) => (outcome === 'fail' ? 'backupFailed' : 'backupSucceeded');

/**
 * The whole check, inside a user folder where our package is installed and the emulator credentials are imported.
 *
 * - runtime: { nodeBin, n8nBin, n8nRoot } (scripts/n8n/install.mjs ensureN8n);
 * - n8nEnv(extra): the environment of an n8n command; runCli(label, args): runs an n8n CLI command to completion
 *   ({ code, stdout, stderr }); cwd: where n8n runs (the user folder); inputsDir: where workflow files are written;
 * - controlUrl: the emulator's control endpoint; logFile(label): a log file path; say(line), check(name, ok, detail);
 * - examples: [{ file, workflow }] of examples that start with our trigger; ownCredentialTypes, home: as runnableCopy;
 * - pollSeconds; packageDir (the installed package, to read the trigger's VANISHED_AFTER_MS);
 *   waitForUnlistedFailures (default true): on a cloud that stops listing a failed backup (Tencent), wait the
 *   trigger's VANISHED_AFTER_MS for its backupFailed; false: that failure is neither awaited nor required.
 * - server (optional): an n8n already running and logged in (scripts/n8n/server.mjs startN8nServer's result, e.g. a
 *   queue-mode main, scripts/n8n-queue.mjs): used instead of starting one, and left running.
 * Returns a report { ms, phases, workflows: [...] }.
 */
export async function runTriggerCheck({
	runtime,
	n8nEnv,
	runCli,
	cwd,
	inputsDir,
	controlUrl,
	logFile,
	say = () => {},
	check,
	examples = [],
	ownCredentialTypes,
	home,
	pollSeconds = DEFAULT_POLL_SECONDS,
	packageDir,
	waitForUnlistedFailures = true,
	packageName = PACK_NAME,
	server: givenServer = null,
}) {
	const outcomes = [];
	const report0 = check;
	check = (name, ok, detail) => {
		outcomes.push({ name, ok: !!ok });
		return report0(name, ok, detail);
	};
	const passedFor = (label) => outcomes.filter((o) => o.name.startsWith(`${label}:`)).every((o) => o.ok);
	const started = Date.now();
	const phases = {};
	const report = { pollSeconds, phases, workflows: [] };
	const pollMs = pollSeconds * 1000;
	let vanishedAfterMs = DEFAULT_VANISHED_AFTER_MS;
	if (packageDir) {
		try {
			const mod = createRequire(path.join(packageDir, 'package.json'))(path.join(packageDir, 'dist', 'nodes', 'common', 'backupEvents.js'));
			if (Number.isFinite(mod.VANISHED_AFTER_MS)) vanishedAfterMs = mod.VANISHED_AFTER_MS;
		} catch {
			// the default
		}
	}
	report.vanishedAfterMs = vanishedAfterMs;
	const control = new EmulatorControlClient(controlUrl);

	// 1. The workflows: one check workflow per cloud, and the trigger examples; imported with the CLI before n8n starts.
	const workflows = [];
	for (const id of CLOUD_IDS) {
		const wf = triggerCheckWorkflow(id, { id: `trigchk${id}`.slice(0, 21), everySeconds: pollSeconds, packageName });
		workflows.push({
			label: `${CLOUDS[id].label} check`,
			file: null,
			workflow: wf,
			notes: [],
			triggers: [{ node: TRIGGER_NODE, cloud: id, events: CHECK_EVENTS, instanceIds: [CLOUDS[id].trigger.instanceId] }],
			check: true,
		});
	}
	for (const { file, workflow } of examples) {
		try {
			const { copy, notes, triggers } = triggerExampleCopy(workflow, file, { ownCredentialTypes, home, everySeconds: pollSeconds, packageName });
			workflows.push({ label: file, file, workflow: copy, notes, triggers, check: false });
			for (const n of notes) say(`        note: ${file}: ${n}`);
		} catch (e) {
			check(`${file}: runnable as an active workflow`, false, e.message);
		}
	}
	const dir = path.join(inputsDir, 'trigger-workflows');
	fs.mkdirSync(dir, { recursive: true });
	for (const w of workflows) fs.writeFileSync(path.join(dir, `${w.workflow.id}.json`), JSON.stringify(w.workflow, null, 2));
	let t = Date.now();
	const imp = await runCli('import-trigger-workflows', ['import:workflow', '--separate', `--input=${dir}`]);
	const imported = new RegExp(`Successfully imported ${workflows.length} workflow`).test(imp.stdout + imp.stderr);
	phases.importMs = Date.now() - t;
	if (!check(`n8n import:workflow of ${workflows.length} trigger workflow(s)`, imp.code === 0 && imported, `${workflows.map((w) => w.workflow.id).join(', ')}; exit ${imp.code}, ${seconds(phases.importMs)}`)) {
		return { ...report, ms: Date.now() - started };
	}

	// 2. n8n start, owner, login (unless an n8n already running was given).
	t = Date.now();
	let server = givenServer;
	if (!server) {
		const [port, brokerPort] = await freePorts(2);
		const startLog = logFile('n8n-start-triggers');
		try {
			server = await startN8nServer({
				nodeBin: runtime.nodeBin,
				n8nBin: runtime.n8nBin,
				cwd,
				env: n8nEnv({
					N8N_PORT: String(port),
					N8N_LISTEN_ADDRESS: '127.0.0.1',
					N8N_PROTOCOL: 'http',
					N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
					N8N_RUNNERS_BROKER_PORT: String(brokerPort),
				}),
				logFile: startLog,
			});
		} catch (e) {
			check('n8n start, owner set-up and login', false, e.message);
			return { ...report, ms: Date.now() - started };
		}
		phases.startMs = Date.now() - t;
		check('n8n start, owner set-up and login', true, `${server.baseUrl}, ready after ${seconds(server.readyMs)}, logged in after ${seconds(phases.startMs)}; log ${path.basename(startLog)}`);
	} else {
		phases.startMs = 0;
	}

	try {
		const reader = new ExecutionReader(server, loadFlatted(runtime.n8nRoot));

		// 3. Activate, one workflow after the other; "published" means the activation poll ran.
		t = Date.now();
		const firstOfCloud = new Set();
		for (const w of workflows) {
			const id = w.workflow.id;
			const entry = { id, label: w.label, file: w.file, notes: w.notes, ok: false };
			report.workflows.push(entry);
			w.report = entry;
			const cloud = w.triggers[0]?.cloud;
			const before = await control.requests();
			const t0 = Date.now();
			let status;
			try {
				const stored = await server.api('GET', `/rest/workflows/${id}`);
				await server.api('POST', `/rest/workflows/${id}/activate`, { versionId: stored.versionId });
				for (;;) {
					status = await server.api('GET', `/rest/workflows/${id}/publication-status`);
					if (!['in_progress', 'not_published'].includes(status?.status)) break;
					if (Date.now() - t0 > 90000) break;
					await sleep(250);
				}
			} catch (e) {
				status = { status: 'error', error: e.message };
			}
			entry.activationMs = Date.now() - t0;
			const after = await control.requests();
			const listed = listRequests(after, cloud) - listRequests(before, cloud);
			const failures = (status?.triggers ?? []).filter((tr) => tr.status !== 'activated').map((tr) => `${tr.nodeId}: ${tr.status} ${tr.errorMessage ?? ''}`);
			w.active = check(
				`${w.label}: activated (POST /rest/workflows/${id}/activate, publication-status)`,
				status?.status === 'published',
				`${status?.status ?? '?'}${status?.error ? `: ${status.error}` : ''}${failures.length ? `; ${failures.join('; ')}` : ''} after ${seconds(entry.activationMs)}`,
			);
			// The first workflow of a cloud: nothing else of that cloud polls yet, so these requests are its activation poll.
			if (w.active && cloud && !firstOfCloud.has(cloud)) {
				firstOfCloud.add(cloud);
				check(`${w.label}: the activation poll listed the instance's backups`, listed > 0, `${listed} ${CLOUDS[cloud].trigger.listActions.join('/')} request(s) during the activation`);
			}
		}
		phases.activateMs = Date.now() - t;

		// The activation poll records where things stand and emits nothing.
		for (const w of workflows.filter((x) => x.active)) {
			const execs = await reader.refresh(w.workflow.id);
			check(`${w.label}: no execution from the activation poll`, execs.length === 0, `${execs.length} execution(s)`);
		}

		// 4. Fire: per cloud, a backup that fails and one that succeeds, each running long enough for polls to see it
		// running (a cloud that stops listing a failed backup reports it only if a poll saw it running).
		const durationMs = Math.round(2.5 * pollMs);
		const firedAt = Date.now();
		const fired = [];
		// The clouds whose failed backups go unlisted first: their failure takes longest to come.
		const order = [...CLOUD_IDS].sort((a, b) => Number(!!CLOUDS[b].trigger.failedBackupUnlisted) - Number(!!CLOUDS[a].trigger.failedBackupUnlisted));
		for (const id of order) {
			for (const outcome of ['fail', 'success']) {
				const b = await control.startBackup({ cloud: id, instanceId: CLOUDS[id].trigger.instanceId, outcome, durationMs });
				fired.push(b);
			}
		}
		report.fired = fired;
		say(`        fired: ${fired.map((f) => `${f.cloud} ${f.outcome} ${f.backupId ?? `task ${f.taskId}`}`).join(', ')} (each runs ${seconds(durationMs)})`);

		// What each workflow must see: per trigger node, per fired backup of a watched instance, the watched events.
		const skipped = [];
		const expectations = (w) => {
			const out = [];
			for (const tr of w.triggers) {
				for (const f of fired) {
					if (f.cloud !== tr.cloud || (tr.instanceIds && !tr.instanceIds.includes(f.instanceId))) continue;
					for (const event of ['backupStarted', endEvent(f.outcome)]) {
						if (!tr.events.includes(event)) continue;
						if (event === 'backupFailed' && CLOUDS[f.cloud].trigger.failedBackupUnlisted && !waitForUnlistedFailures) {
							skipped.push(`${w.label}: ${f.cloud} backupFailed of ${f.backupId}`);
							continue;
						}
						out.push({ node: tr.node, ref: f.ref, event });
					}
				}
			}
			return out;
		};
		for (const w of workflows) w.expected = expectations(w);
		const unlisted = waitForUnlistedFailures && fired.some((f) => f.outcome === 'fail' && CLOUDS[f.cloud].trigger.failedBackupUnlisted);
		// The latest an expected event may come: the backup's end, the next poll, and (unlisted failures) the trigger's
		// wait before it calls an unlisted backup failed plus the poll after that.
		const deadline = firedAt + durationMs + 3 * pollMs + (unlisted ? vanishedAfterMs + pollMs : 0) + 60000;
		if (unlisted) say(`        waiting up to ${seconds(deadline - Date.now())}: a failed ${order.filter((id) => CLOUDS[id].trigger.failedBackupUnlisted).map((id) => CLOUDS[id].label).join('/')} backup is no longer listed, and the trigger reports it ${seconds(vanishedAfterMs)} after it went`);

		// 5. Wait until every workflow has its expected events (or the deadline), then one more poll or two for
		// duplicates.
		const seenAll = () =>
			workflows
				.filter((w) => w.active)
				.every((w) => w.expected.every((x) => reader.items(w.workflow.id, x.node).some((i) => firedBackupOf(i.json, fired)?.ref === x.ref && i.json.event === x.event)));
		t = Date.now();
		let complete = false;
		while (Date.now() < deadline) {
			for (const w of workflows.filter((x) => x.active)) await reader.refresh(w.workflow.id);
			if (seenAll()) {
				complete = true;
				break;
			}
			await sleep(2000);
		}
		phases.eventsMs = Date.now() - firedAt;
		phases.eventsCompleteAfterMs = complete ? phases.eventsMs : null;
		await sleep(2 * pollMs + 1000);
		const finalFired = await control.backups();
		const byRef = new Map(finalFired.map((f) => [f.ref, f]));
		for (const w of workflows.filter((x) => x.active)) await reader.refresh(w.workflow.id);
		const requestsAtEnd = await control.requests();
		report.requests = requestsAtEnd;
		phases.settleMs = Date.now() - t;

		// 6. Checks.
		for (const f of finalFired) {
			const want = f.outcome === 'fail' ? 'failed' : 'succeeded';
			check(`emulator: ${f.cloud} backup ${f.backupId ?? `(task ${f.taskId})`} ${want}`, f.status === want, `status ${f.status}, taskId ${f.taskId}, backupId ${f.backupId}`);
		}
		for (const w of workflows.filter((x) => x.active)) {
			const id = w.workflow.id;
			const execs = await reader.refresh(id);
			const entry = w.report;
			entry.executions = execs.map((e) => ({ id: e.id, status: e.status, mode: e.mode, startedAt: e.startedAt }));
			const bad = execs.filter((e) => e.status !== 'success' || e.mode !== 'trigger');
			check(`${w.label}: every execution succeeded, started by the trigger`, (execs.length > 0 || w.expected.length === 0) && bad.length === 0, `${execs.length} execution(s)${bad.length ? `; ${bad.map((e) => `#${e.id} ${e.status} ${e.mode}`).join(', ')}` : ''}`);
			const events = [];
			for (const node of new Set(w.triggers.map((tr) => tr.node))) {
				for (const item of reader.items(id, node)) {
					const f = firedBackupOf(item.json, finalFired);
					events.push({ node, executionId: item.executionId, event: item.json.event, ref: f?.ref ?? null, json: item.json });
				}
			}
			entry.events = events.map((e) => ({ execution: e.executionId, event: e.event, kind: e.json.kind, instanceId: e.json.instanceId, backupId: e.json.backupId ?? null, taskId: e.json.taskId ?? null, status: e.json.status, detectedAt: e.json.detectedAt }));
			for (const x of w.expected) {
				const f = byRef.get(x.ref);
				const hits = events.filter((e) => e.node === x.node && e.ref === x.ref && e.event === x.event);
				const ids = hits.map((h) => `#${h.executionId} ${h.json.kind} ${h.json.backupId ?? '-'}/${h.json.taskId ?? '-'} ${h.json.status}`);
				check(`${w.label}: ${x.event} of the ${f.cloud} backup that ${f.outcome === 'fail' ? 'fails' : 'succeeds'} (${f.backupId ?? `task ${f.taskId}`}) exactly once`, hits.length === 1, `${hits.length}× ${ids.join('; ')}`);
				// The item is the backup (or its running task): this instance, the cloud, the fired backup's ids.
				for (const h of hits) {
					const problems = [];
					if (h.json.provider !== f.cloud) problems.push(`provider ${h.json.provider}`);
					if (h.json.instanceId !== f.instanceId) problems.push(`instanceId ${h.json.instanceId}`);
					if (!['backup', 'backupTask'].includes(h.json.kind)) problems.push(`kind ${h.json.kind}`);
					if (h.json.kind === 'backup' && String(h.json.backupId) !== f.backupId) problems.push(`backupId ${h.json.backupId}, the emulator's ${f.backupId}`);
					if (h.json.kind === 'backupTask' && f.taskId && String(h.json.taskId) !== f.taskId) problems.push(`taskId ${h.json.taskId}, the emulator's ${f.taskId}`);
					if (x.event !== 'backupStarted') {
						const want = x.event === 'backupFailed' ? 'failed' : 'succeeded';
						if (h.json.status !== want) problems.push(`status ${h.json.status}`);
					}
					if (typeof h.json.detectedAt !== 'string' || Number.isNaN(Date.parse(h.json.detectedAt))) problems.push(`detectedAt ${h.json.detectedAt}`);
					check(
						`${w.label}: the ${x.event} item describes that backup`,
						problems.length === 0,
						problems.length ? problems.join(', ') : `${h.json.kind} ${h.json.provider} ${h.json.instanceId} backupId ${h.json.backupId ?? 'null'} taskId ${h.json.taskId ?? 'null'} status ${h.json.status}, detectedAt ${h.json.detectedAt}`,
					);
				}
			}
			const expectedKeys = new Set(w.expected.map((x) => `${x.node}|${x.ref}|${x.event}`));
			const tolerated = (e) => skipped.length > 0 && e.event === 'backupFailed' && e.ref && CLOUDS[byRef.get(e.ref).cloud].trigger.failedBackupUnlisted;
			const other = events.filter((e) => !expectedKeys.has(`${e.node}|${e.ref}|${e.event}`) && !tolerated(e));
			check(
				`${w.label}: no other events`,
				other.length === 0,
				other.length ? other.map((e) => `#${e.executionId} ${e.event} ${e.json.instanceId} ${e.json.backupId ?? e.json.taskId ?? ''}`).join('; ').slice(0, 600) : `${events.length} event(s), ${w.expected.length} expected`,
			);
		}
		for (const w of workflows) if (w.report) w.report.ok = !!w.active && passedFor(w.label);
		for (const s of skipped) say(`        not awaited: ${s}`);
		report.skipped = skipped;
		// The polls ran all along: requests per cloud while the workflows were active.
		report.pollRequests = Object.fromEntries(CLOUD_IDS.map((id) => [id, listRequests(requestsAtEnd, id)]));
	} catch (e) {
		check('the trigger check itself', false, e.stack ?? e.message);
	} finally {
		t = Date.now();
		if (!givenServer) await server.stop();
		phases.stopMs = Date.now() - t;
	}
	report.ms = Date.now() - started;
	report.ok = outcomes.every((o) => o.ok);
	return report;
}
