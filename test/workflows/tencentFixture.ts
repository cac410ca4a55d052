/**
 * Builds and runs workflows around the Tencent node: Manual Trigger -> Items (NoOp with pinned input items) ->
 * Tencent Cloud Redis Backup (-> more Tencent nodes), through n8n's engine, against the emulator over HTTP.
 */
import { createHash } from 'node:crypto';
import type { IBinaryData, IDataObject, INode, INodeParameters, IWorkflowSettings } from 'n8n-workflow';

import { TencentCloudApi } from '../../credentials/TencentCloudApi.credentials';
import { TencentCloudRedis } from '../../nodes/TencentCloudRedis/TencentCloudRedis.node';
import type { EmulatorOptions, RequestLogEntry } from '../../emulator';
import { CloudEmulator, DEFAULT_TENCENT_ACCOUNT } from '../../emulator';
import { binaryStream, cleanupBinaryDataStore, runWorkflow, type RunWorkflowResult } from '../harness';

export const TENCENT_NODE_TYPE = 'n8n-nodes-cloud-redis-backups.tencentCloudRedis';
export const NODE_NAME = 'Tencent';
export const STANDARD_ID = 'crs-demostd01';
export const CLUSTER_ID = 'crs-democls01';
export const REGION = 'ap-guangzhou';
export const DAY_MS = 86_400_000;
export const UTC_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

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

export interface RunOptions {
	items?: IDataObject[];
	onError?: INode['onError'];
	signal?: AbortSignal;
	credential?: Partial<TencentCredentialFields>;
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

export async function runTencentNode(
	emulator: CloudEmulator,
	parameters: INodeParameters,
	options: RunOptions = {},
): Promise<RunWorkflowResult> {
	return await runTencentChain(emulator, [{ name: NODE_NAME, parameters, onError: options.onError }], options);
}

/** Manual Trigger -> Items -> steps[0] -> steps[1] -> ... */
export async function runTencentChain(
	emulator: CloudEmulator,
	steps: ChainStep[],
	options: RunOptions = {},
): Promise<RunWorkflowResult> {
	const items = options.items ?? [{}];
	const nodes: INode[] = steps.map((step, index) => ({
		id: `tencent-node-${index}`,
		name: step.name,
		type: TENCENT_NODE_TYPE,
		typeVersion: 1,
		position: [440 + 220 * index, 0],
		parameters: step.parameters,
		...(step.onError ? { onError: step.onError } : {}),
		credentials: { tencentCloudApi: { id: 'cred-tc', name: 'Tencent test' } },
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
		nodeTypes: { [TENCENT_NODE_TYPE]: new TencentCloudRedis() },
		credentialTypes: [new TencentCloudApi()],
		credentials: [testCredential(emulator, options.credential)],
		signal: options.signal,
	});
}

/** A fresh emulator for one describe block; Tencent faults and task outcomes cleared before each test. */
export function useEmulator(options: EmulatorOptions = {}): CloudEmulator {
	const emulator = new CloudEmulator(options);
	beforeAll(async () => await emulator.start());
	beforeEach(() => {
		emulator.tencent.faults.clear();
		emulator.tencent.nextTaskOutcomes.length = 0;
		emulator.tencent.settings.clockSkewMs = 0;
	});
	afterAll(async () => {
		await emulator.stop();
		await cleanupBinaryDataStore();
	});
	return emulator;
}

export function markRequests(emulator: CloudEmulator): number {
	return emulator.tencent.requests.length;
}

export function requestsSince(emulator: CloudEmulator, mark: number, action?: string): RequestLogEntry[] {
	return emulator.tencent.requests.slice(mark).filter((r) => action === undefined || r.action === action);
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
