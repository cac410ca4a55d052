/**
 * The Tencent credential's test (what n8n's "Test" button runs) against the emulator: its request, base URL resolved
 * as n8n resolves it, signed by `authenticate`, sent by n8n's HTTP helper; then its rules applied to the answer as
 * n8n's credential tester applies them (the first responseSuccessBody rule whose key holds its value fails the test
 * with its message). Also the instance picker in n8n-core's real LoadOptionsContext.
 */
import { LoadOptionsContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
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
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeHelpers, Workflow } from 'n8n-workflow';

import { TencentCloudApi } from '../../credentials/TencentCloudApi.credentials';
import { TencentCloudRedis } from '../../nodes/TencentCloudRedis/TencentCloudRedis.node';
import type { CloudEmulator } from '../../emulator';
import { HarnessCredentialsHelper, runWorkflow } from '../harness';
import { ensureN8nEnv } from '../harness/n8n-env';
import {
	CLUSTER_ID,
	instanceRef,
	markRequests,
	NODE_NAME,
	REGION,
	requestsSince,
	STANDARD_ID,
	TENCENT_NODE_TYPE,
	testCredential,
	useEmulator,
	type TencentCredentialFields,
	NO_CAM,
	UNKNOWN_ID,
	WRONG_KEY,
} from './tencentFixture';

const credentialType = new TencentCloudApi();

function resolveTestRequest(data: ICredentialDataDecryptedObject): IHttpRequestOptions {
	const nodeTypes = { getByName: () => undefined, getByNameAndVersion: () => undefined, getKnownTypes: () => ({}) } as unknown as INodeTypes;
	const workflow = new Workflow({ nodes: [], connections: {}, active: false, nodeTypes });
	const node: INode = { id: 'tester', name: 'Credential test', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [0, 0], parameters: {} };
	const request = structuredClone(credentialType.test.request) as IHttpRequestOptions;
	request.baseURL = String(workflow.expression.getSimpleParameterValue(node, request.baseURL as string, 'internal', { $credentials: data }, undefined, ''));
	return request;
}

class CredentialProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Credential Probe',
		name: 'credentialProbe',
		group: ['transform'],
		version: 1,
		description: 'Test fixture',
		defaults: { name: 'Probe' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tencentCloudApi', required: true }],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const request = this.getInputData()[0].json.request as unknown as IHttpRequestOptions;
		const response = await this.helpers.httpRequestWithAuthentication.call(this, 'tencentCloudApi', {
			...request,
			returnFullResponse: true,
			encoding: 'text',
			json: false,
		});
		return [[{ json: { statusCode: response.statusCode, body: JSON.parse(response.body as string) }, pairedItem: { item: 0 } }]];
	}
}

/** The credential test as n8n runs it: 'OK', or the message of the first rule the answer matches. */
async function credentialTest(emulator: CloudEmulator, overrides: Partial<TencentCredentialFields> = {}): Promise<string> {
	const data = testCredential(emulator, overrides).data;
	const request = resolveTestRequest(data);
	const result = await runWorkflow({
		workflow: {
			nodes: [
				{ id: 't', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{ id: 'i', name: 'Items', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} },
				{ id: 'p', name: 'Probe', type: 'test.credentialProbe', typeVersion: 1, position: [400, 0], parameters: {}, credentials: { tencentCloudApi: { id: 'c', name: 'Tencent' } } },
			],
			connections: {
				Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
				Items: { main: [[{ node: 'Probe', type: 'main', index: 0 }]] },
			},
			pinData: { Items: [{ json: { request: request as never } }] },
		},
		nodeTypes: { 'test.credentialProbe': new CredentialProbe() },
		credentialTypes: [credentialType],
		credentials: [{ id: 'c', name: 'Tencent', type: 'tencentCloudApi', data }],
	});
	expect(result.error).toBeUndefined();
	const body = result.output('Probe')[0].json.body as Record<string, unknown>;
	const get = (path: string) => path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), body);
	for (const rule of credentialType.test.rules ?? []) {
		if (rule.type === 'responseSuccessBody' && get(rule.properties.key) === rule.properties.value) return rule.properties.message;
	}
	return 'OK';
}

