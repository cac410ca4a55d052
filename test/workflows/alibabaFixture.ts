/**
 * Builds and runs workflows around the Alibaba node: Manual Trigger -> Items (NoOp with pinned input items) ->
 * Alibaba Cloud Redis Backup (-> more Alibaba nodes), through n8n's engine, against the emulator over HTTP
 * (the shared fixture, ./fixture.ts, with Alibaba's node, credential and emulator).
 */
import { AlibabaCloudApi } from '../../credentials/AlibabaCloudApi.credentials';
import { AlibabaCloudRedis } from '../../nodes/AlibabaCloudRedis/AlibabaCloudRedis.node';
import { type CloudEmulator, DEFAULT_ALIBABA_ACCOUNT } from '../../emulator';
import { cloudFixture, type RunOptions as CloudRunOptions } from './fixture';

export { type ChainStep, DAY_MS, instanceRef, UTC_ISO } from './fixture';

export const ALIBABA_NODE_TYPE = 'n8n-nodes-cloud-redis-backups.alibabaCloudRedis';
export const NODE_NAME = 'Alibaba';
export const STANDARD_ID = 'r-demostandard01';
export const CLUSTER_ID = 'r-democluster01';
export const REGION = 'cn-hangzhou';

export interface AlibabaCredentialFields {
	accessKeyId: string;
	accessKeySecret: string;
	region: string;
	endpoint: string;
	securityToken: string;
}

export type RunOptions = CloudRunOptions<AlibabaCredentialFields>;

export function testCredential(emulator: CloudEmulator, overrides: RunOptions['credential'] = {}) {
	return {
		id: 'cred-1',
		name: 'Alibaba test',
		type: 'alibabaCloudApi',
		data: {
			accessKeyId: DEFAULT_ALIBABA_ACCOUNT.accessKeyId,
			accessKeySecret: DEFAULT_ALIBABA_ACCOUNT.accessKeySecret,
			region: REGION,
			endpoint: emulator.alibaba.endpoint,
			...overrides,
		},
	};
}

export const {
	runNode: runAlibabaNode,
	runChain: runAlibabaChain,
	useEmulator,
	markRequests,
	requestsSince,
	nodeErrorOf,
	searchInstances,
} = cloudFixture<AlibabaCredentialFields>({
	nodeType: ALIBABA_NODE_TYPE,
	nodeName: NODE_NAME,
	nodeIdPrefix: 'alibaba',
	createNode: () => new AlibabaCloudRedis(),
	createCredentialType: () => new AlibabaCloudApi(),
	testCredential,
	requests: (emulator) => emulator.alibaba.requests,
	reset: (emulator) => {
		emulator.alibaba.faults.clear();
		emulator.alibaba.nextTaskOutcomes.length = 0;
	},
});
