/**
 * Backup → Download through n8n's engine into n8n's filesystem binary store: the bytes stored are the bytes the
 * emulator serves, one binary per file (per shard for clusters), and every way a download can go wrong is an error
 * rather than a silently short or missing file.
 */
import { createHash } from 'node:crypto';
import type { IBinaryData, INodeParameters } from 'n8n-workflow';

import { CloudEmulator, type Clock, type RequestLogEntry } from '../../emulator';
import { binaryStream, initBinaryDataStore } from '../harness';
import {
	CLUSTER_ID,
	DAY_MS,
	instanceRef,
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	requestsSince,
	runAlibabaNode,
	STANDARD_ID,
	useEmulator,
} from './alibabaFixture';

async function sha256Of(binary: IBinaryData): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of (await binaryStream(binary)) as AsyncIterable<Buffer>) hash.update(chunk);
	return hash.digest('hex');
}

describe('Backup → Download', () => {
	const emulator = useEmulator();
	const store = () => emulator.alibaba.store;
	beforeAll(async () => {
		await initBinaryDataStore();
	});

	const recentStandard = () =>
		store().backups.find((b) => b.instanceId === STANDARD_ID && b.status === 'Success' && b.startMs > Date.now() - 5 * DAY_MS)!;

	const download = (instanceId: string, backupId: string, extra: INodeParameters = {}) =>
		runAlibabaNode(emulator, { resource: 'backup', operation: 'download', instanceId: instanceRef(instanceId), backupId, ...extra });

	it('standard: one item whose stored binary has exactly the bytes of the backup file', async () => {
		const record = recentStandard();
		const mark = markRequests(emulator);
		const result = await download(STANDARD_ID, String(record.backupId));
		expect(result.status).toBe('success');
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		const [item] = items;
		expect(item.pairedItem).toEqual({ item: 0 });
		const binary = item.binary!.data;
		expect(binary).toBeDefined();
		// Streamed into the filesystem store, not held as base64 in the item.
		expect(binary.id).toMatch(/^filesystem/);
		expect(binary.fileName).toBe(record.file!.name);
		expect(binary.mimeType).toBe('application/octet-stream');
		expect(binary.bytes).toBe(record.file!.size);
		expect(await sha256Of(binary)).toBe(await emulator.alibaba.fileSha256(record.backupId));
		expect(item.json).toMatchObject({
			backupId: String(record.backupId),
			instanceId: STANDARD_ID,
			sizeBytes: record.file!.size,
			downloadedBytes: record.file!.size,
			checksumAlgorithm: 'crc64ecma',
			checksumVerified: true,
			checksum: await emulator.alibaba.fileCrc64(record.backupId),
			expectedChecksum: await emulator.alibaba.fileCrc64(record.backupId),
		});
		const downloads = requestsSince(emulator, mark, 'Download');
		expect(downloads).toHaveLength(1);
		expect(downloads[0].path).toBe(`/oss/${record.file!.key}`);
	});

	it('puts the file in the binary field named in "Put Output File in Field"', async () => {
		const record = recentStandard();
		const result = await download(STANDARD_ID, String(record.backupId), { binaryPropertyName: 'backupFile' });
		const [item] = result.output(NODE_NAME);
		expect(Object.keys(item.binary ?? {})).toEqual(['backupFile']);
		expect(await sha256Of(item.binary!.backupFile)).toBe(await emulator.alibaba.fileSha256(record.backupId));
	});

	it('cluster: one binary item per shard, each with its shard file', async () => {
		const set = store().clusterSets.find((s) => s.instanceId === CLUSTER_ID && s.status === 'OK')!;
		const mark = markRequests(emulator);
		const result = await download(CLUSTER_ID, set.clusterBackupId, { instanceType: 'cluster' });
		expect(result.status).toBe('success');
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(set.shards.length);
		for (const [index, item] of items.entries()) {
			const shard = set.shards[index];
			const binary = item.binary!.data;
			expect(binary.fileName).toBe(shard.file!.name);
			expect(binary.bytes).toBe(shard.file!.size);
			expect(await sha256Of(binary)).toBe(await emulator.alibaba.fileSha256(shard.backupId));
			expect(item.json).toMatchObject({ backupId: set.clusterBackupId, fileIndex: index, fileId: shard.backupId });
			expect(item.pairedItem).toEqual({ item: 0 });
		}
		expect(new Set(items.map((item) => item.binary!.data.id)).size).toBe(set.shards.length);
		expect(requestsSince(emulator, mark, 'Download').map((r) => r.path)).toEqual(set.shards.map((s) => `/oss/${s.file!.key}`));
	});

	it('URL Type "internal" downloads from the intranet URL', async () => {
		const record = recentStandard();
		const mark = markRequests(emulator);
		const result = await download(STANDARD_ID, String(record.backupId), { urlType: 'internal' });
		expect(result.status).toBe('success');
		expect(requestsSince(emulator, mark, 'Download').map((r) => r.path)).toEqual([`/oss-internal/${record.file!.key}`]);
		expect(await sha256Of(result.output(NODE_NAME)[0].binary!.data)).toBe(await emulator.alibaba.fileSha256(record.backupId));
	});

	it('Max File Size below the file size fails before anything is downloaded', async () => {
		const record = recentStandard();
		expect(record.file!.size).toBeGreaterThan(0.01 * 1024 * 1024);
		const mark = markRequests(emulator);
		const result = await download(STANDARD_ID, String(record.backupId), { options: { maxFileSizeMiB: 0.01 } });
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toContain(record.file!.name);
		expect(error.message).toMatch(/Max File Size/);
		expect(requestsSince(emulator, mark, 'Download')).toHaveLength(0);
	});

	it('Max File Size above the file size lets it through', async () => {
		const record = recentStandard();
		const result = await download(STANDARD_ID, String(record.backupId), { options: { maxFileSizeMiB: 100 } });
		expect(result.status).toBe('success');
		expect(result.output(NODE_NAME)[0].binary!.data.bytes).toBe(record.file!.size);
	});

	it('a body cut off mid-way is resumed with a Range request: the stored binary is the whole file', async () => {
		const record = recentStandard();
		emulator.alibaba.faults.push({ kind: 'truncatedBody', action: 'Download', afterBytes: 1000 });
		const mark = markRequests(emulator);
		const result = await download(STANDARD_ID, String(record.backupId));
		expect(result.status).toBe('success');
		const [item] = result.output(NODE_NAME);
		expect(item.binary!.data.bytes).toBe(record.file!.size);
		expect(await sha256Of(item.binary!.data)).toBe(await emulator.alibaba.fileSha256(record.backupId));
		const downloads = requestsSince(emulator, mark, 'Download');
		expect(downloads.map((r) => [r.fault, r.status])).toEqual([
			['truncatedBody', 200],
			[undefined, 206],
		]);
		expect(downloads[1].range).toMatch(/^bytes=\d+-$/);
	});

	it('a body cut off on every try is an error, not a silently short binary', async () => {
		const record = recentStandard();
		emulator.alibaba.faults.push({ kind: 'truncatedBody', action: 'Download', afterBytes: 1000, times: 10 });
		const result = await download(STANDARD_ID, String(record.backupId));
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toContain(record.file!.name);
		expect(error.message).toMatch(/broke off|incomplete/);
		expect(result.runData[NODE_NAME][0].data).toBeUndefined();
	});

	it('a body cut off on every try under Continue On Fail gives an error item without a binary', async () => {
		const record = recentStandard();
		emulator.alibaba.faults.push({ kind: 'truncatedBody', action: 'Download', times: 10 });
		const result = await runAlibabaNode(
			emulator,
			{ resource: 'backup', operation: 'download', instanceId: instanceRef(STANDARD_ID), backupId: String(record.backupId) },
			{ onError: 'continueRegularOutput' },
		);
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		expect(items[0].binary).toBeUndefined();
		expect(items[0].json.error).toEqual(expect.stringMatching(/broke off|incomplete/));
	});

	it('an expired URL is an error that says so', async () => {
		const record = recentStandard();
		emulator.alibaba.faults.push({ kind: 'expiredUrl', action: 'Download' });
		const result = await download(STANDARD_ID, String(record.backupId));
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toMatch(/expired/);
		expect(error.message).toContain(record.file!.name);
		// The advice is about fresh URLs, not the credential (a 403 would otherwise read as an auth problem).
		expect((error as { description?: string }).description).toMatch(/expire.*fresh/i);
	});

	it('a 503 from the storage service is retried', async () => {
		const record = recentStandard();
		emulator.alibaba.faults.push({ kind: 'serverError', action: 'Download' });
		const mark = markRequests(emulator);
		const result = await download(STANDARD_ID, String(record.backupId));
		expect(result.status).toBe('success');
		expect(requestsSince(emulator, mark, 'Download').map((r) => r.status)).toEqual([503, 200]);
		expect(await sha256Of(result.output(NODE_NAME)[0].binary!.data)).toBe(await emulator.alibaba.fileSha256(record.backupId));
	});

	it('a 503 on every try is an error naming the status (without the URL signature)', async () => {
		const record = recentStandard();
		emulator.alibaba.faults.push({ kind: 'serverError', action: 'Download', times: 10 });
		const result = await download(STANDARD_ID, String(record.backupId));
		const error = nodeErrorOf(result);
		expect(error.message).toMatch(/503/);
		expect(error.message).not.toMatch(/Signature=/);
	});

	it('a failed backup cannot be downloaded', async () => {
		const failed = store().backups.find((b) => b.instanceId === STANDARD_ID && b.status === 'Failed')!;
		const mark = markRequests(emulator);
		const result = await download(STANDARD_ID, String(failed.backupId));
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toContain(String(failed.backupId));
		expect(error.message).toMatch(/failed/);
		expect(requestsSince(emulator, mark, 'Download')).toHaveLength(0);
	});

	it('URLs valid for an hour are used as they are: the backup is looked up once', async () => {
		const record = recentStandard();
		const mark = markRequests(emulator);
		const result = await download(STANDARD_ID, String(record.backupId));
		expect(result.status).toBe('success');
		expect(requestsSince(emulator, mark, 'DescribeBackups')).toHaveLength(1);
	});

	it('a succeeded backup set without any file is a clear error, not zero items', async () => {
		const empty = emulator.alibaba.addClusterBackupSet({ instanceId: CLUSTER_ID, startMs: Date.now() - 120_000, shardSizes: [] });
		const mark = markRequests(emulator);
		const result = await download(CLUSTER_ID, empty.clusterBackupId, { instanceType: 'cluster' });
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toBe(`Backup ${empty.clusterBackupId} of ${CLUSTER_ID} succeeded but Alibaba Cloud lists no file to download for it`);
		expect(error.description).toMatch(/console/);
		expect(requestsSince(emulator, mark, 'Download')).toHaveLength(0);
	});

	it('a cluster backup set that is still running cannot be downloaded', async () => {
		const running = emulator.alibaba.addClusterBackupSet({ instanceId: CLUSTER_ID, startMs: Date.now() - 60_000, status: 'RUNNING', progress: 40 });
		const mark = markRequests(emulator);
		const result = await download(CLUSTER_ID, running.clusterBackupId, { instanceType: 'cluster' });
		const error = nodeErrorOf(result);
		expect(error.message).toContain(running.clusterBackupId);
		expect(error.message).toMatch(/running/);
		expect(requestsSince(emulator, mark, 'Download')).toHaveLength(0);
	});
});

