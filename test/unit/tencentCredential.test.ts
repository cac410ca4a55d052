/**
 * The Tencent credential's `authenticate`: which endpoint each request goes to, and that what it signs is what the
 * official SDK's signing code (tencentcloud-sdk-nodejs-common Sign.sign3 / Sign.sign) computes for the request as
 * sent. Also the test request: its base URL expression gives the endpoint `authenticate` would pick, and its rules
 * word Tencent's auth errors.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestOptions, INode, INodeTypes } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import Sign from 'tencentcloud-sdk-nodejs-common/tencentcloud/common/sign';

import {
	TENCENT_DEFAULT_ENDPOINT,
	TENCENT_LEGACY_ENDPOINT,
	TENCENT_TEST_BASE_URL,
	TENCENT_TEST_ERRORS,
	TencentCloudApi,
	isFinancialRegion,
	signTencentRequest,
	tencentEndpoint,
	tencentRegionalEndpoint,
} from '../../credentials/TencentCloudApi.credentials';
import { CredentialConfigError } from '../../nodes/common/credentials';

const credentials: ICredentialDataDecryptedObject = {
	secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
	secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
	sessionToken: '',
	region: 'ap-guangzhou',
	endpoint: '',
};
const NOW = Date.parse('2024-01-10T00:00:00Z');

const api3 = (extra: Partial<IHttpRequestOptions> = {}): IHttpRequestOptions => ({
	method: 'POST',
	url: '/',
	headers: { 'X-TC-Action': 'DescribeInstanceBackups', 'X-TC-Version': '2018-04-12', 'X-TC-Region': 'ap-guangzhou', 'Content-Type': 'application/json', accept: 'application/json' },
	body: '{"InstanceId":"crs-5a4py64p","Limit":100,"Status":[1,2]}',
	json: false,
	...extra,
});

const legacy = (extra: Partial<IHttpRequestOptions> = {}): IHttpRequestOptions => ({
	method: 'POST',
	url: '/v2/index.php',
	headers: { 'X-TC-Action': 'GetRedisBackupList', 'X-TC-Region': 'ap-guangzhou', accept: 'application/json' },
	qs: { limit: '20', offset: '0', redisId: 'crs-5a4py64p', beginTime: '2024-01-10 08:00:00' },
	...extra,
});

/** The SDK's TC3 signature for the request as it will be sent. */
function sdkTc3Signature(signed: IHttpRequestOptions, secretKey: string): string | undefined {
	const headers = signed.headers as Record<string, string>;
	const authorization = Sign.sign3({
		method: 'POST',
		url: signed.url,
		payload: Buffer.from(signed.body as string, 'utf8'),
		timestamp: Number(headers['X-TC-Timestamp']),
		service: 'redis',
		secretId: credentials.secretId as string,
		secretKey,
		multipart: false,
		boundary: '',
		headers: { 'Content-Type': headers['Content-Type'] },
	});
	return /Signature=([0-9a-f]+)$/.exec(authorization)?.[1];
}

