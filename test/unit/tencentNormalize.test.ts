import { DateTime } from 'luxon';

import { MalformedAnswerError } from '../../nodes/common/errors';
import { BACKUP_MODES, BACKUP_STATUSES, type Backup } from '../../nodes/common/model';
import {
	API3_URL_VALIDITY_MS,
	BACKUP_STATUS,
	BACKUP_TYPE_MODE,
	INVALID_FILE_STATUS,
	LEGACY_BACKUP_TYPE_MODE,
	LEGACY_URL_VALIDITY_MS,
	MANUAL_BACKUP_TYPE,
	TASK_STATUS,
	TASK_TYPE_MODE,
	backupSetOf,
	beijingRange,
	beijingTime,
	cosUrlExpiry,
	legacyBackupSetOf,
	listOf,
	normalizeBackup,
	normalizeBackupUrls,
	normalizeCreatedTask,
	normalizeLegacyBackup,
	normalizeLegacyUrls,
	normalizeTask,
	requireTaskId,
	tencentTime,
	totalOf,
	type TencentContext,
} from '../../nodes/TencentCloudRedis/normalize';

const context: TencentContext = { region: 'ap-guangzhou', instanceId: 'crs-5a4py64p' };

/** The sample of DescribeInstanceBackups (seed 002), braces restored; the SDK names the list BackupSet. */
const API3_SAMPLE = {
	RequestId: '2d4387ee-2011-449e-a32b-87f9366f3ef4',
	TotalCount: 2,
	RedisBackupSet: [
		{ StartTime: '2018-09-04 12:51:21', BackupId: '2e4127f8-affe-11e8-941e-4846fb00c75d', BackupType: '0', Status: 2, Remark: 'For testing', Locked: 0 },
		{ StartTime: '2018-09-04 12:53:06', BackupId: '6cbbf53a-affe-11e8-905b-4846fb00c75d', BackupType: '0', Status: 2, Remark: 'xxx', Locked: 0 },
	],
};

/** The sample of the legacy GetRedisBackupList (seed 001), braces restored. */
const LEGACY_SAMPLE = {
	code: 0,
	message: '',
	codeDesc: 'Success',
	totalCount: 2,
	data: {
		redisBackupSet: [
			{ startTime: '2017-02-08 16:46:34', backupId: '19266626-eddb-11e6-890a-525400394272', backupType: 'manualBackupInstance', status: 2, remark: 'testAPI', locked: 0 },
			{ startTime: '2017-02-08 19:09:26', backupId: '0f87ffc6-edef-11e6-b88e-525400394272', backupType: 'systemBackupInstance', status: 2, remark: '', locked: 0 },
		],
	},
};

const record = (extra: Record<string, unknown> = {}) => ({
	StartTime: '2024-01-10 08:00:00',
	EndTime: '2024-01-10 08:01:30',
	BackupId: '641186639-8362913-1516672770',
	BackupType: '1',
	Status: 2,
	Remark: 'nightly',
	Locked: 0,
	BackupSize: 4096,
	InstanceId: 'crs-5a4py64p',
	...extra,
});

