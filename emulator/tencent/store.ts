import { createHash } from 'crypto';

import type { Clock } from '../common/clock';
import type { EmulatedFile } from '../common/files';

/**
 * In-memory state of one emulated Tencent Cloud account (Redis 2018-04-12, backups on COS). All times are on the
 * emulator's (skewed) clock, in epoch milliseconds; the API writes them as Beijing time (see beijingTime).
 */

export type TencentArchitecture = 'standard' | 'cluster';
/** RedisBackupSet.BackupType: "0" manual, "1" automatic (the nightly backup), "2" made by a configuration change. */
export type TencentBackupType = 'manual' | 'automatic' | 'resize';
export const BACKUP_TYPE_CODES: Record<TencentBackupType, string> = { manual: '0', automatic: '1', resize: '2' };
/** DescribeTaskInfo.Status. */
export type TencentTaskStatus = 'preparing' | 'running' | 'succeed' | 'failed' | 'error';
/** How a task ends: succeed (the backup becomes Status 2), failed / error (the backup in progress disappears). */
export type TencentTaskOutcome = 'succeed' | 'failed' | 'error';

const DAY = 86400000;
const BEIJING_OFFSET_MS = 8 * 3600000;

/** `YYYY-MM-DD HH:mm:ss` in Beijing time (UTC+8, no zone written), as Tencent writes every time. */
export function beijingTime(ms: number): string {
	return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** The instant a Beijing-time `YYYY-MM-DD HH:mm:ss` names, or undefined when it is not one (also 2024-02-30). */
export function parseBeijingTime(value: string): number | undefined {
	if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)) return undefined;
	const ms = Date.parse(`${value.replace(' ', 'T')}+08:00`);
	if (Number.isNaN(ms) || beijingTime(ms) !== value) return undefined;
	return ms;
}

/** Tencent's numeric region IDs (InstanceSet.RegionId), from the DescribeInstances model. */
export const REGION_IDS: Readonly<Record<string, number>> = {
	'ap-guangzhou': 1,
	'ap-shanghai': 4,
	'ap-hongkong': 5,
	'ap-shanghai-fsi': 7,
	'ap-beijing': 8,
	'ap-singapore': 9,
	'ap-shenzhen-fsi': 11,
	'na-siliconvalley': 15,
	'ap-chengdu': 16,
	'eu-frankfurt': 17,
	'ap-seoul': 18,
	'ap-chongqing': 19,
	'na-ashburn': 22,
	'ap-bangkok': 23,
	'ap-tokyo': 25,
};

export interface TencentInstanceRecord {
	instanceId: string;
	name: string;
	region: string;
	/** InstanceSet.ZoneId (numeric). */
	zoneId: number;
	architecture: TencentArchitecture;
	/** RedisShardNum (1 for a standard instance). */
	shards: number;
	/** InstanceSet.Type: 8 Redis 5.0 standard, 9 Redis 5.0 cluster (the model's table). */
	type: number;
	engineVersion: string;
	sizeMb: number;
	createdMs: number;
	/** InstanceSet.Status: 0 to be initialized, 1 in a process, 2 running, -2 isolated, -3 to be deleted. Only a
	 * running instance (2) can be backed up; ManualBackupInstance refuses the others with
	 * ResourceUnavailable.InstanceStatusAbnormal. */
	status: number;
}

export interface TencentShardRecord {
	/** 0-based; the file name carries shard + 1. */
	shard: number;
	fileName: string;
	sizeBytes: number;
	/** Absent while the backup runs, and for a failed shard whose file is gone. */
	file?: EmulatedFile;
	/** This shard's file is invalid: DescribeBackupUrl reports its FileSize as 0 ("0 means invalid"). */
	failed?: boolean;
}

export interface TencentBackupRecord {
	backupId: string;
	instanceId: string;
	startMs: number;
	/** Undefined while the backup is in progress. */
	endMs?: number;
	backupType: TencentBackupType;
	remark: string;
	storageDays: number;
	locked: boolean;
	/** While true the backup is listed with Status 1 (in process) and has no files yet. */
	inProgress: boolean;
	/** Status 3 (being exported) or 4 (exported), when set on a finished backup. */
	exportStatus?: 3 | 4;
	shards: TencentShardRecord[];
	/** The ManualBackupInstance task that made it, if any. */
	taskId?: number;
	/** Set by expireBackup: the backup expired then (Status -1, ExpireTime) instead of start + storageDays. */
	expiredMs?: number;
}

