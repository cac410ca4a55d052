/**
 * Tencent Cloud Redis records (API 3.0, version 2018-04-12, and the legacy CRS API) -> the one model
 * (common/model.ts). The tables below are the documented values (the official SDK's models and the API pages);
 * the tests walk every one of them. Unknown values map to 'unknown' and keep the raw value beside it.
 *
 * Times: Tencent writes `YYYY-MM-DD HH:mm:ss` with no zone, meaning Beijing time (UTC+8); they are read and
 * written in that zone explicitly, and every time in the model is UTC ISO-8601.
 */
import { DateTime } from 'luxon';

import { listOf, lookup, type Raw, requireId, text } from '../common/decode';
import { MalformedAnswerError } from '../common/errors';
import {
	type Backup,
	type BackupFile,
	type BackupMode,
	type BackupStatus,
	type BackupTask,
	fileNameFromUrl,
	parseByteCount,
	safeFileName,
} from '../common/model';
import {
	CHINA_STANDARD_TIME,
	formatForProvider,
	parseProviderTime,
	parseUnixSeconds,
} from '../common/time';

export { listOf };

/**
 * `RedisBackupSet.Status` (DescribeInstanceBackups) and legacy `redisBackupSet.status`: 1 the backup is in a process
 * (being made, or locked by another process), 2 a normal backup, 3 being exported to an RDB file, 4 exported,
 * -1 expired, -2 deleted (the API page's Status.N table). A backup being exported or exported is a finished backup.
 */
export const BACKUP_STATUS: Record<string, BackupStatus> = {
	'1': 'running',
	'2': 'succeeded',
	'3': 'succeeded',
	'4': 'succeeded',
	'-1': 'expired',
	'-2': 'deleted',
};

/** `RedisBackupSet.BackupType`: 0 a manual backup by the user, 1 the nightly automatic backup, 2 a backup made by a
 * configuration change. */
export const BACKUP_TYPE_MODE: Record<string, BackupMode> = {
	'0': 'manual',
	'1': 'automatic',
	'2': 'automatic',
};

/** The value of a manual backup's BackupType: what a manual backup task's backup is matched by. */
export const MANUAL_BACKUP_TYPE = '0';

/** Legacy `redisBackupSet.backupType`. */
export const LEGACY_BACKUP_TYPE_MODE: Record<string, BackupMode> = {
	manualBackupInstance: 'manual',
	systemBackupInstance: 'automatic',
};

/** DescribeTaskInfo `Status`: preparing (waiting to run), running, succeed, failed, error (failed with an error). */
export const TASK_STATUS: Record<string, BackupStatus> = {
	preparing: 'pending',
	running: 'running',
	succeed: 'succeeded',
	failed: 'failed',
	error: 'failed',
};

/**
 * DescribeTaskInfo `TaskType`, where it names a backup task: DescribeTaskList documents the backup task types as
 * FLOW_BACKUPINSTANCE ("012", 备份实例, a backup the user asked for) and FLOW_AUTOBACKUP ("017", 自动备份实例).
 * Tencent writes the type as its code, its name or its Chinese title; other task types have no backup mode.
 */
export const TASK_TYPE_MODE: Record<string, BackupMode> = {
	FLOW_BACKUPINSTANCE: 'manual',
	'012': 'manual',
	备份实例: 'manual',
	FLOW_AUTOBACKUP: 'automatic',
	'017': 'automatic',
	自动备份实例: 'automatic',
};

/** How long DescribeBackupUrl's URLs work (documented: 6 hours). */
export const API3_URL_VALIDITY_MS = 6 * 3600_000;
/** How long the legacy GetBackupDownloadUrl's URLs work (documented: 12 hours). */
export const LEGACY_URL_VALIDITY_MS = 12 * 3600_000;

const TIME_FORMAT = 'yyyy-MM-dd HH:mm:ss';

/**
 * A Tencent time (`YYYY-MM-DD HH:mm:ss`, Beijing time) as UTC ISO-8601. Empty and the all-zero time Tencent writes
 * for "not yet" are null; anything else that is not a plausible time is a malformed answer.
 */
export function tencentTime(value: unknown): string | null {
	if (typeof value === 'string' && /^0000-00-00( 00:00:00)?$/.test(value.trim())) return null;
	return parseProviderTime(value, CHINA_STANDARD_TIME);
}

/** A time as Tencent's requests take it: `YYYY-MM-DD HH:mm:ss` in Beijing time. */
export function beijingTime(dt: DateTime): string {
	return formatForProvider(dt, TIME_FORMAT, CHINA_STANDARD_TIME);
}

