/**
 * Backup → Create changes the cloud, so: every item is checked before the first backup is started; under Continue
 * On Fail a bad item fails alone; when a later item fails, the error names the backups earlier items started; the
 * cloud's "instance in the wrong state" is a request problem, not a credential one; an answer without a task ID is
 * an error (never a success item with an empty ID) and the create is not sent again.
 */
import type { IDataObject } from 'n8n-workflow';

import { CLOUDS } from './clouds';
import {
	errorKindOf,
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	onceLogged,
	pushFault,
	requestsSince,
	runCloudNode,
	useCloudEmulator,
} from './kit';

describe.each(CLOUDS)('%s: Backup → Create', (_label, kit) => {
	const emulator = useCloudEmulator(kit);
	const create = kit.actions.create;
	const instance = kit.instances.standard;
	// Item 3 starts its backup while item 1's runs: on another instance where the cloud allows one at a time.
	const third = kit.instances.another ?? instance;
	const fromItems = () => kit.params.create(instance, kit.instanceByExpression('={{ $json.instance }}'));
	const threeItems = (): IDataObject[] => [
		{ instance: instance.instanceId },
		{ instance: kit.invalidInstanceId },
		{ instance: third.instanceId },
	];
	const newTasks = (before: string[]) => kit.taskIds(emulator).slice(before.length);

	it('checks every item before creating any: an invalid instance in item 2 stops the node before the first create', async () => {
		const before = kit.taskIds(emulator);
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, fromItems(), { items: threeItems() });
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toContain(kit.labels.instance);
		expect(error.message).toContain('(item 1)');
		expect(requestsSince(kit, emulator, mark, create)).toHaveLength(0);
		expect(requestsSince(kit, emulator, mark)).toHaveLength(0);
		expect(newTasks(before)).toEqual([]);
	});

	it('under "continue (using error output)": item 2 goes to the error output, items 1 and 3 are created', async () => {
		const before = kit.taskIds(emulator);
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, fromItems(), { items: threeItems(), onError: 'continueErrorOutput' });
		expect(result.status).toBe('success');
		const created = result.output(NODE_NAME, 0);
		const failed = result.output(NODE_NAME, 1);
		expect(created.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		const started = newTasks(before);
		expect(started).toHaveLength(2);
		expect(created.map((item) => item.json.taskId)).toEqual(started);
		expect(failed).toHaveLength(1);
		expect(failed[0].pairedItem).toEqual({ item: 1 });
		expect(String(failed[0].json.error)).toContain('(item 1)');
		expect(requestsSince(kit, emulator, mark, create)).toHaveLength(2);
	});

	it('a later item refused by the cloud: the error names the backup task item 1 already started', async () => {
		const before = kit.taskIds(emulator);
		const mark = markRequests(kit, emulator);
		// The cloud refuses the SECOND create: queued the moment the first one is answered.
		const unhook = onceLogged(
			kit,
			emulator,
			(entry) => entry.action === create && entry.status === 200,
			() => pushFault(kit, emulator, kit.wrongState.fault(create)),
		);
		let result;
		try {
			result = await runCloudNode(kit, emulator, fromItems(), { items: [{ instance: instance.instanceId }, { instance: instance.instanceId }] });
		} finally {
			unhook();
		}
		expect(result.status).toBe('error');
		const [startedByFirst] = newTasks(before);
		expect(startedByFirst).toBeDefined();
		expect(newTasks(before)).toHaveLength(1);
		const error = nodeErrorOf(result);
		expect(error.message).toContain(kit.wrongState.code);
		expect(error.description).toContain(startedByFirst);
		expect(requestsSince(kit, emulator, mark, create).map((r) => r.status)).toEqual([200, kit.wrongState.httpStatus]);
	});

	it('the instance in the wrong state is not described as a credential or access problem', async () => {
		pushFault(kit, emulator, kit.wrongState.fault(create));
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.create(instance));
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toContain(kit.wrongState.code);
		expect(error.httpCode).toBe(String(kit.wrongState.httpStatus));
		expect(errorKindOf(error)).not.toBe('auth');
		expect(error.description ?? '').not.toContain(kit.apiAdvice('auth'));
		expect(error.message).not.toMatch(/may or may not/i);
		expect(requestsSince(kit, emulator, mark, create)).toHaveLength(1);
	});

	it('a create answer without the task ID is an error, never a success item with an empty task ID, and is sent once', async () => {
		pushFault(kit, emulator, { kind: 'answer', action: create, body: kit.fuzz.createWithoutTaskId(), times: 3 });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.create(instance), { onError: 'continueRegularOutput' });
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		expect(items[0].json.taskId).toBeUndefined();
		expect(String(items[0].json.error)).toMatch(/malformed/i);
		expect(String(items[0].json.error)).toMatch(/may or may not have (been )?started/i);
		expect(requestsSince(kit, emulator, mark, create)).toHaveLength(1);
	});

	it('a create answer without the task ID, without Continue On Fail: the node fails and outputs nothing', async () => {
		pushFault(kit, emulator, { kind: 'answer', action: create, body: kit.fuzz.createWithoutTaskId(), times: 3 });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.create(instance));
		expect(result.status).toBe('error');
		expect(nodeErrorOf(result).message).toMatch(/malformed/i);
		expect(result.runData[NODE_NAME][0].data).toBeUndefined();
		expect(requestsSince(kit, emulator, mark, create)).toHaveLength(1);
	});
});
