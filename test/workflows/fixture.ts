/**
 * Builds and runs workflows around one cloud's node: Manual Trigger -> Items (NoOp with pinned input items) -> the
 * node (-> more of them), through n8n's engine, against the emulator over HTTP; and the node's instance picker and
 * its credential's test as n8n runs them. Each cloud's fixture (alibabaFixture.ts, …) fills in its node, credential
 * and emulator; the contract kit (test/contract/kit.ts) runs its chains with `runNodeChain` too.
 */
import { createHash } from 'node:crypto';
import { LoadOptionsContext } from 'n8n-core';
import { NodeConnectionTypes, NodeHelpers, Workflow } from 'n8n-workflow';
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeListSearchResult,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
} from 'n8n-workflow';

import type { EmulatorOptions, RequestLogEntry } from '../../emulator';
import { CloudEmulator } from '../../emulator';
import {
	binaryStream,
	cleanupBinaryDataStore,
	type HarnessCredential,
	HarnessCredentialsHelper,
	runWorkflow,
	type RunWorkflowResult,
} from '../harness';
import { ensureN8nEnv } from '../harness/n8n-env';

export const DAY_MS = 86_400_000;

/** Backup times as the node outputs them: UTC ISO-8601 to the second, with the trailing Z. */
export const UTC_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export function instanceRef(value: string, mode: 'id' | 'list' = 'id'): INodeParameters {
	return { __rl: true, mode, value };
}

/** One node of the cloud in a chain; each is connected to the previous one. */
export interface ChainStep {
	name: string;
	parameters: INodeParameters;
	onError?: INode['onError'];
}

export interface RunOptions<CredentialFields = Record<string, string>> {
	/** Input items (json) fed to the node; default one empty item. */
	items?: IDataObject[];
	/** Of the single node (run…Node); chains set it per step. */
	onError?: INode['onError'];
	/** Aborting it stops the execution like the editor's Stop button. */
	signal?: AbortSignal;
	/** Fields of the credential's data to replace. */
	credential?: Partial<CredentialFields>;
	/** Run without any credential attached to the node. */
	noCredential?: boolean;
	/** The workflow's settings, e.g. { timezone: 'Asia/Shanghai' } (what this.getTimezone() returns). */
	settings?: IWorkflowSettings;
}

/** The node under test and its credential, for one run. */
export interface ChainSetup {
	nodeType: string;
	node: INodeType;
	/** Steps' node IDs are `<nodeIdPrefix>-node-<index>`. */
	nodeIdPrefix: string;
	credentialTypes: ICredentialType[];
	credential: HarnessCredential;
	/** More credentials the node uses besides its cloud's (e.g. the bucket of Copy to Object Storage). */
	moreCredentials?: HarnessCredential[];
}

type Connections = Record<string, { main: Array<Array<{ node: string; type: 'main'; index: number }>> }>;

/** Manual Trigger -> Items (NoOp with the pinned items) -> steps[0] -> steps[1] -> ... through n8n's engine. */
export async function runNodeChain(
	setup: ChainSetup,
	steps: ChainStep[],
	options: Omit<RunOptions, 'credential' | 'onError'> = {},
): Promise<RunWorkflowResult> {
	const { credential } = setup;
	const credentialRef = Object.fromEntries(
		[credential, ...(setup.moreCredentials ?? [])].map((c) => [c.type, { id: c.id ?? null, name: c.name ?? c.type }]),
	);
	const nodes: INode[] = steps.map((step, index) => ({
		id: `${setup.nodeIdPrefix}-node-${index}`,
		name: step.name,
		type: setup.nodeType,
		typeVersion: 1,
		position: [440 + 220 * index, 0],
		parameters: step.parameters,
		...(step.onError ? { onError: step.onError } : {}),
		...(options.noCredential ? {} : { credentials: credentialRef }),
	}));
	const connections: Connections = {
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
			pinData: { Items: (options.items ?? [{}]).map((json) => ({ json })) },
		},
		nodeTypes: { [setup.nodeType]: setup.node },
		credentialTypes: setup.credentialTypes,
		credentials: [credential, ...(setup.moreCredentials ?? [])],
		signal: options.signal,
	});
}

