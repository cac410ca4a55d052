/**
 * Tencent Cloud (TencentDB for Redis, API 2018-04-12, backups on COS) as a contract kit: its node and credential,
 * its emulator server, its instances, its actions and wire shapes. Reuses the workflow tests' Tencent fixture where
 * it fits (instance locator, test credential, seed IDs).
 *
 * Where Tencent differs from the suite's first cloud:
 * - One list action for every instance (DescribeInstanceBackups); files, sizes and URLs come from DescribeBackupUrl
 *   (`actions.fileSizes`), so the "reported file size" fuzz answers that action.
 * - Errors, the wrong-state one included, are HTTP 200 with `Response.Error.Code`.
 * - The contract's cluster tests ask for backups with as many files as they pass sizes (two); the seeded cluster
 *   (crs-democls01) has three shards, so the kit adds a cluster instance of its own whose shard count follows the
 *   sizes asked for.
 * - Tencent refuses a request whose timestamp is more than 5 minutes off its clock (AuthFailure.SignatureExpire),
 *   so a working client can meet a larger disagreement only in the times Tencent reports. `setClockSkew` puts the
 *   skew on the times the cloud reports (backups, tasks, URL signing) and at most 4 minutes of it on the clock its
 *   API gateway judges signatures by.
 */
import { randomUUID } from 'node:crypto';
import type { INodeParameters } from 'n8n-workflow';

import { TencentCloudApi } from '../../credentials/TencentCloudApi.credentials';
import type { Clock, CloudEmulator, EmulatedFile } from '../../emulator';
import { TencentCloudRedis } from '../../nodes/TencentCloudRedis/TencentCloudRedis.node';
import { tencentNode } from '../../nodes/TencentCloudRedis/actions/shared';
import { describeKind } from '../../nodes/TencentCloudRedis/transport/client';
import { instanceRef, REGION, STANDARD_ID, TENCENT_NODE_TYPE, testCredential } from '../workflows/tencentFixture';
import type { BackupFixture, CloudKit, FileFixture, InstanceFixture } from './kit';

/** The kit's own cluster instance (the seeded one has three shards; the contract's cluster backups have two). */
export const CONTRACT_CLUSTER_ID = 'crs-contractcls';
const DEFAULT_CLUSTER_SHARDS = 2;

/** Tencent's signature window is ±5 minutes: the gateway's part of a skew stays within it. */
const GATEWAY_SKEW_LIMIT_MS = 4 * 60_000;

const standard: InstanceFixture = {
	variant: 'standard',
	instanceId: STANDARD_ID,
	region: REGION,
	parameters: { instanceId: instanceRef(STANDARD_ID) },
};

const cluster: InstanceFixture = {
	variant: 'cluster',
	instanceId: CONTRACT_CLUSTER_ID,
	region: REGION,
	parameters: { instanceId: instanceRef(CONTRACT_CLUSTER_ID) },
};

/** Wait Until Finished polls every second (the node refuses faster polling) and gives up after a minute. */
const WAIT_OPTIONS = { pollIntervalSeconds: 1, maxPollIntervalSeconds: 1, maxWaitMinutes: 1 };

/**
 * The host's clock shifted by `shiftMs`: the base of the emulator's clocks, so the times Tencent reports can run off
 * n8n's by more than its API gateway (which judges signatures by the host clock plus `settings.clockSkewMs`) allows.
 */
class ShiftedClock implements Clock {
	shiftMs = 0;

	now(): number {
		return Date.now() + this.shiftMs;
	}
}

function shiftedClockOf(emulator: CloudEmulator): ShiftedClock | undefined {
	const base = emulator.tencent.clock.base;
	return base instanceof ShiftedClock ? base : undefined;
}

