/**
 * UCloud URedis (master-replica Redis of UMem) records -> the one model (common/model.ts). The tables below are the
 * documented values (the API pages of DescribeURedisBackup and the official SDKs' models); the tests walk every one
 * of them. Unknown values map to 'unknown' and keep the raw value beside it.
 *
 * Times: BackupTime is UNIX seconds; a value that is not a plausible time in seconds (epoch milliseconds, say) makes
 * the answer malformed. Sizes are bytes.
 */
import {
	expiresParamOf,
	listOf,
	lookup,
	type Raw,
	requireId as requireField,
	text,
} from '../common/decode';
import { MalformedAnswerError } from '../common/errors';
import {
	type Backup,
	type BackupFile,
	type BackupMode,
	type BackupStatus,
	type BackupTask,
	fileNameFromUrl,
	parseByteCount,
} from '../common/model';
import { parseUnixSeconds } from '../common/time';
import type { InstanceChoice } from '../common/provider';

export { listOf };

/**
 * `URedisBackupSet.State`: Backuping (in progress), Success (backup succeeded), Error (backup failed), Expired (the
 * backup expired).
 */
export const BACKUP_STATE: Record<string, BackupStatus> = {
	Backuping: 'running',
	Success: 'succeeded',
	Error: 'failed',
	Expired: 'expired',
};

/**
 * `URedisBackupSet.BackupType`, documented as a string: Manual (by the user) or Auto (the daily backup); UMem's
 * distributed Redis writes the same words in lower case. Older answers send a number instead (the API page's own
 * sample has `"BackupType": 1` on a backup named by a user): UCloud's database backups document 0 as automatic and
 * 1 as manual (UDB `BackupType`: 0 自动, 1 手动), and URedis's numbers are read the same way.
 */
export const BACKUP_TYPE_MODE: Record<string, BackupMode> = {
	Manual: 'manual',
	manual: 'manual',
	Auto: 'automatic',
	auto: 'automatic',
	'0': 'automatic',
	'1': 'manual',
};

/** URedis documents its IDs as strings: a number where an ID belongs is malformed; padding is dropped. */
function requireId(value: unknown, field: string): string {
	return requireField(value, field, (id) =>
		typeof id === 'string' && id.trim() !== '' ? id.trim() : null,
	);
}

/** `TotalCount` as a count, or null when the answer has none (or not a count). */
export function totalOf(value: unknown): number | null {
	return parseByteCount(value);
}

/** A backup time: UNIX seconds (a number or a digit string); 0 or absent is "not said". */
export function ucloudTime(value: unknown): string | null {
	return parseUnixSeconds(value);
}

export interface UCloudContext {
	region: string | null;
	instanceId: string;
}

/** One DescribeURedisBackup record (`DataSet` entry). Its file (and URL) comes from DescribeURedisBackupURL. */
export function normalizeBackup(raw: Raw, context: UCloudContext): Backup {
	const backupId = requireId(raw.BackupId, 'BackupId');
	return {
		kind: 'backup',
		provider: 'ucloud',
		region: context.region,
		// The group the record names (the API filters by GroupId); the asked-for one where it names none.
		instanceId: text(raw.GroupId) ?? context.instanceId,
		backupId,
		status: lookup(BACKUP_STATE, raw.State, 'unknown'),
		providerStatus: text(raw.State),
		mode: lookup(BACKUP_TYPE_MODE, raw.BackupType, 'unknown'),
		providerMode: text(raw.BackupType),
		startedAt: ucloudTime(raw.BackupTime),
		finishedAt: null,
		sizeBytes: parseByteCount(raw.BackupSize),
		files: [],
		// URedis has no task API: the job that made a backup is known by the backup's own ID.
		taskId: backupId,
		locked: null,
		remark: text(raw.BackupName),
		raw,
	};
}

/** The DataSet of a DescribeURedisBackup answer. */
export function backupSetOf(response: Raw): Raw[] {
	return listOf(response.DataSet, 'DataSet');
}

