/**
 * Backup → Download with the UCloud node: the shared downloader into n8n's filesystem binary store. US3 (UFile)
 * sends an ETag of its own and no CRC-64, so a download is checked by its length (the BackupSize UCloud reported and
 * the Content-Length) and says checksumVerified: false; broken bodies are resumed, a short file is refused and
 * nothing is stored; an expired URL is replaced by a fresh one.
 */
import type { INodeParameters } from 'n8n-workflow';

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

describe('UCloud Backup → Download', () => {
	const emulator = useEmulator();
	beforeAll(async () => await initBinaryDataStore());
	const succeeded = () => backupsOf(emulator).filter((b) => stateOf(emulator, b) === 'Success');
	const download = (backupId: string, extra: INodeParameters = {}) => ({
		resource: 'backup',
		operation: 'download',
		instanceId: instanceRef(GROUP_ID),
		backupId,
		...extra,
	});

	it('downloads the backup file, its length checked (US3 sends no CRC-64: checksumVerified false)', async () => {
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
			checksumAlgorithm: 'crc64ecma',
			checksumVerified: false,
			expectedCrc64: null,
			crc64: await emulator.ucloud.fileCrc64(record.backupId),
			downloadAttempts: 1,
		});
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
		expect(item.json).toMatchObject({ downloadedBytes: record.sizeBytes, checksumVerified: false });
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

	it('a corrupted body of the right length passes the length check: checksumVerified false says it was not verified', async () => {
		const record = succeeded()[4];
		emulator.ucloud.faults.push({ action: 'Download', kind: 'corruptBody' });
		const result = await runUCloudNode(emulator, download(record.backupId));
		expect(result.error).toBeUndefined();
		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject({ downloadedBytes: record.sizeBytes, checksumVerified: false, expectedCrc64: null });
		expect(item.json.crc64).not.toBe(await emulator.ucloud.fileCrc64(record.backupId));
	});
});
