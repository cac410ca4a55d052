/**
 * The UCloud credential's test (what n8n's "Test" button runs) against the emulator: its request, base URL resolved
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

import { UCloudApi } from '../../credentials/UCloudApi.credentials';
import { UCloudRedis } from '../../nodes/UCloudRedis/UCloudRedis.node';
import type { CloudEmulator } from '../../emulator';
import { HarnessCredentialsHelper, runWorkflow } from '../harness';
import { ensureN8nEnv } from '../harness/n8n-env';
import {
	GROUP_ID,
	IAM_DENIED,
	instanceRef,
	markRequests,
	NODE_NAME,
	OTHER_GROUP_ID,
	REGION,
	requestsSince,
	testCredential,
	UCLOUD_NODE_TYPE,
	UNKNOWN_PUBLIC_KEY,
	useEmulator,
	WRONG_PRIVATE_KEY,
	type UCloudCredentialFields,
} from './ucloudFixture';

const credentialType = new UCloudApi();

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
		credentials: [{ name: 'uCloudApi', required: true }],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const request = this.getInputData()[0].json.request as unknown as IHttpRequestOptions;
		const response = await this.helpers.httpRequestWithAuthentication.call(this, 'uCloudApi', {
			...request,
			returnFullResponse: true,
			encoding: 'text',
			json: false,
		});
		return [[{ json: { statusCode: response.statusCode, body: JSON.parse(response.body as string) }, pairedItem: { item: 0 } }]];
	}
}

/** The credential test as n8n runs it: 'OK', or the message of the first rule the answer matches. */
async function credentialTest(emulator: CloudEmulator, overrides: Partial<UCloudCredentialFields> = {}): Promise<string> {
	const data = testCredential(emulator, overrides).data;
	const request = resolveTestRequest(data);
	const result = await runWorkflow({
		workflow: {
			nodes: [
				{ id: 't', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{ id: 'i', name: 'Items', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} },
				{ id: 'p', name: 'Probe', type: 'test.credentialProbe', typeVersion: 1, position: [400, 0], parameters: {}, credentials: { uCloudApi: { id: 'c', name: 'UCloud' } } },
			],
			connections: {
				Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
				Items: { main: [[{ node: 'Probe', type: 'main', index: 0 }]] },
			},
			pinData: { Items: [{ json: { request: request as never } }] },
		},
		nodeTypes: { 'test.credentialProbe': new CredentialProbe() },
		credentialTypes: [credentialType],
		credentials: [{ id: 'c', name: 'UCloud', type: 'uCloudApi', data }],
	});
	expect(result.error).toBeUndefined();
	const body = result.output('Probe')[0].json.body as Record<string, unknown>;
	const get = (path: string) => path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), body);
	for (const rule of credentialType.test.rules ?? []) {
		if (rule.type === 'responseSuccessBody' && get(rule.properties.key) === rule.properties.value) return rule.properties.message;
	}
	return 'OK';
}