/**
 * [start, end) as Tencent's inclusive `[BeginTime, EndTime]` in whole seconds: the start rounded down, the end
 * rounded up, so no backup of the range is missed (the shared rules clip what comes back to the exact range).
 */
export function beijingRange(start: DateTime, end: DateTime): { begin: string; end: string } {
	const endSecond = end.startOf('second');
	return {
		begin: beijingTime(start.startOf('second')),
		end: beijingTime(endSecond < end ? endSecond.plus({ seconds: 1 }) : endSecond),
	};
}

/** Tencent's 0/1 flags (Locked) as booleans; anything else is unknown. */
function flag(value: unknown): boolean | null {
	if (value === 0 || value === '0' || value === false) return false;
	if (value === 1 || value === '1' || value === true) return true;
	return null;
}

/** A list of strings (the deprecated URL arrays); a non-string entry is read as "none". */
function stringsOf(value: unknown, name: string): Array<string | null> {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) {
		// One URL where a list is documented: take it as a list of one.
		if (typeof value === 'string') return [text(value)];
		throw new MalformedAnswerError(`the ${name} list is ${JSON.stringify(value).slice(0, 80)}`);
	}
	return value.map((entry: unknown) => text(entry));
}

export interface TencentContext {
	region: string | null;
	instanceId: string;
}

/** Where API 3.0 puts the backups: `BackupSet` (the SDK); the API page's sample says `RedisBackupSet`. */
export function backupSetOf(response: Raw): Raw[] {
	const list = response.BackupSet ?? response.RedisBackupSet;
	return listOf(list, 'BackupSet');
}

/**
 * Status 1 means "in a process": a backup being made, or a finished one locked by another process (a clone, a
 * rollback, an export). `finished` tells them apart: API 3.0's end time (empty while a backup is being made), the
 * legacy list's Locked flag (it has no end time). A finished, locked backup is a good one and may be downloaded.
 */
function backupStatusOf(status: unknown, finished: boolean): BackupStatus {
	const mapped = lookup(BACKUP_STATUS, status, 'unknown');
	return mapped === 'running' && finished ? 'succeeded' : mapped;
}

/** One DescribeInstanceBackups record. Its files (and URLs) come from DescribeBackupUrl. */
export function normalizeBackup(raw: Raw, context: TencentContext): Backup {
	const backupId = requireId(raw.BackupId, 'BackupId');
	const finishedAt = tencentTime(raw.EndTime);
	const locked = flag(raw.Locked);
	return {
		kind: 'backup',
		provider: 'tencent',
		region: context.region,
		instanceId: context.instanceId,
		backupId,
		status: backupStatusOf(raw.Status, finishedAt !== null),
		providerStatus: text(raw.Status),
		mode: lookup(BACKUP_TYPE_MODE, raw.BackupType, 'unknown'),
		providerMode: text(raw.BackupType),
		startedAt: tencentTime(raw.StartTime),
		finishedAt,
		// An internal field ("用户可忽略"), 0 while the backup is being made: 0 is unknown, never an empty backup.
		sizeBytes: parseByteCount(raw.BackupSize) || null,
		files: [],
		// Tencent's backups carry no task ID: a task's backup is found by its start time (see the provider).
		taskId: null,
		locked,
		remark: text(raw.Remark),
		raw,
	};
}

/**
 * One legacy GetRedisBackupList record (`data.redisBackupSet[]`: startTime, backupId, backupType, status, remark,
 * locked): the same model as API 3.0's.
 */
export function normalizeLegacyBackup(raw: Raw, context: TencentContext): Backup {
	const backupId = requireId(raw.backupId, 'backupId');
	const locked = flag(raw.locked);
	return {
		kind: 'backup',
		provider: 'tencent',
		region: context.region,
		instanceId: context.instanceId,
		backupId,
		status: backupStatusOf(raw.status, locked === true),
		providerStatus: text(raw.status),
		mode: lookup(LEGACY_BACKUP_TYPE_MODE, raw.backupType, 'unknown'),
		providerMode: text(raw.backupType),
		startedAt: tencentTime(raw.startTime),
		// The legacy list documents no end time and no size.
		finishedAt: null,
		sizeBytes: null,
		files: [],
		taskId: null,
		locked,
		remark: text(raw.remark),
		raw,
	};
}

