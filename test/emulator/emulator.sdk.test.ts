import * as $Kv from '@alicloud/r-kvstore20150101';

import { CloudEmulator, ManualClock } from '../../emulator';
import { sdkClient, sdkError } from './helpers';

/** The emulator must accept what the official SDK sends (V3 signature) and answer in shapes it parses. */
describe('Alibaba emulator with the official SDK', () => {
	// The SDK stamps x-acs-date with the real time, so the emulator clock starts at the real time too.
	const clock = new ManualClock(Date.now());
	const emulator = new CloudEmulator({ clock, alibabaSettings: { taskStepMs: 10000 } });
	const ali = emulator.alibaba;
	const range = () => ({
		startTime: new Date(clock.now() - 30 * 86400000).toISOString().slice(0, 16) + 'Z',
		endTime: new Date(clock.now() + 86400000).toISOString().slice(0, 16) + 'Z',
	});

	beforeAll(() => emulator.start());
	afterAll(() => emulator.stop());

	it('listens on 127.0.0.1 with a random port', () => {
		expect(ali.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(ali.port).toBeGreaterThan(0);
	});

	it('DescribeRegions (the credential test) succeeds', async () => {
		const res = await sdkClient(ali).describeRegions(new $Kv.DescribeRegionsRequest({}));
		expect(res.statusCode).toBe(200);
		expect(res.body?.requestId).toMatch(/^[0-9A-F-]{36}$/);
		const ids = res.body?.regionIds?.KVStoreRegion?.map((r) => r.regionId);
		expect(ids).toContain('cn-hangzhou');
	});

	it('DescribeInstances finds the seeded instances', async () => {
		const res = await sdkClient(ali).describeInstances(
			new $Kv.DescribeInstancesRequest({ regionId: 'cn-hangzhou', searchKey: 'demo-cluster' }),
		);
		expect(res.body?.totalCount).toBe(1);
		const inst = res.body?.instances?.KVStoreInstance?.[0];
		expect(inst).toMatchObject({ instanceId: 'r-democluster01', architectureType: 'cluster', shardCount: 2 });
	});

	it('DescribeBackups pages through the 45 seeded backups', async () => {
		const client = sdkClient(ali);
		const page1 = await client.describeBackups(
			new $Kv.DescribeBackupsRequest({ instanceId: 'r-demostandard01', ...range(), pageSize: 30, pageNumber: 1 }),
		);
		const page2 = await client.describeBackups(
			new $Kv.DescribeBackupsRequest({ instanceId: 'r-demostandard01', ...range(), pageSize: 30, pageNumber: 2 }),
		);
		expect(page1.body?.totalCount).toBe(45);
		expect(page1.body?.backups?.backup).toHaveLength(30);
		expect(page2.body?.backups?.backup).toHaveLength(15);
		const all = [...(page1.body?.backups?.backup ?? []), ...(page2.body?.backups?.backup ?? [])];
		expect(new Set(all.map((b) => b.backupId)).size).toBe(45);
		expect(all.filter((b) => b.backupStatus === 'Failed').length).toBeGreaterThanOrEqual(1);
		const ok = all.find((b) => b.backupStatus === 'Success');
		expect(typeof ok?.backupId).toBe('number');
		expect(typeof ok?.backupSize).toBe('number');
		expect(ok?.backupDownloadURL).toMatch(/\/oss\/.+\.rdb\?Expires=\d+&OSSAccessKeyId=.+&Signature=/);
		expect(ok?.backupIntranetDownloadURL).toContain('/oss-internal/');
	});

	it('DescribeClusterBackupList returns one file per shard, sizes as strings', async () => {
		const res = await sdkClient(ali).describeClusterBackupList(
			new $Kv.DescribeClusterBackupListRequest({ regionId: 'cn-hangzhou', instanceId: 'r-democluster01', ...range() }),
		);
		const sets = res.body?.clusterBackups ?? [];
		expect(sets.length).toBe(6);
		const ok = sets.find((s) => s.clusterBackupStatus === 'OK');
		expect(ok?.backups).toHaveLength(2);
		expect(typeof ok?.clusterBackupSize).toBe('string');
		expect(typeof ok?.backups?.[0].backupSize).toBe('string');
		expect(ok?.backups?.[0].backupEndTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
		expect(sets.some((s) => s.clusterBackupStatus === 'Failed')).toBe(true);
	});

	it('CreateBackup starts a task that DescribeBackupTasks follows to Finished, then the backup is listed', async () => {
		const client = sdkClient(ali);
		const created = await client.createBackup(new $Kv.CreateBackupRequest({ instanceId: 'r-demostandard01' }));
		const jobId = created.body?.backupJobID;
		expect(jobId).toMatch(/^\d+$/);
		const tasks = () =>
			client.describeBackupTasks(
				new $Kv.DescribeBackupTasksRequest({ instanceId: 'r-demostandard01', backupJobId: jobId }),
			);
		const first = (await tasks()).body?.backupJobs?.[0];
		expect(first).toMatchObject({
			backupJobID: Number(jobId),
			backupProgressStatus: 'NoStart',
			jobMode: 'Manual',
			taskAction: 'TempBackupTask',
			process: '0',
		});
		clock.advance(25000);
		expect((await tasks()).body?.backupJobs?.[0].backupProgressStatus).toBe('Waiting');
		clock.advance(25000);
		expect((await tasks()).body?.backupJobs?.[0]).toMatchObject({ backupProgressStatus: 'Finished', process: '100' });
		const listed = await client.describeBackups(
			new $Kv.DescribeBackupsRequest({ instanceId: 'r-demostandard01', ...range(), backupJobId: Number(jobId) }),
		);
		expect(listed.body?.backups?.backup?.[0]).toMatchObject({ backupStatus: 'Success', backupMode: 'Manual' });
	});

	it('maps API errors to the SDK error the real cloud produces', async () => {
		const err = await sdkError(
			sdkClient(ali).describeBackupTasks(new $Kv.DescribeBackupTasksRequest({ instanceId: 'r-nope' })),
		);
		expect(err).toMatchObject({ statusCode: 404, code: 'InvalidInstanceId.NotFound' });
		const wrong = await sdkError(
			sdkClient(ali, { accessKeySecret: 'wrong' }).describeRegions(new $Kv.DescribeRegionsRequest({})),
		);
		expect(wrong).toMatchObject({ statusCode: 400, code: 'SignatureDoesNotMatch' });
	});

	it('accepts the legacy V2 (HMAC-SHA1) RPC signature', async () => {
		const res = await sdkClient(ali, { signatureAlgorithm: 'v2' }).describeRegions(new $Kv.DescribeRegionsRequest({}));
		expect(res.statusCode).toBe(200);
		const bad = await sdkError(
			sdkClient(ali, { signatureAlgorithm: 'v2', accessKeySecret: 'nope' }).describeRegions(
				new $Kv.DescribeRegionsRequest({}),
			),
		);
		expect(bad.code).toBe('SignatureDoesNotMatch');
		expect(ali.requests.at(-1)?.query.Signature).toBeDefined();
	});

	it('requires the STS token of an STS account', async () => {
		ali.addAccount({ accessKeyId: 'sts-ak', accessKeySecret: 'sts-secret', securityToken: 'tok-1' });
		const ok = await sdkClient(ali, { accessKeyId: 'sts-ak', accessKeySecret: 'sts-secret', securityToken: 'tok-1' })
			.describeRegions(new $Kv.DescribeRegionsRequest({}));
		expect(ok.statusCode).toBe(200);
		const missing = await sdkError(
			sdkClient(ali, { accessKeyId: 'sts-ak', accessKeySecret: 'sts-secret' }).describeRegions(
				new $Kv.DescribeRegionsRequest({}),
			),
		);
		expect(missing.code).toBe('MissingSecurityToken');
	});

	it('can check signature dates against the real time while the emulator clock is elsewhere', async () => {
		const past = new CloudEmulator({
			clock: new ManualClock(Date.parse('2020-01-01T00:00:00Z')),
			alibabaSettings: { signatureTimeSource: 'system' },
		});
		await past.start();
		try {
			const res = await sdkClient(past.alibaba).describeRegions(new $Kv.DescribeRegionsRequest({}));
			expect(res.statusCode).toBe(200);
		} finally {
			await past.stop();
		}
	});
});