describe('UCloud API credential test', () => {
	const emulator = useEmulator();

	it('passes with a good key, sending a signed DescribeURedisGroup (Limit 1) in the Default Region to the Endpoint', async () => {
		const mark = markRequests(emulator);
		expect(await credentialTest(emulator)).toBe('OK');
		const [request] = requestsSince(emulator, mark);
		expect(request).toMatchObject({ method: 'POST', action: 'DescribeURedisGroup', query: { Limit: '1', Offset: '0', Region: REGION } });
		expect(request.query).not.toHaveProperty('ProjectId');
	});

	it('words a wrong Private Key (171), an unknown Public Key (172), a denied sub-account (299) and an unknown project (292)', async () => {
		expect(await credentialTest(emulator, { privateKey: WRONG_PRIVATE_KEY })).toMatch(/^RetCode 171: Signature VerifyAC Error: .*Private Key is wrong/);
		expect(await credentialTest(emulator, { publicKey: UNKNOWN_PUBLIC_KEY })).toMatch(/^RetCode 172: User Not Exists: .*does not know this Public Key/);
		emulator.ucloud.addAccount({ ...IAM_DENIED, iamDenied: true });
		expect(await credentialTest(emulator, IAM_DENIED)).toMatch(/^RetCode 299: .*IAM/);
		expect(await credentialTest(emulator, { projectId: 'org-nosuch' })).toMatch(/^RetCode 292: the Project ID does not exist/);
	});

	it('sends the Project ID when set, and says when the endpoint is not UCloud', async () => {
		const mark = markRequests(emulator);
		expect(await credentialTest(emulator, { projectId: 'org-emulator' })).toBe('OK');
		expect(requestsSince(emulator, mark)[0].query.ProjectId).toBe('org-emulator');
		emulator.ucloud.faults.push({ action: 'DescribeURedisGroup', kind: 'answer', body: { Code: 'NotUCloud' } });
		expect(await credentialTest(emulator)).toMatch(/did not answer like UCloud/);
	});
});

async function searchInstances(emulator: CloudEmulator, filter?: string, paginationToken?: string, parameters: INodeParameters = {}): Promise<INodeListSearchResult> {
	ensureN8nEnv();
	const nodeType = new UCloudRedis();
	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: (_type: string, version?: number): INodeType => NodeHelpers.getVersionedNodeType(nodeType, version),
		getKnownTypes: () => ({}),
	};
	const currentParameters: INodeParameters = { resource: 'backup', operation: 'list', instanceId: instanceRef('', 'list'), ...parameters };
	const node: INode = {
		id: 'ucloud-node',
		name: NODE_NAME,
		type: UCLOUD_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: currentParameters,
		credentials: { uCloudApi: { id: 'cred-uc', name: 'UCloud test' } },
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const additionalData = {
		credentialsHelper: new HarnessCredentialsHelper([new UCloudApi()], [testCredential(emulator)]),
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

describe('UCloud instance picker', () => {
	const emulator = useEmulator();
	beforeAll(() => {
		emulator.ucloud.addInstance({ groupId: 'uredis-payments1', region: REGION, zone: 'cn-bj2-02', name: 'payments-cache' });
		emulator.ucloud.addInstance({ groupId: 'uredis-shanghai1', region: 'cn-sh2', zone: 'cn-sh2-02', name: 'east-cache' });
		for (let i = 0; i < 52; i++) {
			emulator.ucloud.addInstance({ groupId: `uredis-bulk${String(i).padStart(4, '0')}`, region: REGION, zone: 'cn-bj2-03', name: `bulk-${i}` });
		}
	});

	it("lists the region's groups page by page, with a readable name", async () => {
		const first = await searchInstances(emulator);
		expect(first.results).toHaveLength(50);
		expect(first.paginationToken).toBe('50');
		const second = await searchInstances(emulator, undefined, first.paginationToken);
		const all = [...first.results, ...second.results];
		expect(all.map((r) => r.value)).toEqual(expect.arrayContaining([GROUP_ID, OTHER_GROUP_ID, 'uredis-payments1']));
		expect(all.map((r) => r.value)).not.toContain('uredis-shanghai1');
		expect(second.paginationToken).toBeUndefined();
		expect(all.find((r) => r.value === GROUP_ID)?.name).toMatch(/^demo-cache \(uredis-demo01, cn-bj2-04, 4 GB, Running\)$/);
	});

	it('searches names, looks a group ID up as such, and follows the Region parameter', async () => {
		expect((await searchInstances(emulator, 'payments')).results.map((r) => r.value)).toEqual(['uredis-payments1']);
		expect((await searchInstances(emulator, 'uredis-payments1')).results.map((r) => r.value)).toEqual(['uredis-payments1']);
		expect((await searchInstances(emulator, undefined, undefined, { region: 'cn-sh2' })).results.map((r) => r.value)).toEqual(['uredis-shanghai1']);
	});
});
