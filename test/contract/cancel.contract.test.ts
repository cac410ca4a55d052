/**
 * Stopping an execution (the editor's Stop button): whatever the node is doing — waiting to retry a throttled
 * download, waiting for an API answer, writing the second file of a cluster backup — the run ends promptly as
 * "canceled", any error recorded says "The execution was cancelled" (never n8n's "Error that was not an instance
 * of Error was thrown"), nothing more is sent, and no half-written file is left in n8n's binary store.
 */
import { CLOUDS } from './clouds';
import {
	binaryStoreDir,
	markRequests,
	NODE_NAME,
	pushFault,
	requestsSince,
	runCloudNode,
	sleep,
	tempFilesIn,
	useCloudEmulator,
	waitUntil,
	type BackupFixture,
	type RunWorkflowResult,
} from './kit';

const CANCELLED = 'The execution was cancelled';

/** The run ended as canceled, and whatever error n8n recorded reads as a cancellation. */
function expectCancelled(result: RunWorkflowResult): void {
	expect(result.status).toBe('canceled');
	const nodeError = result.nodeError(NODE_NAME);
	if (nodeError) expect(nodeError.message).toBe(CANCELLED);
	if (result.error) {
		expect(result.error.message).not.toMatch(/not an instance of Error/);
		expect(result.error.message).toMatch(/cancel/i);
	}
	const items = result.runData[NODE_NAME]?.[0]?.data?.main?.flat() ?? [];
	for (const item of items) {
		if (item?.json.error !== undefined) expect(item.json.error).toBe(CANCELLED);
	}
}

describe.each(CLOUDS)('%s: cancelling an execution', (_label, kit) => {
	const emulator = useCloudEmulator(kit);
	const download = kit.actions.download;
	let backup: BackupFixture;
	beforeAll(async () => {
		backup = await kit.addStandardBackup(emulator, 32 * 1024);
	});

	it.each([
		['stopped', undefined],
		['continuing on fail', 'continueRegularOutput' as const],
	])('while a download waits to retry after a 429 with Retry-After: 5 (%s): canceled promptly, nothing sent after', async (_mode, onError) => {
		pushFault(kit, emulator, { kind: 'throttle', action: download, retryAfterSeconds: 5 });
		const mark = markRequests(kit, emulator);
		const controller = new AbortController();
		const pending = runCloudNode(kit, emulator, kit.params.download(backup), { signal: controller.signal, onError });
		await waitUntil(() => requestsSince(kit, emulator, mark, download).some((r) => r.status === 429), 'the 429 was answered');
		// Now the node sleeps for the server's Retry-After.
		await sleep(300);
		const abortedAt = Date.now();
		controller.abort();
		const result = await pending;
		expect(Date.now() - abortedAt).toBeLessThan(2_000);
		expectCancelled(result);
		expect(requestsSince(kit, emulator, mark, download)).toHaveLength(1);
	});

	it('while an API call waits for its answer: canceled promptly', async () => {
		const listAction = kit.actions.list.standard;
		pushFault(kit, emulator, { kind: 'silent', action: listAction });
		const mark = markRequests(kit, emulator);
		const controller = new AbortController();
		const pending = runCloudNode(kit, emulator, kit.params.list(kit.instances.standard, { limit: 1 }), { signal: controller.signal });
		await waitUntil(() => requestsSince(kit, emulator, mark, listAction).length > 0, 'the list call was received');
		await sleep(200);
		const abortedAt = Date.now();
		controller.abort();
		const result = await pending;
		expect(Date.now() - abortedAt).toBeLessThan(2_000);
		expectCancelled(result);
		await sleep(500);
		// Not retried after the cancel.
		expect(requestsSince(kit, emulator, mark, listAction)).toHaveLength(1);
	});

	it('while Wait Until Finished waits between checks: canceled promptly, no more checks', async () => {
		const taskId = kit.startBackupTask(emulator, kit.instances.standard);
		const tasksAction = kit.actions.tasks;
		const mark = markRequests(kit, emulator);
		const controller = new AbortController();
		const pending = runCloudNode(
			kit,
			emulator,
			kit.params.wait(kit.instances.standard, taskId, { options: { pollIntervalSeconds: 3, maxPollIntervalSeconds: 3 } }),
			{ signal: controller.signal },
		);
		await waitUntil(() => requestsSince(kit, emulator, mark, tasksAction).length > 0, 'the first check was sent');
		await sleep(300);
		const checks = requestsSince(kit, emulator, mark).length;
		const abortedAt = Date.now();
		controller.abort();
		const result = await pending;
		expect(Date.now() - abortedAt).toBeLessThan(2_000);
		expectCancelled(result);
		await sleep(500);
		expect(requestsSince(kit, emulator, mark)).toHaveLength(checks);
	});
});

describe.each(CLOUDS)('%s: cancelling a multi-file download mid-way', (_label, kit) => {
	const emulator = useCloudEmulator(kit);
	const maybe = kit.instances.cluster ? it : it.skip;
	const download = kit.actions.download;
	const SHARD_SIZE = 64 * 1024;
	const STALL_AT = 16 * 1024;
	let backup: BackupFixture;
	beforeAll(async () => {
		if (kit.instances.cluster) backup = await kit.addClusterBackup!(emulator, [SHARD_SIZE, SHARD_SIZE]);
	});

	maybe('leaves no half-written (.tmp) file in the binary store, and ends canceled', async () => {
		const storeDir = await binaryStoreDir();
		// The first file comes in full (slowly, in pieces); the second stops after STALL_AT bytes and stays open.
		pushFault(kit, emulator, { kind: 'slowBody', action: download, delayMs: 1 });
		pushFault(kit, emulator, { kind: 'stall', action: download, afterBytes: STALL_AT });
		const mark = markRequests(kit, emulator);
		const controller = new AbortController();
		const pending = runCloudNode(kit, emulator, kit.params.download(backup), { signal: controller.signal });
		await waitUntil(() => {
			const downloads = requestsSince(kit, emulator, mark, download);
			return downloads.length >= 2 && (downloads[1].bytesSent ?? 0) >= STALL_AT;
		}, 'the second file is half sent');
		// The node is now writing the second file into the store: the write is under way.
		await sleep(300);
		expect((await tempFilesIn(storeDir)).length).toBeGreaterThan(0);
		const abortedAt = Date.now();
		controller.abort();
		const result = await pending;
		expect(Date.now() - abortedAt).toBeLessThan(2_000);
		expectCancelled(result);
		await sleep(200);
		expect(await tempFilesIn(storeDir)).toEqual([]);
		expect(requestsSince(kit, emulator, mark, download).map((r) => r.path)).toEqual(backup.files.map((f) => f.path));
	});
});
