/**
 * The Tencent provider bound to an n8n context (an execution, the instance picker or a poll), and the region a
 * request goes to. Shared by the operations, the trigger and the instance picker.
 */
import { bindSend, type ConnectContext, regionOf } from '../../common/connect';
import { TENCENT_CREDENTIAL_TYPE, TencentRedisClient } from './client';
import { TencentProvider } from './provider';

/** Tencent region IDs: ap-guangzhou, na-siliconvalley, ap-shanghai-fsi, … */
export const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)+$/;
export const REGION_EXAMPLE = 'ap-guangzhou';

const REGION_RULE = {
	credentialType: TENCENT_CREDENTIAL_TYPE,
	pattern: REGION_PATTERN,
	example: REGION_EXAMPLE,
	credentialField: 'Region (credential)',
};

export function createProvider(context: ConnectContext, timeoutMs?: number): TencentProvider {
	return new TencentProvider(
		new TencentRedisClient(bindSend(context, TENCENT_CREDENTIAL_TYPE, timeoutMs)),
	);
}

export async function resolveRegion(context: ConnectContext, nodeRegion: unknown): Promise<string> {
	return await regionOf(context, nodeRegion, REGION_RULE);
}
