/**
 * Tencent Cloud Redis as a BackupProvider (common/provider.ts): API 3.0 (DescribeInstanceBackups,
 * DescribeBackupUrl, DescribeTaskInfo, ManualBackupInstance, DescribeInstances) and, for listing and download URLs,
 * the legacy CRS API (GetRedisBackupList, GetBackupDownloadUrl) chosen per item by the instance's `variant`. Every
 * rule above this (paging, filters, windows, waiting, downloading, create-once) is shared.
 */
import { DateTime } from 'luxon';

import { closestToJobStart, jobStartOf } from '../../common/backups';
import { crc64Checksum } from '../../common/checksums';
import { CloudApiError, type CloudErrorKind } from '../../common/errors';
import { type Backup, type BackupTask, sumSizes } from '../../common/model';
import type { Page } from '../../common/paginate';
import type {
	BackupPageQuery,
	BackupProvider,
	CreateBackupOptions,
	InstancePage,
	InstanceRef,
	TaskFilter,
} from '../../common/provider';
import {
	backupSetOf,
	beijingRange,
	legacyBackupSetOf,
	listOf,
	MANUAL_BACKUP_TYPE,
	normalizeBackup,
	normalizeBackupUrls,
	normalizeCreatedTask,
	normalizeLegacyBackup,
	normalizeLegacyUrls,
	normalizeTask,
	totalOf,
} from '../normalize';
import { describeKind, type TencentRedisClient } from './client';

/** How an item's backups are read: API 3.0 (the default) or the legacy CRS API. */
export type TencentApi = 'api3' | 'legacy';

/** DescribeInstanceBackups takes a Limit of at most 100 (and an Offset that is a multiple of it). */
export const BACKUP_PAGE_SIZES = [100, 50, 20] as const;
export const INSTANCE_PAGE_SIZE = 50;

/** COS sends the object's CRC-64/ECMA (decimal) in this header. */
export const COS_CHECKSUM_HEADER = 'x-cos-hash-crc64ecma';

/**
 * DescribeInstanceBackups spans at most 30 days per request. A minute less, so that rounding the range out to
 * whole seconds keeps every window within it.
 */
export const MAX_LIST_RANGE_MS = 30 * 86_400_000 - 60_000;

/**
 * The API's Status filter defaults to [2] (normal backups only): ask for every status the API page documents as a
 * filter value (1 in a process, 2 normal, 3 being exported, 4 exported, -1 expired), so that a running backup is
 * listed (Wait Until Finished needs it), an exported one is not missed, and our own status filter decides.
 */
export const LIST_STATUSES = [1, 2, 3, 4, -1] as const;

/** A manual backup starts within this much of the task that made it. */
export const TASK_BACKUP_TOLERANCE_MS = 2 * 60_000;

export const INSTANCE_ID_PATTERN = /^crs-[a-z0-9]{4,40}$/;

function isLegacy(instance: InstanceRef): boolean {
	return instance.variant === 'legacy';
}

export class TencentProvider implements BackupProvider {
	readonly id = 'tencent' as const;

	readonly label = 'Tencent Cloud';

	readonly paging = 'offset' as const;

	/** COS sends the object's CRC-64/ECMA-182 on every download (ranged ones too). */
	readonly storage = { checksum: crc64Checksum(COS_CHECKSUM_HEADER) };

	readonly maxListRangeMs = MAX_LIST_RANGE_MS;
	// Neither list documents an order, and both API pages' samples list the older backup first.
	readonly listsNewestFirst = false;

	readonly requestRate = {
		requests: 20,
		perMs: 1000,
		source:
			"Tencent Cloud's Redis API pages: DescribeInstanceBackups, DescribeTaskList: 20 requests per second per API",
	};

	constructor(private readonly client: TencentRedisClient) {}

	async fetchBackupPage(
		query: BackupPageQuery,
		offset: number,
		pageSize: number,
	): Promise<Page<Backup>> {
		const { instance } = query;
		const range = beijingRange(query.start, query.end);
		// Neither API narrows by backup ID: the shared rule pages on until the backup shows up.
		if (isLegacy(instance)) {
			return await this.client.callLegacy(
				'GetRedisBackupList',
				{
					limit: pageSize,
					offset,
					redisId: instance.instanceId,
					beginTime: range.begin,
					endTime: range.end,
				},
				{
					region: instance.region,
					decode: (body) => ({
						items: legacyBackupSetOf(body).map((raw) => normalizeLegacyBackup(raw, instance)),
						total: totalOf(body.totalCount),
					}),
				},
			);
		}
		return await this.client.call(
			'DescribeInstanceBackups',
			{
				InstanceId: instance.instanceId,
				Limit: pageSize,
				Offset: offset,
				BeginTime: range.begin,
				EndTime: range.end,
				Status: [...LIST_STATUSES],
			},
			{
				region: instance.region,
				decode: (response) => ({
					items: backupSetOf(response).map((raw) => normalizeBackup(raw, instance)),
					total: totalOf(response.TotalCount),
				}),
			},
		);
	}