/** The legacy list's records: `data.redisBackupSet`; a missing `data` is an empty list. */
export function legacyBackupSetOf(body: Raw): Raw[] {
	const data = body.data;
	if (data === undefined || data === null) return [];
	if (typeof data !== 'object' || Array.isArray(data)) {
		throw new MalformedAnswerError(`data is ${JSON.stringify(data).slice(0, 80)}, not a record`);
	}
	return listOf((data as Raw).redisBackupSet, 'redisBackupSet');
}

/** The total a list answer reports (`TotalCount`, legacy `totalCount`), or null. */
export function totalOf(value: unknown): number | null {
	const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
	return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/**
 * When a COS presigned URL stops working: the end of its `q-sign-time` (`<start>;<end>` in UNIX seconds), given as
 * its own query parameter or inside the `sign` parameter; null when the URL does not say.
 */
export function cosUrlExpiry(url: string | null): string | null {
	if (!url) return null;
	let params: URLSearchParams;
	try {
		params = new URL(url).searchParams;
	} catch {
		return null;
	}
	let signTime = params.get('q-sign-time') ?? params.get('q-key-time');
	const sign = params.get('sign');
	if (!signTime && sign) {
		const inner = new URLSearchParams(sign);
		signTime = inner.get('q-sign-time') ?? inner.get('q-key-time');
	}
	const match = /^\s*\d+\s*;\s*(\d+)\s*$/.exec(signTime ?? '');
	if (!match) return null;
	try {
		return parseUnixSeconds(match[1]);
	} catch {
		return null;
	}
}

/** The earliest expiry the URLs state, else the documented validity counted from when they were fetched. */
function expiryOf(
	urls: Array<string | null>,
	fetchedAtMs: number,
	validityMs: number,
): string | null {
	if (urls.every((url) => url === null)) return null;
	const stated = urls
		.map(cosUrlExpiry)
		.filter((time): time is string => time !== null)
		.sort();
	return (
		stated[0] ??
		(DateTime.fromMillis(fetchedAtMs + validityMs, { zone: 'utc' }).toISO({
			suppressMilliseconds: true,
		}) as string)
	);
}

/**
 * A file name from a COS URL (the legacy API names no file): its last path segment without the dashes COS object
 * keys put before the name (`…/data/2024-01-10/-<name>.rdb`); a leading dash is also read as an option by shells.
 */
function nameFromUrl(url: string | null): string | null {
	return fileNameFromUrl(url)?.replace(/^-+/, '') || null;
}

function fileOf(
	backup: Backup,
	index: number,
	name: string | null,
	size: { bytes: number | null; invalid: boolean },
	downloadUrl: string | null,
	internalDownloadUrl: string | null,
	expiresAt: string | null,
): BackupFile {
	return {
		// The cloud's file name is its text: only its safe base name is ever used as a file name.
		name: safeFileName(
			name,
			nameFromUrl(downloadUrl) ??
				nameFromUrl(internalDownloadUrl) ??
				`${backup.instanceId}_${backup.backupId}_${index}.rdb`,
		),
		fileId: null,
		nodeId: null,
		// Files are asked for only for a succeeded backup (common/backups.ts backupWithFiles); a file Tencent sizes
		// 0 ("invalid") is a shard that did not make it, and a set with one cannot be restored.
		status: size.invalid ? 'failed' : backup.status,
		providerStatus: size.invalid ? INVALID_FILE_STATUS : null,
		sizeBytes: size.bytes,
		downloadUrl,
		internalDownloadUrl,
		expiresAt,
	};
}

/** What a file of FileSize 0 is called in `providerStatus`. */
export const INVALID_FILE_STATUS = 'FileSize 0 (invalid)';

/**
 * DescribeBackupUrl: one file per shard. `BackupInfos` (name, size in bytes, public and internal URL) where the
 * answer has it; else the deprecated parallel lists `DownloadUrl`, `InnerDownloadUrl` and `Filenames`. A FileSize
 * of 0 is documented as "not valid" (如果为0，表示无效): that file's size is unknown and the file is 'failed'.
 */
export function normalizeBackupUrls(
	response: Raw,
	backup: Backup,
	fetchedAtMs: number = Date.now(),
): BackupFile[] {
	const infos = listOf(response.BackupInfos, 'BackupInfos');
	if (infos.length > 0) {
		return infos.map((info, index) => {
			const downloadUrl = text(info.DownloadUrl);
			const internalDownloadUrl = text(info.InnerDownloadUrl);
			const size = parseByteCount(info.FileSize);
			return fileOf(
				backup,
				index,
				text(info.FileName),
				{ bytes: size === 0 ? null : size, invalid: size === 0 },
				downloadUrl,
				internalDownloadUrl,
				expiryOf([downloadUrl, internalDownloadUrl], fetchedAtMs, API3_URL_VALIDITY_MS),
			);
		});
	}
	return zipFiles(
		backup,
		stringsOf(response.DownloadUrl, 'DownloadUrl'),
		stringsOf(response.InnerDownloadUrl, 'InnerDownloadUrl'),
		stringsOf(response.Filenames, 'Filenames'),
		fetchedAtMs,
		API3_URL_VALIDITY_MS,
	);
}

/** Legacy GetBackupDownloadUrl: `data.extranet` (public) and `data.intranet` (internal), a URL or a list of them. */
export function normalizeLegacyUrls(
	body: Raw,
	backup: Backup,
	fetchedAtMs: number = Date.now(),
): BackupFile[] {
	const data = body.data;
	if (data === undefined || data === null) return [];
	if (typeof data !== 'object' || Array.isArray(data)) {
		throw new MalformedAnswerError(`data is ${JSON.stringify(data).slice(0, 80)}, not a record`);
	}
	const record = data as Raw;
	return zipFiles(
		backup,
		stringsOf(record.extranet, 'extranet'),
		stringsOf(record.intranet, 'intranet'),
		stringsOf(record.filenames ?? record.fileNames, 'filenames'),
		fetchedAtMs,
		LEGACY_URL_VALIDITY_MS,
	);
}

function zipFiles(
	backup: Backup,
	publicUrls: Array<string | null>,
	internalUrls: Array<string | null>,
	names: Array<string | null>,
	fetchedAtMs: number,
	validityMs: number,
): BackupFile[] {
	const count = Math.max(publicUrls.length, internalUrls.length);
	const files: BackupFile[] = [];
	for (let index = 0; index < count; index++) {
		const downloadUrl = publicUrls[index] ?? null;
		const internalDownloadUrl = internalUrls[index] ?? null;
		if (downloadUrl === null && internalDownloadUrl === null) continue;
		files.push(
			fileOf(
				backup,
				index,
				names[index] ?? null,
				{ bytes: null, invalid: false },
				downloadUrl,
				internalDownloadUrl,
				expiryOf([downloadUrl, internalDownloadUrl], fetchedAtMs, validityMs),
			),
		);
	}
	return files;
}

/** A task ID as Tencent gives it (TaskId, an integer): a positive whole number, else malformed. */
export function requireTaskId(value: unknown, field = 'TaskId'): string {
	const textValue =
		typeof value === 'number'
			? Number.isSafeInteger(value)
				? String(value)
				: ''
			: (text(value) ?? '');
	if (!/^\d{1,16}$/.test(textValue.trim()) || Number(textValue) <= 0) {
		throw new MalformedAnswerError(
			value === undefined
				? `the answer has no ${field}`
				: `${field} ${JSON.stringify(value)} is not a positive whole number`,
		);
	}
	return String(Number(textValue));
}

/**
 * DescribeTaskInfo's answer: the task asked for (the answer does not repeat its ID). A task without a Status is
 * malformed: a task whose state is unknown cannot be waited for.
 */
export function normalizeTask(response: Raw, context: TencentContext, taskId: string): BackupTask {
	if (text(response.Status) === null) {
		throw new MalformedAnswerError(
			`task ${taskId} has no Status (${JSON.stringify(response.Status)})`,
		);
	}
	const status = lookup(TASK_STATUS, response.Status, 'unknown');
	return {
		kind: 'backupTask',
		provider: 'tencent',
		region: context.region,
		instanceId: text(response.InstanceId) ?? context.instanceId,
		taskId,
		status,
		providerStatus: text(response.Status),
		progressPercent: status === 'succeeded' ? 100 : null,
		mode: lookup(TASK_TYPE_MODE, response.TaskType, 'unknown'),
		providerMode: text(response.TaskType),
		startedAt: tencentTime(response.StartTime),
		nodeId: null,
		raw: response,
	};
}

/** The task ManualBackupInstance started: its TaskId must be a positive integer, else the answer is malformed. */
export function normalizeCreatedTask(response: Raw, context: TencentContext): BackupTask {
	return {
		kind: 'backupTask',
		provider: 'tencent',
		region: context.region,
		instanceId: context.instanceId,
		taskId: requireTaskId(response.TaskId),
		status: 'pending',
		providerStatus: null,
		progressPercent: null,
		mode: 'manual',
		providerMode: null,
		startedAt: null,
		nodeId: null,
		raw: response,
	};
}
