/**
 * The UCloud provider bound to an n8n context (an execution, the instance picker or a poll), and the region and zone
 * a request goes to. Shared by the operations, the trigger and the instance picker.
 */
import { bindSend, type ConnectContext, regionOf } from '../../common/connect';
import { InputError, requireText, textOf } from '../../common/input';
import { UCLOUD_CREDENTIAL_TYPE, UCloudRedisClient } from './client';
import { UCloudProvider } from './provider';

/** UCloud region IDs: cn-bj2, hk, sg, jpn-tky, us-ca, … */
export const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)*$/;
export const REGION_EXAMPLE = 'cn-bj2';
/** Zone IDs are the region's ID and a number: cn-bj2-02, hk-01, … */
export const ZONE_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)*-\d{2}$/;

const REGION_RULE = {
	credentialType: UCLOUD_CREDENTIAL_TYPE,
	pattern: REGION_PATTERN,
	example: REGION_EXAMPLE,
	credentialField: 'Region (credential)',
};

export function createProvider(context: ConnectContext, timeoutMs?: number): UCloudProvider {
	return new UCloudProvider(
		new UCloudRedisClient(bindSend(context, UCLOUD_CREDENTIAL_TYPE, timeoutMs)),
	);
}

export async function resolveRegion(context: ConnectContext, nodeRegion: unknown): Promise<string> {
	return await regionOf(context, nodeRegion, REGION_RULE);
}

/** The node's Zone parameter: undefined when empty; else a zone of `region` (cn-bj2-02 is a zone of cn-bj2). */
export function resolveZone(nodeZone: unknown, region: string): string | undefined {
	const zone = textOf(nodeZone, 'Zone');
	if (!zone) return undefined;
	requireText(zone, 'Zone', ZONE_PATTERN, `${region}-01`);
	if (!zone.startsWith(`${region}-`)) {
		throw new InputError(
			'Zone',
			`Zone "${zone}" is not a zone of region ${region}`,
			`Use a zone of ${region}, such as ${region}-01, or leave Zone empty`,
		);
	}
	return zone;
}