export interface TencentTaskRecord {
	taskId: number;
	instanceId: string;
	createdMs: number;
	stepMs: number;
	outcome: TencentTaskOutcome;
	backup: TencentBackupRecord;
	/** Set when the task ended (on the emulator clock). */
	endedMs?: number;
}

export interface AddTencentInstanceInput {
	instanceId: string;
	region: string;
	architecture: TencentArchitecture;
	shards?: number;
	name?: string;
	status?: number;
	engineVersion?: string;
}

export interface AddTencentBackupInput {
	instanceId: string;
	startMs: number;
	durationMs?: number;
	/** Size of the one file of a standard instance; per shard on a cluster unless shardSizes is given. */
	sizeBytes?: number;
	/** One size per shard (clusters). */
	shardSizes?: number[];
	/** Shards (0-based) whose file is invalid (FileSize 0, no file); see failShard(). */
	failedShards?: number[];
	backupType?: TencentBackupType;
	remark?: string;
	storageDays?: number;
	locked?: boolean;
	exportStatus?: 3 | 4;
	/** Listed as Status 1 with no files (what a running task shows). */
	inProgress?: boolean;
}

export interface StartTencentTaskInput {
	instanceId: string;
	outcome?: TencentTaskOutcome;
	remark?: string;
	storageDays?: number;
	stepMs?: number;
	/** Bytes per file (per shard on a cluster). */
	sizeBytes?: number;
	backupType?: TencentBackupType;
}

/** Steps of a task: preparing for one step, running for two, then its outcome. */
const TASK_STEPS = 3;

function stableNumber(text: string, modulo: number, base = 0): number {
	return base + (createHash('md5').update(text).digest().readUInt32BE(0) % modulo);
}

const COS_BUCKET = 'redis-database-backup-1258000000';
const ACCOUNT_UIN = '100000000001';

export class TencentStore {
	readonly instances = new Map<string, TencentInstanceRecord>();
	readonly backups: TencentBackupRecord[] = [];
	readonly tasks: TencentTaskRecord[] = [];
	/** Object key (bucket/path) -> file. */
	readonly files = new Map<string, EmulatedFile>();
	private nextSeq = 1165734322;
	private nextTaskId = 6954227;

	constructor(
		private readonly clock: Clock,
		private readonly settings: { taskStepMs: number },
	) {}

	instance(instanceId: string): TencentInstanceRecord | undefined {
		return this.instances.get(instanceId);
	}

	private requireInstance(instanceId: string): TencentInstanceRecord {
		const instance = this.instances.get(instanceId);
		if (!instance) throw new Error(`unknown instance ${instanceId}; call addInstance() first`);
		return instance;
	}

	addInstance(input: AddTencentInstanceInput): TencentInstanceRecord {
		const cluster = input.architecture === 'cluster';
		const record: TencentInstanceRecord = {
			instanceId: input.instanceId,
			name: input.name ?? input.instanceId,
			region: input.region,
			zoneId: 100003,
			architecture: input.architecture,
			shards: cluster ? (input.shards ?? 3) : 1,
			type: cluster ? 9 : 8,
			engineVersion: input.engineVersion ?? '5.0',
			sizeMb: 1024,
			createdMs: this.clock.now() - 120 * DAY,
			status: input.status ?? 2,
		};
		this.instances.set(record.instanceId, record);
		return record;
	}

	/** Find a backup by ID (any instance). */
	backup(backupId: string): TencentBackupRecord | undefined {
		return this.backups.find((b) => b.backupId === backupId);
	}

	task(taskId: number): TencentTaskRecord | undefined {
		return this.tasks.find((t) => t.taskId === taskId);
	}

	/** RedisBackupSet.Status now: 1 in process, -1 expired, 3/4 export states, else 2 (normal). */
	backupStatus(backup: TencentBackupRecord, now = this.clock.now()): number {
		if (backup.inProgress) return 1;
		if (now >= this.expireMs(backup)) return -1;
		return backup.exportStatus ?? 2;
	}

	expireMs(backup: TencentBackupRecord): number {
		return backup.expiredMs ?? backup.startMs + backup.storageDays * DAY;
	}

	private requireFinished(backupId: string): TencentBackupRecord {
		const backup = this.backup(backupId);
		if (!backup) throw new Error(`unknown backup ${backupId}`);
		if (backup.inProgress) throw new Error(`backup ${backupId} is still in progress (Status 1)`);
		return backup;
	}

