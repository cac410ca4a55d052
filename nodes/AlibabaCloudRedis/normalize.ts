/**
 * Alibaba R-KVStore records -> the one model (common/model.ts). The tables below are the documented values;
 * the tests walk every one of them. Unknown values map to 'unknown' and keep the raw value beside it.
 */
import {
	type Backup,
	type BackupFile,
	type BackupMode,
	type BackupStatus,
	type BackupTask,
	fileNameFromUrl,
	parseByteCount,
	safeFileName,
	parsePercent,
	sumSizes,
} from '../common/model';
import { expiresParamOf, listOf as recordsOf, type Raw, requireId, text } from '../common/decode';
import { parseProviderTime, UTC } from '../common/time';

/** DescribeBackups `BackupStatus` (standard instances). */
export const STANDARD_BACKUP_STATUS: Record<string, BackupStatus> = {
	Success: 'succeeded',
	Failed: 'failed',
	Running: 'running',
};

/** DescribeClusterBackupList `ClusterBackupStatus` (a backup set). */
export const CLUSTER_SET_STATUS: Record<string, BackupStatus> = {
	OK: 'succeeded',
	RUNNING: 'running',
	Failed: 'failed',
};

/** DescribeClusterBackupList `Backups[].BackupStatus` (one shard's file). */
export const CLUSTER_FILE_STATUS: Record<string, BackupStatus> = {
	OK: 'succeeded',
	ERROR: 'failed',
};

/** DescribeBackupTasks `BackupProgressStatus`. Finished is the only terminal state the API documents. */
export const TASK_STATUS: Record<string, BackupStatus> = {
	NoStart: 'pending',
	Waiting: 'pending',
	Preparing: 'running',
	Uploading: 'running',
	Checking: 'running',
	Finished: 'succeeded',
};

/** `BackupMode`, `ClusterBackupMode` and `JobMode`. */
export const BACKUP_MODE: Record<string, BackupMode> = {
	Automated: 'automatic',
	Manual: 'manual',
};

/** DescribeBackupTasks `TaskAction`, used only when `JobMode` is absent. */
export const TASK_ACTION_MODE: Record<string, BackupMode> = {
	NormalBackupTask: 'automatic',
	TempBackupTask: 'manual',
};

/**
 * Alibaba's values are documented words: only the exact word counts (a padded or numeric value stays 'unknown'),
 * where common/decode.ts `lookup` also reads the numeric codes other clouds send.
 */
function lookup<T extends string>(table: Record<string, T>, value: unknown, fallback: T): T {
	return typeof value === 'string' && Object.prototype.hasOwnProperty.call(table, value)
		? table[value]
		: fallback;
}

/** Alibaba writes UTC times with and without the trailing Z (documented; see the seed pages). */
export function alibabaTime(value: unknown): string | null {
	return parseProviderTime(value, UTC);
}

/** OSS presigned URLs carry `Expires` (UNIX seconds); that is when the URL stops working. Unreadable: unknown. */
export const urlExpiry = expiresParamOf;

function expiryOf(...urls: Array<string | null>): string | null {
	const times = urls
		.map(urlExpiry)
		.filter((t): t is string => t !== null)
		.sort();
	return times[0] ?? null;
}

export interface AlibabaContext {
	region: string | null;
	instanceId: string;
}

/** One DescribeBackups record: a standard instance's backup, one file. */
export function normalizeStandardBackup(raw: Raw, context: AlibabaContext): Backup {
	const downloadUrl = text(raw.BackupDownloadURL);
	const internalDownloadUrl = text(raw.BackupIntranetDownloadURL);
	const status = lookup(STANDARD_BACKUP_STATUS, raw.BackupStatus, 'unknown');
	const sizeBytes = parseByteCount(raw.BackupSize);
	const backupId = requireId(raw.BackupId, 'BackupId');
	const file: BackupFile = {
		name:
			fileNameFromUrl(downloadUrl) ??
			fileNameFromUrl(internalDownloadUrl) ??
			safeFileName(`${context.instanceId}_${backupId}.rdb`),
		fileId: backupId,
		nodeId: text(raw.NodeInstanceId),
		status,
		providerStatus: text(raw.BackupStatus),
		sizeBytes,
		downloadUrl,
		internalDownloadUrl,
		expiresAt: expiryOf(downloadUrl, internalDownloadUrl),
	};
	return {
		kind: 'backup',
		provider: 'alibaba',
		region: context.region,
		instanceId: context.instanceId,
		backupId,
		status,
		providerStatus: text(raw.BackupStatus),
		mode: lookup(BACKUP_MODE, raw.BackupMode, 'unknown'),
		providerMode: text(raw.BackupMode),
		startedAt: alibabaTime(raw.BackupStartTime),
		finishedAt: alibabaTime(raw.BackupEndTime),
		sizeBytes,
		files: [file],
		taskId: text(raw.BackupJobID),
		locked: null,
		remark: null,
		raw,
	};
}

