/**
 * The UCloud client with an injected `send`: the neutral request it hands the credential (POST /, the parameters as
 * an object with Action), RetCodes mapped to the shared error kinds with advice in UCloud's words, what is retried
 * (throttling always; server errors, lost and malformed answers only for reads) and Create never sent twice.
 */
import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { CredentialConfigError } from '../../nodes/common/credentials';
import { CloudApiError, type CloudErrorKind } from '../../nodes/common/errors';
import type { RetryPolicy } from '../../nodes/common/retry';
import { backupSetOf } from '../../nodes/UCloudRedis/normalize';
import {
	REQUEST_ID_HEADER,
	UCloudRedisClient,
	classifyUCloudError,
	describeKind,
	ucloudErrorHint,
	type SendRequest,
} from '../../nodes/UCloudRedis/transport/client';
import { UCloudProvider } from '../../nodes/UCloudRedis/transport/provider';

describe('classifyUCloudError', () => {
	it.each([
		[153, 'API request is rate limited', 'throttled'],
		[110, 'API response timeout (60 seconds)', 'server'],
		[130, 'API gateway or authentication service abnormal', 'server'],
		[150, 'Service unavailable', 'server'],
		[20202, '获取信息失败，请稍后重试。', 'server'],
		[170, 'Missing signature', 'auth'],
		[171, 'Signature VerifyAC Error', 'auth'],
		[172, 'User Not Exists', 'auth'],
		[174, 'Token not exist', 'auth'],
		[292, 'Project [org-x] not exists', 'auth'],
		[293, 'Zone permission error', 'auth'],
		[294, 'Access IP refused', 'auth'],
		[295, 'Security lock check failed', 'auth'],
		[299, 'IAM 权限校验未通过', 'auth'],
		[160, 'Missing Action', 'client'],
		[161, 'Action [Foo] not found', 'client'],
		[100, 'Missing params [ProjectId]', 'client'],
		[230, 'Params [Region] not available', 'client'],
		[230, 'Params [GroupId] not available', 'notFound'],
		[230, 'Params [BackupId] not available: no backup b of uredis-x', 'notFound'],
		[20203, '创建失败，请稍后重试。(backup in progress)', 'client'],
		[20208, '您的备份数量已超出限制', 'client'],
		[8039, 'resource not exist', 'notFound'],
		[8040, 'backup not found', 'notFound'],
		[8041, '资源不存在', 'notFound'],
		[8042, 'Internal error', 'server'],
		[8043, 'system busy, please retry', 'server'],
		[8044, 'too many requests', 'throttled'],
		[8045, '请求频率过高', 'throttled'],
		[8046, 'BackupName is invalid', 'client'],
		[8047, undefined, 'client'],
	] as const)('RetCode %i (%s) -> %s, whatever the HTTP status', (retCode, message, kind) => {
		expect(classifyUCloudError(retCode, message, 200)).toBe(kind);
		expect(classifyUCloudError(retCode, message, 503)).toBe(kind);
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
	] as const)('HTTP %i without a RetCode -> %s', (status, kind) => {
		expect(classifyUCloudError(undefined, undefined, status)).toBe(kind);
		expect(classifyUCloudError(0, undefined, status)).toBe(kind);
	});

	it('words the codes in UCloud terms', () => {
		expect(ucloudErrorHint(171)).toMatch(/Signature VerifyAC Error.*Private Key is wrong/);
		expect(ucloudErrorHint(172)).toMatch(/does not know this Public Key/);
		expect(ucloudErrorHint(299)).toMatch(/IAM.*Project ID/);
		expect(ucloudErrorHint(292)).toMatch(/Project ID.*does not exist/);
		expect(ucloudErrorHint(153)).toMatch(/rate of API calls.*retried/);
		expect(ucloudErrorHint(150)).toMatch(/not be offered in this region/);
		expect(ucloudErrorHint(161)).toMatch(/Endpoint/);
		expect(ucloudErrorHint(20203)).toMatch(/another backup.*still be running/);
		expect(ucloudErrorHint(20208)).toMatch(/as many backups as UCloud allows/);
		expect(ucloudErrorHint(230, 'Missing params [ProjectId]')).toMatch(/sub-account.*Project ID/);
		expect(ucloudErrorHint(230, 'Params [Zone] not available')).toMatch(/Region or Zone/);
		expect(ucloudErrorHint(230, 'Params [GroupId] not available')).toMatch(/instance \(group\) ID/);
		expect(ucloudErrorHint(230, 'Params [Limit] not available')).toBeUndefined();
		expect(ucloudErrorHint(8046)).toBeUndefined();
	});

	it('has advice for every kind, naming UCloud where it matters', () => {
		for (const kind of ['throttled', 'server', 'network', 'auth', 'notFound', 'client', 'malformed', 'integrity', 'cancelled'] as CloudErrorKind[]) {
			expect(describeKind(kind).length).toBeGreaterThan(10);
		}
		expect(describeKind('auth')).toMatch(/Public Key and Private Key.*Project ID.*IAM/);
		expect(describeKind('integrity')).toMatch(/size UCloud reported/);
	});
});

