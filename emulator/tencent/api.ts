import type { EmulatedFile } from '../common/files';
import { Errors } from './errors';
import {
	BACKUP_TYPE_CODES,
	beijingTime,
	parseBeijingTime,
	REGION_IDS,
	type TencentBackupRecord,
	type TencentInstanceRecord,
	type TencentStore,
	type TencentTaskOutcome,
} from './store';

/**
 * The API 3.0 actions (Redis 2018-04-12), following the official SDK models (redis_models.d.ts of
 * tencentcloud-sdk-nodejs): request parameters, their types and defaults, and the answer fields.
 */

/**
 * Request parameters as received: a POST's JSON body (typed: a string where an Integer is expected is refused, as
 * the gateway does), or a GET's query unflattened (`Status.0=2` -> `Status: ["2"]`; every value a string, so numbers
 * are read from strings there).
 */
export class Params {
	constructor(
		readonly raw: Record<string, unknown>,
		private readonly fromQuery: boolean,
	) {}

	has(name: string): boolean {
		return this.raw[name] !== undefined && this.raw[name] !== null;
	}

	private typeError(name: string, type: string): never {
		throw Errors.invalidParameter(`The value type of parameter \`${name}\` is not valid: ${type} expected.`);
	}

	str(name: string): string | undefined {
		const value = this.raw[name];
		if (value === undefined || value === null) return undefined;
		if (typeof value !== 'string') this.typeError(name, 'String');
		return value;
	}

	requiredStr(name: string): string {
		const value = this.str(name);
		if (value === undefined || value === '') throw Errors.missingParameter(name);
		return value;
	}

	private toInt(name: string, value: unknown): number {
		if (typeof value === 'number' && Number.isInteger(value)) return value;
		if (this.fromQuery && typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
		return this.typeError(name, 'Integer');
	}

	int(name: string): number | undefined {
		const value = this.raw[name];
		if (value === undefined || value === null) return undefined;
		return this.toInt(name, value);
	}

	intArray(name: string): number[] | undefined {
		const value = this.raw[name];
		if (value === undefined || value === null) return undefined;
		if (!Array.isArray(value)) this.typeError(name, 'Array of Integer');
		return (value as unknown[]).map((item, i) => this.toInt(`${name}.${i}`, item));
	}

	strArray(name: string): string[] | undefined {
		const value = this.raw[name];
		if (value === undefined || value === null) return undefined;
		if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) this.typeError(name, 'Array of String');
		return value as string[];
	}
}

/** `Status.0=2&LimitVpc.0.Region=x` -> `{ Status: ['2'], LimitVpc: [{ Region: 'x' }] }`. */
export function unflatten(flat: Record<string, string>): Record<string, unknown> {
	const root: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(flat)) {
		const parts = key.split('.');
		let node: Record<string, unknown> | unknown[] = root;
		parts.forEach((part, i) => {
			const last = i === parts.length - 1;
			const slot = Array.isArray(node) ? Number(part) : part;
			const container = node as Record<string | number, unknown>;
			if (last) {
				container[slot] = value;
				return;
			}
			if (container[slot] === undefined || typeof container[slot] !== 'object') {
				container[slot] = /^\d+$/.test(parts[i + 1]) ? [] : {};
			}
			node = container[slot] as Record<string, unknown> | unknown[];
		});
	}
	return root;
}

/** JSON parameters as the SDK flattens them for a GET (`Status.0`), for the request log. */
export function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
	if (value === null || value === undefined) return out;
	if (typeof value === 'object') {
		for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
			flatten(inner, prefix ? `${prefix}.${key}` : key, out);
		}
		return out;
	}
	out[prefix] = String(value);
	return out;
}

export interface ApiContext {
	store: TencentStore;
	now: number;
	params: Params;
	/** X-TC-Region, '' when not sent. */
	region: string;
	urls(file: EmulatedFile, ttlMs: number): { public: string; internal: string };
	urlTtlMs: number;
	takeTaskOutcome(): TencentTaskOutcome;
}

interface Action {
	/** Every request parameter of the SDK model; anything else is UnknownParameter. */
	params: readonly string[];
	/** Whether the common parameter Region (X-TC-Region) is required. */
	regionRequired: boolean;
	run(ctx: ApiContext): Record<string, unknown>;
}

/** An existing instance; one in another region than X-TC-Region is not found, as on the real API. */
function findInstance(ctx: ApiContext, instanceId: string): TencentInstanceRecord {
	const instance = ctx.store.instance(instanceId);
	if (!instance || (ctx.region && ctx.region !== instance.region)) throw Errors.instanceNotExists();
	return instance;
}

