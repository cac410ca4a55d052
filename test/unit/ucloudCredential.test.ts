/**
 * The UCloud credential's `authenticate`: what the node hands it (POST / with the parameters as an object) becomes
 * the form POST UCloud's SDKs send, signed over every parameter (PublicKey, the credential's Region and ProjectId
 * where the request has none, nested parameters flattened) — checked against UCloud's published example and an
 * independent computation of the documented algorithm. Also the endpoint (default, override, refusals without
 * echoing secrets) and the credential test (base URL, rules).
 */
import { createHash } from 'node:crypto';
import type { ICredentialDataDecryptedObject, IHttpRequestOptions, INode, INodeTypes } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import {
	UCLOUD_DEFAULT_ENDPOINT,
	UCLOUD_TEST_BASE_URL,
	UCLOUD_TEST_ERRORS,
	UCloudApi,
	signUCloudRequest,
	ucloudEndpoint,
} from '../../credentials/UCloudApi.credentials';
import { CredentialConfigError } from '../../nodes/common/credentials';

/** The key pair of UCloud's signature page ("签名算法"), published there for checking a signer. */
const DOC_PK = 'ucloudsomeone@example.com1296235120854146120';
const DOC_SK = '46f09bb9fab4f12dfc160dae12273d5332b5debe';

const credentials: ICredentialDataDecryptedObject = {
	publicKey: DOC_PK,
	privateKey: DOC_SK,
	region: 'cn-bj2',
	projectId: '',
	endpoint: '',
};

const request = (body: Record<string, unknown>, extra: Partial<IHttpRequestOptions> = {}): IHttpRequestOptions => ({
	method: 'POST',
	url: '/',
	headers: { accept: 'application/json' },
	body,
	json: false,
	...extra,
});

/** The documented algorithm, written again here: sorted name+value pairs, the private key, SHA-1 hex. */
function expectedSignature(params: Record<string, string>, privateKey: string): string {
	const names = Object.keys(params).filter((name) => name !== 'Signature').sort();
	return createHash('sha1')
		.update(names.map((name) => `${name}${params[name]}`).join('') + privateKey, 'utf8')
		.digest('hex');
}

function formOf(signed: IHttpRequestOptions): Record<string, string> {
	expect(typeof signed.body).toBe('string');
	return Object.fromEntries(new URLSearchParams(signed.body as string));
}

