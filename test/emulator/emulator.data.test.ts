import * as $Kv from '@alicloud/r-kvstore20150101';

import { CloudEmulator, ManualClock } from '../../emulator';
import { acsDate, download, sdkClient, sdkError, signedCall } from './helpers';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16) + 'Z';

/** One failed shard in an OK cluster backup set, as Alibaba sometimes reports it. */
describe('Alibaba emulator: a failed shard in an OK cluster backup set', () => {
	const clock = new ManualClock(Date.parse('2025-03-01T12:00:00Z'));
	const emulator = new CloudEmulator({ clock, alibabaSettings: { taskStepMs: 10000 } });
	const ali = emulator.alibaba;
	const call = async (action: string, params: Record<string, string>) =>
		(await signedCall(ali, { action, params, date: acsDate(clock.now()) })).json() as Json;
	const listSet = async (instanceId: string, clusterBackupId: string) =>
		(
			(
				await call('DescribeClusterBackupList', {
					RegionId: 'cn-hangzhou',
					InstanceId: instanceId,
					StartTime: minute(clock.now() - 86400000),
					EndTime: minute(clock.now() + 3600000),
				})
			).ClusterBackups as Json[]
		).find((s) => s.ClusterBackupId === clusterBackupId) as Json;

	beforeAll(() => emulator.start());
	afterAll(() => emulator.stop());

	it('failClusterShard: the set stays OK, the shard is ERROR with no file; its old URL is gone', async () => {
		const set = ali.addClusterBackupSet({ instanceId: 'r-democluster01', startMs: clock.now() - 600000, shardSizes: [1000, 2000] });
		const oldUrl = ali.downloadUrls(set.shards[1].file!).public;
		const shard = ali.failClusterShard(set.clusterBackupId, 1);
		expect(shard).toMatchObject({ failed: true, file: undefined });
		const listed = await listSet('r-democluster01', set.clusterBackupId);
		expect(listed).toMatchObject({ ClusterBackupStatus: 'OK', IsAvail: 1, ClusterBackupSize: '1000' });
		expect(listed.Backups[0]).toMatchObject({ BackupStatus: 'OK', IsAvail: '1', BackupSize: '1000' });
		expect(listed.Backups[0].BackupDownloadURL).toContain('/oss/');
		expect(listed.Backups[1]).toMatchObject({
			BackupStatus: 'ERROR',
			IsAvail: '0',
			BackupSize: '0',
			BackupDownloadURL: '',
			BackupIntranetDownloadURL: '',
		});
		const gone = await download(oldUrl);
		expect(gone.status).toBe(404);
		expect(gone.body.toString()).toContain('<Code>NoSuchKey</Code>');
	});

	it('keepFile: an ERROR shard that still lists a working URL; failedShards when adding a set', async () => {
		const kept = ali.addClusterBackupSet({ instanceId: 'r-democluster01', startMs: clock.now() - 500000 });
		ali.failClusterShard(kept.clusterBackupId, 0, { keepFile: true });
		const listed = await listSet('r-democluster01', kept.clusterBackupId);
		expect(listed.Backups[0]).toMatchObject({ BackupStatus: 'ERROR', IsAvail: '0' });
		expect((await download(listed.Backups[0].BackupDownloadURL as string)).status).toBe(200);

		const added = ali.addClusterBackupSet({ instanceId: 'r-democluster01', startMs: clock.now() - 400000, failedShards: [0] });
		const addedListed = await listSet('r-democluster01', added.clusterBackupId);
		expect(addedListed.ClusterBackupStatus).toBe('OK');
		expect(addedListed.Backups.map((b: Json) => b.BackupStatus)).toEqual(['ERROR', 'OK']);
	});

	it('a shard failed while its task runs gets no file when the set turns OK', async () => {
		const jobId = (await call('CreateBackup', { InstanceId: 'r-democluster01' })).BackupJobID as string;
		const task = ali.store.tasks.find((t) => String(t.jobId) === jobId)!;
		const setId = task.clusterSet!.clusterBackupId;
		ali.failClusterShard(setId, 1);
		clock.advance(60000);
		const listed = await listSet('r-democluster01', setId);
		expect(listed.ClusterBackupStatus).toBe('OK');
		expect(listed.Backups.map((b: Json) => [b.BackupStatus, b.BackupDownloadURL === ''])).toEqual([
			['OK', false],
			['ERROR', true],
		]);
	});

	it('DescribeBackups on a cluster set up to list shards shows the failed shard as Failed', async () => {
		ali.addInstance({ instanceId: 'r-shardlist01', regionId: 'cn-hangzhou', architecture: 'cluster', describeBackupsOnCluster: 'shards' });
		const set = ali.addClusterBackupSet({ instanceId: 'r-shardlist01', startMs: clock.now() - 300000, failedShards: [1] });
		const body = await call('DescribeBackups', {
			InstanceId: 'r-shardlist01',
			StartTime: minute(clock.now() - 86400000),
			EndTime: minute(clock.now() + 3600000),
		});
		const rows = (body.Backups.Backup as Json[]).sort((a, b) => a.NodeInstanceId.localeCompare(b.NodeInstanceId));
		expect(rows.map((b) => [b.BackupId, b.BackupStatus, b.BackupSize])).toEqual([
			[Number(set.shards[0].backupId), 'Success', 1048576],
			[Number(set.shards[1].backupId), 'Failed', 0],
		]);
	});

	it('refuses an unknown set or shard', () => {
		expect(() => ali.failClusterShard('cb-nope', 0)).toThrow(/unknown cluster backup set/);
		const set = ali.store.clusterSets[0];
		expect(() => ali.failClusterShard(set.clusterBackupId, 5)).toThrow(/has no shard 5/);
	});
});