/**
 * Presigned URLs that expire within 5 minutes are replaced before use. The emulator hands out URLs valid for
 * 4 minutes, and its clock jumps 5 minutes ahead right after the first lookup: the URLs of that lookup are then
 * expired at the storage service, so the download only works if the node fetched the backup again.
 */
describe('Backup → Download with URLs about to expire', () => {
	let offsetMs = 0;
	const clock: Clock = { now: () => Date.now() + offsetMs };
	const emulator = new CloudEmulator({ clock, alibabaSettings: { urlTtlMs: 4 * 60_000, signatureTimeSource: 'system' } });
	let jumpAfter: string | undefined;
	beforeAll(async () => {
		await emulator.start();
		await initBinaryDataStore();
		const log = emulator.alibaba.requests;
		const push = log.push.bind(log);
		log.push = (...entries: RequestLogEntry[]) => {
			const length = push(...entries);
			if (jumpAfter && entries.some((entry) => entry.action === jumpAfter)) {
				jumpAfter = undefined;
				offsetMs += 5 * 60_000;
			}
			return length;
		};
	});
	// Each test starts with the emulator's clock at the real time (URLs then look 4 minutes from expiry to the node).
	beforeEach(() => {
		offsetMs = 0;
	});
	afterAll(async () => await emulator.stop());

	const store = () => emulator.alibaba.store;

	it('standard: fetches the backup again for a fresh URL, and the download succeeds', async () => {
		const record = store().backups.find((b) => b.instanceId === STANDARD_ID && b.status === 'Success' && b.startMs > clock.now() - 5 * DAY_MS)!;
		jumpAfter = 'DescribeBackups';
		const mark = markRequests(emulator);
		const result = await runAlibabaNode(emulator, {
			resource: 'backup',
			operation: 'download',
			instanceId: instanceRef(STANDARD_ID),
			backupId: String(record.backupId),
		});
		expect(result.status).toBe('success');
		expect(requestsSince(emulator, mark, 'DescribeBackups')).toHaveLength(2);
		const [downloadRequest] = requestsSince(emulator, mark, 'Download');
		expect(downloadRequest.status).toBe(200);
		const [item] = result.output(NODE_NAME);
		expect(await sha256Of(item.binary!.data)).toBe(await emulator.alibaba.fileSha256(record.backupId));
		// The item carries the URL that was used: the fresh one, valid for 4 minutes from the jumped clock.
		expect(Date.parse(item.json.expiresAt as string)).toBeGreaterThan(Date.now() + 5 * 60_000);
	});

	it('cluster: checks each file before its download and fetches fresh URLs when needed', async () => {
		const set = store().clusterSets.find((s) => s.instanceId === CLUSTER_ID && s.status === 'OK')!;
		jumpAfter = 'DescribeClusterBackupList';
		const mark = markRequests(emulator);
		const result = await runAlibabaNode(emulator, {
			resource: 'backup',
			operation: 'download',
			instanceType: 'cluster',
			instanceId: instanceRef(CLUSTER_ID),
			backupId: set.clusterBackupId,
		});
		expect(result.status).toBe('success');
		expect(requestsSince(emulator, mark, 'DescribeClusterBackupList').length).toBeGreaterThanOrEqual(2);
		expect(requestsSince(emulator, mark, 'Download').map((r) => r.status)).toEqual(set.shards.map(() => 200));
		for (const [index, item] of result.output(NODE_NAME).entries()) {
			expect(await sha256Of(item.binary!.data)).toBe(await emulator.alibaba.fileSha256(set.shards[index].backupId));
		}
	});
});