describe('documented enum values', () => {
	// Every documented backup status: RedisBackupSet.Status (SDK) and the API page's Status.N table (-2).
	it.each([
		[1, 'running'],
		[2, 'succeeded'],
		[3, 'succeeded'],
		[4, 'succeeded'],
		[-1, 'expired'],
		[-2, 'deleted'],
	] as const)('backup Status %p -> %s (API 3.0 and legacy)', (value, status) => {
		// A backup still being made has no end time (API 3.0) and no Locked flag (legacy).
		const unfinished = { Status: value, EndTime: '' };
		expect(normalizeBackup(record(unfinished), context).status).toBe(status);
		expect(normalizeBackup(record({ ...unfinished, Status: String(value) }), context).status).toBe(status);
		expect(normalizeBackup(record(unfinished), context).providerStatus).toBe(String(value));
		expect(normalizeLegacyBackup({ backupId: 'b', status: value, locked: 0 }, context).status).toBe(status);
	});

	it('Status 1 of a finished backup (locked by another process) is a good backup, not a running one', () => {
		expect(normalizeBackup(record({ Status: 1, EndTime: '2024-01-10 08:01:30', Locked: 1 }), context)).toMatchObject({
			status: 'succeeded',
			providerStatus: '1',
			locked: true,
			finishedAt: '2024-01-10T00:01:30Z',
		});
		expect(normalizeBackup(record({ Status: 1, EndTime: '' }), context).status).toBe('running');
		expect(normalizeLegacyBackup({ backupId: 'b', status: 1, locked: 1 }, context)).toMatchObject({ status: 'succeeded', locked: true });
		expect(normalizeLegacyBackup({ backupId: 'b', status: 1, locked: 0 }, context).status).toBe('running');
	});

	it('the status table is exactly the documented values', () => {
		expect(Object.keys(BACKUP_STATUS).sort()).toEqual(['-1', '-2', '1', '2', '3', '4']);
		for (const status of Object.values(BACKUP_STATUS)) expect(BACKUP_STATUSES).toContain(status);
	});

	it.each([
		['0', 'manual'],
		['1', 'automatic'],
		['2', 'automatic'],
	] as const)('BackupType %p -> %s', (value, mode) => {
		const backup = normalizeBackup(record({ BackupType: value }), context);
		expect(backup.mode).toBe(mode);
		expect(backup.providerMode).toBe(value);
		// Sent as a string (documented); a number is read the same.
		expect(normalizeBackup(record({ BackupType: Number(value) }), context).mode).toBe(mode);
	});

	it('a manual backup is BackupType "0"', () => {
		expect(MANUAL_BACKUP_TYPE).toBe('0');
		expect(Object.keys(BACKUP_TYPE_MODE).sort()).toEqual(['0', '1', '2']);
	});

	it.each([
		['manualBackupInstance', 'manual'],
		['systemBackupInstance', 'automatic'],
	] as const)('legacy backupType %s -> %s', (value, mode) => {
		const backup = normalizeLegacyBackup({ backupId: 'b', backupType: value, status: 2 }, context);
		expect(backup.mode).toBe(mode);
		expect(backup.providerMode).toBe(value);
		expect(Object.keys(LEGACY_BACKUP_TYPE_MODE)).toContain(value);
	});

	it.each([
		['preparing', 'pending'],
		['running', 'running'],
		['succeed', 'succeeded'],
		['failed', 'failed'],
		['error', 'failed'],
	] as const)('task Status %s -> %s', (value, status) => {
		const task = normalizeTask({ Status: value, StartTime: '2024-01-10 08:00:00', InstanceId: 'crs-5a4py64p' }, context, '7');
		expect(task.status).toBe(status);
		expect(task.providerStatus).toBe(value);
		expect(Object.keys(TASK_STATUS)).toContain(value);
	});

	it.each([
		['FLOW_BACKUPINSTANCE', 'manual'],
		['012', 'manual'],
		['备份实例', 'manual'],
		['FLOW_AUTOBACKUP', 'automatic'],
		['017', 'automatic'],
		['自动备份实例', 'automatic'],
	] as const)('task TaskType %s -> %s', (value, mode) => {
		expect(normalizeTask({ Status: 'running', TaskType: value }, context, '7').mode).toBe(mode);
		expect(Object.keys(TASK_TYPE_MODE)).toContain(value);
	});

	it('every table maps into the model vocabularies', () => {
		for (const mode of [...Object.values(BACKUP_TYPE_MODE), ...Object.values(LEGACY_BACKUP_TYPE_MODE), ...Object.values(TASK_TYPE_MODE)]) {
			expect(BACKUP_MODES).toContain(mode);
		}
		for (const status of Object.values(TASK_STATUS)) expect(BACKUP_STATUSES).toContain(status);
	});

	it('unknown values are "unknown", the raw value kept beside', () => {
		const backup = normalizeBackup(record({ Status: 9, BackupType: '7' }), context);
		expect(backup).toMatchObject({ status: 'unknown', providerStatus: '9', mode: 'unknown', providerMode: '7' });
		const task = normalizeTask({ Status: 'paused', TaskType: 'FLOW_RESIZE' }, context, '7');
		expect(task).toMatchObject({ status: 'unknown', providerStatus: 'paused', mode: 'unknown', providerMode: 'FLOW_RESIZE' });
		expect(normalizeLegacyBackup({ backupId: 'b', backupType: 'other', status: 7 }, context)).toMatchObject({ status: 'unknown', mode: 'unknown' });
	});
});

