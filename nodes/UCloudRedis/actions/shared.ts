/**
 * What every UCloud operation needs: the provider bound to this execution, the item's instance (group), region and
 * zone, and the parameters only UCloud has. The operations themselves are shared (common/operations.ts).
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { requireText } from '../../common/input';
import type { CloudNode } from '../../common/operations';
import { instanceIdOf, instanceLocator, regionParameter } from '../../common/parameters';
import type { InstanceRef } from '../../common/provider';
import { createProvider, resolveRegion, resolveZone } from '../transport/connect';
import { BACKUP_PAGE_SIZES, INSTANCE_ID_PATTERN } from '../transport/provider';

export { INSTANCE_ID_PATTERN };
export const INSTANCE_ID_EXAMPLE = 'uredis-2cwmyb';

/** URedis backup IDs are UUIDs ("24149c99-4df6-4b5a-99b4-8ab1ca2d7aaa"); anything of their characters is accepted. */
export const BACKUP_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
export const BACKUP_ID_EXAMPLE = '24149c99-4df6-4b5a-99b4-8ab1ca2d7aaa';

/** BackupName of CreateURedisBackup, as UCloud documents it: 6 to 63 letters, digits, "-" and "_" (范围[6-63]). */
export const BACKUP_NAME_PATTERN = /^[A-Za-z0-9_-]{6,63}$/;
export const BACKUP_NAME_EXAMPLE = 'n8n-20261120-0300 (6 to 63 letters, digits, - and _)';

/**
 * How far back a lookup searches does not apply to UCloud (DescribeURedisBackup takes no time range: every backup it
 * keeps is searched), so the node shows no Search Back option; the contract still wants a number.
 */
export const MAX_SEARCH_DAYS = 3650;

export async function instanceOf(
	context: IExecuteFunctions,
	itemIndex: number,
): Promise<InstanceRef> {
	const instanceId = instanceIdOf(context, itemIndex, INSTANCE_ID_PATTERN, INSTANCE_ID_EXAMPLE);
	const region = await resolveRegion(context, context.getNodeParameter('region', itemIndex, ''));
	// Zone is a parameter of Create and of the operations that fetch download URLs only (empty elsewhere).
	const zone = resolveZone(context.getNodeParameter('zone', itemIndex, ''), region);
	return { region, instanceId, variant: '', ...(zone ? { zone } : {}) };
}

export function backupIdOf(value: unknown): string {
	return requireText(value, 'Backup ID', BACKUP_ID_PATTERN, BACKUP_ID_EXAMPLE);
}

export function backupNameOf(value: unknown): string {
	return requireText(value, 'Backup Name', BACKUP_NAME_PATTERN, BACKUP_NAME_EXAMPLE);
}

export const ucloudNode: CloudNode = {
	provider: (context, requestTimeoutMs) => createProvider(context, requestTimeoutMs),
	instanceOf,
	backupIdOf: (value) => backupIdOf(value),
	// URedis has no task API: Wait Until Finished waits for the backup itself, by its Backup ID.
	jobIdsOf: (value) => [backupIdOf(value)],
	jobIdParameter: 'backupId',
	pageSizes: BACKUP_PAGE_SIZES,
	maxSearchDays: MAX_SEARCH_DAYS,
	// CreateURedisBackup takes no retention (the node shows none).
	retentionDays: { min: 1, max: MAX_SEARCH_DAYS },
	createOptionsOf: (context, itemIndex) => ({
		name: backupNameOf(context.getNodeParameter('backupName', itemIndex, '')),
	}),
};

