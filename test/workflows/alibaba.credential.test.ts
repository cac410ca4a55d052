/**
 * The credential's own test (what n8n's "Test" button runs): its request, with the baseURL expression resolved
 * against the credential's fields as n8n does, signed by `authenticate`, sent through n8n's HTTP helper to the
 * emulator. Also the signing contract the nodes rely on.
 */
import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';

import { ALIBABA_DEFAULT_ENDPOINT, AlibabaCloudApi, signAlibabaRequest } from '../../credentials/AlibabaCloudApi.credentials';
import { CloudEmulator, DEFAULT_ALIBABA_ACCOUNT } from '../../emulator';
import { cleanupBinaryDataStore, runWorkflow } from '../harness';
import { probeDescription, testRequestOf } from './fixture';

const credentialType = new AlibabaCloudApi();

function resolveTestRequest(data: ICredentialDataDecryptedObject): IHttpRequestOptions {
	return testRequestOf(credentialType, data);
}

/** Sends one request with httpRequestWithAuthentication and reports what came back, errors included. */
class CredentialProbe implements INodeType {
	description = probeDescription('alibabaCloudApi');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const request = this.getInputData()[0].json.request as unknown as IHttpRequestOptions;
		const response = await this.helpers.httpRequestWithAuthentication.call(this, 'alibabaCloudApi', {
			...request,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			json: false,
			encoding: 'text',
		});
		return [[{ json: { statusCode: response.statusCode, body: JSON.parse(response.body as string) }, pairedItem: { item: 0 } }]];
	}
}

async function probe(emulator: CloudEmulator, data: ICredentialDataDecryptedObject) {
	const request = resolveTestRequest(data);
	const result = await runWorkflow({
		workflow: {
			nodes: [
				{ id: 't', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{ id: 'i', name: 'Items', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} },
				{
					id: 'p',
					name: 'Probe',
					type: 'test.credentialProbe',
					typeVersion: 1,
					position: [400, 0],
					parameters: {},
					credentials: { alibabaCloudApi: { id: 'c', name: 'Alibaba' } },
				},
			],
			connections: {
				Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
				Items: { main: [[{ node: 'Probe', type: 'main', index: 0 }]] },
			},
			pinData: { Items: [{ json: { request: request as never } }] },
		},
		nodeTypes: { 'test.credentialProbe': new CredentialProbe() },
		credentialTypes: [credentialType],
		credentials: [{ id: 'c', name: 'Alibaba', type: 'alibabaCloudApi', data }],
	});
	expect(result.error).toBeUndefined();
	const [item] = result.output('Probe');
	return { request, statusCode: item.json.statusCode as number, body: item.json.body as Record<string, unknown> };
}

describe('Alibaba Cloud API credential', () => {
	const emulator = new CloudEmulator();
	beforeAll(async () => await emulator.start());
	afterAll(async () => {
		await emulator.stop();
		await cleanupBinaryDataStore();
	});

	const good = () => ({ ...DEFAULT_ALIBABA_ACCOUNT, region: 'cn-hangzhou', endpoint: emulator.alibaba.endpoint });

	it('its test request resolves the endpoint override and DescribeRegions succeeds', async () => {
		const before = emulator.alibaba.requests.length;
		const { request, statusCode, body } = await probe(emulator, good());
		expect(request.baseURL).toBe(emulator.alibaba.endpoint);
		expect(statusCode).toBe(200);
		const regions = (body.RegionIds as { KVStoreRegion: Array<{ RegionId: string }> }).KVStoreRegion;
		expect(regions.map((r) => r.RegionId)).toContain('cn-hangzhou');
		const logged = emulator.alibaba.requests.slice(before);
		expect(logged.map((r) => r.action)).toEqual(['DescribeRegions']);
	});

	it('a trailing slash on the endpoint override makes no difference', async () => {
		const { statusCode } = await probe(emulator, { ...good(), endpoint: `${emulator.alibaba.endpoint}/` });
		expect(statusCode).toBe(200);
	});

	it('with a wrong secret the cloud answers SignatureDoesNotMatch, in words', async () => {
		const { statusCode, body } = await probe(emulator, { ...good(), accessKeySecret: 'not-the-secret' });
		expect(statusCode).toBe(400);
		expect(body.Code).toBe('SignatureDoesNotMatch');
		expect(String(body.Message)).toMatch(/signature/i);
	});

	it('with an unknown AccessKey ID the cloud says so', async () => {
		const { statusCode, body } = await probe(emulator, { ...good(), accessKeyId: 'LTAI-unknown' });
		expect(statusCode).toBe(404);
		expect(body.Code).toBe('InvalidAccessKeyId.NotFound');
	});

	it('without an endpoint override the test request targets the public endpoint', () => {
		expect(resolveTestRequest({ ...DEFAULT_ALIBABA_ACCOUNT, endpoint: '' }).baseURL).toBe(ALIBABA_DEFAULT_ENDPOINT);
	});
});

describe('signAlibabaRequest (the signing contract the nodes rely on)', () => {
	const credentials = { accessKeyId: 'AKID', accessKeySecret: 'secret', region: 'cn-hangzhou', endpoint: 'https://example.test/' };

	it('puts the canonical query into the URL and drops qs, so nothing can re-encode it', async () => {
		const signed = await signAlibabaRequest(
			credentials,
			{ method: 'POST', url: '/', qs: { InstanceId: 'r-abc', Note: 'a b*~' }, headers: { 'x-acs-action': 'DescribeBackups', 'x-acs-version': '2015-01-01' } },
			Date.UTC(2026, 10, 23, 12, 0, 0),
			'nonce-1',
		);
		expect(signed.url).toBe('https://example.test/?InstanceId=r-abc&Note=a%20b%2A~');
		expect(signed.qs).toBeUndefined();
		expect(signed.baseURL).toBeUndefined();
		const headers = signed.headers as Record<string, string>;
		expect(headers['x-acs-date']).toBe('2026-11-23T12:00:00Z');
		expect(headers['x-acs-signature-nonce']).toBe('nonce-1');
		expect(headers.Authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=AKID,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=[0-9a-f]{64}$/);
	});

	it('adds the STS token and signs it', async () => {
		const signed = await signAlibabaRequest(
			{ ...credentials, securityToken: 'sts-token' },
			{ method: 'POST', url: '/', headers: { 'x-acs-action': 'DescribeRegions', 'x-acs-version': '2015-01-01' } },
		);
		const headers = signed.headers as Record<string, string>;
		expect(headers['x-acs-security-token']).toBe('sts-token');
		expect(headers.Authorization).toContain('x-acs-security-token');
	});

	it('refuses a request that does not name its action', async () => {
		await expect(signAlibabaRequest(credentials, { method: 'POST', url: '/' })).rejects.toThrow(/x-acs-action/);
	});
});