describe('Beijing time, both ways', () => {
	it('reads Tencent times as Beijing time (UTC+8) and writes UTC ISO-8601', () => {
		expect(tencentTime('2024-01-10 08:00:00')).toBe('2024-01-10T00:00:00Z');
		// Across midnight and the year: Beijing's 1 January 03:00 is 31 December 19:00 UTC.
		expect(tencentTime('2024-01-01 03:00:00')).toBe('2023-12-31T19:00:00Z');
		// No daylight saving in China: summer is UTC+8 as well.
		expect(tencentTime('2024-07-01 12:34:56')).toBe('2024-07-01T04:34:56Z');
	});

	it('writes request times in Beijing time, whatever zone the instant was given in', () => {
		expect(beijingTime(DateTime.fromISO('2024-01-10T00:00:00Z'))).toBe('2024-01-10 08:00:00');
		// A user in New York picks 2024-07-01 20:00 local (EDT, UTC-4): that is 08:00 next day in Beijing.
		expect(beijingTime(DateTime.fromISO('2024-07-01T20:00:00', { zone: 'America/New_York' }))).toBe('2024-07-02 08:00:00');
		expect(beijingTime(DateTime.fromISO('2023-12-31T19:00:00Z'))).toBe('2024-01-01 03:00:00');
	});

	it('round-trips: the instant a user picks is the instant Tencent filters on', () => {
		const picked = DateTime.fromISO('2024-03-05T17:45:12', { zone: 'Europe/Berlin' });
		expect(tencentTime(beijingTime(picked))).toBe(picked.toUTC().toISO({ suppressMilliseconds: true }));
	});

	it('widens a range to whole seconds (start down, end up) in Beijing time', () => {
		const range = beijingRange(DateTime.fromISO('2024-01-10T00:00:00.700Z'), DateTime.fromISO('2024-01-10T01:00:00.200Z'));
		expect(range).toEqual({ begin: '2024-01-10 08:00:00', end: '2024-01-10 09:00:01' });
		expect(beijingRange(DateTime.fromISO('2024-01-10T00:00:00Z'), DateTime.fromISO('2024-01-10T01:00:00Z'))).toEqual({
			begin: '2024-01-10 08:00:00',
			end: '2024-01-10 09:00:00',
		});
	});

	it('reads "not set" as null: empty, absent and the all-zero time', () => {
		expect(tencentTime('')).toBeNull();
		expect(tencentTime(undefined)).toBeNull();
		expect(tencentTime(null)).toBeNull();
		expect(tencentTime('0000-00-00 00:00:00')).toBeNull();
		expect(normalizeBackup(record({ EndTime: '' }), context).finishedAt).toBeNull();
	});

	it.each(['2024-13-45 25:61:00', '2024-02-30 10:00:00', 'yesterday', '10/01/2024 08:00'])('refuses the impossible time %p', (value) => {
		expect(() => tencentTime(value)).toThrow(MalformedAnswerError);
		expect(() => normalizeBackup(record({ StartTime: value }), context)).toThrow(MalformedAnswerError);
	});

	it('refuses epoch milliseconds where a time is expected', () => {
		expect(() => tencentTime(1704844800000)).toThrow(/not a plausible time/);
	});
});