describe('Tencent Cloud API credential test', () => {
	const emulator = useEmulator();

	it('passes with a good key, sending DescribeInstances with Limit 1 to the Endpoint', async () => {
		const mark = markRequests(emulator);
		expect(await credentialTest(emulator)).toBe('OK');
		const [request] = requestsSince(emulator, mark);
		expect(request).toMatchObject({ action: 'DescribeInstances', query: { Limit: '1' } });
		expect(request.headers['x-tc-region']).toBe(REGION);
	});

	it('words a wrong SecretKey, an unknown SecretId, clock skew and a missing CAM permission', async () => {
		expect(await credentialTest(emulator, { secretKey: WRONG_KEY })).toMatch(/^AuthFailure\.SignatureFailure: .*SecretKey is wrong/);
		expect(await credentialTest(emulator, { secretId: UNKNOWN_ID })).toMatch(/^AuthFailure\.SecretIdNotFound: .*does not know this SecretId/);
		emulator.tencent.settings.clockSkewMs = 10 * 60_000;
		expect(await credentialTest(emulator)).toMatch(/^AuthFailure\.SignatureExpire: .*clock/);
		emulator.tencent.settings.clockSkewMs = 0;
		emulator.tencent.addAccount({ ...NO_CAM, camDenied: true });
		expect(await credentialTest(emulator, NO_CAM)).toMatch(
			/^AuthFailure\.UnauthorizedOperation: .*CAM/,
		);
	});
});

async function searchInstances(emulator: CloudEmulator, filter?: string, paginationToken?: string, parameters: INodeParameters = {}): Promise<INodeListSearchResult> {
	ensureN8nEnv();
	const nodeType = new TencentCloudRedis();
	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: (_type: string, version?: number): INodeType => NodeHelpers.getVersionedNodeType(nodeType, version),
		getKnownTypes: () => ({}),
	};
	const currentParameters: INodeParameters = { resource: 'backup', operation: 'list', instanceId: instanceRef('', 'list'), ...parameters };
	const node: INode = {
		id: 'tencent-node',
		name: NODE_NAME,
		type: TENCENT_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: currentParameters,
		credentials: { tencentCloudApi: { id: 'cred-tc', name: 'Tencent test' } },
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const additionalData = {
		credentialsHelper: new HarnessCredentialsHelper([new TencentCloudApi()], [testCredential(emulator)]),
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
	return await nodeType.methods.listSearch.searchInstances.call(context, filter, paginationToken);
}

describe('Tencent instance picker', () => {
	const emulator = useEmulator();
	beforeAll(() => {
		emulator.tencent.addInstance({ instanceId: 'crs-payments1', region: REGION, architecture: 'standard', name: 'payments-cache' });
		emulator.tencent.addInstance({ instanceId: 'crs-shanghai1', region: 'ap-shanghai', architecture: 'standard', name: 'east-cache' });
		for (let i = 0; i < 52; i++) {
			emulator.tencent.addInstance({ instanceId: `crs-bulk${String(i).padStart(4, '0')}`, region: REGION, architecture: 'standard', name: `bulk-${i}` });
		}
	});

	it("lists the region's instances page by page, with a readable name and a console link", async () => {
		const first = await searchInstances(emulator);
		expect(first.results).toHaveLength(50);
		expect(first.paginationToken).toBe('50');
		const second = await searchInstances(emulator, undefined, first.paginationToken);
		const all = [...first.results, ...second.results].map((r) => r.value);
		expect(all).toEqual(expect.arrayContaining([STANDARD_ID, CLUSTER_ID, 'crs-payments1']));
		expect(all).not.toContain('crs-shanghai1');
		expect(second.paginationToken).toBeUndefined();
		const standard = [...first.results, ...second.results].find((r) => r.value === STANDARD_ID);
		expect(standard?.name).toBe(`demo-standard (${STANDARD_ID}, standalone)`);
		expect(standard?.url).toMatch(/^https:\/\/console\.cloud\.tencent\.com\/redis\/instance\/manage\?ins=crs-demostd01/);
	});

	it('searches names, looks an instance ID up as such, and follows the Region parameter', async () => {
		expect((await searchInstances(emulator, 'payments')).results.map((r) => r.value)).toEqual(['crs-payments1']);
		expect((await searchInstances(emulator, 'crs-payments1')).results.map((r) => r.value)).toEqual(['crs-payments1']);
		expect((await searchInstances(emulator, undefined, undefined, { region: 'ap-shanghai' })).results.map((r) => r.value)).toEqual(['crs-shanghai1']);
	});
});