describe('signUCloudRequest', () => {
	it("gives the signature of UCloud's published example (DescribeUHostInstance, Limit 10, cn-bj2)", async () => {
		const signed = await signUCloudRequest(
			{ ...credentials, publicKey: 'someone@example.com1296235120854146120' },
			request({ Action: 'DescribeUHostInstance', Region: 'cn-bj2', Limit: 10 }),
		);
		expect(formOf(signed)).toEqual({
			Action: 'DescribeUHostInstance',
			Limit: '10',
			PublicKey: 'someone@example.com1296235120854146120',
			Region: 'cn-bj2',
			Signature: '4201919d267504385deb93af19e0197870fed36b',
		});
	});

	it('sends a form POST to https://api.ucloud.cn/, signed over every parameter, as the SDKs do', async () => {
		const signed = await signUCloudRequest(
			credentials,
			request({ Action: 'DescribeURedisBackup', Region: 'cn-sh2', GroupId: 'uredis-2cwmyb', Offset: 0, Limit: 100 }),
		);
		expect(signed).toMatchObject({ method: 'POST', url: 'https://api.ucloud.cn/', baseURL: undefined, qs: undefined, json: false });
		expect(signed.headers).toEqual({ accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' });
		const form = formOf(signed);
		expect(form).toEqual({
			Action: 'DescribeURedisBackup',
			GroupId: 'uredis-2cwmyb',
			Limit: '100',
			Offset: '0',
			PublicKey: credentials.publicKey,
			Region: 'cn-sh2',
			Signature: expectedSignature(form, credentials.privateKey as string),
		});
		// The form fields are in the signer's sorted order.
		expect(Object.keys(form)).toEqual([...Object.keys(form)].sort());
	});

	it("adds the credential's Region and Project ID where the request has none, and keeps the request's own", async () => {
		const withProject = { ...credentials, projectId: ' org-abc123 ' };
		const added = formOf(await signUCloudRequest(withProject, request({ Action: 'DescribeURedisGroup', Limit: 1 })));
		expect(added).toMatchObject({ Region: 'cn-bj2', ProjectId: 'org-abc123' });
		expect(added.Signature).toBe(expectedSignature(added, credentials.privateKey as string));
		const own = formOf(await signUCloudRequest(withProject, request({ Action: 'DescribeURedisGroup', Region: 'hk', ProjectId: 'org-other' })));
		expect(own).toMatchObject({ Region: 'hk', ProjectId: 'org-other' });
		const none = formOf(await signUCloudRequest(credentials, request({ Action: 'DescribeURedisGroup' })));
		expect(none).not.toHaveProperty('ProjectId');
	});

	it('flattens nested parameters as the SDKs do (Key.N from 0, Key.Sub, booleans as true/false) and signs them', async () => {
		const form = formOf(
			await signUCloudRequest(credentials, request({ Action: 'X', Region: 'cn-bj2', Ids: ['a', 'b'], Filter: { Zone: 'cn-bj2-02' }, RegionFlag: false, Size: 1.5 })),
		);
		expect(form).toMatchObject({ 'Ids.0': 'a', 'Ids.1': 'b', 'Filter.Zone': 'cn-bj2-02', RegionFlag: 'false', Size: '1.5' });
		expect(form.Signature).toBe(expectedSignature(form, credentials.privateKey as string));
	});

	it("signs a query in the request's URL into the form instead of leaving it unsigned in the URL", async () => {
		const signed = await signUCloudRequest(credentials, request({ Action: 'X' }, { url: '/?Region=hk' }));
		expect(signed.url).toBe('https://api.ucloud.cn/');
		const form = formOf(signed);
		expect(form.Region).toBe('hk');
		expect(form.Signature).toBe(expectedSignature(form, credentials.privateKey as string));
	});

	it('merges qs into the signed parameters, and leaves out unset values', async () => {
		const form = formOf(await signUCloudRequest(credentials, request({ Action: 'X', Zone: undefined, SlaveZone: null }, { qs: { Limit: 5 } })));
		expect(form).toEqual(expect.objectContaining({ Action: 'X', Limit: '5' }));
		expect(form).not.toHaveProperty('Zone');
		expect(form).not.toHaveProperty('SlaveZone');
	});

	it('signs with the keys trimmed of pasted whitespace, and overrides a PublicKey or Signature the node sent', async () => {
		const form = formOf(
			await signUCloudRequest(
				{ ...credentials, publicKey: ` ${credentials.publicKey as string}\n`, privateKey: `${credentials.privateKey as string} ` },
				request({ Action: 'X', PublicKey: 'spoof', Signature: 'spoof' }),
			),
		);
		expect(form.PublicKey).toBe(credentials.publicKey);
		expect(form.Signature).toBe(expectedSignature(form, credentials.privateKey as string));
	});

	it('goes to the Endpoint override (scheme added, path kept), or the test request base URL', async () => {
		const signed = await signUCloudRequest({ ...credentials, endpoint: '127.0.0.1:8080/ucloud/' }, request({ Action: 'X' }));
		expect(signed.url).toBe('https://127.0.0.1:8080/ucloud/');
		const plain = await signUCloudRequest({ ...credentials, endpoint: 'http://127.0.0.1:9000' }, request({ Action: 'X' }));
		expect(plain.url).toBe('http://127.0.0.1:9000/');
		const test = await signUCloudRequest(credentials, request({ Action: 'X' }, { baseURL: 'http://localhost:7/' }));
		expect(test.url).toBe('http://localhost:7/');
		expect(ucloudEndpoint(credentials)).toBe(UCLOUD_DEFAULT_ENDPOINT);
	});

	it.each([
		['https://admin:hunter2@api.ucloud.cn', /may not contain a user name or password/, /hunter2/],
		['https://api.ucloud.cn/?token=s3cret', /may not have a query string/, /s3cret/],
		['ftp://api.ucloud.cn', /only http and https/, undefined],
	])('refuses the Endpoint %s without echoing secrets', async (endpoint, problem, secret) => {
		const failure = signUCloudRequest({ ...credentials, endpoint }, request({ Action: 'X' }));
		await expect(failure).rejects.toThrow(CredentialConfigError);
		await expect(failure).rejects.toThrow(problem);
		if (secret) await expect(failure).rejects.not.toThrow(secret);
	});

	it('refuses a request without Action, with a text body, or keys it cannot sign with', async () => {
		await expect(signUCloudRequest(credentials, request({ Region: 'cn-bj2' }))).rejects.toThrow('A UCloud request needs the Action parameter');
		await expect(signUCloudRequest(credentials, request({}, { body: 'Action=X' }))).rejects.toThrow(CredentialConfigError);
		await expect(signUCloudRequest({ ...credentials, privateKey: ' ' }, request({ Action: 'X' }))).rejects.toThrow(
			'The UCloud request could not be signed: The UCloud private key is empty',
		);
		await expect(signUCloudRequest(credentials, request({ Action: 'X', Bad: [null] }))).rejects.toThrow(CredentialConfigError);
	});
});

describe('UCloudApi credential type', () => {
	const type = new UCloudApi();

	it('is named uCloudApi with the fields the issue asks for', () => {
		expect(type.name).toBe('uCloudApi');
		expect(type.displayName).toBe('UCloud API');
		expect(type.properties.map((p) => p.name)).toEqual(['publicKey', 'privateKey', 'region', 'projectId', 'endpoint']);
		expect(type.properties.find((p) => p.name === 'privateKey')?.typeOptions).toEqual({ password: true });
		expect(type.properties.find((p) => p.name === 'region')?.default).toBe('cn-bj2');
		expect(type.properties.find((p) => p.name === 'endpoint')?.placeholder).toBe('https://api.ucloud.cn');
		expect(type.authenticate).toBe(signUCloudRequest);
	});

	it("tests with a signed DescribeURedisGroup (Limit 1) sent where the credential's requests go", () => {
		const test = type.test.request;
		expect(test).toMatchObject({ url: '/', method: 'POST', body: { Action: 'DescribeURedisGroup', Offset: 0, Limit: 1 }, ignoreHttpStatusErrors: true });
		expect(test.baseURL).toBe(UCLOUD_TEST_BASE_URL);
		const nodeTypes = { getByName: () => undefined, getByNameAndVersion: () => undefined, getKnownTypes: () => ({}) } as unknown as INodeTypes;
		const workflow = new Workflow({ nodes: [], connections: {}, active: false, nodeTypes });
		const node: INode = { id: 't', name: 't', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [0, 0], parameters: {} };
		const resolve = (data: ICredentialDataDecryptedObject) =>
			workflow.expression.getSimpleParameterValue(node, UCLOUD_TEST_BASE_URL, 'internal', { $credentials: data }, undefined, '');
		expect(resolve({ endpoint: '' })).toBe('https://api.ucloud.cn');
		expect(resolve({ endpoint: ' http://127.0.0.1:9/ ' })).toBe('http://127.0.0.1:9');
	});

	it('words RetCode 171, 172 and the other refusals in the dialog, and catches an answer that is not UCloud', () => {
		const rules = type.test.rules ?? [];
		const message = (value: unknown) =>
			rules.find((rule) => rule.type === 'responseSuccessBody' && rule.properties.key === 'RetCode' && rule.properties.value === value)?.properties.message;
		expect(message(171)).toMatch(/^RetCode 171: Signature VerifyAC Error: .*Private Key is wrong/);
		expect(message(172)).toMatch(/^RetCode 172: User Not Exists: .*does not know this Public Key/);
		expect(message(299)).toMatch(/IAM/);
		expect(message(292)).toMatch(/Project ID does not exist/);
		expect(message(undefined)).toMatch(/did not answer like UCloud/);
		expect(UCLOUD_TEST_ERRORS.map(([code]) => code)).not.toContain(0);
		expect(rules[rules.length - 1].properties).toMatchObject({ key: 'RetCode', value: undefined });
	});
});
