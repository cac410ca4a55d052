/**
 * Backup → Download with the UCloud node: the shared downloader into n8n's filesystem binary store. US3 (UFile)
 * sends no CRC-64 but an ETag that is its own hash of the file: a download is checked by its length (the BackupSize
 * UCloud reported and the Content-Length) and by that ETag, computed while the bytes stream (checksumAlgorithm
 * us3-etag); a corrupt body of the right length is fetched again and, when it stays corrupt, refused with nothing
 * stored; broken bodies are resumed; a file served without an ETag is stored, checksumVerified: false.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { INodeParameters } from 'n8n-workflow';

import { Us3Etag } from '../../emulator';
import { initBinaryDataStore } from '../harness';
import {
	backupsOf,
	GROUP_ID,
	instanceRef,
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	requestsSince,
	runUCloudNode,
	sha256Of,
	stateOf,
	useEmulator,
} from './ucloudFixture';

/** Every file under n8n's binary store folder (temp files and sidecars included). */
async function filesUnder(dir: string): Promise<string[]> {
	const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
	return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath ?? '', entry.name)).sort();
}

/** US3's ETag of a stream of bytes, by the emulator's implementation (not the node's). */
async function emulatorEtagOf(stream: AsyncIterable<unknown>): Promise<string> {
	const etag = new Us3Etag();
	for await (const chunk of stream) etag.update(chunk as Buffer);
	return etag.digest();
}

