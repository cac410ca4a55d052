/**
 * API answers the node must not trust, and API calls that never answer: a list answer with a null entry, a record
 * without its ID or with epoch milliseconds in a time field is "malformed" (never a crash, an item without ID or a
 * date in the year 57000); a call that hangs is given up after the Request Timeout, not n8n's 300 s.
 */
import { CLOUDS } from './clouds';
import {
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	pushFault,
	requestsSince,
	runCloudNode,
	useCloudEmulator,
	type BackupFixture,
} from './kit';
import type { CloudEmulator } from '../../emulator';

describe.each(CLOUDS)('%s: malformed list answers', (_label, kit) => {
	const emulator = useCloudEmulator(kit);
	const listAction = kit.actions.list.standard;
	let backup: BackupFixture;
	beforeAll(async () => {
		backup = await kit.addStandardBackup(emulator, 16 * 1024);
	});

	const cases: Array<[string, (e: CloudEmulator, b: BackupFixture) => unknown]> = [
		['a null entry', (e, b) => kit.fuzz.listWithNullEntry(e, b)],
		['a record without its ID', (e, b) => kit.fuzz.listRecordWithoutId(e, b)],
		['epoch milliseconds in a time field', (e, b) => kit.fuzz.listWithEpochMillis(e, b)],
	];

	it.each(cases)('a list answer with %s, every time: List fails with "malformed", never a crash or a made-up item', async (_what, fuzz) => {
		pushFault(kit, emulator, { kind: 'answer', action: listAction, body: fuzz(emulator, backup), times: 10 });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.list(backup.instance, { limit: 5 }), { onError: 'continueRegularOutput' });
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		const message = String(items[0].json.error);
		expect(message).toMatch(/malformed/i);
		expect(message).toContain(listAction);
		expect(message).not.toMatch(/Cannot read properties|undefined|TypeError/);
		for (const item of items) {
			if ('backupId' in item.json) expect(item.json.backupId).toEqual(expect.stringMatching(/\S/));
			if (typeof item.json.startedAt === 'string') expect(Number(item.json.startedAt.slice(0, 4))).toBeLessThanOrEqual(2200);
		}
		expect(requestsSince(kit, emulator, mark, listAction).length).toBeGreaterThanOrEqual(1);
	});

	it('without Continue On Fail the node fails with "malformed" and outputs nothing', async () => {
		pushFault(kit, emulator, { kind: 'answer', action: listAction, body: kit.fuzz.listWithNullEntry(emulator, backup), times: 10 });
		const result = await runCloudNode(kit, emulator, kit.params.list(backup.instance, { limit: 5 }));
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toMatch(/malformed/i);
		expect(error.message).not.toMatch(/Cannot read properties/);
		expect(error.description ?? '').not.toContain(kit.apiAdvice('auth'));
		expect(result.runData[NODE_NAME][0].data).toBeUndefined();
	});

	it('Get by ID refuses a record without its ID too (never an item with an empty backupId)', async () => {
		pushFault(kit, emulator, { kind: 'answer', action: listAction, body: kit.fuzz.listRecordWithoutId(emulator, backup), times: 10 });
		const result = await runCloudNode(kit, emulator, kit.params.get(backup), { onError: 'continueRegularOutput' });
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		expect(items[0].json.backupId).toBeUndefined();
		expect(String(items[0].json.error)).toMatch(/malformed/i);
	});

	it('one malformed answer to a read is retried, and the list then succeeds', async () => {
		pushFault(kit, emulator, { kind: 'answer', action: listAction, body: kit.fuzz.listWithNullEntry(emulator, backup) });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.list(backup.instance, { limit: 3 }));
		expect(result.status).toBe('success');
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(3);
		for (const item of items) expect(item.json.backupId).toEqual(expect.stringMatching(/\S/));
		expect(requestsSince(kit, emulator, mark, listAction).map((r) => r.fault)).toEqual(['answer', undefined]);
	});
});

describe.each(CLOUDS)('%s: an API call that never answers', (_label, kit) => {
	const emulator = useCloudEmulator(kit);
	const listAction = kit.actions.list.standard;
	const timeout = { options: { requestTimeoutSeconds: 1 } };

	it('is given up after Request Timeout (1 s) and retried: the list succeeds within seconds', async () => {
		pushFault(kit, emulator, { kind: 'silent', action: listAction });
		const mark = markRequests(kit, emulator);
		const started = Date.now();
		const result = await runCloudNode(kit, emulator, kit.params.list(kit.instances.standard, { limit: 2, ...timeout }));
		const elapsed = Date.now() - started;
		expect(result.status).toBe('success');
		expect(result.output(NODE_NAME)).toHaveLength(2);
		expect(elapsed).toBeGreaterThanOrEqual(900);
		expect(elapsed).toBeLessThan(6_000);
		expect(requestsSince(kit, emulator, mark, listAction).map((r) => [r.fault, r.status])).toEqual([
			['silent', 0],
			[undefined, 200],
		]);
	});

	it('that never answers at all fails within seconds (not 300 s), naming the action', async () => {
		pushFault(kit, emulator, { kind: 'silent', action: listAction, times: 10 });
		const mark = markRequests(kit, emulator);
		const started = Date.now();
		const result = await runCloudNode(kit, emulator, kit.params.list(kit.instances.standard, { limit: 2, ...timeout }));
		const elapsed = Date.now() - started;
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toContain(listAction);
		expect(elapsed).toBeLessThan(15_000);
		const sent = requestsSince(kit, emulator, mark, listAction).length;
		expect(sent).toBeGreaterThanOrEqual(2);
		expect(sent).toBeLessThan(10);
	}, 30_000);

	it('a create that gets no answer is given up after Request Timeout (1 s), not sent again, and says it may have started', async () => {
		const create = kit.actions.create;
		pushFault(kit, emulator, { kind: 'silent', action: create });
		const mark = markRequests(kit, emulator);
		const before = kit.taskIds(emulator).length;
		const started = Date.now();
		const result = await runCloudNode(kit, emulator, kit.params.create(kit.instances.standard, timeout));
		const elapsed = Date.now() - started;
		expect(result.status).toBe('error');
		expect(elapsed).toBeLessThan(6_000);
		const error = nodeErrorOf(result);
		expect(error.message).toContain(create);
		expect(error.message).toMatch(/may or may not have (been )?started/i);
		expect(requestsSince(kit, emulator, mark, create)).toHaveLength(1);
		expect(kit.taskIds(emulator)).toHaveLength(before);
	});
});