// ---------------------------------------------------------------------------------------------------------------
// UCloudRedisClient with a fake send.
// ---------------------------------------------------------------------------------------------------------------

const REQUEST_ID = '1c0b9c2e-7f6e-4a55-9b8e-3a1c2d4e5f60';
const response = (statusCode: number, body: unknown, headers: Record<string, string> = {}): IN8nHttpFullResponse => ({
	statusCode,
	headers: { [REQUEST_ID_HEADER]: REQUEST_ID, ...headers },
	body: typeof body === 'string' ? body : JSON.stringify(body),
});
const ok = (action: string, fields: Record<string, unknown> = {}) => response(200, { Action: `${action}Response`, RetCode: 0, ...fields });
const retCode = (code: number, message: string, action = 'DescribeURedisBackup') =>
	response(200, { Action: `${action}Response`, RetCode: code, Message: message });

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
	return { client: new UCloudRedisClient({ send, sleep, retryPolicy: policy, ...extra }), sleep };
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
const instance = { region: 'cn-bj2', instanceId: 'uredis-2cwmyb', variant: '' };

describe('UCloudRedisClient.call', () => {
	it('hands the credential POST / with the parameters as an object: Action first, unset ones left out', async () => {
		const { send, requests } = fakeSend(ok('DescribeURedisBackup', { TotalCount: 0, DataSet: [] }));
		const answer = await client(send).client.call('DescribeURedisBackup', {
			Region: 'cn-bj2',
			GroupId: 'uredis-2cwmyb',
			Offset: 0,
			Limit: 100,
			BackupId: undefined,
			Zone: '',
			SlaveZone: null,
			RegionFlag: false,
		});
		expect(answer).toEqual({ Action: 'DescribeURedisBackupResponse', RetCode: 0, TotalCount: 0, DataSet: [] });
		const [request] = requests;
		expect(request).toMatchObject({
			method: 'POST',
			url: '/',
			headers: { accept: 'application/json' },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			json: false,
			encoding: 'text',
		});
		expect(request.body).toEqual({ Action: 'DescribeURedisBackup', Region: 'cn-bj2', GroupId: 'uredis-2cwmyb', Offset: 0, Limit: 100, RegionFlag: false });
		expect(request.qs).toBeUndefined();
	});

	it('maps a RetCode to a CloudApiError with the code, the message, the request ID and UCloud advice', async () => {
		const { send } = fakeSend(retCode(171, 'Signature VerifyAC Error'));
		const error = await rejectionOf(client(send).client.call('DescribeURedisBackup', {}));
		expect(error.message).toBe('UCloud rejected DescribeURedisBackup: Signature VerifyAC Error (RetCode 171)');
		expect(error.details).toMatchObject({ provider: 'ucloud', kind: 'auth', code: '171', httpStatus: 200, action: 'DescribeURedisBackup', requestId: REQUEST_ID });
		expect(error.details.hint).toMatch(/Private Key is wrong.*Check the Public Key and Private Key/);
		expect(send).toHaveBeenCalledTimes(1);
	});

	it('an unknown public key (172) and a denied sub-account (299) are auth and not retried', async () => {
		for (const [code, pattern] of [[172, /Public Key/], [299, /IAM/]] as const) {
			const { send } = fakeSend(retCode(code, 'x'), ok('A'));
			const error = await rejectionOf(client(send).client.call('A', {}));
			expect(error.kind).toBe('auth');
			expect(error.details.hint).toMatch(pattern);
			expect(send).toHaveBeenCalledTimes(1);
		}
	});

	it('retries rate limiting (153) with backoff, then returns the answer, the same request each time', async () => {
		const { send } = fakeSend(retCode(153, 'API request is rate limited'), retCode(153, 'API request is rate limited'), ok('DescribeURedisGroup', { TotalCount: 1 }));
		const { client: c, sleep } = client(send);
		await expect(c.call('DescribeURedisGroup', { Region: 'cn-bj2' })).resolves.toMatchObject({ TotalCount: 1 });
		expect(send).toHaveBeenCalledTimes(3);
		expect(sleep).toHaveBeenCalledTimes(2);
		expect(send.mock.calls[2][0]).toEqual(send.mock.calls[0][0]);
	});

	it('gives up on throttling after maxAttempts with the last error', async () => {
		const { send } = fakeSend(...[1, 2, 3, 4].map(() => retCode(153, 'API request is rate limited')));
		const error = await rejectionOf(client(send).client.call('DescribeURedisBackup', {}));
		expect(error.kind).toBe('throttled');
		expect(send).toHaveBeenCalledTimes(policy.maxAttempts);
	});

	it('retries server errors (110, 130, 150, 20202), a gateway 5xx page and a lost answer of a read', async () => {
		const { send } = fakeSend(
			retCode(150, 'Service unavailable'),
			retCode(110, 'API response timeout'),
			response(502, '<html>Bad Gateway</html>'),
			ok('DescribeURedisBackup', { TotalCount: 0 }),
		);
		await expect(client(send).client.call('DescribeURedisBackup', {})).resolves.toMatchObject({ TotalCount: 0 });
		const { send: lost } = fakeSend(socketError('ECONNRESET', 'socket hang up'), retCode(20202, '获取信息失败'), ok('A'));
		await client(lost).client.call('A', {});
		expect(lost).toHaveBeenCalledTimes(3);
	});

	it('honours Retry-After on a 429 without a RetCode', async () => {
		const { send } = fakeSend(response(429, 'Too Many Requests', { 'retry-after': '0.05' }), ok('A'));
		const { client: c, sleep } = client(send);
		await c.call('A', {});
		expect(sleep).toHaveBeenCalledWith(50, undefined);
	});

	it('reads a body that is not JSON, or JSON without a RetCode, as malformed', async () => {
		const { send } = fakeSend(response(200, '<html>login</html>'));
		const error = await rejectionOf(client(send).client.call('A', {}, { idempotent: false }));
		expect(error.details).toMatchObject({ kind: 'malformed', httpStatus: 200, body: '<html>login</html>' });
		expect(error.message).toBe('UCloud answered A with HTTP 200 and a body that is not JSON');
		const { send: other } = fakeSend(response(200, { Code: 'x' }));
		const malformed = await rejectionOf(client(other).client.call('A', {}, { idempotent: false }));
		expect(malformed.message).toBe('UCloud answered A with HTTP 200 and no RetCode in its answer');
	});

	it('reads RetCode 0 on a failed HTTP status by the status', async () => {
		const { send } = fakeSend(response(503, { RetCode: 0 }));
		const error = await rejectionOf(client(send).client.call('A', {}, { idempotent: false }));
		expect(error.details).toMatchObject({ kind: 'server', httpStatus: 503 });
	});

	it('reads a RetCode sent as a digit string', async () => {
		const { send } = fakeSend(response(200, { RetCode: '172', Message: 'User Not Exists' }));
		const error = await rejectionOf(client(send).client.call('A', {}));
		expect(error.details).toMatchObject({ kind: 'auth', code: '172' });
	});

	it('decodes inside the retry loop: a malformed answer to a read is retried, then named', async () => {
		const decode = (body: Record<string, unknown>) => backupSetOf(body);
		const { send } = fakeSend(ok('DescribeURedisBackup', { DataSet: [null] }), ok('DescribeURedisBackup', { DataSet: [{ BackupId: 'b' }] }));
		await expect(client(send).client.call('DescribeURedisBackup', {}, { decode })).resolves.toEqual([{ BackupId: 'b' }]);
		const { send: always } = fakeSend(...[1, 2, 3, 4].map(() => ok('DescribeURedisBackup', { DataSet: 'x' })));
		const error = await rejectionOf(client(always).client.call('DescribeURedisBackup', {}, { decode }));
		expect(error.kind).toBe('malformed');
		expect(error.details.requestId).toBe(REQUEST_ID);
		expect(error.message).toMatch(/^UCloud answered DescribeURedisBackup with a malformed answer: the DataSet list is "x"/);
	});

	it('passes the request timeout to n8n', async () => {
		const { send } = fakeSend(ok('A'));
		await client(send, { timeoutMs: 7_000 }).client.call('A', {});
		expect(send.mock.calls[0][0].timeout).toBe(7_000);
	});

	it('reports a credential that refused to build the request as a client error: nothing was sent', async () => {
		const wrapped = Object.assign(new Error('wrapped'), { cause: new CredentialConfigError('The Endpoint "x y" of the UCloud credential is not valid: it is not a URL') });
		const { send } = fakeSend(wrapped);
		const error = await rejectionOf(client(send).client.call('DescribeURedisBackup', {}));
		expect(error.kind).toBe('client');
		expect(error.message).toMatch(/^DescribeURedisBackup was not sent: The Endpoint "x y"/);
		expect(error.details.hint).toMatch(/no request reached UCloud/);
		expect(send).toHaveBeenCalledTimes(1);
	});

	it('reports a cancelled execution as cancelled and does not retry', async () => {
		const controller = new AbortController();
		const send = jest.fn<Promise<IN8nHttpFullResponse>, [IHttpRequestOptions]>(async () => {
			controller.abort();
			throw 'aborted';
		});
		const error = await rejectionOf(client(send, { signal: controller.signal }).client.call('A', {}));
		expect(error.kind).toBe('cancelled');
		expect(send).toHaveBeenCalledTimes(1);
	});
});

