/**
 * Backup → List, Get and Get Download URL through n8n's engine against the emulator: time ranges, status filter,
 * paging, the output model, lookups by ID.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { BACKUP_STATUSES } from '../../nodes/common/model';
import {
	CLUSTER_ID,
	DAY_MS,
	instanceRef,
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	REGION,
	requestsSince,
	runAlibabaNode,
	STANDARD_ID,
	useEmulator,
	UTC_ISO,
} from './alibabaFixture';

/** Standard instance with backups at known distances from the test's start (days ago). */
const RANGE_ID = 'r-timerange0001';
const RANGE_DAYS_AGO = [0.5, 1.5, 2.5, 3.5, 6.5, 7.5, 9];
/** Cluster instance with backup sets at known distances. */
const RANGE_CLUSTER_ID = 'r-timerangeclu1';
const RANGE_CLUSTER_DAYS_AGO = [1, 3, 8];
/** Standard instance with more backups than several pages hold. */
const PAGING_ID = 'r-paging0000001';
const PAGING_COUNT = 100;
/** Cluster instance with more backup sets than one page of 30 holds. */
const PAGING_CLUSTER_ID = 'r-pagingcluster1';
const PAGING_CLUSTER_COUNT = 35;

const HOUR_MS = 3_600_000;
const json = (items: INodeExecutionData[]) => items.map((item) => item.json);
const ids = (items: INodeExecutionData[]) => items.map((item) => String(item.json.backupId));
const sorted = (values: string[]) => [...values].sort();

/** Every item the node outputs follows the one model, whatever the cloud sent. */
function expectBackupModel(backup: IDataObject, instanceId: string, shards = 1): void {
	expect(backup).toMatchObject({ kind: 'backup', provider: 'alibaba', region: REGION, instanceId });
	expect(typeof backup.backupId).toBe('string');
	expect(BACKUP_STATUSES).toContain(backup.status);
	expect(['manual', 'automatic', 'unknown']).toContain(backup.mode);
	expect(backup.startedAt).toMatch(UTC_ISO);
	if (backup.status !== 'running') expect(backup.finishedAt).toMatch(UTC_ISO);
	expect(typeof backup.sizeBytes).toBe('number');
	const files = backup.files as IDataObject[];
	expect(Array.isArray(files)).toBe(true);
	expect(files).toHaveLength(shards);
	for (const file of files) {
		expect(BACKUP_STATUSES).toContain(file.status);
		expect(typeof file.sizeBytes).toBe('number');
		if (backup.status === 'succeeded') {
			expect(file.downloadUrl).toEqual(expect.stringContaining('/oss/'));
			expect(file.internalDownloadUrl).toEqual(expect.stringContaining('/oss-internal/'));
			expect(file.expiresAt).toMatch(UTC_ISO);
			expect(typeof file.name).toBe('string');
		}
	}
	if (backup.status === 'succeeded') {
		expect(backup.sizeBytes).toBe(files.reduce((sum, f) => sum + (f.sizeBytes as number), 0));
	}
	// The cloud's record is kept untouched beside the model.
	expect(backup.raw).toEqual(expect.any(Object));
	const raw = backup.raw as IDataObject;
	// Cluster instances here all have 2 or more shards; standard backups have one file.
	expect(shards > 1 ? raw.ClusterBackupId : String(raw.BackupId)).toBe(backup.backupId);
}

