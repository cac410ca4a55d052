import { CLUSTER_ID, instanceRef, NODE_NAME, runAlibabaNode, STANDARD_ID, useEmulator } from './alibabaFixture';

describe('Alibaba node through the n8n engine (smoke)', () => {
	const emulator = useEmulator();

	it('lists standard backups', async () => {
		const result = await runAlibabaNode(emulator, {
			resource: 'backup',
			operation: 'list',
			instanceId: instanceRef(STANDARD_ID),
			returnAll: true,
		});
		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		const items = result.output(NODE_NAME);
		expect(items.length).toBeGreaterThan(0);
		expect(items.every((item) => item.json.instanceId === STANDARD_ID && item.json.kind === 'backup')).toBe(true);
	});

	it('lists cluster backup sets', async () => {
		const result = await runAlibabaNode(emulator, {
			resource: 'backup',
			operation: 'list',
			instanceType: 'cluster',
			instanceId: instanceRef(CLUSTER_ID),
			returnAll: true,
		});
		expect(result.error).toBeUndefined();
		const items = result.output(NODE_NAME);
		expect(items.length).toBeGreaterThan(0);
		expect(items.every((item) => String(item.json.backupId).startsWith('cb-'))).toBe(true);
	});
});
