import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { NodeApiError, NodeConnectionTypes, sleep } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IExecuteFunctions,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IPinData,
} from 'n8n-workflow';

import {
	binaryStream,
	cleanupBinaryDataStore,
	initBinaryDataStore,
	readBinary,
	runWorkflow,
} from '../harness';
import type { RunWorkflowOptions } from '../harness';

// ---------------------------------------------------------------------------------------------
// Fixtures: a credential whose authenticate() FUNCTION signs requests with a secret, one using the
// declarative (generic) form, and a node that calls httpRequestWithAuthentication.

const sign = (secret: string, url: string) =>
	createHash('sha256').update(`${secret}\n${url}`).digest('hex');

class FixtureApi implements ICredentialType {
	name = 'fixtureApi';
	displayName = 'Fixture API';
	icon = 'fa:key' as const;
	documentationUrl = 'https://example.com/docs/fixture';
	properties: INodeProperties[] = [
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		// Not stored in the test credential: must come from this default, as in n8n.
		{ displayName: 'Key ID', name: 'keyId', type: 'string', default: 'default-key' },
	];
	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => ({
		...requestOptions,
		headers: {
			...requestOptions.headers,
			'x-fixture-auth': `${String(credentials.keyId)}:${sign(String(credentials.secret), requestOptions.url)}`,
		},
	});
	test: ICredentialTestRequest = { request: { url: 'http://127.0.0.1/echo' } };
}

// A session-token credential: hidden `expirable` field filled by preAuthentication (n8n refreshes it
// when empty, and once more after a 401), sent by a generic authenticate.
class FixtureTokenApi implements ICredentialType {
	name = 'fixtureTokenApi';
	displayName = 'Fixture Token API';
	icon = 'fa:key' as const;
	documentationUrl = 'https://example.com/docs/fixture-token';
	properties: INodeProperties[] = [
		{ displayName: 'Login URL', name: 'loginUrl', type: 'string', default: '' },
		{
			displayName: 'Session Token',
			name: 'sessionToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const { token } = (await this.helpers.httpRequest({
			method: 'POST',
			url: String(credentials.loginUrl),
			json: true,
		})) as { token: string };
		return { sessionToken: token };
	}
	authenticate = {
		type: 'generic' as const,
		properties: { headers: { Authorization: '=Bearer {{$credentials.sessionToken}}' } },
	};
	test: ICredentialTestRequest = { request: { url: 'http://127.0.0.1/echo' } };
}

class FixtureGenericApi implements ICredentialType {
	name = 'fixtureGenericApi';
	displayName = 'Fixture Generic API';
	icon = 'fa:key' as const;
	documentationUrl = 'https://example.com/docs/fixture-generic';
	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{ displayName: 'Region', name: 'region', type: 'string', default: 'eu-default' },
	];
	authenticate = {
		type: 'generic' as const,
		properties: {
			headers: { 'X-Api-Key': '={{$credentials.apiKey}}' },
			qs: { region: '={{$credentials.region}}' },
		},
	};
	test: ICredentialTestRequest = { request: { url: 'http://127.0.0.1/echo' } };
}

const NODE_TYPE = 'n8n-nodes-harness-selftest.fixture';

