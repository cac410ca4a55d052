/**
 * The S3-Compatible Bucket credential's test (what n8n's "Test" button runs) against the fake S3, which checks the
 * signature with the AWS SDK's signer: its request with the base URL resolved as n8n resolves it, signed by
 * `authenticate`, sent by n8n's HTTP helper through n8n's engine; then the answer judged as n8n's credential tester
 * judges it (2xx passes; otherwise the first responseCode rule for the status gives the message, else n8n's own
 * "Received HTTP status code").
 */
import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';

import { S3CompatibleBucketApi } from '../../credentials/S3CompatibleBucketApi.credentials';
import { runWorkflow } from '../harness';
import { FakeS3 } from '../s3/fakeS3';
import { testRequestOf } from './fixture';

const KEYS = { accessKeyId: 'AKIDCREDTEST', secretAccessKey: 'secret/Key+2' };
const type = new S3CompatibleBucketApi();

/** Sends its input's request with the credential and outputs the status (any status: the tester judges it). */
const probe: INodeType = {
	description: {
		displayName: 'Credential Probe',
		name: 'credentialProbe',
		group: ['transform'],
		version: 1,
		description: 'Test fixture',
		defaults: { name: 'Probe' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: type.name, required: true }],
		properties: [],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const request = this.getInputData()[0].json.request as unknown as IHttpRequestOptions;
		const response = (await this.helpers.httpRequestWithAuthentication.call(this, type.name, {
			...request,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			encoding: 'text',
			json: false,
		})) as IN8nHttpFullResponse;
		return [[{ json: { statusCode: response.statusCode }, pairedItem: { item: 0 } }]];
	},
};

async function credentialTest(data: ICredentialDataDecryptedObject): Promise<string> {
	const request = testRequestOf(type, data);
	const result = await runWorkflow({
		workflow: {
			nodes: [
				{ id: 't', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{ id: 'i', name: 'Items', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} },
				{ id: 'p', name: 'Probe', type: 'test.credentialProbe', typeVersion: 1, position: [400, 0], parameters: {}, credentials: { [type.name]: { id: 'c', name: 'Bucket' } } },
			],
			connections: {
				Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
				Items: { main: [[{ node: 'Probe', type: 'main', index: 0 }]] },
			},
			pinData: { Items: [{ json: { request: request as never } }] },
		},
		nodeTypes: { 'test.credentialProbe': probe },
		credentialTypes: [type],
		credentials: [{ id: 'c', name: 'Bucket', type: type.name, data }],
	});
	if (result.error) return `error: ${result.error.message}`;
	const status = Number(result.output('Probe')[0].json.statusCode);
	if (status >= 200 && status < 300) return 'OK';
	for (const rule of type.test.rules ?? []) {
		if (rule.type === 'responseCode' && rule.properties.value === status) return rule.properties.message;
	}
	return `Received HTTP status code: ${status}`;
}

describe('S3-Compatible Bucket credential test', () => {
	const s3 = new FakeS3(KEYS);
	beforeAll(async () => await s3.start());
	afterAll(async () => await s3.stop());
	beforeEach(() => {
		s3.requests.length = 0;
	});

	const data = (more: Record<string, unknown> = {}): ICredentialDataDecryptedObject => ({
		endpoint: s3.endpoint,
		region: 'us-east-1',
		...KEYS,
		sessionToken: '',
		forcePathStyle: true,
		...more,
	});

	it('passes with good keys, sending a signed ListBuckets (GET /) to the Endpoint', async () => {
		expect(await credentialTest(data())).toBe('OK');
		expect(s3.requests.map((r) => [r.method, r.url, r.action, r.status])).toEqual([
			['GET', '/', 'ListBuckets', 200],
		]);
		expect(s3.requests[0].signedHeaders).toBe('host;x-amz-content-sha256;x-amz-date');
	});

	it('an Endpoint typed with a trailing slash still works', async () => {
		expect(await credentialTest(data({ endpoint: `${s3.endpoint}/` }))).toBe('OK');
	});

	it('words a wrong secret and an unknown access key ID (HTTP 403)', async () => {
		expect(await credentialTest(data({ secretAccessKey: 'wrong' }))).toMatch(/refused the keys \(HTTP 403\)/);
		expect(await credentialTest(data({ accessKeyId: 'AKIDNOSUCH' }))).toMatch(/refused the keys \(HTTP 403\)/);
	});

	it('a bad Endpoint fails without sending anything, naming the credential and not repeating a password', async () => {
		const message = await credentialTest(data({ endpoint: 'https://user:hunter2@127.0.0.1:1' }));
		expect(message).toMatch(/S3-Compatible Bucket/);
		expect(message).not.toContain('hunter2');
		expect(s3.requests).toHaveLength(0);
	});
});