describe('CreateURedisBackup (never sent twice)', () => {
	const provider = (send: SendRequest) => new UCloudProvider(client(send).client);

	it('sends Region, Zone, GroupId and BackupName once and outputs the backup ID as the job', async () => {
		const { send, requests } = fakeSend(ok('CreateURedisBackup', { BackupId: 'b-new' }));
		const task = await provider(send).createBackup({ ...instance, zone: 'cn-bj2-02' }, { name: 'n8n-backup-1' });
		expect(task).toMatchObject({ kind: 'backupTask', taskId: 'b-new', status: 'running', mode: 'manual', instanceId: 'uredis-2cwmyb', region: 'cn-bj2' });
		expect(requests[0].body).toEqual({ Action: 'CreateURedisBackup', Region: 'cn-bj2', Zone: 'cn-bj2-02', GroupId: 'uredis-2cwmyb', BackupName: 'n8n-backup-1' });
		expect(send).toHaveBeenCalledTimes(1);
	});

	it('sends no Zone when the node names none', async () => {
		const { send, requests } = fakeSend(ok('CreateURedisBackup', { BackupId: 'b-new' }));
		await provider(send).createBackup(instance, { name: 'n8n-backup-1' });
		expect(requests[0].body).not.toHaveProperty('Zone');
	});

	it.each([
		['a server error', retCode(150, 'Service unavailable', 'CreateURedisBackup'), 'server'],
		['a gateway timeout (110)', retCode(110, 'API response timeout', 'CreateURedisBackup'), 'server'],
		['a lost answer', socketError('ECONNRESET', 'socket hang up'), 'network'],
		['an answer without BackupId', ok('CreateURedisBackup', {}), 'malformed'],
	] as const)('is not sent again after %s', async (_what, first, kind) => {
		const { send } = fakeSend(first, ok('CreateURedisBackup', { BackupId: 'b-2' }));
		const error = await rejectionOf(provider(send).createBackup(instance, { name: 'n8n-backup-1' }));
		expect(error.kind).toBe(kind);
		expect(send).toHaveBeenCalledTimes(1);
	});

	it('is sent again only after throttling, which UCloud answers before doing anything', async () => {
		const { send } = fakeSend(retCode(153, 'API request is rate limited', 'CreateURedisBackup'), ok('CreateURedisBackup', { BackupId: 'b-3' }));
		await expect(provider(send).createBackup(instance, { name: 'n8n-backup-1' })).resolves.toMatchObject({ taskId: 'b-3' });
		expect(send).toHaveBeenCalledTimes(2);
	});

	it('a backup already running (20203) is a client error with advice', async () => {
		const { send } = fakeSend(retCode(20203, '创建失败，请稍后重试。', 'CreateURedisBackup'));
		const error = await rejectionOf(provider(send).createBackup(instance, { name: 'n8n-backup-1' }));
		expect(error.kind).toBe('client');
		expect(error.details.hint).toMatch(/another backup/);
	});

	it('refuses to send a create without a name', async () => {
		const { send } = fakeSend();
		const error = await rejectionOf(provider(send).createBackup(instance, {}));
		expect(error.message).toBe('CreateURedisBackup needs a Backup Name');
		expect(send).not.toHaveBeenCalled();
	});
});
