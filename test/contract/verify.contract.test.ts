/**
 * Verify the backup, not only the bytes: Backup → Download (Verify on by default) and Backup → Verify read each file
 * as it streams with the RDB verifier (common/rdb.ts) beside the storage's checksum, on every cloud, through n8n's
 * engine against the emulator's real RDB files. A valid RDB says what was verified; a corrupt one (its own CRC-64
 * wrong while the storage's checksum matches) is an integrity error and nothing is stored; bytes that are not an RDB
 * are named, not failed; a resumed body still verifies; Verify stores nothing.
 */
import type { IDataObject } from 'n8n-workflow';

import { CLOUDS } from './clouds';
import {
	binaryOf,
	binaryStoreDir,
	errorKindOf,
	filesIn,
	markRequests,
	NODE_NAME,
	pushFault,
	requestsSince,
	runCloudNode,
	storedBytes,
	useCloudEmulator,
	verifiedDownloadFields,
	type BackupFixture,
	type CloudKit,
} from './kit';

const FILE_SIZE = 48 * 1024;

/** The fields of an item whose file is a valid RDB of the emulator's default version, both checksums verified. */
const VERIFIED_RDB: IDataObject = {
	format: 'rdb',
	rdbVersion: 11,
	rdbChecksumOk: true,
	cloudChecksumOk: true,
	verification: expect.stringMatching(/^An RDB version 11 file \(\d+ bytes\), its CRC-64 [0-9a-f]{16} verified\.$/),
};

function setContent(kit: CloudKit, emulator: Parameters<CloudKit['emulator']['server']>[0], backup: BackupFixture, content: 'random' | 'corrupt-rdb'): void {
	for (const fixture of backup.files) {
		const file = kit.emulator.server(emulator).file(fixture.key);
		expect(file.size).toBe(fixture.size);
		file.content = content;
	}
}

describe.each(CLOUDS)('%s: Download verifies the backup', (_label, kit) => {
	const emulator = useCloudEmulator(kit);
	const download = kit.actions.download;
	let backup: BackupFixture;
	let corrupt: BackupFixture;
	let random: BackupFixture;
	beforeAll(async () => {
		backup = await kit.addStandardBackup(emulator, FILE_SIZE);
		corrupt = await kit.addStandardBackup(emulator, FILE_SIZE + 1);
		setContent(kit, emulator, corrupt, 'corrupt-rdb');
		random = await kit.addStandardBackup(emulator, FILE_SIZE + 2);
		setContent(kit, emulator, random, 'random');
	});

	it('by default: the RDB header, version and own CRC-64 verified with the storage checksum, said in the item', async () => {
		const [file] = backup.files;
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		expect(result.status).toBe('success');
		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject({ ...verifiedDownloadFields(file), ...VERIFIED_RDB, downloadedBytes: file.size });
		expect((await storedBytes(binaryOf(item))).equals(file.bytes)).toBe(true);
	});

	it('Verify off: the same download, without the verification fields', async () => {
		const result = await runCloudNode(kit, emulator, kit.params.download(backup, { options: { verify: false } }));
		expect(result.status).toBe('success');
		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject(verifiedDownloadFields(backup.files[0]));
		for (const field of ['format', 'rdbVersion', 'rdbChecksumOk', 'cloudChecksumOk', 'verification']) {
			expect(item.json).not.toHaveProperty(field);
		}
	});

	it('an RDB whose own CRC-64 fails while the storage checksum matches: an integrity error, nothing stored, not retried', async () => {
		const storeDir = await binaryStoreDir();
		const before = await filesIn(storeDir);
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(corrupt), { onError: 'continueErrorOutput' });
		expect(result.output(NODE_NAME, 0)).toHaveLength(0);
		const [failed] = result.output(NODE_NAME, 1);
		expect(failed.binary).toBeUndefined();
		expect(errorKindOf(failed.error)).toBe('integrity');
		expect(failed.json.error).toEqual(
			expect.stringMatching(
				new RegExp(`^${corrupt.files[0].name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} failed verification: An RDB version 11 file .*CRC-64 does not match.*so the backup file itself is damaged$`),
			),
		);
		expect(failed.error?.description).toMatch(/Do not rely on this backup/);
		expect(failed.error?.description ?? '').not.toContain(kit.apiAdvice('auth'));
		expect(await filesIn(storeDir)).toEqual(before);
		expect(requestsSince(kit, emulator, mark, download)).toHaveLength(1);
	});

	it('bytes that are not an RDB are named unknown, not failed, and stored', async () => {
		const result = await runCloudNode(kit, emulator, kit.params.download(random));
		expect(result.status).toBe('success');
		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject({
			format: 'unknown',
			rdbVersion: null,
			rdbChecksumOk: null,
			cloudChecksumOk: true,
			verification: expect.stringMatching(/^Not an RDB file/),
		});
		expect(binaryOf(item).fileSize).toBeDefined();
	});

	it('a body cut off mid-way is resumed (Range) and still verifies: the verifier sees each byte once', async () => {
		pushFault(kit, emulator, { kind: 'truncatedBody', action: download });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		expect(result.status).toBe('success');
		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject({ ...VERIFIED_RDB, downloadedBytes: FILE_SIZE });
		expect(requestsSince(kit, emulator, mark, download).map((r) => r.status)).toEqual([200, 206]);
		expect((await storedBytes(binaryOf(item))).equals(backup.files[0].bytes)).toBe(true);
	});

	it('where the storage ignores Range, a cut body starts over with a fresh verifier and still verifies', async () => {
		kit.setRangeMode(emulator, 'ignore');
		pushFault(kit, emulator, { kind: 'truncatedBody', action: download });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		expect(result.status).toBe('success');
		expect(result.output(NODE_NAME)[0].json).toMatchObject(VERIFIED_RDB);
		expect(requestsSince(kit, emulator, mark, download).map((r) => r.status)).toEqual([200, 200]);
	});
});

