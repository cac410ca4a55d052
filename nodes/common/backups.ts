/**
 * The shared rules for reading backups, written once against the provider contract: list with a time range,
 * status filter and limit; look one up by ID; fetch it again for fresh URLs.
 */
import { DateTime } from 'luxon';

import { CloudApiError } from './errors';
import type { Backup, BackupStatus } from './model';
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

/** Pages of backups as the cloud returns them, filtered by status and range before the limit applies. */
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
	const pages = provider.paging === 'offset' ? offsetPages : pageNumberPages;
	return pages<Backup>(
		async (position, pageSize) => await provider.fetchBackupPage(pageQuery, position, pageSize),
		{
			pageSize: query.pageSize,
			limit: query.limit,
			keyOf: (backup) => backup.backupId,
			// An API that ignores the ID filter still yields only that backup (paging on until it shows up).
			accept:
				wanted || clip || onlyId
					? (backup) =>
							(!wanted || wanted.has(backup.status)) &&
							(!clip || startedInRange(backup, query.start, query.end)) &&
							(!onlyId || backup.backupId === onlyId)
					: undefined,
		},
	);
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
		throw new CloudApiError(
			`Backup ${backupId} was not found on instance ${instance.instanceId} in the last ${searchDays} days`,
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

export async function lookupBackup(
	provider: BackupProvider,
	instance: InstanceRef,
	backupId: string,
	searchDays: number,
	pageSize: number,
): Promise<BackupLookup> {
	const refetch = async () => await findBackup(provider, instance, backupId, searchDays, pageSize);
	return { backup: await refetch(), refetch };
}
