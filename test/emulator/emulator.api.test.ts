import { CloudEmulator, ManualClock } from '../../emulator';
import { acsDate, signedCall } from './helpers';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Raw JSON shapes, paging and validation, and the task life cycle on a clock the test drives. */
describe('Alibaba emulator API behaviour', () => {
	const T0 = Date.parse('2025-03-01T12:00:00Z');
	const clock = new ManualClock(T0);
	const emulator = new CloudEmulator({ clock, alibabaSettings: { taskStepMs: 10000, finishedTaskVisibleMs: 60000 } });
	const ali = emulator.alibaba;
	const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16) + 'Z';
	const call = async (action: string, params: Record<string, string> = {}) => {
		const res = await signedCall(ali, { action, params, date: acsDate(clock.now()) });
		return { status: res.status, body: res.json() as Json };
	};
	const window = () => ({ StartTime: minute(clock.now() - 20 * 86400000), EndTime: minute(clock.now() + 3600000) });

	beforeAll(() => emulator.start());
	afterAll(() => emulator.stop());

	describe('DescribeBackups', () => {
		it('returns the documented fields with the documented types, newest first', async () => {
			const { status, body } = await call('DescribeBackups', { InstanceId: 'r-demostandard01', ...window() });
			expect(status).toBe(200);
			expect(body).toMatchObject({ PageNumber: 1, PageSize: 30, TotalCount: 45, LogStorageSize: 0 });
			const list = body.Backups.Backup as Json[];
			const b = list.find((x) => x.BackupStatus === 'Success') as Json;
			expect(b).toMatchObject({
				BackupType: 'FullBackup',
				BackupMethod: 'Physical',
				BackupDBNames: 'all',
				NodeInstanceId: 'r-demostandard01',
				EngineVersion: '5.0',
			});
			expect(typeof b.BackupId).toBe('number');
			expect(typeof b.BackupJobID).toBe('number');
			expect(typeof b.BackupSize).toBe('number');
			expect(b.BackupStartTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
			const starts = list.map((x) => Date.parse(x.BackupStartTime));
			expect([...starts].sort((x, y) => y - x)).toEqual(starts);
			const failed = list.find((x) => x.BackupStatus === 'Failed') as Json;
			expect(failed).toMatchObject({ BackupSize: 0, BackupDownloadURL: '' });
		});

		it('filters on the backup start time and by BackupId', async () => {
			const all = (await call('DescribeBackups', { InstanceId: 'r-demostandard01', ...window(), PageSize: '50' })).body;
			const sample = all.Backups.Backup[10] as Json;
			const start = Date.parse(sample.BackupStartTime);
			const narrow = await call('DescribeBackups', {
				InstanceId: 'r-demostandard01',
				StartTime: minute(start),
				EndTime: minute(start + 60000),
			});
			expect(narrow.body.Backups.Backup.map((x: Json) => x.BackupId)).toContain(sample.BackupId);
			expect(narrow.body.TotalCount).toBe(1);
			const byId = await call('DescribeBackups', {
				InstanceId: 'r-demostandard01',
				...window(),
				BackupId: String(sample.BackupId),
			});
			expect(byId.body.Backups.Backup).toHaveLength(1);
			const withSeconds = await call('DescribeBackups', {
				InstanceId: 'r-demostandard01',
				StartTime: '2025-01-01T00:00:00Z',
				EndTime: '2025-12-31T00:00:00Z',
			});
			expect(withSeconds.status).toBe(200);
		});

		it('pages with PageNumber beyond the end returning an empty page', async () => {
			const p = await call('DescribeBackups', { InstanceId: 'r-demostandard01', ...window(), PageNumber: '3' });
			expect(p.body).toMatchObject({ TotalCount: 45, PageNumber: 3 });
			expect(p.body.Backups.Backup).toEqual([]);
		});

		it.each([
			[{ PageSize: '20' }, 'InvalidPageSize.Malformed'],
			[{ PageNumber: '0' }, 'InvalidPageNumber.Malformed'],
			[{ StartTime: '2025-03-01 10:00' }, 'InvalidStartTime.Malformed'],
			[{ EndTime: '1740830400' }, 'InvalidEndTime.Malformed'],
			[{ StartTime: '2025-03-02T00:00Z', EndTime: '2025-03-01T00:00Z' }, 'InvalidStartTimeAndEndTime.Malformed'],
		])('rejects %j with %s (400)', async (override, code) => {
			const res = await call('DescribeBackups', { InstanceId: 'r-demostandard01', ...window(), ...override });
			expect(res.status).toBe(400);
			expect(res.body.Code).toBe(code);
		});

		it('requires InstanceId, StartTime and EndTime', async () => {
			const res = await call('DescribeBackups', { InstanceId: 'r-demostandard01' });
			expect(res.status).toBe(400);
			expect(res.body).toMatchObject({ Code: 'MissingParameter' });
			expect(res.body.Message).toContain('"StartTime"');
		});

		it('answers 404 InvalidInstanceId.NotFound for an unknown instance or another region', async () => {
			const unknown = await call('DescribeBackups', { InstanceId: 'r-missing', ...window() });
			expect(unknown.status).toBe(404);
			expect(unknown.body.Code).toBe('InvalidInstanceId.NotFound');
			const region = await call('DescribeBackups', { InstanceId: 'r-demostandard01', RegionId: 'cn-beijing', ...window() });
			expect(region.body.Code).toBe('InvalidInstanceId.NotFound');
		});

		it('lists nothing for a cluster (use DescribeClusterBackupList), or shard files if configured', async () => {
			const res = await call('DescribeBackups', { InstanceId: 'r-democluster01', ...window() });
			expect(res.body.TotalCount).toBe(0);
			ali.addInstance({ instanceId: 'r-classic-cluster', regionId: 'cn-hangzhou', architecture: 'cluster', shards: 3, describeBackupsOnCluster: 'shards' });
			ali.addClusterBackupSet({ instanceId: 'r-classic-cluster', startMs: clock.now() - 3600000 });
			const shards = await call('DescribeBackups', { InstanceId: 'r-classic-cluster', ...window() });
			expect(shards.body.Backups.Backup.map((b: Json) => b.NodeInstanceId).sort()).toEqual([
				'r-classic-cluster-db-0',
				'r-classic-cluster-db-1',
				'r-classic-cluster-db-2',
			]);
		});
	});

	describe('DescribeClusterBackupList', () => {
		const base = () => ({ RegionId: 'cn-hangzhou', InstanceId: 'r-democluster01', ...window() });

		it('mirrors the documented sample: string sizes, shard end time without Z, Progress with %', async () => {
			const { body } = await call('DescribeClusterBackupList', base());
			expect(body).toMatchObject({ PageNumber: 1, PageSize: 30, MaxResults: 30 });
			expect(body.TotalCount).toBeUndefined();
			const set = (body.ClusterBackups as Json[]).find((s) => s.ClusterBackupStatus === 'OK') as Json;
			expect(set.ClusterBackupId).toMatch(/^cb-[0-9a-z]{16}$/);
			expect(set).toMatchObject({ IsAvail: 1, Progress: '100%' });
			const sum = set.Backups.reduce((n: number, s: Json) => n + Number(s.BackupSize), 0);
			expect(set.ClusterBackupSize).toBe(String(sum));
			expect(set.Backups[0]).toMatchObject({ BackupStatus: 'OK', IsAvail: '1', Engine: 'redis', ExtraInfo: { CustinsDbVersion: '5.0' } });
			expect(typeof set.Backups[0].BackupId).toBe('string');
			expect(set.Backups[0].BackupEndTime).not.toMatch(/Z$/);
			expect(set.Backups[0].BackupName).toMatch(/^hins\d+_data_\d{14}\.rdb$/);
		});

		it('pages without TotalCount, filters by ClusterBackupId, hides shards with NoShardBackup', async () => {
			const p1 = await call('DescribeClusterBackupList', { ...base(), PageSize: '5' });
			const p2 = await call('DescribeClusterBackupList', { ...base(), PageSize: '5', PageNumber: '2' });
			expect(p1.body.ClusterBackups).toHaveLength(5);
			expect(p2.body.ClusterBackups.length).toBeGreaterThanOrEqual(1);
			const id = p1.body.ClusterBackups[0].ClusterBackupId;
			const one = await call('DescribeClusterBackupList', { ...base(), ClusterBackupId: id, NoShardBackup: 'true' });
			expect(one.body.ClusterBackups).toHaveLength(1);
			expect(one.body.ClusterBackups[0].Backups).toEqual([]);
			const bad = await call('DescribeClusterBackupList', { ...base(), PageSize: '25' });
			expect(bad.body.Code).toBe('InvalidPageSize.Malformed');
			const noRegion = await call('DescribeClusterBackupList', { InstanceId: 'r-democluster01', ...window() });
			expect(noRegion.body.Code).toBe('MissingParameter');
		});
	});

	describe('DescribeInstances and DescribeRegions', () => {
		it('searches by id or name and validates PageSize 1..50', async () => {
			const byName = await call('DescribeInstances', { RegionId: 'cn-hangzhou', SearchKey: 'DEMO-standard' });
			expect(byName.body.Instances.KVStoreInstance.map((i: Json) => i.InstanceId)).toEqual(['r-demostandard01']);
			const byIds = await call('DescribeInstances', { RegionId: 'cn-hangzhou', InstanceIds: 'r-demostandard01,r-democluster01' });
			expect(byIds.body.TotalCount).toBe(2);
			const paged = await call('DescribeInstances', { RegionId: 'cn-hangzhou', PageSize: '1', PageNumber: '2' });
			expect(paged.body.Instances.KVStoreInstance).toHaveLength(1);
			expect((await call('DescribeInstances', { RegionId: 'cn-hangzhou', PageSize: '51' })).body.Code).toBe(
				'InvalidPageSize.Malformed',
			);
			expect((await call('DescribeInstances', {})).body.Code).toBe('MissingParameter');
		});

		it('lists regions under RegionIds.KVStoreRegion', async () => {
			const { body } = await call('DescribeRegions', { AcceptLanguage: 'en-US' });
			expect(body.RegionIds.KVStoreRegion).toContainEqual(
				expect.objectContaining({ RegionId: 'cn-hangzhou', LocalName: 'China (Hangzhou)', RegionEndpoint: 'r-kvstore.aliyuncs.com' }),
			);
		});
	});

	describe('CreateBackup and DescribeBackupTasks on the emulator clock', () => {
		const tasks = async (instanceId: string, extra: Record<string, string> = {}) =>
			(await call('DescribeBackupTasks', { InstanceId: instanceId, ...extra })).body.BackupJobs as Json[];

		it('walks NoStart -> Preparing -> Waiting -> Uploading -> Checking -> Finished, then expires the task', async () => {
			const created = await call('CreateBackup', { InstanceId: 'r-demostandard01' });
			const jobId = created.body.BackupJobID as string;
			expect(typeof jobId).toBe('string');
			const seen: string[] = [];
			const percents: string[] = [];
			for (let i = 0; i < 6; i++) {
				const [job] = await tasks('r-demostandard01', { BackupJobId: jobId });
				seen.push(job.BackupProgressStatus);
				percents.push(job.Process);
				if (i < 5) {
					const listed = await call('DescribeBackups', { InstanceId: 'r-demostandard01', ...window(), BackupJobId: jobId });
					expect(listed.body.TotalCount).toBe(0);
				}
				clock.advance(10000);
			}
			expect(seen).toEqual(['NoStart', 'Preparing', 'Waiting', 'Uploading', 'Checking', 'Finished']);
			expect(percents).toEqual(['0', '20', '40', '60', '80', '100']);
			const listed = await call('DescribeBackups', { InstanceId: 'r-demostandard01', ...window(), BackupJobId: jobId });
			expect(listed.body.Backups.Backup[0]).toMatchObject({ BackupStatus: 'Success', BackupMode: 'Manual', BackupJobID: Number(jobId) });
			clock.advance(60000);
			expect(await tasks('r-demostandard01', { BackupJobId: jobId })).toEqual([]);
		});

		it('a failing task vanishes at Uploading and leaves a Failed backup; a vanishing one leaves nothing', async () => {
			ali.nextTaskOutcomes.push('fail', 'vanish');
			const failJob = (await call('CreateBackup', { InstanceId: 'r-demostandard01' })).body.BackupJobID as string;
			const goneJob = (await call('CreateBackup', { InstanceId: 'r-demostandard01' })).body.BackupJobID as string;
			clock.advance(25000);
			expect((await tasks('r-demostandard01')).map((t) => String(t.BackupJobID)).sort()).toEqual([failJob, goneJob].sort());
			clock.advance(10000);
			expect(await tasks('r-demostandard01')).toEqual([]);
			const failed = await call('DescribeBackups', { InstanceId: 'r-demostandard01', ...window(), BackupJobId: failJob });
			expect(failed.body.Backups.Backup[0]).toMatchObject({ BackupStatus: 'Failed' });
			const gone = await call('DescribeBackups', { InstanceId: 'r-demostandard01', ...window(), BackupJobId: goneJob });
			expect(gone.body.TotalCount).toBe(0);
		});

		it('a cluster backup shows a RUNNING set with progress, one task row per node, then an OK set', async () => {
			const jobId = (await call('CreateBackup', { InstanceId: 'r-democluster01' })).body.BackupJobID as string;
			clock.advance(15000);
			const rows = await tasks('r-democluster01', { JobMode: 'Manual' });
			expect(rows.map((r) => r.NodeId)).toEqual(['r-democluster01-db-0', 'r-democluster01-db-1']);
			expect(new Set(rows.map((r) => r.BackupJobID))).toEqual(new Set([Number(jobId)]));
			const list = async () =>
				((await call('DescribeClusterBackupList', { RegionId: 'cn-hangzhou', InstanceId: 'r-democluster01', ...window() }))
					.body.ClusterBackups as Json[])[0];
			expect(await list()).toMatchObject({ ClusterBackupStatus: 'RUNNING', Progress: '30%', IsAvail: 0, ClusterBackupEndTime: '' });
			clock.advance(40000);
			const done = await list();
			expect(done).toMatchObject({ ClusterBackupStatus: 'OK', Progress: '100%', IsAvail: 1 });
			expect(done.Backups.every((b: Json) => b.BackupDownloadURL.includes('/oss/'))).toBe(true);
			expect(await tasks('r-democluster01', { JobMode: 'Automated' })).toEqual([]);
		});

		it('reports automated tasks as NormalBackupTask', async () => {
			ali.startBackupTask({ instanceId: 'r-demostandard01', mode: 'Automated' });
			const [row] = await tasks('r-demostandard01', { JobMode: 'Automated' });
			expect(row).toMatchObject({ JobMode: 'Automated', TaskAction: 'NormalBackupTask', BackupProgressStatus: 'NoStart' });
		});
	});
});
