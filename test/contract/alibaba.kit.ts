/**
 * Alibaba Cloud (ApsaraDB for Redis / Tair, R-KVStore 2015-01-01, backups on OSS) as a contract kit: its node and
 * credential, its emulator server, its seed instances, its actions and wire shapes. Reuses the workflow tests'
 * Alibaba fixture where it fits (instance locator, test credential, seed IDs).
 */
import { randomUUID } from 'node:crypto';
import type { INodeParameters } from 'n8n-workflow';

import { AlibabaCloudApi } from '../../credentials/AlibabaCloudApi.credentials';
import type { CloudEmulator, EmulatedFile } from '../../emulator';
import { isoSeconds } from '../../emulator/common/clock';
import { AlibabaCloudRedis } from '../../nodes/AlibabaCloudRedis/AlibabaCloudRedis.node';
import { alibabaNode } from '../../nodes/AlibabaCloudRedis/actions/shared';
import { describeKind } from '../../nodes/AlibabaCloudRedis/transport/client';
import {
	ALIBABA_NODE_TYPE,
	CLUSTER_ID,
	instanceRef,
	REGION,
	STANDARD_ID,
	testCredential,
} from '../workflows/alibabaFixture';
import type { BackupFixture, CloudKit, FileFixture, InstanceFixture } from './kit';

const standard: InstanceFixture = {
	variant: 'standard',
	instanceId: STANDARD_ID,
	region: REGION,
	parameters: { instanceId: instanceRef(STANDARD_ID), instanceType: 'standard' },
};

const cluster: InstanceFixture = {
	variant: 'cluster',
	instanceId: CLUSTER_ID,
	region: REGION,
	parameters: { instanceId: instanceRef(CLUSTER_ID), instanceType: 'cluster' },
};

/** Wait Until Finished polls every second (the node refuses faster polling) and gives up after a minute. */
const WAIT_OPTIONS = { pollIntervalSeconds: 1, maxPollIntervalSeconds: 1, maxWaitMinutes: 1 };

async function bytesOf(emulator: CloudEmulator, file: EmulatedFile): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of emulator.alibaba.fileStream(file.key)) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

async function fileFixture(emulator: CloudEmulator, file: EmulatedFile): Promise<FileFixture> {
	return {
		name: file.name,
		key: file.key,
		size: file.size,
		bytes: await bytesOf(emulator, file),
		crc64: await emulator.alibaba.fileCrc64(file.key),
		path: `/oss/${file.key}`,
		// The intranet URL: another path on the emulator, the same object.
		alternateUrl: emulator.alibaba.downloadUrls(file).internal,
	};
}

/** Merges `extra` into `base`, the Options collection key by key. */
function withExtra(base: INodeParameters, extra: INodeParameters = {}): INodeParameters {
	const options = { ...((base.options as INodeParameters | undefined) ?? {}), ...((extra.options as INodeParameters | undefined) ?? {}) };
	const merged: INodeParameters = { ...base, ...extra };
	if (Object.keys(options).length > 0) merged.options = options;
	return merged;
}

/** A DescribeBackups record as the API writes it (see emulator/alibaba/api.ts), with fresh presigned URLs. */
function standardRecord(emulator: CloudEmulator, backup: BackupFixture): Record<string, unknown> {
	const record = emulator.alibaba.store.backups.find((b) => String(b.backupId) === backup.backupId);
	if (!record?.file) throw new Error(`backup ${backup.backupId} is not a standard backup with a file`);
	const urls = emulator.alibaba.downloadUrls(record.file);
	return {
		BackupId: record.backupId,
		BackupJobID: record.jobId,
		BackupStartTime: isoSeconds(record.startMs),
		BackupEndTime: isoSeconds(record.endMs),
		BackupStatus: record.status,
		BackupSize: record.file.size,
		BackupDownloadURL: urls.public,
		BackupIntranetDownloadURL: urls.internal,
		NodeInstanceId: record.nodeInstanceId,
		BackupMode: record.mode,
		BackupType: 'FullBackup',
		BackupMethod: 'Physical',
		BackupDBNames: 'all',
	};
}

function backupList(records: unknown[]): Record<string, unknown> {
	return {
		RequestId: randomUUID().toUpperCase(),
		PageNumber: 1,
		PageSize: 30,
		TotalCount: records.length,
		Backups: { Backup: records },
	};
}

