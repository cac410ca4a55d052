/**
 * UCloud URedis (master-replica Redis of UMem) as a BackupProvider (common/provider.ts): DescribeURedisBackup,
 * DescribeURedisBackupURL, CreateURedisBackup and DescribeURedisGroup. Every rule above this (paging, the time range
 * and status filter, waiting, downloading, create-once) is shared.
 *
 * What URedis does not have, and how the shared rules cover it:
 * - no time or state filter on DescribeURedisBackup (`listsByTimeRange: false`): the rules filter what it lists, before
 *   Limit counts; this adapter never drops a record from a page (a short page would end the listing);
 * - no task API (`jobKind: 'backup'`): CreateURedisBackup answers the new backup's ID, and Wait Until Finished polls
 *   that backup's own State (Backuping until Success, Error or Expired);
 * - no CRC-64 from US3 (UFile), where the files live: downloads are checked by US3's own ETag (us3Etag.ts).
 */
import { DateTime } from 'luxon';

import { listBackups } from '../../common/backups';
import { CloudApiError, type CloudErrorKind } from '../../common/errors';
import type { Backup, BackupTask } from '../../common/model';
import { collectPages, type Page } from '../../common/paginate';
import type {
	BackupPageQuery,
	BackupProvider,
	CreateBackupOptions,
	InstancePage,
	InstanceRef,
	TaskFilter,
} from '../../common/provider';
import {
	backupAsTask,
	backupSetOf,
	groupChoice,
	listOf,
	normalizeBackup,
	normalizeBackupUrl,
	normalizeCreatedBackup,
	totalOf,
} from '../normalize';
import { describeKind, type UCloudRedisClient } from './client';
import { US3_ETAG_CHECKSUM } from './us3Etag';

/** DescribeURedisBackup's Limit (its default is 10; no maximum is documented, so none above 100 is asked for). */
export const BACKUP_PAGE_SIZES = [100, 50, 20, 10] as const;
export const INSTANCE_PAGE_SIZE = 50;
/** The instance picker reads at most this many pages of groups for one search by name. */
export const MAX_SEARCH_PAGES = 10;

/** URedis group IDs: "uredis-" and letters and digits ("uredis-2cwmyb"). */
export const INSTANCE_ID_PATTERN = /^uredis-[A-Za-z0-9]{4,40}$/;

/** The (unused) search window of a lookup by ID: DescribeURedisBackup takes no time range. */
const ANY_TIME = DateTime.fromMillis(0, { zone: 'utc' });

export class UCloudProvider implements BackupProvider {
	readonly id = 'ucloud' as const;

	readonly label = 'UCloud';

	readonly paging = 'offset' as const;

	/** US3 (UFile) sends no CRC-64 but an ETag that is its own hash of the file (us3Etag.ts): downloads are checked by it. */
	readonly storage = { checksum: US3_ETAG_CHECKSUM };

	readonly listsByTimeRange = false;
	// DescribeURedisBackup documents no order.
	readonly listsNewestFirst = false;

	readonly jobKind = 'backup' as const;

	readonly requestRate = {
		requests: 10,
		perMs: 1000,
		source: 'UCloud documents no rate for URedis actions: 10 requests per second, a cautious figure of ours',
	};

	constructor(private readonly client: UCloudRedisClient) {}

	/**
	 * DescribeURedisBackup of the group, by offset. The API has no time filter: `query.start`/`end` are applied by the
	 * shared rule to what comes back. A lookup by ID passes BackupId (documented: only that backup is returned).
	 */
	async fetchBackupPage(
		query: BackupPageQuery,
		offset: number,
		pageSize: number,
	): Promise<Page<Backup>> {
		const { instance } = query;
		return await this.client.call(
			'DescribeURedisBackup',
			{
				Region: instance.region,
				GroupId: instance.instanceId,
				BackupId: query.backupId,
				Offset: offset,
				Limit: pageSize,
			},
			{
				decode: (response) => ({
					items: backupSetOf(response).map((raw) => normalizeBackup(raw, instance)),
					total: totalOf(response.TotalCount),
				}),
			},
		);
	}

	/**
	 * DescribeURedisBackupURL: the backup's one file, its public URL (BackupPath) and internal URL (InnerBackupPath).
	 * The Zone is the node's, else the zone the backup record names.
	 */
	async fetchBackupFiles(instance: InstanceRef, backup: Backup): Promise<Backup> {
		const recordZone = typeof backup.raw.Zone === 'string' ? backup.raw.Zone.trim() : '';
		const file = await this.client.call(
			'DescribeURedisBackupURL',
			{
				Region: instance.region,
				Zone: instance.zone || recordZone || undefined,
				GroupId: instance.instanceId,
				BackupId: backup.backupId,
			},
			{ decode: (response) => normalizeBackupUrl(response, backup) },
		);
		return { ...backup, files: [file], sizeBytes: backup.sizeBytes ?? file.sizeBytes };
	}

