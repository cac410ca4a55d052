import { createHash } from 'crypto';

import type { Clock } from '../common/clock';
import type { EmulatedFile } from '../common/files';

export type Architecture = 'standard' | 'cluster';
export type BackupMode = 'Automated' | 'Manual';
/** The task states DescribeBackupTasks reports, in order. */
export const TASK_STATES = ['NoStart', 'Preparing', 'Waiting', 'Uploading', 'Checking', 'Finished'] as const;
export type TaskState = (typeof TASK_STATES)[number];
/** success: a backup appears at Finished; fail: the task vanishes at Uploading and a Failed backup appears;
 * vanish: the task vanishes at Uploading and nothing appears (both seen on real clouds). */
export type TaskOutcome = 'success' | 'fail' | 'vanish';

export interface InstanceRecord {
	instanceId: string;
	regionId: string;
	zoneId: string;
	architecture: Architecture;
	shards: number;
	name: string;
	engineVersion: string;
	capacityMb: number;
	createdMs: number;
	/** What DescribeBackups returns for a cluster: the docs say it "does not apply", so by default nothing. */
	describeBackupsOnCluster: 'empty' | 'shards';
}

export interface BackupRecord {
	backupId: number;
	jobId: number;
	instanceId: string;
	nodeInstanceId: string;
	startMs: number;
	endMs: number;
	status: 'Success' | 'Failed';
	mode: BackupMode;
	/** Absent for failed backups (no file, size 0, empty URLs). */
	file?: EmulatedFile;
}

export interface ShardBackupRecord {
	backupId: string;
	nodeInstanceId: string;
	startMs: number;
	endMs: number;
	/** This shard's own backup failed (its BackupStatus is ERROR) whatever the set's status says. */
	failed?: boolean;
	file?: EmulatedFile;
}

export interface ClusterBackupRecord {
	clusterBackupId: string;
	jobId: number;
	instanceId: string;
	startMs: number;
	endMs?: number;
	status: 'OK' | 'RUNNING' | 'Failed';
	mode: BackupMode;
	/** 0..100, shown while RUNNING. */
	progress: number;
	shards: ShardBackupRecord[];
}

export interface TaskRecord {
	jobId: number;
	instanceId: string;
	mode: BackupMode;
	createdMs: number;
	stepMs: number;
	outcome: TaskOutcome;
	/** Bytes per file (per shard for clusters). */
	sizeBytes: number;
	/** Set when the task reached its end (Finished, or vanished); the records it produced exist from then on. */
	endedMs?: number;
	/** For clusters: the RUNNING set shown while the task runs. */
	clusterSet?: ClusterBackupRecord;
}

export interface AddInstanceInput {
	instanceId: string;
	regionId: string;
	architecture: Architecture;
	shards?: number;
	name?: string;
	zoneId?: string;
	engineVersion?: string;
	describeBackupsOnCluster?: 'empty' | 'shards';
}

export interface AddBackupInput {
	instanceId: string;
	startMs: number;
	durationMs?: number;
	sizeBytes?: number;
	status?: 'Success' | 'Failed';
	mode?: BackupMode;
	backupId?: number;
	jobId?: number;
}

export interface AddClusterBackupSetInput {
	instanceId: string;
	startMs: number;
	durationMs?: number;
	/** One size per shard (default 1 MiB each). */
	shardSizes?: number[];
	status?: 'OK' | 'RUNNING' | 'Failed';
	mode?: BackupMode;
	progress?: number;
	jobId?: number;
	/** Shards (0-based) whose own backup failed although the set is OK; see failShard(). */
	failedShards?: number[];
}

export interface StartTaskInput {
	instanceId: string;
	mode?: BackupMode;
	outcome?: TaskOutcome;
	stepMs?: number;
	sizeBytes?: number;
}

const compact = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);

/** A stable number for an instance, used in fake OSS paths (custins<N>) like the real ones. */
function instanceNumber(instanceId: string, salt = 0): number {
	return 100000000 + (createHash('md5').update(`${instanceId}#${salt}`).digest().readUInt32BE(0) % 900000000);
}