	/**
	 * A backup deleted (by its owner, or cleaned up): gone from DescribeInstanceBackups whatever the Status filter
	 * (also [-2], "deleted", which lists nothing here) and from GetRedisBackupList; DescribeBackupUrl answers
	 * BackupNotExists, its files are gone (old URLs answer NoSuchKey). A backup in progress cannot be deleted.
	 */
	deleteBackup(backupId: string): TencentBackupRecord {
		const backup = this.requireFinished(backupId);
		this.backups.splice(this.backups.indexOf(backup), 1);
		for (const shard of backup.shards) {
			if (shard.file) this.files.delete(shard.file.key);
			shard.file = undefined;
		}
		return backup;
	}

	/**
	 * A backup past its retention now, as Tencent reports it: Status -1, ExpireTime now; no longer in the default
	 * DescribeInstanceBackups list (Status [2]), listed with Status [-1]; DescribeBackupUrl answers
	 * ResourceUnavailable.BackupStatusInvalid. A backup in progress cannot expire.
	 */
	expireBackup(backupId: string): TencentBackupRecord {
		const backup = this.requireFinished(backupId);
		backup.expiredMs = Math.min(this.clock.now(), this.expireMs(backup));
		return backup;
	}

	/** DescribeTaskInfo.Status now. */
	taskStatus(task: TencentTaskRecord, now = this.clock.now()): TencentTaskStatus {
		const step = Math.floor((now - task.createdMs) / task.stepMs);
		if (step < 1) return 'preparing';
		if (step < TASK_STEPS) return 'running';
		return task.outcome;
	}

	private newFile(instance: TencentInstanceRecord, backup: TencentBackupRecord, shard: TencentShardRecord, endMs: number): EmulatedFile {
		const instanceNumber = stableNumber(instance.instanceId, 9000000, 1000000);
		const day = beijingTime(backup.startMs).slice(0, 10);
		// Real URLs put a '-' before the file name in the object path that FileName does not have; a client must take
		// the name from FileName, not from the URL.
		const key = `${COS_BUCKET}/${ACCOUNT_UIN}/redis/${instanceNumber}/data/${day}/-${shard.fileName}`;
		const file: EmulatedFile = { key, name: shard.fileName, size: shard.sizeBytes, seed: key, lastModifiedMs: endMs };
		this.files.set(key, file);
		return file;
	}

	private shardRecords(instance: TencentInstanceRecord, seq: number, sizes: number[]): TencentShardRecord[] {
		const instanceNumber = stableNumber(instance.instanceId, 9000000, 1000000);
		return sizes.map((sizeBytes, shard) => ({
			shard,
			sizeBytes,
			fileName: `${seq}-${instanceNumber}-redis-server-${instance.engineVersion}.5-${instanceNumber}-ignore-${shard + 1}-ignore.rdb`,
		}));
	}

	/** A backup as DescribeInstanceBackups will list it (one file, or one per shard on a cluster). */
	addBackup(input: AddTencentBackupInput): TencentBackupRecord {
		const instance = this.requireInstance(input.instanceId);
		const seq = this.nextSeq++;
		const sizes =
			input.shardSizes ?? Array.from({ length: instance.shards }, () => input.sizeBytes ?? 1048576);
		if (sizes.length !== instance.shards) {
			throw new Error(`${instance.instanceId} has ${instance.shards} shard(s), got ${sizes.length} sizes`);
		}
		const inProgress = input.inProgress ?? false;
		const record: TencentBackupRecord = {
			backupId: `${stableNumber(instance.instanceId, 900000000, 100000000)}-${seq}-${Math.floor(input.startMs / 1000) % 1000000000}`,
			instanceId: instance.instanceId,
			startMs: input.startMs,
			endMs: inProgress ? undefined : input.startMs + (input.durationMs ?? 40000),
			backupType: input.backupType ?? 'automatic',
			remark: input.remark ?? '',
			storageDays: input.storageDays ?? 7,
			locked: input.locked ?? false,
			inProgress,
			exportStatus: input.exportStatus,
			shards: this.shardRecords(instance, seq, sizes),
		};
		if (record.endMs !== undefined) this.materialize(instance, record, record.endMs);
		this.backups.push(record);
		for (const shard of input.failedShards ?? []) this.failShard(record.backupId, shard);
		return record;
	}

	/** Files for every shard not marked failed. */
	private materialize(instance: TencentInstanceRecord, backup: TencentBackupRecord, endMs: number): void {
		for (const shard of backup.shards) {
			if (!shard.failed) shard.file = this.newFile(instance, backup, shard, endMs);
		}
	}