	/** DescribeBackupUrl (legacy: GetBackupDownloadUrl): one file per shard, public and internal URL. */
	async fetchBackupFiles(instance: InstanceRef, backup: Backup): Promise<Backup> {
		if (isLegacy(instance)) await this.refuseLegacyCluster(instance);
		const fetchedAt = Date.now();
		const files = isLegacy(instance)
			? await this.client.callLegacy(
					'GetBackupDownloadUrl',
					{ redisId: instance.instanceId, backupId: backup.backupId },
					{
						region: instance.region,
						decode: (body) => normalizeLegacyUrls(body, backup, fetchedAt),
					},
				)
			: await this.client.call(
					'DescribeBackupUrl',
					{ InstanceId: instance.instanceId, BackupId: backup.backupId },
					{
						region: instance.region,
						decode: (response) => normalizeBackupUrls(response, backup, fetchedAt),
					},
				);
		// A backup with a failed (FileSize 0) file cannot be restored: it is failed, whatever its own Status says.
		const failed = files.some((file) => file.status === 'failed');
		return {
			...backup,
			files,
			status: failed ? 'failed' : backup.status,
			sizeBytes: sumSizes(files) ?? backup.sizeBytes,
		};
	}

	/** DescribeTaskInfo: Tencent looks a task up by its ID only. */
	async listTasks(instance: InstanceRef, filter: TaskFilter): Promise<BackupTask[]> {
		const { taskId } = filter;
		if (!taskId) {
			throw new CloudApiError('Tencent Cloud looks backup tasks up by ID: set the Task ID', {
				provider: this.id,
				kind: 'client',
				action: 'DescribeTaskInfo',
			});
		}
		const task = await this.client.call(
			'DescribeTaskInfo',
			{ TaskId: Number(taskId) },
			{
				region: instance.region,
				decode: (response) => normalizeTask(response, instance, taskId),
			},
		);
		// A task ID of another instance: its backup would be searched on the wrong instance and never found.
		if (task.instanceId !== instance.instanceId) {
			throw new CloudApiError(
				`Task ${taskId} belongs to instance ${task.instanceId}, not ${instance.instanceId}`,
				{
					provider: this.id,
					kind: 'client',
					action: 'DescribeTaskInfo',
					hint: 'Pick the instance the task was started on, or the task ID that Backup → Create output for this instance.',
				},
			);
		}
		return [task];
	}

	async listJobTasks(instance: InstanceRef, jobIds: string[]): Promise<BackupTask[]> {
		const tasks: BackupTask[] = [];
		for (const taskId of jobIds) tasks.push(...(await this.listTasks(instance, { taskId })));
		return tasks;
	}

	/**
	 * Tencent's backups carry no task ID: a manual backup task's backup is the manual backup (BackupType "0")
	 * started closest to the task's start, within 2 minutes (the shared `closestToJobStart`). Both times are
	 * Tencent's, so only backups started around the task's start are asked for. A task whose start is not known
	 * cannot be matched by time, so it has no backup.
	 */
	async findJobBackup(
		instance: InstanceRef,
		_jobIds: string[],
		seen: BackupTask[],
		window: { start: DateTime; end: DateTime },
	): Promise<Backup | null> {
		const jobStart = jobStartOf(seen);
		if (!jobStart) return null;
		const taskStart = DateTime.fromISO(jobStart, { zone: 'utc' });
		const start = DateTime.max(
			window.start,
			taskStart.minus({ milliseconds: TASK_BACKUP_TOLERANCE_MS }),
		);
		const end = DateTime.min(
			window.end,
			taskStart.plus({ milliseconds: TASK_BACKUP_TOLERANCE_MS + 1000 }),
		);
		if (end <= start) return null;
		// API 3.0 whatever the item's API: the legacy list has the same backups and names their type differently.
		const api3: InstanceRef = { ...instance, variant: 'api3' };
		const backups = await this.collect({ instance: api3, start, end });
		// A task's backup starts when the task does or later (both stamped by Tencent's clock, in whole seconds):
		// a manual backup that started before this task belongs to an earlier one, so of those that remain the
		// closest is the earliest after the task's start.
		const notBefore = taskStart.minus({ seconds: 1 }).toMillis();
		return closestToJobStart(
			backups.filter(
				(backup) =>
					backup.providerMode === MANUAL_BACKUP_TYPE &&
					backup.startedAt !== null &&
					DateTime.fromISO(backup.startedAt, { zone: 'utc' }).toMillis() >= notBefore,
			),
			jobStart,
			TASK_BACKUP_TOLERANCE_MS,
		);
	}

