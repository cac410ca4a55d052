import { existsSync, readFileSync } from 'node:fs';
import { MalformedAnswerError } from '../../nodes/common/errors';
import { join } from 'node:path';

import { BACKUP_MODES, BACKUP_STATUSES } from '../../nodes/common/model';
import {
	BACKUP_MODE,
	CLUSTER_FILE_STATUS,
	CLUSTER_SET_STATUS,
	STANDARD_BACKUP_STATUS,
	TASK_ACTION_MODE,
	TASK_STATUS,
	alibabaTime,
	listOf,
	normalizeBackupTask,
	normalizeClusterBackupSet,
	normalizeCreatedTask,
	normalizeStandardBackup,
	urlExpiry,
	type AlibabaContext,
} from '../../nodes/AlibabaCloudRedis/normalize';

const context: AlibabaContext = { region: 'cn-huhehaote', instanceId: 'r-t4nj72oug5r5646qog' };

/** The sample success response of DescribeClusterBackupList, copied verbatim from seed 000_5195313813c753b8. */
const CLUSTER_BACKUP_LIST_SAMPLE = `{
  "RequestId": "C009DA42-3B19-5B81-963D-1509DE2408DD",
  "MaxResults": 4,
  "PageNumber": 1,
  "PageSize": 30,
  "FullStorageSize": 1000,
  "LogStorageSize": 5000,
  "FreeSize": 100000,
  "ClusterBackups": [
    {
      "IsAvail": 1,
      "ClusterBackupId": "cb-zmdqj2m3xyxjtdt0",
      "ClusterBackupStatus": "OK",
      "ClusterBackupSize": "2048",
      "ClusterBackupStartTime": "2024-01-10T17:21:25Z",
      "ClusterBackupEndTime": "2024-01-10T17:21:55Z",
      "ClusterBackupMode": "Automated",
      "ShardClassMemory": 1024,
      "Backups": [
        {
          "BackupId": "514645788",
          "InstanceName": "hins100322105_data_20240108012127.rdb",
          "BackupDownloadURL": "http://rdsbakbucket-huhehaote-v2.oss-cn-huhehaote.aliyuncs.com/custins424747958/hins100322105_data_20240110012135.rdb",
          "BackupIntranetDownloadURL": "http://rdsbakbucket-huhehaote-v2.oss-cn-huhehaote-internal.aliyuncs.com/custins424747958/hins100322105_data_20240110012135.rdb",
          "BackupStartTime": "2024-01-09T17:21:30Z",
          "BackupEndTime": "2024-01-09T17:21:57",
          "BackupSize": "1024",
          "IsAvail": "1",
          "BackupStatus": "OK",
          "BackupName": "hins100322105_data_20240110012135.rdb",
          "Engine": "redis",
          "ExtraInfo": {
            "CustinsDbVersion": "5.0"
          }
        }
      ],
      "Progress": "100%"
    }
  ]
}`;

/** The sample success response of DescribeBackupTasks, copied verbatim from seed 004_f812c2aa4fed04f1. */
const BACKUP_TASKS_SAMPLE = `{
  "InstanceId": "r-bp1zxszhcgatnx****",
  "RequestId": "BB73740C-23E2-4392-9DA4-2660C74C****",
  "BackupJobs": [
    {
      "StartTime": "2021-01-05T19:24:00Z",
      "Process": "0",
      "JobMode": "Manual",
      "BackupJobID": 8491111,
      "BackupProgressStatus": "Automated",
      "NodeId": "****",
      "TaskAction": "NormalBackupTask"
    }
  ],
  "AccessDeniedDetail": {
    "AuthAction": "",
    "AuthPrincipalDisplayName": "",
    "AuthPrincipalOwnerId": "",
    "AuthPrincipalType": "",
    "EncodedDiagnosticMessage": "",
    "NoPermissionType": "",
    "PolicyType": ""
  }
}`;

type Raw = Record<string, unknown>;
const parse = (json: string) => JSON.parse(json) as Raw;

/**
 * The JSON sample of a seed page (between "JSONformat" and "Error codes"), when the team's shared/ folder is checked
 * out beside this repository (as in CI).
 */
