/**
 * The shared rules with the UCloud adapter, against a fake DescribeURedisBackup that, like the real one, has no time
 * or state filter: the node's time range and status filter are applied before Limit counts, paging stops when Limit
 * is met or the list ends (also when the API gives fewer items per page than asked, its TotalCount saying more
 * follow), a lookup by ID sends BackupId, files are asked for only for a succeeded backup (in its own zone), Wait
 * Until Finished polls the backup's own State, and the instance picker searches groups by ID or name.
 */
import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';
import { DateTime } from 'luxon';

import { backupWithFiles, findBackup, listBackups } from '../../nodes/common/backups';
import { CloudApiError } from '../../nodes/common/errors';
import type { Backup } from '../../nodes/common/model';
import { collectPages } from '../../nodes/common/paginate';
import { WaiterTimeoutError } from '../../nodes/common/waiter';
import { waitForJob } from '../../nodes/common/waitForJob';
import { UCloudRedisClient } from '../../nodes/UCloudRedis/transport/client';
import { INSTANCE_PAGE_SIZE, UCloudProvider } from '../../nodes/UCloudRedis/transport/provider';

const instance = { region: 'cn-bj2', instanceId: 'uredis-2cwmyb', variant: '' };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-11-20T12:00:00Z');

interface FakeBackup {
	id: string;
	/** ms */
	time: number;
	state?: string;
	type?: string | number;
	zone?: string;
}

interface FakeApi {
	backups: FakeBackup[];
	groups?: Array<Record<string, unknown>>;
	/** The most items a page holds, whatever Limit asks (UCloud documents no maximum). */
	maxLimit?: number;
	ignoreBackupId?: boolean;
	/** Changes a backup between calls (a backup in progress). */
	onDescribe?: (call: number) => void;
}

function fakeUCloud(api: FakeApi) {
	const requests: Array<Record<string, unknown>> = [];
	let describes = 0;
	const send = jest.fn(async (options: IHttpRequestOptions): Promise<IN8nHttpFullResponse> => {
		const params = options.body as Record<string, unknown>;
		requests.push(params);
		const page = <T>(items: T[]) => {
			const offset = Number(params.Offset ?? 0);
			const limit = Math.min(Number(params.Limit ?? 10), api.maxLimit ?? Infinity);
			return items.slice(offset, offset + limit);
		};
		let answer: Record<string, unknown>;
		switch (params.Action) {
			case 'DescribeURedisBackup': {
				api.onDescribe?.(++describes);
				const matching = api.backups
					.filter((b) => api.ignoreBackupId || !params.BackupId || b.id === params.BackupId)
					.sort((a, b) => b.time - a.time);
				answer = {
					TotalCount: matching.length,
					DataSet: page(matching).map((b) => ({
						BackupId: b.id,
						GroupId: params.GroupId,
						BackupName: `name-${b.id}`,
						BackupTime: Math.floor(b.time / 1000),
						BackupSize: 1000,
						BackupType: b.type ?? 'Manual',
						State: b.state ?? 'Success',
						Zone: b.zone ?? 'cn-bj2-02',
					})),
				};
				break;
			}
			case 'DescribeURedisBackupURL':
				answer = { BackupPath: `https://bucket.cn-bj.ufileos.com/${String(params.BackupId)}?Expires=${Math.floor(NOW / 1000) + 3600}` };
				break;
			case 'DescribeURedisGroup': {
				const groups = (api.groups ?? []).filter((g) => !params.GroupId || g.GroupId === params.GroupId);
				answer = { TotalCount: groups.length, DataSet: page(groups) };
				break;
			}
			default:
				answer = { RetCode: 161, Message: `Action [${String(params.Action)}] not found` };
		}
		return { statusCode: 200, headers: {}, body: JSON.stringify({ RetCode: 0, Action: `${String(params.Action)}Response`, ...answer }) };
	});
	const provider = new UCloudProvider(new UCloudRedisClient({ send, sleep: async () => undefined }));
	return { provider, requests, send };
}

const at = (ms: number) => DateTime.fromMillis(ms, { zone: 'utc' });
const ids = (backups: Backup[]) => backups.map((b) => b.backupId);

/** 30 backups, one every 12 hours back from NOW: b00 newest; b05, b11, b17, b23 failed. */
const history: FakeBackup[] = Array.from({ length: 30 }, (_, i) => ({
	id: `b${String(i).padStart(2, '0')}`,
	time: NOW - i * 12 * HOUR - HOUR,
	state: i % 6 === 5 ? 'Error' : 'Success',
}));