describe('API 3.0 requests', () => {
	it('are signed as the official SDK signs them, and sent to the central endpoint', async () => {
		const signed = await signTencentRequest(credentials, api3(), NOW);
		const headers = signed.headers as Record<string, string>;
		expect(signed.url).toBe('https://redis.tencentcloudapi.com/');
		expect(signed).toMatchObject({ method: 'POST', baseURL: undefined, qs: undefined, body: api3().body, json: false });
		expect(headers).toMatchObject({
			'X-TC-Action': 'DescribeInstanceBackups',
			'X-TC-Version': '2018-04-12',
			'X-TC-Region': 'ap-guangzhou',
			'X-TC-Timestamp': String(NOW / 1000),
			'X-TC-Language': 'en-US',
			'Content-Type': 'application/json',
			Host: 'redis.tencentcloudapi.com',
			accept: 'application/json',
		});
		expect(headers).not.toHaveProperty('X-TC-Token');
		expect(headers.Authorization).toMatch(/^TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE\/2024-01-10\/redis\/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$/);
		expect(headers.Authorization.endsWith(`Signature=${sdkTc3Signature(signed, credentials.secretKey as string)}`)).toBe(true);
	});

	it('send the session token as X-TC-Token, and trim pasted whitespace from the keys', async () => {
		const signed = await signTencentRequest(
			{ ...credentials, secretId: ` ${credentials.secretId as string}\n`, secretKey: `${credentials.secretKey as string}\n`, sessionToken: 'token-1' },
			api3(),
			NOW,
		);
		const headers = signed.headers as Record<string, string>;
		expect(headers['X-TC-Token']).toBe('token-1');
		expect(headers.Authorization.endsWith(`Signature=${sdkTc3Signature(signed, credentials.secretKey as string)}`)).toBe(true);
	});

	it("go to a financial zone's own domain", async () => {
		const signed = await signTencentRequest(credentials, api3({ headers: { 'X-TC-Action': 'DescribeInstances', 'X-TC-Version': '2018-04-12', 'X-TC-Region': 'ap-shanghai-fsi' } }), NOW);
		expect(signed.url).toBe('https://redis.ap-shanghai-fsi.tencentcloudapi.com/');
		expect((signed.headers as Record<string, string>).Host).toBe('redis.ap-shanghai-fsi.tencentcloudapi.com');
	});

	it("take the credential's region when the request names none, and an object body as JSON", async () => {
		const signed = await signTencentRequest({ ...credentials, region: 'ap-shenzhen-fsi' }, api3({ headers: { 'X-TC-Action': 'DescribeInstances', 'X-TC-Version': '2018-04-12' }, body: { Limit: 1 } }), NOW);
		expect(signed.url).toBe('https://redis.ap-shenzhen-fsi.tencentcloudapi.com/');
		expect((signed.headers as Record<string, string>)['X-TC-Region']).toBe('ap-shenzhen-fsi');
		expect(signed.body).toBe('{"Limit":1}');
		expect((signed.headers as Record<string, string>).Authorization.endsWith(`Signature=${sdkTc3Signature(signed, credentials.secretKey as string)}`)).toBe(true);
		const empty = await signTencentRequest(credentials, api3({ body: undefined }), NOW);
		expect(empty.body).toBe('{}');
	});

	it("go to the credential's Endpoint, its path kept and signed", async () => {
		const signed = await signTencentRequest({ ...credentials, endpoint: 'http://127.0.0.1:8123/tencent/' }, api3(), NOW);
		expect(signed.url).toBe('http://127.0.0.1:8123/tencent/');
		const headers = signed.headers as Record<string, string>;
		expect(headers.Host).toBe('127.0.0.1:8123');
		expect(headers.Authorization.endsWith(`Signature=${sdkTc3Signature(signed, credentials.secretKey as string)}`)).toBe(true);
		const bare = await signTencentRequest({ ...credentials, endpoint: 'redis.ap-guangzhou.tencentcloudapi.com' }, api3(), NOW);
		expect(bare.url).toBe('https://redis.ap-guangzhou.tencentcloudapi.com/');
	});

	it('are signed afresh every time (the timestamp is now)', async () => {
		const first = await signTencentRequest(credentials, api3(), NOW);
		const later = await signTencentRequest(credentials, api3(), NOW + 60_000);
		expect((later.headers as Record<string, string>)['X-TC-Timestamp']).toBe(String(NOW / 1000 + 60));
		expect((later.headers as Record<string, string>).Authorization).not.toBe((first.headers as Record<string, string>).Authorization);
	});

	it('without X-TC-Action or X-TC-Version are refused, nothing sent', async () => {
		await expect(signTencentRequest(credentials, api3({ headers: {} }), NOW)).rejects.toBeInstanceOf(CredentialConfigError);
		await expect(signTencentRequest(credentials, api3({ headers: { 'X-TC-Action': 'A' } }), NOW)).rejects.toThrow(/X-TC-Version/);
	});
});