describe.each(CLOUDS)('%s: Backup → Verify streams without storing', (_label, kit) => {
	const emulator = useCloudEmulator(kit);
	const download = kit.actions.download;
	let backup: BackupFixture;
	let corrupt: BackupFixture;
	let random: BackupFixture;
	beforeAll(async () => {
		backup = await kit.addStandardBackup(emulator, FILE_SIZE);
		corrupt = await kit.addStandardBackup(emulator, FILE_SIZE + 1);
		setContent(kit, emulator, corrupt, 'corrupt-rdb');
		random = await kit.addStandardBackup(emulator, FILE_SIZE + 2);
		setContent(kit, emulator, random, 'random');
	});
	const verify = (b: BackupFixture, extra: IDataObject = {}) => kit.params.download(b, { operation: 'verify', ...extra });

	it('one item per file with what was verified, its size and duration; no binary, nothing in n8n\'s store', async () => {
		const [file] = backup.files;
		const storeDir = await binaryStoreDir();
		const before = await filesIn(storeDir);
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, verify(backup));
		expect(result.status).toBe('success');
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		expect(items[0].binary).toBeUndefined();
		expect(items[0].json).toMatchObject({
			provider: kit.id,
			backupId: backup.backupId,
			fileIndex: 0,
			fileCount: 1,
			name: file.name,
			sizeBytes: file.size,
			verifiedBytes: file.size,
			durationMs: expect.any(Number),
			...verifiedDownloadFields(file),
			...VERIFIED_RDB,
		});
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(await filesIn(storeDir)).toEqual(before);
		expect(requestsSince(kit, emulator, mark, download).map((r) => [r.path, r.status])).toEqual([[file.path, 200]]);
	});

	it('a corrupt RDB fails the item with an integrity error', async () => {
		const result = await runCloudNode(kit, emulator, verify(corrupt), { onError: 'continueErrorOutput' });
		expect(result.output(NODE_NAME, 0)).toHaveLength(0);
		const [failed] = result.output(NODE_NAME, 1);
		expect(errorKindOf(failed.error)).toBe('integrity');
		expect(failed.json.error).toEqual(expect.stringMatching(/failed verification: .*CRC-64 does not match/));
	});

	it('random bytes are named unknown, not failed', async () => {
		const result = await runCloudNode(kit, emulator, verify(random));
		expect(result.status).toBe('success');
		expect(result.output(NODE_NAME)[0].json).toMatchObject({ format: 'unknown', rdbChecksumOk: null, cloudChecksumOk: true });
	});

	it('a body cut off mid-way is resumed and still verifies', async () => {
		pushFault(kit, emulator, { kind: 'truncatedBody', action: download });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, verify(backup));
		expect(result.status).toBe('success');
		expect(result.output(NODE_NAME)[0].json).toMatchObject({ ...VERIFIED_RDB, verifiedBytes: FILE_SIZE });
		expect(requestsSince(kit, emulator, mark, download).map((r) => r.status)).toEqual([200, 206]);
	});

	it('a cluster backup: one verified item per shard', async () => {
		if (!kit.addClusterBackup) return;
		const cluster = await kit.addClusterBackup(emulator, [FILE_SIZE, FILE_SIZE + 100]);
		const result = await runCloudNode(kit, emulator, verify(cluster));
		expect(result.status).toBe('success');
		const items = result.output(NODE_NAME);
		expect(items.map((i) => [i.json.fileIndex, i.json.verifiedBytes, i.binary])).toEqual([
			[0, FILE_SIZE, undefined],
			[1, FILE_SIZE + 100, undefined],
		]);
		for (const item of items) expect(item.json).toMatchObject(VERIFIED_RDB);
	});

});