/** One DescribeClusterBackupList record: a backup set with one file per shard. */
export function normalizeClusterBackupSet(raw: Raw, context: AlibabaContext): Backup {
	const backupId = requireId(raw.ClusterBackupId, 'ClusterBackupId');
	const shards =
		raw.Backups === undefined || raw.Backups === null ? [] : listOf(raw.Backups, 'Backup');
	const files: BackupFile[] = shards.map((shard, index) => {
		const downloadUrl = text(shard.BackupDownloadURL);
		const internalDownloadUrl = text(shard.BackupIntranetDownloadURL);
		return {
			// The shard's BackupName is the cloud's text: only its safe base name is ever used as a file name.
			name: safeFileName(
				text(shard.BackupName),
				fileNameFromUrl(downloadUrl) ??
					fileNameFromUrl(internalDownloadUrl) ??
					`${context.instanceId}_${text(shard.BackupId) ?? index}.rdb`,
			),
			fileId: text(shard.BackupId),
			nodeId: text(shard.InstanceName),
			status: lookup(CLUSTER_FILE_STATUS, shard.BackupStatus, 'unknown'),
			providerStatus: text(shard.BackupStatus),
			sizeBytes: parseByteCount(shard.BackupSize),
			downloadUrl,
			internalDownloadUrl,
			expiresAt: expiryOf(downloadUrl, internalDownloadUrl),
		};
	});
	// Alibaba can report a set OK while one shard's own status is ERROR: such a set cannot be restored.
	const reported = lookup(CLUSTER_SET_STATUS, raw.ClusterBackupStatus, 'unknown');
	const shardFailed = files.some((file) => file.status === 'failed');
	const setStatus = reported === 'succeeded' && shardFailed ? 'failed' : reported;
	return {
		kind: 'backup',
		provider: 'alibaba',
		region: context.region,
		instanceId: context.instanceId,
		backupId,
		status: setStatus,
		providerStatus: text(raw.ClusterBackupStatus),
		mode: lookup(BACKUP_MODE, raw.ClusterBackupMode, 'unknown'),
		providerMode: text(raw.ClusterBackupMode),
		startedAt: alibabaTime(raw.ClusterBackupStartTime),
		finishedAt: alibabaTime(raw.ClusterBackupEndTime),
		sizeBytes: parseByteCount(raw.ClusterBackupSize) ?? sumSizes(files),
		files,
		taskId: null,
		locked: null,
		remark: null,
		raw,
	};
}

/** One DescribeBackupTasks record. */
export function normalizeBackupTask(raw: Raw, context: AlibabaContext): BackupTask {
	// Same test as providerMode below, so an empty or numeric JobMode cannot give a mode that contradicts it.
	const mode =
		text(raw.JobMode) !== null
			? lookup(BACKUP_MODE, raw.JobMode, 'unknown')
			: lookup(TASK_ACTION_MODE, raw.TaskAction, 'unknown');
	return {
		kind: 'backupTask',
		provider: 'alibaba',
		region: context.region,
		instanceId: text(raw.InstanceId) ?? context.instanceId,
		taskId: requireId(raw.BackupJobID, 'BackupJobID'),
		status: lookup(TASK_STATUS, raw.BackupProgressStatus, 'unknown'),
		providerStatus: text(raw.BackupProgressStatus),
		progressPercent: parsePercent(raw.Process),
		mode,
		providerMode: text(raw.JobMode) ?? text(raw.TaskAction),
		startedAt: alibabaTime(raw.StartTime),
		nodeId: text(raw.NodeId),
		raw,
	};
}

/** The task that CreateBackup started, before the first DescribeBackupTasks call has seen it. */
export function normalizeCreatedTask(raw: Raw, context: AlibabaContext): BackupTask {
	return {
		kind: 'backupTask',
		provider: 'alibaba',
		region: context.region,
		instanceId: context.instanceId,
		// A create answered without a job ID cannot be waited for: malformed, never a success with an empty ID.
		taskId: requireId(raw.BackupJobID, 'BackupJobID'),
		status: 'pending',
		providerStatus: null,
		progressPercent: null,
		mode: 'manual',
		providerMode: 'Manual',
		startedAt: null,
		nodeId: null,
		raw,
	};
}

/**
 * Alibaba wraps lists in an object named after the element (`Backups.Backup`); both shapes are accepted. A list
 * that is neither, or an entry that is not a record (`null`, a string), makes the answer malformed.
 */
export function listOf(value: unknown, elementName: string): Raw[] {
	return recordsOf(value, elementName, { wrapped: true });
}
