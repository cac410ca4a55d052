/**
 * Wait Until Finished in the situations a long nightly wait meets: cluster jobs whose data nodes finish at
 * different times, job IDs that exist nowhere, several job IDs at once, and short API outages mid-wait.
 */
import type { INodeParameters } from 'n8n-workflow';

import {
	CLUSTER_ID,
	instanceRef,
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	requestsSince,
	runAlibabaNode,
	STANDARD_ID,
	useEmulator,
} from './alibabaFixture';

const STEP_MS = 150;
const FAST_POLL = { pollIntervalSeconds: 1, maxPollIntervalSeconds: 1, maxWaitMinutes: 0.5 };

const waitFor = (taskId: string, instanceId: string, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'backupTask',
	operation: 'waitUntilFinished',
	instanceType: instanceId === CLUSTER_ID ? 'cluster' : 'standard',
	instanceId: instanceRef(instanceId),
	taskId,
	options: { ...FAST_POLL },
	...extra,
});

describe('Wait Until Finished on a cluster whose data nodes finish one after another', () => {
	// Node 1's part of every cluster job runs 16 steps (2.4 s, over two poll intervals) behind node 0's.
	const emulator = useEmulator({ alibabaSettings: { taskStepMs: STEP_MS, clusterShardLagMs: 16 * STEP_MS } });

	it('waits for every node, and outputs the finished backup set, not a running one', async () => {
		const task = emulator.alibaba.startBackupTask({ instanceId: CLUSTER_ID });
		const mark = markRequests(emulator);
		const result = await runAlibabaNode(emulator, waitFor(String(task.jobId), CLUSTER_ID));
		expect(result.error).toBeUndefined();
		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject({ status: 'succeeded', nodeCount: 2 });
		const backup = item.json.backup as { status: string; files: unknown[] };
		expect(backup.status).toBe('succeeded');
		expect(backup.files).toHaveLength(2);
		// It kept polling after node 0 reported Finished while node 1 was still at work.
		const polls = requestsSince(emulator, mark, 'DescribeBackupTasks');
		expect(polls.length).toBeGreaterThan(3);
	});

	it('a job ID that never existed is "not found", never matched to some other backup set by time', async () => {
		const result = await runAlibabaNode(emulator, waitFor('7654321', CLUSTER_ID));
		expect(result.status).toBe('error');
		expect(nodeErrorOf(result).message).toMatch(/7654321 was not found/);
	});

	it('picks the set its own job made, not a newer one started afterwards', async () => {
		const task = emulator.alibaba.startBackupTask({ instanceId: CLUSTER_ID });
		// Stamps have whole seconds: the next job starts in a later second, as two real jobs would.
		await new Promise((resolve) => setTimeout(resolve, 1100));
		const later = emulator.alibaba.startBackupTask({ instanceId: CLUSTER_ID });
		const result = await runAlibabaNode(emulator, waitFor(String(task.jobId), CLUSTER_ID));
		expect(result.error).toBeUndefined();
		const backup = result.output(NODE_NAME)[0].json.backup as { backupId: string; startedAt: string };
		expect(backup.startedAt).toBe(new Date(Math.floor(task.createdMs / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
		expect(later.clusterSet?.clusterBackupId).not.toBe(backup.backupId);
	});
});

describe('Wait Until Finished through short outages and with several job IDs', () => {
	const emulator = useEmulator({ alibabaSettings: { taskStepMs: STEP_MS } });

	it('rides out a burst of 503s longer than one call\'s retries', async () => {
		const task = emulator.alibaba.startBackupTask({ instanceId: STANDARD_ID });
		// The client tries each call 4 times; 6 failures in a row break one check and part of the next.
		emulator.alibaba.faults.push({ action: 'DescribeBackupTasks', kind: 'serverError', times: 6 });
		const result = await runAlibabaNode(emulator, waitFor(String(task.jobId), STANDARD_ID));
		expect(result.error).toBeUndefined();
		expect(result.output(NODE_NAME)[0].json.status).toBe('succeeded');
	});

	it('gives up when the API keeps failing, with the API error', async () => {
		const task = emulator.alibaba.startBackupTask({ instanceId: STANDARD_ID });
		emulator.alibaba.faults.push({ action: 'DescribeBackupTasks', kind: 'serverError', times: 40 });
		const result = await runAlibabaNode(emulator, waitFor(String(task.jobId), STANDARD_ID));
		expect(result.status).toBe('error');
		expect(nodeErrorOf(result).message).toMatch(/ServiceUnavailable|InternalError/);
		emulator.alibaba.faults.clear();
	});

	it('an error that is not transient ends the wait at once', async () => {
		const mark = markRequests(emulator);
		const result = await runAlibabaNode(emulator, waitFor('123', 'r-nosuchinstance1'));
		expect(result.status).toBe('error');
		expect(nodeErrorOf(result).message).toMatch(/InvalidInstanceId.NotFound/);
		expect(requestsSince(emulator, mark, 'DescribeBackupTasks')).toHaveLength(1);
	});

	it('waits for every job of a comma-separated list ("id1,id2")', async () => {
		const first = emulator.alibaba.startBackupTask({ instanceId: STANDARD_ID });
		const second = emulator.alibaba.startBackupTask({ instanceId: STANDARD_ID, stepMs: 2 * STEP_MS });
		const started = Date.now();
		const result = await runAlibabaNode(emulator, waitFor(`${first.jobId}, ${second.jobId}`, STANDARD_ID));
		expect(result.error).toBeUndefined();
		// The second job takes 8 steps; the wait cannot have ended with the first.
		expect(Date.now() - started).toBeGreaterThanOrEqual(7 * STEP_MS);
		expect(result.output(NODE_NAME)[0].json.status).toBe('succeeded');
	});
});