/** Limit/Offset paging: Offset must be a multiple of Limit ("取Limit整数倍"). */
function paging(ctx: ApiContext, fallback: number, max: number): [number, number] {
	const limit = ctx.params.int('Limit') ?? fallback;
	if (limit < 1 || limit > max) {
		throw Errors.invalidParameterValue(`The parameter \`Limit\` must be between 1 and ${max}, got ${limit}.`);
	}
	const offset = ctx.params.int('Offset') ?? 0;
	if (offset < 0 || offset % limit !== 0) {
		throw Errors.invalidParameterValue(`The parameter \`Offset\` must be a non-negative multiple of Limit (${limit}), got ${offset}.`);
	}
	return [limit, offset];
}

function timeParam(ctx: ApiContext, name: string): number | undefined {
	const text = ctx.params.str(name);
	if (text === undefined || text === '') return undefined;
	const ms = parseBeijingTime(text);
	if (ms === undefined) {
		throw Errors.invalidParameterValue(`The parameter \`${name}\` must be a time such as 2017-02-08 16:46:34, got ${text}.`);
	}
	return ms;
}

const DAY = 86400000;
const MAX_SPAN_MS = 30 * DAY;
const BACKUP_STATUSES = new Set([1, 2, 3, 4, -1, -2]);

/** A RedisBackupSet entry exactly as DescribeInstanceBackups writes it (also for a kit's fuzzed answers). */
export function redisBackupSet(store: TencentStore, now: number, b: TencentBackupRecord): Record<string, unknown> {
	const instance = store.instance(b.instanceId);
	if (!instance) throw new Error(`backup ${b.backupId} belongs to no instance`);
	return backupItem({ store, now } as ApiContext, b, instance);
}

function backupItem(ctx: Pick<ApiContext, 'store' | 'now'>, b: TencentBackupRecord, instance: TencentInstanceRecord) {
	const status = ctx.store.backupStatus(b, ctx.now);
	return {
		StartTime: beijingTime(b.startMs),
		BackupId: b.backupId,
		BackupType: BACKUP_TYPE_CODES[b.backupType],
		Status: status,
		Remark: b.remark,
		Locked: b.locked ? 1 : 0,
		BackupSize: b.inProgress ? 0 : b.shards.reduce((sum, s) => sum + (s.failed ? 0 : s.sizeBytes), 0),
		FullBackup: 0,
		InstanceType: instance.type,
		InstanceId: instance.instanceId,
		InstanceName: instance.name,
		Region: instance.region,
		// The documented sample shows no EndTime on a backup still running; an empty string here.
		EndTime: b.endMs === undefined ? '' : beijingTime(b.endMs),
		FileType: `RDB-Redis ${instance.engineVersion}`,
		ExpireTime: beijingTime(ctx.store.expireMs(b)),
		Encrypted: false,
	};
}

function describeInstanceBackups(ctx: ApiContext) {
	const [limit, offset] = paging(ctx, 20, 100);
	const instanceId = ctx.params.str('InstanceId');
	const instance = instanceId ? findInstance(ctx, instanceId) : undefined;
	const begin = timeParam(ctx, 'BeginTime');
	const end = timeParam(ctx, 'EndTime');
	if (begin !== undefined && end !== undefined) {
		if (end < begin) throw Errors.invalidParameterValue('The parameter `EndTime` must not be before `BeginTime`.');
		if (end - begin > MAX_SPAN_MS) throw Errors.invalidParameterValue('The time range may span at most 30 days.');
	}
	const requested = ctx.params.intArray('Status');
	for (const status of requested ?? []) {
		if (!BACKUP_STATUSES.has(status)) throw Errors.invalidParameterValue(`The parameter \`Status\` has an invalid value ${status}.`);
	}
	// The model: "默认值：2". Without Status, backups in progress (1) and expired ones (-1) are not listed.
	const statuses = new Set(requested && requested.length > 0 ? requested : [2]);
	const name = (ctx.params.str('InstanceName') ?? '').toLowerCase();
	const matching = ctx.store.backups
		.filter((b) => (instance ? b.instanceId === instance.instanceId : true))
		.filter((b) => {
			const owner = ctx.store.instance(b.instanceId);
			return !!owner && (!ctx.region || owner.region === ctx.region) && (!name || owner.name.toLowerCase().includes(name));
		})
		.filter((b) => (begin === undefined || b.startMs >= begin) && (end === undefined || b.startMs <= end))
		.filter((b) => statuses.has(ctx.store.backupStatus(b, ctx.now)))
		.sort((a, b) => b.startMs - a.startMs);
	return {
		TotalCount: matching.length,
		BackupSet: matching
			.slice(offset, offset + limit)
			.map((b) => backupItem(ctx, b, ctx.store.instance(b.instanceId) as TencentInstanceRecord)),
	};
}

