/**
 * What every Tencent operation needs: the provider bound to this execution, the item's instance, and the
 * parameters only Tencent has. The operations themselves are shared (common/operations.ts).
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { requireOneOf, requireText } from '../../common/input';
import type { CloudNode } from '../../common/operations';
import {
	instanceIdOf,
	instanceLocator,
	optionsOf,
	regionParameter,
	searchDaysOption,
} from '../../common/parameters';
import type { InstanceRef } from '../../common/provider';
import { createProvider, resolveRegion } from '../transport/connect';
import { BACKUP_PAGE_SIZES, INSTANCE_ID_PATTERN, type TencentApi } from '../transport/provider';

export { INSTANCE_ID_PATTERN };
export const INSTANCE_ID_EXAMPLE = 'crs-5a4py64p';

/** Manual backups are kept for up to 1825 days (StorageDays); a lookup by ID searches at most that far back. */
export const MAX_SEARCH_DAYS = 1825;
/** DescribeInstanceBackups spans 30 days per request: a lookup searches one such window unless asked for more. */
export const DEFAULT_SEARCH_DAYS = 30;

/** Tencent's backup IDs: digits and dashes ("641186639-8362913-1516672770") or UUIDs (the legacy API). */
export const BACKUP_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** Task IDs are positive integers. */
export const TASK_ID_PATTERN = /^[1-9]\d{0,15}$/;
export const TASK_ID_EXAMPLE = '1210000 (a number)';

const APIS: readonly TencentApi[] = ['api3', 'legacy'];

/** The API option of the backup operations that read backups (absent elsewhere: API 3.0). */
function apiOf(context: IExecuteFunctions, itemIndex: number): TencentApi {
	const value = optionsOf.call(context, itemIndex).api;
	return value === undefined || value === '' ? 'api3' : requireOneOf(value, APIS, 'API');
}

export async function instanceOf(
	context: IExecuteFunctions,
	itemIndex: number,
): Promise<InstanceRef> {
	const instanceId = instanceIdOf(context, itemIndex, INSTANCE_ID_PATTERN, INSTANCE_ID_EXAMPLE);
	const variant = apiOf(context, itemIndex);
	const region = await resolveRegion(context, context.getNodeParameter('region', itemIndex, ''));
	return { region, instanceId, variant };
}

export function taskIdOf(value: unknown): string {
	return requireText(value, 'Task ID', TASK_ID_PATTERN, TASK_ID_EXAMPLE);
}

export const tencentNode: CloudNode = {
	provider: (context, requestTimeoutMs) => createProvider(context, requestTimeoutMs),
	instanceOf,
	backupIdOf: (value) =>
		requireText(value, 'Backup ID', BACKUP_ID_PATTERN, '641186639-8362913-1516672770'),
	// ManualBackupInstance starts one task: one ID.
	jobIdsOf: (value) => [taskIdOf(value)],
	pageSizes: BACKUP_PAGE_SIZES,
	maxSearchDays: MAX_SEARCH_DAYS,
	defaultSearchDays: DEFAULT_SEARCH_DAYS,
	// ManualBackupInstance's StorageDays: up to 1825 days (more than 7 needs a ticket with Tencent).
	retentionDays: { min: 1, max: 1825 },
};

/**
 * Regions with Tencent Cloud Redis (the financial zones need their own endpoint, which the credential picks). Any
 * other region ID can be given by an expression.
 */
export const TENCENT_REDIS_REGIONS: ReadonlyArray<{
	name: string;
	value: string;
	description: string;
}> = [
	{ name: 'Bangkok', value: 'ap-bangkok', description: 'Region ID ap-bangkok' },
	{ name: 'Beijing', value: 'ap-beijing', description: 'Region ID ap-beijing' },
	{ name: 'Beijing Finance', value: 'ap-beijing-fsi', description: 'Region ID ap-beijing-fsi' },
	{ name: 'Chengdu', value: 'ap-chengdu', description: 'Region ID ap-chengdu' },
	{ name: 'Chongqing', value: 'ap-chongqing', description: 'Region ID ap-chongqing' },
	{ name: 'Frankfurt', value: 'eu-frankfurt', description: 'Region ID eu-frankfurt' },
	{ name: 'Guangzhou', value: 'ap-guangzhou', description: 'Region ID ap-guangzhou' },
	{ name: 'Hong Kong, China', value: 'ap-hongkong', description: 'Region ID ap-hongkong' },
	{ name: 'Jakarta', value: 'ap-jakarta', description: 'Region ID ap-jakarta' },
	{ name: 'Mumbai', value: 'ap-mumbai', description: 'Region ID ap-mumbai' },
	{ name: 'Nanjing', value: 'ap-nanjing', description: 'Region ID ap-nanjing' },
	{ name: 'São Paulo', value: 'sa-saopaulo', description: 'Region ID sa-saopaulo' },
	{ name: 'Seoul', value: 'ap-seoul', description: 'Region ID ap-seoul' },
	{ name: 'Shanghai', value: 'ap-shanghai', description: 'Region ID ap-shanghai' },
	{ name: 'Shanghai Finance', value: 'ap-shanghai-fsi', description: 'Region ID ap-shanghai-fsi' },
	{ name: 'Shenzhen Finance', value: 'ap-shenzhen-fsi', description: 'Region ID ap-shenzhen-fsi' },
	{ name: 'Silicon Valley', value: 'na-siliconvalley', description: 'Region ID na-siliconvalley' },
	{ name: 'Singapore', value: 'ap-singapore', description: 'Region ID ap-singapore' },
	{ name: 'Tokyo', value: 'ap-tokyo', description: 'Region ID ap-tokyo' },
	{ name: 'Virginia', value: 'na-ashburn', description: 'Region ID na-ashburn' },
];

export const regionProperty = regionParameter({ cloud: 'Tencent', regions: TENCENT_REDIS_REGIONS });

export const instanceProperty = instanceLocator({
	description: 'The Redis instance',
	pattern: INSTANCE_ID_PATTERN,
	example: INSTANCE_ID_EXAMPLE,
	invalidId: 'Not an instance ID (crs- followed by letters and digits)',
});

/** The API backups are read with: an option of List, Get, Get Download URL and Download. */
export const apiOption: INodeProperties = {
	displayName: 'API',
	name: 'api',
	type: 'options',
	default: 'api3',
	options: [
		{
			name: 'API 3.0',
			value: 'api3',
			description: 'DescribeInstanceBackups and DescribeBackupUrl (redis.tencentcloudapi.com)',
		},
		{
			name: 'Legacy CRS API',
			value: 'legacy',
			description:
				'GetRedisBackupList and GetBackupDownloadUrl (redis.api.qcloud.com), for accounts still on it; lists only the last 7 days',
		},
	],
	description: 'Which Tencent Cloud API to read the backups with; both give the same items',
};

export const backupIdProperty: INodeProperties = {
	displayName: 'Backup ID',
	name: 'backupId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 641186639-8362913-1516672770',
	description: 'The backup ID (backupId of Backup → List)',
};

export const taskIdProperty: INodeProperties = {
	displayName: 'Task ID',
	name: 'taskId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 1210000',
	description: 'The task ID returned by Backup → Create (taskId)',
};

export const searchDaysProperty = searchDaysOption(MAX_SEARCH_DAYS, 'Tencent', DEFAULT_SEARCH_DAYS);
