import { isoSeconds } from '../common/clock';
import type { EmulatedFile } from '../common/files';
import { AlibabaError, Errors } from './errors';
import type { AlibabaStore, BackupRecord, ClusterBackupRecord, InstanceRecord, TaskRecord } from './store';

/** What a handler gets: the store already synced to the clock, the request parameters, and how to build URLs. */
export interface ApiContext {
	store: AlibabaStore;
	now: number;
	params: Record<string, string>;
	urls(file: EmulatedFile): { public: string; internal: string };
	finishedTaskVisibleMs: number;
	takeTaskOutcome(): 'success' | 'fail' | 'vanish';
}

type Handler = (ctx: ApiContext) => Record<string, unknown>;

function required(ctx: ApiContext, name: string): string {
	const value = ctx.params[name];
	if (value === undefined || value === '') throw Errors.missingParameter(name);
	return value;
}

/** An existing instance; a RegionId that does not match hides it, as it would on the real API. */
function requireInstance(ctx: ApiContext): InstanceRecord {
	const instance = ctx.store.instance(required(ctx, 'InstanceId'));
	const region = ctx.params.RegionId;
	if (!instance || (region && region !== instance.regionId)) throw Errors.instanceNotFound();
	return instance;
}

/** DescribeBackups documents yyyy-MM-ddTHH:mmZ; DescribeClusterBackupList's page also shows seconds. Both pass. */
function parseTime(value: string, error: () => AlibabaError): number {
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/.test(value)) throw error();
	const ms = Date.parse(value);
	if (Number.isNaN(ms)) throw error();
	return ms;
}

function timeRange(ctx: ApiContext): [number, number] {
	const start = parseTime(required(ctx, 'StartTime'), Errors.startTimeMalformed);
	const end = parseTime(required(ctx, 'EndTime'), Errors.endTimeMalformed);
	if (end <= start) throw Errors.timeRange();
	return [start, end];
}

function paging(ctx: ApiContext, allowed: (n: number) => boolean, fallback: number): [number, number] {
	const size = ctx.params.PageSize === undefined ? fallback : Number(ctx.params.PageSize);
	if (!Number.isInteger(size) || !allowed(size)) throw Errors.pageSize();
	const page = ctx.params.PageNumber === undefined ? 1 : Number(ctx.params.PageNumber);
	if (!Number.isInteger(page) || page < 1) throw Errors.pageNumber();
	return [page, size];
}

const pageOf = <T>(items: T[], page: number, size: number): T[] => items.slice((page - 1) * size, page * size);
const RECOVER_CONFIG = '{"whitelist":true,"config":true,"account":true}';
const WEEK = 7 * 86400000;

function backupItem(ctx: ApiContext, b: BackupRecord, engineVersion: string) {
	const urls = b.file ? ctx.urls(b.file) : { public: '', internal: '' };
	return {
		BackupId: b.backupId,
		BackupJobID: b.jobId,
		BackupStartTime: isoSeconds(b.startMs),
		BackupEndTime: isoSeconds(b.endMs),
		BackupStatus: b.status,
		BackupSize: b.file?.size ?? 0,
		BackupDownloadURL: urls.public,
		BackupIntranetDownloadURL: urls.internal,
		NodeInstanceId: b.nodeInstanceId,
		BackupMode: b.mode,
		BackupType: 'FullBackup',
		BackupMethod: 'Physical',
		BackupDBNames: 'all',
		EngineVersion: engineVersion,
		RecoverConfigMode: RECOVER_CONFIG,
		ExpectExpireTime: isoSeconds(b.startMs + WEEK),
	};
}

/** Shard backups of OK cluster sets seen as DescribeBackups records (only if the instance is set up that way). */
function shardsAsBackups(store: AlibabaStore, instanceId: string): BackupRecord[] {
	return store.clusterSets
		.filter((s) => s.instanceId === instanceId && s.status === 'OK')
		.flatMap((s) =>
			s.shards.map((shard) => ({
				backupId: Number(shard.backupId),
				jobId: s.jobId,
				instanceId,
				nodeInstanceId: shard.nodeInstanceId,
				startMs: shard.startMs,
				endMs: shard.endMs,
				status: shard.failed ? ('Failed' as const) : ('Success' as const),
				mode: s.mode,
				file: shard.failed ? undefined : shard.file,
			})),
		);
}

const sizeOf = (files: Array<EmulatedFile | undefined>) => files.reduce((sum, f) => sum + (f?.size ?? 0), 0);

