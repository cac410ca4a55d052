/**
 * Builds and runs workflows around the UCloud node: Manual Trigger -> Items (NoOp with pinned input items) ->
 * UCloud Redis Backup (-> more UCloud nodes), through n8n's engine, against the emulator over HTTP.
 */
import { UCloudApi } from '../../credentials/UCloudApi.credentials';
import { UCloudRedis } from '../../nodes/UCloudRedis/UCloudRedis.node';
import { type CloudEmulator, DEFAULT_UCLOUD_ACCOUNT, type UCloudBackupRecord } from '../../emulator';
import { cloudFixture, type RunOptions as CloudRunOptions } from './fixture';

export { type ChainStep, DAY_MS, instanceRef, sha256Of, UTC_ISO } from './fixture';

export const UCLOUD_NODE_TYPE = 'n8n-nodes-cloud-redis-backups.uCloudRedis';
export const NODE_NAME = 'UCloud';
/** The emulator's seeded groups: demo01 in cn-bj2-04 (daily, manual, failed and expired backups), demo02 in cn-bj2-05. */
export const GROUP_ID = 'uredis-demo01';
export const OTHER_GROUP_ID = 'uredis-demo02';
export const REGION = 'cn-bj2';
export const ZONE = 'cn-bj2-04';

/** Clearly fake keys in UCloud's shapes (an e-mail-like public key, a 40-character private key). */
export const WRONG_PRIVATE_KEY = 'wrongPrivateKey0000000000000000000EXAMPLE'.slice(0, 40);
export const UNKNOWN_PUBLIC_KEY = 'unknown-user@example.com0000000000000000000';
/** A sub-account whose IAM denies every URedis action. */
export const IAM_DENIED = { publicKey: 'iam-denied@example.com00000000000000000000', privateKey: 'iamDeniedFakePrivateKey000000000EXAMPLE' };

export interface UCloudCredentialFields {
	publicKey: string;
	privateKey: string;
	region: string;
	projectId: string;
	endpoint: string;
}

export type RunOptions = CloudRunOptions<UCloudCredentialFields>;

export function testCredential(emulator: CloudEmulator, overrides: Partial<UCloudCredentialFields> = {}) {
	return {
		id: 'cred-uc',
		name: 'UCloud test',
		type: 'uCloudApi',
		data: {
			publicKey: DEFAULT_UCLOUD_ACCOUNT.publicKey,
			privateKey: DEFAULT_UCLOUD_ACCOUNT.privateKey,
			region: REGION,
			projectId: '',
			endpoint: emulator.ucloud.endpoint,
			...overrides,
		},
	};
}

export const {
	runNode: runUCloudNode,
	runChain: runUCloudChain,
	useEmulator,
	markRequests,
	requestsSince,
	nodeErrorOf,
	searchInstances,
} = cloudFixture<UCloudCredentialFields>({
	nodeType: UCLOUD_NODE_TYPE,
	nodeName: NODE_NAME,
	nodeIdPrefix: 'ucloud',
	createNode: () => new UCloudRedis(),
	createCredentialType: () => new UCloudApi(),
	testCredential,
	requests: (emulator) => emulator.ucloud.requests,
	reset: (emulator) => {
		emulator.ucloud.faults.clear();
		emulator.ucloud.nextBackupOutcomes.length = 0;
		emulator.ucloud.settings.clockSkewMs = 0;
	},
});

/** The group's backups in the store, newest first (as DescribeURedisBackup lists them). */
export function backupsOf(emulator: CloudEmulator, groupId = GROUP_ID): UCloudBackupRecord[] {
	emulator.ucloud.store.sync();
	return emulator.ucloud.store.backups.filter((b) => b.groupId === groupId).sort((a, b) => b.startMs - a.startMs);
}

/** The store's State of a backup now (Backuping, Success, Error, Expired). */
export function stateOf(emulator: CloudEmulator, backup: UCloudBackupRecord): string {
	return emulator.ucloud.store.backupState(backup, emulator.ucloud.clock.now());
}
