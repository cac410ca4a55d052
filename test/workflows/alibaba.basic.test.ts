import { CloudEmulator } from '../../emulator';
import { cleanupBinaryDataStore } from '../harness';
import { CLUSTER_ID, instanceRef, NODE_NAME, runAlibabaNode, STANDARD_ID } from './alibabaFixture';

describe('Alibaba node through the n8n engine (smoke)', () => {
	const emulator = new CloudEmulator();
	beforeAll(async () => await emulator.start());
	afterAll(async () => {
		await emulator.stop();
		await cleanupBinaryDataStore();
	});

	it('lists standard backups', async () => {
		const result = await runAlibabaNode(emulator, {
			resource: 'backup',
			operation: 'list',
			instanceId: instanceRef(STANDARD_ID),
			returnAll: true,
		});
		expect(result.error).toBeUndefined();
		const items = result.output(NODE_NAME);
		expect(items.length).toBeGreaterThan(0);
		console.log(items.length, JSON.stringify(items[0].json, null, 1).slice(0, 1500));
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
		console.log(items.length, JSON.stringify(items[0].json, null, 1).slice(0, 2500));
	});
});