class Fixture implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Fixture',
		name: 'fixture',
		icon: 'fa:vial',
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Calls the self-test server',
		defaults: { name: 'Fixture' },
		usableAsTool: undefined,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'fixtureApi', required: false },
			{ name: 'fixtureGenericApi', required: false },
			{ name: 'fixtureTokenApi', required: false },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Echo', value: 'echo' },
					{ name: 'Sleep', value: 'sleep' },
					{ name: 'Download', value: 'download' },
					{ name: 'Download Buffered', value: 'downloadBuffered' },
				],
				default: 'echo',
			},
			{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
			{ displayName: 'Value', name: 'value', type: 'string', default: '' },
			{
				displayName: 'Credential Type',
				name: 'credentialType',
				type: 'string',
				default: 'fixtureApi',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const returnData: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const operation = this.getNodeParameter('operation', i) as string;
				const baseUrl = this.getNodeParameter('baseUrl', i) as string;
				const credentialType = this.getNodeParameter('credentialType', i) as string;
				if (operation === 'sleep') {
					await sleep(60_000, this.getExecutionCancelSignal());
					returnData.push({ json: { slept: true }, pairedItem: { item: i } });
				} else if (operation === 'downloadBuffered') {
					// The anti-pattern, as a control for the memory probe: the whole body in one Buffer.
					const body = (await this.helpers.httpRequestWithAuthentication.call(
						this,
						credentialType,
						{
							url: `${baseUrl}/big`,
							encoding: 'arraybuffer',
						},
					)) as Buffer;
					const binary = await this.helpers.prepareBinaryData(
						Buffer.from(body),
						'dump.rdb',
						'application/octet-stream',
					);
					returnData.push({ json: {}, binary: { data: binary }, pairedItem: { item: i } });
				} else if (operation === 'download') {
					const response = (await this.helpers.httpRequestWithAuthentication.call(
						this,
						credentialType,
						{
							url: `${baseUrl}/big`,
							encoding: 'stream',
							returnFullResponse: true,
						},
					)) as { body: Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0] };
					const binary = await this.helpers.prepareBinaryData(
						response.body,
						'dump.rdb',
						'application/octet-stream',
					);
					returnData.push({ json: {}, binary: { data: binary }, pairedItem: { item: i } });
				} else {
					const value = this.getNodeParameter('value', i) as string;
					const body = (await this.helpers.httpRequestWithAuthentication.call(
						this,
						credentialType,
						{
							url: `${baseUrl}/echo`,
							qs: { x: value },
							json: true,
						},
					)) as INodeExecutionData['json'];
					returnData.push({ json: body, pairedItem: { item: i } });
				}
			} catch (error) {
				if (this.continueOnFail()) {
					returnData.push({ json: { error: error.message }, error, pairedItem: { item: i } });
					continue;
				}
				throw error instanceof NodeApiError
					? error
					: new NodeApiError(this.getNode(), error, { itemIndex: i });
			}
		}
		return [returnData];
	}
}

// ---------------------------------------------------------------------------------------------
// A real HTTP server on 127.0.0.1.

const SECRET = 's3cret-value';
const BIG_SIZE = 64 * 1024 * 1024;
const seen: Array<{ url: string; headers: IncomingMessage['headers'] }> = [];
let bigSha256 = '';
const deferred = () => {
	let resolve = () => {};
	const promise = new Promise<void>((r) => (resolve = r));
	return { promise, resolve };
};
let gate:
	| { halfSent: ReturnType<typeof deferred>; resume: ReturnType<typeof deferred> }
	| undefined;
let server: Server;
let baseUrl = '';

function handle(req: IncomingMessage, res: ServerResponse) {
	const url = new URL(req.url ?? '/', baseUrl);
	seen.push({ url: url.toString(), headers: req.headers });
	if (url.pathname === '/token') {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ token: 'fresh-token' }));
		return;
	}
	const bearer = req.headers.authorization;
	if (url.pathname === '/echo' && bearer && bearer !== 'Bearer fresh-token') {
		res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"token expired"}');
		return;
	}
	if (url.pathname === '/echo') {
		const x = url.searchParams.get('x');
		res.writeHead(x === 'fail' ? 500 : 200, { 'content-type': 'application/json' });
		res.end(
			JSON.stringify(
				x === 'fail'
					? { message: 'server refused x=fail' }
					: { x, region: url.searchParams.get('region') },
			),
		);
		return;
	}
	if (url.pathname === '/big') {
		// 64 MiB generated chunk by chunk (1 MiB each), hashed as it is sent, pausing halfway if gated.
		const hash = createHash('sha256');
		const chunks = async function* () {
			for (let i = 0; i < BIG_SIZE / 2 ** 20; i++) {
				if (i === BIG_SIZE / 2 ** 21 && gate) {
					gate.halfSent.resolve();
					await gate.resume.promise;
				}
				const chunk = Buffer.alloc(2 ** 20, createHash('sha256').update(String(i)).digest());
				hash.update(chunk);
				yield chunk;
			}
			bigSha256 = hash.digest('hex');
		};
		res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BIG_SIZE });
		Readable.from(chunks()).pipe(res);
		return;
	}
	res.writeHead(404).end();
}