function describeBackups(ctx: ApiContext) {
	const instance = requireInstance(ctx);
	const [start, end] = timeRange(ctx);
	const [page, size] = paging(ctx, (n) => [30, 50, 100, 200, 300].includes(n), 30);
	let all: BackupRecord[] = ctx.store.backups.filter((b) => b.instanceId === instance.instanceId);
	if (instance.architecture === 'cluster') {
		all = instance.describeBackupsOnCluster === 'shards' ? shardsAsBackups(ctx.store, instance.instanceId) : [];
	}
	const { BackupId, BackupJobId } = ctx.params;
	const matching = all
		.filter((b) => b.startMs >= start && b.startMs <= end)
		.filter((b) => BackupId === undefined || String(b.backupId) === BackupId)
		.filter((b) => BackupJobId === undefined || String(b.jobId) === BackupJobId)
		.sort((a, b) => b.startMs - a.startMs);
	return {
		PageNumber: page,
		PageSize: size,
		TotalCount: matching.length,
		FullStorageSize: sizeOf(all.map((b) => b.file)),
		LogStorageSize: 0,
		FreeSize: instance.capacityMb * 1048576,
		Backups: { Backup: pageOf(matching, page, size).map((b) => backupItem(ctx, b, instance.engineVersion)) },
	};
}

/** Shard end times come without the trailing Z, exactly as in the documented sample; clients must cope. */
function clusterSetItem(ctx: ApiContext, s: ClusterBackupRecord, instance: InstanceRecord, withShards: boolean) {
	const files = s.shards.map((shard) => shard.file);
	return {
		ClusterBackupId: s.clusterBackupId,
		ClusterBackupStatus: s.status,
		ClusterBackupSize: String(sizeOf(files)),
		ClusterBackupStartTime: isoSeconds(s.startMs),
		ClusterBackupEndTime: s.endMs === undefined ? '' : isoSeconds(s.endMs),
		ClusterBackupMode: s.mode,
		ShardClassMemory: Math.floor(instance.capacityMb / instance.shards),
		IsAvail: s.status === 'OK' ? 1 : 0,
		Progress: `${s.progress}%`,
		ExpectExpireTime: isoSeconds(s.startMs + WEEK),
		Backups: !withShards
			? []
			: s.shards.map((shard) => {
					const urls = shard.file ? ctx.urls(shard.file) : { public: '', internal: '' };
					const name = shard.file?.name ?? '';
					return {
						BackupId: shard.backupId,
						InstanceName: name,
						BackupName: name,
						BackupDownloadURL: urls.public,
						BackupIntranetDownloadURL: urls.internal,
						BackupStartTime: isoSeconds(shard.startMs),
						BackupEndTime: s.status === 'RUNNING' ? '' : isoSeconds(shard.endMs).replace(/Z$/, ''),
						BackupSize: String(shard.file?.size ?? 0),
						IsAvail: shard.file && !shard.failed ? '1' : '0',
						// A shard's own status may be ERROR inside an OK set (failShard).
						BackupStatus: shard.failed ? 'ERROR' : { OK: 'OK', Failed: 'ERROR', RUNNING: 'RUNNING' }[s.status],
						Engine: 'redis',
						ExtraInfo: { CustinsDbVersion: instance.engineVersion },
						RecoverConfigMode: RECOVER_CONFIG,
					};
				}),
	};
}

function describeClusterBackupList(ctx: ApiContext) {
	required(ctx, 'RegionId');
	const instance = requireInstance(ctx);
	const [start, end] = timeRange(ctx);
	const [page, size] = paging(ctx, (n) => [5, 10, 15, 20, 30, 50, 100, 200, 300].includes(n), 30);
	const sets = ctx.store.clusterSets.filter((s) => s.instanceId === instance.instanceId);
	const matching = sets
		.filter((s) => s.startMs >= start && s.startMs <= end)
		.filter((s) => ctx.params.ClusterBackupId === undefined || s.clusterBackupId === ctx.params.ClusterBackupId)
		.sort((a, b) => b.startMs - a.startMs);
	const withShards = (ctx.params.NoShardBackup ?? '').toLowerCase() !== 'true';
	// No TotalCount here (the real response has none): callers page until a short page.
	return {
		MaxResults: size,
		PageNumber: page,
		PageSize: size,
		FullStorageSize: sizeOf(sets.flatMap((s) => s.shards.map((shard) => shard.file))),
		LogStorageSize: 0,
		FreeSize: instance.capacityMb * 1048576,
		ClusterBackups: pageOf(matching, page, size).map((s) => clusterSetItem(ctx, s, instance, withShards)),
	};
}

function taskVisible(ctx: ApiContext, t: TaskRecord): boolean {
	if (t.endedMs === undefined) return true;
	return t.outcome === 'success' && ctx.now < t.endedMs + ctx.finishedTaskVisibleMs;
}

