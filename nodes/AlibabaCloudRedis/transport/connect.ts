/**
 * The Alibaba provider bound to an n8n context (an execution, the instance picker or a poll), and the region a
 * request goes to. Shared by the operations, the trigger and the instance picker.
 */
import { bindSend, type ConnectContext, regionOf } from '../../common/connect';
import { ALIBABA_CREDENTIAL_TYPE, AlibabaRedisClient } from './client';
import { AlibabaProvider } from './provider';

const REGION_RULE = {
	credentialType: ALIBABA_CREDENTIAL_TYPE,
	pattern: /^[a-z]{2,}(-[a-z0-9]+)+$/,
	example: 'cn-hangzhou',
	credentialField: 'Default Region (credential)',
};

export function createProvider(context: ConnectContext, timeoutMs?: number): AlibabaProvider {
	return new AlibabaProvider(
		new AlibabaRedisClient(bindSend(context, ALIBABA_CREDENTIAL_TYPE, timeoutMs)),
	);
}

export async function resolveRegion(context: ConnectContext, nodeRegion: unknown): Promise<string> {
	return await regionOf(context, nodeRegion, REGION_RULE);
}