function manualBackupInstance(ctx: ApiContext) {
	const instance = findInstance(ctx, ctx.params.requiredStr('InstanceId'));
	const remark = ctx.params.str('Remark');
	const storageDays = ctx.params.int('StorageDays');
	if (storageDays !== undefined && (storageDays < 0 || storageDays > 1825)) {
		throw Errors.invalidParameterValue(`The parameter \`StorageDays\` must be between 0 and 1825, got ${storageDays}.`);
	}
	if (instance.status !== 2) throw Errors.instanceStatusAbnormal();
	const task = ctx.store.startTask({
		instanceId: instance.instanceId,
		remark,
		// 0 or absent: the automatic backups' retention, 7 days when none is configured.
		storageDays: storageDays || 7,
		outcome: ctx.takeTaskOutcome(),
	});
	return { TaskId: task.taskId };
}

const TASK_MESSAGES: Record<string, string> = {
	failed: 'backup instance failed: the backup process exited abnormally',
	error: 'backup instance error: the task was interrupted, please retry',
};

function describeTaskInfo(ctx: ApiContext) {
	const taskId = ctx.params.int('TaskId');
	if (taskId === undefined) throw Errors.missingParameter('TaskId');
	const task = ctx.store.task(taskId);
	if (!task) throw Errors.taskNotExists(taskId);
	const status = ctx.store.taskStatus(task, ctx.now);
	return {
		Status: status,
		StartTime: beijingTime(task.createdMs),
		TaskType: 'FLOW_BACKUPINSTANCE',
		InstanceId: task.instanceId,
		TaskMessage: TASK_MESSAGES[status] ?? '',
	};
}

function describeBackupUrl(ctx: ApiContext) {
	const instance = findInstance(ctx, ctx.params.requiredStr('InstanceId'));
	const backupId = ctx.params.requiredStr('BackupId');
	const backup = ctx.store.backups.find((b) => b.backupId === backupId && b.instanceId === instance.instanceId);
	if (!backup) throw Errors.backupNotExists();
	const status = ctx.store.backupStatus(backup, ctx.now);
	if (status !== 2 && status !== 3 && status !== 4) throw Errors.backupStatusInvalid();
	return backupUrlAnswer(backup, (file) => ctx.urls(file, ctx.urlTtlMs));
}

/** DescribeBackupUrl's answer (without RequestId) for a backup, with URLs from `urls` (also for a kit's fuzzing). */
export function backupUrlAnswer(
	backup: TencentBackupRecord,
	urls: (file: EmulatedFile) => { public: string; internal: string },
): Record<string, unknown> {
	const infos = backup.shards.map((shard) => {
		const url = shard.file ? urls(shard.file) : { public: '', internal: '' };
		return {
			FileName: shard.fileName,
			// "如果为0，表示无效": a failed shard reports 0 whatever its file.
			FileSize: shard.failed ? 0 : shard.sizeBytes,
			DownloadUrl: url.public,
			InnerDownloadUrl: url.internal,
		};
	});
	return {
		// Deprecated parallel arrays, still sent.
		DownloadUrl: infos.map((i) => i.DownloadUrl),
		InnerDownloadUrl: infos.map((i) => i.InnerDownloadUrl),
		Filenames: infos.map((i) => i.FileName),
		BackupInfos: infos,
	};
}

function instanceItem(i: TencentInstanceRecord) {
	const cluster = i.architecture === 'cluster';
	return {
		InstanceName: i.name,
		InstanceId: i.instanceId,
		Appid: 1258000000,
		ProjectId: 0,
		RegionId: REGION_IDS[i.region] ?? 0,
		ZoneId: i.zoneId,
		VpcId: 75101,
		SubnetId: 46315,
		Status: i.status,
		WanIp: '10.0.0.15',
		Port: 6379,
		Createtime: beijingTime(i.createdMs),
		Size: i.sizeMb * i.shards,
		SizeUsed: 0,
		Type: i.type,
		AutoRenewFlag: 0,
		DeadlineTime: '0000-00-00 00:00:00',
		Engine: 'Redis',
		ProductType: cluster ? 'cluster' : 'standalone',
		UniqVpcId: 'vpc-emulator01',
		UniqSubnetId: 'subnet-emulator01',
		BillingMode: 0,
		InstanceTitle: i.status === 2 ? '运行中' : '流程中',
		OfflineTime: '0000-00-00 00:00:00',
		SubStatus: 0,
		Tags: [],
		InstanceNode: [],
		RedisShardSize: i.sizeMb,
		RedisShardNum: i.shards,
		RedisReplicasNum: 1,
		PriceId: 0,
		CloseTime: '0000-00-00 00:00:00',
		SlaveReadWeight: 0,
		InstanceTags: [],
		ProjectName: 'Default Project',
		NoAuth: false,
		ClientLimit: 10000,
		DtsStatus: 0,
		NetLimit: 48,
		PasswordFree: 0,
		Vip6: '',
		IPv6: '',
		ReadOnly: 0,
		RemainBandwidthDuration: '',
		DiskSize: 0,
		MonitorVersion: '5s',
		ClientLimitMin: 10000,
		ClientLimitMax: 100000,
		NodeSet: [],
		Region: i.region,
		WanAddress: '',
		PolarisServer: '',
		RedisClusterId: '',
		DedicatedClusterId: '',
		ProductVersion: 'local',
		CurrentProxyVersion: '5.6.0',
		CurrentRedisVersion: `${i.engineVersion}.5`,
		UpgradeProxyVersion: '',
		UpgradeRedisVersion: '',
		BackupMode: 'NormalLevelBackup',
		DeleteProtectionSwitch: 0,
	};
}