/** In-memory state of one emulated Alibaba account. All times are on the emulator clock. */
export class AlibabaStore {
	readonly instances = new Map<string, InstanceRecord>();
	readonly backups: BackupRecord[] = [];
	readonly clusterSets: ClusterBackupRecord[] = [];
	readonly tasks: TaskRecord[] = [];
	readonly files = new Map<string, EmulatedFile>();
	private nextBackupId = 514645700;
	private nextJobId = 8491100;
	private nextClusterSet = 1;

	constructor(
		private readonly clock: Clock,
		private readonly settings: { taskStepMs: number; clusterShardLagMs?: number },
	) {}

	instance(instanceId: string): InstanceRecord | undefined {
		return this.instances.get(instanceId);
	}

	addInstance(input: AddInstanceInput): InstanceRecord {
		const record: InstanceRecord = {
			instanceId: input.instanceId,
			regionId: input.regionId,
			zoneId: input.zoneId ?? `${input.regionId}-h`,
			architecture: input.architecture,
			shards: input.architecture === 'cluster' ? (input.shards ?? 2) : 1,
			name: input.name ?? input.instanceId,
			engineVersion: input.engineVersion ?? '5.0',
			capacityMb: 1024,
			createdMs: this.clock.now() - 90 * 86400000,
			describeBackupsOnCluster: input.describeBackupsOnCluster ?? 'empty',
		};
		this.instances.set(record.instanceId, record);
		return record;
	}

	private requireInstance(instanceId: string): InstanceRecord {
		const instance = this.instances.get(instanceId);
		if (!instance) throw new Error(`unknown instance ${instanceId}; call addInstance() first`);
		return instance;
	}

	private addFile(instance: InstanceRecord, shard: number, startMs: number, endMs: number, size: number): EmulatedFile {
		const name = `hins${instanceNumber(instance.instanceId, shard + 1)}_data_${compact(startMs)}.rdb`;
		let key = `rdsbak-${instance.regionId}/custins${instanceNumber(instance.instanceId)}/${name}`;
		for (let n = 2; this.files.has(key); n++) key = key.replace(/(-\d+)?\.rdb$/, `-${n}.rdb`);
		const file: EmulatedFile = { key, name: key.slice(key.lastIndexOf('/') + 1), size, seed: key, lastModifiedMs: endMs };
		this.files.set(key, file);
		return file;
	}

	addBackup(input: AddBackupInput): BackupRecord {
		const instance = this.requireInstance(input.instanceId);
		const endMs = input.startMs + (input.durationMs ?? 60000);
		const status = input.status ?? 'Success';
		const record: BackupRecord = {
			backupId: input.backupId ?? this.nextBackupId++,
			jobId: input.jobId ?? this.nextJobId++,
			instanceId: instance.instanceId,
			nodeInstanceId: instance.instanceId,
			startMs: input.startMs,
			endMs,
			status,
			mode: input.mode ?? 'Automated',
			file:
				status === 'Success' ? this.addFile(instance, 0, input.startMs, endMs, input.sizeBytes ?? 1048576) : undefined,
		};
		this.backups.push(record);
		return record;
	}

	addClusterBackupSet(input: AddClusterBackupSetInput): ClusterBackupRecord {
		const instance = this.requireInstance(input.instanceId);
		const status = input.status ?? 'OK';
		const endMs = status === 'RUNNING' ? undefined : input.startMs + (input.durationMs ?? 60000);
		const sizes = input.shardSizes ?? Array.from({ length: instance.shards }, () => 1048576);
		const id = createHash('md5').update(`${instance.instanceId}:${this.nextClusterSet++}`).digest('hex');
		const record: ClusterBackupRecord = {
			clusterBackupId: `cb-${BigInt('0x' + id.slice(0, 20)).toString(36).slice(0, 16).padStart(16, '0')}`,
			jobId: input.jobId ?? this.nextJobId++,
			instanceId: instance.instanceId,
			startMs: input.startMs,
			endMs,
			status,
			mode: input.mode ?? 'Automated',
			progress: status === 'RUNNING' ? (input.progress ?? 0) : 100,
			shards: sizes.map((size, shard) => ({
				backupId: String(this.nextBackupId++),
				nodeInstanceId: `${instance.instanceId}-db-${shard}`,
				startMs: input.startMs + shard * 1000,
				endMs: endMs ?? input.startMs,
				file: status === 'OK' ? this.addFile(instance, shard, input.startMs, endMs as number, size) : undefined,
			})),
		};
		this.clusterSets.push(record);
		for (const shard of input.failedShards ?? []) this.failShard(record.clusterBackupId, shard);
		return record;
	}

