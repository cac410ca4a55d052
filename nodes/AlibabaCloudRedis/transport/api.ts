/**
 * The R-KVStore actions this node uses, each returning the one model. Paging, time formats and the
 * cloud's accepted page sizes live here, so the operations only deal with parameters and items.
 */
import type { DateTime } from 'luxon';

import { CloudApiError, isAmbiguous } from '../../common/errors';
import { type Backup, type BackupStatus, type BackupTask } from '../../common/model';
import { pageNumberPages } from '../../common/paginate';
import { formatForProvider, UTC } from '../../common/time';
import {
	type AlibabaContext,
	listOf,
	normalizeBackupTask,
	normalizeClusterBackupSet,
	normalizeCreatedTask,
	normalizeStandardBackup,
} from '../normalize';
import type { AlibabaRedisClient } from './client';

/** DescribeBackups and DescribeClusterBackupList accept only these page sizes. */
export const BACKUP_PAGE_SIZES = [30, 50, 100, 200, 300] as const;
export const INSTANCE_PAGE_SIZE = 50;

/** Both backup list actions take their range as `yyyy-MM-ddTHH:mmZ` in UTC (minutes). */
export function alibabaMinute(dt: DateTime): string {
	return formatForProvider(dt, "yyyy-MM-dd'T'HH:mm'Z'", UTC);
}

/**
 * The range widened to whole minutes (start down, end up): the API compares start times exactly, so an end
 * truncated to the minute would miss a backup that started seconds ago.
 */
export function alibabaMinuteRange(
	start: DateTime,
	end: DateTime,
): { StartTime: string; EndTime: string } {
	const endMinute = end.startOf('minute');
	return {
		StartTime: alibabaMinute(start.startOf('minute')),
		EndTime: alibabaMinute(endMinute < end ? endMinute.plus({ minutes: 1 }) : endMinute),
	};
}

/** Standard instances list backups (one file each); cloud-native cluster instances list backup sets. */
export type BackupListKind = 'standard' | 'cluster';

export interface ListBackupsQuery {
	kind: BackupListKind;
	context: AlibabaContext;
	start: DateTime;
	end: DateTime;
	pageSize: number;
	limit?: number;
	statuses?: BackupStatus[];
	backupId?: string;
	taskId?: string;
	/**
	 * Keep only backups started in [start, end) (default true). The request's range is widened to whole minutes,
	 * so without this a List would return backups started up to a minute outside the user's range. A lookup by ID
	 * turns it off: its range is only a search window.
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

function listAction(kind: BackupListKind) {
	return kind === 'cluster'
		? {
				action: 'DescribeClusterBackupList',
				idParam: 'ClusterBackupId',
				pick: (body: Record<string, unknown>) => listOf(body.ClusterBackups, 'ClusterBackup'),
				normalize: normalizeClusterBackupSet,
			}
		: {
				action: 'DescribeBackups',
				idParam: 'BackupId',
				pick: (body: Record<string, unknown>) => listOf(body.Backups, 'Backup'),
				normalize: normalizeStandardBackup,
			};
}

/**
 * Pages of backups, newest pages first as the cloud returns them, filtered by status and by the exact time range
 * before the limit applies.
 */
export function listBackups(
	client: AlibabaRedisClient,
	query: ListBackupsQuery,
): AsyncGenerator<Backup[]> {
	const spec = listAction(query.kind);
	const wanted = query.statuses && query.statuses.length > 0 ? new Set(query.statuses) : null;
	const clip = query.clipToRange ?? true;
	const accept =
		wanted || clip
			? (backup: Backup) =>
					(!wanted || wanted.has(backup.status)) &&
					(!clip || startedInRange(backup, query.start, query.end))
			: undefined;
	return pageNumberPages<Backup>(
		async (pageNumber, pageSize) => {
			const body = await client.call(spec.action, {
				RegionId: query.context.region,
				InstanceId: query.context.instanceId,
				...alibabaMinuteRange(query.start, query.end),
				PageNumber: pageNumber,
				PageSize: pageSize,
				[spec.idParam]: query.backupId,
				BackupJobId: query.kind === 'standard' ? query.taskId : undefined,
			});
			const raw = spec.pick(body);
			const total = typeof body.TotalCount === 'number' ? body.TotalCount : null;
			return { items: raw.map((record) => spec.normalize(record, query.context)), total };
		},
		{
			pageSize: query.pageSize,
			limit: query.limit,
			keyOf: (backup) => backup.backupId,
			accept,
		},
	);
}

export async function describeBackupTasks(
	client: AlibabaRedisClient,
	context: AlibabaContext,
	filter: { taskId?: string; jobMode?: string },
): Promise<BackupTask[]> {
	const body = await client.call('DescribeBackupTasks', {
		RegionId: context.region,
		InstanceId: context.instanceId,
		BackupJobId: filter.taskId,
		JobMode: filter.jobMode,
	});
	return listOf(body.BackupJobs, 'BackupJob').map((record) => normalizeBackupTask(record, context));
}

/** CreateBackup is not idempotent: it is retried only when the cloud throttled it (it did nothing then). */
export async function createBackup(
	client: AlibabaRedisClient,
	context: AlibabaContext,
	retentionDays?: number,
): Promise<BackupTask> {
	let body: Record<string, unknown> | undefined;
	let failure: unknown;
	try {
		body = await client.call(
			'CreateBackup',
			{
				RegionId: context.region,
				InstanceId: context.instanceId,
				BackupRetentionPeriod: retentionDays,
			},
			{ idempotent: false },
		);
	} catch (error) {
		failure = error;
	}
	if (body) return normalizeCreatedTask(body, context);
	if (failure instanceof CloudApiError && isAmbiguous(failure)) {
		throw new CloudApiError(
			`${failure.message.replace(/\.+$/, '')}. The backup of ${context.instanceId} may or may not have been started, so it was not sent again: check Backup Task → Get before creating another`,
			failure.details,
		);
	}
	return await Promise.reject(failure);
}

export interface InstanceSummary {
	instanceId: string;
	name: string;
	architecture: string | null;
	status: string | null;
}

export async function searchInstances(
	client: AlibabaRedisClient,
	region: string,
	searchKey: string | undefined,
	pageNumber: number,
): Promise<{ instances: InstanceSummary[]; total: number | null }> {
	const body = await client.call('DescribeInstances', {
		RegionId: region,
		SearchKey: searchKey,
		PageNumber: pageNumber,
		PageSize: INSTANCE_PAGE_SIZE,
	});
	const instances = listOf(body.Instances, 'KVStoreInstance').map((raw) => ({
		instanceId: String(raw.InstanceId ?? ''),
		name:
			typeof raw.InstanceName === 'string' && raw.InstanceName
				? raw.InstanceName
				: String(raw.InstanceId ?? ''),
		architecture: typeof raw.ArchitectureType === 'string' ? raw.ArchitectureType : null,
		status: typeof raw.InstanceStatus === 'string' ? raw.InstanceStatus : null,
	}));
	return { instances, total: typeof body.TotalCount === 'number' ? body.TotalCount : null };
}
