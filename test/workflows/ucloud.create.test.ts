/**
 * Backup → Create and Backup → Wait Until Finished with the UCloud node: CreateURedisBackup sent once with a Backup
 * Name checked as UCloud documents it (every item checked before the first is sent), its backup ID output; then the
 * wait polls that backup's own State (URedis has no task API) through Backuping to Success, Error or Expired, with the
 * shared options, deadline and cancellation.
 */
import type { INodeParameters } from 'n8n-workflow';

import {
	backupsOf,
	GROUP_ID,
	instanceRef,
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	OTHER_GROUP_ID,
	REGION,
	requestsSince,
	runUCloudChain,
	runUCloudNode,
	useEmulator,
	ZONE,
} from './ucloudFixture';

const create = (backupName: string, extra: INodeParameters = {}, groupId = GROUP_ID) => ({
	resource: 'backup',
	operation: 'create',
	instanceId: instanceRef(groupId),
	backupName,
	...extra,
});
const wait = (backupId: string, options: INodeParameters = {}, groupId = GROUP_ID) => ({
	resource: 'backup',
	operation: 'waitUntilFinished',
	instanceId: instanceRef(groupId),
	backupId,
	options: { pollIntervalSeconds: 1, maxPollIntervalSeconds: 1, maxWaitMinutes: 1, ...options },
});

describe('UCloud Backup → Create', () => {
	const emulator = useEmulator();
	beforeAll(() => {
		emulator.ucloud.settings.backupStepMs = 300;
	});

	it('creates a backup with its name (and Zone), outputs its backup ID, and sends it once', async () => {
		const mark = markRequests(emulator);
		const result = await runUCloudNode(emulator, create('before-upgrade_1', { zone: ZONE }));
		expect(result.error).toBeUndefined();
		const [item] = result.output(NODE_NAME).map((i) => i.json);
		expect(item).toMatchObject({ kind: 'backupTask', provider: 'ucloud', region: REGION, instanceId: GROUP_ID, status: 'running', mode: 'manual', backupName: 'before-upgrade_1' });
		expect(item.backupId).toBe(item.taskId);
		const sent = requestsSince(emulator, mark, 'CreateURedisBackup');
		expect(sent).toHaveLength(1);
		expect(sent[0].query).toMatchObject({ Region: REGION, Zone: ZONE, GroupId: GROUP_ID, BackupName: 'before-upgrade_1' });
		expect(emulator.ucloud.store.backup(String(item.backupId))).toMatchObject({ name: 'before-upgrade_1', type: 'Manual', groupId: GROUP_ID });
	});

	it('names the backup by the default expression when the name is left as it is', async () => {
		const result = await runUCloudNode(emulator, create("={{ 'n8n-' + $now.toUTC().toFormat('yyyyMMdd-HHmmss') }}", {}, OTHER_GROUP_ID));
		expect(result.error).toBeUndefined();
		expect(String(result.output(NODE_NAME)[0].json.backupName)).toMatch(/^n8n-\d{8}-\d{6}$/);
	});

	it('checks every Backup Name as UCloud documents it before the first backup is sent', async () => {
		const mark = markRequests(emulator);
		const result = await runUCloudNode(emulator, create('={{ $json.name }}'), { items: [{ name: 'good-name-1' }, { name: 'bad name' }] });
		expect(nodeErrorOf(result).message).toBe('Backup Name "bad name" is not valid (item 1)');
		expect(requestsSince(emulator, mark, 'CreateURedisBackup')).toHaveLength(0);
		for (const bad of ['short', 'x'.repeat(64)]) {
			expect(nodeErrorOf(await runUCloudNode(emulator, create(bad))).message).toMatch(/^Backup Name ".*" is not valid/);
		}
	});

	it('does not send Create again after an answer it could not read, and says where to look', async () => {
		emulator.ucloud.faults.push({ action: 'CreateURedisBackup', kind: 'serverError' });
		const mark = markRequests(emulator);
		const error = nodeErrorOf(await runUCloudNode(emulator, create('after-fault')));
		expect(error.message).toMatch(/^UCloud rejected CreateURedisBackup: .*\(RetCode 150\)\. The backup of uredis-demo01 may or may not have been started, so it was not sent again: check Backup → List before creating another$/);
		expect(requestsSince(emulator, mark, 'CreateURedisBackup')).toHaveLength(1);
	});

	it('a backup already running (20203) is refused with advice, not retried', async () => {
		emulator.ucloud.startBackup({ groupId: OTHER_GROUP_ID, name: 'long-running', durationMs: 3_600_000 });
		const mark = markRequests(emulator);
		const error = nodeErrorOf(await runUCloudNode(emulator, create('second-one', {}, OTHER_GROUP_ID)));
		expect(error.message).toMatch(/\(RetCode 20203\)$/);
		expect(error.description).toMatch(/another backup of the instance may still be running/);
		expect(requestsSince(emulator, mark, 'CreateURedisBackup')).toHaveLength(1);
	});

	it('a later item failing names the backups earlier items already started', async () => {
		emulator.ucloud.addInstance({ groupId: 'uredis-fresh01', region: REGION, zone: 'cn-bj2-02', name: 'fresh' });
		const mark = markRequests(emulator);
		const result = await runUCloudNode(emulator, create('={{ $json.name }}', {}, '={{ $json.group }}'), {
			items: [{ name: 'first-of-two', group: 'uredis-fresh01' }, { name: 'second-of-two', group: 'uredis-nosuch1' }],
		});
		const error = nodeErrorOf(result);
		expect(error.message).toMatch(/\(RetCode 230\)$/);
		const started = requestsSince(emulator, mark, 'CreateURedisBackup');
		expect(started).toHaveLength(2);
		const first = backupsOf(emulator, 'uredis-fresh01').find((b) => b.name === 'first-of-two')!;
		expect(error.description).toContain(`Earlier items already did this, so do not simply run the node again: item 0: started backup ${first.backupId} on uredis-fresh01.`);
	});
});