function describeBackupTasks(ctx: ApiContext) {
	const instance = requireInstance(ctx);
	const { BackupJobId, JobMode } = ctx.params;
	const jobs = ctx.store.tasks
		.filter((t) => t.instanceId === instance.instanceId && taskVisible(ctx, t))
		.filter((t) => BackupJobId === undefined || String(t.jobId) === BackupJobId)
		.filter((t) => JobMode === undefined || t.mode === JobMode)
		// A cluster's job runs on every data node: one row per node, all with the same BackupJobID.
		.flatMap((t) =>
			Array.from({ length: instance.shards }, (_, shard) => {
				const percent = String(ctx.store.taskPercent(t, ctx.now, shard));
				return {
					StartTime: isoSeconds(t.createdMs),
					Process: percent,
					Progress: percent,
					JobMode: t.mode,
					BackupJobID: t.jobId,
					BackupProgressStatus: ctx.store.taskState(t, ctx.now, shard),
					NodeId: instance.architecture === 'cluster' ? `${instance.instanceId}-db-${shard}` : instance.instanceId,
					TaskAction: t.mode === 'Manual' ? 'TempBackupTask' : 'NormalBackupTask',
				};
			}),
		);
	return { InstanceId: instance.instanceId, BackupJobs: jobs };
}

function createBackup(ctx: ApiContext) {
	const instance = requireInstance(ctx);
	const task = ctx.store.startTask({ instanceId: instance.instanceId, mode: 'Manual', outcome: ctx.takeTaskOutcome() });
	// A string in the real API (older clusters return "id1,id2"); one job per call here.
	return { BackupJobID: String(task.jobId) };
}

function instanceItem(i: InstanceRecord) {
	return {
		InstanceId: i.instanceId,
		InstanceName: i.name,
		RegionId: i.regionId,
		ZoneId: i.zoneId,
		ArchitectureType: i.architecture,
		ShardCount: i.architecture === 'cluster' ? i.shards : undefined,
		InstanceStatus: 'Normal',
		InstanceType: 'Redis',
		EngineVersion: i.engineVersion,
		EditionType: 'Community',
		InstanceClass: i.architecture === 'cluster' ? 'redis.shard.small.2.ce' : 'redis.master.small.default',
		Capacity: i.capacityMb,
		ChargeType: 'PostPaid',
		NetworkType: 'VPC',
		NodeType: 'double',
		Port: 6379,
		ConnectionDomain: `${i.instanceId}.redis.rds.aliyuncs.com`,
		CreateTime: isoSeconds(i.createdMs),
	};
}

function describeInstances(ctx: ApiContext) {
	const region = required(ctx, 'RegionId');
	const [page, size] = paging(ctx, (n) => n >= 1 && n <= 50, 30);
	const ids = ctx.params.InstanceIds ? ctx.params.InstanceIds.split(',').map((s) => s.trim()) : undefined;
	const key = (ctx.params.SearchKey ?? '').toLowerCase();
	const matching = [...ctx.store.instances.values()]
		.filter((i) => i.regionId === region)
		.filter((i) => !ids || ids.includes(i.instanceId))
		.filter((i) => !key || i.instanceId.toLowerCase().includes(key) || i.name.toLowerCase().includes(key))
		.filter((i) => !ctx.params.ArchitectureType || i.architecture === ctx.params.ArchitectureType);
	return {
		PageNumber: page,
		PageSize: size,
		TotalCount: matching.length,
		Instances: { KVStoreInstance: pageOf(matching, page, size).map(instanceItem) },
	};
}

const REGIONS: Array<[string, string, string]> = [
	['cn-hangzhou', '华东1（杭州）', 'China (Hangzhou)'],
	['cn-shanghai', '华东2（上海）', 'China (Shanghai)'],
	['cn-beijing', '华北2（北京）', 'China (Beijing)'],
	['cn-shenzhen', '华南1（深圳）', 'China (Shenzhen)'],
	['ap-southeast-1', '新加坡', 'Singapore'],
];

function describeRegions(ctx: ApiContext) {
	const english = (ctx.params.AcceptLanguage ?? '').startsWith('en');
	const ids = new Set([...REGIONS.map((r) => r[0]), ...[...ctx.store.instances.values()].map((i) => i.regionId)]);
	return {
		RegionIds: {
			KVStoreRegion: [...ids].map((id) => {
				const known = REGIONS.find((r) => r[0] === id);
				const zones = [`${id}-h`, `${id}-i`];
				return {
					RegionId: id,
					LocalName: known ? known[english ? 2 : 1] : id,
					RegionEndpoint: 'r-kvstore.aliyuncs.com',
					ZoneIds: zones.join(','),
					ZoneIdList: { ZoneId: zones },
				};
			}),
		},
	};
}

export const ACTIONS: Readonly<Record<string, Handler>> = {
	DescribeRegions: describeRegions,
	DescribeInstances: describeInstances,
	DescribeBackups: describeBackups,
	DescribeClusterBackupList: describeClusterBackupList,
	DescribeBackupTasks: describeBackupTasks,
	CreateBackup: createBackup,
};