/** What a cloud's fixture tells the shared one. */
export interface CloudFixtureSpec<CredentialFields> {
	nodeType: string;
	/** The node's name in the workflows built here. */
	nodeName: string;
	nodeIdPrefix: string;
	createNode(): INodeType;
	createCredentialType(): ICredentialType;
	testCredential(emulator: CloudEmulator, overrides?: Partial<CredentialFields>): HarnessCredential;
	/** The cloud's request log in the emulator. */
	requests(emulator: CloudEmulator): RequestLogEntry[];
	/** Clears the cloud's faults and queued outcomes, so no test leaks into the next. */
	reset(emulator: CloudEmulator): void;
}

export type NodeError = Error & { description?: string | null; httpCode?: string | null };

/** The fixture of one cloud's node: running it, its emulator's lifecycle and request log, its instance picker. */
export function cloudFixture<CredentialFields>(spec: CloudFixtureSpec<CredentialFields>) {
	async function runChain(
		emulator: CloudEmulator,
		steps: ChainStep[],
		options: RunOptions<CredentialFields> = {},
	): Promise<RunWorkflowResult> {
		const setup: ChainSetup = {
			nodeType: spec.nodeType,
			node: spec.createNode(),
			nodeIdPrefix: spec.nodeIdPrefix,
			credentialTypes: [spec.createCredentialType()],
			credential: spec.testCredential(emulator, options.credential),
		};
		return await runNodeChain(setup, steps, options);
	}

	async function runNode(
		emulator: CloudEmulator,
		parameters: INodeParameters,
		options: RunOptions<CredentialFields> = {},
	): Promise<RunWorkflowResult> {
		return await runChain(emulator, [{ name: spec.nodeName, parameters, onError: options.onError }], options);
	}

	/**
	 * A fresh emulator for one describe block: started in beforeAll, stopped in afterAll (with the harness's binary
	 * store and temp folder), the cloud reset before each test.
	 */
	function useEmulator(options: EmulatorOptions = {}): CloudEmulator {
		const emulator = new CloudEmulator(options);
		beforeAll(async () => await emulator.start());
		beforeEach(() => spec.reset(emulator));
		afterAll(async () => {
			await emulator.stop();
			await cleanupBinaryDataStore();
		});
		return emulator;
	}

	/** A position in the emulator's request log, to look only at what one run sent. */
	function markRequests(emulator: CloudEmulator): number {
		return spec.requests(emulator).length;
	}

	/** Requests logged since `mark`, optionally only those of one action ('Download' for file downloads). */
	function requestsSince(emulator: CloudEmulator, mark: number, action?: string): RequestLogEntry[] {
		return spec.requests(emulator).slice(mark).filter((r) => action === undefined || r.action === action);
	}

	/** The node's error as n8n recorded it (message, description, ...), failing clearly when there is none. */
	function nodeErrorOf(result: RunWorkflowResult, nodeName = spec.nodeName): NodeError {
		const error = result.nodeError(nodeName);
		if (!error) throw new Error(`expected node "${nodeName}" to fail, but it did not (status ${result.status})`);
		return error as NodeError;
	}

	/**
	 * The instance picker (listSearch.searchInstances) run in n8n-core's real LoadOptionsContext, the context the
	 * editor uses for a "From List" resource locator, with the node's other parameters as `parameters`.
	 */
	async function searchInstances(
		emulator: CloudEmulator,
		filter?: string,
		paginationToken?: string,
		parameters: INodeParameters = {},
		credentialOverrides: Partial<CredentialFields> = {},
	): Promise<INodeListSearchResult> {
		ensureN8nEnv();
		const nodeType = spec.createNode();
		const nodeTypes: INodeTypes = {
			getByName: () => nodeType,
			getByNameAndVersion: (_type: string, version?: number): INodeType => NodeHelpers.getVersionedNodeType(nodeType, version),
			getKnownTypes: () => ({}),
		};
		const currentParameters: INodeParameters = { resource: 'backup', operation: 'list', instanceId: instanceRef('', 'list'), ...parameters };
		const credential = spec.testCredential(emulator, credentialOverrides);
		const node: INode = {
			id: `${spec.nodeIdPrefix}-node`,
			name: spec.nodeName,
			type: spec.nodeType,
			typeVersion: 1,
			position: [0, 0],
			parameters: currentParameters,
			credentials: { [credential.type]: { id: credential.id ?? null, name: credential.name ?? credential.type } },
		};
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
		const additionalData = {
			credentialsHelper: new HarnessCredentialsHelper([spec.createCredentialType()], [credential]),
			currentNodeParameters: currentParameters,
			variables: {},
			restApiUrl: 'http://localhost:5678/rest',
			instanceBaseUrl: 'http://localhost:5678/',
			webhookBaseUrl: 'http://localhost:5678/webhook',
			webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
			webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
			formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		} as unknown as IWorkflowExecuteAdditionalData;
		const context = new LoadOptionsContext(workflow, node, additionalData, 'instanceId');
		return await nodeType.methods!.listSearch!.searchInstances.call(context, filter, paginationToken);
	}

	return { runNode, runChain, useEmulator, markRequests, requestsSince, nodeErrorOf, searchInstances };
}

