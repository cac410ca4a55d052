// What the end-to-end check does with the example workflows: make a runnable copy for `n8n execute`, and read
// the run `n8n execute --rawOutput` prints.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/** Nodes `n8n execute` (2.41, `findCliWorkflowStart`) can start from: it looks for these and nothing else. */
export const CLI_START_TYPES = [
	'n8n-nodes-base.executeWorkflowTrigger',
	'n8n-nodes-base.manualTrigger',
	'@n8n/n8n-nodes-langchain.manualChatTrigger',
];
/** Triggers a person runs by hand in the editor but `n8n execute` cannot start from. */
const TIMED_TRIGGER_TYPES = ['n8n-nodes-base.scheduleTrigger', 'n8n-nodes-base.cron', 'n8n-nodes-base.interval'];

/** A workflow id n8n accepts (`isWorkflowIdValid`: 1 to 21 characters), stable for a given example file. */
export function workflowIdFor(file) {
	const base = path.basename(file).replace(/\.workflow\.json$|\.json$/, '').replace(/[^A-Za-z0-9]/g, '');
	const hash = crypto.createHash('sha256').update(path.basename(file)).digest('hex').slice(0, 6);
	return `e2e${base.slice(0, 12)}${hash}`;
}

/**
 * The copy of an example that gets imported, and what was changed to run it headless (`notes`):
 * - an id (n8n's `execute --id` wants 1 to 21 characters) and `active: false`;
 * - a start node `n8n execute` accepts: n8n 2.41's `execute` starts at an Execute Workflow Trigger or a Manual
 *   Trigger only ("Missing node to start execution" otherwise), so a Schedule Trigger (or Cron / Interval) is swapped
 *   for a Manual Trigger of the same name; connections and `$('<name>')` references still hold. (Outside manual
 *   mode n8n's engine runs any trigger node as a pass-through of the one empty item it starts with, so the timed
 *   trigger would have given the same item.)
 * - nodes that would reach a service other than ours (they name a credential type our package does not define,
 *   e.g. Slack) become No Operation nodes of the same name: the items still reach them and are checked, nothing
 *   leaves the machine;
 * - paths under the n8n Docker image's home, `/home/node/`, point into `home` (the HOME n8n runs with here, whose
 *   `.n8n-files` is n8n's default allowed folder for file nodes).
 * `startTypes`: for a workflow that is activated rather than run with `n8n execute` (scripts/n8n/triggers.mjs), the
 * trigger types it may start from: a node of one of them is the start, and no trigger is swapped.
 */
export function runnableCopy(workflow, file, { ownCredentialTypes = [], home, startTypes } = {}) {
	const copy = structuredClone(workflow);
	const notes = [];
	if (typeof copy.id !== 'string' || copy.id.length === 0 || copy.id.length > 21) copy.id = workflowIdFor(file);
	copy.active = false;
	if (!Array.isArray(copy.nodes)) throw new Error('no "nodes" array');
	const enabled = copy.nodes.filter((n) => !n.disabled);
	let start = startTypes
		? enabled.find((n) => startTypes.includes(n.type))
		: (enabled.find((n) => n.type === CLI_START_TYPES[0]) ?? enabled.find((n) => CLI_START_TYPES.includes(n.type)));
	if (!start && startTypes) throw new Error(`no trigger of ${startTypes.join(', ')} to start from`);
	if (!start) {
		const timed = enabled.filter((n) => TIMED_TRIGGER_TYPES.includes(n.type));
		if (timed.length === 0) {
			throw new Error(
				`no node n8n execute can start from (${CLI_START_TYPES.join(', ')}) and no Schedule Trigger to stand in for`,
			);
		}
		for (const node of timed) {
			notes.push(`"${node.name}" (${node.type}) runs as a Manual Trigger of the same name: n8n execute cannot start from a timed trigger`);
			node.type = 'n8n-nodes-base.manualTrigger';
			node.typeVersion = 1;
			node.parameters = {};
		}
		start = timed[0];
	}
	const stubbed = [];
	for (const node of enabled) {
		const foreign = Object.keys(node.credentials ?? {}).filter((t) => !ownCredentialTypes.includes(t));
		if (foreign.length === 0) continue;
		notes.push(`"${node.name}" (${node.type}, credential ${foreign.join(', ')}) runs as a No Operation node: it would call a service outside this machine`);
		stubbed.push(node.name);
		node.type = 'n8n-nodes-base.noOp';
		node.typeVersion = 1;
		node.parameters = {};
		delete node.credentials;
	}
	if (home) {
		const mapped = new Set();
		const visit = (value, node) => {
			if (typeof value === 'string') {
				if (!value.includes('/home/node/')) return value;
				mapped.add(node.name);
				return value.split('/home/node/').join(`${home}/`);
			}
			if (Array.isArray(value)) return value.map((v) => visit(v, node));
			if (value && typeof value === 'object') {
				return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v, node)]));
			}
			return value;
		};
		for (const node of copy.nodes) node.parameters = visit(node.parameters ?? {}, node);
		for (const name of mapped) notes.push(`"${name}": /home/node/ (the n8n Docker image's home) mapped to the test's HOME`);
	}
	return { copy, startNode: start.name, notes, stubbed };
}

