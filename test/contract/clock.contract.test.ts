/**
 * A cloud whose clock is not n8n's: with the cloud's clock 10 minutes ahead or behind, Create → Wait Until
 * Finished (Include Backup) still finds the backup the job made, and Get finds a just-made backup by its ID
 * (search windows allow for the skew; nothing compares the cloud's times with n8n's clock without it).
 */
import type { IDataObject } from 'n8n-workflow';

import { CLOUDS } from './clouds';
import { NODE_NAME, runCloudChain, runCloudNode, useCloudEmulator, type InstanceFixture } from './kit';

const SKEWS: Array<[string, number]> = [
	['10 minutes ahead', 10 * 60_000],
	['10 minutes behind', -10 * 60_000],
];

describe.each(CLOUDS)('%s: a cloud clock that is not n8n\'s', (_label, kit) => {
	const emulator = useCloudEmulator(kit, { taskStepMs: 150 });
	const instances: InstanceFixture[] = [kit.instances.standard, ...(kit.instances.cluster ? [kit.instances.cluster] : [])];
	const cases = SKEWS.flatMap(([skew, ms]) => instances.map((instance) => [skew, instance.variant, ms, instance] as const));

	it.each(cases)('cloud clock %s, %s instance: Create → Wait Until Finished outputs the backup, Get finds it by ID', async (_skew, _variant, ms, instance) => {
		kit.setClockSkew(emulator, ms);
		const result = await runCloudChain(kit, emulator, [
			{ name: 'Create', parameters: kit.params.create(instance) },
			{ name: NODE_NAME, parameters: kit.params.wait(instance, '={{ $json.taskId }}', { options: { includeBackup: true } }) },
		]);
		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		const taskId = result.output('Create')[0].json.taskId;
		expect(taskId).toEqual(expect.stringMatching(/\S/));
		const [done] = result.output(NODE_NAME);
		expect(done.json).toMatchObject({ taskId, status: 'succeeded' });
		const backup = done.json.backup as IDataObject | undefined;
		expect(backup).toMatchObject({ kind: 'backup', instanceId: instance.instanceId, status: 'succeeded' });
		const backupId = String(backup!.backupId);
		expect(backupId).toMatch(/\S/);

		const got = await runCloudNode(kit, emulator, kit.params.get({ instance, backupId, files: [] }));
		expect(got.status).toBe('success');
		const [item] = got.output(NODE_NAME);
		expect(item.json).toMatchObject({ backupId, instanceId: instance.instanceId, status: 'succeeded' });
	});

	it.each(SKEWS)('cloud clock %s: Wait Until Finished on a task started outside n8n ends with its backup', async (_skew, ms) => {
		kit.setClockSkew(emulator, ms);
		const taskId = kit.startBackupTask(emulator, kit.instances.standard);
		const result = await runCloudNode(kit, emulator, kit.params.wait(kit.instances.standard, taskId));
		expect(result.status).toBe('success');
		const [done] = result.output(NODE_NAME);
		expect(done.json).toMatchObject({ taskId, status: 'succeeded' });
		expect(done.json.backup).toMatchObject({ status: 'succeeded' });
	});
});