function isHttpUrl(value: unknown): value is string {
	if (typeof value !== 'string' || value.trim() === '') return false;
	try {
		const url = new URL(value.trim());
		return url.protocol === 'https:' || url.protocol === 'http:';
	} catch {
		return false;
	}
}

/**
 * When a UFile download URL stops working: its `Expires` query parameter (UNIX seconds), which UFile's signed URLs
 * carry; null when it has none.
 */
export const urlExpiry = expiresParamOf;

/**
 * A DescribeURedisBackupURL answer as the backup's one file: `BackupPath` (the public URL), else the deprecated
 * `BackupURL` (whose documented sample ends with a newline); `InnerBackupPath`, the internal URL (UCloud's API page
 * in Chinese and the Python SDK's schema list it). An answer without a public http(s) URL is malformed.
 */
export function normalizeBackupUrl(response: Raw, backup: Backup): BackupFile {
	const url = [response.BackupPath, response.BackupURL].find(isHttpUrl);
	if (url === undefined) {
		const given = response.BackupPath ?? response.BackupURL;
		throw new MalformedAnswerError(
			`it has no download URL (BackupPath ${given === undefined ? 'missing' : JSON.stringify(given).slice(0, 80)})`,
		);
	}
	const downloadUrl = url.trim();
	const internal = isHttpUrl(response.InnerBackupPath) ? response.InnerBackupPath.trim() : null;
	return {
		name: fileNameFromUrl(downloadUrl),
		fileId: null,
		nodeId: null,
		status: backup.status,
		providerStatus: backup.providerStatus,
		sizeBytes: backup.sizeBytes,
		downloadUrl,
		internalDownloadUrl: internal,
		expiresAt: urlExpiry(downloadUrl) ?? (internal ? urlExpiry(internal) : null),
	};
}

/**
 * A backup as the row of the job that made it: URedis has no task API, so Wait Until Finished polls the backup's
 * own State (the job ID is the backup ID).
 */
export function backupAsTask(backup: Backup): BackupTask {
	return {
		kind: 'backupTask',
		provider: 'ucloud',
		region: backup.region,
		instanceId: backup.instanceId,
		taskId: backup.backupId,
		status: backup.status,
		providerStatus: backup.providerStatus,
		progressPercent: backup.status === 'succeeded' ? 100 : null,
		mode: backup.mode,
		providerMode: backup.providerMode,
		startedAt: backup.startedAt,
		nodeId: null,
		raw: backup.raw,
	};
}

/**
 * A CreateURedisBackup answer: the new backup's ID, as the task of the job (its ID is the backup's). An answer
 * without a BackupId is malformed, never a success.
 */
export function normalizeCreatedBackup(response: Raw, context: UCloudContext): BackupTask {
	const backupId = requireId(response.BackupId, 'BackupId');
	return {
		kind: 'backupTask',
		provider: 'ucloud',
		region: context.region,
		instanceId: context.instanceId,
		taskId: backupId,
		status: 'running',
		providerStatus: null,
		progressPercent: null,
		mode: 'manual',
		providerMode: null,
		startedAt: null,
		nodeId: null,
		raw: response,
	};
}

/** One DescribeURedisGroup record for the instance picker; null for a record without a GroupId. */
export function groupChoice(raw: Raw): InstanceChoice | null {
	const groupId = typeof raw.GroupId === 'string' && raw.GroupId.trim() ? raw.GroupId.trim() : null;
	if (groupId === null) return null;
	const name = text(raw.Name) ?? text(raw.GroupName) ?? groupId;
	const size = text(raw.Size) ?? text(raw.MemorySize);
	const details = [groupId, text(raw.Zone), size !== null ? `${size} GB` : null, text(raw.State)];
	return {
		instanceId: groupId,
		label: `${name} (${details.filter((part): part is string => part !== null).join(', ')})`,
		variant: '',
		...(text(raw.Zone) !== null ? { zone: text(raw.Zone) as string } : {}),
	};
}