describe('backup records', () => {
	it('normalizes a full DescribeInstanceBackups record', () => {
		const raw = record();
		expect(normalizeBackup(raw, context)).toEqual({
			kind: 'backup',
			provider: 'tencent',
			region: 'ap-guangzhou',
			instanceId: 'crs-5a4py64p',
			backupId: '641186639-8362913-1516672770',
			status: 'succeeded',
			providerStatus: '2',
			mode: 'automatic',
			providerMode: '1',
			startedAt: '2024-01-10T00:00:00Z',
			finishedAt: '2024-01-10T00:01:30Z',
			sizeBytes: 4096,
			files: [],
			taskId: null,
			locked: false,
			remark: 'nightly',
			raw,
		});
	});

	it('reads sizes as byte counts (numbers or digit strings); 0 (a backup being made) is unknown', () => {
		expect(normalizeBackup(record({ BackupSize: '1073741824' }), context).sizeBytes).toBe(1073741824);
		expect(normalizeBackup(record({ BackupSize: 0 }), context).sizeBytes).toBeNull();
		expect(normalizeBackup(record({ BackupSize: -5 }), context).sizeBytes).toBeNull();
		expect(normalizeBackup(record({ BackupSize: undefined }), context).sizeBytes).toBeNull();
	});

	it('reads Locked 0/1 as a boolean, anything else as unknown', () => {
		expect(normalizeBackup(record({ Locked: 1 }), context).locked).toBe(true);
		expect(normalizeBackup(record({ Locked: 0 }), context).locked).toBe(false);
		expect(normalizeBackup(record({ Locked: undefined }), context).locked).toBeNull();
	});

	it('reads the documented sample (list named RedisBackupSet there, BackupSet in the SDK)', () => {
		const items = backupSetOf(API3_SAMPLE).map((raw) => normalizeBackup(raw, context));
		expect(items.map((b) => [b.backupId, b.startedAt, b.mode, b.status, b.remark])).toEqual([
			['2e4127f8-affe-11e8-941e-4846fb00c75d', '2018-09-04T04:51:21Z', 'manual', 'succeeded', 'For testing'],
			['6cbbf53a-affe-11e8-905b-4846fb00c75d', '2018-09-04T04:53:06Z', 'manual', 'succeeded', 'xxx'],
		]);
		expect(backupSetOf({ BackupSet: [record()] })).toHaveLength(1);
		expect(backupSetOf({ TotalCount: 0 })).toEqual([]);
		expect(totalOf(API3_SAMPLE.TotalCount)).toBe(2);
	});

	it('reads the legacy sample into the same model', () => {
		const items = legacyBackupSetOf(LEGACY_SAMPLE).map((raw) => normalizeLegacyBackup(raw, context));
		expect(items[0]).toMatchObject({
			provider: 'tencent',
			backupId: '19266626-eddb-11e6-890a-525400394272',
			startedAt: '2017-02-08T08:46:34Z',
			mode: 'manual',
			providerMode: 'manualBackupInstance',
			status: 'succeeded',
			remark: 'testAPI',
			locked: false,
			files: [],
			finishedAt: null,
			sizeBytes: null,
		});
		expect(items[1]).toMatchObject({ mode: 'automatic', remark: null, startedAt: '2017-02-08T11:09:26Z' });
		expect(totalOf(LEGACY_SAMPLE.totalCount)).toBe(2);
		expect(legacyBackupSetOf({ code: 0 })).toEqual([]);
	});

	it('gives both APIs the same keys', () => {
		const api3 = normalizeBackup(record(), context);
		const legacy = normalizeLegacyBackup({ backupId: 'b', startTime: '2024-01-10 08:00:00', backupType: 'systemBackupInstance', status: 2, locked: 0 }, context);
		expect(Object.keys(legacy).sort()).toEqual(Object.keys(api3).sort());
	});
});