function seedSample(file: string): Raw | undefined {
	const path = join(__dirname, '..', '..', '..', 'shared', 'seeds', file);
	if (!existsSync(path)) return undefined;
	const text = readFileSync(path, 'utf8');
	const start = text.indexOf('{', text.indexOf('JSONformat'));
	const end = text.lastIndexOf('}', text.indexOf('Error codes', start));
	return JSON.parse(text.slice(start, end + 1)) as Raw;
}

describe('the embedded samples', () => {
	it.each([
		['000_5195313813c753b8.txt', CLUSTER_BACKUP_LIST_SAMPLE],
		['004_f812c2aa4fed04f1.txt', BACKUP_TASKS_SAMPLE],
	])('match the seed page %s when it is available', (file, sample) => {
		const seed = seedSample(file);
		if (seed === undefined) return;
		expect(parse(sample)).toEqual(seed);
	});
});

// ---------------------------------------------------------------------------------------------------------------
// The documented values, written out here independently of the tables in normalize.ts.
// ---------------------------------------------------------------------------------------------------------------

const DOCUMENTED = {
	STANDARD_BACKUP_STATUS: { Success: 'succeeded', Failed: 'failed', Running: 'running' },
	CLUSTER_SET_STATUS: { OK: 'succeeded', RUNNING: 'running', Failed: 'failed' },
	CLUSTER_FILE_STATUS: { OK: 'succeeded', ERROR: 'failed' },
	TASK_STATUS: {
		NoStart: 'pending',
		Preparing: 'running',
		Waiting: 'pending',
		Uploading: 'running',
		Checking: 'running',
		Finished: 'succeeded',
	},
	BACKUP_MODE: { Automated: 'automatic', Manual: 'manual' },
	TASK_ACTION_MODE: { TempBackupTask: 'manual', NormalBackupTask: 'automatic' },
} as const;

const TABLES = { STANDARD_BACKUP_STATUS, CLUSTER_SET_STATUS, CLUSTER_FILE_STATUS, TASK_STATUS, BACKUP_MODE, TASK_ACTION_MODE };
const STATUS_TABLES = ['STANDARD_BACKUP_STATUS', 'CLUSTER_SET_STATUS', 'CLUSTER_FILE_STATUS', 'TASK_STATUS'] as const;
const MODE_TABLES = ['BACKUP_MODE', 'TASK_ACTION_MODE'] as const;

const entries = <T extends Record<string, string>>(table: T) => Object.entries(table) as Array<[string, string]>;

/** Values no table documents, including ones that would hit Object.prototype with a naive lookup. */
const UNDOCUMENTED = ['Automated', 'SUCCESS', 'ok', 'Pending', 'toString', 'constructor', '__proto__', 'hasOwnProperty'];

describe('the mapping tables', () => {
	it.each(Object.keys(DOCUMENTED) as Array<keyof typeof DOCUMENTED>)('%s maps every documented value, and only those', (name) => {
		expect(TABLES[name]).toEqual(DOCUMENTED[name]);
	});

	it.each(STATUS_TABLES)('%s maps into BACKUP_STATUSES', (name) => {
		for (const [, status] of entries(TABLES[name])) expect(BACKUP_STATUSES).toContain(status);
	});

	it.each(MODE_TABLES)('%s maps into BACKUP_MODES', (name) => {
		for (const [, mode] of entries(TABLES[name])) expect(BACKUP_MODES).toContain(mode);
	});
});

// ---------------------------------------------------------------------------------------------------------------
// Every documented value, through the normalizers.
// ---------------------------------------------------------------------------------------------------------------

const clusterSet = (overrides: Raw = {}, shard: Raw = {}): Raw => ({
	ClusterBackupId: 'cb-1',
	ClusterBackupStatus: 'OK',
	ClusterBackupMode: 'Manual',
	Backups: [{ BackupId: '1', BackupStatus: 'OK', BackupSize: '10', ...shard }],
	...overrides,
});

