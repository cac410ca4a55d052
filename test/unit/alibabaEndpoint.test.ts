/**
 * Where the Alibaba credential sends a request: the Endpoint override (scheme added, path kept, nonsense refused
 * before anything is sent), else the official SDK's endpoint for the request's RegionId.
 */
import { $OpenApiUtil } from '@alicloud/openapi-core';
import KvClient from '@alicloud/r-kvstore20150101';
import type { IHttpRequestOptions } from 'n8n-workflow';

import {
	ALIBABA_DEFAULT_ENDPOINT,
	alibabaEndpoint,
	normalizeAlibabaEndpoint,
	signAlibabaRequest,
} from '../../credentials/AlibabaCloudApi.credentials';
import { CredentialConfigError } from '../../nodes/common/credentials';
import { R_KVSTORE_CENTRAL_HOST, R_KVSTORE_ENDPOINT_MAP } from '../../nodes/signing/alibabaEndpoints';
import { signAcs3 } from '../../nodes/signing/alibabaAcs3';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const base = { accessKeyId: 'AKID', accessKeySecret: 'secret', region: 'cn-hangzhou' };

function request(qs: Record<string, string> = {}, extra: Partial<IHttpRequestOptions> = {}): IHttpRequestOptions {
	return {
		method: 'POST',
		url: '/',
		qs,
		headers: { 'x-acs-action': 'DescribeBackups', 'x-acs-version': '2015-01-01' },
		...extra,
	};
}

async function signedUrl(endpoint: string, qs: Record<string, string> = {}, extra: Partial<IHttpRequestOptions> = {}) {
	const signed = await signAlibabaRequest({ ...base, endpoint }, request(qs, extra), NOW, 'nonce-1');
	return signed.url;
}

/** The endpoint the official SDK picks for a region, read from a real SDK client. */
function sdkEndpointFor(regionId: string): string {
	const client = new KvClient(new $OpenApiUtil.Config({ accessKeyId: 'a', accessKeySecret: 'b', regionId }));
	return (client as unknown as { _endpoint: string })._endpoint;
}

describe('regional endpoints (no Endpoint override)', () => {
	it('the copied map is exactly the SDK 6.4.0 map', () => {
		const client = new KvClient(new $OpenApiUtil.Config({ accessKeyId: 'a', accessKeySecret: 'b', regionId: 'cn-hangzhou' }));
		const sdkMap = (client as unknown as { _endpointMap: Record<string, string> })._endpointMap;
		expect(R_KVSTORE_ENDPOINT_MAP).toEqual(sdkMap);
		expect(Object.keys(R_KVSTORE_ENDPOINT_MAP).length).toBeGreaterThan(50);
	});

	it('sends a request to the endpoint the SDK uses for its RegionId, for every region in the map', async () => {
		for (const regionId of Object.keys(R_KVSTORE_ENDPOINT_MAP)) {
			const url = await signedUrl('', { RegionId: regionId, InstanceId: 'r-abc' });
			expect(new URL(url!).host).toBe(sdkEndpointFor(regionId));
			expect(url!.startsWith('https://')).toBe(true);
		}
	});

	it.each([
		['cn-shenzhen', 'https://r-kvstore.cn-shenzhen.aliyuncs.com/'],
		['ap-southeast-1', 'https://r-kvstore.ap-southeast-1.aliyuncs.com/'],
		['eu-central-1', 'https://r-kvstore.eu-central-1.aliyuncs.com/'],
		['cn-hangzhou', 'https://r-kvstore.aliyuncs.com/'],
		['cn-beijing', 'https://r-kvstore.aliyuncs.com/'],
	])('RegionId %s goes to %s', async (regionId, expected) => {
		const url = await signedUrl('', { RegionId: regionId });
		expect(url).toBe(`${expected}?RegionId=${regionId}`);
	});

	it('a region the map does not know, and no RegionId at all, go to the central endpoint', async () => {
		expect(await signedUrl('', { RegionId: 'xx-nowhere-9' })).toBe('https://r-kvstore.aliyuncs.com/?RegionId=xx-nowhere-9');
		expect(await signedUrl('', {})).toBe('https://r-kvstore.aliyuncs.com/');
		expect(ALIBABA_DEFAULT_ENDPOINT).toBe(`https://${R_KVSTORE_CENTRAL_HOST}`);
	});

	it('alibabaEndpoint() without a region is the central endpoint', () => {
		expect(alibabaEndpoint({ endpoint: '' })).toBe('https://r-kvstore.aliyuncs.com');
		expect(alibabaEndpoint({ endpoint: '  ' }, 'cn-hongkong')).toBe('https://r-kvstore.cn-hongkong.aliyuncs.com');
	});

	it('the Endpoint override wins over the region', async () => {
		expect(await signedUrl('https://vpc.example.com', { RegionId: 'cn-shenzhen' })).toBe('https://vpc.example.com/?RegionId=cn-shenzhen');
	});
});