/** The cloud's clock ahead of or behind the host's: reported times move, signatures keep Alibaba's 15 minutes. */
describe('Alibaba emulator clock skew', () => {
	const MIN = 60000;
	// No clock given: the host clock, as for a real n8n pointed at the emulator.
	const emulator = new CloudEmulator({ alibabaSettings: { clockSkewMs: 10 * MIN, taskStepMs: 10000 } });
	const ali = emulator.alibaba;
	const client = () => sdkClient(ali);

	beforeAll(() => emulator.start());
	afterAll(() => emulator.stop());
	afterEach(() => {
		ali.settings.clockSkewMs = 10 * MIN;
		ali.settings.signatureTimeSource = 'emulator';
	});

	it('reports task and backup times on its own (skewed) clock; calls within 15 minutes still pass', async () => {
		const created = await client().createBackup(new $Kv.CreateBackupRequest({ instanceId: 'r-demostandard01' }));
		const jobId = Number(created.body?.backupJobID);
		const tasks = await client().describeBackupTasks(
			new $Kv.DescribeBackupTasksRequest({ instanceId: 'r-demostandard01', backupJobId: String(jobId) }),
		);
		const start = Date.parse(tasks.body!.backupJobs![0].startTime!);
		expect(Math.abs(start - (Date.now() + 10 * MIN))).toBeLessThan(3000);
		expect(ali.clock.now() - Date.now()).toBeGreaterThanOrEqual(10 * MIN - 5);
		const record = ali.addBackup({ instanceId: 'r-demostandard01', startMs: ali.clock.now() - MIN });
		const listed = await client().describeBackups(
			new $Kv.DescribeBackupsRequest({
				instanceId: 'r-demostandard01',
				startTime: minute(Date.now() - 3600000),
				endTime: minute(Date.now() + 3600000),
				backupId: record.backupId,
			}),
		);
		const backup = listed.body!.backups!.backup![0];
		expect(Date.parse(backup.backupStartTime!)).toBeGreaterThan(Date.now() + 8 * MIN);
		// URL expiry is on the cloud clock too.
		const expires = Number(/Expires=(\d+)/.exec(backup.backupDownloadURL!)![1]);
		expect(Math.abs(expires * 1000 - (Date.now() + 10 * MIN + ali.settings.urlTtlMs))).toBeLessThan(3000);
		expect((await download(backup.backupDownloadURL!)).status).toBe(200);
	});

	it('more than 15 minutes ahead or behind refuses the signature (InvalidTimeStamp.Expired); settable at runtime', async () => {
		const regions = () => client().describeRegions(new $Kv.DescribeRegionsRequest({}));
		ali.settings.clockSkewMs = 16 * MIN;
		expect(await sdkError(regions())).toMatchObject({ statusCode: 400, code: 'InvalidTimeStamp.Expired' });
		ali.settings.clockSkewMs = -16 * MIN;
		expect(await sdkError(regions())).toMatchObject({ statusCode: 400, code: 'InvalidTimeStamp.Expired' });
		ali.settings.clockSkewMs = -14 * MIN;
		expect((await regions()).statusCode).toBe(200);
		// With signatureTimeSource 'system' the skew applies to the host time it checks against.
		ali.settings.signatureTimeSource = 'system';
		ali.settings.clockSkewMs = 20 * MIN;
		expect(await sdkError(regions())).toMatchObject({ code: 'InvalidTimeStamp.Expired' });
	});

	it('adds to a ManualClock as well', () => {
		const clock = new ManualClock(Date.parse('2025-03-01T12:00:00Z'));
		const own = new CloudEmulator({ clock, seed: false, alibabaSettings: { clockSkewMs: -5 * MIN } });
		expect(own.alibaba.clock.base).toBe(clock);
		expect(own.alibaba.clock.now()).toBe(clock.now() - 5 * MIN);
		clock.advance(MIN);
		own.alibaba.settings.clockSkewMs = 0;
		expect(own.alibaba.clock.now()).toBe(clock.now());
	});
});
