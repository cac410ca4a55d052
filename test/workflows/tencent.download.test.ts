/**
 * Backup → Download with the Tencent node: the shared downloader into n8n's filesystem binary store, verified
 * against COS's x-cos-hash-crc64ecma, one binary per shard, on both APIs; a shard Tencent sizes 0 ("invalid") stops
 * the download before anything is stored.
 */
import type { INodeParameters } from 'n8n-workflow';

import { initBinaryDataStore } from '../harness';
import {
	CLUSTER_ID,
	DAY_MS,
	instanceRef,
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	requestsSince,
	runTencentNode,
	sha256Of,
	STANDARD_ID,
	useEmulator,
} from './tencentFixture';

describe('Tencent Backup → Download', () => {
	const emulator = useEmulator();
	beforeAll(async () => await initBinaryDataStore());
	const recent = (instanceId: string) =>
		emulator.tencent.store.backups.filter((b) => b.instanceId === instanceId && !b.inProgress && b.startMs > Date.now() - 5 * DAY_MS).slice(-1)[0];
	const download = (instanceId: string, backupId: string, options: INodeParameters = {}) => ({
		resource: 'backup',
		operation: 'download',
		instanceId: instanceRef(instanceId),
		backupId,
		options,
	});

	it.each(['api3', 'legacy'])('downloads a standard backup, CRC-64 verified (%s)', async (api) => {
		const record = recent(STANDARD_ID);
		const result = await runTencentNode(emulator, download(STANDARD_ID, record.backupId, { api }));
		expect(result.error).toBeUndefined();
		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject({
			backupId: record.backupId,
			downloadedBytes: record.shards[0].sizeBytes,
			checksumAlgorithm: 'crc64ecma',
			checksumVerified: true,
			checksum: await emulator.tencent.fileCrc64(record.backupId),
			expectedChecksum: await emulator.tencent.fileCrc64(record.backupId),
		});
		expect(await sha256Of(item.binary!.data)).toBe(await emulator.tencent.fileSha256(record.backupId));
		expect(item.binary!.data.fileName).toBe(record.shards[0].fileName);
	});

	it('downloads every shard of a cluster backup, one binary each', async () => {
		const record = recent(CLUSTER_ID);
		const result = await runTencentNode(emulator, download(CLUSTER_ID, record.backupId));
		expect(result.error).toBeUndefined();
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(3);
		for (const [index, item] of items.entries()) {
			expect(item.json).toMatchObject({ fileIndex: index, checksumVerified: true, downloadedBytes: record.shards[index].sizeBytes });
			expect(await sha256Of(item.binary!.data)).toBe(await emulator.tencent.fileSha256(record.shards[index].file!.key));
		}
	});

	it('on the legacy API, refuses a cluster instance (one URL per backup: one shard) before asking for a URL', async () => {
		const record = recent(CLUSTER_ID);
		const mark = markRequests(emulator);
		const result = await runTencentNode(emulator, download(CLUSTER_ID, record.backupId, { api: 'legacy' }));
		expect(nodeErrorOf(result).message).toBe(
			`Instance ${CLUSTER_ID} has 3 shards, and the legacy CRS API gives the file of one only: set the option API to API 3.0 for its download URLs and downloads`,
		);
		expect(requestsSince(emulator, mark, 'GetBackupDownloadUrl')).toHaveLength(0);
		expect(requestsSince(emulator, mark, 'Download')).toHaveLength(0);
	});

	it('refuses a backup with an invalid shard (FileSize 0) before downloading anything', async () => {
		const record = emulator.tencent.addClusterBackup({ instanceId: CLUSTER_ID, startMs: Date.now() - 3_600_000, shardSizes: [1000, 2000, 3000] });
		emulator.tencent.failShard(record.backupId, 1, { keepFile: true });
		const mark = markRequests(emulator);
		const result = await runTencentNode(emulator, download(CLUSTER_ID, record.backupId));
		expect(nodeErrorOf(result).message).toBe(`Backup ${record.backupId} is incomplete: 1 of its 3 files failed: ${record.shards[1].fileName} (FileSize 0 (invalid))`);
		expect(requestsSince(emulator, mark, 'Download')).toHaveLength(0);
	});

	it('retries a throttled DescribeBackupUrl and a broken download', async () => {
		const record = recent(STANDARD_ID);
		emulator.tencent.faults.push({ action: 'DescribeBackupUrl', kind: 'throttle' });
		emulator.tencent.faults.push({ action: 'Download', kind: 'truncatedBody' });
		const result = await runTencentNode(emulator, download(STANDARD_ID, record.backupId));
		expect(result.error).toBeUndefined();
		expect(result.output(NODE_NAME)[0].json).toMatchObject({ checksumVerified: true, downloadedBytes: record.shards[0].sizeBytes });
	});
});