/** The kit's cluster instance, with `shards` shards (added on first use). */
function ensureCluster(emulator: CloudEmulator, shards?: number): void {
	const existing = emulator.tencent.store.instance(CONTRACT_CLUSTER_ID);
	if (!existing) {
		emulator.tencent.addInstance({
			instanceId: CONTRACT_CLUSTER_ID,
			region: REGION,
			architecture: 'cluster',
			shards: shards ?? DEFAULT_CLUSTER_SHARDS,
			name: 'contract-cluster',
		});
	} else if (shards !== undefined) {
		existing.shards = shards;
	}
}

async function bytesOf(emulator: CloudEmulator, file: EmulatedFile): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of emulator.tencent.fileStream(file.key)) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

async function fileFixture(emulator: CloudEmulator, file: EmulatedFile): Promise<FileFixture> {
	return {
		name: file.name,
		key: file.key,
		size: file.size,
		bytes: await bytesOf(emulator, file),
		crc64: await emulator.tencent.fileCrc64(file.key),
		path: `/cos/${file.key}`,
		// The intranet URL: another path on the emulator, the same object.
		alternateUrl: emulator.tencent.downloadUrls(file).internal,
	};
}

/** Merges `extra` into `base`, the Options collection key by key. */
function withExtra(base: INodeParameters, extra: INodeParameters = {}): INodeParameters {
	const options = { ...((base.options as INodeParameters | undefined) ?? {}), ...((extra.options as INodeParameters | undefined) ?? {}) };
	const merged: INodeParameters = { ...base, ...extra };
	if (Object.keys(options).length > 0) merged.options = options;
	return merged;
}

/** An API 3.0 answer as Tencent wraps it. */
function answer(fields: Record<string, unknown>): Record<string, unknown> {
	return { Response: { ...fields, RequestId: randomUUID() } };
}

/** A DescribeInstanceBackups answer with these BackupSet entries. */
function backupList(records: unknown[]): Record<string, unknown> {
	return answer({ TotalCount: records.length, BackupSet: records });
}

/** The backup's BackupSet record exactly as DescribeInstanceBackups writes it now. */
const wireRecord = (emulator: CloudEmulator, backup: BackupFixture) => emulator.tencent.wireBackup(backup.backupId);