	/** One backup by ID as UCloud lists it now; null when it is not listed. */
	private async backupById(instance: InstanceRef, backupId: string): Promise<Backup | null> {
		const [backup] = await collectPages(
			listBackups(this, {
				instance,
				start: ANY_TIME,
				end: ANY_TIME,
				pageSize: BACKUP_PAGE_SIZES[0],
				limit: 1,
				backupId,
				clipToRange: false,
			}),
		);
		return backup ?? null;
	}

	/** URedis has no task API: a "task" is the backup, looked up by its ID (Backup ID). */
	async listTasks(instance: InstanceRef, filter: TaskFilter): Promise<BackupTask[]> {
		const { taskId } = filter;
		if (!taskId) {
			throw new CloudApiError(
				'UCloud URedis has no backup tasks: look a backup up by its Backup ID',
				{
					provider: this.id,
					kind: 'client',
					action: 'DescribeURedisBackup',
				},
			);
		}
		return await this.listJobTasks(instance, [taskId]);
	}

	/** The job's backups as rows (the job ID is the backup ID); [] for one not listed (yet). */
	async listJobTasks(instance: InstanceRef, jobIds: string[]): Promise<BackupTask[]> {
		const rows: BackupTask[] = [];
		for (const backupId of jobIds) {
			const backup = await this.backupById(instance, backupId);
			if (backup) rows.push(backupAsTask(backup));
		}
		return rows;
	}

	/** The job's backup is the backup of that ID. */
	async findJobBackup(instance: InstanceRef, jobIds: string[]): Promise<Backup | null> {
		const [backupId] = jobIds;
		return backupId === undefined ? null : await this.backupById(instance, backupId);
	}

	/**
	 * CreateURedisBackup (BackupName required, Zone where the node names one). Not idempotent: the client retries it
	 * only when UCloud throttled it. An answer without a BackupId is malformed.
	 */
	async createBackup(instance: InstanceRef, options: CreateBackupOptions): Promise<BackupTask> {
		if (!options.name) {
			throw new CloudApiError('CreateURedisBackup needs a Backup Name', {
				provider: this.id,
				kind: 'client',
				action: 'CreateURedisBackup',
			});
		}
		return await this.client.call(
			'CreateURedisBackup',
			{
				Region: instance.region,
				Zone: instance.zone,
				GroupId: instance.instanceId,
				BackupName: options.name,
			},
			{
				idempotent: false,
				decode: (response) => normalizeCreatedBackup(response, instance),
			},
		);
	}

	/**
	 * DescribeURedisGroup: a whole group ID is looked up as such (GroupId); a name is searched in the names of the
	 * region's groups, page by page (the API has no name filter), up to MAX_SEARCH_PAGES pages per call.
	 */
	async searchInstances(
		region: string,
		filter: string | undefined,
		pageToken?: string,
	): Promise<InstancePage> {
		let offset = pageToken && /^\d+$/.test(pageToken) ? Number(pageToken) : 0;
		const byId = filter !== undefined && INSTANCE_ID_PATTERN.test(filter);
		const needle = filter?.toLowerCase();
		const instances: InstancePage['instances'] = [];
		for (let pages = 0; pages < MAX_SEARCH_PAGES; pages++) {
			const { groups, total } = await this.client.call(
				'DescribeURedisGroup',
				{
					Region: region,
					GroupId: byId ? filter : undefined,
					Offset: offset,
					Limit: INSTANCE_PAGE_SIZE,
				},
				{
					decode: (response) => ({
						groups: listOf(response.DataSet, 'DataSet'),
						total: totalOf(response.TotalCount),
					}),
				},
			);
			offset += groups.length;
			for (const raw of groups) {
				const choice = groupChoice(raw);
				if (!choice) continue;
				if (needle && !byId && !choice.label.toLowerCase().includes(needle)) continue;
				instances.push(choice);
			}
			const more =
				groups.length > 0 &&
				(total !== null ? offset < total : groups.length === INSTANCE_PAGE_SIZE);
			if (!more) return { instances };
			// Without a filter one page is a page; a search reads on until it has found something.
			if (!needle || byId || instances.length > 0) break;
		}
		return { instances, nextPageToken: String(offset) };
	}

	describeKind(kind: CloudErrorKind): string {
		return describeKind(kind);
	}
}
