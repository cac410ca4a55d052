import { request } from 'http';

import { CloudEmulator, ManualClock, UCLOUD_BACKUP_STEPS } from '../../emulator';
import { download } from './helpers';
import { DEMO, DEMO2, ucloud, ucloudCall, ZONE, type Json } from './ucloud.helpers';

/** The seed, paging, filters, CreateURedisBackup's life cycle on a ManualClock, URLs, and the API fault kinds. */
describe('UCloud emulator data', () => {
	const T0 = Date.parse('2024-03-10T12:00:00Z');
	const clock = new ManualClock(T0);
	const emulator = new CloudEmulator({ clock, ucloudSettings: { backupStepMs: 1000 } });
	const uc = emulator.ucloud;
	const HOUR = 3600000;
	const DAY = 24 * HOUR;
	const call = (action: string, params: Record<string, unknown> = {}) => ucloud(uc, action, params);
	const list = async (params: Record<string, unknown> = {}): Promise<Json[]> => (await call('DescribeURedisBackup', { Limit: 100, ...params })).DataSet;

	beforeAll(async () => {
		await emulator.start();
		uc.addInstance({ groupId: 'uredis-life01', region: 'cn-bj2', zone: 'cn-bj2-03', name: 'life-cycle' });
		uc.addInstance({ groupId: 'uredis-sh0001', region: 'cn-sh2', name: 'shanghai' });
	});
	afterAll(() => emulator.stop());
	afterEach(() => {
		uc.faults.clear();
		uc.nextBackupOutcomes.length = 0;
		clock.set(T0);
		Object.assign(uc.settings, { backupTypeFormat: 'string', groupIdRequired: false, manualBackupLimit: null });
	});

	describe('the seed and DescribeURedisBackup', () => {
		it('uredis-demo01 has 20 backups over the last days, one Error and one Expired; uredis-demo02 has 4', async () => {
			const demo = await list({ GroupId: DEMO });
			expect(demo).toHaveLength(20);
			expect(demo.filter((b) => b.State === 'Error')).toHaveLength(1);
			expect(demo.filter((b) => b.State === 'Expired')).toHaveLength(1);
			expect(demo.filter((b) => b.State === 'Success')).toHaveLength(18);
			expect(new Set(demo.map((b) => b.BackupType))).toEqual(new Set(['Manual', 'Auto']));
			for (const b of demo) {
				expect(b).toEqual({
					BackupId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
					Zone: ZONE,
					GroupId: DEMO,
					GroupName: 'demo-cache',
					BackupName: expect.stringMatching(/^[A-Za-z0-9_-]{6,63}$/),
					BackupTime: expect.any(Number),
					BackupSize: b.State === 'Error' ? 0 : expect.any(Number),
					BackupType: expect.stringMatching(/^(Manual|Auto)$/),
					State: expect.stringMatching(/^(Success|Error|Expired)$/),
					MemorySize: 4,
					RedisVersion: '5.0',
				});
				// UNIX seconds, within the last 9 days.
				expect(b.BackupTime).toBeGreaterThan((T0 - 9 * DAY) / 1000);
				expect(b.BackupTime).toBeLessThan(T0 / 1000);
			}
			// Newest first.
			const times = demo.map((b) => b.BackupTime);
			expect([...times].sort((a, b) => b - a)).toEqual(times);
			expect(await list({ GroupId: DEMO2 })).toHaveLength(4);
			// Without GroupId: every backup of the region (the older page); a group in another region is not listed.
			expect((await call('DescribeURedisBackup')).TotalCount).toBe(24);
		});

		it('pages with Offset (default 0) and Limit (default 10); TotalCount counts every match', async () => {
			const first = await call('DescribeURedisBackup', { GroupId: DEMO });
			expect(first).toMatchObject({ Action: 'DescribeURedisBackupResponse', RetCode: 0, TotalCount: 20 });
			expect(first.DataSet).toHaveLength(10);
			const ids: string[] = [];
			for (let offset = 0; offset < 20; offset += 7) {
				const page = await call('DescribeURedisBackup', { GroupId: DEMO, Offset: offset, Limit: 7 });
				expect(page.TotalCount).toBe(20);
				ids.push(...page.DataSet.map((b: Json) => b.BackupId));
			}
			expect(ids).toEqual((await list({ GroupId: DEMO })).map((b) => b.BackupId));
			expect((await call('DescribeURedisBackup', { GroupId: DEMO, Offset: 40 })).DataSet).toEqual([]);
			for (const bad of [{ Limit: 0 }, { Limit: -1 }, { Offset: 'x' }, { Limit: 2.5 }]) {
				expect(await call('DescribeURedisBackup', { GroupId: DEMO, ...bad })).toMatchObject({ RetCode: 230, Message: expect.stringMatching(/^Params \[(Limit|Offset)\] not available/) });
			}
		});

		it('filters: GroupId, BackupId, Zone; no time or state filter exists; Region is required and must exist', async () => {
			const one = (await list({ GroupId: DEMO }))[3];
			expect(await list({ BackupId: one.BackupId })).toEqual([one]);
			expect(await list({ GroupId: DEMO2, BackupId: one.BackupId })).toEqual([]);
			expect(await list({ GroupId: 'uredis-nope' })).toEqual([]);
			expect((await list({ Zone: 'cn-bj2-05' })).every((b) => b.GroupId === DEMO2)).toBe(true);
			// Unknown parameters (a state or time filter) are ignored, as the API has none.
			expect(await list({ GroupId: DEMO, State: 'Error', BeginTime: 0 })).toHaveLength(20);
			expect(await call('DescribeURedisBackup', { Region: undefined })).toMatchObject({ RetCode: 230, Message: 'Missing params [Region]' });
			expect((await call('DescribeURedisBackup', { Region: 'cn-nowhere' })).RetCode).toBe(230);
			expect((await call('DescribeURedisBackup', { Zone: 'cn-sh2-01' })).Message).toMatch(/Zone/);
			expect((await call('DescribeURedisBackup', { Region: 'cn-sh2' })).TotalCount).toBe(0);
			uc.settings.groupIdRequired = true;
			expect(await call('DescribeURedisBackup')).toMatchObject({ RetCode: 230, Message: 'Missing params [GroupId]' });
		});

		it('BackupType "Manual"/"Auto" by default, 1/0 with backupTypeFormat "number" (the seed sample)', async () => {
			uc.settings.backupTypeFormat = 'number';
			const demo = await list({ GroupId: DEMO });
			expect(new Set(demo.map((b) => b.BackupType))).toEqual(new Set([0, 1]));
			expect(demo.filter((b) => b.BackupName.startsWith('manual_')).every((b) => b.BackupType === 1)).toBe(true);
		});

		it('wireBackup is the DataSet entry', async () => {
			const [first] = await list({ GroupId: DEMO });
			expect(uc.wireBackup(first.BackupId)).toEqual(first);
		});
	});

	describe('CreateURedisBackup and the backup life cycle', () => {
		it('validates BackupName as documented: 6 to 63 letters, digits, - and _', async () => {
			for (const name of ['short', 'a'.repeat(64), 'with space', 'dot.name', '中文备份名称呀', 'slash/name1']) {
				const res = await call('CreateURedisBackup', { GroupId: 'uredis-life01', BackupName: name });
				expect(res).toMatchObject({ Action: 'CreateURedisBackupResponse', RetCode: 230, Message: expect.stringContaining('BackupName') });
			}
			expect((await call('CreateURedisBackup', { GroupId: 'uredis-life01' })).Message).toBe('Missing params [BackupName]');
			expect((await call('CreateURedisBackup', { BackupName: 'abcdef' })).Message).toBe('Missing params [GroupId]');
			expect((await call('CreateURedisBackup', { GroupId: 'uredis-nope', BackupName: 'abcdef' })).Message).toMatch(/^Params \[GroupId\]/);
			expect((await call('CreateURedisBackup', { GroupId: 'uredis-sh0001', BackupName: 'abcdef' })).RetCode).toBe(230);
			expect((await call('CreateURedisBackup', { GroupId: 'uredis-life01', BackupName: 'abcdef', Zone: 'cn-bj2-04' })).Message).toMatch(/^Params \[Zone\]/);
		});

		it('Backuping -> Success after three backupStepMs on the emulator clock; the file and URL appear then', async () => {
			const created = await call('CreateURedisBackup', { GroupId: 'uredis-life01', Zone: 'cn-bj2-03', BackupName: 'manual-0_A-63' });
			expect(created).toEqual({ Action: 'CreateURedisBackupResponse', RetCode: 0, BackupId: expect.any(String) });
			const id = created.BackupId as string;
			const [running] = await list({ BackupId: id });
			expect(running).toMatchObject({ State: 'Backuping', BackupSize: 0, BackupType: 'Manual', BackupName: 'manual-0_A-63', BackupTime: T0 / 1000 });
			// Nothing to download yet; a second backup of the same group is refused while this one runs.
			expect(await call('DescribeURedisBackupURL', { BackupId: id })).toMatchObject({ RetCode: 20202 });
			expect(await call('CreateURedisBackup', { GroupId: 'uredis-life01', BackupName: 'second' })).toMatchObject({
				RetCode: 20203,
				Message: expect.stringContaining('in progress'),
			});
			clock.advance(UCLOUD_BACKUP_STEPS * 1000 - 1);
			expect((await list({ BackupId: id }))[0].State).toBe('Backuping');
			clock.advance(1);
			const [done] = await list({ BackupId: id });
			expect(done).toMatchObject({ State: 'Success', BackupSize: 2 * 1048576, BackupTime: T0 / 1000 });
			const urls = await call('DescribeURedisBackupURL', { BackupId: id, GroupId: 'uredis-life01' });
			expect(urls.RetCode).toBe(0);
			expect((await download(urls.BackupPath, { method: 'HEAD' })).headers['content-length']).toBe(String(2 * 1048576));
		});

		it('nextBackupOutcomes: "error" ends the next backup in State Error (BackupSize 0, no URL)', async () => {
			uc.addInstance({ groupId: 'uredis-fail01', region: 'cn-bj2', name: 'fails' });
			uc.nextBackupOutcomes.push('error');
			const { BackupId: id } = await call('CreateURedisBackup', { GroupId: 'uredis-fail01', BackupName: 'will-fail' });
			clock.advance(UCLOUD_BACKUP_STEPS * 1000);
			expect((await list({ BackupId: id }))[0]).toMatchObject({ State: 'Error', BackupSize: 0 });
			expect((await call('DescribeURedisBackupURL', { BackupId: id })).RetCode).toBe(20202);
			// The next one succeeds again.
			const { BackupId: next } = await call('CreateURedisBackup', { GroupId: 'uredis-fail01', BackupName: 'will-work' });
			clock.advance(UCLOUD_BACKUP_STEPS * 1000);
			expect((await list({ BackupId: next }))[0].State).toBe('Success');
		});

		it('a group that is not Running: 20203; the manual backup limit: 20208', async () => {
			uc.addInstance({ groupId: 'uredis-state1', region: 'cn-bj2' });
			uc.setInstanceState('uredis-state1', 'Resizing');
			expect(await call('CreateURedisBackup', { GroupId: 'uredis-state1', BackupName: 'abcdef' })).toMatchObject({
				RetCode: 20203,
				Message: expect.stringContaining('Resizing'),
			});
			uc.setInstanceState('uredis-state1', 'Running');
			uc.settings.manualBackupLimit = 1;
			expect((await call('CreateURedisBackup', { GroupId: 'uredis-state1', BackupName: 'abcdef' })).RetCode).toBe(0);
			clock.advance(UCLOUD_BACKUP_STEPS * 1000);
			expect((await call('CreateURedisBackup', { GroupId: 'uredis-state1', BackupName: 'ghijkl' })).RetCode).toBe(20208);
		});

		it('store helpers: startBackup, failBackup, addBackup in every state, retention of Auto backups', async () => {
			uc.addInstance({ groupId: 'uredis-help01', region: 'cn-bj2' });
			const started = uc.startBackup({ groupId: 'uredis-help01', name: 'helper', durationMs: 5000 });
			clock.advance(4999);
			expect(uc.wireBackup(started.backupId).State).toBe('Backuping');
			uc.failBackup(started.backupId);
			expect(uc.wireBackup(started.backupId)).toMatchObject({ State: 'Error', BackupSize: 0 });
			const states = ['Backuping', 'Success', 'Error', 'Expired'] as const;
			for (const state of states) {
				const b = uc.addBackup({ groupId: 'uredis-help01', startMs: clock.now(), state, sizeBytes: 1000 });
				expect(uc.wireBackup(b.backupId).State).toBe(state);
			}
			// Auto backups become Expired 7 days after they started; their file goes with it.
			const auto = uc.addBackup({ groupId: 'uredis-help01', startMs: clock.now() - 7 * DAY + HOUR, type: 'Auto', sizeBytes: 100 });
			const url = (await call('DescribeURedisBackupURL', { BackupId: auto.backupId })).BackupPath;
			clock.advance(HOUR);
			expect(uc.wireBackup(auto.backupId)).toMatchObject({ State: 'Expired', BackupSize: 100 });
			expect(await call('DescribeURedisBackupURL', { BackupId: auto.backupId })).toMatchObject({ RetCode: 20202, Message: expect.stringContaining('Expired') });
			const gone = await download(url);
			expect(gone.status).toBe(404);
			expect(JSON.parse(gone.body.toString())).toEqual({ RetCode: -148654, ErrMsg: 'file not exist' });
		});
	});

	describe('DescribeURedisBackupURL and DescribeURedisGroup', () => {
		it('BackupURL (deprecated, with the sample\'s trailing newline), BackupPath, InnerBackupPath; errors', async () => {
			const [b] = (await list({ GroupId: DEMO })).filter((x) => x.State === 'Success');
			const res = await call('DescribeURedisBackupURL', { BackupId: b.BackupId, Zone: ZONE, RegionFlag: false });
			expect(res).toEqual({
				Action: 'DescribeURedisBackupURLResponse',
				RetCode: 0,
				BackupURL: `${res.BackupPath}\n`,
				BackupPath: expect.stringMatching(new RegExp(`^${uc.endpoint}/ufile/umembackup-9001/${DEMO}/[^?]+-${b.BackupId}\\?UCloudPublicKey=.+&Signature=.+&Expires=\\d+$`)),
				InnerBackupPath: res.BackupPath.replace('/ufile/', '/ufile-internal/'),
			});
			uc.settings.backupUrlTrailingNewline = false;
			expect((await call('DescribeURedisBackupURL', { BackupId: b.BackupId })).BackupURL).not.toMatch(/\n$/);
			uc.settings.backupUrlTrailingNewline = true;
			expect((await call('DescribeURedisBackupURL', { BackupId: b.BackupId, GroupId: DEMO2 })).RetCode).toBe(230);
			expect(await call('DescribeURedisBackupURL', { BackupId: 'nope' })).toMatchObject({ RetCode: 230, Message: expect.stringMatching(/^Params \[BackupId\]/) });
			expect((await call('DescribeURedisBackupURL', {})).Message).toBe('Missing params [BackupId]');
			expect((await call('DescribeURedisBackupURL', { BackupId: b.BackupId, RegionFlag: 'yes' })).Message).toMatch(/RegionFlag/);
			const failed = (await list({ GroupId: DEMO })).find((x) => x.State === 'Error');
			expect((await call('DescribeURedisBackupURL', { BackupId: failed.BackupId })).RetCode).toBe(20202);
			expect(uc.wireBackupUrl(b.BackupId)).toMatchObject({ BackupPath: expect.stringContaining(b.BackupId) });
		});

		it('DescribeURedisGroup: the documented fields, Limit default 20, GroupId and Zone filters', async () => {
			const all = await call('DescribeURedisGroup');
			expect(all).toMatchObject({ Action: 'DescribeURedisGroupResponse', RetCode: 0 });
			expect(all.TotalCount).toBe(all.DataSet.length);
			const demo = (await call('DescribeURedisGroup', { GroupId: DEMO })).DataSet;
			expect(demo).toEqual([uc.wireInstance(DEMO)]);
			expect(demo[0]).toMatchObject({
				GroupId: DEMO,
				Name: 'demo-cache',
				Zone: ZONE,
				State: 'Running',
				Size: 4,
				Protocol: 'redis',
				Version: '5.0',
				Type: 'double',
				CreateTime: expect.any(Number),
				ExpireTime: expect.any(Number),
				Port: 6379,
			});
			for (let i = 0; i < 25; i++) uc.addInstance({ groupId: `uredis-many${String(i).padStart(2, '0')}`, region: 'hk', zone: i < 5 ? 'hk-02' : 'hk-03' });
			const page = await call('DescribeURedisGroup', { Region: 'hk' });
			expect(page.DataSet).toHaveLength(20);
			expect(page.TotalCount).toBe(25);
			const rest = (await call('DescribeURedisGroup', { Region: 'hk', Offset: 20 })).DataSet;
			expect([...page.DataSet, ...rest].map((g: Json) => g.GroupId)).toHaveLength(25);
			expect((await call('DescribeURedisGroup', { Region: 'hk', Zone: 'hk-02' })).TotalCount).toBe(5);
			expect((await call('DescribeURedisGroup', { Region: 'cn-sh2' })).DataSet.map((g: Json) => g.GroupId)).toEqual(['uredis-sh0001']);
			expect((await call('DescribeURedisGroup', { GroupId: 'uredis-nope' })).DataSet).toEqual([]);
		});
	});

	describe('API faults (HTTP 200 JSON unless a status is given)', () => {
		it('throttle: RetCode 153, then the next call succeeds; logged with action, code and fault', async () => {
			uc.faults.push({ kind: 'throttle', action: 'DescribeURedisBackup' });
			expect(await call('DescribeURedisGroup')).toMatchObject({ RetCode: 0 });
			expect(await call('DescribeURedisBackup')).toEqual({ Action: 'DescribeURedisBackupResponse', RetCode: 153, Message: 'API request is rate limited' });
			expect(uc.requests.at(-1)).toMatchObject({ action: 'DescribeURedisBackup', status: 200, code: '153', fault: 'throttle' });
			expect((await call('DescribeURedisBackup')).RetCode).toBe(0);
		});

		it('serverError: RetCode 150 with HTTP 200, or the status the fault gives', async () => {
			uc.faults.push({ kind: 'serverError' });
			expect((await call('DescribeURedisGroup')).RetCode).toBe(150);
			uc.faults.push({ kind: 'serverError', status: 502 });
			const res = await ucloudCall(uc, { action: 'DescribeURedisGroup' });
			expect(res.status).toBe(502);
			expect(res.json()).toMatchObject({ RetCode: 150 });
		});

		it('error: a catalogue RetCode brings its message; times and action are honoured', async () => {
			uc.faults.push({ kind: 'error', action: 'CreateURedisBackup', code: '20203', times: 2 });
			for (let i = 0; i < 2; i++) {
				const res = await call('CreateURedisBackup', { GroupId: DEMO2, BackupName: 'faulted' });
				expect(res).toMatchObject({ RetCode: 20203, Message: expect.stringContaining('创建失败') });
			}
			expect(uc.faults.pending()).toEqual([]);
			uc.faults.push({ kind: 'error', code: '172' });
			expect(await call('DescribeURedisGroup')).toMatchObject({ RetCode: 172, Message: 'User not exist' });
			uc.faults.push({ kind: 'error', code: '11111', message: 'custom' });
			expect(await call('DescribeURedisGroup')).toMatchObject({ RetCode: 11111, Message: 'custom' });
		});

		it('answer: the body verbatim after a good signature; a bad signature still fails', async () => {
			const body = { Action: 'DescribeURedisBackupResponse', RetCode: 0, TotalCount: 1, DataSet: [null] };
			uc.faults.push({ kind: 'answer', action: 'DescribeURedisBackup', body });
			expect(await call('DescribeURedisBackup')).toEqual(body);
			expect(uc.requests.at(-1)).toMatchObject({ code: '0', fault: 'answer' });
			uc.faults.push({ kind: 'answer', body });
			expect((await ucloud(uc, 'DescribeURedisGroup', {}, { privateKey: 'wrong' })).RetCode).toBe(171);
			expect(uc.faults.pending()).toEqual([]);
		});

		it('malformedJson, reset, silent, delayMs', async () => {
			uc.faults.push({ kind: 'malformedJson' });
			const cut = await ucloudCall(uc, { action: 'DescribeURedisGroup' });
			expect(cut.status).toBe(200);
			expect(() => cut.json()).toThrow();
			uc.faults.push({ kind: 'reset', rst: true });
			await expect(ucloudCall(uc, { action: 'DescribeURedisGroup' })).rejects.toThrow(/ECONNRESET/);
			uc.faults.push({ kind: 'reset' });
			await expect(ucloudCall(uc, { action: 'DescribeURedisGroup' })).rejects.toThrow(/socket hang up|ECONNRESET/);
			expect(uc.requests.at(-1)).toMatchObject({ action: 'DescribeURedisGroup', status: 0, fault: 'reset' });
			uc.faults.push({ kind: 'silent' });
			const silent = await new Promise<string>((resolve) => {
				const req = request(`${uc.endpoint}/`, { method: 'POST', timeout: 200 }, () => resolve('answered'));
				req.on('timeout', () => {
					req.destroy();
					resolve('timed out');
				});
				req.on('error', () => resolve('error'));
				req.end('{}');
			});
			expect(silent).toBe('timed out');
			expect(uc.requests.at(-1)).toMatchObject({ status: 0, fault: 'silent' });
			uc.faults.push({ kind: 'throttle', delayMs: 150 });
			const started = Date.now();
			await call('DescribeURedisGroup');
			expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		});
	});
});
