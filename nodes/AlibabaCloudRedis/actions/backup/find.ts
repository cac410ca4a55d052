import { DateTime } from 'luxon';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { CloudApiError } from '../../../common/errors';
import { requirePositiveNumber, requireText } from '../../../common/input';
import type { Backup } from '../../../common/model';
import { collectPages } from '../../../common/paginate';
import type { AlibabaContext } from '../../normalize';
import { type BackupListKind, listBackups } from '../../transport/api';
import type { AlibabaRedisClient } from '../../transport/client';
import { createClient, instanceKind, itemContext } from '../shared';

const BACKUP_ID_PATTERNS: Record<BackupListKind, { pattern: RegExp; example: string }> = {
	standard: { pattern: /^\d{1,20}$/, example: '11611111 (a number)' },
	cluster: { pattern: /^cb-[a-z0-9]{4,40}$/, example: 'cb-hyxdof5x9kqbtust' },
};

export function checkBackupId(kind: BackupListKind, value: unknown): string {
	const { pattern, example } = BACKUP_ID_PATTERNS[kind];
	return requireText(value, 'Backup ID', pattern, example);
}

/** One backup by ID. Both list actions require a time range, so the search spans the last `searchDays`. */
export async function findBackup(
	client: AlibabaRedisClient,
	kind: BackupListKind,
	context: AlibabaContext,
	backupId: string,
	searchDays: number,
): Promise<Backup> {
	const end = DateTime.utc();
	const found = await collectPages(
		listBackups(client, {
			kind,
			context,
			start: end.minus({ days: searchDays }),
			end,
			pageSize: 30,
			limit: 1,
			backupId,
			clipToRange: false,
		}),
	);
	const backup = found.find((b) => b.backupId === backupId);
	if (!backup) {
		throw new CloudApiError(
			`Backup ${backupId} was not found on instance ${context.instanceId} in the last ${searchDays} days`,
			{
				provider: 'alibaba',
				kind: 'notFound',
				action: kind === 'cluster' ? 'DescribeClusterBackupList' : 'DescribeBackups',
			},
		);
	}
	return backup;
}

export interface ItemBackup {
	backup: Backup;
	/** The same backup fetched again (e.g. for fresh presigned download URLs). */
	refetch: () => Promise<Backup>;
}

/** Get, Get Download URL and Download all start here: the item's instance, backup ID and search window. */
export async function backupLookupOfItem(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<ItemBackup> {
	const kind = instanceKind.call(this, itemIndex);
	const backupId = checkBackupId(kind, this.getNodeParameter('backupId', itemIndex));
	const context = await itemContext.call(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const searchDays = requirePositiveNumber(options.searchDays ?? 730, 'Search Back (Days)', {
		integer: true,
		max: 730,
	});
	const client = createClient(this);
	const refetch = async () => await findBackup(client, kind, context, backupId, searchDays);
	return { backup: await refetch(), refetch };
}

export async function backupOfItem(this: IExecuteFunctions, itemIndex: number): Promise<Backup> {
	return (await backupLookupOfItem.call(this, itemIndex)).backup;
}