/** Regions with URedis (UCloud's region list). Any other region ID can be given by an expression. */
export const UCLOUD_REGIONS: ReadonlyArray<{ name: string; value: string; description: string }> = [
	{ name: 'Bangkok', value: 'th-bkk', description: 'Region ID th-bkk' },
	{ name: 'Beijing 2', value: 'cn-bj2', description: 'Region ID cn-bj2' },
	{ name: 'Dubai', value: 'uae-dubai', description: 'Region ID uae-dubai' },
	{ name: 'Frankfurt', value: 'ge-fra', description: 'Region ID ge-fra' },
	{ name: 'Guangzhou', value: 'cn-gd', description: 'Region ID cn-gd' },
	{ name: 'Ho Chi Minh City', value: 'vn-sng', description: 'Region ID vn-sng' },
	{ name: 'Hong Kong, China', value: 'hk', description: 'Region ID hk' },
	{ name: 'Jakarta', value: 'idn-jakarta', description: 'Region ID idn-jakarta' },
	{ name: 'Lagos', value: 'afr-nigeria', description: 'Region ID afr-nigeria' },
	{ name: 'London', value: 'uk-london', description: 'Region ID uk-london' },
	{ name: 'Los Angeles', value: 'us-ca', description: 'Region ID us-ca' },
	{ name: 'Manila', value: 'ph-mnl', description: 'Region ID ph-mnl' },
	{ name: 'Moscow', value: 'rus-mosc', description: 'Region ID rus-mosc' },
	{ name: 'Mumbai', value: 'ind-mumbai', description: 'Region ID ind-mumbai' },
	{ name: 'Quanzhou', value: 'cn-qz', description: 'Region ID cn-qz' },
	{ name: 'São Paulo', value: 'bra-saopaulo', description: 'Region ID bra-saopaulo' },
	{ name: 'Seoul', value: 'kr-seoul', description: 'Region ID kr-seoul' },
	{ name: 'Shanghai 2', value: 'cn-sh2', description: 'Region ID cn-sh2' },
	{ name: 'Singapore', value: 'sg', description: 'Region ID sg' },
	{ name: 'Taipei', value: 'tw-tp', description: 'Region ID tw-tp' },
	{ name: 'Tokyo', value: 'jpn-tky', description: 'Region ID jpn-tky' },
	{ name: 'Ulanqab', value: 'cn-wlcb', description: 'Region ID cn-wlcb' },
	{ name: 'Washington', value: 'us-ws', description: 'Region ID us-ws' },
];

/** Zones of those regions (zone ID = region ID and a number). Any other zone can be given by an expression. */
export const UCLOUD_ZONES: readonly string[] = [
	'afr-nigeria-01',
	'bra-saopaulo-01',
	'cn-bj2-02',
	'cn-bj2-03',
	'cn-bj2-04',
	'cn-bj2-05',
	'cn-gd-02',
	'cn-qz-01',
	'cn-sh2-01',
	'cn-sh2-02',
	'cn-sh2-03',
	'cn-wlcb-01',
	'ge-fra-01',
	'hk-01',
	'hk-02',
	'idn-jakarta-01',
	'ind-mumbai-01',
	'jpn-tky-01',
	'kr-seoul-01',
	'ph-mnl-01',
	'rus-mosc-01',
	'sg-01',
	'th-bkk-01',
	'tw-tp-01',
	'uae-dubai-01',
	'uk-london-01',
	'us-ca-01',
	'us-ws-01',
	'vn-sng-01',
];

export const regionProperty = regionParameter({ cloud: 'UCloud', regions: UCLOUD_REGIONS });

/** The zone of Create, Get Download URL and Download; empty leaves it to UCloud (or the backup's own zone). */
export function zoneProperty(operations: string[]): INodeProperties {
	return {
		displayName: 'Zone',
		name: 'zone',
		type: 'options',
		default: '',
		displayOptions: { show: { resource: ['backup'], operation: operations } },
		options: [
			{ name: "Instance's Zone", value: '' },
			...UCLOUD_ZONES.map((zone) => ({ name: zone, value: zone })),
		],
		description:
			"Availability zone of the instance, a zone of the Region (for example cn-bj2-02). Empty: not sent on Create; the backup's own zone for download URLs. Any other zone can be given with an expression.",
	};
}

export const instanceProperty = instanceLocator({
	description: 'The URedis instance (group)',
	pattern: INSTANCE_ID_PATTERN,
	example: INSTANCE_ID_EXAMPLE,
	invalidId: 'Not a URedis group ID (uredis- followed by letters and digits)',
});

export const backupIdProperty: INodeProperties = {
	displayName: 'Backup ID',
	name: 'backupId',
	type: 'string',
	default: '',
	required: true,
	placeholder: `e.g. ${BACKUP_ID_EXAMPLE}`,
	description: 'The backup ID (backupId of Backup → List or Backup → Create)',
};