	/**
	 * One shard's file is invalid while the backup stays Status 2, the way Tencent can express it: DescribeBackupUrl
	 * reports that shard's FileSize as 0 (documented: "0 means invalid"). Its file is gone (empty URLs, the old URL
	 * answers NoSuchKey) unless keepFile: a working URL next to FileSize 0, which must not be trusted either. On a
	 * backup still in progress, the shard gets no file when its task succeeds.
	 */
	failShard(backupId: string, shard: number, opts: { keepFile?: boolean } = {}): TencentShardRecord {
		const backup = this.backup(backupId);
		if (!backup) throw new Error(`unknown backup ${backupId}`);
		const record = backup.shards[shard];
		if (!record) throw new Error(`${backupId} has no shard ${shard} (it has ${backup.shards.length})`);
		record.failed = true;
		if (!opts.keepFile && record.file) {
			this.files.delete(record.file.key);
			record.file = undefined;
		}
		return record;
	}

	/** What ManualBackupInstance does: a task, and a backup in progress (Status 1) started at the task's start. */
	startTask(input: StartTencentTaskInput): TencentTaskRecord {
		const instance = this.requireInstance(input.instanceId);
		const now = this.clock.now();
		const backup = this.addBackup({
			instanceId: instance.instanceId,
			startMs: now,
			sizeBytes: input.sizeBytes ?? 2 * 1048576,
			backupType: input.backupType ?? 'manual',
			remark: input.remark,
			storageDays: input.storageDays,
			inProgress: true,
		});
		const task: TencentTaskRecord = {
			taskId: this.nextTaskId++,
			instanceId: instance.instanceId,
			createdMs: now,
			stepMs: input.stepMs ?? this.settings.taskStepMs,
			outcome: input.outcome ?? 'succeed',
			backup,
		};
		backup.taskId = task.taskId;
		this.tasks.push(task);
		return task;
	}

	/** Bring tasks up to the clock. Called before every answer. */
	sync(): void {
		const now = this.clock.now();
		for (const task of this.tasks) {
			if (task.endedMs !== undefined) continue;
			const endMs = task.createdMs + TASK_STEPS * task.stepMs;
			if (now < endMs) continue;
			task.endedMs = endMs;
			const backup = task.backup;
			if (task.outcome === 'succeed') {
				backup.inProgress = false;
				backup.endMs = endMs;
				this.materialize(this.requireInstance(task.instanceId), backup, endMs);
			} else {
				// A failed backup is not kept: it simply stops being listed.
				const index = this.backups.indexOf(backup);
				if (index >= 0) this.backups.splice(index, 1);
			}
		}
	}

	/** Demo data relative to the clock: a standard instance and a 3-shard cluster in ap-guangzhou. */
	seedDemo(): void {
		const now = this.clock.now();
		this.addInstance({ instanceId: 'crs-demostd01', region: 'ap-guangzhou', architecture: 'standard', name: 'demo-standard' });
		this.addInstance({
			instanceId: 'crs-democls01',
			region: 'ap-guangzhou',
			architecture: 'cluster',
			shards: 3,
			name: 'demo-cluster',
		});
		// The nightly backups of the last 10 days (kept 7 days: the three oldest are expired, Status -1), and 12 manual
		// ones over the last 6 days.
		for (let d = 10; d >= 1; d--) {
			this.addBackup({
				instanceId: 'crs-demostd01',
				startMs: now - d * DAY + 3600000,
				durationMs: 30000 + d * 1000,
				sizeBytes: 262144 + d * 65536,
				backupType: 'automatic',
			});
		}
		for (let i = 0; i < 12; i++) {
			this.addBackup({
				instanceId: 'crs-demostd01',
				startMs: Math.floor(now - 6 * DAY + (i * 6 * DAY) / 12 + 1800000),
				durationMs: 20000 + i * 1000,
				sizeBytes: 131072 + ((i * 104729) % 900000),
				backupType: 'manual',
				remark: `manual backup ${i + 1}`,
			});
		}
		for (let d = 6; d >= 1; d--) {
			this.addBackup({
				instanceId: 'crs-democls01',
				startMs: now - d * DAY + 2 * 3600000,
				durationMs: 60000 + d * 5000,
				shardSizes: [262144 + d * 4096, 393216 + d * 4096, 327680 + d * 4096],
				backupType: 'automatic',
			});
		}
	}
}
