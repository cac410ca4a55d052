/**
 * The shared rules for reading backups, written once against the provider contract: list with a time range,
 * status filter and limit (split into windows where the cloud limits a request's range); look one up by ID;
 * fill in its files where the list carries none; fetch it again for fresh URLs; find the backup a job made by
 * its start time.
 */
import { DateTime } from 'luxon';

import { CloudApiError } from './errors';
import type { Backup, BackupStatus, BackupTask } from './model';
import { collectPages, offsetPages, pageNumberPages } from './paginate';
import type { BackupPageQuery, BackupProvider, InstanceRef } from './provider';

/**
 * How far the cloud's clock may be from ours. The clouds accept signed requests up to 15 minutes off, so a
 * window built from our clock (a lookup by ID, a job's backup) is widened by as much on both sides.
 */
export const CLOCK_SKEW_MS = 15 * 60_000;

export interface ListBackupsQuery {
	instance: InstanceRef;
	start: DateTime;
	end: DateTime;
	pageSize: number;
	/** Stop after this many (kept) backups; undefined = all. */
	limit?: number;
	/** Keep only these statuses; empty or undefined = all. Applied before the limit counts. */
	statuses?: BackupStatus[];
	backupId?: string;
	jobId?: string;
	/**
	 * Keep only backups started in [start, end) (default true): adapters widen the range to what their API
	 * accepts. A lookup by ID turns it off: its range is only a search window.
	 */
	clipToRange?: boolean;
}

/** Whether a backup started in [start, end); one whose start the cloud did not give is kept. */
export function startedInRange(backup: Backup, start: DateTime, end: DateTime): boolean {
	if (backup.startedAt === null) return true;
	const startedMs = Date.parse(backup.startedAt);
	if (Number.isNaN(startedMs)) return true;
	return startedMs >= start.toMillis() && startedMs < end.toMillis();
}

export interface TimeWindow {
	start: DateTime;
	end: DateTime;
}

/**
 * [start, end) cut into consecutive windows of at most `maxMs`, newest first (so a limit keeps the newest
 * backups); the whole range when it is short enough or the cloud sets no limit.
 */
export function rangeWindows(start: DateTime, end: DateTime, maxMs?: number): TimeWindow[] {
	if (!maxMs || maxMs <= 0 || end.toMillis() - start.toMillis() <= maxMs) return [{ start, end }];
	const windows: TimeWindow[] = [];
	let windowEnd = end;
	while (windowEnd > start) {
		const windowStart = DateTime.max(start, windowEnd.minus({ milliseconds: maxMs }));
		windows.push({ start: windowStart, end: windowEnd });
		windowEnd = windowStart;
	}
	return windows;
}

/**
 * Pages of backups as the cloud returns them, filtered by status and range before the limit applies. A range
 * longer than the cloud's `maxListRangeMs` is listed window by window, newest first; a backup listed by two
 * windows (the clouds' ranges include both ends) is yielded once, and the limit counts across windows.
 */
export function listBackups(
	provider: BackupProvider,
	query: ListBackupsQuery,
): AsyncGenerator<Backup[]> {
	const wanted = query.statuses && query.statuses.length > 0 ? new Set(query.statuses) : null;
	const clip = query.clipToRange ?? true;
	const onlyId = query.backupId;
	const pageQuery: BackupPageQuery = {
		instance: query.instance,
		start: query.start,
		end: query.end,
		backupId: query.backupId,
		jobId: query.jobId,
	};
	// An API that ignores the ID filter still yields only that backup (paging on until it shows up).
	const accept =
		wanted || clip || onlyId
			? (backup: Backup) =>
					(!wanted || wanted.has(backup.status)) &&
					(!clip || startedInRange(backup, query.start, query.end)) &&
					(!onlyId || backup.backupId === onlyId)
			: undefined;
	const pages = provider.paging === 'offset' ? offsetPages : pageNumberPages;
	const cloudPages = (window: TimeWindow, limit: number | undefined, keep?: (b: Backup) => boolean) =>
		pages<Backup>(
			async (position, pageSize) =>
				await provider.fetchBackupPage({ ...pageQuery, ...window }, position, pageSize),
			{ pageSize: query.pageSize, limit, keyOf: (backup) => backup.backupId, accept: keep },
		);
	// A cloud that does not say in which order it lists is read whole, window by window, and sorted newest first
	// before the limit applies: "Limit 1" must be the newest backup, not whichever the cloud happens to list first.
	// (A lookup by ID needs no order: it stops at the one backup.)
	const pagesOf =
		provider.listsNewestFirst === false && !onlyId
			? (window: TimeWindow, limit: number | undefined, keep?: (b: Backup) => boolean) =>
					newestFirst(cloudPages(window, undefined, keep), limit)
			: cloudPages;
	const windows = rangeWindows(query.start, query.end, provider.maxListRangeMs);
	if (windows.length === 1) return pagesOf(windows[0], query.limit, accept);
	return acrossWindows(windows, query.limit, accept, pagesOf);
}

/** Every page of `source`, as one page sorted newest first (no start time: last), cut to `limit`. */
async function* newestFirst(
	source: AsyncGenerator<Backup[]>,
	limit: number | undefined,
): AsyncGenerator<Backup[]> {
	const all = await collectPages(source);
	const startMs = (backup: Backup) => {
		const ms = backup.startedAt === null ? Number.NaN : Date.parse(backup.startedAt);
		return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
	};
	all.sort((a, b) => startMs(b) - startMs(a));
	const kept = limit === undefined ? all : all.slice(0, Math.max(0, limit));
	if (kept.length > 0) yield kept;
}