describe('UCloud Backup → Wait Until Finished', () => {
	const emulator = useEmulator();
	beforeAll(() => {
		emulator.ucloud.settings.backupStepMs = 300;
	});

	it('creates, then waits until the backup succeeded, and outputs it', async () => {
		const mark = markRequests(emulator);
		const result = await runUCloudChain(emulator, [
			{ name: 'Create', parameters: create('wait-for-me') },
			{ name: NODE_NAME, parameters: wait('={{ $json.backupId }}') },
		]);
		expect(result.error).toBeUndefined();
		const backupId = String(result.output('Create')[0].json.backupId);
		const [item] = result.output(NODE_NAME).map((i) => i.json);
		expect(item).toMatchObject({ kind: 'backupTask', taskId: backupId, status: 'succeeded', providerStatus: 'Success', progressPercent: 100, nodeCount: 1 });
		expect(item.backup).toMatchObject({ backupId, status: 'succeeded', mode: 'manual', remark: 'wait-for-me', sizeBytes: expect.any(Number) });
		expect(Number(item.checks)).toBeGreaterThan(1);
		// Polled with the backup's own ID: no task API.
		const polls = requestsSince(emulator, mark, 'DescribeURedisBackup');
		expect(polls.length).toBeGreaterThan(1);
		for (const poll of polls) expect(poll.query).toMatchObject({ BackupId: backupId, GroupId: GROUP_ID });
	});

	it('fails when the backup ends in Error, naming the backup', async () => {
		emulator.ucloud.nextBackupOutcomes.push('error');
		const created = await runUCloudNode(emulator, create('going-to-fail', {}, OTHER_GROUP_ID));
		const backupId = String(created.output(NODE_NAME)[0].json.backupId);
		const result = await runUCloudNode(emulator, wait(backupId, {}, OTHER_GROUP_ID));
		expect(nodeErrorOf(result).message).toBe(`Backup ${backupId} ended as Error`);
	});

	it('fails at once for an Expired backup', async () => {
		const expired = backupsOf(emulator).find((b) => emulator.ucloud.store.backupState(b) === 'Expired')!;
		const result = await runUCloudNode(emulator, wait(expired.backupId));
		expect(nodeErrorOf(result).message).toBe(`Backup ${expired.backupId} ended as Expired`);
	});

	it('without Include Backup, outputs the finished job only', async () => {
		const done = backupsOf(emulator).find((b) => emulator.ucloud.store.backupState(b) === 'Success')!;
		const result = await runUCloudNode(emulator, wait(done.backupId, { includeBackup: false }));
		expect(result.error).toBeUndefined();
		expect(result.output(NODE_NAME)[0].json).toMatchObject({ taskId: done.backupId, status: 'succeeded', checks: 1 });
		expect(result.output(NODE_NAME)[0].json).not.toHaveProperty('backup');
	});

	it('times out at Max Wait Time, naming the backup and its last State', async () => {
		const slow = emulator.ucloud.startBackup({ groupId: GROUP_ID, name: 'very-slow', durationMs: 3_600_000 });
		const result = await runUCloudNode(emulator, wait(slow.backupId, { maxWaitMinutes: 0.05 }));
		const error = nodeErrorOf(result);
		expect(error.message).toMatch(new RegExp(`^Backup ${slow.backupId} did not finish within the Max Wait Time of 0.05 min \\(last seen Backuping\\)`));
		expect(error.description).toMatch(/Max Wait Time/);
	});

	it('stops polling when the execution is cancelled', async () => {
		const slow = emulator.ucloud.startBackup({ groupId: GROUP_ID, name: 'cancel-me', durationMs: 3_600_000 });
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 1500);
		const started = Date.now();
		const result = await runUCloudNode(emulator, wait(slow.backupId), { signal: controller.signal });
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(result.status).toBe('canceled');
	});

	it('a backup ID never listed is not found after the grace period', async () => {
		const result = await runUCloudNode(emulator, wait('00000000-0000-0000-0000-00000000dead', { maxWaitMinutes: 1 }));
		expect(nodeErrorOf(result).message).toMatch(/^Backup 00000000-0000-0000-0000-00000000dead was not found on instance uredis-demo01 \(checked for \d+ s\)$/);
	}, 30_000);
});