export async function sha256Of(binary: IBinaryData): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of (await binaryStream(binary)) as AsyncIterable<Buffer>) hash.update(chunk);
	return hash.digest('hex');
}

// ---- The credential's test -------------------------------------------------------------------------------------

/** Resolves `={{ … }}` in the test request the way n8n's credential tester does, with $credentials in scope. */
export function testRequestOf(credentialType: ICredentialType, data: ICredentialDataDecryptedObject): IHttpRequestOptions {
	const nodeTypes = { getByName: () => undefined, getByNameAndVersion: () => undefined, getKnownTypes: () => ({}) } as unknown as INodeTypes;
	const workflow = new Workflow({ nodes: [], connections: {}, active: false, nodeTypes });
	const node: INode = { id: 'tester', name: 'Credential test', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [0, 0], parameters: {} };
	const request = structuredClone(credentialType.test!.request) as IHttpRequestOptions;
	request.baseURL = String(workflow.expression.getSimpleParameterValue(node, request.baseURL as string, 'internal', { $credentials: data }, undefined, ''));
	return request;
}

/** The description of a test node that sends a request with the credential `credentialName`. */
export function probeDescription(credentialName: string): INodeTypeDescription {
	return {
		displayName: 'Credential Probe',
		name: 'credentialProbe',
		group: ['transform'],
		version: 1,
		description: 'Test fixture',
		defaults: { name: 'Probe' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: credentialName, required: true }],
		properties: [],
	};
}

/** A node that sends its input's request with the credential and outputs the status and the JSON body. */
function credentialProbe(credentialName: string): INodeType {
	return {
		description: probeDescription(credentialName),
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const request = this.getInputData()[0].json.request as unknown as IHttpRequestOptions;
			const response = await this.helpers.httpRequestWithAuthentication.call(this, credentialName, {
				...request,
				returnFullResponse: true,
				encoding: 'text',
				json: false,
			});
			return [[{ json: { statusCode: response.statusCode, body: JSON.parse(response.body as string) }, pairedItem: { item: 0 } }]];
		},
	};
}

/**
 * The credential test as n8n runs it (its request, base URL resolved as n8n resolves it, signed by `authenticate`,
 * sent by n8n's HTTP helper; then the first responseSuccessBody rule whose key holds its value fails the test with
 * its message): 'OK', or that message.
 */
export function credentialTester<CredentialFields>(
	credentialType: ICredentialType,
	testCredential: (emulator: CloudEmulator, overrides?: Partial<CredentialFields>) => HarnessCredential,
) {
	return async function credentialTest(emulator: CloudEmulator, overrides: Partial<CredentialFields> = {}): Promise<string> {
		const { data, type, name = type } = testCredential(emulator, overrides);
		const request = testRequestOf(credentialType, data);
		const result = await runWorkflow({
			workflow: {
				nodes: [
					{ id: 't', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
					{ id: 'i', name: 'Items', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} },
					{ id: 'p', name: 'Probe', type: 'test.credentialProbe', typeVersion: 1, position: [400, 0], parameters: {}, credentials: { [type]: { id: 'c', name } } },
				],
				connections: {
					Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
					Items: { main: [[{ node: 'Probe', type: 'main', index: 0 }]] },
				},
				pinData: { Items: [{ json: { request: request as never } }] },
			},
			nodeTypes: { 'test.credentialProbe': credentialProbe(type) },
			credentialTypes: [credentialType],
			credentials: [{ id: 'c', name, type, data }],
		});
		expect(result.error).toBeUndefined();
		const body = result.output('Probe')[0].json.body as Record<string, unknown>;
		const get = (path: string) => path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), body);
		for (const rule of credentialType.test?.rules ?? []) {
			if (rule.type === 'responseSuccessBody' && get(rule.properties.key) === rule.properties.value) return rule.properties.message;
		}
		return 'OK';
	};
}
