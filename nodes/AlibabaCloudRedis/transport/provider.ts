/**
 * Alibaba Cloud R-KVStore as a BackupProvider (common/provider.ts): the actions, their parameters and time
 * formats, and how a backup job maps to the backup it produced. Every rule above this (paging, filters, waiting,
 * downloading, create-once) is shared.
 */
import { DateTime } from 'luxon';
import type { IDataObject } from 'n8n-workflow';

import { closestToJobStart, jobStartOf } from '../../common/backups';
import { crc64Checksum } from '../../common/checksums';
import type { CloudErrorKind } from '../../common/errors';
import type { Backup, BackupTask } from '../../common/model';
import type { Page } from '../../common/paginate';
import type {
	BackupPageQuery,
	BackupProvider,
	CreateBackupOptions,
	InstancePage,
	InstanceRef,
	TaskFilter,
} from '../../common/provider';
import { formatForProvider, UTC } from '../../common/time';
import {
	listOf,
	normalizeBackupTask,
	normalizeClusterBackupSet,
	normalizeCreatedTask,
	normalizeStandardBackup,
} from '../normalize';
import { type AlibabaRedisClient, describeKind } from './client';

/** DescribeBackups and DescribeClusterBackupList accept only these page sizes. */
export const BACKUP_PAGE_SIZES = [30, 50, 100, 200, 300] as const;
export const INSTANCE_PAGE_SIZE = 50;

/** Standard instances list backups (one file each); cloud-native cluster instances list backup sets. */
export type BackupListKind = 'standard' | 'cluster';

/** OSS sends the object's CRC-64/ECMA (decimal) in this header. */
export const OSS_CHECKSUM_HEADER = 'x-oss-hash-crc64ecma';

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

function listAction(kind: string) {
	return kind === 'cluster'
		? {
				action: 'DescribeClusterBackupList',
				idParam: 'ClusterBackupId',
				pick: (body: IDataObject) => listOf(body.ClusterBackups, 'ClusterBackup'),
				normalize: normalizeClusterBackupSet,
			}
		: {
				action: 'DescribeBackups',
				idParam: 'BackupId',
				pick: (body: IDataObject) => listOf(body.Backups, 'Backup'),
				normalize: normalizeStandardBackup,
			};
}

function totalOf(body: IDataObject): number | null {
	return typeof body.TotalCount === 'number' ? body.TotalCount : null;
}

export class AlibabaProvider implements BackupProvider {
	readonly id = 'alibaba' as const;

	readonly label = 'Alibaba Cloud';

	readonly paging = 'pageNumber' as const;

	/** OSS sends the object's CRC-64/ECMA-182 on every download (ranged ones too). */
	readonly storage = { checksum: crc64Checksum(OSS_CHECKSUM_HEADER) };

	/** DescribeBackups lists finished backups only; a running one is a task of DescribeBackupTasks. */
	readonly listsRunningBackups = false;

	readonly requestRate = {
		requests: 200,
		perMs: 60_000,
		source:
			"Alibaba Cloud's R-KVStore 2015-01-01 API quota page: most Describe actions 200 per 60 s per region and account",
	};

	constructor(private readonly client: AlibabaRedisClient) {}

	async fetchBackupPage(
		query: BackupPageQuery,
		pageNumber: number,
		pageSize: number,
	): Promise<Page<Backup>> {
		const { instance } = query;
		const spec = listAction(instance.variant);
		return await this.client.call(
			spec.action,
			{
				RegionId: instance.region,
				InstanceId: instance.instanceId,
				...alibabaMinuteRange(query.start, query.end),
				PageNumber: pageNumber,
				PageSize: pageSize,
				[spec.idParam]: query.backupId,
				BackupJobId: instance.variant === 'cluster' ? undefined : query.jobId,
			},
			{
				decode: (body) => ({
					items: spec.pick(body).map((record) => spec.normalize(record, instance)),
					total: totalOf(body),
				}),
			},
		);
	}

	async listTasks(instance: InstanceRef, filter: TaskFilter): Promise<BackupTask[]> {
		return await this.client.call(
			'DescribeBackupTasks',
			{
				RegionId: instance.region,
				InstanceId: instance.instanceId,
				BackupJobId: filter.taskId,
				JobMode: filter.mode,
			},
			{
				decode: (body) =>
					listOf(body.BackupJobs, 'BackupJob').map((record) =>
						normalizeBackupTask(record, instance),
					),
			},
		);
	}