	/** Every page of a short query (a task's backups are few). */
	private async collect(query: BackupPageQuery): Promise<Backup[]> {
		const pageSize = BACKUP_PAGE_SIZES[0];
		const all: Backup[] = [];
		for (let offset = 0, pages = 0; pages < 100; offset += pageSize, pages++) {
			const page = await this.fetchBackupPage(query, offset, pageSize);
			all.push(...page.items);
			if (page.items.length < pageSize || (page.total != null && all.length >= page.total)) break;
		}
		return all;
	}

	/** ManualBackupInstance is not idempotent: the client retries it only when the cloud throttled it. */
	async createBackup(instance: InstanceRef, options: CreateBackupOptions): Promise<BackupTask> {
		return await this.client.call(
			'ManualBackupInstance',
			{
				InstanceId: instance.instanceId,
				Remark: options.remark,
				StorageDays: options.retentionDays,
			},
			{
				region: instance.region,
				idempotent: false,
				decode: (response) => normalizeCreatedTask(response, instance),
			},
		);
	}

	/**
	 * The legacy API gives one download URL per backup: for an instance of several shards that is one shard's file,
	 * which would be stored as if it were the whole backup. Such an instance is refused before any URL is asked for
	 * (DescribeInstances, API 3.0: the legacy API has no shard count).
	 */
	private async refuseLegacyCluster(instance: InstanceRef): Promise<void> {
		const shards = await this.client.call(
			'DescribeInstances',
			{ Limit: 1, Offset: 0, InstanceId: instance.instanceId },
			{
				region: instance.region,
				decode: (response) => {
					const [record] = listOf(response.InstanceSet, 'InstanceSet');
					const count = record?.RedisShardNum;
					return typeof count === 'number' && Number.isInteger(count) ? count : null;
				},
			},
		);
		if (shards !== null && shards > 1) {
			throw new CloudApiError(
				`Instance ${instance.instanceId} has ${shards} shards, and the legacy CRS API gives the file of one only: set the option API to API 3.0 for its download URLs and downloads`,
				{ provider: 'tencent', kind: 'client', action: 'GetBackupDownloadUrl' },
			);
		}
	}

	/** DescribeInstances: a whole instance ID is looked up as such, anything else searched in the names. */
	async searchInstances(
		region: string,
		filter: string | undefined,
		pageToken?: string,
	): Promise<InstancePage> {
		const offset = pageToken && /^\d+$/.test(pageToken) ? Number(pageToken) : 0;
		const byId = filter !== undefined && INSTANCE_ID_PATTERN.test(filter.toLowerCase());
		const { instances, total } = await this.client.call(
			'DescribeInstances',
			{
				Limit: INSTANCE_PAGE_SIZE,
				Offset: offset,
				InstanceId: byId ? filter.toLowerCase() : undefined,
				SearchKey: byId ? undefined : filter,
			},
			{
				region,
				decode: (response) => ({
					instances: listOf(response.InstanceSet, 'InstanceSet').filter(
						(raw) => typeof raw.InstanceId === 'string' && raw.InstanceId !== '',
					),
					total: totalOf(response.TotalCount),
				}),
			},
		);
		const more =
			total !== null
				? offset + INSTANCE_PAGE_SIZE < total
				: instances.length === INSTANCE_PAGE_SIZE;
		return {
			instances: instances.map((raw) => {
				const instanceId = String(raw.InstanceId);
				const name =
					typeof raw.InstanceName === 'string' && raw.InstanceName ? raw.InstanceName : instanceId;
				const productType =
					typeof raw.ProductType === 'string' && raw.ProductType ? `, ${raw.ProductType}` : '';
				const regionId =
					typeof raw.RegionId === 'number' ? `&regionId=${String(raw.RegionId)}` : '';
				return {
					instanceId,
					label: `${name} (${instanceId}${productType})`,
					url: `https://console.cloud.tencent.com/redis/instance/manage?ins=${encodeURIComponent(instanceId)}${regionId}`,
					variant: 'api3',
				};
			}),
			nextPageToken: more ? String(offset + INSTANCE_PAGE_SIZE) : undefined,
		};
	}

	describeKind(kind: CloudErrorKind): string {
		return describeKind(kind);
	}
}
