import type { INode, IHttpRequestOptions, IN8nHttpFullResponse, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { CloudApiError } from '../../nodes/common/errors';
import type { RetryPolicy } from '../../nodes/common/retry';
import {
	AlibabaRedisClient,
	R_KVSTORE_VERSION,
	classifyAlibabaError,
	describeKind,
	type SendRequest,
} from '../../nodes/AlibabaCloudRedis/transport/client';
import { CredentialConfigError } from '../../nodes/common/credentials';
import { AlibabaProvider } from '../../nodes/AlibabaCloudRedis/transport/provider';
import { listOf } from '../../nodes/AlibabaCloudRedis/normalize';

describe('classifyAlibabaError', () => {
	it.each([
		['Throttling.User', 400, 'throttled'],
		['Throttling', 400, 'throttled'],
		['Throttling.Api', 503, 'throttled'],
		['ServiceUnavailable', 503, 'server'],
		['InternalError', 500, 'server'],
		['UnknownError', 500, 'server'],
		['ServiceTimeout', 200, 'server'],
		['SignatureDoesNotMatch', 400, 'auth'],
		['InvalidAccessKeyId.NotFound', 404, 'auth'],
		['InvalidAccessKeyId.NotFound', 400, 'auth'],
		['InvalidAccessKeyId.Inactive', 400, 'auth'],
		['InvalidTimeStamp.Expired', 400, 'auth'],
		['Forbidden.RAM', 403, 'auth'],
		['InvalidInstanceId.NotFound', 404, 'notFound'],
		['InvalidInstanceId.NotFound', 400, 'notFound'],
		['InvalidParameter', 400, 'client'],
		['MissingParameter', 400, 'client'],
		// Alibaba answers 403 for an instance in the wrong state too: that is about the request, not access.
		['IncorrectDBInstanceState', 403, 'client'],
		['Task.Conflict', 403, 'client'],
		['Forbidden', 403, 'auth'],
		[undefined, 403, 'auth'],
		['Forbidden.NoPermission', 403, 'auth'],
		['InvalidAccessKeyId.Whatever', 403, 'auth'],
	] as const)('%s with HTTP %i -> %s', (code, status, kind) => {
		expect(classifyAlibabaError(code, status)).toBe(kind);
	});

	it.each([
		[429, 'throttled'],
		[500, 'server'],
		[502, 'server'],
		[503, 'server'],
		[504, 'server'],
		[404, 'notFound'],
		[401, 'auth'],
		[403, 'auth'],
		[400, 'client'],
	] as const)('HTTP %i without a code -> %s', (status, kind) => {
		expect(classifyAlibabaError(undefined, status)).toBe(kind);
	});

	it('a 429 is throttled whatever the code says', () => {
		expect(classifyAlibabaError('InvalidParameter', 429)).toBe('throttled');
		expect(classifyAlibabaError('SignatureDoesNotMatch', 429)).toBe('throttled');
	});

	it('an unknown code on a 5xx is a server error', () => {
		expect(classifyAlibabaError('SomethingOdd', 500)).toBe('server');
	});

	it('has a hint for every kind', () => {
		for (const kind of ['throttled', 'server', 'network', 'auth', 'notFound', 'client', 'malformed'] as const) {
			expect(describeKind(kind)).toEqual(expect.any(String));
			expect(describeKind(kind).length).toBeGreaterThan(10);
		}
	});
});

// ---------------------------------------------------------------------------------------------------------------
// AlibabaRedisClient.call with a fake send.
// ---------------------------------------------------------------------------------------------------------------

const response = (statusCode: number, body: unknown, headers: Record<string, string> = {}): IN8nHttpFullResponse => ({
	statusCode,
	headers,
	body: typeof body === 'string' ? body : JSON.stringify(body),
});

const errorBody = (code: string, message = 'Request was denied due to user flow control.') => ({
	RequestId: 'D2D9A7B6-1B6C-4C9A-9C1E-0E3B0C5C6A71',
	HostId: 'r-kvstore.aliyuncs.com',
	Code: code,
	Message: message,
	Recommend: `https://api.aliyun.com/troubleshoot?q=${code}&product=R-kvstore`,
});

const SUCCESS = { RequestId: 'OK-1', BackupJobID: 10001 };

/** A fake send answering from a script (a response, or an error to throw) and recording every request. */
function fakeSend(...script: Array<IN8nHttpFullResponse | Error>) {
	const requests: IHttpRequestOptions[] = [];
	const send: jest.MockedFunction<SendRequest> = jest.fn(async (options: IHttpRequestOptions) => {
		requests.push(options);
		const next = script[requests.length - 1];
		if (next === undefined) throw new Error(`unexpected request #${requests.length}`);
		if (next instanceof Error) throw next;
		return next;
	});
	return { send, requests };
}

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 100 };