beforeAll(async () => {
	server = createServer(handle);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
	await cleanupBinaryDataStore();
});

beforeEach(() => {
	seen.length = 0;
});

// ---------------------------------------------------------------------------------------------
// Workflow builder: Manual Trigger → "Items" (NoOp with pinned test items) → Fixture [→ Success / Errors]

function workflow(
	fixture: Partial<INode>,
	items: IPinData[string],
	errorBranch = false,
): RunWorkflowOptions['workflow'] {
	const node = (name: string, type: string, extra: Partial<INode> = {}): INode => ({
		id: name,
		name,
		type,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		...extra,
	});
	const to = (name: string) => [{ node: name, type: NodeConnectionTypes.Main, index: 0 }];
	return {
		nodes: [
			node('Manual', 'n8n-nodes-base.manualTrigger'),
			node('Items', 'n8n-nodes-base.noOp'),
			node('Fixture', NODE_TYPE, {
				credentials: { fixtureApi: { id: 'cred-1', name: 'Fixture account' } },
				...fixture,
				parameters: { baseUrl, ...fixture.parameters },
			}),
			node('Success', 'n8n-nodes-base.noOp'),
			node('Errors', 'n8n-nodes-base.noOp'),
		],
		connections: {
			Manual: { main: [to('Items')] },
			Items: { main: [to('Fixture')] },
			Fixture: { main: errorBranch ? [to('Success'), to('Errors')] : [to('Success')] },
		},
		pinData: { Items: items },
	};
}

const base: Omit<RunWorkflowOptions, 'workflow'> = {
	nodeTypes: { [NODE_TYPE]: new Fixture() },
	credentialTypes: [new FixtureApi(), new FixtureGenericApi(), new FixtureTokenApi()],
	credentials: [
		{ id: 'cred-1', name: 'Fixture account', type: 'fixtureApi', data: { secret: SECRET } },
		{ id: 'cred-2', name: 'Generic account', type: 'fixtureGenericApi', data: { apiKey: 'k-123' } },
	],
};

const threeItems = [{ json: { x: 'a' } }, { json: { x: 'fail' } }, { json: { x: 'c' } }];

// ---------------------------------------------------------------------------------------------

test('3 items run through the engine: expression resolved per item, authenticate() header sent', async () => {
	const items = [{ json: { x: 'a' } }, { json: { x: 'b' } }, { json: { x: 'c' } }];
	const result = await runWorkflow({
		...base,
		workflow: workflow({ parameters: { value: '={{ $json.x }}' } }, items),
	});

	expect(result.status).toBe('success');
	expect(result.error).toBeUndefined();
	expect(result.output('Manual')).toEqual([expect.objectContaining({ json: {} })]); // the trigger really ran
	expect(result.output('Fixture').map((item) => item.json.x)).toEqual(['a', 'b', 'c']);
	expect(result.output('Fixture').map((item) => item.pairedItem)).toEqual([
		{ item: 0 },
		{ item: 1 },
		{ item: 2 },
	]);
	expect(result.output('Success')).toHaveLength(3);
	expect(seen).toHaveLength(3);
	for (const request of seen) {
		// keyId came from the credential type's default, the signature from the stored secret.
		expect(request.headers['x-fixture-auth']).toBe(
			`default-key:${sign(SECRET, request.url.split('?')[0])}`,
		);
	}
});

