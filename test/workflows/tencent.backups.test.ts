/**
 * Backup → List, Get and Get Download URL through n8n's engine against the Tencent emulator, on API 3.0 and the
 * legacy CRS API: the same normalized items from both, Beijing time converted both ways, ranges longer than 30 days
 * listed window by window, our status filter before the limit.
 */
import { DateTime } from 'luxon';
import type { IDataObject } from 'n8n-workflow';

import { CHINA_STANDARD_TIME } from '../../nodes/common/time';
import {
	CLUSTER_ID,
	DAY_MS,
	instanceRef,
	markRequests,
	NODE_NAME,
	REGION,
	requestsSince,
	runTencentNode,
	STANDARD_ID,
	UTC_ISO,
	useEmulator,
} from './tencentFixture';

const list = (instanceId: string, extra: IDataObject = {}) => ({
	resource: 'backup',
	operation: 'list',
	instanceId: instanceRef(instanceId),
	returnAll: true,
	...extra,
});

describe('Tencent Backup → List', () => {
	const emulator = useEmulator();

	it('lists the backups of the last 7 days, newest first, as the one model', async () => {
		const mark = markRequests(emulator);
		const result = await runTencentNode(emulator, list(STANDARD_ID));
		expect(result.error).toBeUndefined();
		const items = result.output(NODE_NAME).map((i) => i.json);
		expect(items.length).toBeGreaterThan(10);
		for (const item of items) {
			expect(item).toMatchObject({ kind: 'backup', provider: 'tencent', region: REGION, instanceId: STANDARD_ID, files: [], taskId: null });
			expect(item.startedAt).toMatch(UTC_ISO);
			expect(['manual', 'automatic']).toContain(item.mode);
			expect(['succeeded', 'running']).toContain(item.status);
		}
		const starts = items.map((i) => String(i.startedAt));
		expect([...starts].sort().reverse()).toEqual(starts);
		const [request] = requestsSince(emulator, mark, 'DescribeInstanceBackups');
		expect(request.query).toMatchObject({ InstanceId: STANDARD_ID, 'Status.0': '1', 'Status.1': '2', Limit: '100', Offset: '0' });
		expect(request.headers['x-tc-region']).toBe(REGION);
	});

	it('gives the same items with the legacy CRS API', async () => {
		const api3 = await runTencentNode(emulator, list(STANDARD_ID));
		const legacy = await runTencentNode(emulator, list(STANDARD_ID, { options: { api: 'legacy' } }));
		expect(legacy.error).toBeUndefined();
		const pick = (j: IDataObject) => [j.backupId, j.status, j.mode, j.startedAt, j.remark, j.locked, j.provider, j.instanceId];
		expect(legacy.output(NODE_NAME).map((i) => pick(i.json))).toEqual(api3.output(NODE_NAME).map((i) => pick(i.json)));
		const mark = markRequests(emulator);
		await runTencentNode(emulator, list(STANDARD_ID, { options: { api: 'legacy' } }));
		const [request] = requestsSince(emulator, mark, 'GetRedisBackupList');
		expect(request).toMatchObject({ method: 'POST', path: '/v2/index.php' });
		expect(request.query).toMatchObject({ redisId: STANDARD_ID, Region: REGION, SignatureMethod: 'HmacSHA256' });
	});

	it('asks Tencent for the instants the user picked, in Beijing time, and outputs UTC', async () => {
		const record = emulator.tencent.store.backups.filter((b) => b.instanceId === STANDARD_ID && !b.inProgress).slice(-1)[0];
		const startedAt = DateTime.fromMillis(record.startMs, { zone: 'utc' });
		// The workflow runs in New York; the user typed New York wall-clock times around the backup's start.
		const zone = 'America/New_York';
		const local = (dt: DateTime) => dt.setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ss");
		const mark = markRequests(emulator);
		const result = await runTencentNode(
			emulator,
			list(STANDARD_ID, { startTime: local(startedAt.minus({ minutes: 1 })), endTime: local(startedAt.plus({ minutes: 1 })) }),
			{ settings: { timezone: zone } },
		);
		expect(result.error).toBeUndefined();
		const items = result.output(NODE_NAME);
		expect(items.map((i) => i.json.backupId)).toEqual([record.backupId]);
		expect(items[0].json.startedAt).toBe(startedAt.startOf('second').toISO({ suppressMilliseconds: true }));
		const [request] = requestsSince(emulator, mark, 'DescribeInstanceBackups');
		expect(request.query.BeginTime).toBe(startedAt.minus({ minutes: 1 }).startOf('second').setZone(CHINA_STANDARD_TIME).toFormat('yyyy-MM-dd HH:mm:ss'));
	});

	it('lists a range longer than 30 days window by window (Tencent refuses more than 30 per request)', async () => {
		const old = emulator.tencent.addBackup({ instanceId: STANDARD_ID, startMs: Date.now() - 50 * DAY_MS, backupType: 'manual', storageDays: 365, remark: 'old' });
		const mark = markRequests(emulator);
		const result = await runTencentNode(emulator, list(STANDARD_ID, { startTime: new Date(Date.now() - 70 * DAY_MS).toISOString() }));
		expect(result.error).toBeUndefined();
		const ids = result.output(NODE_NAME).map((i) => i.json.backupId);
		expect(ids).toContain(old.backupId);
		expect(ids[ids.length - 1]).toBe(old.backupId);
		expect(new Set(ids).size).toBe(ids.length);
		expect(requestsSince(emulator, mark, 'DescribeInstanceBackups')).toHaveLength(3);
	});

	it('applies the status filter before the limit counts', async () => {
		emulator.tencent.startBackupTask({ instanceId: STANDARD_ID, stepMs: 3_600_000 });
		const running = await runTencentNode(emulator, list(STANDARD_ID, { returnAll: false, limit: 1, statuses: ['running'] }));
		expect(running.output(NODE_NAME).map((i) => i.json.status)).toEqual(['running']);
		const done = await runTencentNode(emulator, list(STANDARD_ID, { returnAll: false, limit: 3, statuses: ['succeeded'] }));
		expect(done.output(NODE_NAME).map((i) => i.json.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
	});
});

describe('Tencent Backup → Get and Get Download URL', () => {
	const emulator = useEmulator();
	const recent = (instanceId: string) =>
		emulator.tencent.store.backups.filter((b) => b.instanceId === instanceId && !b.inProgress && b.startMs > Date.now() - 5 * DAY_MS).slice(-1)[0];

	it('gets one backup by ID, with its files (one download-URL request, on the API asked for)', async () => {
		const record = recent(STANDARD_ID);
		for (const [api, filesAction] of [['api3', 'DescribeBackupUrl'], ['legacy', 'GetBackupDownloadUrl']]) {
			const mark = markRequests(emulator);
			const result = await runTencentNode(emulator, { resource: 'backup', operation: 'get', instanceId: instanceRef(STANDARD_ID), backupId: record.backupId, options: { api } });
			expect(result.error).toBeUndefined();
			const items = result.output(NODE_NAME).map((i) => i.json);
			expect(items).toEqual([expect.objectContaining({ backupId: record.backupId, status: 'succeeded' })]);
			const files = items[0].files as Array<{ status: string; downloadUrl: string | null }>;
			expect(files).toHaveLength(1);
			expect(files[0]).toMatchObject({ status: 'succeeded', downloadUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/cos\//) });
			expect(requestsSince(emulator, mark, filesAction)).toHaveLength(1);
		}
	});

	it('outputs one item per shard with public and internal URL and their expiry', async () => {
		const record = recent(CLUSTER_ID);
		const result = await runTencentNode(emulator, { resource: 'backup', operation: 'getDownloadUrl', instanceId: instanceRef(CLUSTER_ID), backupId: record.backupId });
		expect(result.error).toBeUndefined();
		const items = result.output(NODE_NAME).map((i) => i.json);
		expect(items).toHaveLength(3);
		items.forEach((item, index) => {
			expect(item).toMatchObject({ provider: 'tencent', backupId: record.backupId, fileIndex: index, fileCount: 3, name: record.shards[index].fileName, sizeBytes: record.shards[index].sizeBytes, status: 'succeeded' });
			expect(item.downloadUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cos\//);
			expect(item.internalDownloadUrl).toMatch(/\/cos-internal\//);
			const hours = (Date.parse(String(item.expiresAt)) - Date.now()) / 3_600_000;
			expect(hours).toBeGreaterThan(5.5);
			expect(hours).toBeLessThanOrEqual(6.01);
		});
	});

	it('gets the URL with the legacy API too (12 hours)', async () => {
		const record = recent(STANDARD_ID);
		const result = await runTencentNode(emulator, { resource: 'backup', operation: 'getDownloadUrl', instanceId: instanceRef(STANDARD_ID), backupId: record.backupId, options: { api: 'legacy' } });
		expect(result.error).toBeUndefined();
		const [item] = result.output(NODE_NAME).map((i) => i.json);
		expect(item).toMatchObject({ backupId: record.backupId, fileCount: 1 });
		expect(item.downloadUrl).toMatch(/\/cos\//);
		expect((Date.parse(String(item.expiresAt)) - Date.now()) / 3_600_000).toBeGreaterThan(11.5);
	});

	it('refuses the URLs of a backup still being made, without asking for them', async () => {
		const task = emulator.tencent.startBackupTask({ instanceId: STANDARD_ID, stepMs: 3_600_000 });
		const mark = markRequests(emulator);
		const result = await runTencentNode(emulator, { resource: 'backup', operation: 'getDownloadUrl', instanceId: instanceRef(STANDARD_ID), backupId: task.backup.backupId });
		expect(result.nodeError(NODE_NAME)?.message).toBe(`Backup ${task.backup.backupId} is running (1); Tencent Cloud gives download URLs only for finished backups`);
		expect(requestsSince(emulator, mark, 'DescribeBackupUrl')).toHaveLength(0);
	});

	it('says when a backup is not found, naming the days searched', async () => {
		const result = await runTencentNode(emulator, { resource: 'backup', operation: 'get', instanceId: instanceRef(STANDARD_ID), backupId: '123-456-789' });
		expect(result.nodeError(NODE_NAME)?.message).toBe(`Backup 123-456-789 was not found on instance ${STANDARD_ID} in the last 30 days`);
	});
});
