import { createHash } from 'crypto';

import type { Clock } from '../common/clock';
import type { EmulatedFile } from '../common/files';
import { DEFAULT_PROJECT } from './signature';

/**
 * In-memory state of one emulated UCloud account: master-slave Redis (URedis) groups and their backups, the backup
 * files on US3 (UFile). Times are epoch milliseconds on the emulator's (skewed) clock; the API writes UNIX seconds.
 */

/** URedisBackupSet.State. */
export type URedisBackupState = 'Backuping' | 'Success' | 'Error' | 'Expired';
/** URedisBackupSet.BackupType: "Manual" or "Auto" (the daily automatic backup). */
export type URedisBackupType = 'Manual' | 'Auto';
/** URedisGroupSet.State, as documented for DescribeURedisGroup. Only a Running group can be backed up. */
export type URedisGroupState =
	| 'Creating'
	| 'CreateFail'
	| 'Deleting'
	| 'DeleteFail'
	| 'Running'
	| 'Resizing'
	| 'ResizeFail'
	| 'Configing'
	| 'ConfigFail'
	| 'SSLSwitching'
	| 'SSLSwitchFail';
/** How a backup in progress ends. */
export type UCloudBackupOutcome = 'success' | 'error';

const DAY = 86400000;

/** Regions and zones the emulator knows (docs.ucloud.cn/api/summary/regionlist; cn-bj2-04 from the API samples). */
export const UCLOUD_ZONES: Readonly<Record<string, readonly string[]>> = {
	'cn-bj1': ['cn-bj1-01'],
	'cn-bj2': ['cn-bj2-02', 'cn-bj2-03', 'cn-bj2-04', 'cn-bj2-05'],
	'cn-wlcb': ['cn-wlcb-01', 'cn-wlcb-03'],
	'cn-sh2': ['cn-sh2-01', 'cn-sh2-02', 'cn-sh2-03'],
	'cn-gd': ['cn-gd-02'],
	'cn-gd2': ['cn-gd2-01'],
	hk: ['hk-02', 'hk-03'],
	sg: ['sg-01', 'sg-02'],
	'jpn-tky': ['jpn-tky-01'],
	'us-ca': ['us-ca-01'],
	'ge-fra': ['ge-fra-01'],
};

/** US3's host name of a region (`<bucket>.<region>.ufileos.com`; cn-bj2 files live in cn-bj's buckets). */
export function us3Region(region: string): string {
	return region.replace(/\d+$/, '');
}

export interface UCloudGroupRecord {
	groupId: string;
	name: string;
	region: string;
	zone: string;
	/** Cross-zone URedis: the slave's zone ('' when not cross-zone). */
	slaveZone: string;
	projectId: string;
	state: URedisGroupState;
	/** Size (GB). */
	sizeGb: number;
	/** UsedSize (MB). */
	usedSizeMb: number;
	/** Redis version, e.g. "5.0". */
	version: string;
	createdMs: number;
	modifiedMs: number;
	expireMs: number;
	chargeType: 'Year' | 'Month' | 'Dynamic';
	autoBackup: 'enable' | 'disable';
	/** Hour of the automatic backup, 0..23. */
	backupHour: number;
	virtualIp: string;
	port: number;
	vpcId: string;
	subnetId: string;
	configId: string;
}

export interface UCloudBackupRecord {
	backupId: string;
	groupId: string;
	name: string;
	type: URedisBackupType;
	/** BackupTime: when the backup started. */
	startMs: number;
	/** Size of the RDB file once done. */
	sizeBytes: number;
	/** Set while Backuping: when it ends, and how. */
	doneMs?: number;
	outcome?: UCloudBackupOutcome;
	/** The backup failed (State Error, BackupSize 0, no file). */
	failed: boolean;
	/** From then on the backup is Expired (its file is gone). Undefined: kept until deleted. */
	expireMs?: number;
	file?: EmulatedFile;
}

export interface AddUCloudGroupInput {
	groupId: string;
	region: string;
	zone?: string;
	name?: string;
	projectId?: string;
	state?: URedisGroupState;
	sizeGb?: number;
	version?: string;
	slaveZone?: string;
	createdMs?: number;
}