export const tencentKit: CloudKit = {
	id: 'tencent',
	label: 'Tencent Cloud',

	node: { type: TENCENT_NODE_TYPE, create: () => new TencentCloudRedis() },

	credential: {
		type: 'tencentCloudApi',
		types: [new TencentCloudApi()],
		forEmulator: (emulator, overrides = {}) => testCredential(emulator, overrides),
		secretFields: ['secretKey'],
		endpointOverride: (url) => ({ endpoint: url }),
	},

	emulator: {
		options: ({ taskStepMs }) => ({
			clock: new ShiftedClock(),
			tencentSettings: {
				// Signatures are judged by the host clock plus settings.clockSkewMs; see setClockSkew.
				signatureTimeSource: 'system',
				...(taskStepMs === undefined ? {} : { taskStepMs }),
			},
		}),
		server: (emulator) => emulator.tencent,
		reset: (emulator) => {
			emulator.tencent.faults.clear();
			emulator.tencent.nextTaskOutcomes.length = 0;
			emulator.tencent.settings.clockSkewMs = 0;
			emulator.tencent.settings.rangeRequests = 'standard';
			const clock = shiftedClockOf(emulator);
			if (clock) clock.shiftMs = 0;
			ensureCluster(emulator);
		},
	},

	actions: {
		// One list action for standard and cluster instances alike.
		list: { standard: 'DescribeInstanceBackups', cluster: 'DescribeInstanceBackups' },
		create: 'ManualBackupInstance',
		tasks: 'DescribeTaskInfo',
		download: 'Download',
		fileSizes: 'DescribeBackupUrl',
	},

	listCarriesFiles: false,

	instances: { standard, cluster },

	addStandardBackup: async (emulator, sizeBytes) => {
		const record = emulator.tencent.addBackup({
			instanceId: STANDARD_ID,
			startMs: emulator.tencent.clock.now() - 3_600_000,
			sizeBytes,
		});
		const file = record.shards[0].file;
		if (!file) throw new Error(`backup ${record.backupId} has no file`);
		return { instance: standard, backupId: record.backupId, files: [await fileFixture(emulator, file)] };
	},

	addClusterBackup: async (emulator, shardSizes) => {
		ensureCluster(emulator, shardSizes.length);
		const record = emulator.tencent.addClusterBackup({
			instanceId: CONTRACT_CLUSTER_ID,
			startMs: emulator.tencent.clock.now() - 3_600_000,
			shardSizes,
		});
		const files: FileFixture[] = [];
		for (const shard of record.shards) {
			if (!shard.file) throw new Error(`shard ${shard.shard} of ${record.backupId} has no file`);
			files.push(await fileFixture(emulator, shard.file));
		}
		return { instance: cluster, backupId: record.backupId, files };
	},

	failShard: (emulator, backup, shard, options = {}) => {
		emulator.tencent.failShard(backup.backupId, shard, options);
	},

	startBackupTask: (emulator, instance) => {
		if (instance.instanceId === CONTRACT_CLUSTER_ID) ensureCluster(emulator);
		return String(emulator.tencent.startBackupTask({ instanceId: instance.instanceId }).taskId);
	},

	taskIds: (emulator) => emulator.tencent.store.tasks.map((task) => String(task.taskId)),

	setClockSkew: (emulator, ms) => {
		const clock = shiftedClockOf(emulator);
		if (!clock) {
			emulator.tencent.settings.clockSkewMs = ms;
			return;
		}
		const gateway = Math.max(-GATEWAY_SKEW_LIMIT_MS, Math.min(GATEWAY_SKEW_LIMIT_MS, ms));
		emulator.tencent.settings.clockSkewMs = gateway;
		clock.shiftMs = ms - gateway;
	},

	setRangeMode: (emulator, mode) => {
		emulator.tencent.settings.rangeRequests = mode;
	},

	wrongState: {
		code: 'ResourceUnavailable.InstanceStatusAbnormal',
		// Tencent answers every API error with HTTP 200.
		httpStatus: 200,
		// The emulator's catalogue brings Tencent's message for the code.
		fault: (action, times = 1) => ({ kind: 'error', action, code: 'ResourceUnavailable.InstanceStatusAbnormal', times }),
	},

	apiAdvice: describeKind,

	fuzz: {
		listWithNullEntry: (emulator, backup) => backupList([null, wireRecord(emulator, backup)]),
		listRecordWithoutId: (emulator, backup) => {
			const record = wireRecord(emulator, backup);
			delete record.BackupId;
			return backupList([record]);
		},
		listWithEpochMillis: (emulator, backup) => {
			const record = wireRecord(emulator, backup);
			const started = emulator.tencent.store.backup(backup.backupId)?.startMs;
			if (started === undefined) throw new Error(`unknown backup ${backup.backupId}`);
			record.StartTime = started;
			return backupList([record]);
		},
		// Tencent reports file sizes in DescribeBackupUrl's BackupInfos (actions.fileSizes), not in the list.
		listWithFileSize: (emulator, backup, sizeBytes) => {
			const urls = emulator.tencent.wireBackupUrls(backup.backupId);
			const infos = (urls.BackupInfos as Array<Record<string, unknown>>).map((info) => ({ ...info, FileSize: sizeBytes }));
			return answer({ ...urls, BackupInfos: infos });
		},
		createWithoutTaskId: () => answer({}),
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
		create: (instance, extra) => withExtra({ resource: 'backup', operation: 'create', ...instance.parameters }, extra),
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

	labels: { instance: 'Instance', taskId: 'Task ID', retentionDays: 'Retention Period (Days)' },
	region: { parameter: 'region', label: 'Region' },
	retentionDays: tencentNode.retentionDays,
};