describe('malformed answers', () => {
	it.each([
		['a null entry', { BackupSet: [null, record()] }, /BackupSet entry 0 is null/],
		['a string entry', { BackupSet: ['x'] }, /not a record/],
		['a list that is not a list', { BackupSet: { a: 1 } }, /the BackupSet list/],
	])('a backup list with %s', (_label, response, message) => {
		expect(() => backupSetOf(response)).toThrow(MalformedAnswerError);
		expect(() => backupSetOf(response)).toThrow(message);
	});

	it.each([undefined, null, '', '  '])('a backup record without its BackupId (%p)', (id) => {
		expect(() => normalizeBackup(record({ BackupId: id }), context)).toThrow(MalformedAnswerError);
		expect(() => normalizeLegacyBackup({ backupId: id, status: 2 }, context)).toThrow(/has no backupId/);
	});

	it('a legacy answer whose data or list is not what is documented', () => {
		expect(() => legacyBackupSetOf({ data: 'x' })).toThrow(MalformedAnswerError);
		expect(() => legacyBackupSetOf({ data: { redisBackupSet: [null] } })).toThrow(MalformedAnswerError);
	});

	it.each([
		[undefined, /has no TaskId/],
		[null, /not a positive whole number/],
		[0, /not a positive whole number/],
		[-3, /not a positive whole number/],
		[1.5, /not a positive whole number/],
		['abc', /not a positive whole number/],
		['', /not a positive whole number/],
		[Number.MAX_SAFE_INTEGER + 2, /not a positive whole number/],
	])('a ManualBackupInstance answer with TaskId %p', (taskId, message) => {
		const response = taskId === undefined ? { RequestId: 'r' } : { TaskId: taskId, RequestId: 'r' };
		expect(() => normalizeCreatedTask(response, context)).toThrow(MalformedAnswerError);
		expect(() => normalizeCreatedTask(response, context)).toThrow(message);
	});

	it('a TaskId as a number or a digit string is the task ID', () => {
		expect(normalizeCreatedTask({ TaskId: 1210000 }, context)).toMatchObject({
			kind: 'backupTask',
			provider: 'tencent',
			taskId: '1210000',
			status: 'pending',
			mode: 'manual',
			instanceId: 'crs-5a4py64p',
			region: 'ap-guangzhou',
		});
		expect(requireTaskId('42')).toBe('42');
	});

	it('a DescribeTaskInfo answer without Status', () => {
		expect(() => normalizeTask({ StartTime: '2024-01-10 08:00:00' }, context, '7')).toThrow(/task 7 has no Status/);
	});

	it('listOf accepts absent lists as empty', () => {
		expect(listOf(undefined, 'X')).toEqual([]);
		expect(listOf(null, 'X')).toEqual([]);
	});
});

describe('tasks', () => {
	it('normalizes DescribeTaskInfo with the ID asked for and the instance it names', () => {
		const raw = { Status: 'succeed', StartTime: '2024-01-10 08:00:00', TaskType: 'FLOW_BACKUPINSTANCE', InstanceId: 'crs-5a4py64p', TaskMessage: '', RequestId: 'r' };
		expect(normalizeTask(raw, context, '1210000')).toEqual({
			kind: 'backupTask',
			provider: 'tencent',
			region: 'ap-guangzhou',
			instanceId: 'crs-5a4py64p',
			taskId: '1210000',
			status: 'succeeded',
			providerStatus: 'succeed',
			progressPercent: 100,
			mode: 'manual',
			providerMode: 'FLOW_BACKUPINSTANCE',
			startedAt: '2024-01-10T00:00:00Z',
			nodeId: null,
			raw,
		});
		expect(normalizeTask({ Status: 'running', InstanceId: 'crs-other123' }, context, '1').instanceId).toBe('crs-other123');
		expect(normalizeTask({ Status: 'preparing', StartTime: '0000-00-00 00:00:00' }, context, '1').startedAt).toBeNull();
	});
});

