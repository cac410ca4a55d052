/**
 * What every Alibaba operation needs: the provider bound to this execution, the item's instance, and the
 * parameters only Alibaba has. The operations themselves are shared (common/operations.ts).
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { requireOneOf, requireText } from '../../common/input';
import type { CloudNode } from '../../common/operations';
import {
	instanceIdOf,
	instanceLocator,
	regionParameter,
	searchDaysOption,
} from '../../common/parameters';
import type { InstanceRef } from '../../common/provider';
import { createProvider, resolveRegion } from '../transport/connect';
import { BACKUP_PAGE_SIZES, type BackupListKind } from '../transport/provider';

/** Alibaba instance IDs: "r-" then lower-case letters and digits (Tair and Redis alike). */
export const INSTANCE_ID_PATTERN = /^r-[a-z0-9]{4,40}$/;
export const INSTANCE_ID_EXAMPLE = 'r-bp1zxszhcgatnx1234';

/** Alibaba keeps backups for at most this long. */
export const MAX_SEARCH_DAYS = 730;

/** Instance Type is shown only where backups are read; elsewhere it does not matter. */
function variantOf(context: IExecuteFunctions, itemIndex: number): BackupListKind {
	return requireOneOf<BackupListKind>(
		context.getNodeParameter('instanceType', itemIndex, 'standard'),
		['standard', 'cluster'],
		'Instance Type',
	);
}

export async function instanceOf(
	context: IExecuteFunctions,
	itemIndex: number,
): Promise<InstanceRef> {
	const instanceId = instanceIdOf(context, itemIndex, INSTANCE_ID_PATTERN, INSTANCE_ID_EXAMPLE);
	const variant = variantOf(context, itemIndex);
	const region = await resolveRegion(context, context.getNodeParameter('region', itemIndex, ''));
	return { region, instanceId, variant };
}

const BACKUP_ID_PATTERNS: Record<BackupListKind, { pattern: RegExp; example: string }> = {
	standard: { pattern: /^\d{1,20}$/, example: '11611111 (a number)' },
	cluster: { pattern: /^cb-[a-z0-9]{4,40}$/, example: 'cb-hyxdof5x9kqbtust' },
};

/** One job ID, or several separated by commas (older cluster instances answer CreateBackup with "id1,id2"). */
const JOB_IDS_PATTERN = /^\d{1,20}(\s*,\s*\d{1,20})*$/;
export const TASK_ID_PATTERN = /^\d{1,20}$/;

export const alibabaNode: CloudNode = {
	provider: (context, requestTimeoutMs) => createProvider(context, requestTimeoutMs),
	instanceOf,
	backupIdOf: (value, instance) => {
		const { pattern, example } = BACKUP_ID_PATTERNS[instance.variant as BackupListKind];
		return requireText(value, 'Backup ID', pattern, example);
	},
	jobIdsOf: (value) =>
		requireText(
			value,
			'Backup Job ID',
			JOB_IDS_PATTERN,
			'11620000 (a number, or several separated by commas)',
		)
			.split(',')
			.map((id) => id.trim()),
	pageSizes: BACKUP_PAGE_SIZES,
	maxSearchDays: MAX_SEARCH_DAYS,
	// CreateBackup's BackupRetentionPeriod: 7 to 730 days.
	retentionDays: { min: 7, max: 730 },
};

export const regionProperty = regionParameter({ placeholder: 'cn-hangzhou' });

export const instanceProperty = instanceLocator({
	description: 'The Redis or Tair instance',
	pattern: INSTANCE_ID_PATTERN,
	example: INSTANCE_ID_EXAMPLE,
	invalidId: 'Not an instance ID (r- followed by letters and digits)',
});

export const instanceTypeProperty: INodeProperties = {
	displayName: 'Instance Type',
	name: 'instanceType',
	type: 'options',
	default: 'standard',
	options: [
		{
			name: 'Standard',
			value: 'standard',
			description: 'Standard or classic instances: one backup file per backup (DescribeBackups)',
		},
		{
			name: 'Cloud-Native Cluster',
			value: 'cluster',
			description:
				'Cluster instances: backup sets with one file per shard (DescribeClusterBackupList)',
		},
	],
};

export const backupIdProperty: INodeProperties = {
	displayName: 'Backup ID',
	name: 'backupId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 1162****** or cb-hyxdof5x9kqbtust',
	description:
		'A backup ID (standard instances, a number) or a backup set ID (cluster instances, cb-…)',
};

export const searchDaysProperty = searchDaysOption(MAX_SEARCH_DAYS, 'Alibaba');