/**
 * The run `n8n execute --rawOutput` prints. n8n 2.41 prints it through its logger (`BaseCommand.log` is
 * `logger.info`), so it is on stdout with console logging, or a line of the JSON log file with file logging. On a
 * failed execution, `execute` logs the same document before its error. Returns the last run found, or null.
 */
export function findExecuteRun({ stdout = '', logText = '' }) {
	const isRun = (v) => v && typeof v === 'object' && v.data && typeof v.data === 'object' && 'resultData' in v.data;
	let found = null;
	for (const line of logText.split('\n')) {
		if (!line.startsWith('{')) continue;
		try {
			const entry = JSON.parse(line);
			if (typeof entry.message !== 'string' || !entry.message.startsWith('{')) continue;
			const run = JSON.parse(entry.message);
			if (isRun(run)) found = run;
		} catch {
			// not one of n8n's JSON log lines
		}
	}
	if (found) return found;
	const lines = stdout.split('\n');
	const first = lines.findIndex((l) => l === '{');
	let last = -1;
	for (let i = lines.length - 1; i >= 0; i--) {
		if (lines[i] === '}') {
			last = i;
			break;
		}
	}
	if (first < 0 || last < first) return null;
	try {
		const run = JSON.parse(lines.slice(first, last + 1).join('\n'));
		return isRun(run) ? run : null;
	} catch {
		return null;
	}
}

/** { nodeName: { status, error, items: [...] (all outputs, all runs) } } from an IRun. */
export function nodeResults(run) {
	const runData = run?.data?.resultData?.runData ?? {};
	const out = {};
	for (const [name, runs] of Object.entries(runData)) {
		const items = [];
		let status = 'success';
		let error = null;
		for (const task of runs) {
			if (task.executionStatus && task.executionStatus !== 'success') status = task.executionStatus;
			if (task.error) {
				status = 'error';
				error = task.error.message ?? JSON.stringify(task.error);
			}
			for (const output of task.data?.main ?? []) for (const item of output ?? []) items.push(item);
		}
		out[name] = { status, error, items };
	}
	return out;
}

/** Where filesystem mode put a binary: its id is `filesystem-v2:<path under the storage folder>`. */
export function findStoredBinary(binaryId, n8nFolder) {
	const colon = binaryId.indexOf(':');
	if (colon < 0) return null;
	const mode = binaryId.slice(0, colon);
	if (!mode.startsWith('filesystem')) return null;
	const rel = binaryId.slice(colon + 1);
	for (const base of [path.join(n8nFolder, 'storage'), path.join(n8nFolder, 'binaryData'), n8nFolder]) {
		const candidate = path.join(base, rel);
		if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
	}
	// Last resort: the file name (a uuid) anywhere under the n8n folder.
	const want = path.basename(rel);
	const stack = [n8nFolder];
	while (stack.length) {
		const dir = stack.pop();
		for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
			const p = path.join(dir, entry.name);
			if (entry.isDirectory()) {
				if (entry.name !== 'nodes') stack.push(p);
			} else if (entry.name === want) {
				return p;
			}
		}
	}
	return null;
}

export async function sha256File(file) {
	const hash = crypto.createHash('sha256');
	let bytes = 0;
	for await (const chunk of fs.createReadStream(file)) {
		hash.update(chunk);
		bytes += chunk.length;
	}
	return { sha256: hash.digest('hex'), bytes };
}

/** GET a URL (the emulator's file URL), hashing the body: { status, sha256, bytes, headers }. */
export function sha256Url(url, timeoutMs = 120000) {
	return new Promise((resolve, reject) => {
		const req = http.get(url, (res) => {
			const hash = crypto.createHash('sha256');
			let bytes = 0;
			res.on('data', (c) => {
				hash.update(c);
				bytes += c.length;
			});
			res.on('end', () => resolve({ status: res.statusCode, sha256: hash.digest('hex'), bytes, headers: res.headers }));
			res.on('error', reject);
		});
		req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
		req.on('error', reject);
	});
}