describe('download URLs', () => {
	const backup = normalizeBackup(record(), context) as Backup;
	const fetchedAt = Date.parse('2024-01-10T02:00:00Z');
	const cos = (key: string, signTime: string) =>
		`https://redis-backup-gz-1250000000.cos.ap-guangzhou.myqcloud.com/${key}?sign=${encodeURIComponent(`q-sign-algorithm=sha1&q-ak=AKIDx&q-sign-time=${signTime}&q-key-time=${signTime}&q-signature=abc`)}`;

	it('one file per BackupInfos entry: name, size, public and internal URL, expiry from the URL', () => {
		const files = normalizeBackupUrls(
			{
				BackupInfos: [
					{ FileName: 'crs-5a4py64p_0.rdb', FileSize: 1024, DownloadUrl: cos('a/0.rdb', '1704852000;1704873600'), InnerDownloadUrl: cos('a/0.rdb', '1704852000;1704873600').replace('.cos.', '.cos-internal.') },
					{ FileName: 'crs-5a4py64p_1.rdb', FileSize: '2048', DownloadUrl: cos('a/1.rdb', '1704852000;1704873600'), InnerDownloadUrl: '' },
				],
			},
			backup,
			fetchedAt,
		);
		expect(files).toHaveLength(2);
		expect(files[0]).toMatchObject({
			name: 'crs-5a4py64p_0.rdb',
			sizeBytes: 1024,
			status: 'succeeded',
			providerStatus: null,
			expiresAt: '2024-01-10T08:00:00Z',
			fileId: null,
			nodeId: null,
		});
		expect(files[0].internalDownloadUrl).toContain('.cos-internal.');
		expect(files[1]).toMatchObject({ name: 'crs-5a4py64p_1.rdb', sizeBytes: 2048, internalDownloadUrl: null });
	});

	it('a FileSize of 0 is "not valid": size unknown and the file failed', () => {
		const [file] = normalizeBackupUrls({ BackupInfos: [{ FileName: 'x.rdb', FileSize: 0, DownloadUrl: 'https://cos.example/x.rdb' }] }, backup, fetchedAt);
		expect(file).toMatchObject({ sizeBytes: null, status: 'failed', providerStatus: INVALID_FILE_STATUS });
	});

	it('without an expiry in the URL, the documented 6 hours from when the URLs were fetched', () => {
		const [file] = normalizeBackupUrls({ BackupInfos: [{ FileName: 'x.rdb', FileSize: 5, DownloadUrl: 'https://cos.example/x.rdb' }] }, backup, fetchedAt);
		expect(file.expiresAt).toBe(new Date(fetchedAt + API3_URL_VALIDITY_MS).toISOString().replace('.000', ''));
	});

	it('falls back to the deprecated parallel lists when BackupInfos is absent or empty', () => {
		const files = normalizeBackupUrls(
			{ BackupInfos: [], DownloadUrl: ['https://cos.example/a/0.rdb', 'https://cos.example/a/1.rdb'], InnerDownloadUrl: ['https://in.example/a/0.rdb'], Filenames: ['first.rdb'] },
			backup,
			fetchedAt,
		);
		expect(files.map((f) => [f.name, f.downloadUrl, f.internalDownloadUrl, f.sizeBytes])).toEqual([
			['first.rdb', 'https://cos.example/a/0.rdb', 'https://in.example/a/0.rdb', null],
			['1.rdb', 'https://cos.example/a/1.rdb', null, null],
		]);
	});

	it('never uses an unsafe file name', () => {
		const [file] = normalizeBackupUrls({ BackupInfos: [{ FileName: '../../.ssh/authorized_keys', FileSize: 5, DownloadUrl: 'https://cos.example/x' }] }, backup, fetchedAt);
		expect(file.name).toBe('authorized_keys');
	});

	it('refuses a BackupInfos entry that is not a record', () => {
		expect(() => normalizeBackupUrls({ BackupInfos: [null] }, backup, fetchedAt)).toThrow(MalformedAnswerError);
	});

	it('legacy GetBackupDownloadUrl: data.extranet and data.intranet, 12 hours', () => {
		const files = normalizeLegacyUrls({ code: 0, data: { extranet: 'https://cos.example/a/b.rdb', intranet: 'https://in.example/a/b.rdb' } }, backup, fetchedAt);
		expect(files).toEqual([
			expect.objectContaining({
				name: 'b.rdb',
				downloadUrl: 'https://cos.example/a/b.rdb',
				internalDownloadUrl: 'https://in.example/a/b.rdb',
				expiresAt: new Date(fetchedAt + LEGACY_URL_VALIDITY_MS).toISOString().replace('.000', ''),
			}),
		]);
		expect(normalizeLegacyUrls({ code: 0, data: { extranet: ['https://e/1', 'https://e/2'] } }, backup, fetchedAt)).toHaveLength(2);
		expect(normalizeLegacyUrls({ code: 0 }, backup, fetchedAt)).toEqual([]);
		expect(() => normalizeLegacyUrls({ code: 0, data: [] }, backup, fetchedAt)).toThrow(MalformedAnswerError);
	});

	it('cosUrlExpiry reads q-sign-time from the URL or from its sign parameter', () => {
		expect(cosUrlExpiry('https://b.cos.example/k?q-sign-algorithm=sha1&q-sign-time=1704852000%3B1704873600')).toBe('2024-01-10T08:00:00Z');
		expect(cosUrlExpiry(cos('k', '1704852000;1704873600'))).toBe('2024-01-10T08:00:00Z');
		expect(cosUrlExpiry('https://b.cos.example/k')).toBeNull();
		expect(cosUrlExpiry('not a url')).toBeNull();
		expect(cosUrlExpiry(null)).toBeNull();
	});
});
