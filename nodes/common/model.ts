/**
 * The output contract: every item any of our nodes emits, whatever the cloud, has one of these shapes.
 * Provider-neutral by rule: no cloud's names or values appear in this folder.
 */

export const PROVIDERS = ['alibaba', 'tencent', 'ucloud'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** One vocabulary for the lifecycle of a backup or a backup task, whatever the cloud calls it. */
export const BACKUP_STATUSES = [
	'pending',
	'running',
	'succeeded',
	'failed',
	'expired',
	'deleted',
	'unknown',
] as const;
export type BackupStatus = (typeof BACKUP_STATUSES)[number];

/** A task or backup in one of these states will not change any more: a waiter stops here. */
export const TERMINAL_STATUSES: ReadonlySet<BackupStatus> = new Set<BackupStatus>([
	'succeeded',
	'failed',
	'expired',
	'deleted',
]);

export const BACKUP_MODES = ['manual', 'automatic', 'unknown'] as const;
export type BackupMode = (typeof BACKUP_MODES)[number];

/** One downloadable file of a backup: a standard instance has one, a cluster backup one per shard. */
export interface BackupFile {
	/** File name as it would be saved (from the cloud's name, else the URL's last path segment). */
	name: string | null;
	/** The cloud's ID for this file, when it differs from the backup's. */
	fileId: string | null;
	/** The shard or node the file belongs to, when the cloud says. */
	nodeId: string | null;
	status: BackupStatus;
	providerStatus: string | null;
	sizeBytes: number | null;
	downloadUrl: string | null;
	internalDownloadUrl: string | null;
	/** When the presigned URLs stop working (UTC ISO-8601), if the cloud tells. */
	expiresAt: string | null;
}

export interface Backup {
	kind: 'backup';
	provider: Provider;
	region: string | null;
	instanceId: string;
	backupId: string;
	status: BackupStatus;
	providerStatus: string | null;
	mode: BackupMode;
	providerMode: string | null;
	/** UTC ISO-8601, or null when the cloud did not say. */
	startedAt: string | null;
	finishedAt: string | null;
	/** Whole backup, in bytes (the sum of its files where the cloud only sizes files). */
	sizeBytes: number | null;
	files: BackupFile[];
	/** The task that produced this backup, when the cloud links them. */
	taskId: string | null;
	locked: boolean | null;
	remark: string | null;
	/** The cloud's record, untouched. */
	raw: Record<string, unknown>;
}

export interface BackupTask {
	kind: 'backupTask';
	provider: Provider;
	region: string | null;
	instanceId: string;
	taskId: string;
	status: BackupStatus;
	providerStatus: string | null;
	progressPercent: number | null;
	mode: BackupMode;
	providerMode: string | null;
	startedAt: string | null;
	nodeId: string | null;
	raw: Record<string, unknown>;
}

/** Parses the sizes clouds send as numbers or as decimal strings; anything else is "unknown", never 0. */
export function parseByteCount(value: unknown): number | null {
	if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
	if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
		const n = Number(value.trim());
		return Number.isSafeInteger(n) ? n : null;
	}
	return null;
}

/** "45%", "45", 45 -> 45; nonsense -> null. Clamped to 0..100. */
export function parsePercent(value: unknown): number | null {
	const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
	const match = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
	if (!match) return null;
	return Math.min(100, Math.max(0, Number(match[1])));
}

export function sumSizes(files: Array<{ sizeBytes: number | null }>): number | null {
	if (files.length === 0 || files.some((f) => f.sizeBytes === null)) return null;
	return files.reduce((total, f) => total + (f.sizeBytes as number), 0);
}

/** What a file name falls back to when nothing usable is left of the cloud's name. */
export const DEFAULT_FILE_NAME = 'backup.rdb';

/** The base name with every unsafe character replaced and leading dots dropped; '' when nothing is left. */
function cleanFileName(value: unknown): string {
	if (typeof value !== 'string' && typeof value !== 'number') return '';
	const base = String(value).split(/[/\\]/).pop() ?? '';
	return base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
}

/**
 * A name that is safe to save a file under, whatever the cloud sent: the base name only (after the last `/` or
 * `\`, so `../../.ssh/authorized_keys` is `authorized_keys`), every character but `A-Z a-z 0-9 . _ -` replaced
 * with `_`, no leading dots (no hidden files, no `..`), and never empty: else `fallback` (made safe the same way),
 * else `backup.rdb`.
 */
export function safeFileName(value: unknown, fallback: string = DEFAULT_FILE_NAME): string {
	return cleanFileName(value) || cleanFileName(fallback) || DEFAULT_FILE_NAME;
}

/** The last path segment of a URL, decoded and made safe (see safeFileName): the name a file would be saved as. */
export function fileNameFromUrl(url: string | null): string | null {
	if (!url) return null;
	try {
		const segments = new URL(url).pathname.split('/').filter(Boolean);
		const last = segments[segments.length - 1];
		return last ? cleanFileName(decodeURIComponent(last)) || null : null;
	} catch {
		return null;
	}
}