describe('Backup → List', () => {
	const emulator = useEmulator();
	const store = () => emulator.alibaba.store;
	let t0 = 0;

	beforeAll(() => {
		t0 = Date.now();
		emulator.alibaba.addInstance({ instanceId: RANGE_ID, regionId: REGION, architecture: 'standard' });
		for (const days of RANGE_DAYS_AGO) emulator.alibaba.addBackup({ instanceId: RANGE_ID, startMs: t0 - days * DAY_MS });
		emulator.alibaba.addInstance({ instanceId: RANGE_CLUSTER_ID, regionId: REGION, architecture: 'cluster', shards: 3 });
		for (const days of RANGE_CLUSTER_DAYS_AGO) {
			emulator.alibaba.addClusterBackupSet({ instanceId: RANGE_CLUSTER_ID, startMs: t0 - days * DAY_MS });
		}
		emulator.alibaba.addInstance({ instanceId: PAGING_ID, regionId: REGION, architecture: 'standard' });
		for (let i = 0; i < PAGING_COUNT; i++) {
			emulator.alibaba.addBackup({ instanceId: PAGING_ID, startMs: t0 - (i + 1) * HOUR_MS, sizeBytes: 4096 + i });
		}
		emulator.alibaba.addInstance({ instanceId: PAGING_CLUSTER_ID, regionId: REGION, architecture: 'cluster', shards: 2 });
		for (let i = 0; i < PAGING_CLUSTER_COUNT; i++) {
			emulator.alibaba.addClusterBackupSet({ instanceId: PAGING_CLUSTER_ID, startMs: t0 - (i + 1) * HOUR_MS, shardSizes: [1024, 2048] });
		}
	});

	const list = (instanceId: string, extra: INodeParameters = {}) =>
		runAlibabaNode(emulator, { resource: 'backup', operation: 'list', instanceId: instanceRef(instanceId), ...extra });

	const startedAgo = (instanceId: string, from: number, to = 0) =>
		store()
			.backups.filter((b) => b.instanceId === instanceId && b.startMs >= t0 - from * DAY_MS && b.startMs <= t0 - to * DAY_MS)
			.map((b) => String(b.backupId));

	describe('default range (the last 7 days)', () => {
		it('standard: returns exactly the seeded backups started in the last 7 days, newest first', async () => {
			const before = Date.now();
			const result = await list(STANDARD_ID);
			expect(result.status).toBe('success');
			const items = result.output(NODE_NAME);
			const expected = store()
				.backups.filter((b) => b.instanceId === STANDARD_ID && b.startMs >= before - 7 * DAY_MS)
				.map((b) => String(b.backupId));
			// 45 seeded over 10 days: the 31 of the last 7 days (the default limit of 50 is not reached).
			expect(expected).toHaveLength(31);
			expect(sorted(ids(items))).toEqual(sorted(expected));
			const starts = json(items).map((b) => Date.parse(b.startedAt as string));
			expect(starts).toEqual([...starts].sort((a, b) => b - a));
			expect(Math.min(...starts)).toBeGreaterThanOrEqual(before - 7 * DAY_MS - 60_000);

			const [request] = requestsSince(emulator, 0, 'DescribeBackups').slice(-1);
			const start = Date.parse(request.query.StartTime);
			const end = Date.parse(request.query.EndTime);
			expect(request.query.StartTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/);
			expect(end - start).toBeGreaterThanOrEqual(7 * DAY_MS);
			expect(end - start).toBeLessThanOrEqual(7 * DAY_MS + 120_000);
		});

		it('standard: a controlled instance gives the backups of the last 7 days only', async () => {
			const result = await list(RANGE_ID);
			expect(sorted(ids(result.output(NODE_NAME)))).toEqual(sorted(startedAgo(RANGE_ID, 7)));
			expect(result.output(NODE_NAME)).toHaveLength(5);
		});

		it('cluster: returns the seeded backup sets of the last 7 days, one file per shard', async () => {
			const result = await list(CLUSTER_ID, { instanceType: 'cluster' });
			const items = result.output(NODE_NAME);
			const expected = store().clusterSets.filter((s) => s.instanceId === CLUSTER_ID).map((s) => s.clusterBackupId);
			expect(expected).toHaveLength(6);
			expect(sorted(ids(items))).toEqual(sorted(expected));
			for (const backup of json(items)) expectBackupModel(backup, CLUSTER_ID, 2);
			const request = requestsSince(emulator, 0, 'DescribeClusterBackupList').at(-1)!;
			expect(Date.parse(request.query.EndTime) - Date.parse(request.query.StartTime)).toBeGreaterThanOrEqual(7 * DAY_MS);
		});

		it('cluster: sets older than 7 days are left out', async () => {
			const result = await list(RANGE_CLUSTER_ID, { instanceType: 'cluster' });
			const expected = store()
				.clusterSets.filter((s) => s.instanceId === RANGE_CLUSTER_ID && s.startMs >= t0 - 7 * DAY_MS)
				.map((s) => s.clusterBackupId);
			expect(expected).toHaveLength(2);
			expect(sorted(ids(result.output(NODE_NAME)))).toEqual(sorted(expected));
			for (const backup of json(result.output(NODE_NAME))) expectBackupModel(backup, RANGE_CLUSTER_ID, 3);
		});
	});

	describe('explicit Start / End Time', () => {
		it('takes ISO strings', async () => {
			const result = await list(RANGE_ID, {
				startTime: new Date(t0 - 4 * DAY_MS).toISOString(),
				endTime: new Date(t0 - 1 * DAY_MS).toISOString(),
			});
			expect(result.status).toBe('success');
			expect(sorted(ids(result.output(NODE_NAME)))).toEqual(sorted(startedAgo(RANGE_ID, 4, 1)));
			expect(result.output(NODE_NAME)).toHaveLength(3);
		});

		it('takes an ISO string with an offset and sends the range in UTC', async () => {
			const mark = markRequests(emulator);
			// 2 days ago, written in Beijing time.
			const start = new Date(t0 - 2 * DAY_MS + 8 * HOUR_MS).toISOString().replace(/\.\d{3}Z$/, '+08:00');
			const result = await list(RANGE_ID, { startTime: start });
			expect(sorted(ids(result.output(NODE_NAME)))).toEqual(sorted(startedAgo(RANGE_ID, 2)));
			const [request] = requestsSince(emulator, mark, 'DescribeBackups');
			expect(request.query.StartTime).toBe(new Date(Math.floor((t0 - 2 * DAY_MS) / 60_000) * 60_000).toISOString().slice(0, 16) + 'Z');
		});

		it('takes expressions such as {{ $now.minus({days: 2}).toISO() }}', async () => {
			const result = await list(RANGE_ID, { startTime: '={{ $now.minus({days: 2}).toISO() }}' });
			expect(result.status).toBe('success');
			expect(sorted(ids(result.output(NODE_NAME)))).toEqual(sorted(startedAgo(RANGE_ID, 2)));
			expect(result.output(NODE_NAME)).toHaveLength(2);

			const both = await list(RANGE_ID, {
				startTime: '={{ $now.minus({days: 3}).toISO() }}',
				endTime: '={{ $now.minus({days: 1}) }}',
			});
			expect(both.status).toBe('success');
			expect(sorted(ids(both.output(NODE_NAME)))).toEqual(sorted(startedAgo(RANGE_ID, 3, 1)));
			expect(both.output(NODE_NAME)).toHaveLength(2);
		});

		it('cluster: a range in the past returns only the sets inside it', async () => {
			const result = await list(RANGE_CLUSTER_ID, {
				instanceType: 'cluster',
				startTime: '={{ $now.minus({days: 10}).toISO() }}',
				endTime: '={{ $now.minus({days: 2}).toISO() }}',
			});
			const expected = store()
				.clusterSets.filter((s) => s.instanceId === RANGE_CLUSTER_ID && s.startMs <= t0 - 2 * DAY_MS)
				.map((s) => s.clusterBackupId);
			expect(expected).toHaveLength(2);
			expect(sorted(ids(result.output(NODE_NAME)))).toEqual(sorted(expected));
		});
	});

	describe('status filter', () => {
		it('standard: "failed" returns exactly the seeded failed backups', async () => {
			const result = await list(STANDARD_ID, {
				startTime: '={{ $now.minus({days: 11}).toISO() }}',
				statuses: ['failed'],
				returnAll: true,
			});
			const expected = store()
				.backups.filter((b) => b.instanceId === STANDARD_ID && b.status === 'Failed')
				.map((b) => String(b.backupId));
			expect(expected).toHaveLength(2);
			expect(sorted(ids(result.output(NODE_NAME)))).toEqual(sorted(expected));
			for (const backup of json(result.output(NODE_NAME))) {
				expect(backup).toMatchObject({ status: 'failed', providerStatus: 'Failed' });
				expectBackupModel(backup, STANDARD_ID);
			}
		});

		it('standard: "succeeded" leaves the failed ones out', async () => {
			const result = await list(STANDARD_ID, {
				startTime: '={{ $now.minus({days: 11}).toISO() }}',
				statuses: ['succeeded'],
				returnAll: true,
			});
			const expected = store()
				.backups.filter((b) => b.instanceId === STANDARD_ID && b.status === 'Success')
				.map((b) => String(b.backupId));
			expect(expected).toHaveLength(43);
			expect(sorted(ids(result.output(NODE_NAME)))).toEqual(sorted(expected));
		});

		it('cluster: "failed" returns the seeded failed set', async () => {
			const result = await list(CLUSTER_ID, { instanceType: 'cluster', statuses: ['failed'] });
			const expected = store()
				.clusterSets.filter((s) => s.instanceId === CLUSTER_ID && s.status === 'Failed')
				.map((s) => s.clusterBackupId);
			expect(expected).toHaveLength(1);
			expect(ids(result.output(NODE_NAME))).toEqual(expected);
			expect(result.output(NODE_NAME)[0].json).toMatchObject({ status: 'failed', providerStatus: 'Failed' });
		});

		it('the limit counts the matching backups, not the fetched ones', async () => {
			const result = await list(STANDARD_ID, {
				startTime: '={{ $now.minus({days: 11}).toISO() }}',
				statuses: ['failed'],
				limit: 1,
			});
			const items = result.output(NODE_NAME);
			expect(items).toHaveLength(1);
			expect(items[0].json.status).toBe('failed');
		});
	});

	describe('Status given by an expression or in another case', () => {
		const failedIds = () =>
			store()
				.backups.filter((b) => b.instanceId === STANDARD_ID && b.status === 'Failed')
				.map((b) => String(b.backupId));

		it.each([
			['an expression giving one string', '={{ "failed" }}'],
			['a capitalised value', ['Failed']],
			['an expression giving an upper-case array', '={{ ["FAILED"] }}'],
			['a string with spaces around it', '={{ " failed " }}'],
		])('%s filters like the panel value', async (_label, statuses) => {
			const result = await list(STANDARD_ID, { startTime: '={{ $now.minus({days: 11}).toISO() }}', statuses, returnAll: true });
			expect(result.status).toBe('success');
			expect(failedIds()).toHaveLength(2);
			expect(sorted(ids(result.output(NODE_NAME)))).toEqual(sorted(failedIds()));
		});

		it('a comma-separated string takes several statuses', async () => {
			const result = await list(STANDARD_ID, {
				startTime: '={{ $now.minus({days: 11}).toISO() }}',
				statuses: '={{ "Failed, succeeded" }}',
				returnAll: true,
			});
			expect(result.output(NODE_NAME)).toHaveLength(45);
		});

		it('an unknown status is an error naming Status and the item, sent before any request', async () => {
			const mark = markRequests(emulator);
			const result = await runAlibabaNode(
				emulator,
				{ resource: 'backup', operation: 'list', instanceId: instanceRef(STANDARD_ID), statuses: '={{ $json.status }}' },
				{ items: [{ status: 'failed' }, { status: 'done' }] },
			);
			const error = nodeErrorOf(result);
			expect(error.message).toBe('Status "done" is not accepted (item 1)');
			expect(error.description).toMatch(/Use one of: pending, running, succeeded, failed/);
			expect(requestsSince(emulator, mark, 'DescribeBackups').length).toBeGreaterThan(0);

			// Alone, the bad item sends nothing at all.
			const alone = markRequests(emulator);
			const single = await list(STANDARD_ID, { statuses: ['Succeeded', 'done'] });
			expect(nodeErrorOf(single).message).toBe('Status "done" is not accepted (item 0)');
			expect(requestsSince(emulator, alone)).toHaveLength(0);
		});
	});

	describe("Start / End Time without a zone are in the workflow's timezone", () => {
		it("reads 2026-11-20T00:00:00 in Asia/Shanghai and asks for 2026-11-19T16:00Z", async () => {
			const mark = markRequests(emulator);
			const result = await runAlibabaNode(
				emulator,
				{
					resource: 'backup',
					operation: 'list',
					instanceId: instanceRef(RANGE_ID),
					startTime: '2026-11-20T00:00:00',
					endTime: '2026-11-21T00:00:00',
				},
				{ settings: { timezone: 'Asia/Shanghai' } },
			);
			expect(result.status).toBe('success');
			const [request] = requestsSince(emulator, mark, 'DescribeBackups');
			expect(request.query.StartTime).toBe('2026-11-19T16:00Z');
			expect(request.query.EndTime).toBe('2026-11-20T16:00Z');
		});

		it('keeps an explicit Z or offset, whatever the timezone', async () => {
			const mark = markRequests(emulator);
			const result = await runAlibabaNode(
				emulator,
				{
					resource: 'backup',
					operation: 'list',
					instanceId: instanceRef(RANGE_ID),
					startTime: '2026-11-20T00:00:00Z',
					endTime: '2026-11-21T08:00:00+08:00',
				},
				{ settings: { timezone: 'America/New_York' } },
			);
			expect(result.status).toBe('success');
			const [request] = requestsSince(emulator, mark, 'DescribeBackups');
			expect(request.query.StartTime).toBe('2026-11-20T00:00Z');
			expect(request.query.EndTime).toBe('2026-11-21T00:00Z');
		});
	});

	describe('backups started outside [Start, End) are left out, though the request is widened to whole minutes', () => {
		const EDGE_ID = 'r-rangeedge00001';
		const MINUTE_MS = 60_000;
		let start = 0;
		let end = 0;
		const at: Record<string, string> = {};
		beforeAll(() => {
			// Start and End at :30 seconds, so the minute-wide request reaches 30 s before Start and after End.
			start = Math.floor(t0 / MINUTE_MS) * MINUTE_MS - 2 * HOUR_MS + 30_000;
			end = start + 10 * MINUTE_MS;
			emulator.alibaba.addInstance({ instanceId: EDGE_ID, regionId: REGION, architecture: 'standard' });
			const add = (label: string, startMs: number) => {
				at[label] = String(emulator.alibaba.addBackup({ instanceId: EDGE_ID, startMs }).backupId);
			};
			add('30s before Start', start - 30_000);
			add('at Start', start);
			add('inside', start + MINUTE_MS);
			add('1s before End', end - 1000);
			add('at End', end);
			add('15s after End', end + 15_000);
		});
		const range = () => ({ startTime: new Date(start).toISOString(), endTime: new Date(end).toISOString() });

		it('returns only the backups started in the range; the request itself was widened', async () => {
			const mark = markRequests(emulator);
			const result = await list(EDGE_ID, { ...range(), returnAll: true });
			expect(result.status).toBe('success');
			expect(sorted(ids(result.output(NODE_NAME)))).toEqual(sorted([at['at Start'], at.inside, at['1s before End']]));
			const [request] = requestsSince(emulator, mark, 'DescribeBackups');
			expect(Date.parse(request.query.StartTime)).toBe(start - 30_000);
			expect(Date.parse(request.query.EndTime)).toBe(end + 30_000);
		});

		it('a backup started 30 s before Start is not returned', async () => {
			const result = await list(EDGE_ID, range());
			expect(ids(result.output(NODE_NAME))).not.toContain(at['30s before Start']);
		});

		it('the limit counts only backups in the range', async () => {
			const result = await list(EDGE_ID, { ...range(), limit: 1 });
			expect(ids(result.output(NODE_NAME))).toEqual([at['1s before End']]);
		});

		it('combines with the status filter', async () => {
			const result = await list(EDGE_ID, { ...range(), statuses: ['succeeded'], limit: 2 });
			expect(ids(result.output(NODE_NAME))).toEqual([at['1s before End'], at.inside]);
		});
	});

	describe('paging', () => {
		it('Return All walks every page (PageNumber 1, 2, 3, 4) with no item duplicated or missing', async () => {
			const mark = markRequests(emulator);
			const result = await list(PAGING_ID, { returnAll: true });
			expect(result.status).toBe('success');
			const items = result.output(NODE_NAME);
			const requests = requestsSince(emulator, mark, 'DescribeBackups');
			expect(requests.map((r) => r.query.PageNumber)).toEqual(['1', '2', '3', '4']);
			expect(requests.every((r) => r.query.PageSize === '30' && r.status === 200)).toBe(true);

			const got = ids(items);
			expect(new Set(got).size).toBe(got.length);
			const expected = store().backups.filter((b) => b.instanceId === PAGING_ID).map((b) => String(b.backupId));
			expect(expected).toHaveLength(PAGING_COUNT);
			expect(sorted(got)).toEqual(sorted(expected));
			// Newest first across page boundaries.
			const starts = json(items).map((b) => b.startedAt as string);
			expect(starts).toEqual([...starts].sort().reverse());
			for (const backup of json(items)) expectBackupModel(backup, PAGING_ID);
		});

		it('Return All on a cluster pages DescribeClusterBackupList (no TotalCount) until a short page', async () => {
			const mark = markRequests(emulator);
			const result = await list(PAGING_CLUSTER_ID, { instanceType: 'cluster', returnAll: true });
			const requests = requestsSince(emulator, mark, 'DescribeClusterBackupList');
			expect(requests.map((r) => r.query.PageNumber)).toEqual(['1', '2']);
			const got = ids(result.output(NODE_NAME));
			expect(new Set(got).size).toBe(PAGING_CLUSTER_COUNT);
			expect(sorted(got)).toEqual(
				sorted(store().clusterSets.filter((s) => s.instanceId === PAGING_CLUSTER_ID).map((s) => s.clusterBackupId)),
			);
		});

		it('a Limit smaller than a page makes one request and returns the newest backups', async () => {
			const mark = markRequests(emulator);
			const result = await list(PAGING_ID, { limit: 5 });
			const newest = store()
				.backups.filter((b) => b.instanceId === PAGING_ID)
				.sort((a, b) => b.startMs - a.startMs)
				.slice(0, 5)
				.map((b) => String(b.backupId));
			expect(ids(result.output(NODE_NAME))).toEqual(newest);
			expect(requestsSince(emulator, mark, 'DescribeBackups').map((r) => r.query.PageNumber)).toEqual(['1']);
		});

		it('a Limit larger than a page fetches the second page and stops at the limit', async () => {
			const mark = markRequests(emulator);
			const result = await list(PAGING_ID, { limit: 45 });
			const newest = store()
				.backups.filter((b) => b.instanceId === PAGING_ID)
				.sort((a, b) => b.startMs - a.startMs)
				.slice(0, 45)
				.map((b) => String(b.backupId));
			expect(ids(result.output(NODE_NAME))).toEqual(newest);
			expect(requestsSince(emulator, mark, 'DescribeBackups').map((r) => r.query.PageNumber)).toEqual(['1', '2']);
		});

		it('the default Limit is 50', async () => {
			const result = await list(PAGING_ID);
			expect(result.output(NODE_NAME)).toHaveLength(50);
		});

		it('Page Size 50 is sent as PageSize=50', async () => {
			const mark = markRequests(emulator);
			const result = await list(PAGING_ID, { returnAll: true, options: { pageSize: 50 } });
			const requests = requestsSince(emulator, mark, 'DescribeBackups');
			expect(requests.map((r) => [r.query.PageNumber, r.query.PageSize])).toEqual([
				['1', '50'],
				['2', '50'],
			]);
			expect(new Set(ids(result.output(NODE_NAME))).size).toBe(PAGING_COUNT);
		});
	});

	it('outputs items that follow the model (standard)', async () => {
		const result = await list(STANDARD_ID, { startTime: '={{ $now.minus({days: 11}).toISO() }}', returnAll: true });
		const items = json(result.output(NODE_NAME));
		expect(items).toHaveLength(45);
		for (const backup of items) expectBackupModel(backup, STANDARD_ID);
		const byId = new Map(store().backups.map((b) => [String(b.backupId), b]));
		for (const backup of items) {
			const record = byId.get(backup.backupId as string)!;
			expect(backup.startedAt).toBe(new Date(record.startMs).toISOString().replace(/\.\d{3}Z$/, 'Z'));
			expect(backup.finishedAt).toBe(new Date(record.endMs).toISOString().replace(/\.\d{3}Z$/, 'Z'));
			expect(backup.sizeBytes).toBe(record.file?.size ?? 0);
			expect(backup.taskId).toBe(String(record.jobId));
			expect(backup.mode).toBe(record.mode === 'Manual' ? 'manual' : 'automatic');
			expect(backup.status).toBe(record.status === 'Success' ? 'succeeded' : 'failed');
		}
	});
});