	async listJobTasks(instance: InstanceRef, jobIds: string[]): Promise<BackupTask[]> {
		return await this.listTasks(instance, { taskId: jobIds.length === 1 ? jobIds[0] : undefined });
	}

	/**
	 * Standard backups carry the job ID (one per data node may: the job's outcome is the worst of theirs); a
	 * cluster set is the one stamped closest to the job's start (the shared `closestToJobStart`, within 2
	 * minutes). A cluster job never seen cannot be matched by time, so it has no backup.
	 */
	async findJobBackup(
		instance: InstanceRef,
		jobIds: string[],
		seen: BackupTask[],
		window: { start: DateTime; end: DateTime },
	): Promise<Backup | null> {
		if (instance.variant === 'cluster') {
			const jobStart = jobStartOf(seen);
			if (!jobStart) return null;
			return closestToJobStart(await this.collect({ instance, ...window }), jobStart);
		}
		const found: Backup[] = [];
		for (const jobId of jobIds) found.push(...(await this.collect({ instance, ...window, jobId })));
		const mine = found.filter((backup) => backup.taskId !== null && jobIds.includes(backup.taskId));
		return (
			mine.find((backup) => backup.status === 'failed') ??
			mine.find((backup) => backup.status !== 'succeeded') ??
			mine[0] ??
			null
		);
	}

	/** Every page of a query (a job's backups are few). */
	private async collect(query: BackupPageQuery): Promise<Backup[]> {
		const pageSize = BACKUP_PAGE_SIZES[0];
		const all: Backup[] = [];
		for (let pageNumber = 1; pageNumber <= 100; pageNumber++) {
			const page = await this.fetchBackupPage(query, pageNumber, pageSize);
			all.push(...page.items);
			if (page.items.length < pageSize || (page.total != null && all.length >= page.total)) break;
		}
		return all;
	}

	/** CreateBackup is not idempotent: the client retries it only when the cloud throttled it (it did nothing). */
	async createBackup(instance: InstanceRef, options: CreateBackupOptions): Promise<BackupTask> {
		return await this.client.call(
			'CreateBackup',
			{
				RegionId: instance.region,
				InstanceId: instance.instanceId,
				BackupRetentionPeriod: options.retentionDays,
			},
			{ idempotent: false, decode: (body) => normalizeCreatedTask(body, instance) },
		);
	}

	async searchInstances(
		region: string,
		filter: string | undefined,
		pageToken?: string,
	): Promise<InstancePage> {
		const pageNumber = pageToken && /^\d+$/.test(pageToken) ? Number(pageToken) : 1;
		const { instances, total } = await this.client.call(
			'DescribeInstances',
			{
				RegionId: region,
				SearchKey: filter,
				PageNumber: pageNumber,
				PageSize: INSTANCE_PAGE_SIZE,
			},
			{
				decode: (body) => ({
					instances: listOf(body.Instances, 'KVStoreInstance').filter(
						(raw) => typeof raw.InstanceId === 'string' && raw.InstanceId !== '',
					),
					total: totalOf(body),
				}),
			},
		);
		const more =
			total !== null
				? pageNumber * INSTANCE_PAGE_SIZE < total
				: instances.length === INSTANCE_PAGE_SIZE;
		return {
			instances: instances.map((raw) => {
				const instanceId = String(raw.InstanceId);
				const name =
					typeof raw.InstanceName === 'string' && raw.InstanceName ? raw.InstanceName : instanceId;
				const architecture =
					typeof raw.ArchitectureType === 'string' ? `, ${raw.ArchitectureType}` : '';
				return {
					instanceId,
					label: `${name} (${instanceId}${architecture})`,
					url: `https://kvstore.console.aliyun.com/Redis/instance/${region}/${instanceId}`,
					// Cluster instances' backups are read as backup sets; every other architecture as standard.
					variant: raw.ArchitectureType === 'cluster' ? 'cluster' : 'standard',
				};
			}),
			nextPageToken: more ? String(pageNumber + 1) : undefined,
		};
	}

	describeKind(kind: CloudErrorKind): string {
		return describeKind(kind);
	}
}