describe('legacy CRS API requests', () => {
	it('are signed with HmacSHA256 as the SDK signs them, a form body to redis.api.qcloud.com/v2/index.php', async () => {
		const signed = await signTencentRequest(credentials, legacy(), NOW, 12345);
		expect(signed).toMatchObject({ method: 'POST', url: 'https://redis.api.qcloud.com/v2/index.php', qs: undefined, baseURL: undefined });
		expect(signed.headers).toEqual({ accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' });
		const params = Object.fromEntries(new URLSearchParams(signed.body as string));
		expect(params).toMatchObject({
			Action: 'GetRedisBackupList',
			Region: 'ap-guangzhou',
			Timestamp: String(NOW / 1000),
			Nonce: '12345',
			SecretId: credentials.secretId,
			SignatureMethod: 'HmacSHA256',
			limit: '20',
			offset: '0',
			redisId: 'crs-5a4py64p',
			beginTime: '2024-01-10 08:00:00',
		});
		expect(params).not.toHaveProperty('Token');
		const { Signature, ...rest } = params;
		const source = `POSTredis.api.qcloud.com/v2/index.php?${Object.keys(rest)
			.sort()
			.map((k) => `${k}=${rest[k]}`)
			.join('&')}`;
		expect(Signature).toBe(Sign.sign(credentials.secretKey as string, source, 'HmacSHA256'));
	});

	it('carry the session token as Token, and a new random nonce on every request', async () => {
		const nonces = new Set<string>();
		for (let i = 0; i < 20; i++) {
			const signed = await signTencentRequest({ ...credentials, sessionToken: 'tok' }, legacy(), NOW);
			const params = Object.fromEntries(new URLSearchParams(signed.body as string));
			expect(params.Token).toBe('tok');
			expect(params.Nonce).toMatch(/^[1-9]\d*$/);
			nonces.add(params.Nonce);
		}
		expect(nonces.size).toBe(20);
	});

	it("go to the credential's Endpoint too, at /v2/index.php below it", async () => {
		const signed = await signTencentRequest({ ...credentials, endpoint: 'http://127.0.0.1:8123' }, legacy(), NOW, 7);
		expect(signed.url).toBe('http://127.0.0.1:8123/v2/index.php');
		const params = Object.fromEntries(new URLSearchParams(signed.body as string));
		const { Signature, ...rest } = params;
		const source = `POST127.0.0.1:8123/v2/index.php?${Object.keys(rest)
			.sort()
			.map((k) => `${k}=${rest[k]}`)
			.join('&')}`;
		expect(Signature).toBe(Sign.sign(credentials.secretKey as string, source, 'HmacSHA256'));
	});
});

describe('endpoints', () => {
	it.each([
		['ap-guangzhou', TENCENT_DEFAULT_ENDPOINT],
		['na-siliconvalley', TENCENT_DEFAULT_ENDPOINT],
		['ap-shanghai-fsi', 'https://redis.ap-shanghai-fsi.tencentcloudapi.com'],
		['ap-shenzhen-fsi', 'https://redis.ap-shenzhen-fsi.tencentcloudapi.com'],
		['ap-beijing-fsi', 'https://redis.ap-beijing-fsi.tencentcloudapi.com'],
		[undefined, TENCENT_DEFAULT_ENDPOINT],
	])('API 3.0 for %p -> %s', (region, endpoint) => {
		expect(tencentRegionalEndpoint(region)).toBe(endpoint);
		expect(tencentEndpoint(credentials, region)).toBe(endpoint);
		expect(isFinancialRegion(region)).toBe(endpoint !== TENCENT_DEFAULT_ENDPOINT);
	});

	it('the legacy API without an Endpoint is redis.api.qcloud.com; with one, both APIs use it', () => {
		expect(tencentEndpoint(credentials, 'ap-guangzhou', 'legacy')).toBe(TENCENT_LEGACY_ENDPOINT);
		const overridden = { ...credentials, endpoint: ' https://proxy.example.com/tc/ ' };
		expect(tencentEndpoint(overridden, 'ap-shanghai-fsi')).toBe('https://proxy.example.com/tc');
		expect(tencentEndpoint(overridden, 'ap-guangzhou', 'legacy')).toBe('https://proxy.example.com/tc');
		// A regional API 3.0 endpoint cannot serve the legacy API: legacy calls keep the legacy endpoint.
		const regional = { ...credentials, endpoint: 'redis.ap-guangzhou.tencentcloudapi.com' };
		expect(tencentEndpoint(regional, 'ap-guangzhou')).toBe('https://redis.ap-guangzhou.tencentcloudapi.com');
		expect(tencentEndpoint(regional, 'ap-guangzhou', 'legacy')).toBe(TENCENT_LEGACY_ENDPOINT);
	});

	it.each([
		['https://user:hunter2@proxy.example.com', 'user name or password', 'hunter2'],
		['https://proxy.example.com/?token=s3cret', 'query string', 's3cret'],
		['ftp://proxy.example.com', 'only http and https', undefined],
	])('refuses the Endpoint %s without echoing secrets', async (endpoint, problem, secret) => {
		const error = await signTencentRequest({ ...credentials, endpoint }, api3(), NOW).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(CredentialConfigError);
		expect((error as Error).message).toContain(problem);
		expect((error as Error).message).toContain('Tencent Cloud');
		if (secret) expect((error as Error).message).not.toContain(secret);
	});
});

describe('the credential type and its test', () => {
	const type = new TencentCloudApi();

	it('has the documented fields, secrets as passwords', () => {
		expect(type.name).toBe('tencentCloudApi');
		expect(type.properties.map((p) => p.name)).toEqual(['secretId', 'secretKey', 'sessionToken', 'region', 'endpoint']);
		for (const name of ['secretKey', 'sessionToken']) {
			expect(type.properties.find((p) => p.name === name)?.typeOptions?.password).toBe(true);
		}
		expect(type.properties.find((p) => p.name === 'region')?.default).toBe('ap-guangzhou');
		expect(type.authenticate).toBe(signTencentRequest);
	});

	/** Resolves the test request's base URL the way n8n's credential tester does, with $credentials in scope. */
	function testBaseUrl(data: ICredentialDataDecryptedObject): string {
		const nodeTypes = { getByName: () => undefined, getByNameAndVersion: () => undefined, getKnownTypes: () => ({}) } as unknown as INodeTypes;
		const workflow = new Workflow({ nodes: [], connections: {}, active: false, nodeTypes });
		const node: INode = { id: 't', name: 'Credential test', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [0, 0], parameters: {} };
		return String(workflow.expression.getSimpleParameterValue(node, TENCENT_TEST_BASE_URL, 'internal', { $credentials: data }, undefined, ''));
	}

	it.each([
		[{ region: 'ap-guangzhou', endpoint: '' }],
		[{ region: 'ap-shanghai-fsi', endpoint: '' }],
		[{ region: ' ap-shenzhen-fsi ', endpoint: '' }],
		[{ region: 'ap-shanghai-fsi', endpoint: 'http://127.0.0.1:9000/' }],
	])('the test request goes where authenticate sends API 3.0 calls (%p)', async (fields) => {
		const data = { ...credentials, ...fields };
		const baseURL = testBaseUrl(data);
		expect(baseURL).toBe(tencentEndpoint(data, data.region as string));
		const request = { ...structuredClone(type.test.request), baseURL } as IHttpRequestOptions;
		const signed = await signTencentRequest(data, request, NOW);
		expect(signed.url).toBe(`${tencentEndpoint(data, data.region as string)}/`);
		expect(signed.body).toBe('{"Limit":1}');
		expect((signed.headers as Record<string, string>)['X-TC-Action']).toBe('DescribeInstances');
		expect((signed.headers as Record<string, string>)['X-TC-Region']).toBe(String(data.region).trim());
	});

	it('words the auth errors a user can fix: wrong key, unknown SecretId, clock skew, missing CAM permission', () => {
		const rules = type.test.rules ?? [];
		const message = (code: string) =>
			rules.find((rule) => rule.type === 'responseSuccessBody' && rule.properties.key === 'Response.Error.Code' && rule.properties.value === code)?.properties.message;
		expect(message('AuthFailure.SignatureFailure')).toMatch(/SecretKey is wrong/);
		expect(message('AuthFailure.SecretIdNotFound')).toMatch(/does not know this SecretId/);
		expect(message('AuthFailure.SignatureExpire')).toMatch(/clock/);
		expect(message('AuthFailure.UnauthorizedOperation')).toMatch(/CAM/);
		expect(message('UnauthorizedOperation.NoCAMAuthed')).toMatch(/CAM/);
		expect(message('AuthFailure.TokenFailure')).toMatch(/Session Token/);
		expect(rules).toHaveLength(TENCENT_TEST_ERRORS.length + 1);
		expect(rules[rules.length - 1]).toMatchObject({ type: 'responseSuccessBody', properties: { key: 'Response.InstanceSet', value: undefined } });
	});
});
