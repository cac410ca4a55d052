/**
 * Backup → List, Get and Get Download URL through n8n's engine against the UCloud emulator: the one model from
 * DescribeURedisBackup (UNIX seconds to UTC, Manual/Auto or numbers, sizes), the node's own time range and status
 * filter before Limit counts (the API has neither), paging by Offset/Limit, and DescribeURedisBackupURL's public and
 * internal URLs with their expiry.
 */
import type { IDataObject } from 'n8n-workflow';

import {
	backupsOf,
	DAY_MS,
	GROUP_ID,
	instanceRef,
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	OTHER_GROUP_ID,
	REGION,
	requestsSince,
	runUCloudNode,
	stateOf,
	UTC_ISO,
	useEmulator,
	ZONE,
} from './ucloudFixture';

const list = (extra: IDataObject = {}, groupId = GROUP_ID) => ({
	resource: 'backup',
	operation: 'list',
	instanceId: instanceRef(groupId),
	returnAll: true,
	...extra,
});

describe('UCloud Backup → List', () => {
	const emulator = useEmulator();

	it('lists the backups of the last 7 days, newest first, as the one model', async () => {
		const mark = markRequests(emulator);
		const result = await runUCloudNode(emulator, list());
		expect(result.error).toBeUndefined();
		const items = result.output(NODE_NAME).map((i) => i.json);
		const expected = backupsOf(emulator).filter((b) => b.startMs >= Date.now() - 7 * DAY_MS);
		expect(items.map((i) => i.backupId)).toEqual(expected.map((b) => b.backupId));
		expect(items.length).toBeGreaterThan(10);
		for (const item of items) {
			expect(item).toMatchObject({ kind: 'backup', provider: 'ucloud', region: REGION, instanceId: GROUP_ID, files: [], finishedAt: null, locked: null });
			expect(item.startedAt).toMatch(UTC_ISO);
			expect(item.taskId).toBe(item.backupId);
			expect(['manual', 'automatic']).toContain(item.mode);
			expect(['Manual', 'Auto']).toContain(item.providerMode);
			expect(['succeeded', 'failed']).toContain(item.status);
			expect(typeof item.remark).toBe('string');
		}
		const starts = items.map((i) => String(i.startedAt));
		expect([...starts].sort().reverse()).toEqual(starts);
		const requests = requestsSince(emulator, mark, 'DescribeURedisBackup');
		expect(requests).toHaveLength(1);
		expect(requests[0]).toMatchObject({ method: 'POST', path: '/' });
		expect(requests[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
		expect(requests[0].query).toMatchObject({ Region: REGION, GroupId: GROUP_ID, Offset: '0', Limit: '100', PublicKey: expect.any(String), Signature: expect.stringMatching(/^[0-9a-f]{40}$/) });
		expect(requests[0].query).not.toHaveProperty('BackupId');
	});

	it('reads UNIX seconds into UTC, BackupSize into bytes, BackupName as the remark', async () => {
		const record = backupsOf(emulator).find((b) => stateOf(emulator, b) === 'Success' && b.type === 'Manual')!;
		const result = await runUCloudNode(emulator, { resource: 'backup', operation: 'get', instanceId: instanceRef(GROUP_ID), backupId: record.backupId });
		expect(result.error).toBeUndefined();
		const [item] = result.output(NODE_NAME).map((i) => i.json);
		expect(item).toMatchObject({
			backupId: record.backupId,
			startedAt: new Date(Math.floor(record.startMs / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
			sizeBytes: record.sizeBytes,
			remark: record.name,
			mode: 'manual',
			providerMode: 'Manual',
			status: 'succeeded',
			providerStatus: 'Success',
		});
		expect((item.raw as IDataObject).BackupTime).toBe(Math.floor(record.startMs / 1000));
	});

	it('reads BackupType sent as a number (1 Manual, 0 Auto)', async () => {
		emulator.ucloud.settings.backupTypeFormat = 'number';
		try {
			const result = await runUCloudNode(emulator, list());
			const items = result.output(NODE_NAME).map((i) => i.json);
			const records = new Map(backupsOf(emulator).map((b) => [b.backupId, b]));
			for (const item of items) {
				const record = records.get(String(item.backupId))!;
				expect(item).toMatchObject(record.type === 'Manual' ? { mode: 'manual', providerMode: '1' } : { mode: 'automatic', providerMode: '0' });
			}
		} finally {
			emulator.ucloud.settings.backupTypeFormat = 'string';
		}
	});

	it('applies the time range itself (the API has none), in the workflow timezone', async () => {
		const record = backupsOf(emulator)[3];
		const start = new Date(record.startMs - 60_000).toISOString();
		const end = new Date(record.startMs + 60_000).toISOString();
		const mark = markRequests(emulator);
		const result = await runUCloudNode(emulator, list({ startTime: start, endTime: end }));
		expect(result.output(NODE_NAME).map((i) => i.json.backupId)).toEqual([record.backupId]);
		const [request] = requestsSince(emulator, mark, 'DescribeURedisBackup');
		for (const name of Object.keys(request.query)) expect(name).not.toMatch(/Time|Begin|End|State/);
	});

	it('applies the status filter before Limit counts: the one failed and the one expired backup', async () => {
		const failed = await runUCloudNode(emulator, list({ returnAll: false, limit: 1, statuses: ['failed'], startTime: new Date(Date.now() - 30 * DAY_MS).toISOString() }));
		expect(failed.output(NODE_NAME).map((i) => [i.json.status, i.json.providerStatus])).toEqual([['failed', 'Error']]);
		const expired = await runUCloudNode(emulator, list({ statuses: ['expired'], startTime: new Date(Date.now() - 30 * DAY_MS).toISOString() }));
		expect(expired.output(NODE_NAME).map((i) => [i.json.status, i.json.providerStatus, i.json.mode])).toEqual([['expired', 'Expired', 'automatic']]);
		const done = await runUCloudNode(emulator, list({ returnAll: false, limit: 3, statuses: ['succeeded'] }));
		expect(done.output(NODE_NAME).map((i) => i.json.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
	});

	it('pages by Offset/Limit; Limit keeps the newest (UCloud documents no order: the list is read whole)', async () => {
		const all = backupsOf(emulator).filter((b) => b.startMs >= Date.now() - 7 * DAY_MS);
		let mark = markRequests(emulator);
		const paged = await runUCloudNode(emulator, list({ options: { pageSize: 10 } }));
		expect(paged.output(NODE_NAME).map((i) => i.json.backupId)).toEqual(all.map((b) => b.backupId));
		const offsets = requestsSince(emulator, mark, 'DescribeURedisBackup').map((r) => [r.query.Offset, r.query.Limit]);
		expect(offsets.slice(0, 2)).toEqual([['0', '10'], ['10', '10']]);
		mark = markRequests(emulator);
		const limited = await runUCloudNode(emulator, list({ returnAll: false, limit: 5, options: { pageSize: 10 } }));
		expect(limited.output(NODE_NAME).map((i) => i.json.backupId)).toEqual(all.slice(0, 5).map((b) => b.backupId));
		expect(requestsSince(emulator, mark, 'DescribeURedisBackup').length).toBe(offsets.length);
	});

	it("lists another group's backups only for that group", async () => {
		const result = await runUCloudNode(emulator, list({}, OTHER_GROUP_ID));
		const items = result.output(NODE_NAME).map((i) => i.json);
		expect(items.length).toBe(4);
		expect(new Set(items.map((i) => i.instanceId))).toEqual(new Set([OTHER_GROUP_ID]));
	});
});

describe('UCloud Backup → Get and Get Download URL', () => {
	const emulator = useEmulator();
	const succeeded = () => backupsOf(emulator).find((b) => stateOf(emulator, b) === 'Success')!;

	it('gets one backup by ID (DescribeURedisBackup with BackupId), with its file', async () => {
		const record = succeeded();
		const mark = markRequests(emulator);
		const result = await runUCloudNode(emulator, { resource: 'backup', operation: 'get', instanceId: instanceRef(GROUP_ID), backupId: record.backupId });
		expect(result.error).toBeUndefined();
		const [item] = result.output(NODE_NAME).map((i) => i.json);
		expect(item).toMatchObject({ backupId: record.backupId, status: 'succeeded', sizeBytes: record.sizeBytes });
		expect(item.files).toEqual([expect.objectContaining({ sizeBytes: record.sizeBytes, downloadUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/ufile\//) })]);
		const [lookup] = requestsSince(emulator, mark, 'DescribeURedisBackup');
		expect(lookup.query).toMatchObject({ BackupId: record.backupId, GroupId: GROUP_ID });
		expect(requestsSince(emulator, mark, 'DescribeURedisBackupURL')).toHaveLength(1);
	});

	it('gets a failed backup without asking for a URL', async () => {
		const record = backupsOf(emulator).find((b) => stateOf(emulator, b) === 'Error')!;
		const mark = markRequests(emulator);
		const result = await runUCloudNode(emulator, { resource: 'backup', operation: 'get', instanceId: instanceRef(GROUP_ID), backupId: record.backupId });
		expect(result.output(NODE_NAME)[0].json).toMatchObject({ status: 'failed', providerStatus: 'Error', files: [] });
		expect(requestsSince(emulator, mark, 'DescribeURedisBackupURL')).toHaveLength(0);
	});

	it("outputs the file's public and internal URL and their expiry, asking in the backup's zone", async () => {
		const record = succeeded();
		const mark = markRequests(emulator);
		const result = await runUCloudNode(emulator, { resource: 'backup', operation: 'getDownloadUrl', instanceId: instanceRef(GROUP_ID), backupId: record.backupId });
		expect(result.error).toBeUndefined();
		const items = result.output(NODE_NAME).map((i) => i.json);
		expect(items).toHaveLength(1);
		const [item] = items;
		expect(item).toMatchObject({ provider: 'ucloud', backupId: record.backupId, fileIndex: 0, fileCount: 1, sizeBytes: record.sizeBytes, status: 'succeeded' });
		expect(item.downloadUrl).toMatch(/\/ufile\/.*[?&]Expires=\d+/);
		expect(String(item.downloadUrl)).not.toMatch(/\n/);
		expect(item.internalDownloadUrl).toMatch(/\/ufile-internal\//);
		const hours = (Date.parse(String(item.expiresAt)) - Date.now()) / 3_600_000;
		expect(hours).toBeGreaterThan(3.9);
		expect(hours).toBeLessThanOrEqual(4.01);
		const [request] = requestsSince(emulator, mark, 'DescribeURedisBackupURL');
		expect(request.query).toMatchObject({ Region: REGION, Zone: ZONE, GroupId: GROUP_ID, BackupId: record.backupId });
	});

	it("sends the node's Zone when set, and refuses one of another region before sending anything", async () => {
		const record = succeeded();
		let mark = markRequests(emulator);
		await runUCloudNode(emulator, { resource: 'backup', operation: 'getDownloadUrl', instanceId: instanceRef(GROUP_ID), zone: ZONE, backupId: record.backupId });
		expect(requestsSince(emulator, mark, 'DescribeURedisBackupURL')[0].query.Zone).toBe(ZONE);
		mark = markRequests(emulator);
		const result = await runUCloudNode(emulator, { resource: 'backup', operation: 'getDownloadUrl', instanceId: instanceRef(GROUP_ID), zone: 'hk-01', backupId: record.backupId });
		expect(nodeErrorOf(result).message).toBe('Zone "hk-01" is not a zone of region cn-bj2 (item 0)');
		expect(requestsSince(emulator, mark)).toHaveLength(0);
	});

	it('refuses the URL of a backup still being made, without asking for it', async () => {
		const running = emulator.ucloud.startBackup({ groupId: OTHER_GROUP_ID, name: 'still-running', durationMs: 3_600_000 });
		const mark = markRequests(emulator);
		const result = await runUCloudNode(emulator, { resource: 'backup', operation: 'getDownloadUrl', instanceId: instanceRef(OTHER_GROUP_ID), backupId: running.backupId });
		expect(nodeErrorOf(result).message).toBe(`Backup ${running.backupId} is running (Backuping); UCloud gives download URLs only for finished backups`);
		expect(requestsSince(emulator, mark, 'DescribeURedisBackupURL')).toHaveLength(0);
	});

	it('says when a backup is not found, without a number of days (every backup was searched)', async () => {
		const result = await runUCloudNode(emulator, { resource: 'backup', operation: 'get', instanceId: instanceRef(GROUP_ID), backupId: '00000000-0000-0000-0000-000000000000' });
		expect(nodeErrorOf(result).message).toBe(`Backup 00000000-0000-0000-0000-000000000000 was not found on instance ${GROUP_ID}`);
	});
});
