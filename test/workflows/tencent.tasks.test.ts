/**
 * Backup → Create, Backup Task → Get and Wait Until Finished with the Tencent node: ManualBackupInstance sent once
 * (remark and storage days), its task followed with DescribeTaskInfo through preparing / running / succeed, and the
 * finished backup found by its start time (Tencent's backups carry no task ID).
 */
import type { INodeParameters } from 'n8n-workflow';

import {
	instanceRef,
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	requestsSince,
	runTencentChain,
	runTencentNode,
	STANDARD_ID,
	CLUSTER_ID,
	useEmulator,
} from './tencentFixture';

const create = (options: INodeParameters = {}) => ({ resource: 'backup', operation: 'create', instanceId: instanceRef(STANDARD_ID), options });
const wait = (taskId: string, options: INodeParameters = {}, instanceId = STANDARD_ID) => ({
	resource: 'backupTask',
	operation: 'waitUntilFinished',
	instanceId: instanceRef(instanceId),
	taskId,
	options: { pollIntervalSeconds: 1, maxPollIntervalSeconds: 1, maxWaitMinutes: 1, ...options },
});

describe('Tencent backup tasks', () => {
	const emulator = useEmulator();
	beforeAll(() => {
		emulator.tencent.settings.taskStepMs = 400;
	});

	it('creates a backup with a remark and storage days, outputs the task ID, and sends it once', async () => {
		const mark = markRequests(emulator);
		const result = await runTencentNode(emulator, create({ remark: 'before upgrade', retentionDays: 30 }));
		expect(result.error).toBeUndefined();
		const [item] = result.output(NODE_NAME).map((i) => i.json);
		expect(item).toMatchObject({ kind: 'backupTask', provider: 'tencent', instanceId: STANDARD_ID, status: 'pending', mode: 'manual' });
		expect(item.taskId).toMatch(/^\d+$/);
		const sent = requestsSince(emulator, mark, 'ManualBackupInstance');
		expect(sent).toHaveLength(1);
		expect(sent[0].query).toMatchObject({ InstanceId: STANDARD_ID, Remark: 'before upgrade', StorageDays: '30' });
		const task = emulator.tencent.store.task(Number(item.taskId))!;
		expect(task.backup).toMatchObject({ remark: 'before upgrade', storageDays: 30 });
	});

	it('does not send Create again after an internal error, and says so', async () => {
		emulator.tencent.faults.push({ action: 'ManualBackupInstance', kind: 'serverError' });
		const mark = markRequests(emulator);
		const result = await runTencentNode(emulator, create());
		const error = nodeErrorOf(result);
		expect(error.message).toMatch(/may or may not have been started, so it was not sent again/);
		expect(requestsSince(emulator, mark, 'ManualBackupInstance')).toHaveLength(1);
	});

	it('gets the task by ID', async () => {
		const task = emulator.tencent.startBackupTask({ instanceId: STANDARD_ID, stepMs: 3_600_000 });
		const result = await runTencentNode(emulator, { resource: 'backupTask', operation: 'get', instanceId: instanceRef(STANDARD_ID), taskId: String(task.taskId) });
		expect(result.error).toBeUndefined();
		expect(result.output(NODE_NAME).map((i) => i.json)).toEqual([
			expect.objectContaining({ taskId: String(task.taskId), status: 'pending', providerStatus: 'preparing', mode: 'manual', providerMode: 'FLOW_BACKUPINSTANCE' }),
		]);
	});

	it('refuses a task of another instance', async () => {
		const task = emulator.tencent.startBackupTask({ instanceId: CLUSTER_ID, stepMs: 3_600_000 });
		const result = await runTencentNode(emulator, { resource: 'backupTask', operation: 'get', instanceId: instanceRef(STANDARD_ID), taskId: String(task.taskId) });
		expect(nodeErrorOf(result).message).toBe(`Task ${task.taskId} belongs to instance ${CLUSTER_ID}, not ${STANDARD_ID}`);
	});

	it('creates, then waits until the task finished, and outputs the backup it made', async () => {
		const result = await runTencentChain(emulator, [
			{ name: 'Create', parameters: create({ remark: 'wait for me' }) },
			{ name: NODE_NAME, parameters: wait('={{ $json.taskId }}') },
		]);
		expect(result.error).toBeUndefined();
		const [item] = result.output(NODE_NAME).map((i) => i.json);
		const taskId = String(result.output('Create')[0].json.taskId);
		const task = emulator.tencent.store.task(Number(taskId))!;
		expect(item).toMatchObject({ taskId, status: 'succeeded', providerStatus: 'succeed', progressPercent: 100 });
		expect(item.backup).toMatchObject({ backupId: task.backup.backupId, status: 'succeeded', mode: 'manual', remark: 'wait for me' });
		expect(Number(item.checks)).toBeGreaterThan(1);
	});

	it.each(['failed', 'error'] as const)('fails when the task ends as %s', async (outcome) => {
		emulator.tencent.nextTaskOutcomes.push(outcome);
		const created = await runTencentNode(emulator, create());
		const taskId = String(created.output(NODE_NAME)[0].json.taskId);
		const result = await runTencentNode(emulator, wait(taskId));
		expect(nodeErrorOf(result).message).toBe(`Backup task ${taskId} ended as ${outcome}`);
	});

	it('without Include Backup, stops when the task succeeded', async () => {
		const task = emulator.tencent.startBackupTask({ instanceId: STANDARD_ID, stepMs: 200 });
		const result = await runTencentNode(emulator, wait(String(task.taskId), { includeBackup: false }));
		expect(result.error).toBeUndefined();
		expect(result.output(NODE_NAME)[0].json).toMatchObject({ status: 'succeeded' });
		expect(result.output(NODE_NAME)[0].json).not.toHaveProperty('backup');
	});
});