	/**
	 * One shard's backup failed while its set is OK, as DescribeClusterBackupList sometimes reports: the shard's
	 * BackupStatus is ERROR and IsAvail 0, the set's status does not change. Its file is gone (no URL, size 0, the
	 * old URL answers NoSuchKey) unless keepFile: an ERROR shard that still lists a URL, which must not be trusted
	 * either. On a set still RUNNING, the shard gets no file when its task finishes.
	 */
	failShard(clusterBackupId: string, shard: number, opts: { keepFile?: boolean } = {}): ShardBackupRecord {
		const set = this.clusterSets.find((s) => s.clusterBackupId === clusterBackupId);
		if (!set) throw new Error(`unknown cluster backup set ${clusterBackupId}`);
		const record = set.shards[shard];
		if (!record) throw new Error(`${clusterBackupId} has no shard ${shard} (it has ${set.shards.length})`);
		record.failed = true;
		if (!opts.keepFile && record.file) {
			this.files.delete(record.file.key);
			record.file = undefined;
		}
		return record;
	}

	/**
	 * A backup deleted (by its owner, or by Alibaba at its ExpectExpireTime: Alibaba has no expired state, an expired
	 * backup is simply gone): a standard backup by its BackupId (a number or its decimal string), a cluster backup set
	 * by its ClusterBackupId. It is no longer listed by DescribeBackups / DescribeClusterBackupList and its files are
	 * gone (old URLs answer NoSuchKey). A set still RUNNING cannot be deleted (throws), nor can an unknown id.
	 */
	deleteBackup(backupId: number | string): BackupRecord | ClusterBackupRecord {
		const numeric = typeof backupId === 'number' ? backupId : /^\d+$/.test(backupId) ? Number(backupId) : undefined;
		const index = numeric === undefined ? -1 : this.backups.findIndex((b) => b.backupId === numeric);
		if (index >= 0) {
			const [record] = this.backups.splice(index, 1);
			if (record.file) this.files.delete(record.file.key);
			return record;
		}
		const setIndex = this.clusterSets.findIndex((s) => s.clusterBackupId === backupId);
		if (setIndex < 0) throw new Error(`unknown backup ${String(backupId)}`);
		const set = this.clusterSets[setIndex];
		if (set.status === 'RUNNING') throw new Error(`cluster backup set ${set.clusterBackupId} is still RUNNING`);
		this.clusterSets.splice(setIndex, 1);
		for (const shard of set.shards) if (shard.file) this.files.delete(shard.file.key);
		return set;
	}

	/** What CreateBackup does (and what a test calls to simulate an automated backup starting). */
	startTask(input: StartTaskInput): TaskRecord {
		const instance = this.requireInstance(input.instanceId);
		const task: TaskRecord = {
			jobId: this.nextJobId++,
			instanceId: instance.instanceId,
			mode: input.mode ?? 'Manual',
			createdMs: this.clock.now(),
			stepMs: input.stepMs ?? this.settings.taskStepMs,
			outcome: input.outcome ?? 'success',
			sizeBytes: input.sizeBytes ?? 2 * 1048576,
		};
		if (instance.architecture === 'cluster') {
			task.clusterSet = this.addClusterBackupSet({
				instanceId: instance.instanceId,
				startMs: task.createdMs,
				status: 'RUNNING',
				mode: task.mode,
				jobId: task.jobId,
				shardSizes: Array.from({ length: instance.shards }, () => task.sizeBytes),
			});
		}
		this.tasks.push(task);
		this.sync();
		return task;
	}

	/** State of one data node's part of the job (node 0 for standard instances); later nodes lag behind. */
	taskState(task: TaskRecord, now = this.clock.now(), node = 0): TaskState {
		const elapsed = now - task.createdMs - node * this.shardLagMs();
		return TASK_STATES[Math.max(0, Math.min(Math.floor(elapsed / task.stepMs), TASK_STATES.length - 1))];
	}