describe('statuses and modes through the normalizers', () => {
	it.each(entries(DOCUMENTED.STANDARD_BACKUP_STATUS))('DescribeBackups BackupStatus %s -> %s', (value, status) => {
		const backup = normalizeStandardBackup({ BackupId: 1, BackupStatus: value }, context);
		expect(backup.status).toBe(status);
		expect(backup.providerStatus).toBe(value);
		expect(backup.files[0].status).toBe(status);
		expect(backup.files[0].providerStatus).toBe(value);
	});

	it.each(entries(DOCUMENTED.CLUSTER_SET_STATUS))('ClusterBackupStatus %s -> %s', (value, status) => {
		const backup = normalizeClusterBackupSet(clusterSet({ ClusterBackupStatus: value }), context);
		expect(backup.status).toBe(status);
		expect(backup.providerStatus).toBe(value);
	});

	it.each(entries(DOCUMENTED.CLUSTER_FILE_STATUS))('shard BackupStatus %s -> %s', (value, status) => {
		const backup = normalizeClusterBackupSet(clusterSet({}, { BackupStatus: value }), context);
		expect(backup.files[0].status).toBe(status);
		expect(backup.files[0].providerStatus).toBe(value);
	});

	it.each(entries(DOCUMENTED.TASK_STATUS))('BackupProgressStatus %s -> %s', (value, status) => {
		const task = normalizeBackupTask({ BackupJobID: 1, BackupProgressStatus: value }, context);
		expect(task.status).toBe(status);
		expect(task.providerStatus).toBe(value);
	});

	it.each(entries(DOCUMENTED.BACKUP_MODE))('BackupMode / ClusterBackupMode / JobMode %s -> %s', (value, mode) => {
		const standard = normalizeStandardBackup({ BackupId: 1, BackupMode: value }, context);
		const cluster = normalizeClusterBackupSet(clusterSet({ ClusterBackupMode: value }), context);
		const task = normalizeBackupTask({ BackupJobID: 1, JobMode: value }, context);
		for (const record of [standard, cluster, task]) {
			expect(record.mode).toBe(mode);
			expect(record.providerMode).toBe(value);
		}
	});

	it.each(entries(DOCUMENTED.TASK_ACTION_MODE))('TaskAction %s -> %s when JobMode is absent', (value, mode) => {
		const task = normalizeBackupTask({ BackupJobID: 1, TaskAction: value }, context);
		expect(task.mode).toBe(mode);
		expect(task.providerMode).toBe(value);
	});

	describe.each(UNDOCUMENTED.filter((value) => value !== 'Automated').concat(['Unheard']))('undocumented value %p', (value) => {
		it("maps to 'unknown' and keeps the raw value", () => {
			const standard = normalizeStandardBackup({ BackupId: 1, BackupStatus: value, BackupMode: value }, context);
			expect(standard).toMatchObject({ status: 'unknown', providerStatus: value, mode: 'unknown', providerMode: value });
			expect(standard.files[0]).toMatchObject({ status: 'unknown', providerStatus: value });

			const cluster = normalizeClusterBackupSet(
				clusterSet({ ClusterBackupStatus: value, ClusterBackupMode: value }, { BackupStatus: value }),
				context,
			);
			expect(cluster).toMatchObject({ status: 'unknown', providerStatus: value, mode: 'unknown', providerMode: value });
			expect(cluster.files[0]).toMatchObject({ status: 'unknown', providerStatus: value });

			const task = normalizeBackupTask({ BackupJobID: 1, BackupProgressStatus: value, JobMode: value }, context);
			expect(task).toMatchObject({ status: 'unknown', providerStatus: value, mode: 'unknown', providerMode: value });

			const byAction = normalizeBackupTask({ BackupJobID: 1, TaskAction: value }, context);
			expect(byAction).toMatchObject({ mode: 'unknown', providerMode: value });
		});
	});

	it("maps the other tables' values to 'unknown' where they do not belong", () => {
		// 'Success' is a standard backup status, not a cluster one; 'Finished' is a task status only.
		expect(normalizeClusterBackupSet(clusterSet({ ClusterBackupStatus: 'Success' }), context).status).toBe('unknown');
		expect(normalizeStandardBackup({ BackupId: 1, BackupStatus: 'OK' }, context).status).toBe('unknown');
		expect(normalizeStandardBackup({ BackupId: 1, BackupStatus: 'Finished' }, context).status).toBe('unknown');
		expect(normalizeClusterBackupSet(clusterSet({}, { BackupStatus: 'Failed' }), context).files[0].status).toBe('unknown');
	});

	it('missing, empty and non-string values are unknown with providerStatus/providerMode null', () => {
		for (const value of [undefined, null, '', '   ', true, { x: 1 }]) {
			const standard = normalizeStandardBackup({ BackupId: 1, BackupStatus: value, BackupMode: value }, context);
			expect(standard).toMatchObject({ status: 'unknown', providerStatus: null, mode: 'unknown', providerMode: null });
			const task = normalizeBackupTask({ BackupJobID: 1, BackupProgressStatus: value }, context);
			expect(task).toMatchObject({ status: 'unknown', providerStatus: null, mode: 'unknown', providerMode: null });
		}
	});

	it('a numeric status is unknown but kept as text', () => {
		const task = normalizeBackupTask({ BackupJobID: 1, BackupProgressStatus: 3 }, context);
		expect(task).toMatchObject({ status: 'unknown', providerStatus: '3' });
	});
});