describe('the Endpoint override', () => {
	it('gets https:// when typed without a scheme', async () => {
		expect(await signedUrl('r-kvstore.cn-shanghai.aliyuncs.com', { RegionId: 'cn-shanghai' })).toBe(
			'https://r-kvstore.cn-shanghai.aliyuncs.com/?RegionId=cn-shanghai',
		);
		expect(normalizeAlibabaEndpoint('  r-kvstore-vpc.cn-shanghai.aliyuncs.com/ ')).toBe('https://r-kvstore-vpc.cn-shanghai.aliyuncs.com');
		expect(normalizeAlibabaEndpoint('localhost:8787')).toBe('https://localhost:8787');
	});

	it('keeps http:// and https:// as given', () => {
		expect(normalizeAlibabaEndpoint('http://127.0.0.1:8787/')).toBe('http://127.0.0.1:8787');
		expect(normalizeAlibabaEndpoint('HTTPS://R-KVSTORE.ALIYUNCS.COM')).toBe('https://r-kvstore.aliyuncs.com');
	});

	it('keeps a path: the request goes to it and is signed with it', async () => {
		const credentials = { ...base, endpoint: 'https://proxy.example.com/aliyun/' };
		const signed = await signAlibabaRequest(credentials, request({ InstanceId: 'r-abc' }), NOW, 'nonce-1');
		expect(signed.url).toBe('https://proxy.example.com/aliyun/?InstanceId=r-abc');
		const expected = signAcs3(
			{
				method: 'POST',
				host: 'proxy.example.com',
				pathname: '/aliyun/',
				action: 'DescribeBackups',
				version: '2015-01-01',
				query: { InstanceId: 'r-abc' },
				body: '',
				date: '2026-11-23T12:00:00Z',
				nonce: 'nonce-1',
				headers: {},
			},
			{ accessKeyId: 'AKID', accessKeySecret: 'secret' },
		);
		expect((signed.headers as Record<string, string>).Authorization).toBe(expected.headers.Authorization);
		// Without the trailing slash the same.
		expect(await signedUrl('https://proxy.example.com/aliyun', { InstanceId: 'r-abc' })).toBe(signed.url);
	});

	it.each([
		['another scheme', 'ftp://files.example.com', 'ftp://files.example.com', /only http and https/],
		['no host', 'https://', 'https://', /not a URL|no host/],
		['a space in the host', 'http://exa mple.com', 'http://exa mple.com', /not a URL/],
		// Named without the parts that may hold a secret: user info and the query string.
		['a query string', 'https://example.com/?a=b', 'https://example.com/', /query string/],
		['user info', 'https://user:pw@example.com', 'https://example.com', /user name or password/],
		['user info without scheme', 'admin:hunter2@example.com/x', 'example.com/x', /user name or password/],
	])('refuses %s with a CredentialConfigError naming the Endpoint', async (_label, endpoint, shown, reason) => {
		const error = await signAlibabaRequest({ ...base, endpoint }, request()).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(CredentialConfigError);
		expect((error as Error).name).toBe('CredentialConfigError');
		expect((error as Error).message).toContain(`The Endpoint "${shown}" of the Alibaba Cloud credential is not valid`);
		expect((error as Error).message).toMatch(reason);
		expect((error as Error).message).not.toMatch(/pw@|hunter2|a=b/);
	});

	it("normalises the credential test's baseURL the same way", async () => {
		const signed = await signAlibabaRequest({ ...base, endpoint: '' }, request({}, { baseURL: 'r-kvstore.aliyuncs.com/' }), NOW, 'n');
		expect(signed.url).toBe('https://r-kvstore.aliyuncs.com/');
	});
});

describe('the AccessKey Secret', () => {
	it('is trimmed: a pasted trailing newline or space signs like the bare secret', async () => {
		const sign = async (accessKeySecret: string) =>
			(await signAlibabaRequest({ ...base, accessKeySecret, endpoint: 'https://example.test' }, request({ A: '1' }), NOW, 'n')).headers as Record<
				string,
				string
			>;
		const bare = (await sign('secret')).Authorization;
		expect((await sign('secret\n')).Authorization).toBe(bare);
		expect((await sign(' secret \r\n')).Authorization).toBe(bare);
		expect((await sign('other')).Authorization).not.toBe(bare);
	});
});