export interface AddUCloudBackupInput {
	groupId: string;
	startMs: number;
	/** Bytes of the RDB file (default 1 MiB). */
	sizeBytes?: number;
	/** Default "backup_<yyyyMMddHHmmss>" for Manual, "autobackup_<yyyyMMdd>" for Auto. */
	name?: string;
	type?: URedisBackupType;
	/** State at start: 'Backuping' (no file yet; ends `durationMs` after startMs, default one backup), 'Error' (no
	 * file), 'Expired' (expired a minute ago, no file) or 'Success' (the default; expires after `retentionDays` when
	 * given). */
	state?: URedisBackupState;
	/** How a 'Backuping' backup ends (default 'success'). */
	outcome?: UCloudBackupOutcome;
	durationMs?: number;
	/** Days after startMs when the backup becomes Expired (default: 7 for Auto backups, never for Manual ones). */
	retentionDays?: number;
	/** Fixed BackupId (default: a UUID derived from the group and a counter). */
	backupId?: string;
}

export interface StartUCloudBackupInput {
	groupId: string;
	name?: string;
	type?: URedisBackupType;
	outcome?: UCloudBackupOutcome;
	sizeBytes?: number;
	/** Time the backup stays Backuping (default BACKUP_STEPS x settings.backupStepMs). */
	durationMs?: number;
}

/** A backup stays Backuping for this many backupStepMs. */
export const BACKUP_STEPS = 3;
/** Automatic backups are kept 7 days ("免费保留近7天的备份", the URedis backup guide). */
export const AUTO_RETENTION_DAYS = 7;

/** The US3 bucket URedis backups live in (the DescribeURedisBackupURL sample's "umembXXXXXup-9001"). */
export const US3_BUCKET = 'umembackup-9001';

function digest(text: string): Buffer {
	return createHash('md5').update(text).digest();
}

