/**
 * Backup → Create, Backup Task → Get and Backup Task → Wait Until Finished through n8n's engine: retries that
 * must (and must not) happen on CreateBackup, task listing, and the waiter's outcomes, limits and cancellation.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { BACKUP_STATUSES } from '../../nodes/common/model';
import {
	CLUSTER_ID,
	instanceRef,
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	REGION,
	requestsSince,
	runAlibabaChain,
	runAlibabaNode,
	STANDARD_ID,
	useEmulator,
	UTC_ISO,
} from './alibabaFixture';

const STEP_MS = 150;
/** Fast polling for a task whose states last STEP_MS. */
const FAST_POLL = { pollIntervalSeconds: 1, maxPollIntervalSeconds: 1 };

const create = (instanceId = STANDARD_ID): INodeParameters => ({
	resource: 'backup',
	operation: 'create',
	instanceId: instanceRef(instanceId),
});

const waitFor = (taskId: string, extra: INodeParameters = {}, instanceId = STANDARD_ID): INodeParameters => ({
	resource: 'backupTask',
	operation: 'waitUntilFinished',
	instanceId: instanceRef(instanceId),
	taskId,
	options: { ...FAST_POLL },
	...extra,
});

describe('Backup → Create', () => {
	const emulator = useEmulator({ alibabaSettings: { taskStepMs: STEP_MS } });
	const tasks = () => emulator.alibaba.store.tasks;

	it('starts a manual backup and outputs its task ID (a string) with status pending', async () => {
		const before = tasks().length;
		const mark = markRequests(emulator);
		const result = await runAlibabaNode(emulator, create());
		expect(result.status).toBe('success');
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		const task = items[0].json;
		expect(tasks()).toHaveLength(before + 1);
		const created = tasks().at(-1)!;
		expect(task).toMatchObject({
			kind: 'backupTask',
			provider: 'alibaba',
			region: REGION,
			instanceId: STANDARD_ID,
			taskId: String(created.jobId),
			status: 'pending',
			mode: 'manual',
		});
		expect(typeof task.taskId).toBe('string');
		expect(created).toMatchObject({ instanceId: STANDARD_ID, mode: 'Manual' });
		const requests = requestsSince(emulator, mark, 'CreateBackup');
		expect(requests).toHaveLength(1);
		expect(requests[0].query).toMatchObject({ InstanceId: STANDARD_ID, RegionId: REGION });
	});

	it('sends the retention period when set', async () => {
		const mark = markRequests(emulator);
		const result = await runAlibabaNode(emulator, { ...create(), options: { retentionDays: 30 } });
		expect(result.status).toBe('success');
		expect(requestsSince(emulator, mark, 'CreateBackup')[0].query.BackupRetentionPeriod).toBe('30');
	});

	it('is retried after Throttling (the cloud did nothing) and creates exactly one task', async () => {
		const before = tasks().length;
		const mark = markRequests(emulator);
		emulator.alibaba.faults.push({ kind: 'throttle', action: 'CreateBackup' });
		const result = await runAlibabaNode(emulator, create());
		expect(result.status).toBe('success');
		const requests = requestsSince(emulator, mark, 'CreateBackup');
		expect(requests.map((r) => [r.status, r.code])).toEqual([
			[400, 'Throttling.User'],
			[200, undefined],
		]);
		expect(tasks()).toHaveLength(before + 1);
		expect(result.output(NODE_NAME)[0].json.taskId).toBe(String(tasks().at(-1)!.jobId));
	});

	it.each([
		['a 503', { kind: 'serverError' as const, action: 'CreateBackup' }, 503],
		['a connection reset', { kind: 'reset' as const, action: 'CreateBackup' }, 0],
	])('is NOT sent again after %s, and the error says why', async (_label, fault, status) => {
		const before = tasks().length;
		const mark = markRequests(emulator);
		emulator.alibaba.faults.push(fault);
		const result = await runAlibabaNode(emulator, create());
		expect(result.status).toBe('error');
		const requests = requestsSince(emulator, mark, 'CreateBackup');
		expect(requests).toHaveLength(1);
		expect(requests[0].status).toBe(status);
		expect(tasks()).toHaveLength(before);
		const error = nodeErrorOf(result);
		expect(error.message).toContain('CreateBackup');
		// The node's own account of what happened, not n8n's generic "you can retry" text for a reset.
		expect(error.message).toMatch(status === 0 ? /^No answer from Alibaba Cloud for CreateBackup/ : /\(ServiceUnavailable\)/);
		expect(error.message).not.toMatch(/You can retry the request/);
		expect(error.message).toMatch(/not sent again/i);
		expect(error.message).toMatch(/may or may not have (been )?started/i);
		// Nothing queued was left over for a later request.
		expect(emulator.alibaba.faults.pending()).toHaveLength(0);
	});
});

