/**
 * The UCloud provider bound to an n8n context (an execution or the instance picker), and the region and zone a
 * request goes to. Shared by the operations and the instance picker, so the picker needs nothing of the operations.
 */
import { type IExecuteFunctions, type ILoadOptionsFunctions, sleep } from 'n8n-workflow';

import { InputError, requireText, textOf } from '../../common/input';
import { UCLOUD_CREDENTIAL_TYPE, UCloudRedisClient } from './client';
import { UCloudProvider } from './provider';

/** UCloud region IDs: cn-bj2, hk, sg, jpn-tky, us-ca, … */
export const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)*$/;
export const REGION_EXAMPLE = 'cn-bj2';
/** Zone IDs are the region's ID and a number: cn-bj2-02, hk-01, … */
export const ZONE_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)*-\d{2}$/;

export function createProvider(
	context: IExecuteFunctions | ILoadOptionsFunctions,
	timeoutMs?: number,
): UCloudProvider {
	const signal =
		'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
	return new UCloudProvider(
		new UCloudRedisClient({
			send: async (options) =>
				await context.helpers.httpRequestWithAuthentication.call(
					context,
					UCLOUD_CREDENTIAL_TYPE,
					options,
				),
			sleep,
			signal,
			timeoutMs,
		}),
	);
}

/** The node's Region parameter, else the credential's Default Region. */
export async function resolveRegion(
	context: IExecuteFunctions | ILoadOptionsFunctions,
	nodeRegion: unknown,
): Promise<string> {
	const explicit = textOf(nodeRegion, 'Region');
	if (explicit) return requireText(explicit, 'Region', REGION_PATTERN, REGION_EXAMPLE);
	const credentials = await context.getCredentials(UCLOUD_CREDENTIAL_TYPE);
	return requireText(credentials.region, 'Region (credential)', REGION_PATTERN, REGION_EXAMPLE);
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
