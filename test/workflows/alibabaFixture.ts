/**
 * Builds and runs one-node workflows around the Alibaba node: Manual Trigger -> Items (NoOp with pinned input
 * items) -> Alibaba Cloud Redis Backup, through n8n's engine, against the emulator over HTTP.
 */
import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';

import { AlibabaCloudApi } from '../../credentials/AlibabaCloudApi.credentials';
import { AlibabaCloudRedis } from '../../nodes/AlibabaCloudRedis/AlibabaCloudRedis.node';
import type { CloudEmulator } from '../../emulator';
import { DEFAULT_ALIBABA_ACCOUNT } from '../../emulator';
import { runWorkflow, type RunWorkflowResult } from '../harness';

export const ALIBABA_NODE_TYPE = 'n8n-nodes-cloud-redis-backups.alibabaCloudRedis';
export const NODE_NAME = 'Alibaba';
export const STANDARD_ID = 'r-demostandard01';
export const CLUSTER_ID = 'r-democluster01';

export interface RunOptions {
	/** Input items (json) fed to the node; default one empty item. */
	items?: IDataObject[];
	onError?: INode['onError'];
	signal?: AbortSignal;
	credential?: Partial<{ accessKeyId: string; accessKeySecret: string; region: string; endpoint: string; securityToken: string }>;
	/** Run without any credential attached to the node. */
	noCredential?: boolean;
}

export function instanceRef(value: string, mode: 'id' | 'list' = 'id'): INodeParameters {
	return { __rl: true, mode, value };
}

export async function runAlibabaNode(
	emulator: CloudEmulator,
	parameters: INodeParameters,
	options: RunOptions = {},
): Promise<RunWorkflowResult> {
	const items = options.items ?? [{}];
	const node: INode = {
		id: 'alibaba-node',
		name: NODE_NAME,
		type: ALIBABA_NODE_TYPE,
		typeVersion: 1,
		position: [440, 0],
		parameters,
		...(options.onError ? { onError: options.onError } : {}),
		...(options.noCredential ? {} : { credentials: { alibabaCloudApi: { id: 'cred-1', name: 'Alibaba test' } } }),
	};
	return await runWorkflow({
		workflow: {
			nodes: [
				{ id: 'trigger', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{ id: 'items', name: 'Items', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
				node,
			],
			connections: {
				Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
				Items: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] },
			},
			pinData: { Items: items.map((json) => ({ json })) },
		},
		nodeTypes: { [ALIBABA_NODE_TYPE]: new AlibabaCloudRedis() },
		credentialTypes: [new AlibabaCloudApi()],
		credentials: [
			{
				id: 'cred-1',
				name: 'Alibaba test',
				type: 'alibabaCloudApi',
				data: {
					accessKeyId: DEFAULT_ALIBABA_ACCOUNT.accessKeyId,
					accessKeySecret: DEFAULT_ALIBABA_ACCOUNT.accessKeySecret,
					region: 'cn-hangzhou',
					endpoint: emulator.alibaba.endpoint,
					...options.credential,
				},
			},
		],
		signal: options.signal,
	});
}
