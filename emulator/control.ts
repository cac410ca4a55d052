/**
 * A small HTTP control endpoint for a running emulator (`npm run emulator -- --control`), so that a process that
 * only talks HTTP (the real-n8n check, scripts/n8n/triggers.mjs) can make backups happen at a chosen moment: a
 * scheduled backup that starts now and, after `durationMs`, succeeds or fails. It calls the emulators' own test
 * helpers (AlibabaEmulator.startBackupTask, TencentEmulator.startBackupTask, UCloudEmulator.startBackup); nothing
 * here changes how the cloud APIs answer. Listens on 127.0.0.1 only; no authentication (a local test tool).
 *
 *   POST /backups   {"cloud": "alibaba"|"tencent"|"ucloud", "instanceId": "...", "outcome": "success"|"fail",
 *                    "durationMs"?: number}
 *                   -> 201 the started backup (see ControlledBackup)
 *   GET  /backups   -> 200 every backup started here, with its status now
 *   GET  /requests  -> 200 per cloud, the number of requests the emulator logged per action
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';

import type { CloudEmulator } from './index';

export type ControlCloud = 'alibaba' | 'tencent' | 'ucloud';
export const CONTROL_CLOUDS: readonly ControlCloud[] = ['alibaba', 'tencent', 'ucloud'];

/** A backup started through the control endpoint, as GET /backups reports it. */
export interface ControlledBackup {
	/** 1, 2, ... in the order they were started. */
	ref: number;
	cloud: ControlCloud;
	instanceId: string;
	outcome: 'success' | 'fail';
	/** What the cloud's API calls the job: Alibaba BackupJobID, Tencent TaskId (as text); UCloud has none (null). */
	taskId: string | null;
	/** The BackupId the cloud lists (as text). Alibaba: null until the job ended and its record exists. */
	backupId: string | null;
	startedAt: string;
	/** The backup runs this long on the emulator clock, then ends with `outcome`. */
	durationMs: number;
	status: 'running' | 'succeeded' | 'failed' | 'gone';
}

interface Entry {
	ref: number;
	cloud: ControlCloud;
	instanceId: string;
	outcome: 'success' | 'fail';
	durationMs: number;
	startMs: number;
	/** The live record (status read from it on every GET). */
	read: () => Pick<ControlledBackup, 'taskId' | 'backupId' | 'status'>;
}

/** Steps from start to end of a task: Alibaba fails at Uploading (3 steps) and finishes at Finished (5 steps). */
const ALIBABA_STEPS = { success: 5, fail: 3 } as const;
/** Tencent: preparing one step, running two, then the outcome (tencent/store.ts TASK_STEPS). */
const TENCENT_STEPS = 3;

export class ControlError extends Error {
	constructor(
		readonly status: number,
		message: string,
	) {
		super(message);
	}
}

/** The backups started and what they are now; the HTTP layer below is a thin wrapper around it. */
export class EmulatorControl {
	private readonly entries: Entry[] = [];

	constructor(private readonly emulator: CloudEmulator) {}

	startBackup(input: { cloud?: unknown; instanceId?: unknown; outcome?: unknown; durationMs?: unknown }): ControlledBackup {
		const cloud = input.cloud;
		if (typeof cloud !== 'string' || !CONTROL_CLOUDS.includes(cloud as ControlCloud)) {
			throw new ControlError(400, `"cloud" must be one of ${CONTROL_CLOUDS.join(', ')}`);
		}
		if (typeof input.instanceId !== 'string' || input.instanceId === '') {
			throw new ControlError(400, '"instanceId" must be a non-empty string');
		}
		const outcome = input.outcome ?? 'success';
		if (outcome !== 'success' && outcome !== 'fail') throw new ControlError(400, '"outcome" must be "success" or "fail"');
		const durationMs = input.durationMs === undefined ? undefined : Number(input.durationMs);
		if (durationMs !== undefined && !(Number.isFinite(durationMs) && durationMs > 0)) {
			throw new ControlError(400, '"durationMs" must be a positive number of milliseconds');
		}
		const instanceId = input.instanceId;
		const ref = this.entries.length + 1;
		let entry: Entry | Error;
		try {
			entry = this.start(ref, cloud as ControlCloud, instanceId, outcome, durationMs);
		} catch (e) {
			entry = e as Error;
		}
		// The stores throw for an unknown instance.
		if (entry instanceof Error) throw new ControlError(404, entry.message);
		this.entries.push(entry);
		return this.describe(entry);
	}

	list(): ControlledBackup[] {
		return this.entries.map((entry) => this.describe(entry));
	}

	/** Per cloud, per action (as the request log names it), the requests logged so far. */
	requestCounts(): Record<ControlCloud, Record<string, number>> {
		const counts = {} as Record<ControlCloud, Record<string, number>>;
		for (const cloud of CONTROL_CLOUDS) {
			const perAction: Record<string, number> = {};
			for (const entry of this.emulator[cloud].requests) perAction[entry.action] = (perAction[entry.action] ?? 0) + 1;
			counts[cloud] = perAction;
		}
		return counts;
	}

