/**
 * UCloud URedis records -> the one model: every documented State and BackupType value (the words and the numbers),
 * BackupTime in UNIX seconds (milliseconds refused as malformed), sizes in bytes, the download-URL answer (BackupPath,
 * the deprecated BackupURL with its trailing newline, InnerBackupPath, UFile's Expires), the create answer, the
 * instance picker's labels, and malformed answers.
 */
import { MalformedAnswerError } from '../../nodes/common/errors';
import type { Backup } from '../../nodes/common/model';
import {
	BACKUP_STATE,
	BACKUP_TYPE_MODE,
	backupAsTask,
	backupSetOf,
	groupChoice,
	listOf,
	normalizeBackup,
	normalizeBackupUrl,
	normalizeCreatedBackup,
	totalOf,
	ucloudTime,
	urlExpiry,
} from '../../nodes/UCloudRedis/normalize';

const context = { region: 'cn-bj2', instanceId: 'uredis-2cwmyb' };

/** The first record of the DescribeURedisBackup page's sample answer. */
const SAMPLE = {
	BackupId: '24149c99-4df6-4b5a-99b4-8ab1ca2d7aaa',
	BackupName: 'backup-test',
	BackupSize: 1024,
	BackupTime: 1403249482,
	BackupType: 1,
	GroupId: 'uredis-2cwmyb',
	GroupName: 'uredis-one',
	State: 'Success',
};

describe('normalizeBackup', () => {
	it('reads the sample record of the API page', () => {
		expect(normalizeBackup(SAMPLE, context)).toEqual({
			kind: 'backup',
			provider: 'ucloud',
			region: 'cn-bj2',
			instanceId: 'uredis-2cwmyb',
			backupId: '24149c99-4df6-4b5a-99b4-8ab1ca2d7aaa',
			status: 'succeeded',
			providerStatus: 'Success',
			mode: 'manual',
			providerMode: '1',
			startedAt: '2014-06-20T07:31:22Z',
			finishedAt: null,
			sizeBytes: 1024,
			files: [],
			taskId: '24149c99-4df6-4b5a-99b4-8ab1ca2d7aaa',
			locked: null,
			remark: 'backup-test',
			raw: SAMPLE,
		});
	});

	it.each([
		['Backuping', 'running'],
		['Success', 'succeeded'],
		['Error', 'failed'],
		['Expired', 'expired'],
	] as const)('State %s -> %s', (state, status) => {
		const backup = normalizeBackup({ ...SAMPLE, State: state }, context);
		expect(backup).toMatchObject({ status, providerStatus: state });
	});

	it('documents exactly the four states', () => {
		expect(Object.keys(BACKUP_STATE).sort()).toEqual(['Backuping', 'Error', 'Expired', 'Success']);
	});

	it.each([undefined, null, '', 'Deleting', 'success', 3])('an unknown State %p is unknown, kept raw', (state) => {
		const backup = normalizeBackup({ ...SAMPLE, State: state }, context);
		expect(backup.status).toBe('unknown');
		expect(backup.raw.State).toBe(state);
	});

	it.each([
		['Manual', 'manual', 'Manual'],
		['Auto', 'automatic', 'Auto'],
		['manual', 'manual', 'manual'],
		['auto', 'automatic', 'auto'],
		[1, 'manual', '1'],
		[0, 'automatic', '0'],
		['1', 'manual', '1'],
		['0', 'automatic', '0'],
		[' Manual ', 'manual', ' Manual '],
	] as const)('BackupType %p -> %s', (type, mode, providerMode) => {
		expect(normalizeBackup({ ...SAMPLE, BackupType: type }, context)).toMatchObject({ mode, providerMode });
	});

	it('covers every BackupType of the table', () => {
		expect(Object.keys(BACKUP_TYPE_MODE).sort()).toEqual(['0', '1', 'Auto', 'Manual', 'auto', 'manual']);
	});

	it.each([2, -1, 'Daily', undefined, true])('an unknown BackupType %p is unknown', (type) => {
		expect(normalizeBackup({ ...SAMPLE, BackupType: type }, context).mode).toBe('unknown');
	});

	it('reads BackupTime as UNIX seconds, also as a digit string; 0 or absent is not said', () => {
		expect(normalizeBackup({ ...SAMPLE, BackupTime: 1763607600 }, context).startedAt).toBe('2025-11-20T03:00:00Z');
		expect(normalizeBackup({ ...SAMPLE, BackupTime: '1763607600' }, context).startedAt).toBe('2025-11-20T03:00:00Z');
		expect(normalizeBackup({ ...SAMPLE, BackupTime: 0 }, context).startedAt).toBeNull();
		expect(normalizeBackup({ ...SAMPLE, BackupTime: undefined }, context).startedAt).toBeNull();
		expect(ucloudTime(1403249482)).toBe('2014-06-20T07:31:22Z');
	});

	it('refuses epoch milliseconds and non-times as a malformed answer', () => {
		expect(() => normalizeBackup({ ...SAMPLE, BackupTime: 1763607600000 }, context)).toThrow(MalformedAnswerError);
		expect(() => normalizeBackup({ ...SAMPLE, BackupTime: 1763607600000 }, context)).toThrow(/milliseconds where seconds are expected/);
		expect(() => normalizeBackup({ ...SAMPLE, BackupTime: 'yesterday' }, context)).toThrow(MalformedAnswerError);
		expect(() => normalizeBackup({ ...SAMPLE, BackupTime: {} }, context)).toThrow(MalformedAnswerError);
	});

	it('reads BackupSize as bytes, never 0 for what is not a size', () => {
		expect(normalizeBackup({ ...SAMPLE, BackupSize: 5_368_709_120 }, context).sizeBytes).toBe(5_368_709_120);
		expect(normalizeBackup({ ...SAMPLE, BackupSize: '2048' }, context).sizeBytes).toBe(2048);
		expect(normalizeBackup({ ...SAMPLE, BackupSize: 0 }, context).sizeBytes).toBe(0);
		for (const size of [undefined, null, -1, 1.5, '1 KB'])
			expect(normalizeBackup({ ...SAMPLE, BackupSize: size }, context).sizeBytes).toBeNull();
	});

	it('keeps the group the record names, else the one asked for', () => {
		expect(normalizeBackup({ ...SAMPLE, GroupId: 'uredis-other1' }, context).instanceId).toBe('uredis-other1');
		expect(normalizeBackup({ ...SAMPLE, GroupId: undefined }, context).instanceId).toBe('uredis-2cwmyb');
	});

	it.each([undefined, null, '', '  ', 42])('a record without a usable BackupId (%p) is malformed', (id) => {
		expect(() => normalizeBackup({ ...SAMPLE, BackupId: id }, context)).toThrow(MalformedAnswerError);
	});
});

