/**
 * The shared list and lookup rules with the Tencent adapter: a range longer than DescribeInstanceBackups' 30 days
 * is listed window by window (newest first, each within 30 days, a backup on a window boundary yielded once, the
 * limit counted across windows, our status filter before the limit), and files are filled in only for a
 * succeeded backup.
 */
import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';
import { DateTime } from 'luxon';

import {
	backupWithFiles,
	closestToJobStart,
	listBackups,
	lookupBackup,
	rangeWindows,
} from '../../nodes/common/backups';
import { CloudApiError } from '../../nodes/common/errors';
import type { Backup } from '../../nodes/common/model';
import { collectPages } from '../../nodes/common/paginate';
import { parseProviderTime, CHINA_STANDARD_TIME } from '../../nodes/common/time';
import { TencentRedisClient } from '../../nodes/TencentCloudRedis/transport/client';
import { MAX_LIST_RANGE_MS, TencentProvider } from '../../nodes/TencentCloudRedis/transport/provider';

const instance = { region: 'ap-guangzhou', instanceId: 'crs-5a4py64p', variant: 'api3' };
const DAY = 86_400_000;

interface FakeBackup {
	id: string;
	start: string; // Beijing time, as Tencent writes it
	status: number;
	type?: string;
}

/** A fake DescribeInstanceBackups over `backups`, honouring BeginTime/EndTime (inclusive), Status, Limit and Offset. */
function fakeTencent(backups: FakeBackup[], urls: Record<string, unknown> = {}) {
	const requests: Array<Record<string, unknown>> = [];
	const send = jest.fn(async (options: IHttpRequestOptions): Promise<IN8nHttpFullResponse> => {
		const params = JSON.parse(options.body as string) as Record<string, unknown>;
		const action = (options.headers as Record<string, string>)['X-TC-Action'];
		requests.push({ action, ...params });
		let inner: Record<string, unknown>;
		if (action === 'DescribeBackupUrl') inner = urls;
		else {
			const begin = Date.parse(parseProviderTime(params.BeginTime, CHINA_STANDARD_TIME) as string);
			const end = Date.parse(parseProviderTime(params.EndTime, CHINA_STANDARD_TIME) as string);
			const statuses = params.Status as number[];
			const matching = backups
				.filter((b) => {
					const t = Date.parse(parseProviderTime(b.start, CHINA_STANDARD_TIME) as string);
					return t >= begin && t <= end && statuses.includes(b.status);
				})
				.sort((a, b) => b.start.localeCompare(a.start));
			const offset = params.Offset as number;
			const limit = params.Limit as number;
			inner = {
				TotalCount: matching.length,
				BackupSet: matching.slice(offset, offset + limit).map((b) => ({ BackupId: b.id, StartTime: b.start, Status: b.status, BackupType: b.type ?? '1' })),
			};
		}
		return { statusCode: 200, headers: {}, body: JSON.stringify({ Response: { ...inner, RequestId: 'r' } }) };
	});
	const provider = new TencentProvider(new TencentRedisClient({ send, sleep: async () => undefined }));
	return { provider, requests, send };
}

const spanDays = (request: Record<string, unknown>) =>
	(Date.parse(parseProviderTime(request.EndTime, CHINA_STANDARD_TIME) as string) -
		Date.parse(parseProviderTime(request.BeginTime, CHINA_STANDARD_TIME) as string)) /
	DAY;

describe('rangeWindows', () => {
	const start = DateTime.fromISO('2024-01-01T00:00:00Z');
	it('is the whole range when it is short enough or there is no limit', () => {
		expect(rangeWindows(start, start.plus({ days: 10 }), 30 * DAY)).toEqual([{ start, end: start.plus({ days: 10 }) }]);
		expect(rangeWindows(start, start.plus({ days: 400 }))).toHaveLength(1);
	});

	it('cuts a longer range into consecutive windows, newest first, covering it exactly', () => {
		const end = start.plus({ days: 65 });
		const windows = rangeWindows(start, end, 30 * DAY);
		expect(windows.map((w) => [w.start.toISO(), w.end.toISO()])).toEqual([
			[end.minus({ days: 30 }).toISO(), end.toISO()],
			[end.minus({ days: 60 }).toISO(), end.minus({ days: 30 }).toISO()],
			[start.toISO(), end.minus({ days: 60 }).toISO()],
		]);
	});
});

