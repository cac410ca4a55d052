/**
 * The Tencent provider bound to an n8n context (an execution or the instance picker), and the region a request
 * goes to. Shared by the operations and the instance picker, so the picker needs nothing of the operations.
 */
import { type IExecuteFunctions, type ILoadOptionsFunctions, sleep } from 'n8n-workflow';

import { requireText, textOf } from '../../common/input';
import { TENCENT_CREDENTIAL_TYPE, TencentRedisClient } from './client';
import { TencentProvider } from './provider';

/** Tencent region IDs: ap-guangzhou, na-siliconvalley, ap-shanghai-fsi, … */
export const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)+$/;
export const REGION_EXAMPLE = 'ap-guangzhou';

export function createProvider(
	context: IExecuteFunctions | ILoadOptionsFunctions,
	timeoutMs?: number,
): TencentProvider {
	const signal =
		'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
	return new TencentProvider(
		new TencentRedisClient({
			send: async (options) =>
				await context.helpers.httpRequestWithAuthentication.call(
					context,
					TENCENT_CREDENTIAL_TYPE,
					options,
				),
			sleep,
			signal,
			timeoutMs,
		}),
	);
}

/** The node's Region parameter, else the credential's default region. */
export async function resolveRegion(
	context: IExecuteFunctions | ILoadOptionsFunctions,
	nodeRegion: unknown,
): Promise<string> {
	const explicit = textOf(nodeRegion, 'Region');
	if (explicit) return requireText(explicit, 'Region', REGION_PATTERN, REGION_EXAMPLE);
	const credentials = await context.getCredentials(TENCENT_CREDENTIAL_TYPE);
	return requireText(credentials.region, 'Region (credential)', REGION_PATTERN, REGION_EXAMPLE);
}
