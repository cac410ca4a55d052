/**
 * Backup → Download survives what a long download meets: a body cut mid-way is resumed with a Range request from
 * the bytes already received (or started over where the storage ignores Range), throttling, 5xx and resets are
 * retried, a stalled body is given up after the Idle Timeout and resumed, and persistent failure is reported
 * truthfully.
 */
import { CLOUDS } from './clouds';
import {
	binaryOf,
	claimedTries,
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	pushFault,
	requestsSince,
	runCloudNode,
	storedBytes,
	useCloudEmulator,
	verifiedDownloadFields,
	type BackupFixture,
} from './kit';

const FILE_SIZE = 64 * 1024;

describe.each(CLOUDS)('%s: a download is retried and resumed', (_label, kit) => {
	const emulator = useCloudEmulator(kit);
	const download = kit.actions.download;
	let backup: BackupFixture;
	beforeAll(async () => {
		backup = await kit.addStandardBackup(emulator, FILE_SIZE);
	});

	const expectExactFile = async (result: Awaited<ReturnType<typeof runCloudNode>>) => {
		expect(result.status).toBe('success');
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		expect((await storedBytes(binaryOf(items[0]))).equals(backup.files[0].bytes)).toBe(true);
		expect(items[0].json).toMatchObject({ downloadedBytes: FILE_SIZE, ...verifiedDownloadFields(backup.files[0]) });
	};

	it('a body cut off mid-way is resumed with a Range request for the rest of what it kept (206)', async () => {
		pushFault(kit, emulator, { kind: 'truncatedBody', action: download });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		await expectExactFile(result);
		const downloads = requestsSince(kit, emulator, mark, download);
		expect(downloads).toHaveLength(2);
		expect(downloads[0]).toMatchObject({ fault: 'truncatedBody', status: 200 });
		const delivered = downloads[0].bytesSent!;
		expect(delivered).toBeGreaterThan(0);
		expect(delivered).toBeLessThan(FILE_SIZE);
		// A continuation, not a new download: Range from some offset up to what arrived, answered 206.
		const from = Number(/^bytes=(\d+)-$/.exec(downloads[1].range ?? '')?.[1]);
		expect(from).toBeGreaterThanOrEqual(0);
		expect(from).toBeLessThanOrEqual(delivered);
		expect(downloads[1]).toMatchObject({ status: 206, contentRange: `bytes ${from}-${FILE_SIZE - 1}/${FILE_SIZE}` });
		expect(downloads[1].fault).toBeUndefined();
	});

	it('a body cut off mid-way is resumed from exactly the bytes the first request delivered', async () => {
		pushFault(kit, emulator, { kind: 'truncatedBody', action: download });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		await expectExactFile(result);
		const downloads = requestsSince(kit, emulator, mark, download);
		expect(downloads).toHaveLength(2);
		const delivered = downloads[0].bytesSent!;
		// Bytes that reached the client before the connection closed are kept, not fetched again.
		expect(downloads[1]).toMatchObject({
			range: `bytes=${delivered}-`,
			status: 206,
			contentRange: `bytes ${delivered}-${FILE_SIZE - 1}/${FILE_SIZE}`,
		});
	});

	it('where the storage ignores Range, a cut download starts over from byte 0 and still stores the exact file', async () => {
		kit.setRangeMode(emulator, 'ignore');
		pushFault(kit, emulator, { kind: 'truncatedBody', action: download });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		await expectExactFile(result);
		const downloads = requestsSince(kit, emulator, mark, download);
		expect(downloads.length).toBeGreaterThanOrEqual(2);
		const last = downloads.at(-1)!;
		// The whole file again, not a part appended to what the cut request left.
		expect(last).toMatchObject({ status: 200, bytesSent: FILE_SIZE });
		expect(last.contentRange).toBeUndefined();
	});

	it.each([
		['a 429', { status: undefined }, 429],
		['a 503 SlowDown', { status: 503 }, 503],
	])('%s before the body is retried', async (_what, { status }, expected) => {
		pushFault(kit, emulator, { kind: 'throttle', action: download, ...(status ? { status } : {}) });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		await expectExactFile(result);
		expect(requestsSince(kit, emulator, mark, download).map((r) => r.status)).toEqual([expected, 200]);
	});

	it('a connection reset before any header is retried', async () => {
		pushFault(kit, emulator, { kind: 'reset', action: download });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		await expectExactFile(result);
		expect(requestsSince(kit, emulator, mark, download).map((r) => [r.fault, r.status])).toEqual([
			['reset', 0],
			[undefined, 200],
		]);
	});

	it('a storage that fails every try gives up, and the message claims no more tries than were sent', async () => {
		pushFault(kit, emulator, { kind: 'serverError', action: download, times: 10 });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup), { onError: 'continueErrorOutput' });
		expect(result.output(NODE_NAME, 0)).toHaveLength(0);
		const [failed] = result.output(NODE_NAME, 1);
		expect(failed.binary).toBeUndefined();
		const message = String(failed.json.error);
		expect(message).toMatch(/503/);
		expect(message).not.toMatch(/Signature=/);
		const sent = requestsSince(kit, emulator, mark, download).length;
		expect(sent).toBeGreaterThanOrEqual(2);
		expect(sent).toBeLessThan(10);
		expect(claimedTries(message) ?? 1).toBeLessThanOrEqual(sent);
	});

	it('a connection reset on every try gives up, and the message claims no more tries than were sent', async () => {
		pushFault(kit, emulator, { kind: 'reset', action: download, times: 10 });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		const sent = requestsSince(kit, emulator, mark, download).length;
		expect(sent).toBeGreaterThanOrEqual(2);
		expect(claimedTries(error.message) ?? 1).toBeLessThanOrEqual(sent);
		expect(error.message).toContain(backup.files[0].name);
	});

	it('a body that stalls is given up after the Idle Timeout (1 s) and resumed where it stopped', async () => {
		pushFault(kit, emulator, { kind: 'stall', action: download, afterBytes: 16 * 1024 });
		const mark = markRequests(kit, emulator);
		const started = Date.now();
		const result = await runCloudNode(kit, emulator, kit.params.download(backup, { options: { idleTimeoutSeconds: 1 } }));
		const elapsed = Date.now() - started;
		await expectExactFile(result);
		expect(elapsed).toBeGreaterThanOrEqual(900);
		expect(elapsed).toBeLessThan(8_000);
		const downloads = requestsSince(kit, emulator, mark, download);
		expect(downloads.map((r) => [r.fault, r.status, r.range, r.bytesSent])).toEqual([
			['stall', 200, undefined, 16 * 1024],
			[undefined, 206, `bytes=${16 * 1024}-`, FILE_SIZE - 16 * 1024],
		]);
	});

	it('a storage that accepts the request but never answers is given up after the Request Timeout (1 s) and retried', async () => {
		pushFault(kit, emulator, { kind: 'silent', action: download });
		const mark = markRequests(kit, emulator);
		const started = Date.now();
		const result = await runCloudNode(kit, emulator, kit.params.download(backup, { options: { requestTimeoutSeconds: 1 } }));
		const elapsed = Date.now() - started;
		await expectExactFile(result);
		expect(elapsed).toBeLessThan(8_000);
		expect(requestsSince(kit, emulator, mark, download).map((r) => [r.fault, r.status])).toEqual([
			['silent', 0],
			[undefined, 200],
		]);
	});
});
