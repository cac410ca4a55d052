/**
 * The Alibaba provider bound to an n8n context (an execution or the instance picker), and the region a request
 * goes to. Shared by the operations and the instance picker, so the picker needs nothing of the operations.
 */
import { type IExecuteFunctions, type ILoadOptionsFunctions, sleep } from 'n8n-workflow';

import { requireText, textOf } from '../../common/input';
import { ALIBABA_CREDENTIAL_TYPE, AlibabaRedisClient } from './client';
import { AlibabaProvider } from './provider';

const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)+$/;

export function createProvider(
	context: IExecuteFunctions | ILoadOptionsFunctions,
	timeoutMs?: number,
): AlibabaProvider {
	const signal =
		'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
	return new AlibabaProvider(
		new AlibabaRedisClient({
			send: async (options) =>
				await context.helpers.httpRequestWithAuthentication.call(
					context,
					ALIBABA_CREDENTIAL_TYPE,
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
	if (explicit) return requireText(explicit, 'Region', REGION_PATTERN, 'cn-hangzhou');
	const credentials = await context.getCredentials(ALIBABA_CREDENTIAL_TYPE);
	return requireText(
		credentials.region,
		'Default Region (credential)',
		REGION_PATTERN,
		'cn-hangzhou',
	);
}
