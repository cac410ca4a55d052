import { beijingTime, CloudEmulator, ManualClock, type RequestLogEntry } from '../../emulator';
import { acsDate, download, signedCall } from './helpers';
import { legacyCall, responseOf, tc3Call } from './tencent.helpers';
import { ucloud } from './ucloud.helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * What the polling trigger nodes need from the emulator, for each cloud: the wall-clock arrival time of every request
 * (rates per action with a frozen ManualClock), 200 instances in a region paged through by the search actions,
 * backups deleted or expired, and backups started -> running -> failed / succeeded on the emulator clock.
 */
describe('emulator support for the trigger nodes', () => {
	// 2024-03-10 12:00:00 UTC (20:00 Beijing time): far from the real time the log records.
	const T0 = Date.parse('2024-03-10T12:00:00Z');
	const HOUR = 3600000;
	const DAY = 24 * HOUR;
	const STEP = 1000;
	const clock = new ManualClock(T0);
	const emulator = new CloudEmulator({
		clock,
		seed: false,
		alibabaSettings: { taskStepMs: STEP, finishedTaskVisibleMs: 60000 },
		tencentSettings: { taskStepMs: STEP },
		ucloudSettings: { backupStepMs: STEP },
	});
	const { alibaba: ali, tencent: tc, ucloud: uc } = emulator;

	const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16) + 'Z';
	const aliCall = async (action: string, params: Record<string, string>): Promise<Json> =>
		(await signedCall(ali, { action, params, date: acsDate(clock.now()) })).json();
	const aliBackups = async (instanceId: string): Promise<Json> =>
		aliCall('DescribeBackups', {
			InstanceId: instanceId,
			StartTime: minute(clock.now() - DAY),
			EndTime: minute(clock.now() + HOUR),
		});
	const aliTasks = async (instanceId: string): Promise<Json[]> =>
		(await aliCall('DescribeBackupTasks', { InstanceId: instanceId })).BackupJobs;
	const tcCall = async (action: string, params: Record<string, unknown>, region = 'ap-guangzhou'): Promise<Json> =>
		responseOf(await tc3Call(tc, { action, params, region, timestamp: Math.floor(clock.now() / 1000) }));
	const tcLegacy = async (action: string, params: Record<string, string>, region = 'ap-guangzhou'): Promise<Json> =>
		(await legacyCall(tc, { action, params, region, timestamp: Math.floor(clock.now() / 1000) })).json();
	const ucCall = (action: string, params: Record<string, unknown> = {}): Promise<Json> => ucloud(uc, action, params);

	beforeAll(() => emulator.start());
	afterAll(() => emulator.stop());
	afterEach(() => {
		clock.set(T0);
		for (const server of [ali, tc, uc]) server.faults.clear();
	});

	describe('request log: receivedAtMs is the real arrival time; action is the API action', () => {
		it('every provider logs the wall-clock time (not the frozen ManualClock) and the action of each request', async () => {
			ali.addInstance({ instanceId: 'r-logged01', regionId: 'cn-hangzhou', architecture: 'standard' });
			const aliFile = ali.addBackup({ instanceId: 'r-logged01', startMs: T0 - HOUR }).file!;
			tc.addInstance({ instanceId: 'crs-logged01', region: 'ap-guangzhou', architecture: 'standard' });
			const tcBackup = tc.addBackup({ instanceId: 'crs-logged01', startMs: T0 - HOUR });
			uc.addInstance({ groupId: 'uredis-logged01', region: 'cn-bj2' });
			const ucBackup = uc.addBackup({ groupId: 'uredis-logged01', startMs: T0 - HOUR });
			const marks = [ali, tc, uc].map((s) => s.requests.length);
			const before = Date.now();

			await aliCall('DescribeInstances', { RegionId: 'cn-hangzhou' });
			expect((await download(ali.downloadUrls(aliFile).public)).status).toBe(200);
			await tcCall('DescribeInstances', {});
			await tcLegacy('GetRedisBackupList', { redisId: 'crs-logged01', limit: '10', offset: '0' });
			expect((await download(tc.downloadUrls(tc.file(tcBackup.backupId)).public)).status).toBe(200);
			await ucCall('DescribeURedisGroup');
			// A request answered by no status at all (a reset) is logged with its arrival time too.
			uc.faults.push({ kind: 'reset', action: 'DescribeURedisBackup' });
			await expect(ucCall('DescribeURedisBackup')).rejects.toThrow();
			expect((await download(uc.downloadUrls(uc.file(ucBackup.backupId)).public)).status).toBe(200);
			const after = Date.now();

			const logged = [ali, tc, uc].map((s, i) => s.requests.slice(marks[i]));
			expect(logged.map((entries) => entries.map((e) => e.action))).toEqual([
				['DescribeInstances', 'Download'],
				['DescribeInstances', 'GetRedisBackupList', 'Download'],
				['DescribeURedisGroup', 'DescribeURedisBackup', 'Download'],
			]);
			expect(logged[2][1]).toMatchObject({ status: 0, fault: 'reset' });
			const all: RequestLogEntry[] = logged.flat();
			for (const entry of all) {
				expect(entry.receivedAtMs).toBeGreaterThanOrEqual(before);
				expect(entry.receivedAtMs).toBeLessThanOrEqual(after);
				expect(Math.abs(entry.receivedAtMs - clock.now())).toBeGreaterThan(DAY);
			}
			// Sent one after the other: the arrival times never go back.
			const times = all.map((e) => e.receivedAtMs);
			expect([...times].sort((a, b) => a - b)).toEqual(times);
			expect(tc.peakRequestRate({ since: marks[1], windowMs: 3600000 })).toEqual({
				DescribeInstances: 1,
				GetRedisBackupList: 1,
				Download: 1,
			});
		});

		it('the clock a test freezes does not matter: a burst of requests is counted per action per second', async () => {
			tc.addInstance({ instanceId: 'crs-burst01', region: 'ap-guangzhou', architecture: 'standard' });
			const mark = tc.requests.length;
			await Promise.all(Array.from({ length: 25 }, () => tcCall('DescribeInstances', { Limit: 1 })));
			await Promise.all(Array.from({ length: 5 }, () => tcCall('DescribeInstanceBackups', { InstanceId: 'crs-burst01' })));
			const whole = tc.peakRequestRate({ since: mark, windowMs: 3600000 });
			expect(whole).toEqual({ DescribeInstances: 25, DescribeInstanceBackups: 5 });
			const perSecond = tc.peakRequestRate({ since: mark });
			expect(perSecond.DescribeInstances).toBeGreaterThanOrEqual(1);
			expect(perSecond.DescribeInstances).toBeLessThanOrEqual(25);
			expect(perSecond.DescribeInstanceBackups).toBeLessThanOrEqual(5);
		});

		it('peakRequestRate counts in a sliding window [t, t + windowMs) of arrival times', () => {
			const offline = new CloudEmulator({ seed: false });
			const entry = (action: string, receivedAtMs: number): RequestLogEntry => ({
				receivedAtMs,
				method: 'POST',
				path: '/',
				action,
				query: {},
				headers: {},
				status: 200,
			});
			// 20 requests in [0, 1000), then 5 at 1000..1040: at most 20 in any second (the first at 0 drops out
			// exactly at 1000), yet 25 between 0 and 1040.
			const log = offline.tencent.requests;
			for (let i = 0; i < 20; i++) log.push(entry('DescribeInstanceBackups', i * 50));
			for (let i = 0; i < 5; i++) log.push(entry('DescribeInstanceBackups', 1000 + i * 10));
			log.push(entry('DescribeInstances', 5), entry('DescribeInstances', 995), entry('DescribeInstances', 4000));
			expect(offline.tencent.peakRequestRate()).toEqual({ DescribeInstanceBackups: 24, DescribeInstances: 2 });
			expect(offline.tencent.peakRequestRate({ windowMs: 50 })).toEqual({ DescribeInstanceBackups: 5, DescribeInstances: 1 });
			expect(offline.tencent.peakRequestRate({ since: 20 })).toEqual({ DescribeInstanceBackups: 5, DescribeInstances: 2 });
			expect(offline.alibaba.peakRequestRate()).toEqual({});
		});
	});

	describe('200 instances in a region, paged through by the search actions', () => {
		const N = 200;
		const pad = (i: number) => String(i).padStart(3, '0');

		it('Alibaba DescribeInstances: PageNumber/PageSize (at most 50), TotalCount 200', async () => {
			for (let i = 0; i < N; i++) {
				ali.addInstance({ instanceId: `r-bulk${pad(i)}`, regionId: 'cn-beijing', architecture: i % 10 === 0 ? 'cluster' : 'standard' });
			}
			ali.addInstance({ instanceId: 'r-elsewhere01', regionId: 'cn-shenzhen', architecture: 'standard' });
			const seen: string[] = [];
			for (let page = 1; page <= 4; page++) {
				const res = await aliCall('DescribeInstances', { RegionId: 'cn-beijing', PageNumber: String(page), PageSize: '50' });
				expect(res).toMatchObject({ PageNumber: page, PageSize: 50, TotalCount: N });
				expect(res.Instances.KVStoreInstance).toHaveLength(50);
				seen.push(...res.Instances.KVStoreInstance.map((i: Json) => i.InstanceId));
			}
			expect(seen).toEqual(Array.from({ length: N }, (_, i) => `r-bulk${pad(i)}`));
			const past = await aliCall('DescribeInstances', { RegionId: 'cn-beijing', PageNumber: '5', PageSize: '50' });
			expect(past).toMatchObject({ TotalCount: N, Instances: { KVStoreInstance: [] } });
			// Default PageSize 30: 7 pages, the last one short.
			const sizes: number[] = [];
			for (let page = 1; page <= 7; page++) {
				sizes.push((await aliCall('DescribeInstances', { RegionId: 'cn-beijing', PageNumber: String(page) })).Instances.KVStoreInstance.length);
			}
			expect(sizes).toEqual([30, 30, 30, 30, 30, 30, 20]);
			expect(await aliCall('DescribeInstances', { RegionId: 'cn-beijing', PageSize: '51' })).toMatchObject({ Code: 'InvalidPageSize.Malformed' });
		});

		it('Tencent DescribeInstances: Limit/Offset (Offset a multiple of Limit, Limit up to 1000), TotalCount 200; the region backups page too', async () => {
			for (let i = 0; i < N; i++) {
				tc.addInstance({ instanceId: `crs-bulk${pad(i)}`, region: 'ap-shanghai', architecture: i % 10 === 0 ? 'cluster' : 'standard' });
				tc.addBackup({ instanceId: `crs-bulk${pad(i)}`, startMs: T0 - HOUR - i * 60000 });
			}
			tc.addInstance({ instanceId: 'crs-elsewhere01', region: 'ap-beijing', architecture: 'standard' });
			const seen: string[] = [];
			for (let offset = 0; offset < N; offset += 30) {
				const res = await tcCall('DescribeInstances', { Limit: 30, Offset: offset }, 'ap-shanghai');
				expect(res.TotalCount).toBe(N);
				expect(res.InstanceSet).toHaveLength(Math.min(30, N - offset));
				seen.push(...res.InstanceSet.map((i: Json) => i.InstanceId));
			}
			expect(new Set(seen).size).toBe(N);
			expect(seen.every((id) => /^crs-bulk\d{3}$/.test(id))).toBe(true);
			const firstPage = await tcCall('DescribeInstances', {}, 'ap-shanghai');
			expect(firstPage.TotalCount).toBe(N);
			expect(firstPage.InstanceSet).toHaveLength(20);
			const whole = await tcCall('DescribeInstances', { Limit: 1000 }, 'ap-shanghai');
			expect(whole.InstanceSet.map((i: Json) => i.InstanceId)).toEqual(seen);
			expect((await tcCall('DescribeInstances', { Limit: 50, Offset: 200 }, 'ap-shanghai')).InstanceSet).toEqual([]);
			// Every backup of the region, without InstanceId: 200, two pages of 100, newest first.
			const backups: Json[] = [];
			for (const offset of [0, 100]) {
				const res = await tcCall('DescribeInstanceBackups', { Limit: 100, Offset: offset }, 'ap-shanghai');
				expect(res.TotalCount).toBe(N);
				backups.push(...res.BackupSet);
			}
			expect(backups.map((b) => b.InstanceId)).toEqual(Array.from({ length: N }, (_, i) => `crs-bulk${pad(i)}`));
		});

		it('UCloud DescribeURedisGroup: Offset/Limit (default 20), TotalCount 200; the region backups page too', async () => {
			for (let i = 0; i < N; i++) {
				uc.addInstance({ groupId: `uredis-bulk${pad(i)}`, region: 'cn-sh2', zone: i % 2 ? 'cn-sh2-02' : 'cn-sh2-01' });
				uc.addBackup({ groupId: `uredis-bulk${pad(i)}`, startMs: T0 - HOUR - i * 60000 });
			}
			uc.addInstance({ groupId: 'uredis-elsewhere', region: 'cn-gd' });
			const seen: string[] = [];
			for (let offset = 0; offset < N; offset += 50) {
				const res = await ucCall('DescribeURedisGroup', { Region: 'cn-sh2', Offset: offset, Limit: 50 });
				expect(res).toMatchObject({ RetCode: 0, TotalCount: N });
				expect(res.DataSet).toHaveLength(50);
				seen.push(...res.DataSet.map((g: Json) => g.GroupId));
			}
			expect(new Set(seen).size).toBe(N);
			expect(seen.every((id) => /^uredis-bulk\d{3}$/.test(id))).toBe(true);
			const first = await ucCall('DescribeURedisGroup', { Region: 'cn-sh2' });
			expect(first.TotalCount).toBe(N);
			expect(first.DataSet).toHaveLength(20);
			const odd = await ucCall('DescribeURedisGroup', { Region: 'cn-sh2', Offset: 196, Limit: 7 });
			expect(odd.DataSet.map((g: Json) => g.GroupId)).toEqual(seen.slice(196));
			expect((await ucCall('DescribeURedisGroup', { Region: 'cn-sh2', Offset: 200 })).DataSet).toEqual([]);
			// One zone only.
			expect((await ucCall('DescribeURedisGroup', { Region: 'cn-sh2', Zone: 'cn-sh2-02' })).TotalCount).toBe(N / 2);
			// Every backup of the region, without GroupId: 200, newest first.
			const backups: Json[] = [];
			for (const offset of [0, 100]) {
				const res = await ucCall('DescribeURedisBackup', { Region: 'cn-sh2', Offset: offset, Limit: 100 });
				expect(res.TotalCount).toBe(N);
				backups.push(...res.DataSet);
			}
			expect(backups.map((b) => b.GroupId)).toEqual(Array.from({ length: N }, (_, i) => `uredis-bulk${pad(i)}`));
		});
	});

	describe('backups that go away: deleteBackup and expireBackup', () => {
		it('Alibaba deleteBackup: a standard backup (id or its string) or a cluster set is no longer listed, its file gone', async () => {
			ali.addInstance({ instanceId: 'r-gone01', regionId: 'cn-hangzhou', architecture: 'standard' });
			const [b1, b2, b3] = [1, 2, 3].map((h) => ali.addBackup({ instanceId: 'r-gone01', startMs: T0 - h * HOUR }));
			const oldUrl = ali.downloadUrls(b1.file!).public;
			expect((await aliBackups('r-gone01')).TotalCount).toBe(3);
			expect(ali.deleteBackup(b1.backupId)).toBe(b1);
			ali.deleteBackup(String(b2.backupId));
			const left = await aliBackups('r-gone01');
			expect(left.TotalCount).toBe(1);
			expect(left.Backups.Backup.map((b: Json) => b.BackupId)).toEqual([b3.backupId]);
			const gone = await download(oldUrl);
			expect(gone.status).toBe(404);
			expect(gone.body.toString()).toContain('<Code>NoSuchKey</Code>');

			ali.addInstance({ instanceId: 'r-gonecls01', regionId: 'cn-hangzhou', architecture: 'cluster', shards: 2 });
			const set = ali.addClusterBackupSet({ instanceId: 'r-gonecls01', startMs: T0 - HOUR });
			const keep = ali.addClusterBackupSet({ instanceId: 'r-gonecls01', startMs: T0 - 2 * HOUR });
			const shardUrl = ali.downloadUrls(set.shards[1].file!).public;
			ali.deleteBackup(set.clusterBackupId);
			const sets = await aliCall('DescribeClusterBackupList', {
				RegionId: 'cn-hangzhou',
				InstanceId: 'r-gonecls01',
				StartTime: minute(T0 - DAY),
				EndTime: minute(T0 + HOUR),
			});
			expect(sets.ClusterBackups.map((s: Json) => s.ClusterBackupId)).toEqual([keep.clusterBackupId]);
			expect((await download(shardUrl)).status).toBe(404);

			const running = ali.startBackupTask({ instanceId: 'r-gonecls01' });
			expect(() => ali.deleteBackup(running.clusterSet!.clusterBackupId)).toThrow(/RUNNING/);
			expect(() => ali.deleteBackup(b1.backupId)).toThrow(/unknown backup/);
			expect(() => ali.deleteBackup('cb-nosuchset')).toThrow(/unknown backup/);
		});

		it('Tencent expireBackup (Status -1) and deleteBackup (not listed at all, BackupNotExists)', async () => {
			tc.addInstance({ instanceId: 'crs-gone01', region: 'ap-guangzhou', architecture: 'standard' });
			const [b1, b2, b3] = [1, 2, 3].map((h) => tc.addBackup({ instanceId: 'crs-gone01', startMs: T0 - h * HOUR, storageDays: 7 }));
			const ids = async (status?: number[]) =>
				(await tcCall('DescribeInstanceBackups', { InstanceId: 'crs-gone01', ...(status ? { Status: status } : {}) })).BackupSet.map(
					(b: Json) => b.BackupId,
				);
			const oldUrl = tc.downloadUrls(tc.file(b2.backupId)).public;
			expect(await ids()).toEqual([b1.backupId, b2.backupId, b3.backupId]);

			tc.expireBackup(b1.backupId);
			expect(await ids()).toEqual([b2.backupId, b3.backupId]);
			const expired = (await tcCall('DescribeInstanceBackups', { InstanceId: 'crs-gone01', Status: [-1] })).BackupSet;
			expect(expired).toEqual([expect.objectContaining({ BackupId: b1.backupId, Status: -1, ExpireTime: beijingTime(T0) })]);
			expect((await tcCall('DescribeBackupUrl', { InstanceId: 'crs-gone01', BackupId: b1.backupId })).Error.Code).toBe(
				'ResourceUnavailable.BackupStatusInvalid',
			);

			tc.deleteBackup(b2.backupId);
			expect(await ids([1, 2, 3, 4, -1, -2])).toEqual([b1.backupId, b3.backupId]);
			expect((await tcCall('DescribeBackupUrl', { InstanceId: 'crs-gone01', BackupId: b2.backupId })).Error.Code).toBe(
				'InvalidParameterValue.BackupNotExists',
			);
			expect((await download(oldUrl)).status).toBe(404);
			const legacy = await tcLegacy('GetRedisBackupList', { redisId: 'crs-gone01', limit: '10', offset: '0' });
			expect(legacy.data.redisBackupSet.map((b: Json) => [b.backupId, b.status])).toEqual([
				[b1.backupId, -1],
				[b3.backupId, 2],
			]);

			const running = tc.startBackupTask({ instanceId: 'crs-gone01' });
			expect(() => tc.deleteBackup(running.backup.backupId)).toThrow(/in progress/);
			expect(() => tc.expireBackup(running.backup.backupId)).toThrow(/in progress/);
			expect(() => tc.deleteBackup(b2.backupId)).toThrow(/unknown backup/);
		});

		it('UCloud expireBackup (State Expired, still listed) and deleteBackup (not listed, 230)', async () => {
			uc.addInstance({ groupId: 'uredis-gone01', region: 'cn-bj2' });
			const [b1, b2, b3] = [1, 2, 3].map((h) => uc.addBackup({ groupId: 'uredis-gone01', startMs: T0 - h * HOUR, type: 'Manual' }));
			const list = async (): Promise<Json> => ucCall('DescribeURedisBackup', { GroupId: 'uredis-gone01' });
			const url1 = uc.downloadUrls(uc.file(b1.backupId)).public;
			const url2 = uc.downloadUrls(uc.file(b2.backupId)).public;

			uc.expireBackup(b1.backupId);
			expect((await list()).DataSet.map((b: Json) => [b.BackupId, b.State])).toEqual([
				[b1.backupId, 'Expired'],
				[b2.backupId, 'Success'],
				[b3.backupId, 'Success'],
			]);
			expect((await ucCall('DescribeURedisBackupURL', { BackupId: b1.backupId })).RetCode).toBe(20202);
			expect((await download(url1)).status).toBe(404);

			uc.deleteBackup(b2.backupId);
			const left = await list();
			expect(left.TotalCount).toBe(2);
			expect(left.DataSet.map((b: Json) => b.BackupId)).toEqual([b1.backupId, b3.backupId]);
			expect((await ucCall('DescribeURedisBackupURL', { BackupId: b2.backupId })).RetCode).toBe(230);
			expect((await download(url2)).status).toBe(404);

			const running = uc.startBackup({ groupId: 'uredis-gone01' });
			expect(() => uc.deleteBackup(running.backupId)).toThrow(/Backuping/);
			expect(() => uc.expireBackup(running.backupId)).toThrow(/Backuping/);
			expect(() => uc.deleteBackup(b2.backupId)).toThrow(/unknown URedis backup/);
		});
	});

	describe('backups started -> running -> failed / succeeded, on the emulator clock', () => {
		it('Alibaba: an automated task is listed by DescribeBackupTasks while it runs; a Failed record carries its job ID', async () => {
			ali.addInstance({ instanceId: 'r-life01', regionId: 'cn-hangzhou', architecture: 'standard' });
			const task = ali.startBackupTask({ instanceId: 'r-life01', mode: 'Automated', outcome: 'fail' });
			expect(await aliTasks('r-life01')).toEqual([
				expect.objectContaining({
					BackupJobID: task.jobId,
					JobMode: 'Automated',
					TaskAction: 'NormalBackupTask',
					BackupProgressStatus: 'NoStart',
					StartTime: acsDate(T0),
				}),
			]);
			expect((await aliBackups('r-life01')).TotalCount).toBe(0);
			clock.advance(2 * STEP);
			expect((await aliTasks('r-life01')).map((j) => j.BackupProgressStatus)).toEqual(['Waiting']);
			expect((await aliBackups('r-life01')).TotalCount).toBe(0);
			// The failure: at Uploading the task is gone and a Failed backup of the same job appears.
			clock.advance(STEP);
			expect(await aliTasks('r-life01')).toEqual([]);
			const failed = await aliBackups('r-life01');
			expect(failed.Backups.Backup).toEqual([
				expect.objectContaining({
					BackupJobID: task.jobId,
					BackupStatus: 'Failed',
					BackupMode: 'Automated',
					BackupSize: 0,
					BackupDownloadURL: '',
					BackupStartTime: acsDate(T0),
					BackupEndTime: acsDate(T0 + 3 * STEP),
				}),
			]);

			// Another one that succeeds: Finished (still listed for finishedTaskVisibleMs) and a Success record.
			const ok = ali.startBackupTask({ instanceId: 'r-life01', mode: 'Automated' });
			clock.advance(3 * STEP);
			expect((await aliTasks('r-life01')).map((j) => [j.BackupJobID, j.BackupProgressStatus])).toEqual([[ok.jobId, 'Uploading']]);
			expect((await aliBackups('r-life01')).TotalCount).toBe(1);
			clock.advance(2 * STEP);
			expect((await aliTasks('r-life01')).map((j) => [j.BackupJobID, j.BackupProgressStatus, j.Process])).toEqual([
				[ok.jobId, 'Finished', '100'],
			]);
			const done = (await aliBackups('r-life01')).Backups.Backup;
			expect(done.map((b: Json) => [b.BackupJobID, b.BackupStatus])).toEqual([
				[ok.jobId, 'Success'],
				[task.jobId, 'Failed'],
			]);
			expect(done[0].BackupDownloadURL).toContain('/oss/');
			clock.advance(60000);
			expect(await aliTasks('r-life01')).toEqual([]);
		});

		it('Alibaba: a manual CreateBackup that fails, and a cluster set RUNNING then Failed', async () => {
			ali.addInstance({ instanceId: 'r-life02', regionId: 'cn-hangzhou', architecture: 'standard' });
			ali.nextTaskOutcomes.push('fail');
			const created = await aliCall('CreateBackup', { InstanceId: 'r-life02' });
			expect((await aliTasks('r-life02')).map((j) => [String(j.BackupJobID), j.JobMode, j.TaskAction])).toEqual([
				[created.BackupJobID, 'Manual', 'TempBackupTask'],
			]);
			clock.advance(3 * STEP);
			expect((await aliBackups('r-life02')).Backups.Backup.map((b: Json) => [String(b.BackupJobID), b.BackupStatus, b.BackupMode])).toEqual([
				[created.BackupJobID, 'Failed', 'Manual'],
			]);

			clock.set(T0);
			ali.addInstance({ instanceId: 'r-life03', regionId: 'cn-hangzhou', architecture: 'cluster', shards: 2 });
			const task = ali.startBackupTask({ instanceId: 'r-life03', mode: 'Automated', outcome: 'fail' });
			const sets = async () =>
				(
					await aliCall('DescribeClusterBackupList', {
						RegionId: 'cn-hangzhou',
						InstanceId: 'r-life03',
						StartTime: minute(T0 - DAY),
						EndTime: minute(T0 + HOUR),
					})
				).ClusterBackups.map((s: Json) => [s.ClusterBackupId, s.ClusterBackupStatus, s.ClusterBackupMode]);
			const id = task.clusterSet!.clusterBackupId;
			expect(await sets()).toEqual([[id, 'RUNNING', 'Automated']]);
			expect((await aliTasks('r-life03')).map((j) => j.BackupJobID)).toEqual([task.jobId, task.jobId]);
			clock.advance(3 * STEP);
			expect(await sets()).toEqual([[id, 'Failed', 'Automated']]);
			expect(await aliTasks('r-life03')).toEqual([]);
		});

		it('Tencent: a running backup is Status 1 (listed when Status includes 1), then gone when it fails, Status 2 when it succeeds', async () => {
			tc.addInstance({ instanceId: 'crs-life01', region: 'ap-guangzhou', architecture: 'standard' });
			const list = async (status?: number[]): Promise<Json[]> =>
				(await tcCall('DescribeInstanceBackups', { InstanceId: 'crs-life01', ...(status ? { Status: status } : {}) })).BackupSet;
			const task = tc.startBackupTask({ instanceId: 'crs-life01', backupType: 'automatic', outcome: 'failed' });
			const running = {
				BackupId: task.backup.backupId,
				Status: 1,
				BackupType: '1',
				StartTime: beijingTime(T0),
				EndTime: '',
				BackupSize: 0,
			};
			expect(await list([1])).toEqual([expect.objectContaining(running)]);
			// The default filter is Status [2]: a running backup is not in it.
			expect(await list()).toEqual([]);
			expect((await tcCall('DescribeTaskInfo', { TaskId: task.taskId })).Status).toBe('preparing');
			clock.advance(STEP);
			expect(await list([1, 2])).toEqual([expect.objectContaining(running)]);
			expect((await tcCall('DescribeTaskInfo', { TaskId: task.taskId })).Status).toBe('running');
			const legacy = await tcLegacy('GetRedisBackupList', { redisId: 'crs-life01', limit: '10', offset: '0' });
			expect(legacy.data.redisBackupSet).toEqual([expect.objectContaining({ backupId: task.backup.backupId, status: 1, backupType: 'systemBackupInstance' })]);
			// Failed: the task says so, and the backup in progress is no longer listed under any status.
			clock.advance(2 * STEP);
			expect(await tcCall('DescribeTaskInfo', { TaskId: task.taskId })).toMatchObject({
				Status: 'failed',
				TaskType: 'FLOW_BACKUPINSTANCE',
				TaskMessage: expect.stringContaining('failed'),
			});
			expect(await list([1, 2, 3, 4, -1, -2])).toEqual([]);
			expect((await tcLegacy('GetRedisBackupList', { redisId: 'crs-life01', limit: '10', offset: '0' })).totalCount).toBe(0);

			const ok = tc.startBackupTask({ instanceId: 'crs-life01', backupType: 'automatic' });
			const started = clock.now();
			clock.advance(2 * STEP);
			expect((await list([1])).map((b) => [b.BackupId, b.Status])).toEqual([[ok.backup.backupId, 1]]);
			clock.advance(STEP);
			expect(await list()).toEqual([
				expect.objectContaining({
					BackupId: ok.backup.backupId,
					Status: 2,
					BackupType: '1',
					StartTime: beijingTime(started),
					EndTime: beijingTime(started + 3 * STEP),
					BackupSize: 2 * 1048576,
				}),
			]);
			expect((await tcCall('DescribeTaskInfo', { TaskId: ok.taskId })).Status).toBe('succeed');
			expect((await tcCall('DescribeBackupUrl', { InstanceId: 'crs-life01', BackupId: ok.backup.backupId })).BackupInfos).toHaveLength(1);
		});

		it('UCloud: a running backup is State Backuping, then Error when it fails, Success when it succeeds', async () => {
			uc.addInstance({ groupId: 'uredis-life01', region: 'cn-bj2' });
			const list = async (): Promise<Json[]> => (await ucCall('DescribeURedisBackup', { GroupId: 'uredis-life01' })).DataSet;
			const failing = uc.startBackup({ groupId: 'uredis-life01', type: 'Auto', outcome: 'error' });
			const running = { BackupId: failing.backupId, State: 'Backuping', BackupType: 'Auto', BackupSize: 0, BackupTime: T0 / 1000 };
			expect(await list()).toEqual([expect.objectContaining(running)]);
			expect((await ucCall('DescribeURedisBackupURL', { BackupId: failing.backupId })).RetCode).toBe(20202);
			clock.advance(2 * STEP);
			expect(await list()).toEqual([expect.objectContaining(running)]);
			clock.advance(STEP);
			expect(await list()).toEqual([expect.objectContaining({ BackupId: failing.backupId, State: 'Error', BackupSize: 0 })]);

			const ok = uc.startBackup({ groupId: 'uredis-life01', type: 'Auto' });
			clock.advance(2 * STEP);
			expect((await list()).map((b) => [b.BackupId, b.State])).toEqual([
				[ok.backupId, 'Backuping'],
				[failing.backupId, 'Error'],
			]);
			clock.advance(STEP);
			expect((await list())[0]).toMatchObject({ BackupId: ok.backupId, State: 'Success', BackupType: 'Auto', BackupSize: 2 * 1048576 });
			const url = await ucCall('DescribeURedisBackupURL', { BackupId: ok.backupId });
			expect(url.RetCode).toBe(0);
			expect((await download(url.BackupPath)).status).toBe(200);
		});
	});
});