describe('Backup → List with no time or state filter in the API', () => {
	it('applies the time range itself: only backups started in [start, end), newest first', async () => {
		const { provider, requests } = fakeUCloud({ backups: history });
		const backups = await collectPages(
			listBackups(provider, { instance, start: at(NOW - 2 * DAY), end: at(NOW), pageSize: 10 }),
		);
		expect(ids(backups)).toEqual(['b00', 'b01', 'b02', 'b03']);
		// No time parameter exists: the whole list is paged through (3 pages of 10).
		expect(requests.map((r) => [r.Offset, r.Limit])).toEqual([[0, 10], [10, 10], [20, 10]]);
		for (const r of requests) {
			expect(r).toMatchObject({ Action: 'DescribeURedisBackup', Region: 'cn-bj2', GroupId: 'uredis-2cwmyb' });
			expect(Object.keys(r).sort()).toEqual(['Action', 'GroupId', 'Limit', 'Offset', 'Region']);
		}
	});

	it('applies the status filter before Limit counts (the whole list is read: UCloud documents no order)', async () => {
		const { provider, requests } = fakeUCloud({ backups: history });
		const failed = await collectPages(
			listBackups(provider, { instance, start: at(NOW - 30 * DAY), end: at(NOW), pageSize: 10, limit: 2, statuses: ['failed'] }),
		);
		expect(ids(failed)).toEqual(['b05', 'b11']);
		expect(failed.map((b) => b.status)).toEqual(['failed', 'failed']);
		// Every page of the 30 backups: the cloud's order is not trusted to put the newest first.
		expect(requests).toHaveLength(3);
	});

	it('Limit keeps the newest backups even when the cloud lists the oldest first', async () => {
		const { provider } = fakeUCloud({ backups: [...history].reverse() });
		const newest = await collectPages(
			listBackups(provider, { instance, start: at(NOW - 30 * DAY), end: at(NOW), pageSize: 10, limit: 3 }),
		);
		expect(ids(newest)).toEqual(['b00', 'b01', 'b02']);
	});

	it('the time range and Limit together: the 3 newest of a window further back', async () => {
		const { provider } = fakeUCloud({ backups: history });
		const backups = await collectPages(
			listBackups(provider, { instance, start: at(NOW - 10 * DAY), end: at(NOW - 5 * DAY), pageSize: 20, limit: 3 }),
		);
		expect(ids(backups)).toEqual(['b10', 'b11', 'b12']);
	});

	it('a range with nothing in it pages through the list and returns nothing', async () => {
		const { provider, requests } = fakeUCloud({ backups: history });
		const backups = await collectPages(
			listBackups(provider, { instance, start: at(NOW - 400 * DAY), end: at(NOW - 300 * DAY), pageSize: 50, limit: 5 }),
		);
		expect(backups).toEqual([]);
		expect(requests).toHaveLength(1);
	});

	it('keeps paging when the API gives fewer items than asked while its TotalCount says more follow', async () => {
		const { provider, requests } = fakeUCloud({ backups: history, maxLimit: 10 });
		const backups = await collectPages(
			listBackups(provider, { instance, start: at(NOW - 30 * DAY), end: at(NOW), pageSize: 100 }),
		);
		expect(backups).toHaveLength(30);
		expect(requests.map((r) => [r.Offset, r.Limit])).toEqual([[0, 100], [10, 100], [20, 100]]);
	});
});

describe('lookups by ID', () => {
	it('sends BackupId, and searches every backup (no time window) without naming days when not found', async () => {
		const { provider, requests } = fakeUCloud({ backups: history });
		const backup = await findBackup(provider, instance, 'b29', 7, 100);
		expect(backup).toMatchObject({ backupId: 'b29', status: 'failed', providerStatus: 'Error', instanceId: 'uredis-2cwmyb' });
		expect(requests[0]).toMatchObject({ BackupId: 'b29', GroupId: 'uredis-2cwmyb' });
		const missing = await findBackup(provider, instance, 'nope', 7, 100).catch((e: unknown) => e);
		expect(missing).toBeInstanceOf(CloudApiError);
		expect((missing as CloudApiError).message).toBe('Backup nope was not found on instance uredis-2cwmyb');
		expect((missing as CloudApiError).kind).toBe('notFound');
	});

	it('pages on until the backup shows up where the API ignores BackupId', async () => {
		const { provider, requests } = fakeUCloud({ backups: history, ignoreBackupId: true });
		await expect(findBackup(provider, instance, 'b25', 7, 10)).resolves.toMatchObject({ backupId: 'b25' });
		expect(requests).toHaveLength(3);
	});

	it("fills in the one file (DescribeURedisBackupURL in the backup's own zone) only for a succeeded backup", async () => {
		const { provider, requests } = fakeUCloud({ backups: [...history, { id: 'run', time: NOW, state: 'Backuping', zone: 'cn-bj2-05' }] });
		const done = await findBackup(provider, instance, 'b00', 7, 100);
		const withFiles = await backupWithFiles(provider, instance, done);
		expect(withFiles.files).toEqual([
			expect.objectContaining({ downloadUrl: expect.stringMatching(/^https:\/\/bucket\.cn-bj\.ufileos\.com\/b00\?Expires=/), internalDownloadUrl: null, sizeBytes: 1000, expiresAt: '2026-11-20T13:00:00Z' }),
		]);
		expect(requests[requests.length - 1]).toEqual({ Action: 'DescribeURedisBackupURL', Region: 'cn-bj2', Zone: 'cn-bj2-02', GroupId: 'uredis-2cwmyb', BackupId: 'b00' });
		// The node's Zone wins over the record's.
		await provider.fetchBackupFiles({ ...instance, zone: 'cn-bj2-03' }, done);
		expect(requests[requests.length - 1].Zone).toBe('cn-bj2-03');
		const running = await findBackup(provider, instance, 'run', 7, 100);
		const count = requests.length;
		await expect(backupWithFiles(provider, instance, running)).rejects.toThrow(
			'Backup run is running (Backuping); UCloud gives download URLs only for finished backups',
		);
		expect(requests).toHaveLength(count);
	});
});