// ---------------------------------------------------------------------------------------------------------------
// The seed samples.
// ---------------------------------------------------------------------------------------------------------------

describe('normalizeClusterBackupSet on the DescribeClusterBackupList sample', () => {
	const response = parse(CLUSTER_BACKUP_LIST_SAMPLE);
	const [record] = listOf(response.ClusterBackups, 'ClusterBackup');
	const backup = normalizeClusterBackupSet(record, context);

	it('maps the backup set', () => {
		expect(backup).toEqual({
			kind: 'backup',
			provider: 'alibaba',
			region: 'cn-huhehaote',
			instanceId: 'r-t4nj72oug5r5646qog',
			backupId: 'cb-zmdqj2m3xyxjtdt0',
			status: 'succeeded',
			providerStatus: 'OK',
			mode: 'automatic',
			providerMode: 'Automated',
			startedAt: '2024-01-10T17:21:25Z',
			finishedAt: '2024-01-10T17:21:55Z',
			sizeBytes: 2048,
			files: [
				{
					name: 'hins100322105_data_20240110012135.rdb',
					fileId: '514645788',
					nodeId: 'hins100322105_data_20240108012127.rdb',
					status: 'succeeded',
					providerStatus: 'OK',
					sizeBytes: 1024,
					downloadUrl:
						'http://rdsbakbucket-huhehaote-v2.oss-cn-huhehaote.aliyuncs.com/custins424747958/hins100322105_data_20240110012135.rdb',
					internalDownloadUrl:
						'http://rdsbakbucket-huhehaote-v2.oss-cn-huhehaote-internal.aliyuncs.com/custins424747958/hins100322105_data_20240110012135.rdb',
					expiresAt: null,
				},
			],
			taskId: null,
			locked: null,
			remark: null,
			raw: record,
		});
	});

	it('turns sizes sent as strings into numbers of bytes', () => {
		expect(typeof backup.sizeBytes).toBe('number');
		expect(backup.sizeBytes).toBe(2048);
		expect(backup.files[0].sizeBytes).toBe(1024);
	});

	it('has one file per shard', () => {
		const twoShards = normalizeClusterBackupSet(
			{
				...record,
				Backups: [
					...(record.Backups as Raw[]),
					{ BackupId: '514645789', BackupStatus: 'ERROR', BackupSize: '4096', BackupDownloadURL: 'http://b.example.com/x/shard-2.rdb' },
				],
			},
			context,
		);
		expect(twoShards.files.map((file) => [file.fileId, file.status, file.sizeBytes, file.name])).toEqual([
			['514645788', 'succeeded', 1024, 'hins100322105_data_20240110012135.rdb'],
			['514645789', 'failed', 4096, 'shard-2.rdb'],
		]);
		expect(twoShards.sizeBytes).toBe(2048);
	});

	it('reads a BackupEndTime without Z as UTC with Z', () => {
		const shard = (record.Backups as Raw[])[0];
		expect(shard.BackupEndTime).toBe('2024-01-09T17:21:57');
		expect(alibabaTime(shard.BackupEndTime)).toBe('2024-01-09T17:21:57Z');
		const withoutZ = normalizeClusterBackupSet(
			{ ...record, ClusterBackupStartTime: '2024-01-09T17:21:30', ClusterBackupEndTime: shard.BackupEndTime },
			context,
		);
		expect(withoutZ.startedAt).toBe('2024-01-09T17:21:30Z');
		expect(withoutZ.finishedAt).toBe('2024-01-09T17:21:57Z');
	});

	it('keeps the record untouched in raw, deep-equal to the input', () => {
		expect(backup.raw).toBe(record);
		expect(backup.raw).toEqual((parse(CLUSTER_BACKUP_LIST_SAMPLE).ClusterBackups as Raw[])[0]);
		expect(response).toEqual(parse(CLUSTER_BACKUP_LIST_SAMPLE));
	});

	it('sums the shard sizes when the set size is missing, and is unknown if a shard is unsized', () => {
		const shards = [
			{ BackupId: '1', BackupSize: '1024' },
			{ BackupId: '2', BackupSize: 3072 },
		];
		expect(normalizeClusterBackupSet({ ClusterBackupId: 'cb', Backups: shards }, context).sizeBytes).toBe(4096);
		expect(
			normalizeClusterBackupSet({ ClusterBackupId: 'cb', Backups: [...shards, { BackupId: '3' }] }, context).sizeBytes,
		).toBeNull();
		expect(normalizeClusterBackupSet({ ClusterBackupId: 'cb', ClusterBackupSize: '', Backups: [] }, context).sizeBytes).toBeNull();
	});

	it('names a shard file from its URL when BackupName is missing, then from the internal URL', () => {
		const set = normalizeClusterBackupSet(
			{
				ClusterBackupId: 'cb',
				Backups: [
					{ BackupId: '1', BackupDownloadURL: 'http://a.example.com/d/one.rdb?Expires=1' },
					{ BackupId: '2', BackupIntranetDownloadURL: 'http://a-internal.example.com/d/two.rdb' },
					{ BackupId: '3' },
				],
			},
			context,
		);
		// Nothing to name the third by: a safe name made of the instance and the shard's backup ID.
		expect(set.files.map((file) => file.name)).toEqual(['one.rdb', 'two.rdb', 'r-t4nj72oug5r5646qog_3.rdb']);
	});

	it('never uses a BackupName from the cloud as a path: base name only, unsafe characters replaced', () => {
		const set = normalizeClusterBackupSet(
			{
				ClusterBackupId: 'cb',
				Backups: [
					{ BackupId: '1', BackupName: '../../.ssh/authorized_keys' },
					{ BackupId: '2', BackupName: 'a\\b:*.rdb' },
					{ BackupId: '3', BackupName: '分片 1.rdb' },
					{ BackupId: '4', BackupName: '..', BackupDownloadURL: 'http://a.example.com/d/four.rdb?Expires=1' },
					{ BackupId: '5', BackupName: '/' },
				],
			},
			context,
		);
		expect(set.files.map((file) => file.name)).toEqual([
			'authorized_keys',
			'b__.rdb',
			'___1.rdb',
			'four.rdb',
			'r-t4nj72oug5r5646qog_5.rdb',
		]);
	});

	it('tolerates a record without Backups', () => {
		const set = normalizeClusterBackupSet({ ClusterBackupId: 'cb-x' }, context);
		expect(set).toMatchObject({ backupId: 'cb-x', files: [], sizeBytes: null, startedAt: null, finishedAt: null, status: 'unknown' });
	});

	it('refuses a record without its ClusterBackupId: a set that cannot be named is a malformed answer, never an empty ID', () => {
		expect(() => normalizeClusterBackupSet({}, context)).toThrow(MalformedAnswerError);
		expect(() => normalizeClusterBackupSet({ ClusterBackupId: '' }, context)).toThrow(/no ClusterBackupId/);
	});

	it('a set reported OK with a shard whose own status is ERROR is failed (it cannot be restored)', () => {
		const set = normalizeClusterBackupSet(
			{
				ClusterBackupId: 'cb-x',
				ClusterBackupStatus: 'OK',
				Backups: [
					{ BackupId: '1', BackupStatus: 'OK', InstanceName: 'r-x-db-0' },
					{ BackupId: '2', BackupStatus: 'ERROR', InstanceName: 'r-x-db-1' },
				],
			},
			context,
		);
		expect(set).toMatchObject({ status: 'failed', providerStatus: 'OK' });
		expect(set.files.map((file) => file.status)).toEqual(['succeeded', 'failed']);
	});
});