describe('Backup Task → Get', () => {
	const emulator = useEmulator({ alibabaSettings: { taskStepMs: STEP_MS } });
	const TASKS_ID = 'r-tasks00000001';
	let automated = 0;
	let manual = 0;

	beforeAll(() => {
		emulator.alibaba.addInstance({ instanceId: TASKS_ID, regionId: REGION, architecture: 'standard' });
		// Long-running tasks: they stay listed for the whole describe block.
		automated = emulator.alibaba.startBackupTask({ instanceId: TASKS_ID, mode: 'Automated', stepMs: 600_000 }).jobId;
		manual = emulator.alibaba.startBackupTask({ instanceId: TASKS_ID, mode: 'Manual', stepMs: 600_000 }).jobId;
	});

	const getTasks = (extra: INodeParameters = {}, instanceId = TASKS_ID) =>
		runAlibabaNode(emulator, { resource: 'backupTask', operation: 'get', instanceId: instanceRef(instanceId), ...extra });

	it('lists all current tasks of the instance', async () => {
		const result = await getTasks();
		expect(result.status).toBe('success');
		const items = result.output(NODE_NAME).map((item) => item.json);
		expect(items.map((t) => t.taskId).sort()).toEqual([String(automated), String(manual)].sort());
		for (const task of items) {
			expect(task).toMatchObject({ kind: 'backupTask', provider: 'alibaba', region: REGION, instanceId: TASKS_ID });
			expect(typeof task.taskId).toBe('string');
			expect(BACKUP_STATUSES).toContain(task.status);
			expect(task).toMatchObject({ status: 'pending', providerStatus: 'NoStart', progressPercent: 0 });
			expect(task.startedAt).toMatch(UTC_ISO);
			expect(task.raw).toEqual(expect.objectContaining({ BackupJobID: Number(task.taskId) }));
		}
		expect(items.find((t) => t.taskId === String(automated))!.mode).toBe('automatic');
		expect(items.find((t) => t.taskId === String(manual))!.mode).toBe('manual');
	});

	it('gets one task by its job ID', async () => {
		const mark = markRequests(emulator);
		const result = await getTasks({ taskId: String(manual) });
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ taskId: String(manual), mode: 'manual', providerMode: 'Manual' });
		expect(requestsSince(emulator, mark, 'DescribeBackupTasks')[0].query.BackupJobId).toBe(String(manual));
	});

	it('filters by job mode', async () => {
		const auto = await getTasks({ jobMode: 'Automated' });
		expect(auto.output(NODE_NAME).map((item) => item.json.taskId)).toEqual([String(automated)]);
		const byHand = await getTasks({ jobMode: 'Manual' });
		expect(byHand.output(NODE_NAME).map((item) => item.json.taskId)).toEqual([String(manual)]);
	});

	it('a cluster task shows one row per data node, all with the same job ID', async () => {
		const task = emulator.alibaba.startBackupTask({ instanceId: CLUSTER_ID, stepMs: 600_000 });
		const result = await getTasks({ taskId: String(task.jobId) }, CLUSTER_ID);
		const items = result.output(NODE_NAME).map((item) => item.json);
		expect(items).toHaveLength(2);
		expect(items.map((t) => t.taskId)).toEqual([String(task.jobId), String(task.jobId)]);
		expect(items.map((t) => t.nodeId)).toEqual([`${CLUSTER_ID}-db-0`, `${CLUSTER_ID}-db-1`]);
	});

	it('an unknown job ID gives no items (not an error)', async () => {
		const result = await getTasks({ taskId: '1234567' });
		expect(result.status).toBe('success');
		expect(result.output(NODE_NAME)).toHaveLength(0);
	});
});