describe('lists', () => {
	it('reads DataSet; absent or null is empty', () => {
		expect(backupSetOf({ DataSet: [SAMPLE] })).toEqual([SAMPLE]);
		expect(backupSetOf({})).toEqual([]);
		expect(backupSetOf({ DataSet: null })).toEqual([]);
	});

	it('refuses a DataSet that is not a list of records', () => {
		expect(() => backupSetOf({ DataSet: 'none' })).toThrow(/the DataSet list is "none"/);
		expect(() => backupSetOf({ DataSet: [SAMPLE, null] })).toThrow(/DataSet entry 1 is null, not a record/);
		expect(() => listOf([['x']], 'DataSet')).toThrow(MalformedAnswerError);
	});

	it('reads TotalCount as a count or null', () => {
		expect(totalOf(2)).toBe(2);
		expect(totalOf('7')).toBe(7);
		expect(totalOf(undefined)).toBeNull();
		expect(totalOf(-1)).toBeNull();
	});
});

describe('normalizeBackupUrl', () => {
	const backup: Backup = normalizeBackup(SAMPLE, context);
	const url = 'https://umem-backup.cn-bj.ufileos.com/uredis-2cwmyb/sgbf_uredis-2cwmyb-24149c99?UCloudPublicKey=k&Expires=1763611200&Signature=s%2Bx%3D';
	const inner = 'http://umem-backup.internal-cn-bj.ufileos.com/uredis-2cwmyb/sgbf_uredis-2cwmyb-24149c99?UCloudPublicKey=k&Expires=1763611200&Signature=s';

	it('takes BackupPath as the public URL and InnerBackupPath as the internal one, with their expiry', () => {
		expect(normalizeBackupUrl({ BackupPath: url, BackupURL: `${url}\n`, InnerBackupPath: inner }, backup)).toEqual({
			name: 'sgbf_uredis-2cwmyb-24149c99',
			fileId: null,
			nodeId: null,
			status: 'succeeded',
			providerStatus: 'Success',
			sizeBytes: 1024,
			downloadUrl: url,
			internalDownloadUrl: inner,
			expiresAt: '2025-11-20T04:00:00Z',
		});
	});

	it('falls back to the deprecated BackupURL, trimming the newline of the documented sample', () => {
		const file = normalizeBackupUrl({ BackupPath: 'KgVuXeBu', BackupURL: `${url}\n` }, backup);
		expect(file.downloadUrl).toBe(url);
		expect(file.internalDownloadUrl).toBeNull();
	});

	it('has no expiry for a URL without Expires', () => {
		expect(normalizeBackupUrl({ BackupPath: 'https://h.example/f.rdb' }, backup).expiresAt).toBeNull();
		expect(urlExpiry('https://h.example/f?Expires=soon')).toBeNull();
		expect(urlExpiry('https://h.example/f?Expires=1763611200000')).toBeNull();
	});

	it.each([{}, { BackupPath: '' }, { BackupPath: 'KgVuXeBu' }, { BackupURL: 'ftp://h/f' }, { BackupPath: 42 }])(
		'an answer without an http(s) URL (%p) is malformed',
		(answer) => {
			expect(() => normalizeBackupUrl(answer, backup)).toThrow(MalformedAnswerError);
			expect(() => normalizeBackupUrl(answer, backup)).toThrow(/no download URL/);
		},
	);
});