describe('normalizeBackupTask on the DescribeBackupTasks sample', () => {
	const response = parse(BACKUP_TASKS_SAMPLE);
	const [job] = listOf(response.BackupJobs, 'BackupJob');
	const taskContext: AlibabaContext = { region: 'cn-hangzhou', instanceId: 'r-bp1zxszhcgatnx****' };
	const task = normalizeBackupTask(job, taskContext);

	it('maps the task', () => {
		expect(task).toEqual({
			kind: 'backupTask',
			provider: 'alibaba',
			region: 'cn-hangzhou',
			instanceId: 'r-bp1zxszhcgatnx****',
			taskId: '8491111',
			// The sample's "Automated" is not a documented BackupProgressStatus.
			status: 'unknown',
			providerStatus: 'Automated',
			progressPercent: 0,
			// JobMode "Manual" wins over TaskAction "NormalBackupTask".
			mode: 'manual',
			providerMode: 'Manual',
			startedAt: '2021-01-05T19:24:00Z',
			nodeId: '****',
			raw: job,
		});
	});

	it('keeps the job untouched', () => {
		expect(job).toEqual((parse(BACKUP_TASKS_SAMPLE).BackupJobs as Raw[])[0]);
	});

	it('prefers the InstanceId of the record over the context', () => {
		expect(normalizeBackupTask({ ...job, InstanceId: 'r-other' }, taskContext).instanceId).toBe('r-other');
	});

	it('falls back to TaskAction when JobMode is absent', () => {
		const { JobMode: _omitted, ...withoutJobMode } = job;
		expect(_omitted).toBe('Manual');
		expect(normalizeBackupTask(withoutJobMode, taskContext)).toMatchObject({ mode: 'automatic', providerMode: 'NormalBackupTask' });
	});

	it('falls back to TaskAction when JobMode is empty, keeping mode and providerMode consistent', () => {
		expect(normalizeBackupTask({ ...job, JobMode: '' }, taskContext)).toMatchObject({
			mode: 'automatic',
			providerMode: 'NormalBackupTask',
		});
	});

	it('does not fall back to TaskAction when JobMode is an unknown value', () => {
		expect(normalizeBackupTask({ ...job, JobMode: 'Scheduled' }, taskContext)).toMatchObject({
			mode: 'unknown',
			providerMode: 'Scheduled',
		});
	});

	it.each([
		['45', 45],
		['45%', 45],
		[100, 100],
		['', null],
		[undefined, null],
		['n/a', null],
	])('reads Process %p as progress %p', (process, expected) => {
		expect(normalizeBackupTask({ ...job, Process: process }, taskContext).progressPercent).toBe(expected);
	});

	it('reads a zone-less StartTime as UTC and a missing one as null', () => {
		expect(normalizeBackupTask({ ...job, StartTime: '2021-01-05T19:24:00' }, taskContext).startedAt).toBe('2021-01-05T19:24:00Z');
		expect(normalizeBackupTask({ ...job, StartTime: undefined }, taskContext).startedAt).toBeNull();
	});

	it('refuses a row without BackupJobID: a malformed answer, never a task with an empty ID', () => {
		expect(() => normalizeBackupTask({}, taskContext)).toThrow(MalformedAnswerError);
		expect(() => normalizeBackupTask({ BackupJobID: null }, taskContext)).toThrow(/no BackupJobID/);
	});
});