export const alibabaKit: CloudKit = {
	id: 'alibaba',
	label: 'Alibaba Cloud',

	node: { type: ALIBABA_NODE_TYPE, create: () => new AlibabaCloudRedis() },

	credential: {
		type: 'alibabaCloudApi',
		types: [new AlibabaCloudApi()],
		forEmulator: (emulator, overrides = {}) => testCredential(emulator, overrides),
		secretFields: ['accessKeySecret'],
		endpointOverride: (url) => ({ endpoint: url }),
	},

	emulator: {
		options: ({ taskStepMs }) => ({ alibabaSettings: taskStepMs === undefined ? {} : { taskStepMs } }),
		server: (emulator) => emulator.alibaba,
		reset: (emulator) => {
			emulator.alibaba.faults.clear();
			emulator.alibaba.nextTaskOutcomes.length = 0;
			emulator.alibaba.settings.clockSkewMs = 0;
			emulator.alibaba.settings.rangeRequests = 'standard';
		},
	},

	actions: {
		list: { standard: 'DescribeBackups', cluster: 'DescribeClusterBackupList' },
		create: 'CreateBackup',
		tasks: 'DescribeBackupTasks',
		download: 'Download',
	},

	listCarriesFiles: true,

	instances: { standard, cluster },

	addStandardBackup: async (emulator, sizeBytes) => {
		const record = emulator.alibaba.addBackup({
			instanceId: STANDARD_ID,
			startMs: emulator.alibaba.clock.now() - 3_600_000,
			sizeBytes,
		});
		return { instance: standard, backupId: String(record.backupId), files: [await fileFixture(emulator, record.file!)] };
	},

	addClusterBackup: async (emulator, shardSizes) => {
		const set = emulator.alibaba.addClusterBackupSet({
			instanceId: CLUSTER_ID,
			startMs: emulator.alibaba.clock.now() - 3_600_000,
			shardSizes,
		});
		const files: FileFixture[] = [];
		for (const shard of set.shards) files.push(await fileFixture(emulator, shard.file!));
		return { instance: cluster, backupId: set.clusterBackupId, files };
	},

	failShard: (emulator, backup, shard, options = {}) => {
		emulator.alibaba.failClusterShard(backup.backupId, shard, options);
	},

	startBackupTask: (emulator, instance) =>
		String(emulator.alibaba.startBackupTask({ instanceId: instance.instanceId }).jobId),

	taskIds: (emulator) => emulator.alibaba.store.tasks.map((task) => String(task.jobId)),

	setClockSkew: (emulator, ms) => {
		emulator.alibaba.settings.clockSkewMs = ms;
	},

	setRangeMode: (emulator, mode) => {
		emulator.alibaba.settings.rangeRequests = mode;
	},

	wrongState: {
		code: 'IncorrectDBInstanceState',
		httpStatus: 403,
		// The emulator's catalogue answers this code with Alibaba's 403 and message.
		fault: (action, times = 1) => ({ kind: 'error', action, code: 'IncorrectDBInstanceState', times }),
	},

	apiAdvice: describeKind,

	fuzz: {
		listWithNullEntry: (emulator, backup) => backupList([null, standardRecord(emulator, backup)]),
		listRecordWithoutId: (emulator, backup) => {
			const record = standardRecord(emulator, backup);
			delete record.BackupId;
			return backupList([record]);
		},
		listWithEpochMillis: (emulator, backup) => {
			const record = standardRecord(emulator, backup);
			record.BackupStartTime = Date.parse(String(record.BackupStartTime));
			return backupList([record]);
		},
		listWithFileSize: (emulator, backup, sizeBytes) =>
			backupList([{ ...standardRecord(emulator, backup), BackupSize: sizeBytes }]),
		createWithoutTaskId: () => ({ RequestId: randomUUID().toUpperCase() }),
	},

	params: {
		list: (instance, extra) => withExtra({ resource: 'backup', operation: 'list', ...instance.parameters }, extra),
		get: (backup, extra) =>
			withExtra({ resource: 'backup', operation: 'get', ...backup.instance.parameters, backupId: backup.backupId }, extra),
		getDownloadUrl: (backup, extra) =>
			withExtra(
				{ resource: 'backup', operation: 'getDownloadUrl', ...backup.instance.parameters, backupId: backup.backupId },
				extra,
			),
		download: (backup, extra) =>
			withExtra({ resource: 'backup', operation: 'download', ...backup.instance.parameters, backupId: backup.backupId }, extra),
		// Create has no Instance Type.
		create: (instance, extra) =>
			withExtra({ resource: 'backup', operation: 'create', instanceId: instance.parameters.instanceId }, extra),
		wait: (instance, taskId, extra) =>
			withExtra(
				{
					resource: 'backupTask',
					operation: 'waitUntilFinished',
					...instance.parameters,
					taskId,
					options: { ...WAIT_OPTIONS },
				},
				extra,
			),
	},

	instanceByExpression: (expression) => ({ instanceId: instanceRef(expression) }),
	invalidInstanceId: 'bad id',

	labels: { instance: 'Instance', taskId: 'Backup Job ID', retentionDays: 'Retention Period (Days)' },
	region: { parameter: 'region', label: 'Region' },
	retentionDays: alibabaNode.retentionDays,
};
