/**
 * Builds and runs workflows around the UCloud node: Manual Trigger -> Items (NoOp with pinned input items) ->
 * UCloud Redis Backup (-> more UCloud nodes), through n8n's engine, against the emulator over HTTP.
 */
import { createHash } from 'node:crypto';
import type { IBinaryData, IDataObject, INode, INodeParameters, IWorkflowSettings } from 'n8n-workflow';

import { UCloudApi } from '../../credentials/UCloudApi.credentials';
import { UCloudRedis } from '../../nodes/UCloudRedis/UCloudRedis.node';
import type { EmulatorOptions, RequestLogEntry, UCloudBackupRecord } from '../../emulator';
import { CloudEmulator, DEFAULT_UCLOUD_ACCOUNT } from '../../emulator';
import { binaryStream, cleanupBinaryDataStore, runWorkflow, type RunWorkflowResult } from '../harness';

export const UCLOUD_NODE_TYPE = 'n8n-nodes-cloud-redis-backups.uCloudRedis';
export const NODE_NAME = 'UCloud';
/** The emulator's seeded groups: demo01 in cn-bj2-04 (daily, manual, failed and expired backups), demo02 in cn-bj2-05. */
export const GROUP_ID = 'uredis-demo01';
export const OTHER_GROUP_ID = 'uredis-demo02';
export const REGION = 'cn-bj2';
export const ZONE = 'cn-bj2-04';
export const DAY_MS = 86_400_000;
export const UTC_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

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

export interface RunOptions {
	items?: IDataObject[];
	onError?: INode['onError'];
	signal?: AbortSignal;
	credential?: Partial<UCloudCredentialFields>;
	settings?: IWorkflowSettings;
}

export interface ChainStep {
	name: string;
	parameters: INodeParameters;
	onError?: INode['onError'];
}

export function instanceRef(value: string, mode: 'id' | 'list' = 'id'): INodeParameters {
	return { __rl: true, mode, value };
}

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

export async function runUCloudNode(
	emulator: CloudEmulator,
	parameters: INodeParameters,
	options: RunOptions = {},
): Promise<RunWorkflowResult> {
	return await runUCloudChain(emulator, [{ name: NODE_NAME, parameters, onError: options.onError }], options);
}

/** Manual Trigger -> Items -> steps[0] -> steps[1] -> ... */
export async function runUCloudChain(
	emulator: CloudEmulator,
	steps: ChainStep[],
	options: RunOptions = {},
): Promise<RunWorkflowResult> {
	const items = options.items ?? [{}];
	const nodes: INode[] = steps.map((step, index) => ({
		id: `ucloud-node-${index}`,
		name: step.name,
		type: UCLOUD_NODE_TYPE,
		typeVersion: 1,
		position: [440 + 220 * index, 0],
		parameters: step.parameters,
		...(step.onError ? { onError: step.onError } : {}),
		credentials: { uCloudApi: { id: 'cred-uc', name: 'UCloud test' } },
	}));
	const connections: Record<string, { main: Array<Array<{ node: string; type: 'main'; index: number }>> }> = {
		Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
		Items: { main: [[{ node: steps[0].name, type: 'main', index: 0 }]] },
	};
	for (let i = 1; i < steps.length; i++) {
		connections[steps[i - 1].name] = { main: [[{ node: steps[i].name, type: 'main', index: 0 }]] };
	}
	return await runWorkflow({
		workflow: {
			nodes: [
				{ id: 'trigger', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{ id: 'items', name: 'Items', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
				...nodes,
			],
			connections,
			settings: options.settings,
			pinData: { Items: items.map((json) => ({ json })) },
		},
		nodeTypes: { [UCLOUD_NODE_TYPE]: new UCloudRedis() },
		credentialTypes: [new UCloudApi()],
		credentials: [testCredential(emulator, options.credential)],
		signal: options.signal,
	});
}

/** A fresh emulator for one describe block; UCloud faults and backup outcomes cleared before each test. */
export function useEmulator(options: EmulatorOptions = {}): CloudEmulator {
	const emulator = new CloudEmulator(options);
	beforeAll(async () => await emulator.start());
	beforeEach(() => {
		emulator.ucloud.faults.clear();
		emulator.ucloud.nextBackupOutcomes.length = 0;
		emulator.ucloud.settings.clockSkewMs = 0;
	});
	afterAll(async () => {
		await emulator.stop();
		await cleanupBinaryDataStore();
	});
	return emulator;
}

export function markRequests(emulator: CloudEmulator): number {
	return emulator.ucloud.requests.length;
}

export function requestsSince(emulator: CloudEmulator, mark: number, action?: string): RequestLogEntry[] {
	return emulator.ucloud.requests.slice(mark).filter((r) => action === undefined || r.action === action);
}

/** The group's backups in the store, newest first (as DescribeURedisBackup lists them). */
export function backupsOf(emulator: CloudEmulator, groupId = GROUP_ID): UCloudBackupRecord[] {
	emulator.ucloud.store.sync();
	return emulator.ucloud.store.backups.filter((b) => b.groupId === groupId).sort((a, b) => b.startMs - a.startMs);
}

/** The store's State of a backup now (Backuping, Success, Error, Expired). */
export function stateOf(emulator: CloudEmulator, backup: UCloudBackupRecord): string {
	return emulator.ucloud.store.backupState(backup, emulator.ucloud.clock.now());
}

export function nodeErrorOf(result: RunWorkflowResult, nodeName = NODE_NAME): Error & { description?: string | null; httpCode?: string | null } {
	const error = result.nodeError(nodeName);
	if (!error) throw new Error(`expected node "${nodeName}" to fail, but it did not (status ${result.status})`);
	return error as Error & { description?: string | null; httpCode?: string | null };
}

export async function sha256Of(binary: IBinaryData): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of (await binaryStream(binary)) as AsyncIterable<Buffer>) hash.update(chunk);
	return hash.digest('hex');
}