describe('normalizeStandardBackup on a DescribeBackups record', () => {
	const expires = 1704900000; // 2024-01-10T15:20:00Z
	const record: Raw = {
		BackupId: 1162928001,
		BackupJobID: 8491111,
		BackupStatus: 'Success',
		BackupMode: 'Manual',
		BackupStartTime: '2024-01-10T01:21:27Z',
		BackupEndTime: '2024-01-10T01:22:05Z',
		BackupSize: 4194304,
		NodeInstanceId: 'r-bp1zxszhcgatnx-db-0',
		BackupDownloadURL: `http://rdsbak-hz.oss-cn-hangzhou.aliyuncs.com/custins1/hins100322105_data_20240110012135.rdb?OSSAccessKeyId=LTAI&Expires=${expires}&Signature=abc%3D`,
		BackupIntranetDownloadURL: `http://rdsbak-hz.oss-cn-hangzhou-internal.aliyuncs.com/custins1/hins100322105_data_20240110012135.rdb?OSSAccessKeyId=LTAI&Expires=${expires + 3600}&Signature=def%3D`,
		BackupType: 'FullBackup',
		BackupMethod: 'Physical',
		EngineVersion: '5.0',
		BackupDBNames: '0',
	};
	const snapshot = JSON.parse(JSON.stringify(record)) as Raw;
	const backup = normalizeStandardBackup(record, { region: 'cn-hangzhou', instanceId: 'r-bp1zxszhcgatnx' });

	it('maps the backup and its one file', () => {
		expect(backup).toEqual({
			kind: 'backup',
			provider: 'alibaba',
			region: 'cn-hangzhou',
			instanceId: 'r-bp1zxszhcgatnx',
			backupId: '1162928001',
			status: 'succeeded',
			providerStatus: 'Success',
			mode: 'manual',
			providerMode: 'Manual',
			startedAt: '2024-01-10T01:21:27Z',
			finishedAt: '2024-01-10T01:22:05Z',
			sizeBytes: 4194304,
			files: [
				{
					name: 'hins100322105_data_20240110012135.rdb',
					fileId: '1162928001',
					nodeId: 'r-bp1zxszhcgatnx-db-0',
					status: 'succeeded',
					providerStatus: 'Success',
					sizeBytes: 4194304,
					downloadUrl: record.BackupDownloadURL,
					internalDownloadUrl: record.BackupIntranetDownloadURL,
					// The earlier of the two URLs' Expires.
					expiresAt: '2024-01-10T15:20:00Z',
				},
			],
			taskId: '8491111',
			locked: null,
			remark: null,
			raw: record,
		});
	});

	it('leaves the record untouched', () => {
		expect(backup.raw).toBe(record);
		expect(record).toEqual(snapshot);
	});

	it('takes the expiry of whichever URL has one', () => {
		const onlyInternal = normalizeStandardBackup(
			{ ...record, BackupDownloadURL: 'http://a.example.com/x.rdb' },
			{ region: null, instanceId: 'r-1' },
		);
		expect(onlyInternal.files[0].expiresAt).toBe('2024-01-10T16:20:00Z');
	});

	it('makes up a file name from the instance and backup IDs when there is no URL', () => {
		const backupWithoutUrl = normalizeStandardBackup(
			{ BackupId: 42, BackupStatus: 'Running', BackupDownloadURL: '', BackupIntranetDownloadURL: '' },
			{ region: null, instanceId: 'r-1' },
		);
		expect(backupWithoutUrl.files[0]).toMatchObject({
			name: 'r-1_42.rdb',
			downloadUrl: null,
			internalDownloadUrl: null,
			expiresAt: null,
		});
		expect(backupWithoutUrl).toMatchObject({ status: 'running', sizeBytes: null, taskId: null, region: null });
	});

	it('reads a size sent as a string and ignores a negative one', () => {
		expect(normalizeStandardBackup({ ...record, BackupSize: '2048' }, context).sizeBytes).toBe(2048);
		expect(normalizeStandardBackup({ ...record, BackupSize: -1 }, context).sizeBytes).toBeNull();
	});
});