	private describe(entry: Entry): ControlledBackup {
		return {
			ref: entry.ref,
			cloud: entry.cloud,
			instanceId: entry.instanceId,
			outcome: entry.outcome,
			...entry.read(),
			startedAt: new Date(entry.startMs).toISOString(),
			durationMs: entry.durationMs,
		};
	}

	private start(ref: number, cloud: ControlCloud, instanceId: string, outcome: 'success' | 'fail', durationMs?: number): Entry {
		const base = { ref, cloud, instanceId, outcome };
		if (cloud === 'alibaba') {
			const { alibaba } = this.emulator;
			const steps = ALIBABA_STEPS[outcome];
			const stepMs = durationMs === undefined ? alibaba.settings.taskStepMs : Math.ceil(durationMs / steps);
			const task = alibaba.startBackupTask({ instanceId, mode: 'Automated', outcome: outcome === 'fail' ? 'fail' : 'success', stepMs });
			return {
				...base,
				durationMs: stepMs * steps,
				startMs: task.createdMs,
				read: () => {
					alibaba.store.sync();
					const backup = alibaba.store.backups.find((b) => b.jobId === task.jobId);
					const status = task.endedMs === undefined ? 'running' : !backup ? 'gone' : backup.status === 'Success' ? 'succeeded' : 'failed';
					return { taskId: String(task.jobId), backupId: backup ? String(backup.backupId) : null, status };
				},
			};
		}
		if (cloud === 'tencent') {
			const { tencent } = this.emulator;
			const stepMs = durationMs === undefined ? tencent.settings.taskStepMs : Math.ceil(durationMs / TENCENT_STEPS);
			const task = tencent.startBackupTask({ instanceId, backupType: 'automatic', outcome: outcome === 'fail' ? 'failed' : 'succeed', stepMs });
			return {
				...base,
				durationMs: stepMs * TENCENT_STEPS,
				startMs: task.createdMs,
				read: () => {
					tencent.store.sync();
					// A failed Tencent backup is no longer listed (tencent/store.ts): 'failed' is the task's word for it.
					const status = task.endedMs === undefined ? 'running' : task.outcome === 'succeed' ? 'succeeded' : 'failed';
					return { taskId: String(task.taskId), backupId: task.backup.backupId, status };
				},
			};
		}
		const { ucloud } = this.emulator;
		const backup = ucloud.startBackup({ groupId: instanceId, type: 'Auto', outcome: outcome === 'fail' ? 'error' : 'success', durationMs });
		const doneMs = backup.doneMs ?? backup.startMs;
		return {
			...base,
			durationMs: doneMs - backup.startMs,
			startMs: backup.startMs,
			read: () => {
				ucloud.store.sync();
				const gone = !ucloud.store.backups.includes(backup);
				const status = gone ? 'gone' : backup.doneMs !== undefined ? 'running' : backup.failed ? 'failed' : 'succeeded';
				return { taskId: null, backupId: backup.backupId, status };
			},
		};
	}
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const text = Buffer.concat(chunks).toString('utf8');
	if (text.trim() === '') return {};
	let parsed: unknown = undefined;
	try {
		parsed = JSON.parse(text);
	} catch {
		// not JSON: refused below
	}
	if (parsed === undefined) throw new ControlError(400, 'the body is not JSON');
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ControlError(400, 'the body must be a JSON object');
	return parsed as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
	res.end(text);
}

export interface ControlServer {
	url: string;
	control: EmulatorControl;
	close(): Promise<void>;
}

/** Serve the control endpoint for `emulator` on `host:port` (port 0: any free port). */
export async function startControlServer(emulator: CloudEmulator, host = '127.0.0.1', port = 0): Promise<ControlServer> {
	const control = new EmulatorControl(emulator);
	const server: Server = createServer((req, res) => {
		const path = new URL(req.url ?? '/', 'http://control').pathname.replace(/\/+$/, '') || '/';
		const handle = async () => {
			if (path === '/backups' && req.method === 'POST') return send(res, 201, control.startBackup(await readJson(req)));
			if (path === '/backups' && req.method === 'GET') return send(res, 200, control.list());
			if (path === '/requests' && req.method === 'GET') return send(res, 200, control.requestCounts());
			throw new ControlError(404, `no ${req.method} ${path} here (POST /backups, GET /backups, GET /requests)`);
		};
		handle().catch((e: Error) => {
			if (!res.headersSent) send(res, e instanceof ControlError ? e.status : 500, { error: e.message });
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => resolve());
	});
	const address = server.address() as AddressInfo;
	return {
		url: `http://${host}:${address.port}`,
		control,
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
