/**
 * Backup → Download stores exactly the file, checked against the storage's checksum (a CRC-64, or the storage's own
 * hash; computed while streaming, never echoed from the header), and says so; bytes that are not the file are an
 * integrity error with no binary, and each storage error gets advice about its real cause.
 */
import type { FaultSpec } from '../../emulator';
import type { CloudErrorKind } from '../../nodes/common/errors';
import { CLOUDS } from './clouds';
import {
	binaryOf,
	binaryStoreDir,
	claimedTries,
	errorKindOf,
	filesIn,
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

const FILE_SIZE = 48 * 1024;

describe.each(CLOUDS)('%s: a download is verified, not echoed', (_label, kit) => {
	const emulator = useCloudEmulator(kit);
	const download = kit.actions.download;
	let backup: BackupFixture;
	beforeAll(async () => {
		backup = await kit.addStandardBackup(emulator, FILE_SIZE);
	});

	it('a clean download stores the exact file and reports the checksum it computed, equal to the storage\'s', async () => {
		const [file] = backup.files;
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		expect(result.status).toBe('success');
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({
			backupId: backup.backupId,
			downloadedBytes: file.size,
			...verifiedDownloadFields(file),
		});
		expect((await storedBytes(binaryOf(items[0]))).equals(file.bytes)).toBe(true);
		const downloads = requestsSince(kit, emulator, mark, download);
		expect(downloads.map((r) => [r.path, r.status, r.range])).toEqual([[file.path, 200, undefined]]);
	});

	it('one flipped byte (right length, clean checksum header) is caught and the file fetched again from the start', async () => {
		const [file] = backup.files;
		pushFault(kit, emulator, { kind: 'corruptBody', action: download });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		expect(result.status).toBe('success');
		const [item] = result.output(NODE_NAME);
		expect((await storedBytes(binaryOf(item))).equals(file.bytes)).toBe(true);
		expect(item.json).toMatchObject({ ...verifiedDownloadFields(file), downloadedBytes: file.size });
		// The fault was used once; the second request fetched the whole file again (no Range: nothing kept).
		const downloads = requestsSince(kit, emulator, mark, download);
		expect(downloads.map((r) => [r.fault, r.status, r.range])).toEqual([
			['corruptBody', 200, undefined],
			[undefined, 200, undefined],
		]);
		expect(kit.emulator.server(emulator).faults.pending()).toHaveLength(0);
	});

	it('corruption on every try fails the item with an integrity error, and no binary is output', async () => {
		pushFault(kit, emulator, { kind: 'corruptBody', action: download, times: 10 });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toMatch(/CRC|checksum/i);
		expect(errorKindOf(error)).toBe('integrity');
		expect(error.description ?? '').not.toContain(kit.apiAdvice('auth'));
		expect(result.runData[NODE_NAME][0].data).toBeUndefined();
		const downloads = requestsSince(kit, emulator, mark, download);
		expect(downloads.length).toBeGreaterThanOrEqual(2);
		expect(claimedTries(error.message) ?? 1).toBeLessThanOrEqual(downloads.length);
	});

	it('corruption on every try under "continue (using error output)": the item goes to the error output, without a binary', async () => {
		pushFault(kit, emulator, { kind: 'corruptBody', action: download, times: 10 });
		const result = await runCloudNode(kit, emulator, kit.params.download(backup), { onError: 'continueErrorOutput' });
		expect(result.status).toBe('success');
		expect(result.output(NODE_NAME, 0)).toHaveLength(0);
		const errors = result.output(NODE_NAME, 1);
		expect(errors).toHaveLength(1);
		expect(errors[0].binary).toBeUndefined();
		expect(errors[0].json.error).toEqual(expect.stringMatching(/CRC|checksum/i));
		expect(errors[0].pairedItem).toEqual({ item: 0 });
		expect(errorKindOf(errors[0].error)).toBe('integrity');
	});

	it('a file whose size differs from the size the cloud reported is an integrity error, and nothing is stored', async () => {
		const [file] = backup.files;
		const storeDir = await binaryStoreDir();
		const storedBefore = await filesIn(storeDir);
		// The cloud reports one byte more than the storage holds (and announces in Content-Length).
		pushFault(kit, emulator, {
			kind: 'answer',
			action: kit.actions.fileSizes ?? kit.actions.list.standard,
			body: kit.fuzz.listWithFileSize(emulator, backup, file.size + 1),
		});
		const result = await runCloudNode(kit, emulator, kit.params.download(backup), { onError: 'continueErrorOutput' });
		expect(result.output(NODE_NAME, 0)).toHaveLength(0);
		const [failed] = result.output(NODE_NAME, 1);
		expect(failed.binary).toBeUndefined();
		expect(errorKindOf(failed.error)).toBe('integrity');
		expect(failed.json.error).toEqual(expect.stringContaining(String(file.size)));
		expect(failed.error?.description ?? '').not.toContain(kit.apiAdvice('auth'));
		expect(await filesIn(storeDir)).toEqual(storedBefore);
	});

	it('a storage 403 (not an expired URL) gets advice about the storage, not about the API credential', async () => {
		pushFault(kit, emulator, {
			kind: 'error',
			action: download,
			status: 403,
			code: 'AccessDenied',
			message: 'You have no right to access this object because of bucket acl.',
		});
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toMatch(/403/);
		expect(error.message).not.toMatch(/expired/i);
		expect(error.description ?? '').not.toContain(kit.apiAdvice('auth'));
		expect(error.description).toMatch(/storage|presigned|download URL/i);
		expect(error.description).toMatch(/not your API credentials|not .*credential/i);
		// A refusal is not retried.
		expect(requestsSince(kit, emulator, mark, download)).toHaveLength(1);
	});
});

/**
 * Advice the node gives for its API calls (check the AccessKey, the credential's endpoint, the rate limit of the
 * AccessKey) is wrong for the storage behind the download URLs: those requests carry no API credential and do not
 * go to the credential's endpoint.
 */
const API_ONLY_ADVICE: CloudErrorKind[] = ['auth', 'throttled', 'network', 'malformed'];

describe.each(CLOUDS)('%s: storage failures are described as storage failures', (_label, kit) => {
	const emulator = useCloudEmulator(kit);
	const download = kit.actions.download;
	let backup: BackupFixture;
	beforeAll(async () => {
		backup = await kit.addStandardBackup(emulator, 16 * 1024);
	});

	const cases: Array<[string, (b: BackupFixture) => FaultSpec]> = [
		['a storage 403 (bucket policy)', () => ({ kind: 'error', action: download, status: 403, code: 'AccessDenied', message: 'You have no right to access this object because of bucket acl.' })],
		['storage throttling (429) on every try', () => ({ kind: 'throttle', action: download, times: 10 })],
		['a connection reset on every try', () => ({ kind: 'reset', action: download, times: 10 })],
		['a redirect loop', (b) => ({ kind: 'redirect', action: download, location: b.files[0].alternateUrl, times: 20 })],
	];

	it.each(cases)('%s: the description gives none of the API\'s advice about credentials, endpoint or AccessKey', async (_what, fault) => {
		pushFault(kit, emulator, fault(backup));
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toContain(backup.files[0].name);
		for (const kind of API_ONLY_ADVICE) expect(error.description ?? '').not.toContain(kit.apiAdvice(kind));
	});
});