describe('normalizeCreatedTask', () => {
	it('is a pending manual task with the returned job ID', () => {
		const raw = { RequestId: 'R', BackupJobID: 10001, InstanceId: 'r-x' };
		expect(normalizeCreatedTask(raw, context)).toEqual({
			kind: 'backupTask',
			provider: 'alibaba',
			region: 'cn-huhehaote',
			instanceId: 'r-t4nj72oug5r5646qog',
			taskId: '10001',
			status: 'pending',
			providerStatus: null,
			progressPercent: null,
			mode: 'manual',
			providerMode: 'Manual',
			startedAt: null,
			nodeId: null,
			raw,
		});
	});
});

describe('urlExpiry', () => {
	it('reads the OSS Expires parameter (UNIX seconds) as UTC', () => {
		expect(urlExpiry('http://bucket.oss-cn-hangzhou.aliyuncs.com/a.rdb?OSSAccessKeyId=x&Expires=1704900000&Signature=y')).toBe(
			'2024-01-10T15:20:00Z',
		);
	});

	it.each([
		['null', null],
		['empty', ''],
		['no query', 'http://bucket.oss-cn-hangzhou.aliyuncs.com/a.rdb'],
		['no Expires', 'http://bucket.oss-cn-hangzhou.aliyuncs.com/a.rdb?Signature=y'],
		['empty Expires', 'http://bucket.oss-cn-hangzhou.aliyuncs.com/a.rdb?Expires='],
		['non-numeric Expires', 'http://bucket.oss-cn-hangzhou.aliyuncs.com/a.rdb?Expires=soon'],
		['zero Expires', 'http://bucket.oss-cn-hangzhou.aliyuncs.com/a.rdb?Expires=0'],
		['lower-case name', 'http://bucket.oss-cn-hangzhou.aliyuncs.com/a.rdb?expires=1704900000'],
		['not a URL', 'a.rdb?Expires=1704900000'],
	])('is null for %s', (_label, url) => {
		expect(urlExpiry(url)).toBeNull();
	});
});