describe('Backup → Get', () => {
	const emulator = useEmulator();
	const store = () => emulator.alibaba.store;
	const get = (instanceId: string, backupId: string, extra: INodeParameters = {}) =>
		runAlibabaNode(emulator, { resource: 'backup', operation: 'get', instanceId: instanceRef(instanceId), backupId, ...extra });

	it('gets a standard backup by its numeric ID', async () => {
		const record = store().backups.filter((b) => b.instanceId === STANDARD_ID)[20];
		const mark = markRequests(emulator);
		const result = await get(STANDARD_ID, String(record.backupId));
		expect(result.status).toBe('success');
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ backupId: String(record.backupId), taskId: String(record.jobId), status: 'succeeded' });
		expectBackupModel(items[0].json, STANDARD_ID);
		const [request] = requestsSince(emulator, mark, 'DescribeBackups');
		expect(request.query.BackupId).toBe(String(record.backupId));
	});

	it('takes the ID as a number from an expression', async () => {
		const record = store().backups.filter((b) => b.instanceId === STANDARD_ID)[3];
		const result = await runAlibabaNode(
			emulator,
			{ resource: 'backup', operation: 'get', instanceId: instanceRef(STANDARD_ID), backupId: '={{ $json.id }}' },
			{ items: [{ id: record.backupId }] },
		);
		expect(result.status).toBe('success');
		expect(result.output(NODE_NAME)[0].json.backupId).toBe(String(record.backupId));
	});

	it('gets a cluster backup set by its cb- ID, with one file per shard', async () => {
		const set = store().clusterSets.find((s) => s.instanceId === CLUSTER_ID && s.status === 'OK')!;
		const result = await get(CLUSTER_ID, set.clusterBackupId, { instanceType: 'cluster' });
		expect(result.status).toBe('success');
		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject({ backupId: set.clusterBackupId, status: 'succeeded', providerStatus: 'OK' });
		expectBackupModel(item.json, CLUSTER_ID, 2);
		expect((item.json.files as IDataObject[]).map((f) => f.fileId)).toEqual(set.shards.map((s) => s.backupId));
		expect((item.json.files as IDataObject[]).map((f) => f.sizeBytes)).toEqual(set.shards.map((s) => s.file!.size));
	});

	it('fails with an error naming a standard backup ID that does not exist', async () => {
		const result = await get(STANDARD_ID, '999999999');
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toContain('999999999');
		expect(error.message).toMatch(/not found/i);
		expect(error.message).toContain(STANDARD_ID);
	});

	it('fails with an error naming a cluster backup set ID that does not exist', async () => {
		const result = await get(CLUSTER_ID, 'cb-doesnotexist0001', { instanceType: 'cluster' });
		const error = nodeErrorOf(result);
		expect(error.message).toContain('cb-doesnotexist0001');
		expect(error.message).toMatch(/not found/i);
	});

	it('refuses a backup ID of the wrong shape for the instance type before any request', async () => {
		const mark = markRequests(emulator);
		const result = await runAlibabaNode(
			emulator,
			{ resource: 'backup', operation: 'get', instanceId: instanceRef(CLUSTER_ID), instanceType: 'cluster', backupId: '={{ "12345" }}' },
		);
		const error = nodeErrorOf(result);
		expect(error.message).toMatch(/Backup ID "12345" is not valid \(item 0\)/);
		expect(requestsSince(emulator, mark)).toHaveLength(0);
	});
});