	taskPercent(task: TaskRecord, now = this.clock.now(), node = 0): number {
		const total = task.stepMs * (TASK_STATES.length - 1);
		const elapsed = now - task.createdMs - node * this.shardLagMs();
		return Math.max(0, Math.min(100, Math.floor((elapsed / total) * 100)));
	}

	private shardLagMs(): number {
		return this.settings.clusterShardLagMs ?? 0;
	}

	/** The job ends when its last data node does. */
	private lastNodeLagMs(task: TaskRecord): number {
		const instance = this.requireInstance(task.instanceId);
		return instance.architecture === 'cluster' ? (instance.shards - 1) * this.shardLagMs() : 0;
	}

	/** Bring tasks up to the clock: finish them, fail them, or make them vanish. Called before every answer. */
	sync(): void {
		const now = this.clock.now();
		for (const task of this.tasks) {
			if (task.endedMs !== undefined) continue;
			const set = task.clusterSet;
			if (set) set.progress = this.taskPercent(task, now);
			const finishMs = task.createdMs + task.stepMs * (TASK_STATES.length - 1) + this.lastNodeLagMs(task);
			const vanishMs = task.createdMs + task.stepMs * TASK_STATES.indexOf('Uploading');
			if (task.outcome === 'success' && now >= finishMs) {
				task.endedMs = finishMs;
				this.materialize(task, finishMs, 'Success');
			} else if (task.outcome !== 'success' && now >= vanishMs) {
				task.endedMs = vanishMs;
				if (task.outcome === 'fail') this.materialize(task, vanishMs, 'Failed');
				else if (set && this.clusterSets.includes(set)) this.clusterSets.splice(this.clusterSets.indexOf(set), 1);
			}
		}
	}

	private materialize(task: TaskRecord, endMs: number, status: 'Success' | 'Failed'): void {
		const set = task.clusterSet;
		if (!set) {
			this.addBackup({
				instanceId: task.instanceId,
				startMs: task.createdMs,
				durationMs: endMs - task.createdMs,
				sizeBytes: task.sizeBytes,
				status,
				mode: task.mode,
				jobId: task.jobId,
			});
			return;
		}
		const instance = this.requireInstance(task.instanceId);
		set.status = status === 'Success' ? 'OK' : 'Failed';
		set.endMs = endMs;
		set.progress = status === 'Success' ? 100 : set.progress;
		set.shards.forEach((shard, i) => {
			shard.endMs = endMs;
			if (status === 'Success' && !shard.failed) shard.file = this.addFile(instance, i, set.startMs, endMs, task.sizeBytes);
		});
	}

	/** Demo data relative to the clock: enough backups to page through, a cluster, failures. */
	seedDemo(): void {
		const now = this.clock.now();
		const day = 86400000;
		this.addInstance({ instanceId: 'r-demostandard01', regionId: 'cn-hangzhou', architecture: 'standard', name: 'demo-standard' });
		this.addInstance({
			instanceId: 'r-democluster01',
			regionId: 'cn-hangzhou',
			architecture: 'cluster',
			shards: 2,
			name: 'demo-cluster',
		});
		for (let i = 0; i < 45; i++) {
			this.addBackup({
				instanceId: 'r-demostandard01',
				startMs: Math.floor(now - 10 * day + (i * 10 * day) / 45 + 60000),
				durationMs: 40000 + ((i * 7919) % 120) * 1000,
				sizeBytes: 65536 + ((i * 104729) % 2000000),
				// One failure days ago, one in the last day (so an hourly "failed in the last day" workflow finds one).
				status: i === 13 || i === 44 ? 'Failed' : 'Success',
				mode: i % 7 === 3 ? 'Manual' : 'Automated',
			});
		}
		for (let d = 0; d < 6; d++) {
			this.addClusterBackupSet({
				instanceId: 'r-democluster01',
				startMs: now - (6 - d) * day + 2 * 3600000,
				durationMs: 90000 + d * 5000,
				shardSizes: [262144 + d * 131072, 524288 + d * 65536],
				status: d === 2 ? 'Failed' : 'OK',
				mode: d === 4 ? 'Manual' : 'Automated',
			});
		}
	}
}