/** A stable UUID (v4 layout) from a seed: the shape of the documented BackupIds. */
export function stableUuid(seed: string): string {
	const hex = digest(seed).toString('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** `yyyyMMddHHmmss` in Beijing time, for default backup names. */
function stamp(ms: number): string {
	return new Date(ms + 8 * 3600000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export class UCloudStore {
	readonly groups = new Map<string, UCloudGroupRecord>();
	readonly backups: UCloudBackupRecord[] = [];
	/** Object key (bucket/key) -> file. */
	readonly files = new Map<string, EmulatedFile>();
	private seq = 0;

	constructor(
		private readonly clock: Clock,
		private readonly settings: { backupStepMs: number },
	) {}

	group(groupId: string): UCloudGroupRecord | undefined {
		return this.groups.get(groupId);
	}

	requireGroup(groupId: string): UCloudGroupRecord {
		const group = this.groups.get(groupId);
		if (!group) throw new Error(`unknown URedis group ${groupId}; call addInstance() first`);
		return group;
	}

	backup(backupId: string): UCloudBackupRecord | undefined {
		return this.backups.find((b) => b.backupId === backupId);
	}

	requireBackup(backupId: string): UCloudBackupRecord {
		const backup = this.backup(backupId);
		if (!backup) throw new Error(`unknown URedis backup ${backupId}`);
		return backup;
	}

	addGroup(input: AddUCloudGroupInput): UCloudGroupRecord {
		const zones = UCLOUD_ZONES[input.region];
		const now = this.clock.now();
		const n = digest(input.groupId);
		const record: UCloudGroupRecord = {
			groupId: input.groupId,
			name: input.name ?? input.groupId,
			region: input.region,
			zone: input.zone ?? zones?.[0] ?? `${input.region}-01`,
			slaveZone: input.slaveZone ?? '',
			projectId: input.projectId ?? DEFAULT_PROJECT,
			state: input.state ?? 'Running',
			sizeGb: input.sizeGb ?? 4,
			usedSizeMb: 61 + (n[0] % 200),
			version: input.version ?? '5.0',
			createdMs: input.createdMs ?? now - 90 * DAY,
			modifiedMs: input.createdMs ?? now - 90 * DAY,
			expireMs: (input.createdMs ?? now) + 365 * DAY,
			chargeType: 'Month',
			autoBackup: 'enable',
			backupHour: 3,
			virtualIp: `10.9.${n[1]}.${1 + (n[2] % 250)}`,
			port: 6379,
			vpcId: `uvnet-${n.toString('hex').slice(0, 8)}`,
			subnetId: `subnet-${n.toString('hex').slice(8, 16)}`,
			configId: '3cdeeb90-dcbf-46e8-95cd-a05d8860a22c',
		};
		this.groups.set(record.groupId, record);
		return record;
	}

	/** URedisBackupSet.State now. */
	backupState(backup: UCloudBackupRecord, now = this.clock.now()): URedisBackupState {
		if (backup.failed) return 'Error';
		if (backup.doneMs !== undefined) return 'Backuping';
		if (backup.expireMs !== undefined && now >= backup.expireMs) return 'Expired';
		return 'Success';
	}

	private objectKey(group: UCloudGroupRecord, backup: UCloudBackupRecord): string {
		// The sample URL's object: "<GroupId>/<BackupName>-<BackupId>" in the UMem backup bucket.
		return `${US3_BUCKET}/${group.groupId}/${backup.name}-${backup.backupId}`;
	}

	private materialize(backup: UCloudBackupRecord, doneMs: number): void {
		const group = this.requireGroup(backup.groupId);
		const key = this.objectKey(group, backup);
		backup.file = { key, name: `${backup.name}-${backup.backupId}.rdb`, size: backup.sizeBytes, seed: key, lastModifiedMs: doneMs };
		this.files.set(key, backup.file);
	}

	private dropFile(backup: UCloudBackupRecord): void {
		if (backup.file) this.files.delete(backup.file.key);
		backup.file = undefined;
	}

	addBackup(input: AddUCloudBackupInput): UCloudBackupRecord {
		const group = this.requireGroup(input.groupId);
		const type = input.type ?? 'Auto';
		const state = input.state ?? 'Success';
		const seq = ++this.seq;
		const retentionDays = input.retentionDays ?? (type === 'Auto' ? AUTO_RETENTION_DAYS : undefined);
		const record: UCloudBackupRecord = {
			backupId: input.backupId ?? stableUuid(`${group.groupId}/${seq}/${input.startMs}`),
			groupId: group.groupId,
			name: input.name ?? (type === 'Auto' ? `autobackup_${stamp(input.startMs).slice(0, 8)}` : `backup_${stamp(input.startMs)}`),
			type,
			startMs: input.startMs,
			sizeBytes: input.sizeBytes ?? 1048576,
			failed: state === 'Error',
			expireMs: retentionDays === undefined ? undefined : input.startMs + retentionDays * DAY,
		};
		if (state === 'Expired') record.expireMs = Math.min(record.expireMs ?? Infinity, this.clock.now() - 60000);
		if (state === 'Backuping') {
			record.doneMs = input.startMs + (input.durationMs ?? BACKUP_STEPS * this.settings.backupStepMs);
			record.outcome = input.outcome ?? 'success';
		}
		if (state === 'Success') this.materialize(record, input.startMs + (input.durationMs ?? 30000));
		this.backups.push(record);
		return record;
	}

	/** What CreateURedisBackup does: a Manual backup, Backuping from now. */
	startBackup(input: StartUCloudBackupInput): UCloudBackupRecord {
		const now = this.clock.now();
		return this.addBackup({
			groupId: input.groupId,
			startMs: now,
			name: input.name,
			type: input.type ?? 'Manual',
			state: 'Backuping',
			outcome: input.outcome,
			sizeBytes: input.sizeBytes ?? 2 * 1048576,
			durationMs: input.durationMs,
		});
	}

	/** Ends a backup as failed now (State Error, BackupSize 0); its file, if any, is gone. */
	failBackup(backupId: string): UCloudBackupRecord {
		const backup = this.requireBackup(backupId);
		backup.failed = true;
		backup.doneMs = undefined;
		backup.outcome = undefined;
		this.dropFile(backup);
		return backup;
	}

	private requireFinished(backupId: string): UCloudBackupRecord {
		const backup = this.requireBackup(backupId);
		if (backup.doneMs !== undefined) throw new Error(`URedis backup ${backupId} is still Backuping`);
		return backup;
	}

	/** A backup deleted: no longer listed by DescribeURedisBackup (nor counted in TotalCount), DescribeURedisBackupURL
	 * answers 230 (no such backup), its file is gone (old URLs answer 404). A Backuping one cannot be deleted. */
	deleteBackup(backupId: string): UCloudBackupRecord {
		const backup = this.requireFinished(backupId);
		this.backups.splice(this.backups.indexOf(backup), 1);
		this.dropFile(backup);
		return backup;
	}

	/** A backup past its retention now: State Expired (still listed, BackupSize kept), its file gone,
	 * DescribeURedisBackupURL 20202. An Error backup stays Error. A Backuping one cannot expire. */
	expireBackup(backupId: string): UCloudBackupRecord {
		const backup = this.requireFinished(backupId);
		backup.expireMs = Math.min(this.clock.now(), backup.expireMs ?? Infinity);
		this.dropFile(backup);
		return backup;
	}

	/** Bring backups up to the clock: finish those whose time has come, drop the files of expired ones. Called before
	 * every answer. */
	sync(): void {
		const now = this.clock.now();
		for (const backup of this.backups) {
			if (backup.doneMs !== undefined && now >= backup.doneMs) {
				const doneMs = backup.doneMs;
				const outcome = backup.outcome;
				backup.doneMs = undefined;
				backup.outcome = undefined;
				if (outcome === 'error') backup.failed = true;
				else this.materialize(backup, doneMs);
			}
			if (backup.file && backup.expireMs !== undefined && now >= backup.expireMs) this.dropFile(backup);
		}
	}

	/** Manual backups of a group that count against a limit (not failed, not expired). */
	manualBackupCount(groupId: string, now = this.clock.now()): number {
		return this.backups.filter(
			(b) => b.groupId === groupId && b.type === 'Manual' && ['Backuping', 'Success'].includes(this.backupState(b, now)),
		).length;
	}

	/**
	 * Demo data relative to the clock, in cn-bj2: `uredis-demo01` (zone cn-bj2-04) with 20 backups over the last 8
	 * days (8 daily automatic ones, kept 7 days: the oldest is Expired; 12 manual ones, one of them Error) and
	 * `uredis-demo02` (zone cn-bj2-05, 4 daily backups).
	 */
	seedDemo(): void {
		const now = this.clock.now();
		const hour = 3600000;
		this.addGroup({ groupId: 'uredis-demo01', region: 'cn-bj2', zone: 'cn-bj2-04', name: 'demo-cache', sizeGb: 4 });
		this.addGroup({ groupId: 'uredis-demo02', region: 'cn-bj2', zone: 'cn-bj2-05', name: 'demo-sessions', sizeGb: 2, version: '6.0' });
		// Daily automatic backups over the last 7 days, kept 7 days, and an older one already Expired (the others past
		// their retention are gone, so exactly one Expired shows).
		for (let d = 7; d >= 1; d--) {
			this.addBackup({
				groupId: 'uredis-demo01',
				startMs: now - d * DAY + 2 * hour,
				type: 'Auto',
				sizeBytes: 262144 + d * 65536,
				retentionDays: AUTO_RETENTION_DAYS,
			});
		}
		this.addBackup({ groupId: 'uredis-demo01', startMs: now - 8 * DAY - 2 * hour, type: 'Auto', sizeBytes: 786432, state: 'Expired' });
		for (let i = 0; i < 12; i++) {
			this.addBackup({
				groupId: 'uredis-demo01',
				startMs: Math.floor(now - 6 * DAY + (i * 6 * DAY) / 12 + 1800000),
				type: 'Manual',
				name: `manual_${String(i + 1).padStart(2, '0')}`,
				sizeBytes: 131072 + ((i * 104729) % 900000),
				state: i === 5 ? 'Error' : 'Success',
			});
		}
		for (let d = 4; d >= 1; d--) {
			this.addBackup({ groupId: 'uredis-demo02', startMs: now - d * DAY - 3 * hour, type: 'Auto', sizeBytes: 196608 + d * 4096 });
		}
	}
}