async function* acrossWindows(
	windows: TimeWindow[],
	limit: number | undefined,
	accept: ((backup: Backup) => boolean) | undefined,
	pagesOf: (
		window: TimeWindow,
		limit: number | undefined,
		keep: (backup: Backup) => boolean,
	) => AsyncGenerator<Backup[]>,
): AsyncGenerator<Backup[]> {
	if (limit !== undefined && limit <= 0) return;
	const yielded = new Set<string>();
	let emitted = 0;
	for (const window of windows) {
		const remaining = limit === undefined ? undefined : limit - emitted;
		if (remaining !== undefined && remaining <= 0) return;
		const keep = (backup: Backup) => !yielded.has(backup.backupId) && (!accept || accept(backup));
		for await (const page of pagesOf(window, remaining, keep)) {
			for (const backup of page) yielded.add(backup.backupId);
			emitted += page.length;
			yield page;
		}
	}
}

/**
 * A search window that ends "now" by our clock and reaches `back` into the past, widened by the clock skew the
 * clouds tolerate: a cloud running 10 minutes ahead stamps a backup just made 10 minutes in our future.
 */
export function searchWindow(
	back: { days?: number; minutes?: number },
	now: DateTime = DateTime.utc(),
): { start: DateTime; end: DateTime } {
	return {
		start: now.minus(back).minus({ milliseconds: CLOCK_SKEW_MS }),
		end: now.plus({ milliseconds: CLOCK_SKEW_MS }),
	};
}

/** One backup by ID, searched over the last `searchDays` (list APIs want a time range). */
export async function findBackup(
	provider: BackupProvider,
	instance: InstanceRef,
	backupId: string,
	searchDays: number,
	pageSize: number,
): Promise<Backup> {
	const window = searchWindow({ days: searchDays });
	const found = await collectPages(
		listBackups(provider, {
			instance,
			...window,
			pageSize,
			limit: 1,
			backupId,
			clipToRange: false,
		}),
	);
	const [backup] = found;
	if (!backup) {
		// Where the list API takes no time range, every backup the cloud keeps was searched, not the last N days.
		const where = provider.listsByTimeRange === false ? '' : ` in the last ${searchDays} days`;
		throw new CloudApiError(
			`Backup ${backupId} was not found on instance ${instance.instanceId}${where}`,
			{ provider: provider.id, kind: 'notFound', action: 'find backup' },
		);
	}
	return backup;
}

export interface BackupLookup {
	backup: Backup;
	/** The same backup fetched again (for fresh presigned download URLs). */
	refetch: () => Promise<Backup>;
}

/**
 * The backup with its files, for clouds whose list records carry none (`fetchBackupFiles`); as it is elsewhere.
 * Only a succeeded backup has files to give: any other is refused here, before the cloud is asked for URLs it
 * cannot give (or is made to export a backup that is still being written).
 */
export async function backupWithFiles(
	provider: BackupProvider,
	instance: InstanceRef,
	backup: Backup,
): Promise<Backup> {
	if (!provider.fetchBackupFiles) return backup;
	if (backup.status !== 'succeeded') {
		throw new CloudApiError(
			`Backup ${backup.backupId} is ${backup.status} (${backup.providerStatus ?? 'no status'}); ${provider.label} gives download URLs only for finished backups`,
			{ provider: provider.id, kind: 'client', action: 'get download URL' },
		);
	}
	return await provider.fetchBackupFiles(instance, backup);
}

export async function lookupBackup(
	provider: BackupProvider,
	instance: InstanceRef,
	backupId: string,
	searchDays: number,
	pageSize: number,
	{ withFiles = false }: { withFiles?: boolean } = {},
): Promise<BackupLookup> {
	const refetch = async () => {
		const backup = await findBackup(provider, instance, backupId, searchDays, pageSize);
		return withFiles ? await backupWithFiles(provider, instance, backup) : backup;
	};
	return { backup: await refetch(), refetch };
}

// ---- The backup a job made, by its start time -------------------------------------------------------------------

/**
 * How close a backup's start must be to its job's start to be taken for the job's backup, where a cloud does not
 * link the two (cluster backup sets, backups that carry no task ID).
 */
export const JOB_START_TOLERANCE_MS = 2 * 60_000;

/** The earliest start of a job's rows (UTC ISO-8601), or null when none has one. */
export function jobStartOf(seen: BackupTask[]): string | null {
	return (
		seen
			.map((task) => task.startedAt)
			.filter((time): time is string => time !== null)
			.sort()[0] ?? null
	);
}

/**
 * The backup started closest to `jobStart`, within `toleranceMs`; null when none is (or the job's start is not
 * known: a job cannot be matched by a time it does not have).
 */
export function closestToJobStart(
	backups: Backup[],
	jobStart: string | null,
	toleranceMs: number = JOB_START_TOLERANCE_MS,
): Backup | null {
	if (jobStart === null) return null;
	const jobStartMs = Date.parse(jobStart);
	if (Number.isNaN(jobStartMs)) return null;
	const distance = (backup: Backup) => Math.abs(Date.parse(String(backup.startedAt)) - jobStartMs);
	return (
		backups
			.filter((backup) => backup.startedAt !== null && distance(backup) <= toleranceMs)
			.sort((a, b) => distance(a) - distance(b))[0] ?? null
	);
}