describe('Wait Until Finished polls the backup itself', () => {
	let clock = NOW;
	beforeEach(() => {
		clock = NOW;
		jest.spyOn(Date, 'now').mockImplementation(() => clock);
	});
	afterEach(() => jest.restoreAllMocks());
	const options = (extra: Partial<Parameters<typeof waitForJob>[3]> = {}) => ({
		minDelayMs: 1000,
		maxDelayMs: 5000,
		maxWaitMs: 60_000,
		backoff: 'fixed' as const,
		includeBackup: true,
		sleep: async (ms: number) => {
			clock += ms;
		},
		...extra,
	});

	it('Backuping until Success: the job (its ID the backup ID) and the backup', async () => {
		const backup: FakeBackup = { id: 'new', time: NOW, state: 'Backuping' };
		const { provider } = fakeUCloud({ backups: [backup], onDescribe: (n) => (backup.state = n >= 3 ? 'Success' : 'Backuping') });
		const result = await waitForJob(provider, instance, ['new'], options());
		expect(result.task).toMatchObject({ kind: 'backupTask', taskId: 'new', status: 'succeeded', providerStatus: 'Success', progressPercent: 100 });
		expect(result.backup).toMatchObject({ backupId: 'new', status: 'succeeded' });
		expect(result.checks).toBe(3);
	});

	it.each([
		['Error', 'Backup new ended as Error'],
		['Expired', 'Backup new ended as Expired'],
	])('ends on %s with a message naming the backup', async (state, message) => {
		const { provider } = fakeUCloud({ backups: [{ id: 'new', time: NOW, state }] });
		await expect(waitForJob(provider, instance, ['new'], options())).rejects.toThrow(message);
	});

	it('a backup never listed is not found after the grace period, naming the backup', async () => {
		const { provider } = fakeUCloud({ backups: [] });
		await expect(waitForJob(provider, instance, ['ghost'], options())).rejects.toThrow(/^Backup ghost was not found on instance uredis-2cwmyb/);
	});

	it('times out naming the backup and its last state', async () => {
		const { provider } = fakeUCloud({ backups: [{ id: 'slow', time: NOW, state: 'Backuping' }] });
		const error = await waitForJob(provider, instance, ['slow'], options({ maxWaitMs: 5000 })).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(WaiterTimeoutError);
		expect((error as Error).message).toMatch(/^Backup slow did not finish within the Max Wait Time of 0.08\d* min \(last seen Backuping\)/);
	});
});

describe('the instance picker (DescribeURedisGroup)', () => {
	const groups = Array.from({ length: 120 }, (_, i) => ({ GroupId: `uredis-g${String(i).padStart(4, '0')}`, Name: i === 110 ? 'orders-cache' : `cache-${i}`, Zone: 'cn-bj2-02', Size: 1, State: 'Running' }));

	it('lists a page at a time with a token for the next', async () => {
		const { provider, requests } = fakeUCloud({ backups: [], groups });
		const first = await provider.searchInstances('cn-bj2', undefined);
		expect(first.instances).toHaveLength(INSTANCE_PAGE_SIZE);
		expect(first.instances[0]).toEqual({
			instanceId: 'uredis-g0000',
			label: 'cache-0 (uredis-g0000, cn-bj2-02, 1 GB, Running)',
			// What the trigger watching a region reads the instance with.
			variant: '',
			zone: 'cn-bj2-02',
		});
		expect(first.nextPageToken).toBe('50');
		const last = await provider.searchInstances('cn-bj2', undefined, '100');
		expect(last.instances).toHaveLength(20);
		expect(last.nextPageToken).toBeUndefined();
		expect(requests[0]).toEqual({ Action: 'DescribeURedisGroup', Region: 'cn-bj2', Offset: 0, Limit: INSTANCE_PAGE_SIZE });
	});

	it('looks a whole group ID up by GroupId', async () => {
		const { provider, requests } = fakeUCloud({ backups: [], groups });
		const page = await provider.searchInstances('cn-bj2', 'uredis-g0007');
		expect(page.instances.map((i) => i.instanceId)).toEqual(['uredis-g0007']);
		expect(requests[0].GroupId).toBe('uredis-g0007');
	});

	it('searches names page by page until it finds one (the API has no name filter)', async () => {
		const { provider, requests } = fakeUCloud({ backups: [], groups });
		const page = await provider.searchInstances('cn-bj2', 'ORDERS');
		expect(page.instances.map((i) => i.label)).toEqual(['orders-cache (uredis-g0110, cn-bj2-02, 1 GB, Running)']);
		expect(requests).toHaveLength(3);
		expect(page.nextPageToken).toBeUndefined();
	});
});