test('generic (declarative) authenticate: $credentials expressions and defaults applied', async () => {
	const result = await runWorkflow({
		...base,
		workflow: workflow(
			{
				parameters: { value: 'z', credentialType: 'fixtureGenericApi' },
				credentials: { fixtureGenericApi: { id: null, name: 'Generic account' } }, // matched by name
			},
			[{ json: {} }],
		),
	});
	expect(result.status).toBe('success');
	expect(result.output('Fixture')[0].json).toEqual({ x: 'z', region: 'eu-default' });
	expect(seen[0].headers['x-api-key']).toBe('k-123');
});

test('preAuthentication: a 401 refreshes the expirable token once, later items reuse it', async () => {
	const stored = {
		id: 'cred-3',
		type: 'fixtureTokenApi',
		data: { loginUrl: `${baseUrl}/token`, sessionToken: 'stale' },
	};
	const items = [{ json: { x: 'a' } }, { json: { x: 'b' } }, { json: { x: 'c' } }];
	const result = await runWorkflow({
		...base,
		credentials: [stored],
		workflow: workflow(
			{
				parameters: { value: '={{ $json.x }}', credentialType: 'fixtureTokenApi' },
				credentials: { fixtureTokenApi: { id: 'cred-3', name: 'Token account' } },
			},
			items,
		),
	});
	expect(result.status).toBe('success');
	expect(result.output('Fixture').map((item) => item.json.x)).toEqual(['a', 'b', 'c']);
	expect(seen.map((r) => `${new URL(r.url).pathname} ${r.headers.authorization}`)).toEqual([
		'/echo Bearer stale', // 401
		'/token undefined',
		'/echo Bearer fresh-token', // n8n-core's retry
		'/echo Bearer fresh-token', // persisted by the helper, like n8n's DB update
		'/echo Bearer fresh-token',
	]);
	expect(stored.data.sessionToken).toBe('fresh-token');
});

test('continueErrorOutput: the failing item goes to the error output with error and pairedItem', async () => {
	const result = await runWorkflow({
		...base,
		workflow: workflow(
			{ onError: 'continueErrorOutput', parameters: { value: '={{ $json.x }}' } },
			threeItems,
			true,
		),
	});

	expect(result.status).toBe('success');
	expect(result.output('Fixture', 0).map((item) => [item.json.x, item.pairedItem])).toEqual([
		['a', { item: 0 }],
		['c', { item: 2 }],
	]);
	const [errorItem, ...rest] = result.output('Fixture', 1);
	expect(rest).toHaveLength(0);
	expect(errorItem.error).toBeInstanceOf(NodeApiError);
	expect((errorItem.error as NodeApiError).httpCode).toBe('500');
	expect(errorItem.json).toEqual({ error: errorItem.error?.message });
	expect(errorItem.pairedItem).toEqual({ item: 1 });
	expect(result.output('Errors')).toHaveLength(1);
	expect(result.output('Success')).toHaveLength(2);
});

test('continueOnFail on the regular output, and a hard failure without it', async () => {
	const soft = await runWorkflow({
		...base,
		workflow: workflow(
			{ onError: 'continueRegularOutput', parameters: { value: '={{ $json.x }}' } },
			threeItems,
		),
	});
	expect(soft.status).toBe('success');
	expect(soft.output('Fixture').map((item) => Object.keys(item.json))).toEqual([
		['x', 'region'],
		['error'],
		['x', 'region'],
	]);

	const hard = await runWorkflow({
		...base,
		workflow: workflow({ parameters: { value: '={{ $json.x }}' } }, threeItems),
	});
	expect(hard.status).toBe('error');
	expect(hard.error?.message).toBe('The service was not able to process your request');
	expect(hard.nodeError('Fixture')).toBeInstanceOf(Error);
	expect(hard.nodeError('Fixture')?.message).toBe(hard.error?.message);
	expect((hard.nodeError('Fixture') as NodeApiError).httpCode).toBe('500');
	expect(() => hard.output('Success')).toThrow(/has no run/);
});

