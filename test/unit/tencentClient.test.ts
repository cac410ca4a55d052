import type { INode, IHttpRequestOptions, IN8nHttpFullResponse, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { CredentialConfigError } from '../../nodes/common/credentials';
import { CloudApiError, type CloudErrorKind } from '../../nodes/common/errors';
import type { RetryPolicy } from '../../nodes/common/retry';
import { backupSetOf } from '../../nodes/TencentCloudRedis/normalize';
import {
	LEGACY_PATH,
	REDIS_API_VERSION,
	TencentRedisClient,
	classifyLegacyError,
	classifyTencentError,
	describeKind,
	legacyErrorHint,
	tencentErrorHint,
	type SendRequest,
} from '../../nodes/TencentCloudRedis/transport/client';
import { TencentProvider } from '../../nodes/TencentCloudRedis/transport/provider';
import { TENCENT_LEGACY_PATH } from '../../credentials/TencentCloudApi.credentials';

describe('classifyTencentError', () => {
	it.each([
		['RequestLimitExceeded', 'throttled'],
		['RequestLimitExceeded.UinLimitExceeded', 'throttled'],
		['RequestLimitExceeded.IPLimitExceeded', 'throttled'],
		['RequestLimitExceeded.GlobalRegionUinLimitExceeded', 'throttled'],
		['AuthFailure.SignatureFailure', 'auth'],
		['AuthFailure.SignatureExpire', 'auth'],
		['AuthFailure.SecretIdNotFound', 'auth'],
		['AuthFailure.InvalidSecretId', 'auth'],
		['AuthFailure.TokenFailure', 'auth'],
		['AuthFailure.InvalidAuthorization', 'auth'],
		['AuthFailure.MFAFailure', 'auth'],
		['AuthFailure.UnauthorizedOperation', 'auth'],
		['UnauthorizedOperation', 'auth'],
		['UnauthorizedOperation.NoCAMAuthed', 'auth'],
		['UnauthorizedOperation.UserNotInWhiteList', 'auth'],
		['IpNotInWhitelist', 'auth'],
		['InternalError', 'server'],
		['InternalError.InternalError', 'server'],
		['InternalError.DbOperationFailed', 'server'],
		['ServiceUnavailable', 'server'],
		// Redis's own internal failure code: retried for reads like any server error.
		['FailedOperation.SystemError', 'server'],
		// Redis's own "no CAM permission" code.
		['InvalidParameter.PermissionDenied', 'auth'],
		['ResourceNotFound', 'notFound'],
		['ResourceNotFound.InstanceNotExists', 'notFound'],
		['InvalidParameterValue.BackupNotExists', 'notFound'],
		['InvalidParameter', 'client'],
		['InvalidParameter.InvalidParameter', 'client'],
		['InvalidParameterValue', 'client'],
		['MissingParameter', 'client'],
		['UnknownParameter', 'client'],
		['InvalidAction', 'client'],
		['NoSuchVersion', 'client'],
		['UnsupportedRegion', 'client'],
		['LimitExceeded', 'client'],
		// An instance in the wrong state is about the request, not about access.
		['FailedOperation', 'client'],
		['UnsupportedOperation', 'client'],
		['UnsupportedOperation.ClusterInstanceAccessedDeny', 'client'],
		['ResourceUnavailable', 'client'],
		['ResourceUnavailable.InstanceStatusError', 'client'],
		['ResourceUnavailable.InstanceLockedError', 'client'],
	] as const)('%s -> %s (HTTP 200, as Tencent answers errors)', (code, kind) => {
		expect(classifyTencentError(code, 200)).toBe(kind);
	});

	it.each([
		[429, 'throttled'],
		[500, 'server'],
		[502, 'server'],
		[503, 'server'],
		[404, 'notFound'],
		[401, 'auth'],
		[403, 'auth'],
		[400, 'client'],
	] as const)('HTTP %i without a code -> %s', (status, kind) => {
		expect(classifyTencentError(undefined, status)).toBe(kind);
	});

	it('words the clock for an expired signature and CAM for a denied action', () => {
		expect(tencentErrorHint('AuthFailure.SignatureExpire')).toMatch(/5 minutes off.*clock.*NTP/);
		expect(tencentErrorHint('AuthFailure.UnauthorizedOperation')).toMatch(/CAM/);
		expect(tencentErrorHint('UnauthorizedOperation.NoCAMAuthed')).toMatch(/CAM.*policy/);
		expect(tencentErrorHint('AuthFailure.SignatureFailure')).toMatch(/SecretKey is wrong/);
		expect(tencentErrorHint('AuthFailure.SecretIdNotFound')).toMatch(/does not know this SecretId/);
		expect(tencentErrorHint('RequestLimitExceeded')).toMatch(/20 requests per second/);
		expect(tencentErrorHint('ResourceUnavailable.InstanceStatusError')).toMatch(/instance cannot do this now/);
		expect(tencentErrorHint('InvalidParameter')).toBeUndefined();
	});

	it('has a hint for every kind, naming Tencent Cloud where it matters', () => {
		for (const kind of ['throttled', 'server', 'network', 'auth', 'notFound', 'client', 'malformed', 'integrity', 'cancelled'] as CloudErrorKind[]) {
			expect(describeKind(kind).length).toBeGreaterThan(10);
		}
		expect(describeKind('throttled')).toMatch(/20 requests per second/);
		expect(describeKind('auth')).toMatch(/SecretId.*CAM.*clock/);
	});
});

describe('classifyLegacyError', () => {
	it.each([
		[4000, undefined, 'client'],
		[4100, undefined, 'auth'],
		[4200, undefined, 'auth'],
		[4300, undefined, 'auth'],
		[4101, undefined, 'auth'],
		[4102, undefined, 'auth'],
		[4103, undefined, 'auth'],
		[4104, undefined, 'auth'],
		[4105, undefined, 'auth'],
		[4106, undefined, 'auth'],
		[4110, undefined, 'auth'],
		[4400, undefined, 'throttled'],
		[4500, undefined, 'network'],
		[5000, undefined, 'notFound'],
		[5100, undefined, 'client'],
		[6000, undefined, 'server'],
		[6100, undefined, 'server'],
		[6200, undefined, 'server'],
		[11201, 'InvalidParameter', 'client'],
		[10711, 'BackupStatusAbnormal', 'client'],
		[10701, 'InstanceNotExists', 'notFound'],
		[11213, 'BackupNotExists', 'notFound'],
	] as const)('code %i (%s) -> %s', (code, codeDesc, kind) => {
		expect(classifyLegacyError(code, codeDesc)).toBe(kind);
	});

	it('words the clock (4200), CAM (4300) and a replay (4500)', () => {
		expect(legacyErrorHint(4200)).toMatch(/clock/);
		expect(legacyErrorHint(4300)).toMatch(/CAM/);
		expect(legacyErrorHint(4500)).toMatch(/twice.*new nonce/);
		expect(legacyErrorHint(4000)).toBeUndefined();
	});
});

// ---------------------------------------------------------------------------------------------------------------
// TencentRedisClient with a fake send.
// ---------------------------------------------------------------------------------------------------------------

const response = (statusCode: number, body: unknown, headers: Record<string, string> = {}): IN8nHttpFullResponse => ({
	statusCode,
	headers,
	body: typeof body === 'string' ? body : JSON.stringify(body),
});

const REQUEST_ID = '6f4b1d32-9c1e-4c9a-b1c6-0e3b0c5c6a71';
const ok = (inner: Record<string, unknown>) => response(200, { Response: { ...inner, RequestId: REQUEST_ID } });
const apiError = (code: string, message = 'Something went wrong.') =>
	response(200, { Response: { Error: { Code: code, Message: message }, RequestId: REQUEST_ID } });
const legacyOk = (extra: Record<string, unknown> = {}) => response(200, { code: 0, message: '', codeDesc: 'Success', ...extra });
const legacyError = (code: number, codeDesc: string, message: string) => response(200, { code, codeDesc, message });

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
	return { client: new TencentRedisClient({ send, sleep, retryPolicy: policy, ...extra }), sleep };
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
const instance = { region: 'ap-guangzhou', instanceId: 'crs-5a4py64p', variant: 'api3' };

describe('TencentRedisClient.call (API 3.0)', () => {
	it('sends POST / with X-TC-Action, X-TC-Version, X-TC-Region and the parameters as a JSON body', async () => {
		const { send, requests } = fakeSend(ok({ TotalCount: 0, BackupSet: [] }));
		const { client: c } = client(send);
		const answer = await c.call(
			'DescribeInstanceBackups',
			{ InstanceId: 'crs-5a4py64p', Limit: 100, Offset: 0, Status: [1, 2], BeginTime: undefined, Remark: '', X: null },
			{ region: 'ap-guangzhou' },
		);
		expect(answer).toEqual({ TotalCount: 0, BackupSet: [], RequestId: REQUEST_ID });
		const [request] = requests;
		expect(request).toMatchObject({ method: 'POST', url: '/', returnFullResponse: true, ignoreHttpStatusErrors: true, json: false, encoding: 'text' });
		expect(request.headers).toMatchObject({
			'X-TC-Action': 'DescribeInstanceBackups',
			'X-TC-Version': '2018-04-12',
			'X-TC-Region': 'ap-guangzhou',
			'Content-Type': 'application/json',
		});
		expect(REDIS_API_VERSION).toBe('2018-04-12');
		expect(JSON.parse(request.body as string)).toEqual({ InstanceId: 'crs-5a4py64p', Limit: 100, Offset: 0, Status: [1, 2] });
		expect(request.qs).toBeUndefined();
	});

	it('sends no X-TC-Region when the call has none', async () => {
		const { send, requests } = fakeSend(ok({}));
		await client(send).client.call('DescribeTaskInfo', { TaskId: 1 });
		expect(requests[0].headers).not.toHaveProperty('X-TC-Region');
	});

	it('maps Response.Error to a CloudApiError with the code, the message and the RequestId', async () => {
		const { send } = fakeSend(apiError('ResourceNotFound.InstanceNotExists', 'No Redis instance found by the specified serialId.'));
		const error = await rejectionOf(client(send).client.call('DescribeInstanceBackups', {}, { region: 'ap-guangzhou' }));
		expect(error.message).toBe('Tencent Cloud rejected DescribeInstanceBackups: No Redis instance found by the specified serialId. (ResourceNotFound.InstanceNotExists)');
		expect(error.details).toMatchObject({
			provider: 'tencent',
			kind: 'notFound',
			code: 'ResourceNotFound.InstanceNotExists',
			httpStatus: 200,
			action: 'DescribeInstanceBackups',
			requestId: REQUEST_ID,
		});
	});

	it('an expired signature is auth, worded as clock skew, and not retried', async () => {
		const { send } = fakeSend(apiError('AuthFailure.SignatureExpire', 'Signature expired. Timestamp 1 is earlier than server time 2.'), ok({}));
		const error = await rejectionOf(client(send).client.call('DescribeInstances', {}));
		expect(error.details).toMatchObject({ kind: 'auth', code: 'AuthFailure.SignatureExpire', requestId: REQUEST_ID });
		expect(error.details.hint).toMatch(/clock/);
		expect(send).toHaveBeenCalledTimes(1);
	});

	it('a missing CAM permission is auth with CAM advice', async () => {
		const { send } = fakeSend(apiError('UnauthorizedOperation.NoCAMAuthed', 'No CAM permissions.'));
		const error = await rejectionOf(client(send).client.call('ManualBackupInstance', {}, { idempotent: false }));
		expect(error.details).toMatchObject({ kind: 'auth', code: 'UnauthorizedOperation.NoCAMAuthed' });
		expect(error.details.hint).toMatch(/CAM/);
	});

	it('an instance in the wrong state is a client error, not an access problem', async () => {
		const { send } = fakeSend(apiError('ResourceUnavailable.InstanceStatusError', 'Instance status error.'));
		const error = await rejectionOf(client(send).client.call('ManualBackupInstance', {}, { idempotent: false }));
		expect(error.kind).toBe('client');
	});

	it('retries RequestLimitExceeded with backoff, then returns the answer', async () => {
		const { send } = fakeSend(apiError('RequestLimitExceeded'), apiError('RequestLimitExceeded.UinLimitExceeded'), ok({ TaskId: 5 }));
		const { client: c, sleep } = client(send);
		await expect(c.call('DescribeTaskInfo', { TaskId: 5 })).resolves.toMatchObject({ TaskId: 5 });
		expect(send).toHaveBeenCalledTimes(3);
		expect(sleep).toHaveBeenCalledTimes(2);
		expect(send.mock.calls[2][0]).toEqual(send.mock.calls[0][0]);
	});

	it('gives up on throttling after maxAttempts with the last error', async () => {
		const { send } = fakeSend(...[1, 2, 3, 4].map(() => apiError('RequestLimitExceeded')));
		const error = await rejectionOf(client(send).client.call('DescribeInstanceBackups', {}));
		expect(error.kind).toBe('throttled');
		expect(send).toHaveBeenCalledTimes(policy.maxAttempts);
	});

	it.each(['InternalError', 'InternalError.InternalError'])('retries %s of a read', async (code) => {
		const { send } = fakeSend(apiError(code), ok({ TotalCount: 0 }));
		await expect(client(send).client.call('DescribeInstanceBackups', {})).resolves.toMatchObject({ TotalCount: 0 });
		expect(send).toHaveBeenCalledTimes(2);
	});

	it('retries a lost answer of a read', async () => {
		const { send } = fakeSend(socketError('ECONNRESET', 'socket hang up'), ok({}));
		await client(send).client.call('DescribeInstanceBackups', {});
		expect(send).toHaveBeenCalledTimes(2);
	});

	it('reads a 5xx page of a proxy as server, a body without Response as malformed', async () => {
		const { send } = fakeSend(response(502, '<html>Bad Gateway</html>'));
		const error = await rejectionOf(client(send).client.call('A', {}, { idempotent: false }));
		expect(error.details).toMatchObject({ kind: 'server', httpStatus: 502, body: '<html>Bad Gateway</html>' });
		const { send: other } = fakeSend(response(200, { Code: 'x' }));
		const malformed = await rejectionOf(client(other).client.call('A', {}, { idempotent: false }));
		expect(malformed.kind).toBe('malformed');
		expect(malformed.message).toBe('Tencent Cloud answered A with HTTP 200 and no "Response" in its answer');
	});

	it('reads a failed HTTP status without an error object by its status', async () => {
		const { send } = fakeSend(response(503, { Response: { RequestId: 'r' } }));
		const error = await rejectionOf(client(send).client.call('A', {}, { idempotent: false }));
		expect(error.details).toMatchObject({ kind: 'server', httpStatus: 503, requestId: 'r' });
	});

	it('decodes inside the retry loop: a malformed answer to a read is retried, then named', async () => {
		const decode = (body: Record<string, unknown>) => backupSetOf(body);
		const { send } = fakeSend(ok({ BackupSet: [null] }), ok({ BackupSet: [{ BackupId: 'b' }] }));
		await expect(client(send).client.call('DescribeInstanceBackups', {}, { decode })).resolves.toEqual([{ BackupId: 'b' }]);
		const { send: always } = fakeSend(...[1, 2, 3, 4].map(() => ok({ BackupSet: [null] })));
		const error = await rejectionOf(client(always).client.call('DescribeInstanceBackups', {}, { decode }));
		expect(error.kind).toBe('malformed');
		expect(error.details.requestId).toBe(REQUEST_ID);
		expect(error.message).toMatch(/^Tencent Cloud answered DescribeInstanceBackups with a malformed answer: BackupSet entry 0 is null/);
	});

	it('passes the request timeout to n8n', async () => {
		const { send } = fakeSend(ok({}));
		await client(send, { timeoutMs: 7_000 }).client.call('A', {});
		expect(send.mock.calls[0][0].timeout).toBe(7_000);
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

	describe('ManualBackupInstance (create: never sent twice)', () => {
		const provider = (send: SendRequest) => new TencentProvider(client(send).client);

		it('sends InstanceId, Remark and StorageDays once and outputs the task ID', async () => {
			const { send, requests } = fakeSend(ok({ TaskId: 1210000 }));
			const task = await provider(send).createBackup(instance, { remark: 'before upgrade', retentionDays: 30 });
			expect(task).toMatchObject({ taskId: '1210000', status: 'pending', mode: 'manual', instanceId: 'crs-5a4py64p', region: 'ap-guangzhou' });
			expect(JSON.parse(requests[0].body as string)).toEqual({ InstanceId: 'crs-5a4py64p', Remark: 'before upgrade', StorageDays: 30 });
			expect(requests[0].headers).toMatchObject({ 'X-TC-Action': 'ManualBackupInstance', 'X-TC-Region': 'ap-guangzhou' });
		});

		it.each([
			['InternalError', () => apiError('InternalError'), 'server'],
			['a lost answer', () => socketError('ECONNRESET', 'socket hang up'), 'network'],
			['a body that is not JSON', () => response(200, 'not json'), 'malformed'],
			['an answer without TaskId', () => ok({}), 'malformed'],
			['a TaskId of 0', () => ok({ TaskId: 0 }), 'malformed'],
		])('is not sent again after %s', async (_label, first, kind) => {
			const { send } = fakeSend(first(), ok({ TaskId: 2 }));
			const error = await rejectionOf(provider(send).createBackup(instance, {}));
			expect(error.kind).toBe(kind);
			expect(send).toHaveBeenCalledTimes(1);
		});

		it('is retried on RequestLimitExceeded (Tencent did nothing)', async () => {
			const { send } = fakeSend(apiError('RequestLimitExceeded'), ok({ TaskId: 2 }));
			await expect(provider(send).createBackup(instance, {})).resolves.toMatchObject({ taskId: '2' });
			expect(send).toHaveBeenCalledTimes(2);
		});

		it("a request the credential refused to build is a 'client' error: nothing was sent", async () => {
			const node: INode = { id: 'n', name: 'Tencent', type: 'x', typeVersion: 1, position: [0, 0], parameters: {} };
			const refused = new CredentialConfigError('The Endpoint "ftp://x" of the Tencent Cloud credential is not valid');
			const { send } = fakeSend(new NodeApiError(node, refused as unknown as JsonObject));
			const error = await rejectionOf(provider(send).createBackup(instance, {}));
			expect(error.details).toMatchObject({ kind: 'client', action: 'ManualBackupInstance' });
			expect(error.message).toBe(`ManualBackupInstance was not sent: ${refused.message}`);
		});
	});
});

describe('TencentRedisClient.callLegacy (CRS API)', () => {
	it('sends POST /v2/index.php with X-TC-Action, X-TC-Region and the parameters as strings in qs', async () => {
		const { send, requests } = fakeSend(legacyOk({ totalCount: 0, data: { redisBackupSet: [] } }));
		await client(send).client.callLegacy(
			'GetRedisBackupList',
			{ limit: 20, offset: 40, redisId: 'crs-5a4py64p', beginTime: '2024-01-10 08:00:00', endTime: undefined },
			{ region: 'ap-guangzhou' },
		);
		const [request] = requests;
		expect(request).toMatchObject({ method: 'POST', url: '/v2/index.php', json: false });
		expect(LEGACY_PATH).toBe(TENCENT_LEGACY_PATH);
		expect(request.headers).toMatchObject({ 'X-TC-Action': 'GetRedisBackupList', 'X-TC-Region': 'ap-guangzhou' });
		expect(request.headers).not.toHaveProperty('X-TC-Version');
		expect(request.qs).toEqual({ limit: '20', offset: '40', redisId: 'crs-5a4py64p', beginTime: '2024-01-10 08:00:00' });
	});

	it('maps code/codeDesc/message to a CloudApiError', async () => {
		const { send } = fakeSend(legacyError(4300, 'AccessDenied', '拒绝访问 (access denied)'));
		const error = await rejectionOf(client(send).client.callLegacy('GetRedisBackupList', {}));
		expect(error.message).toBe('Tencent Cloud (legacy CRS API) rejected GetRedisBackupList: 拒绝访问 (access denied) (code 4300, AccessDenied)');
		expect(error.details).toMatchObject({ provider: 'tencent', kind: 'auth', code: '4300', action: 'GetRedisBackupList' });
		expect(error.details.hint).toMatch(/CAM/);
	});

	it('retries a replay (4500): the credential signs the retry with a new nonce', async () => {
		const { send } = fakeSend(legacyError(4500, 'ReplayAttack', 'replay'), legacyOk({ totalCount: 0 }));
		await expect(client(send).client.callLegacy('GetRedisBackupList', {})).resolves.toMatchObject({ code: 0 });
		expect(send).toHaveBeenCalledTimes(2);
	});

	it('retries 4400 (quota) and 6000 (server), not 4100 or 4200', async () => {
		const { send } = fakeSend(legacyError(4400, 'LimitExceeded', 'quota'), legacyError(6000, 'InternalError', 'x'), legacyOk());
		await client(send).client.callLegacy('GetRedisBackupList', {});
		expect(send).toHaveBeenCalledTimes(3);
		for (const code of [4100, 4200]) {
			const { send: once } = fakeSend(legacyError(code, 'AuthFailure', 'no'), legacyOk());
			const error = await rejectionOf(client(once).client.callLegacy('GetRedisBackupList', {}));
			expect(error.kind).toBe('auth');
			expect(once).toHaveBeenCalledTimes(1);
		}
	});

	it('accepts a numeric code sent as a string; an answer without a code is malformed', async () => {
		const { send } = fakeSend(response(200, { code: '0', data: {} }));
		await expect(client(send).client.callLegacy('A', {})).resolves.toMatchObject({ code: '0' });
		const { send: other } = fakeSend(response(200, { data: {} }));
		const error = await rejectionOf(client(other).client.callLegacy('A', {}, { idempotent: false }));
		expect(error.kind).toBe('malformed');
	});
});

// ---------------------------------------------------------------------------------------------------------------
// The adapter's own rules.
// ---------------------------------------------------------------------------------------------------------------

describe('TencentProvider', () => {
	const provider = (send: SendRequest) => new TencentProvider(client(send).client);

	it('looks a task up by ID and refuses a task of another instance', async () => {
		const { send, requests } = fakeSend(
			ok({ Status: 'running', StartTime: '2024-01-10 08:00:00', TaskType: 'FLOW_BACKUPINSTANCE', InstanceId: 'crs-5a4py64p' }),
			ok({ Status: 'running', InstanceId: 'crs-otherinst' }),
		);
		const p = provider(send);
		await expect(p.listTasks(instance, { taskId: '42' })).resolves.toEqual([expect.objectContaining({ taskId: '42', status: 'running' })]);
		expect(JSON.parse(requests[0].body as string)).toEqual({ TaskId: 42 });
		const error = await rejectionOf(p.listJobTasks(instance, ['43']));
		expect(error.message).toBe('Task 43 belongs to instance crs-otherinst, not crs-5a4py64p');
		await expect(p.listTasks(instance, {})).rejects.toThrow(/by ID/);
	});

	const backupRecord = (id: string, start: string, type = '0', status = 2) => ({ BackupId: id, StartTime: start, BackupType: type, Status: status });

	it("finds a task's backup: the manual backup started closest to the task, within 2 minutes", async () => {
		const { send, requests } = fakeSend(
			ok({
				TotalCount: 4,
				BackupSet: [
					backupRecord('auto', '2024-01-10 08:00:05', '1'),
					backupRecord('far', '2024-01-10 08:03:00'),
					backupRecord('near', '2024-01-10 08:00:20', '0', 1),
					backupRecord('nearer-but-auto', '2024-01-10 08:00:01', '2'),
				],
			}),
		);
		const seen = [{ startedAt: '2024-01-10T00:00:00Z' }] as Parameters<TencentProvider['findJobBackup']>[2];
		const backup = await provider(send).findJobBackup(instance, ['42'], seen, {
			start: (await import('luxon')).DateTime.fromISO('2024-01-09T23:45:00Z'),
			end: (await import('luxon')).DateTime.fromISO('2024-01-10T02:00:00Z'),
		});
		expect(backup).toMatchObject({ backupId: 'near', status: 'running' });
		// Only the minutes around the task's start are asked for, in Beijing time, in every documented status.
		expect(JSON.parse(requests[0].body as string)).toMatchObject({ BeginTime: '2024-01-10 07:58:00', EndTime: '2024-01-10 08:02:01', Status: [1, 2, 3, 4, -1] });
	});

	it("never takes an earlier task's backup: of the manual backups around the start, the earliest at or after it", async () => {
		const { send } = fakeSend(
			ok({
				TotalCount: 3,
				BackupSet: [
					// Task A's backup, started 5 s before this task (B) was: closer, but not B's.
					backupRecord('task-a', '2024-01-10 07:59:55'),
					backupRecord('task-b', '2024-01-10 08:00:50', '0', 1),
					backupRecord('later', '2024-01-10 08:01:40', '0', 1),
				],
			}),
		);
		const seen = [{ startedAt: '2024-01-10T00:00:00Z' }] as Parameters<TencentProvider['findJobBackup']>[2];
		const { DateTime } = await import('luxon');
		const backup = await provider(send).findJobBackup(instance, ['43'], seen, {
			start: DateTime.fromISO('2024-01-09T23:45:00Z'),
			end: DateTime.fromISO('2024-01-10T02:00:00Z'),
		});
		expect(backup?.backupId).toBe('task-b');
	});

	it('a task whose start is not known has no backup (and costs no request)', async () => {
		const { send } = fakeSend();
		const { DateTime } = await import('luxon');
		await expect(provider(send).findJobBackup(instance, ['1'], [], { start: DateTime.utc().minus({ days: 2 }), end: DateTime.utc() })).resolves.toBeNull();
		expect(send).not.toHaveBeenCalled();
	});

	it('fills in the files of a backup with DescribeBackupUrl (legacy: GetBackupDownloadUrl)', async () => {
		const { send, requests } = fakeSend(
			ok({ BackupInfos: [{ FileName: 'a.rdb', FileSize: 10, DownloadUrl: 'https://cos.example/a.rdb', InnerDownloadUrl: 'https://in.example/a.rdb' }, { FileName: 'b.rdb', FileSize: 20, DownloadUrl: 'https://cos.example/b.rdb' }] }),
			// The legacy API first checks (API 3.0) that the instance is not one of several shards.
			ok({ TotalCount: 1, InstanceSet: [{ InstanceId: 'crs-5a4py64p', RedisShardNum: 1 }] }),
			legacyOk({ data: { extranet: 'https://cos.example/c.rdb', intranet: 'https://in.example/c.rdb' } }),
		);
		const p = provider(send);
		const base = { backupId: 'b-1', status: 'succeeded', sizeBytes: null, files: [] } as unknown as Parameters<TencentProvider['fetchBackupFiles']>[1];
		const withFiles = await p.fetchBackupFiles(instance, base);
		expect(withFiles.files.map((f) => f.name)).toEqual(['a.rdb', 'b.rdb']);
		expect(withFiles.sizeBytes).toBe(30);
		expect(JSON.parse(requests[0].body as string)).toEqual({ InstanceId: 'crs-5a4py64p', BackupId: 'b-1' });
		const legacy = await p.fetchBackupFiles({ ...instance, variant: 'legacy' }, base);
		expect(legacy.files).toEqual([expect.objectContaining({ name: 'c.rdb', internalDownloadUrl: 'https://in.example/c.rdb' })]);
		expect(JSON.parse(requests[1].body as string)).toMatchObject({ InstanceId: 'crs-5a4py64p' });
		expect(requests[2]).toMatchObject({ url: '/v2/index.php', qs: { redisId: 'crs-5a4py64p', backupId: 'b-1' } });
	});

	it('lists with the legacy API when the instance says so', async () => {
		const { send, requests } = fakeSend(legacyOk({ totalCount: 1, data: { redisBackupSet: [{ backupId: 'x', startTime: '2024-01-10 08:00:00', backupType: 'manualBackupInstance', status: 2 }] } }));
		const { DateTime } = await import('luxon');
		const page = await provider(send).fetchBackupPage(
			{ instance: { ...instance, variant: 'legacy' }, start: DateTime.fromISO('2024-01-09T00:00:00Z'), end: DateTime.fromISO('2024-01-10T01:00:00Z') },
			20,
			20,
		);
		expect(page).toMatchObject({ total: 1, items: [expect.objectContaining({ backupId: 'x', mode: 'manual' })] });
		expect(requests[0].qs).toEqual({ limit: '20', offset: '20', redisId: 'crs-5a4py64p', beginTime: '2024-01-09 08:00:00', endTime: '2024-01-10 09:00:00' });
	});

	it('searches instances by name, or looks a whole instance ID up as such', async () => {
		const { send, requests } = fakeSend(
			ok({ TotalCount: 51, InstanceSet: [{ InstanceId: 'crs-5a4py64p', InstanceName: 'orders', ProductType: 'standalone', RegionId: 1 }] }),
			ok({ TotalCount: 1, InstanceSet: [{ InstanceId: 'crs-5a4py64p' }] }),
		);
		const p = provider(send);
		const page = await p.searchInstances('ap-guangzhou', 'ord');
		expect(page).toEqual({
			instances: [
				{
					instanceId: 'crs-5a4py64p',
					label: 'orders (crs-5a4py64p, standalone)',
					url: 'https://console.cloud.tencent.com/redis/instance/manage?ins=crs-5a4py64p&regionId=1',
					variant: 'api3',
				},
			],
			nextPageToken: '50',
		});
		expect(JSON.parse(requests[0].body as string)).toEqual({ Limit: 50, Offset: 0, SearchKey: 'ord' });
		expect(requests[0].headers).toMatchObject({ 'X-TC-Action': 'DescribeInstances', 'X-TC-Region': 'ap-guangzhou' });
		const byId = await p.searchInstances('ap-guangzhou', 'crs-5A4PY64P', '50');
		expect(JSON.parse(requests[1].body as string)).toEqual({ Limit: 50, Offset: 50, InstanceId: 'crs-5a4py64p' });
		expect(byId.nextPageToken).toBeUndefined();
	});
});