describe('UCloud Backup → Download', () => {
	const emulator = useEmulator();
	let storeDir: string;
	beforeAll(async () => {
		storeDir = await initBinaryDataStore();
	});
	const succeeded = () => backupsOf(emulator).filter((b) => stateOf(emulator, b) === 'Success');
	const download = (backupId: string, extra: INodeParameters = {}) => ({
		resource: 'backup',
		operation: 'download',
		instanceId: instanceRef(GROUP_ID),
		backupId,
		...extra,
	});

	it("downloads the backup file, verified against US3's ETag (computed while streaming, equal to the one sent)", async () => {
		const record = succeeded()[0];
		const mark = markRequests(emulator);
		const result = await runUCloudNode(emulator, download(record.backupId));
		expect(result.error).toBeUndefined();
		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject({
			provider: 'ucloud',
			backupId: record.backupId,
			fileCount: 1,
			sizeBytes: record.sizeBytes,
			downloadedBytes: record.sizeBytes,
			checksumAlgorithm: 'us3-etag',
			checksumVerified: true,
			checksum: await emulator.ucloud.fileEtag(record.backupId),
			expectedChecksum: await emulator.ucloud.fileEtag(record.backupId),
			downloadAttempts: 1,
		});
		expect(item.json).not.toHaveProperty('crc64');
		expect(item.json).not.toHaveProperty('expectedCrc64');
		expect(await sha256Of(item.binary!.data)).toBe(await emulator.ucloud.fileSha256(record.backupId));
		expect(item.binary!.data.mimeType).toBe('application/octet-stream');
		const [fetched] = requestsSince(emulator, mark, 'Download');
		expect(fetched.path).toMatch(/^\/ufile\//);
	});

	it('downloads through the internal URL when asked', async () => {
		const record = succeeded()[1];
		const mark = markRequests(emulator);
		const result = await runUCloudNode(emulator, download(record.backupId, { urlType: 'internal' }));
		expect(result.error).toBeUndefined();
		expect(result.output(NODE_NAME)[0].json).toMatchObject({ downloadedBytes: record.sizeBytes });
		expect(requestsSince(emulator, mark, 'Download')[0].path).toMatch(/^\/ufile-internal\//);
	});

	it('resumes a body that breaks off, and retries a throttled DescribeURedisBackupURL', async () => {
		const record = succeeded()[2];
		emulator.ucloud.faults.push({ action: 'DescribeURedisBackupURL', kind: 'throttle' });
		emulator.ucloud.faults.push({ action: 'Download', kind: 'truncatedBody' });
		const result = await runUCloudNode(emulator, download(record.backupId));
		expect(result.error).toBeUndefined();
		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject({
			downloadedBytes: record.sizeBytes,
			checksumVerified: true,
			checksum: await emulator.ucloud.fileEtag(record.backupId),
		});
		expect(Number(item.json.downloadAttempts)).toBeGreaterThan(1);
		expect(await sha256Of(item.binary!.data)).toBe(await emulator.ucloud.fileSha256(record.backupId));
	});

	it('refuses a failed backup before asking for a URL or downloading', async () => {
		const failed = backupsOf(emulator).find((b) => stateOf(emulator, b) === 'Error')!;
		const mark = markRequests(emulator);
		const result = await runUCloudNode(emulator, download(failed.backupId));
		expect(nodeErrorOf(result).message).toBe(`Backup ${failed.backupId} is failed (Error); UCloud gives download URLs only for finished backups`);
		expect(requestsSince(emulator, mark, 'DescribeURedisBackupURL')).toHaveLength(0);
		expect(requestsSince(emulator, mark, 'Download')).toHaveLength(0);
	});

	it('refuses a file larger than Max File Size before downloading it', async () => {
		const record = succeeded()[0];
		const mark = markRequests(emulator);
		const result = await runUCloudNode(emulator, download(record.backupId, { options: { maxFileSizeMiB: 0.01 } }));
		expect(nodeErrorOf(result).message).toMatch(/ is 374\.1 KiB, above the limit of 10\.2 KiB set in "Max File Size"$|above the limit of 10\.2 KiB set in "Max File Size"$/);
		expect(requestsSince(emulator, mark, 'Download')).toHaveLength(0);
	});

	it('a body that keeps breaking off fails after the retries, and nothing is stored', async () => {
		const record = succeeded()[3];
		emulator.ucloud.faults.push({ action: 'Download', kind: 'truncatedBody', times: 10 });
		emulator.ucloud.settings.rangeRequests = 'ignore';
		try {
			const result = await runUCloudNode(emulator, download(record.backupId));
			expect(nodeErrorOf(result).message).toMatch(/^The download of \S+ failed after 4 tries; the last one: The download of \S+ broke off after \d+ of \d+ bytes/);
		} finally {
			emulator.ucloud.settings.rangeRequests = 'standard';
		}
	});

	it('a corrupted body of the right length is caught by the ETag and the file fetched again from the start', async () => {
		const record = succeeded()[4];
		emulator.ucloud.faults.push({ action: 'Download', kind: 'corruptBody' });
		const mark = markRequests(emulator);
		const result = await runUCloudNode(emulator, download(record.backupId));
		expect(result.error).toBeUndefined();
		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject({
			downloadedBytes: record.sizeBytes,
			checksumVerified: true,
			checksum: await emulator.ucloud.fileEtag(record.backupId),
			downloadAttempts: 2,
		});
		expect(await sha256Of(item.binary!.data)).toBe(await emulator.ucloud.fileSha256(record.backupId));
		expect(requestsSince(emulator, mark, 'Download').map((r) => [r.fault, r.status, r.range])).toEqual([
			['corruptBody', 200, undefined],
			[undefined, 200, undefined],
		]);
	});

	it('a corrupted body of the right length on every try is REFUSED: an integrity error, and nothing is stored', async () => {
		const record = succeeded()[4];
		const etag = await emulator.ucloud.fileEtag(record.backupId);
		const before = await filesUnder(storeDir);
		emulator.ucloud.faults.push({ action: 'Download', kind: 'corruptBody', times: 10 });
		const result = await runUCloudNode(emulator, download(record.backupId), { onError: 'continueErrorOutput' });
		expect(result.output(NODE_NAME, 0)).toHaveLength(0);
		const [failed] = result.output(NODE_NAME, 1);
		expect(failed.binary).toBeUndefined();
		expect(failed.json.error).toMatch(
			new RegExp(`^The download of \\S+ failed after 4 tries; the last one: \\S+ is corrupt: the US3 ETag checksum of the ${record.sizeBytes} bytes received is [A-Za-z0-9_-]{32}, the storage service's etag is ${etag}$`),
		);
		expect((failed.error as { errorResponse?: { kind?: string } } | undefined)?.errorResponse?.kind).toBe('integrity');
		expect(await filesUnder(storeDir)).toEqual(before);
	});

	it('a file of several 4 MiB blocks is verified (the ETag of the block SHA-1s)', async () => {
		const record = emulator.ucloud.addBackup({ groupId: GROUP_ID, startMs: Date.now() - 3_600_000, type: 'Manual', sizeBytes: 9 * 1024 * 1024 + 777 });
		const result = await runUCloudNode(emulator, download(record.backupId));
		expect(result.error).toBeUndefined();
		const [item] = result.output(NODE_NAME);
		const etag = await emulatorEtagOf(emulator.ucloud.fileStream(record.backupId));
		expect(Buffer.from(etag, 'base64url').readUInt32LE(0)).toBe(3);
		expect(item.json).toMatchObject({ downloadedBytes: 9 * 1024 * 1024 + 777, checksumVerified: true, checksum: etag, expectedChecksum: etag });
		expect(await sha256Of(item.binary!.data)).toBe(await emulator.ucloud.fileSha256(record.backupId));
	});

	it('a file US3 serves without an ETag is stored by its length, checksumVerified false (its ETag still computed)', async () => {
		const record = emulator.ucloud.addBackup({ groupId: GROUP_ID, startMs: Date.now() - 7_200_000, type: 'Manual', sizeBytes: 300_001 });
		const limit = emulator.ucloud.settings.etagMaxBytes;
		emulator.ucloud.settings.etagMaxBytes = 0;
		try {
			const result = await runUCloudNode(emulator, download(record.backupId));
			expect(result.error).toBeUndefined();
			const [item] = result.output(NODE_NAME);
			expect(item.json).toMatchObject({
				downloadedBytes: 300_001,
				checksumAlgorithm: 'us3-etag',
				checksumVerified: false,
				expectedChecksum: null,
				checksum: await emulatorEtagOf(emulator.ucloud.fileStream(record.backupId)),
			});
		} finally {
			emulator.ucloud.settings.etagMaxBytes = limit;
		}
	});
});