test('aborting the signal cancels the running node promptly (status canceled)', async () => {
	const controller = new AbortController();
	const started = Date.now();
	setTimeout(() => controller.abort(), 300);
	const result = await runWorkflow({
		...base,
		signal: controller.signal,
		workflow: workflow({ parameters: { operation: 'sleep' } }, [{ json: {} }]),
	});
	expect(Date.now() - started).toBeLessThan(2000);
	expect(result.status).toBe('canceled');
	// The node was running and ended on the abort (its sleep rejected), nothing ran after it.
	expect(result.nodeError('Fixture')).toBeInstanceOf(Error);
	expect(result.runData.Success).toBeUndefined();
});

// The /big response pauses halfway until the test has looked at the store and the memory: a node
// that streams has by then written ~half the file to disk and holds almost nothing; one that
// buffers has written nothing and holds ~32 MiB. Sampling at that one moment, after a forced GC,
// keeps garbage (the server's chunks, socket reads already on disk) out of the number.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const liveBytes = async () => {
	// Buffers' memory is released after the GC, off the main thread: collect, yield, collect again.
	for (let i = 0; i < 3; i++) {
		gc();
		await sleep(10);
	}
	const { heapUsed, arrayBuffers } = process.memoryUsage();
	return heapUsed + arrayBuffers;
};

function partialFileBytes(dir: string): number {
	const temps = (readdirSync(dir, { recursive: true }) as string[]).filter((f) =>
		f.includes('.tmp.'),
	);
	return Math.max(0, ...temps.map((f) => statSync(path.join(dir, f)).size));
}

async function downloadWithMidpointProbe(dir: string, operation: string) {
	const before = await liveBytes();
	gate = { halfSent: deferred(), resume: deferred() };
	const running = runWorkflow({
		...base,
		workflow: workflow({ parameters: { operation } }, [{ json: {} }]),
	});
	await gate.halfSent.promise;
	let onDisk = partialFileBytes(dir);
	for (
		const deadline = Date.now() + 2000;
		onDisk < BIG_SIZE / 2 - 4 * 2 ** 20 && Date.now() < deadline;

	) {
		await sleep(20);
		onDisk = partialFileBytes(dir);
	}
	const heldInMemory = (await liveBytes()) - before;
	gate.resume.resolve();
	return { result: await running, onDisk, heldInMemory };
}

test('binary: a 64 MiB streamed download lands on disk in filesystem mode, not in memory', async () => {
	const dir = await initBinaryDataStore();
	expect(await initBinaryDataStore()).toBe(dir); // idempotent

	const { result, onDisk, heldInMemory } = await downloadWithMidpointProbe(dir, 'download');
	expect(onDisk).toBeGreaterThanOrEqual(BIG_SIZE / 2 - 4 * 2 ** 20); // written while still downloading
	expect(heldInMemory).toBeLessThan(8 * 2 ** 20);

	expect(result.status).toBe('success');
	const binary = result.output('Fixture')[0].binary!.data;
	expect(binary.id).toMatch(/^filesystem-v2:/); // stored by id, not as base64 in the item
	expect(binary.data).toBe('filesystem-v2');
	expect(binary.bytes).toBe(BIG_SIZE);
	const stored = path.join(dir, binary.id!.split(':')[1]);
	expect(statSync(stored).size).toBe(BIG_SIZE);

	const hash = createHash('sha256');
	for await (const chunk of await binaryStream(binary)) hash.update(chunk as Buffer);
	expect(hash.digest('hex')).toBe(bigSha256);
	expect((await readBinary(binary)).length).toBe(BIG_SIZE);
});

test('binary (control): the same probe catches a node that buffers the download', async () => {
	const dir = await initBinaryDataStore();
	const { result, onDisk, heldInMemory } = await downloadWithMidpointProbe(dir, 'downloadBuffered');
	expect(onDisk).toBe(0);
	// Half the file has arrived; how much of it shows up as live memory varies with GC timing and other
	// test workers, so the bar is set well above the streaming case's 8 MiB ceiling, not near 32 MiB.
	expect(heldInMemory).toBeGreaterThan(16 * 2 ** 20);
	expect(result.status).toBe('success');
	expect(result.output('Fixture')[0].binary!.data.bytes).toBe(BIG_SIZE);
});
