import { CloudEmulator, ManualClock } from '../../emulator';
import { CLUSTER, REGION, sdkClient, sdkError, STANDARD, loopbackAgent } from './tencent.helpers';

/** The emulator must accept what the official SDK's real client sends (genuine TC3 signatures) and answer in the
 * shapes it parses. */
describe('Tencent emulator with the official SDK client (tencentcloud-sdk-nodejs-common AbstractClient)', () => {
	// The SDK stamps X-TC-Timestamp with the real time, so the emulator clock starts at the real time too.
	const clock = new ManualClock(Date.now());
	const emulator = new CloudEmulator({ clock, tencentSettings: { taskStepMs: 10000 } });
	const tc = emulator.tencent;
	const agent = loopbackAgent();
	const client = () => sdkClient(tc, agent);

	beforeAll(() => emulator.start());
	afterAll(async () => {
		agent.destroy();
		await emulator.stop();
	});

	it('listens on its own port next to Alibaba', () => {
		expect(tc.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(tc.port).not.toBe(emulator.alibaba.port);
	});

	it('DescribeInstances finds the seeded instances, SearchKey fuzzy on the name', async () => {
		const all = await client().request('DescribeInstances', {});
		expect(all.TotalCount).toBe(2);
		expect(all.RequestId).toMatch(/^[0-9a-f-]{36}$/);
		const found = await client().request('DescribeInstances', { SearchKey: 'cluster', Limit: 10 });
		expect(found.TotalCount).toBe(1);
		expect(found.InstanceSet[0]).toMatchObject({
			InstanceId: CLUSTER,
			InstanceName: 'demo-cluster',
			RegionId: 1,
			Region: REGION,
			Status: 2,
			Type: 9,
			ProductType: 'cluster',
			RedisShardNum: 3,
		});
		expect(found.InstanceSet[0].Createtime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
	});

	it('DescribeInstanceBackups lists only Status 2 by default, newest first, in Beijing time', async () => {
		const res = await client().request('DescribeInstanceBackups', { InstanceId: STANDARD, Limit: 100 });
		// 22 seeded, the three nightly backups older than 7 days are expired (-1) and not listed by default.
		expect(res.TotalCount).toBe(19);
		const first = res.BackupSet[0];
		expect(first).toMatchObject({ InstanceId: STANDARD, Status: 2, Locked: 0, Region: REGION, FileType: 'RDB-Redis 5.0' });
		expect(['0', '1']).toContain(first.BackupType);
		expect(first.BackupId).toMatch(/^\d+-\d+-\d+$/);
		expect(typeof first.BackupSize).toBe('number');
		const starts = res.BackupSet.map((b: { StartTime: string }) => b.StartTime);
		expect([...starts].sort().reverse()).toEqual(starts);
		// Beijing time: the newest backup's StartTime read as UTC+8 is its instant.
		const newest = Math.max(...tc.store.backups.filter((b) => b.instanceId === STANDARD).map((b) => b.startMs));
		expect(Date.parse(`${first.StartTime.replace(' ', 'T')}+08:00`)).toBe(Math.floor(newest / 1000) * 1000);
		const expired = await client().request('DescribeInstanceBackups', { InstanceId: STANDARD, Status: [-1] });
		expect(expired.TotalCount).toBe(3);
	});

	it('also takes GET requests (flattened Status.0=...)', async () => {
		const res = await sdkClient(tc, agent, { reqMethod: 'GET' }).request('DescribeInstanceBackups', {
			InstanceId: STANDARD,
			Status: [2, -1],
			Limit: 5,
			Offset: 5,
		});
		expect(res.TotalCount).toBe(22);
		expect(res.BackupSet).toHaveLength(5);
	});

	it('ManualBackupInstance starts a task that DescribeTaskInfo follows to succeed; the backup then is Status 2', async () => {
		const created = await client().request('ManualBackupInstance', { InstanceId: STANDARD, Remark: 'sdk', StorageDays: 3 });
		expect(typeof created.TaskId).toBe('number');
		const info = () => client().request('DescribeTaskInfo', { TaskId: created.TaskId });
		expect(await info()).toMatchObject({ Status: 'preparing', InstanceId: STANDARD, TaskType: 'FLOW_BACKUPINSTANCE', TaskMessage: '' });
		const inProgress = await client().request('DescribeInstanceBackups', { InstanceId: STANDARD, Status: [1] });
		expect(inProgress.BackupSet).toEqual([expect.objectContaining({ Status: 1, Remark: 'sdk', BackupType: '0', EndTime: '' })]);
		clock.advance(10000);
		expect((await info()).Status).toBe('running');
		clock.advance(20000);
		expect((await info()).Status).toBe('succeed');
		const listed = await client().request('DescribeInstanceBackups', { InstanceId: STANDARD, Limit: 1 });
		expect(listed.BackupSet[0]).toMatchObject({ Remark: 'sdk', Status: 2, BackupType: '0' });
		expect(listed.BackupSet[0].StartTime).toBe((await info()).StartTime);
		const urls = await client().request('DescribeBackupUrl', { InstanceId: STANDARD, BackupId: listed.BackupSet[0].BackupId });
		expect(urls.BackupInfos).toHaveLength(1);
		expect(urls.BackupInfos[0].FileSize).toBe(2 * 1048576);
	});

	it('DescribeBackupUrl gives one file per shard of a cluster, plus the deprecated arrays', async () => {
		const list = await client().request('DescribeInstanceBackups', { InstanceId: CLUSTER, Limit: 1 });
		const res = await client().request('DescribeBackupUrl', { InstanceId: CLUSTER, BackupId: list.BackupSet[0].BackupId });
		expect(res.BackupInfos).toHaveLength(3);
		expect(res.Filenames).toEqual(res.BackupInfos.map((i: { FileName: string }) => i.FileName));
		expect(res.DownloadUrl).toEqual(res.BackupInfos.map((i: { DownloadUrl: string }) => i.DownloadUrl));
		expect(res.BackupInfos[0].DownloadUrl).toMatch(
			/\/cos\/redis-database-backup-\d+\/.+-1-ignore\.rdb\?sign=q-sign-algorithm%3Dsha1%26q-ak%3D.+%26q-signature%3D[0-9a-f]{40}$/,
		);
		expect(res.BackupInfos[0].InnerDownloadUrl).toContain('/cos-internal/');
		expect(list.BackupSet[0].BackupSize).toBe(res.BackupInfos.reduce((s: number, i: { FileSize: number }) => s + i.FileSize, 0));
	});

	it('maps errors to the SDK exception the real cloud produces', async () => {
		const missing = await sdkError(client().request('DescribeBackupUrl', { InstanceId: 'crs-nope', BackupId: 'x' }));
		expect(missing).toMatchObject({ code: 'ResourceNotFound.InstanceNotExists' });
		expect(missing.requestId).toMatch(/^[0-9a-f-]{36}$/);
		const wrongKey = await sdkError(sdkClient(tc, agent, { secretKey: 'wrong' }).request('DescribeInstances', {}));
		expect(wrongKey.code).toBe('AuthFailure.SignatureFailure');
		const unknownId = await sdkError(sdkClient(tc, agent, { secretId: 'AKIDunknown' }).request('DescribeInstances', {}));
		expect(unknownId.code).toBe('AuthFailure.SecretIdNotFound');
		const unknownParam = await sdkError(client().request('DescribeInstanceBackups', { InstanceId: STANDARD, Foo: 1 }));
		expect(unknownParam).toMatchObject({ code: 'UnknownParameter', message: 'The parameter `Foo` is not recognized.' });
		const typed = await sdkError(client().request('DescribeInstanceBackups', { InstanceId: STANDARD, Limit: '10' }));
		expect(typed.code).toBe('InvalidParameter');
	});

	it('requires the token of a temporary credential', async () => {
		tc.addAccount({ secretId: 'AKIDtemporary000000000000000EXAMPLE', secretKey: 'tmp-secret', token: 'tok-1' });
		const ok = await sdkClient(tc, agent, {
			secretId: 'AKIDtemporary000000000000000EXAMPLE',
			secretKey: 'tmp-secret',
			token: 'tok-1',
		}).request('DescribeInstances', {});
		expect(ok.TotalCount).toBe(2);
		const none = await sdkError(
			sdkClient(tc, agent, { secretId: 'AKIDtemporary000000000000000EXAMPLE', secretKey: 'tmp-secret' }).request('DescribeInstances', {}),
		);
		expect(none.code).toBe('AuthFailure.TokenFailure');
	});

	it('the SDK legacy signature (HmacSHA1/HmacSHA256) works on the legacy CRS path', async () => {
		for (const signMethod of ['HmacSHA1', 'HmacSHA256'] as const) {
			const legacy = sdkClient(tc, agent, { signMethod });
			(legacy as unknown as { path: string }).path = '/v2/index.php';
			// The legacy API answers {code, message, codeDesc, ...} without a Response envelope; the SDK client then
			// cannot read it, so look at the request log instead.
			await legacy.request('GetRedisBackupList', { limit: 10, offset: 0, redisId: STANDARD }).catch(() => undefined);
			expect(tc.requests.at(-1)).toMatchObject({ path: '/v2/index.php', action: 'GetRedisBackupList', status: 200 });
			expect(tc.requests.at(-1)?.code).toBeUndefined();
		}
	});

	it('can check signature times against the real time while the emulator clock is elsewhere', async () => {
		const past = new CloudEmulator({
			clock: new ManualClock(Date.parse('2020-01-01T00:00:00Z')),
			tencentSettings: { signatureTimeSource: 'system' },
		});
		await past.start();
		try {
			const res = await sdkClient(past.tencent, agent).request('DescribeInstances', {});
			expect(res.TotalCount).toBe(2);
			// A cloud clock 10 minutes ahead refuses the SDK's (correct) timestamps.
			tc.settings.clockSkewMs = 10 * 60000;
			const skewed = await sdkError(sdkClient(tc, agent).request('DescribeInstances', {})).finally(() => {
				tc.settings.clockSkewMs = 0;
			});
			expect(skewed.code).toBe('AuthFailure.SignatureExpire');
		} finally {
			await past.stop();
		}
	});
});