describe('listBackups over more than 30 days (DescribeInstanceBackups spans at most 30)', () => {
	const backups: FakeBackup[] = [
		{ id: 'd1', start: '2024-03-05 10:00:00', status: 2 },
		{ id: 'd2', start: '2024-02-20 03:00:00', status: 1 },
		{ id: 'd3', start: '2024-02-01 03:00:00', status: 2 },
		{ id: 'd4', start: '2024-01-15 03:00:00', status: 2 },
		{ id: 'd5', start: '2024-01-02 03:00:00', status: 2 },
	];
	const start = DateTime.fromISO('2024-01-01T00:00:00Z');
	const end = DateTime.fromISO('2024-03-06T00:00:00Z');

	it('asks window by window, each within 30 days, and yields every backup once, newest first', async () => {
		const { provider, requests } = fakeTencent(backups);
		const items = await collectPages(listBackups(provider, { instance, start, end, pageSize: 100 }));
		expect(items.map((b) => b.backupId)).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
		expect(requests).toHaveLength(3);
		for (const request of requests) {
			expect(spanDays(request)).toBeLessThanOrEqual(30);
			expect(request).toMatchObject({ Status: [1, 2, 3, 4, -1], Offset: 0, Limit: 100 });
		}
		expect(MAX_LIST_RANGE_MS).toBeLessThan(30 * DAY);
		// Newest window first.
		expect(String(requests[0].EndTime) > String(requests[1].EndTime)).toBe(true);
	});

	it('counts the limit across windows and stops asking once it is reached', async () => {
		const { provider, requests } = fakeTencent(backups);
		const items = await collectPages(listBackups(provider, { instance, start, end, pageSize: 100, limit: 2 }));
		expect(items.map((b) => b.backupId)).toEqual(['d1', 'd2']);
		// Both are in the newest window: the older windows are never asked for.
		expect(requests).toHaveLength(1);
		const three = fakeTencent(backups);
		const first3 = await collectPages(listBackups(three.provider, { instance, start, end, pageSize: 100, limit: 3 }));
		expect(first3.map((b) => b.backupId)).toEqual(['d1', 'd2', 'd3']);
		expect(three.requests).toHaveLength(2);
	});

	it('applies our status filter before the limit counts', async () => {
		const { provider } = fakeTencent(backups);
		const items = await collectPages(listBackups(provider, { instance, start, end, pageSize: 100, limit: 2, statuses: ['succeeded'] }));
		expect(items.map((b) => b.backupId)).toEqual(['d1', 'd3']);
	});

	it('yields a backup on a window boundary once (Tencent ranges include both ends)', async () => {
		const windows = rangeWindows(start, end, MAX_LIST_RANGE_MS);
		const boundary = windows[0].start.setZone(CHINA_STANDARD_TIME).toFormat('yyyy-MM-dd HH:mm:ss');
		const { provider, requests } = fakeTencent([{ id: 'edge', start: boundary, status: 2 }]);
		const items = await collectPages(listBackups(provider, { instance, start, end, pageSize: 100 }));
		expect(items.map((b) => b.backupId)).toEqual(['edge']);
		expect(requests.length).toBe(3);
	});

	it('pages within a window by Offset, a multiple of Limit', async () => {
		const many: FakeBackup[] = Array.from({ length: 45 }, (_, i) => ({ id: `b${i}`, start: `2024-03-0${1 + (i % 5)} ${String(10 + (i % 10)).padStart(2, '0')}:${String(i).padStart(2, '0')}:00`, status: 2 }));
		const { provider, requests } = fakeTencent(many);
		const items = await collectPages(listBackups(provider, { instance, start: DateTime.fromISO('2024-02-20T00:00:00Z'), end, pageSize: 20 }));
		expect(items).toHaveLength(45);
		expect(requests.map((r) => r.Offset)).toEqual([0, 20, 40]);
	});
});

describe('lookups with files', () => {
	const urls = { BackupInfos: [{ FileName: 'shard-0.rdb', FileSize: 7, DownloadUrl: 'https://cos.example/shard-0.rdb', InnerDownloadUrl: 'https://in.example/shard-0.rdb' }] };

	it('Get leaves the files as the list gives them; Get Download URL and Download fill them in', async () => {
		const now = DateTime.utc().setZone(CHINA_STANDARD_TIME).minus({ hours: 1 }).toFormat('yyyy-MM-dd HH:mm:ss');
		const { provider, requests } = fakeTencent([{ id: 'ok', start: now, status: 2 }], urls);
		const plain = await lookupBackup(provider, instance, 'ok', 30, 100);
		expect(plain.backup.files).toEqual([]);
		expect(requests.map((r) => r.action)).not.toContain('DescribeBackupUrl');
		const full = await lookupBackup(provider, instance, 'ok', 30, 100, { withFiles: true });
		expect(full.backup.files).toEqual([expect.objectContaining({ name: 'shard-0.rdb', sizeBytes: 7 })]);
		expect(full.backup.sizeBytes).toBe(7);
		const again = await full.refetch();
		expect(again.files).toHaveLength(1);
		expect(requests.filter((r) => r.action === 'DescribeBackupUrl')).toHaveLength(2);
	});

	it('refuses, before asking for URLs, a backup that is not finished', async () => {
		const { provider, send } = fakeTencent([], urls);
		const running = { backupId: 'r', status: 'running', providerStatus: '1', files: [] } as unknown as Backup;
		const error = await backupWithFiles(provider, instance, running).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(CloudApiError);
		expect((error as CloudApiError).message).toBe('Backup r is running (1); Tencent Cloud gives download URLs only for finished backups');
		expect((error as CloudApiError).kind).toBe('client');
		expect(send).not.toHaveBeenCalled();
	});
});

describe('closestToJobStart (shared with the Alibaba cluster rule)', () => {
	const backup = (id: string, startedAt: string | null) => ({ backupId: id, startedAt }) as Backup;
	it('takes the backup closest to the job start within the tolerance', () => {
		const found = closestToJobStart([backup('a', '2024-01-10T00:01:50Z'), backup('b', '2024-01-10T00:00:30Z'), backup('c', null)], '2024-01-10T00:00:00Z');
		expect(found?.backupId).toBe('b');
		expect(closestToJobStart([backup('a', '2024-01-10T00:02:01Z')], '2024-01-10T00:00:00Z')).toBeNull();
		expect(closestToJobStart([backup('a', '2024-01-10T00:00:01Z')], null)).toBeNull();
	});
});
