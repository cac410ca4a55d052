/**
 * Builds and runs workflows around the Tencent node: Manual Trigger -> Items (NoOp with pinned input items) ->
 * Tencent Cloud Redis Backup (-> more Tencent nodes), through n8n's engine, against the emulator over HTTP.
 */
import { TencentCloudApi } from '../../credentials/TencentCloudApi.credentials';
import { TencentCloudRedis } from '../../nodes/TencentCloudRedis/TencentCloudRedis.node';
import { type CloudEmulator, DEFAULT_TENCENT_ACCOUNT } from '../../emulator';
import { cloudFixture, type RunOptions as CloudRunOptions } from './fixture';

export { type ChainStep, DAY_MS, instanceRef, sha256Of, UTC_ISO } from './fixture';

export const TENCENT_NODE_TYPE = 'n8n-nodes-cloud-redis-backups.tencentCloudRedis';
export const NODE_NAME = 'Tencent';
export const STANDARD_ID = 'crs-demostd01';
export const CLUSTER_ID = 'crs-democls01';
export const REGION = 'ap-guangzhou';

/** Clearly fake keys for the auth tests, in Tencent's shapes (SecretId AKID + 32, SecretKey 32 characters). */
const fake = (prefix: string, length: number) => `${prefix}${'0'.repeat(length - prefix.length - 7)}EXAMPLE`;
export const WRONG_KEY = fake('wrongSecretKey', 32);
export const UNKNOWN_ID = fake('AKIDUNKNOWN', 36);
/** An account CAM denies every action. */
export const NO_CAM = { secretId: fake('AKIDNOCAM', 36), secretKey: fake('noCamKey', 32) };
/** An account CAM denies DescribeInstanceBackups. */
export const DENY_BACKUPS = { secretId: fake('AKIDDENYBACKUPS', 36), secretKey: fake('denyBackupsKey', 32) };

export interface TencentCredentialFields {
	secretId: string;
	secretKey: string;
	sessionToken: string;
	region: string;
	endpoint: string;
}

export type RunOptions = CloudRunOptions<TencentCredentialFields>;

export function testCredential(emulator: CloudEmulator, overrides: Partial<TencentCredentialFields> = {}) {
	return {
		id: 'cred-tc',
		name: 'Tencent test',
		type: 'tencentCloudApi',
		data: {
			secretId: DEFAULT_TENCENT_ACCOUNT.secretId,
			secretKey: DEFAULT_TENCENT_ACCOUNT.secretKey,
			sessionToken: '',
			region: REGION,
			endpoint: emulator.tencent.endpoint,
			...overrides,
		},
	};
}

export const {
	runNode: runTencentNode,
	runChain: runTencentChain,
	useEmulator,
	markRequests,
	requestsSince,
	nodeErrorOf,
	searchInstances,
} = cloudFixture<TencentCredentialFields>({
	nodeType: TENCENT_NODE_TYPE,
	nodeName: NODE_NAME,
	nodeIdPrefix: 'tencent',
	createNode: () => new TencentCloudRedis(),
	createCredentialType: () => new TencentCloudApi(),
	testCredential,
	requests: (emulator) => emulator.tencent.requests,
	reset: (emulator) => {
		emulator.tencent.faults.clear();
		emulator.tencent.nextTaskOutcomes.length = 0;
		emulator.tencent.settings.clockSkewMs = 0;
	},
});

