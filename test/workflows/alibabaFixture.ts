/**
 * Builds and runs workflows around the Alibaba node: Manual Trigger -> Items (NoOp with pinned input items) ->
 * Alibaba Cloud Redis Backup (-> more Alibaba nodes), through n8n's engine, against the emulator over HTTP.
 */
import type { IDataObject, INode, INodeParameters, IWorkflowSettings } from 'n8n-workflow';

import { AlibabaCloudApi } from '../../credentials/AlibabaCloudApi.credentials';
import { AlibabaCloudRedis } from '../../nodes/AlibabaCloudRedis/AlibabaCloudRedis.node';
import type { EmulatorOptions, RequestLogEntry } from '../../emulator';
import { CloudEmulator, DEFAULT_ALIBABA_ACCOUNT } from '../../emulator';
import { cleanupBinaryDataStore, runWorkflow, type RunWorkflowResult } from '../harness';

export const ALIBABA_NODE_TYPE = 'n8n-nodes-cloud-redis-backups.alibabaCloudRedis';
export const NODE_NAME = 'Alibaba';
export const STANDARD_ID = 'r-demostandard01';
export const CLUSTER_ID = 'r-democluster01';
export const REGION = 'cn-hangzhou';
export const DAY_MS = 86_400_000;

/** Backup times as the node outputs them: UTC ISO-8601 to the second, with the trailing Z. */
export const UTC_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export interface RunOptions {
	/** Input items (json) fed to the node; default one empty item. */
	items?: IDataObject[];
	onError?: INode['onError'];
	signal?: AbortSignal;
	credential?: Partial<{ accessKeyId: string; accessKeySecret: string; region: string; endpoint: string; securityToken: string }>;
	/** Run without any credential attached to the node. */
	noCredential?: boolean;
	/** The workflow's settings, e.g. { timezone: 'Asia/Shanghai' } (what this.getTimezone() returns). */
	settings?: IWorkflowSettings;
}

/** One Alibaba node in a chain; each is connected to the previous one. */
export interface ChainStep {
	name: string;
	parameters: INodeParameters;
	onError?: INode['onError'];
}

export function instanceRef(value: string, mode: 'id' | 'list' = 'id'): INodeParameters {
	return { __rl: true, mode, value };
}

export async function runAlibabaNode(
	emulator: CloudEmulator,
	parameters: INodeParameters,
	options: RunOptions = {},
): Promise<RunWorkflowResult> {
	return await runAlibabaChain(emulator, [{ name: NODE_NAME, parameters, onError: options.onError }], options);
}

/** Manual Trigger -> Items -> steps[0] -> steps[1] -> ... (main output 0 of each into the next). */
export async function runAlibabaChain(
	emulator: CloudEmulator,
	steps: ChainStep[],
	options: RunOptions = {},
): Promise<RunWorkflowResult> {
	const items = options.items ?? [{}];
	const alibabaNodes: INode[] = steps.map((step, index) => ({
		id: `alibaba-node-${index}`,
		name: step.name,
		type: ALIBABA_NODE_TYPE,
		typeVersion: 1,
		position: [440 + 220 * index, 0],
		parameters: step.parameters,
		...(step.onError ? { onError: step.onError } : {}),
		...(options.noCredential ? {} : { credentials: { alibabaCloudApi: { id: 'cred-1', name: 'Alibaba test' } } }),
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
				...alibabaNodes,
			],
			connections,
			settings: options.settings,
			pinData: { Items: items.map((json) => ({ json })) },
		},
		nodeTypes: { [ALIBABA_NODE_TYPE]: new AlibabaCloudRedis() },
		credentialTypes: [new AlibabaCloudApi()],
		credentials: [testCredential(emulator, options.credential)],
		signal: options.signal,
	});
}

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

/**
 * A fresh emulator for one describe block: started in beforeAll, stopped in afterAll (with the harness's binary
 * store and temp folder), faults and task outcomes cleared before each test so no test leaks into the next.
 */
export function useEmulator(options: EmulatorOptions = {}): CloudEmulator {
	const emulator = new CloudEmulator(options);
	beforeAll(async () => await emulator.start());
	beforeEach(() => {
		emulator.alibaba.faults.clear();
		emulator.alibaba.nextTaskOutcomes.length = 0;
	});
	afterAll(async () => {
		await emulator.stop();
		await cleanupBinaryDataStore();
	});
	return emulator;
}

/** A position in the emulator's request log, to look only at what one run sent. */
export function markRequests(emulator: CloudEmulator): number {
	return emulator.alibaba.requests.length;
}

/** Requests logged since `mark`, optionally only those of one action ('Download' for file downloads). */
export function requestsSince(emulator: CloudEmulator, mark: number, action?: string): RequestLogEntry[] {
	return emulator.alibaba.requests.slice(mark).filter((r) => action === undefined || r.action === action);
}

/** The node's error as n8n recorded it (message, description, ...), failing clearly when there is none. */
export function nodeErrorOf(result: RunWorkflowResult, nodeName = NODE_NAME): Error & { description?: string | null; httpCode?: string | null } {
	const error = result.nodeError(nodeName);
	if (!error) {
		throw new Error(`expected node "${nodeName}" to fail, but it did not (status ${result.status})`);
	}
	return error as Error & { description?: string | null; httpCode?: string | null };
}
