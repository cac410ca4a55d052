/**
 * What every Alibaba operation needs: the client bound to this execution, the region and instance of an item,
 * and the parameters several operations share.
 */
import {
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type INodeProperties,
	sleep,
} from 'n8n-workflow';

import { requireOneOf, requireText } from '../../common/input';
import type { AlibabaContext } from '../normalize';
import { BACKUP_PAGE_SIZES, type BackupListKind } from '../transport/api';
import { ALIBABA_CREDENTIAL_TYPE, AlibabaRedisClient } from '../transport/client';

/** Alibaba instance IDs: "r-" then lower-case letters and digits (Tair and Redis alike). */
export const INSTANCE_ID_PATTERN = /^r-[a-z0-9]{4,40}$/;
export const INSTANCE_ID_EXAMPLE = 'r-bp1zxszhcgatnx1234';
const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)+$/;

export function createClient(
	context: IExecuteFunctions | ILoadOptionsFunctions,
): AlibabaRedisClient {
	const signal =
		'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
	return new AlibabaRedisClient({
		send: async (options) =>
			await context.helpers.httpRequestWithAuthentication.call(
				context,
				ALIBABA_CREDENTIAL_TYPE,
				options,
			),
		sleep,
		signal,
	});
}

/** The node's Region parameter, else the credential's default region. */
export async function resolveRegion(
	context: IExecuteFunctions | ILoadOptionsFunctions,
	nodeRegion: unknown,
): Promise<string> {
	const explicit = typeof nodeRegion === 'string' ? nodeRegion.trim() : '';
	if (explicit) return requireText(explicit, 'Region', REGION_PATTERN, 'cn-hangzhou');
	const credentials = await context.getCredentials(ALIBABA_CREDENTIAL_TYPE);
	return requireText(
		credentials.region,
		'Default Region (credential)',
		REGION_PATTERN,
		'cn-hangzhou',
	);
}

export async function itemContext(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<AlibabaContext> {
	const instanceId = requireText(
		this.getNodeParameter('instanceId', itemIndex, '', { extractValue: true }),
		'Instance',
		INSTANCE_ID_PATTERN,
		INSTANCE_ID_EXAMPLE,
	);
	const region = await resolveRegion(this, this.getNodeParameter('region', itemIndex, ''));
	return { region, instanceId };
}

export function instanceKind(this: IExecuteFunctions, itemIndex: number): BackupListKind {
	return requireOneOf<BackupListKind>(
		this.getNodeParameter('instanceType', itemIndex),
		['standard', 'cluster'],
		'Instance Type',
	);
}

export function pageSizeOf(value: unknown): number {
	return requireOneOf(
		value === undefined || value === '' ? 30 : Number(value),
		BACKUP_PAGE_SIZES,
		'Page Size',
	);
}

/** The "Options" collection of one operation. */
export function optionsCollection(
	show: Record<string, string[]>,
	options: INodeProperties[],
): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options,
	};
}

export const regionProperty: INodeProperties = {
	displayName: 'Region',
	name: 'region',
	type: 'string',
	default: '',
	placeholder: 'cn-hangzhou',
	description: "Region ID of the instance. Leave empty to use the credential's default region.",
};

export const instanceProperty: INodeProperties = {
	displayName: 'Instance',
	name: 'instanceId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The Redis or Tair instance',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchInstances', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: INSTANCE_ID_EXAMPLE,
			validation: [
				{
					type: 'regex',
					properties: {
						regex: INSTANCE_ID_PATTERN.source,
						errorMessage: 'Not an instance ID (r- followed by letters and digits)',
					},
				},
			],
		},
	],
};

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

export const searchDaysProperty: INodeProperties = {
	displayName: 'Search Back (Days)',
	name: 'searchDays',
	type: 'number',
	default: 730,
	typeOptions: { minValue: 1, maxValue: 730 },
	description: 'How far back to look for the backup; Alibaba keeps backups for at most 730 days',
};