describe('jobs: the backup is the job', () => {
	it('a backup as a task row keeps its state and ID', () => {
		const running = normalizeBackup({ ...SAMPLE, State: 'Backuping' }, context);
		expect(backupAsTask(running)).toMatchObject({
			kind: 'backupTask',
			provider: 'ucloud',
			taskId: SAMPLE.BackupId,
			status: 'running',
			providerStatus: 'Backuping',
			progressPercent: null,
			mode: 'manual',
			startedAt: '2014-06-20T07:31:22Z',
		});
		expect(backupAsTask(normalizeBackup(SAMPLE, context)).progressPercent).toBe(100);
	});

	it('reads the create answer as the job of the new backup; one without BackupId is malformed', () => {
		expect(normalizeCreatedBackup({ Action: 'CreateURedisBackupResponse', RetCode: 0, BackupId: 'b-1' }, context)).toMatchObject({
			kind: 'backupTask',
			taskId: 'b-1',
			instanceId: 'uredis-2cwmyb',
			region: 'cn-bj2',
			status: 'running',
			mode: 'manual',
		});
		expect(() => normalizeCreatedBackup({ RetCode: 0 }, context)).toThrow(MalformedAnswerError);
		expect(() => normalizeCreatedBackup({ BackupId: '' }, context)).toThrow(/no BackupId/);
	});
});

describe('groupChoice', () => {
	it('labels a group by name, ID, zone, size and state', () => {
		expect(groupChoice({ GroupId: 'uredis-2cwmyb', Name: 'orders', Zone: 'cn-bj2-02', Size: 2, State: 'Running' })).toEqual({
			instanceId: 'uredis-2cwmyb',
			label: 'orders (uredis-2cwmyb, cn-bj2-02, 2 GB, Running)',
			variant: '',
			zone: 'cn-bj2-02',
		});
		expect(groupChoice({ GroupId: 'uredis-2cwmyb', GroupName: 'legacy-name' })?.label).toBe('legacy-name (uredis-2cwmyb)');
		expect(groupChoice({ GroupId: 'uredis-2cwmyb' })?.label).toBe('uredis-2cwmyb (uredis-2cwmyb)');
		expect(groupChoice({ Name: 'no id' })).toBeNull();
	});
});
