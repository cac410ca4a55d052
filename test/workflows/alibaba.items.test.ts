/**
 * Several input items through one Alibaba node, each with its own instance and backup from expressions: every
 * output is paired with the item it came from, and one bad item fails alone under Continue On Fail.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { CLUSTER_ID, instanceRef, markRequests, NODE_NAME, nodeErrorOf, REGION, requestsSince, runAlibabaNode, STANDARD_ID, useEmulator } from './alibabaFixture';

const OTHER_ID = 'r-otherstandard1';

const paired = (items: INodeExecutionData[]) => items.map((item) => (item.pairedItem as { item: number }).item);

describe('many input items with expressions', () => {
	const emulator = useEmulator();
	let inputs: IDataObject[] = [];

	beforeAll(() => {
		emulator.alibaba.addInstance({ instanceId: OTHER_ID, regionId: REGION, architecture: 'standard' });
		const other = emulator.alibaba.addBackup({ instanceId: OTHER_ID, startMs: Date.now() - 3_600_000 });
		const standard = emulator.alibaba.store.backups.find((b) => b.instanceId === STANDARD_ID && b.status === 'Success')!;
		const set = emulator.alibaba.store.clusterSets.find((s) => s.instanceId === CLUSTER_ID && s.status === 'OK')!;
		inputs = [
			{ type: 'standard', instance: STANDARD_ID, backup: String(standard.backupId) },
			{ type: 'cluster', instance: CLUSTER_ID, backup: set.clusterBackupId },
			{ type: 'standard', instance: OTHER_ID, backup: other.backupId },
		];
	});

	const fromItem = (operation: string): INodeParameters => ({
		resource: 'backup',
		operation,
		instanceType: '={{ $json.type }}',
		instanceId: instanceRef('={{ $json.instance }}'),
		backupId: '={{ $json.backup }}',
	});

	it('Get: each item gets its own backup, paired with its input', async () => {
		const mark = markRequests(emulator);
		const result = await runAlibabaNode(emulator, fromItem('get'), { items: inputs });
		expect(result.status).toBe('success');
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(3);
		expect(paired(items)).toEqual([0, 1, 2]);
		items.forEach((item, index) => {
			expect(item.json).toMatchObject({ instanceId: inputs[index].instance, backupId: String(inputs[index].backup) });
		});
		const sent = requestsSince(emulator, mark).map((r) => [r.action, r.query.InstanceId]);
		expect(sent).toEqual([
			['DescribeBackups', STANDARD_ID],
			['DescribeClusterBackupList', CLUSTER_ID],
			['DescribeBackups', OTHER_ID],
		]);
	});

	it('Get Download URL: several outputs of one item are all paired with it', async () => {
		const result = await runAlibabaNode(emulator, fromItem('getDownloadUrl'), { items: inputs });
		const items = result.output(NODE_NAME);
		expect(paired(items)).toEqual([0, 1, 1, 2]);
		expect(items.map((item) => item.json.instanceId)).toEqual([STANDARD_ID, CLUSTER_ID, CLUSTER_ID, OTHER_ID]);
		expect(items.map((item) => item.json.backupId)).toEqual([inputs[0].backup, inputs[1].backup, inputs[1].backup, String(inputs[2].backup)]);
	});

	it('List: each item lists its own instance', async () => {
		const result = await runAlibabaNode(
			emulator,
			{ resource: 'backup', operation: 'list', instanceType: '={{ $json.type }}', instanceId: instanceRef('={{ $json.instance }}'), limit: 2 },
			{ items: inputs },
		);
		const items = result.output(NODE_NAME);
		expect(paired(items)).toEqual([0, 0, 1, 1, 2]);
		expect(items.map((item) => item.json.instanceId)).toEqual([STANDARD_ID, STANDARD_ID, CLUSTER_ID, CLUSTER_ID, OTHER_ID]);
	});

	describe('one malformed instance ID among them', () => {
		const withBadItem = () => [inputs[0], { ...inputs[1], instance: 'bad id' }, inputs[2]];

		it('without Continue On Fail the node fails, naming the item', async () => {
			const result = await runAlibabaNode(emulator, fromItem('get'), { items: withBadItem() });
			expect(result.status).toBe('error');
			const error = nodeErrorOf(result);
			expect(error.message).toBe('Instance "bad id" is not valid (item 1)');
		});

		it('"continueRegularOutput": an error item for that item only, the others succeed', async () => {
			const mark = markRequests(emulator);
			const result = await runAlibabaNode(emulator, fromItem('get'), { items: withBadItem(), onError: 'continueRegularOutput' });
			expect(result.status).toBe('success');
			const items = result.output(NODE_NAME);
			expect(items).toHaveLength(3);
			expect(paired(items)).toEqual([0, 1, 2]);
			expect(items[0].json).toMatchObject({ backupId: inputs[0].backup, instanceId: STANDARD_ID });
			expect(items[2].json).toMatchObject({ backupId: String(inputs[2].backup), instanceId: OTHER_ID });
			const bad = items[1];
			expect(bad.json).toEqual({ error: 'Instance "bad id" is not valid (item 1)' });
			expect(bad.error).toBeInstanceOf(NodeOperationError);
			expect(bad.error!.message).toBe('Instance "bad id" is not valid (item 1)');
			expect(bad.pairedItem).toEqual({ item: 1 });
			// The bad item never reached the cloud.
			expect(requestsSince(emulator, mark).map((r) => r.query.InstanceId)).toEqual([STANDARD_ID, OTHER_ID]);
		});

		it('"continueErrorOutput": the bad item goes to the error output, the others to the main output', async () => {
			const result = await runAlibabaNode(emulator, fromItem('get'), { items: withBadItem(), onError: 'continueErrorOutput' });
			expect(result.status).toBe('success');
			const success = result.output(NODE_NAME, 0);
			const errors = result.output(NODE_NAME, 1);
			expect(paired(success)).toEqual([0, 2]);
			expect(success.map((item) => item.json.instanceId)).toEqual([STANDARD_ID, OTHER_ID]);
			expect(errors).toHaveLength(1);
			expect(errors[0].json.error).toBe('Instance "bad id" is not valid (item 1)');
			expect(errors[0].pairedItem).toEqual({ item: 1 });
			expect(errors[0].error).toBeInstanceOf(NodeOperationError);
		});

		it('a backup that does not exist fails only its own item too', async () => {
			const items = [inputs[0], { ...inputs[2], backup: '999999999' }];
			const result = await runAlibabaNode(emulator, fromItem('get'), { items, onError: 'continueRegularOutput' });
			const out = result.output(NODE_NAME);
			expect(paired(out)).toEqual([0, 1]);
			expect(out[0].json.backupId).toBe(inputs[0].backup);
			expect(out[1].json.error).toEqual(expect.stringContaining('999999999'));
			expect(out[1].error).toBeDefined();
		});
	});
});