function describeInstances(ctx: ApiContext) {
	const [limit, offset] = paging(ctx, 20, 1000);
	const instanceId = ctx.params.str('InstanceId');
	const ids = ctx.params.strArray('InstanceIds');
	const searchKey = (ctx.params.str('SearchKey') ?? '').toLowerCase();
	const exactName = ctx.params.str('InstanceName');
	const searchKeys = ctx.params.strArray('SearchKeys');
	const statuses = ctx.params.intArray('Status');
	const orderType = ctx.params.int('OrderType') ?? 1;
	const matching = [...ctx.store.instances.values()]
		.filter((i) => !ctx.region || i.region === ctx.region)
		.filter((i) => !instanceId || i.instanceId === instanceId)
		.filter((i) => !ids || ids.length === 0 || ids.includes(i.instanceId))
		// "仅实例名称支持模糊查询": SearchKey matches names only.
		.filter((i) => !searchKey || i.name.toLowerCase().includes(searchKey))
		.filter((i) => !exactName || i.name === exactName)
		.filter(
			(i) =>
				!searchKeys ||
				searchKeys.length === 0 ||
				searchKeys.some((k) => k === i.instanceId || i.name.toLowerCase().includes(k.toLowerCase())),
		)
		.filter((i) => !statuses || statuses.length === 0 || statuses.includes(i.status))
		.sort((a, b) => (orderType === 0 ? a.createdMs - b.createdMs : b.createdMs - a.createdMs));
	return { TotalCount: matching.length, InstanceSet: matching.slice(offset, offset + limit).map(instanceItem) };
}

export const ACTIONS: Readonly<Record<string, Action>> = {
	DescribeInstanceBackups: {
		params: ['Limit', 'Offset', 'InstanceId', 'BeginTime', 'EndTime', 'Status', 'InstanceName'],
		regionRequired: true,
		run: describeInstanceBackups,
	},
	ManualBackupInstance: {
		params: ['InstanceId', 'Remark', 'StorageDays'],
		regionRequired: false,
		run: manualBackupInstance,
	},
	DescribeTaskInfo: { params: ['TaskId'], regionRequired: false, run: describeTaskInfo },
	DescribeBackupUrl: {
		params: ['InstanceId', 'BackupId', 'LimitType', 'VpcComparisonSymbol', 'IpComparisonSymbol', 'LimitVpc', 'LimitIp'],
		regionRequired: false,
		run: describeBackupUrl,
	},
	DescribeInstances: {
		params: [
			'Limit',
			'Offset',
			'InstanceId',
			'OrderBy',
			'OrderType',
			'VpcIds',
			'SubnetIds',
			'SearchKey',
			'ProjectIds',
			'InstanceName',
			'UniqVpcIds',
			'UniqSubnetIds',
			'RegionIds',
			'Status',
			'TypeVersion',
			'EngineName',
			'AutoRenew',
			'BillingMode',
			'Type',
			'SearchKeys',
			'TypeList',
			'MonitorVersion',
			'InstanceTags',
			'TagKeys',
			'ProductVersions',
			'InstanceIds',
			'AzMode',
		],
		regionRequired: true,
		run: describeInstances,
	},
};

/** Checks common to every action (Region, unknown parameters), then the action. */
export function runAction(name: string, ctx: ApiContext): Record<string, unknown> {
	const action = ACTIONS[name];
	if (action.regionRequired && !ctx.region) throw Errors.missingParameter('Region');
	if (ctx.region && REGION_IDS[ctx.region] === undefined && ![...ctx.store.instances.values()].some((i) => i.region === ctx.region)) {
		throw Errors.unsupportedRegion(ctx.region);
	}
	for (const key of Object.keys(ctx.params.raw)) {
		if (!action.params.includes(key)) throw Errors.unknownParameter(key);
	}
	return action.run(ctx);
}
