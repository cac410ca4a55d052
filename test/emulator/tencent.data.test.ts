import { beijingTime, CloudEmulator, ManualClock } from '../../emulator';
import { legacyCall, responseOf, tc3Call, type Json } from './tencent.helpers';

/**
 * Paging, time filters in Beijing time, status filters, the task life cycle on a ManualClock, shards and the legacy
 * list, on data the test adds itself (no seed).
 */
describe('Tencent emulator data', () => {
	// 2024-03-10 12:00:00 UTC = 20:00:00 Beijing time.
	const T0 = Date.parse('2024-03-10T12:00:00Z');
	const clock = new ManualClock(T0);
	const emulator = new CloudEmulator({ clock, seed: false, tencentSettings: { taskStepMs: 1000 } });
	const tc = emulator.tencent;
	const HOUR = 3600000;
	const DAY = 24 * HOUR;
	const ts = () => Math.floor(clock.now() / 1000);
	const call = async (action: string, params: Record<string, unknown> = {}) =>
		responseOf(await tc3Call(tc, { action, params, timestamp: ts() }));
	const legacy = async (action: string, params: Record<string, string>): Promise<Json> =>
		(await legacyCall(tc, { action, params, timestamp: ts() })).json();

	beforeAll(async () => {
		await emulator.start();
		tc.addInstance({ instanceId: 'crs-std', region: 'ap-guangzhou', architecture: 'standard', name: 'orders-cache' });
		tc.addInstance({ instanceId: 'crs-cls', region: 'ap-guangzhou', architecture: 'cluster', shards: 2, name: 'sessions' });
		tc.addInstance({ instanceId: 'crs-task', region: 'ap-guangzhou', architecture: 'standard', name: 'tasks' });
		tc.addInstance({ instanceId: 'crs-sh', region: 'ap-shanghai', architecture: 'standard', name: 'orders-sh' });
		// 45 backups of crs-std, one every 4 hours back from T0 - 1 h (the newest at 19:00 Beijing time on 03-10).
		for (let i = 0; i < 45; i++) {
			tc.addBackup({ instanceId: 'crs-std', startMs: T0 - HOUR - i * 4 * HOUR, backupType: i % 3 === 0 ? 'manual' : 'automatic' });
		}
	});
	afterAll(() => emulator.stop());
	afterEach(() => {
		tc.faults.clear();
		tc.nextTaskOutcomes.length = 0;
		clock.set(T0);
	});

	describe('DescribeInstanceBackups', () => {
		it('pages with Limit (default 20, at most 100) and Offset (a multiple of Limit)', async () => {
			const first = await call('DescribeInstanceBackups', { InstanceId: 'crs-std', Status: [2, -1] });
			expect(first.TotalCount).toBe(45);
			expect(first.BackupSet).toHaveLength(20);
			const pages = [];
			for (let offset = 0; offset < 45; offset += 20) {
				pages.push(...((await call('DescribeInstanceBackups', { InstanceId: 'crs-std', Status: [2, -1], Limit: 20, Offset: offset })).BackupSet as Array<{ BackupId: string }>));
			}
			expect(new Set(pages.map((b) => b.BackupId)).size).toBe(45);
			for (const [params, message] of [
				[{ Limit: 101 }, /Limit/],
				[{ Limit: 0 }, /Limit/],
				[{ Limit: 20, Offset: 10 }, /multiple of Limit/],
				[{ Offset: -20 }, /Offset/],
			] as const) {
				const res = await call('DescribeInstanceBackups', { InstanceId: 'crs-std', ...params });
				expect(res.Error).toMatchObject({ Code: 'InvalidParameterValue', Message: expect.stringMatching(message) });
			}
		});

		it('filters on the start time in [BeginTime, EndTime], both read as Beijing time, bounds included', async () => {
			// The newest backup started at 2024-03-10 11:00:00Z = 19:00:00 Beijing time; the next at 15:00:00.
			const exact = await call('DescribeInstanceBackups', {
				InstanceId: 'crs-std',
				BeginTime: '2024-03-10 15:00:00',
				EndTime: '2024-03-10 19:00:00',
			});
			expect(exact.BackupSet.map((b: { StartTime: string }) => b.StartTime)).toEqual(['2024-03-10 19:00:00', '2024-03-10 15:00:00']);
			// The same instants written as UTC clock times match nothing at these bounds: 8 hours off.
			const utc = await call('DescribeInstanceBackups', {
				InstanceId: 'crs-std',
				BeginTime: '2024-03-10 07:00:01',
				EndTime: '2024-03-10 10:59:59',
			});
			expect(utc.TotalCount).toBe(0);
			const day = await call('DescribeInstanceBackups', {
				InstanceId: 'crs-std',
				BeginTime: '2024-03-09 00:00:00',
				EndTime: '2024-03-09 23:59:59',
				Limit: 100,
			});
			expect(day.TotalCount).toBe(6);
		});

		it('refuses bad times, reversed ranges and spans over 30 days', async () => {
			for (const range of [
				{ BeginTime: '2024-03-10T10:00:00Z' },
				{ EndTime: '2024-02-30 10:00:00' },
				{ BeginTime: '2024-03-10 10:00:00', EndTime: '2024-03-09 10:00:00' },
				{ BeginTime: '2024-01-01 00:00:00', EndTime: '2024-02-01 00:00:00' },
			]) {
				const res = await call('DescribeInstanceBackups', { InstanceId: 'crs-std', ...range });
				expect(res.Error?.Code).toBe('InvalidParameterValue');
			}
			const thirty = await call('DescribeInstanceBackups', {
				InstanceId: 'crs-std',
				BeginTime: '2024-02-09 20:00:00',
				EndTime: '2024-03-10 20:00:00',
			});
			expect(thirty.Error).toBeUndefined();
		});

		it('Status defaults to [2]: expired (-1) and running (1) backups are listed only when asked for', async () => {
			const all = await call('DescribeInstanceBackups', { InstanceId: 'crs-std', Status: [2, -1], Limit: 100 });
			expect(all.TotalCount).toBe(45);
			// Started more than 7 days ago (the default retention): expired.
			const expired = (all.BackupSet as Array<{ Status: number; StartTime: string; ExpireTime: string }>).filter((b) => b.Status === -1);
			expect(expired.length).toBe(45 - 42);
			const oldest = expired.at(-1);
			expect(Date.parse(`${oldest?.ExpireTime.replace(' ', 'T')}+08:00`) - Date.parse(`${oldest?.StartTime.replace(' ', 'T')}+08:00`)).toBe(7 * DAY);
			expect((await call('DescribeInstanceBackups', { InstanceId: 'crs-std', Status: [7] })).Error?.Code).toBe('InvalidParameterValue');
		});

		it('finds by InstanceName (fuzzy) within the region; another region sees nothing', async () => {
			const byName = await call('DescribeInstanceBackups', { InstanceName: 'ORDERS', Limit: 1 });
			expect(byName.TotalCount).toBe(42);
			expect(byName.BackupSet[0]).toMatchObject({ InstanceId: 'crs-std', InstanceName: 'orders-cache' });
			const elsewhere = responseOf(
				await tc3Call(tc, { action: 'DescribeInstanceBackups', params: { InstanceId: 'crs-std' }, region: 'ap-shanghai', timestamp: ts() }),
			);
			expect(elsewhere.Error?.Code).toBe('ResourceNotFound.InstanceNotExists');
		});
	});

	describe('tasks on the emulator clock', () => {
		it('preparing -> running -> succeed, one step each (running lasts two), then the backup is Status 2', async () => {
			const { TaskId } = await call('ManualBackupInstance', { InstanceId: 'crs-cls', Remark: 'before deploy' });
			const status = async () => (await call('DescribeTaskInfo', { TaskId })).Status;
			expect(await status()).toBe('preparing');
			clock.advance(999);
			expect(await status()).toBe('preparing');
			clock.advance(1);
			expect(await status()).toBe('running');
			clock.advance(1000);
			expect(await status()).toBe('running');
			const running = await call('DescribeInstanceBackups', { InstanceId: 'crs-cls', Status: [1] });
			expect(running.BackupSet[0]).toMatchObject({ Status: 1, BackupSize: 0, EndTime: '' });
			const notYet = await call('DescribeBackupUrl', { InstanceId: 'crs-cls', BackupId: running.BackupSet[0].BackupId });
			expect(notYet.Error?.Code).toBe('ResourceUnavailable.BackupStatusInvalid');
			clock.advance(1000);
			expect(await call('DescribeTaskInfo', { TaskId })).toMatchObject({
				Status: 'succeed',
				StartTime: beijingTime(T0),
				InstanceId: 'crs-cls',
				TaskMessage: '',
			});
			const done = await call('DescribeInstanceBackups', { InstanceId: 'crs-cls' });
			expect(done.BackupSet[0]).toMatchObject({
				Status: 2,
				StartTime: beijingTime(T0),
				EndTime: beijingTime(T0 + 3000),
				Remark: 'before deploy',
				BackupSize: 2 * 2 * 1048576,
			});
			const urls = await call('DescribeBackupUrl', { InstanceId: 'crs-cls', BackupId: done.BackupSet[0].BackupId });
			expect(urls.BackupInfos).toHaveLength(2);
		});

		it.each(['failed', 'error'] as const)('nextTaskOutcomes: %s ends the task so, with a message, and drops the backup', async (outcome) => {
			tc.nextTaskOutcomes.push(outcome);
			const { TaskId } = await call('ManualBackupInstance', { InstanceId: 'crs-task' });
			expect((await call('DescribeInstanceBackups', { InstanceId: 'crs-task', Status: [1] })).TotalCount).toBe(1);
			clock.advance(3000);
			const info = await call('DescribeTaskInfo', { TaskId });
			expect(info.Status).toBe(outcome);
			expect(info.TaskMessage).not.toBe('');
			expect((await call('DescribeInstanceBackups', { InstanceId: 'crs-task', Status: [1] })).TotalCount).toBe(0);
			// The next one succeeds again.
			const next = await call('ManualBackupInstance', { InstanceId: 'crs-task' });
			clock.advance(3000);
			expect((await call('DescribeTaskInfo', { TaskId: next.TaskId })).Status).toBe('succeed');
		});

		it('ManualBackupInstance checks StorageDays (0..1825) and the instance state', async () => {
			for (const StorageDays of [-1, 1826]) {
				expect((await call('ManualBackupInstance', { InstanceId: 'crs-task', StorageDays })).Error?.Code).toBe('InvalidParameterValue');
			}
			const kept = await call('ManualBackupInstance', { InstanceId: 'crs-task', StorageDays: 30 });
			expect(tc.store.task(kept.TaskId)?.backup.storageDays).toBe(30);
			tc.setInstanceStatus('crs-task', -2);
			try {
				const isolated = await call('ManualBackupInstance', { InstanceId: 'crs-task' });
				expect(isolated.Error).toMatchObject({ Code: 'ResourceUnavailable.InstanceStatusAbnormal' });
			} finally {
				tc.setInstanceStatus('crs-task', 2);
			}
			expect((await call('DescribeTaskInfo', { TaskId: 1 })).Error?.Code).toBe('InvalidParameterValue');
			expect((await call('ManualBackupInstance', { InstanceId: 'crs-none' })).Error?.Code).toBe('ResourceNotFound.InstanceNotExists');
		});
	});

	describe('cluster shards', () => {
		it('a failed shard reports FileSize 0: its file gone, or (keepFile) still served next to FileSize 0', async () => {
			const backup = tc.addClusterBackup({ instanceId: 'crs-cls', startMs: T0 - 2 * HOUR, shardSizes: [1000, 2000] });
			tc.failShard(backup.backupId, 0);
			const urls = await call('DescribeBackupUrl', { InstanceId: 'crs-cls', BackupId: backup.backupId });
			expect(urls.BackupInfos.map((i: { FileSize: number }) => i.FileSize)).toEqual([0, 2000]);
			expect(urls.BackupInfos[0].DownloadUrl).toBe('');
			const listed = await call('DescribeInstanceBackups', { InstanceId: 'crs-cls', Limit: 100 });
			expect(listed.BackupSet.find((b: { BackupId: string }) => b.BackupId === backup.backupId)).toMatchObject({ Status: 2, BackupSize: 2000 });
			const kept = tc.addClusterBackup({ instanceId: 'crs-cls', startMs: T0 - 3 * HOUR, shardSizes: [1000, 2000] });
			tc.failShard(kept.backupId, 1, { keepFile: true });
			const keptUrls = await call('DescribeBackupUrl', { InstanceId: 'crs-cls', BackupId: kept.backupId });
			expect(keptUrls.BackupInfos[1]).toMatchObject({ FileSize: 0, DownloadUrl: expect.stringContaining('/cos/') });
			// The wire shapes a kit builds fuzzed answers from are the API's own.
			expect({ ...tc.wireBackupUrls(kept.backupId), RequestId: keptUrls.RequestId }).toEqual(keptUrls);
			expect(tc.wireBackup(backup.backupId)).toEqual(
				listed.BackupSet.find((b: { BackupId: string }) => b.BackupId === backup.backupId),
			);
		});

		it('DescribeBackupUrl: an unknown backup, an expired one', async () => {
			expect((await call('DescribeBackupUrl', { InstanceId: 'crs-std', BackupId: '1-2-3' })).Error?.Code).toBe(
				'InvalidParameterValue.BackupNotExists',
			);
			const old = tc.addBackup({ instanceId: 'crs-std', startMs: T0 - 8 * DAY });
			expect((await call('DescribeBackupUrl', { InstanceId: 'crs-std', BackupId: old.backupId })).Error?.Code).toBe(
				'ResourceUnavailable.BackupStatusInvalid',
			);
		});
	});

	describe('DescribeInstances', () => {
		it('pages (Limit at most 1000), filters by InstanceId, SearchKey on names only, the region', async () => {
			expect((await call('DescribeInstances')).TotalCount).toBe(3);
			expect((await call('DescribeInstances', { Limit: 1001 })).Error?.Code).toBe('InvalidParameterValue');
			const page = await call('DescribeInstances', { Limit: 1, Offset: 1 });
			expect(page).toMatchObject({ TotalCount: 3, InstanceSet: [expect.any(Object)] });
			expect((await call('DescribeInstances', { InstanceId: 'crs-cls' })).InstanceSet[0]).toMatchObject({
				InstanceId: 'crs-cls',
				RedisShardNum: 2,
				ProductType: 'cluster',
			});
			expect((await call('DescribeInstances', { SearchKey: 'crs-std' })).TotalCount).toBe(0);
			expect((await call('DescribeInstances', { SearchKey: 'SESS' })).TotalCount).toBe(1);
		});
	});

	describe('legacy GetRedisBackupList / GetBackupDownloadUrl', () => {
		it('lists only the last 7 days, item offset, Beijing times, the documented shape', async () => {
			const page = await legacy('GetRedisBackupList', { limit: '40', offset: '0', redisId: 'crs-std' });
			expect(page).toMatchObject({ code: 0, message: '', codeDesc: 'Success', totalCount: 42 });
			expect(page.data.redisBackupSet).toHaveLength(40);
			expect(page.data.redisBackupSet[0]).toEqual({
				startTime: '2024-03-10 19:00:00',
				backupId: expect.stringMatching(/^\d+-\d+-\d+$/),
				backupType: 'manualBackupInstance',
				status: 2,
				remark: '',
				locked: 0,
			});
			expect(page.data.redisBackupSet[1].backupType).toBe('systemBackupInstance');
			// offset counts items, not pages.
			const shifted = await legacy('GetRedisBackupList', { limit: '5', offset: '3', redisId: 'crs-std' });
			expect(shifted.data.redisBackupSet[0].backupId).toBe(page.data.redisBackupSet[3].backupId);
			const window = await legacy('GetRedisBackupList', {
				limit: '100',
				offset: '0',
				redisId: 'crs-std',
				beginTime: '2024-03-10 15:00:00',
				endTime: '2024-03-10 19:00:00',
			});
			expect(window.totalCount).toBe(2);
		});

		it('business errors: 11201 for bad parameters, 10701 for an unknown instance', async () => {
			expect(await legacy('GetRedisBackupList', { offset: '0', redisId: 'crs-std' })).toMatchObject({ code: 11201, codeDesc: 'InvalidParameter' });
			expect(await legacy('GetRedisBackupList', { limit: 'x', offset: '0', redisId: 'crs-std' })).toMatchObject({ code: 11201 });
			expect(await legacy('GetRedisBackupList', { limit: '1', offset: '0', redisId: 'crs-none' })).toMatchObject({
				code: 10701,
				codeDesc: 'InstanceNotExists',
			});
		});

		it('GetBackupDownloadUrl: intranet and extranet URLs valid 12 hours; 11213 / 10711', async () => {
			const backup = tc.store.backups.find((b) => b.instanceId === 'crs-std') as { backupId: string };
			const res = await legacy('GetBackupDownloadUrl', { redisId: 'crs-std', backupId: backup.backupId });
			expect(res).toMatchObject({ code: 0, codeDesc: 'Success', data: { intranet: expect.stringContaining('/cos-internal/'), extranet: expect.stringContaining('/cos/') } });
			const keyTime = /q-key-time%3D(\d+)%3B(\d+)/.exec(res.data.extranet as string);
			expect(Number(keyTime?.[2]) - Number(keyTime?.[1])).toBe(12 * 3600);
			expect(await legacy('GetBackupDownloadUrl', { redisId: 'crs-std', backupId: 'nope' })).toMatchObject({ code: 11213 });
			const old = tc.addBackup({ instanceId: 'crs-std', startMs: T0 - 9 * DAY });
			expect(await legacy('GetBackupDownloadUrl', { redisId: 'crs-std', backupId: old.backupId })).toMatchObject({ code: 10711 });
		});
	});
});