describe('listOf', () => {
	const backups = [{ BackupId: 1 }, { BackupId: 2 }];

	it('unwraps `{Backups: {Backup: [...]}}`', () => {
		expect(listOf({ Backup: backups }, 'Backup')).toBe(backups);
		const body = { Backups: { Backup: backups } };
		expect(listOf(body.Backups, 'Backup')).toEqual([{ BackupId: 1 }, { BackupId: 2 }]);
	});

	it('accepts a plain array', () => {
		expect(listOf(backups, 'Backup')).toBe(backups);
		expect(listOf([], 'Backup')).toEqual([]);
	});

	it.each([
		['undefined', undefined],
		['null', null],
		['the wrong element name', { KVStoreInstance: backups }],
		['an empty wrapper', {}],
	])('is empty for %s', (_label, value) => {
		expect(listOf(value, 'Backup')).toEqual([]);
	});

	it.each([
		['a string', 'Backup'],
		['a wrapper whose element is not an array', { Backup: { BackupId: 1 } }],
		['a null entry', [{ BackupId: 1 }, null]],
		['a string entry', ['1162928001']],
		['an array entry', [[{ BackupId: 1 }]]],
	])('is a malformed answer for %s, never a silently shorter list', (_label, value) => {
		expect(() => listOf(value, 'Backup')).toThrow(MalformedAnswerError);
	});
});

describe('normalizeBackupTask JobMode edge cases', () => {
	it('a numeric JobMode is kept as providerMode and gives unknown, not the TaskAction mode', () => {
		expect(normalizeBackupTask({ BackupJobID: 1, JobMode: 1, TaskAction: 'TempBackupTask' }, context)).toMatchObject({
			mode: 'unknown',
			providerMode: '1',
		});
	});

	it('a blank JobMode falls back to TaskAction', () => {
		expect(normalizeBackupTask({ BackupJobID: 1, JobMode: '  ', TaskAction: 'TempBackupTask' }, context)).toMatchObject({
			mode: 'manual',
			providerMode: 'TempBackupTask',
		});
	});
});

describe('file names of standard backups are safe', () => {
	it('an encoded traversal in the download URL gives only the base name', () => {
		const backup = normalizeStandardBackup(
			{ BackupId: 7, BackupDownloadURL: 'https://bucket.example.com/x/..%2F..%2F.ssh%2Fauthorized_keys?Expires=1' },
			context,
		);
		expect(backup.files[0].name).toBe('authorized_keys');
	});

	it('a URL whose name has nothing usable falls back to instance and backup ID', () => {
		const backup = normalizeStandardBackup({ BackupId: 7, BackupDownloadURL: 'https://bucket.example.com/x/%2E%2E' }, context);
		expect(backup.files[0].name).toBe('r-t4nj72oug5r5646qog_7.rdb');
	});
});