describe('Backup → Get Download URL', () => {
	const emulator = useEmulator();
	const store = () => emulator.alibaba.store;

	it('standard: one item with both URLs, expiry, size and the backup ID; the URL works', async () => {
		const record = store().backups.find((b) => b.instanceId === STANDARD_ID && b.status === 'Success' && b.startMs > Date.now() - 5 * DAY_MS)!;
		const before = Date.now();
		const result = await runAlibabaNode(emulator, {
			resource: 'backup',
			operation: 'getDownloadUrl',
			instanceId: instanceRef(STANDARD_ID),
			backupId: String(record.backupId),
		});
		expect(result.status).toBe('success');
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		const file = items[0].json;
		expect(file).toMatchObject({
			provider: 'alibaba',
			instanceId: STANDARD_ID,
			backupId: String(record.backupId),
			backupStatus: 'succeeded',
			fileIndex: 0,
			fileCount: 1,
			sizeBytes: record.file!.size,
			name: record.file!.name,
		});
		expect(file.downloadUrl).toEqual(expect.stringContaining(`/oss/${record.file!.key}?`));
		expect(file.internalDownloadUrl).toEqual(expect.stringContaining(`/oss-internal/${record.file!.key}?`));
		expect(file.expiresAt).toMatch(UTC_ISO);
		const ttl = Date.parse(file.expiresAt as string) - before;
		expect(ttl).toBeGreaterThan(emulator.alibaba.settings.urlTtlMs - 5_000);
		expect(ttl).toBeLessThan(emulator.alibaba.settings.urlTtlMs + 5_000);

		const response = await fetch(file.downloadUrl as string, { method: 'HEAD' });
		expect(response.status).toBe(200);
		expect(Number(response.headers.get('content-length'))).toBe(record.file!.size);
	});

	it('cluster: one item per shard file', async () => {
		const set = store().clusterSets.find((s) => s.instanceId === CLUSTER_ID && s.status === 'OK')!;
		const result = await runAlibabaNode(emulator, {
			resource: 'backup',
			operation: 'getDownloadUrl',
			instanceType: 'cluster',
			instanceId: instanceRef(CLUSTER_ID),
			backupId: set.clusterBackupId,
		});
		const items = json(result.output(NODE_NAME));
		expect(items).toHaveLength(set.shards.length);
		items.forEach((file, index) => {
			const shard = set.shards[index];
			expect(file).toMatchObject({
				backupId: set.clusterBackupId,
				fileIndex: index,
				fileCount: set.shards.length,
				fileId: shard.backupId,
				sizeBytes: shard.file!.size,
				name: shard.file!.name,
			});
			expect(file.downloadUrl).toEqual(expect.stringContaining(`/oss/${shard.file!.key}?`));
			expect(file.internalDownloadUrl).toEqual(expect.stringContaining(`/oss-internal/${shard.file!.key}?`));
			expect(file.expiresAt).toMatch(UTC_ISO);
		});
		expect(result.output(NODE_NAME).every((item) => item.pairedItem && (item.pairedItem as { item: number }).item === 0)).toBe(true);
	});
});