function client(send: SendRequest, extra: { signal?: AbortSignal; timeoutMs?: number } = {}) {
	const sleep = jest.fn(async () => undefined);
	return { client: new AlibabaRedisClient({ send, sleep, retryPolicy: policy, ...extra }), sleep };
}

async function rejectionOf(promise: Promise<unknown>): Promise<CloudApiError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(CloudApiError);
	return error as CloudApiError;
}

const socketError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('AlibabaRedisClient.call', () => {
	it('returns the parsed JSON of a 2xx answer', async () => {
		const { send } = fakeSend(response(200, SUCCESS));
		const { client: c, sleep } = client(send);
		await expect(c.call('DescribeBackupTasks', { InstanceId: 'r-1' })).resolves.toEqual(SUCCESS);
		expect(send).toHaveBeenCalledTimes(1);
		expect(sleep).not.toHaveBeenCalled();
	});

	it('accepts a body already parsed into an object, and a Buffer body', async () => {
		const { send } = fakeSend(
			{ statusCode: 200, headers: {}, body: SUCCESS as unknown as IN8nHttpFullResponse['body'] },
			{ statusCode: 200, headers: {}, body: Buffer.from(JSON.stringify(SUCCESS), 'utf8') },
		);
		const { client: c } = client(send);
		await expect(c.call('A', {})).resolves.toEqual(SUCCESS);
		await expect(c.call('A', {})).resolves.toEqual(SUCCESS);
	});

	it('sends POST / with the action and version headers and the parameters as query strings', async () => {
		const { send, requests } = fakeSend(response(200, SUCCESS));
		const { client: c } = client(send);
		await c.call('DescribeBackups', {
			RegionId: 'cn-hangzhou',
			InstanceId: 'r-bp1zxszhcgatnx',
			PageNumber: 2,
			PageSize: 30,
			NeedAll: true,
			Zero: 0,
			BackupId: undefined,
			BackupJobId: null,
			StartTime: '',
		});
		expect(requests).toHaveLength(1);
		const [request] = requests;
		expect(request.method).toBe('POST');
		expect(request.url).toBe('/');
		expect(request.qs).toEqual({
			RegionId: 'cn-hangzhou',
			InstanceId: 'r-bp1zxszhcgatnx',
			PageNumber: '2',
			PageSize: '30',
			NeedAll: 'true',
			Zero: '0',
		});
		for (const value of Object.values(request.qs ?? {})) expect(typeof value).toBe('string');
		expect(request.headers).toMatchObject({ 'x-acs-action': 'DescribeBackups', 'x-acs-version': '2015-01-01' });
		expect(R_KVSTORE_VERSION).toBe('2015-01-01');
		expect(request).toMatchObject({ returnFullResponse: true, ignoreHttpStatusErrors: true, json: false });
		expect(request.body).toBeUndefined();
	});

	it('maps an error body to a CloudApiError with code, request ID, recommend and HTTP status', async () => {
		const body = errorBody('InvalidInstanceId.NotFound', 'The specified instance does not exist.');
		const { send } = fakeSend(response(404, body));
		const { client: c, sleep } = client(send);
		const error = await rejectionOf(c.call('DescribeBackups', { InstanceId: 'r-missing' }));
		expect(error.kind).toBe('notFound');
		expect(error.details).toMatchObject({
			provider: 'alibaba',
			kind: 'notFound',
			code: 'InvalidInstanceId.NotFound',
			httpStatus: 404,
			action: 'DescribeBackups',
			requestId: 'D2D9A7B6-1B6C-4C9A-9C1E-0E3B0C5C6A71',
			recommend: 'https://api.aliyun.com/troubleshoot?q=InvalidInstanceId.NotFound&product=R-kvstore',
			body,
		});
		expect(error.details.retryAfterMs).toBeUndefined();
		expect(error.message).toBe(
			'Alibaba Cloud rejected DescribeBackups: The specified instance does not exist. (InvalidInstanceId.NotFound)',
		);
		expect(send).toHaveBeenCalledTimes(1);
		expect(sleep).not.toHaveBeenCalled();
	});

	it('treats a Code in a 2xx answer as an error', async () => {
		const { send } = fakeSend(response(200, errorBody('InvalidParameter', 'bad')));
		const error = await rejectionOf(client(send).client.call('A', {}));
		expect(error.details).toMatchObject({ kind: 'client', code: 'InvalidParameter', httpStatus: 200 });
	});

	it('uses the HTTP status as the message when the error body has none', async () => {
		const { send } = fakeSend(response(400, { RequestId: 'R' }));
		const error = await rejectionOf(client(send).client.call('A', {}));
		expect(error.message).toBe('Alibaba Cloud rejected A: HTTP 400');
		expect(error.details).toMatchObject({ kind: 'client', requestId: 'R', code: undefined, httpStatus: 400 });
	});

	it.each([
		['SignatureDoesNotMatch', 400],
		['InvalidAccessKeyId.NotFound', 404],
	])('does not retry the auth error %s', async (code, status) => {
		const { send } = fakeSend(response(status, errorBody(code)), response(200, SUCCESS));
		const error = await rejectionOf(client(send).client.call('DescribeBackups', {}));
		expect(error.kind).toBe('auth');
		expect(send).toHaveBeenCalledTimes(1);
	});

	it('retries a throttled answer, then returns the success', async () => {
		const { send } = fakeSend(response(400, errorBody('Throttling.User')), response(400, errorBody('Throttling.User')), response(200, SUCCESS));
		const { client: c, sleep } = client(send);
		await expect(c.call('DescribeBackups', { InstanceId: 'r-1' })).resolves.toEqual(SUCCESS);
		expect(send).toHaveBeenCalledTimes(3);
		expect(sleep).toHaveBeenCalledTimes(2);
		for (const [ms] of sleep.mock.calls as unknown as Array<[number]>) {
			expect(ms).toBeGreaterThanOrEqual(0);
			expect(ms).toBeLessThanOrEqual(policy.maxDelayMs);
		}
		// Every retry sends the same request again.
		expect(send.mock.calls[2][0]).toEqual(send.mock.calls[0][0]);
	});

	it('gives up on throttling after maxAttempts with the last error', async () => {
		const { send } = fakeSend(...[1, 2, 3, 4, 5].map(() => response(429, errorBody('Throttling'))));
		const error = await rejectionOf(client(send).client.call('A', {}));
		expect(error.kind).toBe('throttled');
		expect(send).toHaveBeenCalledTimes(policy.maxAttempts);
	});

	it('honours a Retry-After header in seconds (retry-after or x-acs-retry-after)', async () => {
		const { send } = fakeSend(
			response(429, errorBody('Throttling'), { 'retry-after': '0.05' }),
			response(429, errorBody('Throttling'), { 'x-acs-retry-after': '0.1' }),
			response(200, SUCCESS),
		);
		const { client: c, sleep } = client(send);
		await c.call('A', {});
		expect((sleep.mock.calls as unknown as Array<[number]>).map(([ms]) => ms)).toEqual([50, 100]);
	});

	it('does not retry when the server asks to wait longer than maxDelay, and says how long it asked for', async () => {
		const { send } = fakeSend(response(429, errorBody('Throttling'), { 'x-acs-retry-after': '30' }), response(200, SUCCESS));
		const { client: c, sleep } = client(send);
		const error = await rejectionOf(c.call('A', {}));
		expect(error.message).toMatch(/^Alibaba Cloud rejected A: .*\(Throttling\)\. The server asked to wait 30 s before retrying/);
		expect(error.details).toMatchObject({ kind: 'throttled', code: 'Throttling', retryAfterMs: 30_000 });
		expect(send).toHaveBeenCalledTimes(1);
		expect(sleep).not.toHaveBeenCalled();
	});

	it('keeps the Retry-After delay on the error (header given as a list)', async () => {
		const { send } = fakeSend(response(429, errorBody('Throttling'), { 'retry-after': ['2'] as unknown as string }));
		const sleep = jest.fn(async () => undefined);
		const once = new AlibabaRedisClient({ send, sleep, retryPolicy: { ...policy, maxAttempts: 1 } });
		const error = await rejectionOf(once.call('A', {}));
		expect(error.details).toMatchObject({ kind: 'throttled', code: 'Throttling', httpStatus: 429, retryAfterMs: 2000 });
		expect(sleep).not.toHaveBeenCalled();
	});

	it.each([
		['InternalError', 500],
		['ServiceUnavailable', 503],
	])('retries %s (HTTP %i) of an idempotent call', async (code, status) => {
		const { send } = fakeSend(response(status, errorBody(code)), response(200, SUCCESS));
		await expect(client(send).client.call('DescribeBackups', {})).resolves.toEqual(SUCCESS);
		expect(send).toHaveBeenCalledTimes(2);
	});

	it('retries a thrown network error of an idempotent call', async () => {
		const { send } = fakeSend(socketError('ECONNRESET', 'socket hang up'), response(200, SUCCESS));
		await expect(client(send).client.call('DescribeBackups', {})).resolves.toEqual(SUCCESS);
		expect(send).toHaveBeenCalledTimes(2);
	});

	describe('a non-idempotent call (CreateBackup)', () => {
		const create = (c: AlibabaRedisClient) =>
			c.call('CreateBackup', { RegionId: 'cn-hangzhou', InstanceId: 'r-1' }, { idempotent: false });

		it('is not sent again after a 503', async () => {
			const { send } = fakeSend(response(503, errorBody('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.')), response(200, SUCCESS));
			const { client: c, sleep } = client(send);
			const error = await rejectionOf(create(c));
			expect(error.details).toMatchObject({ kind: 'server', code: 'ServiceUnavailable', httpStatus: 503, action: 'CreateBackup' });
			expect(send).toHaveBeenCalledTimes(1);
			expect(sleep).not.toHaveBeenCalled();
		});

		it('is not sent again after a 503 whose body is not JSON', async () => {
			const { send } = fakeSend(response(503, '<html>Service Unavailable</html>'), response(200, SUCCESS));
			const error = await rejectionOf(create(client(send).client));
			expect(error.kind).toBe('server');
			expect(send).toHaveBeenCalledTimes(1);
		});

		it('is not sent again after a thrown network error', async () => {
			const { send } = fakeSend(socketError('ECONNRESET', 'socket hang up'), response(200, SUCCESS));
			const error = await rejectionOf(create(client(send).client));
			expect(error.details).toMatchObject({ provider: 'alibaba', kind: 'network', code: 'ECONNRESET', action: 'CreateBackup' });
			expect(error.message).toBe('No answer from Alibaba Cloud for CreateBackup (ECONNRESET): socket hang up');
			expect(send).toHaveBeenCalledTimes(1);
		});

		it('is not sent again after an unreadable answer', async () => {
			const { send } = fakeSend(response(200, 'not json'), response(200, SUCCESS));
			const error = await rejectionOf(create(client(send).client));
			expect(error.kind).toBe('malformed');
			expect(send).toHaveBeenCalledTimes(1);
		});

		it("a request the credential refused to build (bad Endpoint) is a 'client' error, not a maybe-run network one", async () => {
			// As n8n delivers it: what authenticate threw, wrapped in a NodeApiError by httpRequestWithAuthentication.
			const node: INode = { id: 'n', name: 'Alibaba', type: 'x', typeVersion: 1, position: [0, 0], parameters: {} };
			const refused = new CredentialConfigError('The Endpoint "ftp://x" of the Alibaba Cloud credential is not valid: only http and https are supported, not ftp');
			const { send } = fakeSend(new NodeApiError(node, refused as unknown as JsonObject), response(200, SUCCESS));
			const { client: c, sleep } = client(send);
			const error = await rejectionOf(new AlibabaProvider(c).createBackup({ region: 'cn-hangzhou', instanceId: 'r-1', variant: '' }, {}));
			expect(error.details).toMatchObject({ provider: 'alibaba', kind: 'client', action: 'CreateBackup' });
			expect(error.message).toBe(`CreateBackup was not sent: ${refused.message}`);
			expect(error.message).not.toMatch(/may or may not/);
			expect(error.details.hint).toMatch(/Endpoint/);
			expect(send).toHaveBeenCalledTimes(1);
			expect(sleep).not.toHaveBeenCalled();
		});

		it('a credential error thrown as it is (unwrapped) is recognised too, also by its name alone', async () => {
			const byName = Object.assign(new Error('bad endpoint'), { name: 'CredentialConfigError' });
			for (const thrown of [new CredentialConfigError('bad endpoint'), byName]) {
				const { send } = fakeSend(thrown);
				const error = await rejectionOf(create(client(send).client));
				expect(error.kind).toBe('client');
			}
		});

		it('is retried on Throttling.User (the cloud did nothing)', async () => {
			const { send } = fakeSend(response(400, errorBody('Throttling.User')), response(200, SUCCESS));
			const { client: c, sleep } = client(send);
			await expect(create(c)).resolves.toEqual(SUCCESS);
			expect(send).toHaveBeenCalledTimes(2);
			expect(sleep).toHaveBeenCalledTimes(1);
		});
	});

	it("reads a body that is not JSON as 'malformed', keeping the start of it", async () => {
		const html = '<html><body>Welcome to nginx!</body></html>';
		const { send } = fakeSend(...[1, 2, 3, 4].map(() => response(200, html)));
		const error = await rejectionOf(client(send).client.call('DescribeBackups', {}));
		expect(error.kind).toBe('malformed');
		expect(error.details).toMatchObject({ httpStatus: 200, action: 'DescribeBackups', body: html });
		expect(error.message).toBe('Alibaba Cloud answered DescribeBackups with HTTP 200 and a body that is not JSON');
		// Idempotent: the unreadable answer was retried up to maxAttempts.
		expect(send).toHaveBeenCalledTimes(policy.maxAttempts);
	});

	it.each([
		['a JSON array', '[1,2]'],
		['JSON null', 'null'],
		['a JSON string', '"ok"'],
		['an empty body', ''],
	])("reads %s as 'malformed'", async (_label, body) => {
		const { send } = fakeSend(response(200, body));
		const error = await rejectionOf(client(send).client.call('A', {}, { idempotent: false }));
		expect(error.kind).toBe('malformed');
	});

	it('truncates a long unreadable body to 2000 characters', async () => {
		const { send } = fakeSend(response(404, 'x'.repeat(5000)));
		const error = await rejectionOf(client(send).client.call('A', {}, { idempotent: false }));
		expect((error.details.body as string).length).toBe(2000);
	});

	it("reports a thrown error without a network code as 'network' with no code", async () => {
		const { send } = fakeSend(new Error('Something odd'));
		const error = await rejectionOf(client(send).client.call('A', {}, { idempotent: false }));
		expect(error.details).toMatchObject({ kind: 'network', code: undefined });
		expect(error.message).toBe('No answer from Alibaba Cloud for A: Something odd');
	});

	it("reports a cancelled execution as 'cancelled' (whatever n8n rejected with) and does not retry", async () => {
		const controller = new AbortController();
		const send = jest.fn<Promise<IN8nHttpFullResponse>, [IHttpRequestOptions]>(async () => {
			controller.abort();
			// n8n's cancel reason need not be an Error.
			throw 'aborted';
		});
		const { client: c } = client(send, { signal: controller.signal });
		const error = await rejectionOf(c.call('DescribeBackups', {}));
		expect(error.kind).toBe('cancelled');
		expect(error.message).toBe('The execution was cancelled');
		expect(send).toHaveBeenCalledTimes(1);
	});

	it('passes the request timeout to n8n, so a silent server is given up on well before n8n\'s 300 s', async () => {
		const { send } = fakeSend(response(200, SUCCESS));
		await client(send, { timeoutMs: 7_000 }).client.call('DescribeBackups', {});
		expect(send.mock.calls[0][0].timeout).toBe(7_000);
	});

	it("decodes inside the retry loop: a malformed answer to a read is retried, then named as malformed", async () => {
		const { send } = fakeSend(response(200, { Backups: [null] }), response(200, { Backups: [{ BackupId: 1 }] }));
		const { client: c, sleep } = client(send);
		const decoded = await c.call('DescribeBackups', {}, { decode: (body) => listOf(body.Backups, 'Backup') });
		expect(decoded).toEqual([{ BackupId: 1 }]);
		expect(sleep).toHaveBeenCalledTimes(1);
		const { send: always } = fakeSend(...[1, 2, 3, 4].map(() => response(200, { Backups: [null] })));
		const error = await rejectionOf(client(always).client.call('DescribeBackups', {}, { decode: (body) => listOf(body.Backups, 'Backup') }));
		expect(error.kind).toBe('malformed');
		expect(error.message).toMatch(/^Alibaba Cloud answered DescribeBackups with a malformed answer: Backup entry 0 is null/);
	});

	it('a CreateBackup answer without BackupJobID is malformed and not sent again, never a task with an empty ID', async () => {
		const { send } = fakeSend(response(200, { RequestId: 'req-1' }));
		const error = await rejectionOf(new AlibabaProvider(client(send).client).createBackup({ region: 'cn-hangzhou', instanceId: 'r-1', variant: '' }, {}));
		expect(error.kind).toBe('malformed');
		expect(error.details.requestId).toBe('req-1');
		expect(send).toHaveBeenCalledTimes(1);
	});
});