describe('Backup Task → Wait Until Finished', () => {
	const emulator = useEmulator({ alibabaSettings: { taskStepMs: STEP_MS } });

	it('waits for a task created by Create until it is finished, and outputs the backup it produced', async () => {
		const result = await runAlibabaChain(emulator, [
			{ name: 'Create', parameters: create() },
			{ name: NODE_NAME, parameters: waitFor('={{ $json.taskId }}') },
		]);
		expect(result.status).toBe('success');
		const created = result.output('Create')[0].json;
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		const done = items[0].json;
		expect(done).toMatchObject({ kind: 'backupTask', taskId: created.taskId, instanceId: STANDARD_ID, status: 'succeeded' });
		expect(done.checks).toBeGreaterThan(1);
		expect(done.waitedMs).toBeGreaterThanOrEqual(STEP_MS * 3);
		expect(items[0].pairedItem).toEqual({ item: 0 });

		const record = emulator.alibaba.store.backups.find((b) => String(b.jobId) === created.taskId)!;
		expect(record).toBeDefined();
		const backup = done.backup as IDataObject;
		expect(backup).toMatchObject({
			kind: 'backup',
			backupId: String(record.backupId),
			taskId: created.taskId,
			status: 'succeeded',
			mode: 'manual',
			sizeBytes: record.file!.size,
		});
		const [file] = backup.files as IDataObject[];
		expect(file).toMatchObject({ status: 'succeeded', sizeBytes: record.file!.size });
		const response = await fetch(file.downloadUrl as string, { method: 'HEAD' });
		expect(response.status).toBe(200);
		expect(Number(response.headers.get('content-length'))).toBe(record.file!.size);
	});

	it('waits for a cluster task and outputs the backup set with one file per shard', async () => {
		const task = emulator.alibaba.startBackupTask({ instanceId: CLUSTER_ID });
		const result = await runAlibabaNode(emulator, waitFor(String(task.jobId), { instanceType: 'cluster' }, CLUSTER_ID));
		expect(result.status).toBe('success');
		const done = result.output(NODE_NAME)[0].json;
		expect(done).toMatchObject({ taskId: String(task.jobId), status: 'succeeded' });
		const backup = done.backup as IDataObject;
		expect(backup).toMatchObject({ backupId: task.clusterSet!.clusterBackupId, status: 'succeeded' });
		const files = backup.files as IDataObject[];
		expect(files).toHaveLength(2);
		expect(files.every((f) => f.status === 'succeeded' && typeof f.downloadUrl === 'string')).toBe(true);
	});

	it('includeBackup false leaves the backup out', async () => {
		const task = emulator.alibaba.startBackupTask({ instanceId: STANDARD_ID });
		const mark = markRequests(emulator);
		const result = await runAlibabaNode(emulator, waitFor(String(task.jobId), { options: { ...FAST_POLL, includeBackup: false } }));
		expect(result.status).toBe('success');
		const done = result.output(NODE_NAME)[0].json;
		expect(done).toMatchObject({ taskId: String(task.jobId), status: 'succeeded' });
		expect(done).not.toHaveProperty('backup');
		// The finished task was still listed, so no backup lookup was needed at all.
		expect(requestsSince(emulator, mark, 'DescribeBackups')).toHaveLength(0);
	});

	it('a task that fails ends the wait with an error naming the job ID and "failed"', async () => {
		emulator.alibaba.nextTaskOutcomes.push('fail');
		const result = await runAlibabaChain(emulator, [
			{ name: 'Create', parameters: create() },
			{ name: NODE_NAME, parameters: waitFor('={{ $json.taskId }}') },
		]);
		expect(result.status).toBe('error');
		const taskId = result.output('Create')[0].json.taskId as string;
		const error = nodeErrorOf(result);
		expect(error.message).toContain(taskId);
		expect(error.message).toMatch(/failed/);
		const failed = emulator.alibaba.store.backups.find((b) => String(b.jobId) === taskId)!;
		expect(failed.status).toBe('Failed');
		expect(error.message).toContain(String(failed.backupId));
	});

	it('a task that vanishes without a backup ends the wait with "disappeared"', async () => {
		emulator.alibaba.nextTaskOutcomes.push('vanish');
		const result = await runAlibabaChain(emulator, [
			{ name: 'Create', parameters: create() },
			{ name: NODE_NAME, parameters: waitFor('={{ $json.taskId }}') },
		]);
		const taskId = result.output('Create')[0].json.taskId as string;
		const error = nodeErrorOf(result);
		expect(error.message).toContain(taskId);
		expect(error.message).toMatch(/disappeared/);
	});

	it('an unknown job ID ends with "not found"', async () => {
		const result = await runAlibabaNode(emulator, waitFor('7654321'));
		const error = nodeErrorOf(result);
		expect(error.message).toContain('7654321');
		expect(error.message).toMatch(/not found/);
	});

	it('stops at Max Wait Time with a timeout error that names the task and the limit', async () => {
		const task = emulator.alibaba.startBackupTask({ instanceId: STANDARD_ID, stepMs: 600_000 });
		const started = Date.now();
		const result = await runAlibabaNode(emulator, waitFor(String(task.jobId), { options: { ...FAST_POLL, maxWaitMinutes: 0.01 } }));
		const elapsed = Date.now() - started;
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toContain(String(task.jobId));
		expect(error.message).toMatch(/Max Wait Time/);
		expect(error.message).toMatch(/0\.01 min/);
		expect(error.message).toMatch(/last seen NoStart/);
		expect(error.description).toMatch(/Max Wait Time/);
		expect(elapsed).toBeGreaterThanOrEqual(550);
		expect(elapsed).toBeLessThan(3_000);
	});

	it('refuses a Max Poll Interval below the Poll Interval before any request', async () => {
		const mark = markRequests(emulator);
		const result = await runAlibabaNode(
			emulator,
			waitFor('123', { options: { pollIntervalSeconds: 5, maxPollIntervalSeconds: 1 } }),
		);
		const error = nodeErrorOf(result);
		expect(error.message).toMatch(/poll interval/i);
		expect(error.message).toContain('(item 0)');
		expect(requestsSince(emulator, mark)).toHaveLength(0);
	});

	it('cancelling the execution mid-wait ends the run promptly with status canceled', async () => {
		const task = emulator.alibaba.startBackupTask({ instanceId: STANDARD_ID, stepMs: 600_000 });
		const controller = new AbortController();
		const mark = markRequests(emulator);
		const pending = runAlibabaNode(
			emulator,
			waitFor(String(task.jobId), { options: { pollIntervalSeconds: 1, maxPollIntervalSeconds: 5 } }),
			{ signal: controller.signal },
		);
		// Abort once the wait has really started (a couple of checks went out).
		const deadline = Date.now() + 5_000;
		while (requestsSince(emulator, mark, 'DescribeBackupTasks').length < 2 && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		expect(requestsSince(emulator, mark, 'DescribeBackupTasks').length).toBeGreaterThanOrEqual(2);
		const abortedAt = Date.now();
		controller.abort();
		const result = await pending;
		expect(Date.now() - abortedAt).toBeLessThan(2_000);
		expect(result.status).toBe('canceled');
		// Nothing is polled after the cancel.
		const polled = requestsSince(emulator, mark).length;
		await new Promise((resolve) => setTimeout(resolve, 600));
		expect(requestsSince(emulator, mark)).toHaveLength(polled);
	});

	it('under "continue (using error output)" a failed wait goes to the error output, paired with its item', async () => {
		const ok = emulator.alibaba.startBackupTask({ instanceId: STANDARD_ID });
		const failing = emulator.alibaba.startBackupTask({ instanceId: STANDARD_ID, outcome: 'fail' });
		const result = await runAlibabaNode(
			emulator,
			waitFor('={{ $json.taskId }}'),
			{ onError: 'continueErrorOutput', items: [{ taskId: String(failing.jobId) }, { taskId: String(ok.jobId) }] },
		);
		expect(result.status).toBe('success');
		const success = result.output(NODE_NAME, 0);
		const errors = result.output(NODE_NAME, 1);
		expect(success).toHaveLength(1);
		expect(success[0].json).toMatchObject({ taskId: String(ok.jobId), status: 'succeeded' });
		expect(success[0].pairedItem).toEqual({ item: 1 });
		expect(errors).toHaveLength(1);
		expect(errors[0].pairedItem).toEqual({ item: 0 });
		expect(errors[0].json.error).toEqual(expect.stringContaining(String(failing.jobId)));
		expect(errors[0].json.error).toEqual(expect.stringContaining('failed'));
	});
});
