/**
 * Bad input and cloud errors through n8n's engine: input mistakes are refused before any request with a message
 * naming the parameter and the item; cloud errors become NodeApiErrors with the code, request ID and a hint;
 * reads are retried on throttling, 5xx, resets and unreadable answers.
 */
import { NodeApiError } from 'n8n-workflow';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import {
	instanceRef,
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	requestsSince,
	runAlibabaNode,
	STANDARD_ID,
	useEmulator,
} from './alibabaFixture';

const REQUEST_ID = /Request ID: [0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\./;

describe('input validation, before any request', () => {
	const emulator = useEmulator();

	const list = (extra: INodeParameters = {}, items?: IDataObject[]) =>
		runAlibabaNode(emulator, { resource: 'backup', operation: 'list', instanceId: instanceRef(STANDARD_ID), ...extra }, { items });

	it.each([
		['an empty instance ID', '', /^Instance is empty \(item 0\)$/],
		['a malformed instance ID', 'bad id', /^Instance "bad id" is not valid \(item 0\)$/],
		['an instance ID with capitals', 'R-DEMOSTANDARD01', /^Instance "R-DEMOSTANDARD01" is not valid \(item 0\)$/],
	])('refuses %s from an expression', async (_label, value, message) => {
		const mark = markRequests(emulator);
		const result = await list({ instanceId: instanceRef('={{ $json.instance }}') }, [{ instance: value }]);
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toMatch(message);
		expect(error.description).toMatch(/r-bp1zxszhcgatnx1234/);
		expect(requestsSince(emulator, mark)).toHaveLength(0);
	});

	it.each([
		['empty', '', /Parameter "Instance" is required/],
		['malformed', 'bad id', /Not an instance ID/],
	])('n8n itself refuses to run a workflow whose literal instance ID is %s', async (_label, value, issue) => {
		const mark = markRequests(emulator);
		await expect(list({ instanceId: instanceRef(value) })).rejects.toThrow(issue);
		expect(requestsSince(emulator, mark)).toHaveLength(0);
	});

	it('refuses an End Time before the Start Time', async () => {
		const mark = markRequests(emulator);
		const result = await list({ startTime: '2026-03-02T00:00:00Z', endTime: '2026-03-01T00:00:00Z' });
		const error = nodeErrorOf(result);
		expect(error.message).toMatch(/^Start Time .* must be before End Time .* \(item 0\)$/);
		expect(requestsSince(emulator, mark)).toHaveLength(0);
	});

	it('refuses a Start Time that is not a time', async () => {
		const mark = markRequests(emulator);
		const result = await list({ startTime: '={{ "last tuesday" }}' });
		const error = nodeErrorOf(result);
		expect(error.message).toBe('Start Time "last tuesday" is not a date and time (item 0)');
		expect(requestsSince(emulator, mark)).toHaveLength(0);
	});

	it('refuses a page size the API does not accept (40, set by expression)', async () => {
		const mark = markRequests(emulator);
		const result = await list({ options: { pageSize: '={{ 40 }}' } });
		const error = nodeErrorOf(result);
		expect(error.message).toBe('Page Size 40 is not accepted (item 0)');
		expect(error.description).toMatch(/30, 50, 100, 200, 300/);
		expect(requestsSince(emulator, mark)).toHaveLength(0);
	});

	it('refuses a Limit of 0 (by expression)', async () => {
		const mark = markRequests(emulator);
		const result = await list({ limit: '={{ 0 }}' });
		const error = nodeErrorOf(result);
		expect(error.message).toMatch(/^Limit must be at least 1, not 0 \(item 0\)$/);
		expect(requestsSince(emulator, mark)).toHaveLength(0);
	});

	it('names the failing item when it is not the first', async () => {
		const mark = markRequests(emulator);
		const result = await list({ instanceId: instanceRef('={{ $json.instance }}'), limit: 3 }, [{ instance: STANDARD_ID }, { instance: 'bad id' }]);
		expect(nodeErrorOf(result).message).toBe('Instance "bad id" is not valid (item 1)');
		// Item 0 ran, item 1 never reached the cloud.
		expect(requestsSince(emulator, mark).map((r) => r.query.InstanceId)).toEqual([STANDARD_ID]);
	});

	it('a missing credential gives a clear error and sends nothing', async () => {
		const mark = markRequests(emulator);
		const result = await runAlibabaNode(
			emulator,
			{ resource: 'backup', operation: 'list', instanceId: instanceRef(STANDARD_ID) },
			{ noCredential: true },
		);
		expect(result.status).toBe('error');
		expect(nodeErrorOf(result).message).toMatch(/credentials/i);
		expect(requestsSince(emulator, mark)).toHaveLength(0);
	});

	it('a malformed default region in the credential is refused before any request', async () => {
		const mark = markRequests(emulator);
		const result = await runAlibabaNode(
			emulator,
			{ resource: 'backup', operation: 'list', instanceId: instanceRef(STANDARD_ID) },
			{ credential: { region: 'Hangzhou!' } },
		);
		expect(nodeErrorOf(result).message).toMatch(/Default Region \(credential\) "Hangzhou!" is not valid \(item 0\)/);
		expect(requestsSince(emulator, mark)).toHaveLength(0);
	});
});

describe('cloud errors', () => {
	const emulator = useEmulator();

	const list = (instanceId = STANDARD_ID, onError?: 'continueRegularOutput') =>
		runAlibabaNode(emulator, { resource: 'backup', operation: 'list', instanceId: instanceRef(instanceId), limit: 3 }, { onError });

	it('a wrong AccessKey secret gives a NodeApiError with SignatureDoesNotMatch and the request ID, not retried', async () => {
		const mark = markRequests(emulator);
		const result = await runAlibabaNode(
			emulator,
			{ resource: 'backup', operation: 'list', instanceId: instanceRef(STANDARD_ID) },
			{ credential: { accessKeySecret: 'not-the-secret' }, onError: 'continueRegularOutput' },
		);
		const [item] = result.output(NODE_NAME);
		expect(item.error).toBeInstanceOf(NodeApiError);
		const error = item.error as NodeApiError;
		expect(error.message).toContain('SignatureDoesNotMatch');
		expect(error.message).toContain('DescribeBackups');
		expect(error.description).toMatch(REQUEST_ID);
		expect(error.description).toMatch(/AccessKey/);
		expect(item.json.error).toBe(error.message);
		const requests = requestsSince(emulator, mark);
		expect(requests.map((r) => r.code)).toEqual(['SignatureDoesNotMatch']);
	});

	it('a wrong secret without Continue On Fail fails the run with the same message', async () => {
		const result = await runAlibabaNode(
			emulator,
			{ resource: 'backup', operation: 'list', instanceId: instanceRef(STANDARD_ID) },
			{ credential: { accessKeySecret: 'not-the-secret' } },
		);
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toContain('SignatureDoesNotMatch');
		expect(error.description).toMatch(REQUEST_ID);
	});

	it('an unknown AccessKey ID is an auth error', async () => {
		const result = await runAlibabaNode(
			emulator,
			{ resource: 'backup', operation: 'list', instanceId: instanceRef(STANDARD_ID) },
			{ credential: { accessKeyId: 'no-such-key' } },
		);
		const error = nodeErrorOf(result);
		expect(error.message).toContain('InvalidAccessKeyId.NotFound');
		expect(error.description).toMatch(/AccessKey/);
	});

	it('an unknown instance maps InvalidInstanceId.NotFound with a hint, not retried', async () => {
		const mark = markRequests(emulator);
		const result = await list('r-nosuchinstance1');
		const error = nodeErrorOf(result);
		expect(error.message).toContain('InvalidInstanceId.NotFound');
		expect(error.description).toMatch(REQUEST_ID);
		expect(error.description).toMatch(/Check the instance ID, the region/);
		expect(error.httpCode).toBe('404');
		expect(requestsSince(emulator, mark)).toHaveLength(1);
	});

	it('an instance in another region than the one asked for is not found', async () => {
		const result = await runAlibabaNode(emulator, {
			resource: 'backup',
			operation: 'list',
			instanceId: instanceRef(STANDARD_ID),
			region: 'cn-beijing',
		});
		expect(nodeErrorOf(result).message).toContain('InvalidInstanceId.NotFound');
	});

	it('Throttling.User twice, then success: the read is retried and succeeds', async () => {
		emulator.alibaba.faults.push({ kind: 'throttle', action: 'DescribeBackups', times: 2 });
		const mark = markRequests(emulator);
		const result = await list();
		expect(result.status).toBe('success');
		expect(result.output(NODE_NAME)).toHaveLength(3);
		expect(requestsSince(emulator, mark, 'DescribeBackups').map((r) => r.code ?? r.status)).toEqual([
			'Throttling.User',
			'Throttling.User',
			200,
		]);
	});

	it('a 503 on a read is retried', async () => {
		emulator.alibaba.faults.push({ kind: 'serverError', action: 'DescribeBackups' });
		const mark = markRequests(emulator);
		const result = await list();
		expect(result.status).toBe('success');
		expect(result.output(NODE_NAME)).toHaveLength(3);
		expect(requestsSince(emulator, mark, 'DescribeBackups').map((r) => r.status)).toEqual([503, 200]);
	});

	it('a 500 InternalError on a read is retried', async () => {
		emulator.alibaba.faults.push({ kind: 'serverError', status: 500, action: 'DescribeBackups' });
		const mark = markRequests(emulator);
		const result = await list();
		expect(result.status).toBe('success');
		expect(requestsSince(emulator, mark, 'DescribeBackups').map((r) => r.status)).toEqual([500, 200]);
	});

	it('a connection reset on a read is retried', async () => {
		emulator.alibaba.faults.push({ kind: 'reset', action: 'DescribeBackups' });
		const mark = markRequests(emulator);
		const result = await list();
		expect(result.status).toBe('success');
		expect(requestsSince(emulator, mark, 'DescribeBackups').map((r) => r.fault ?? r.status)).toEqual(['reset', 200]);
	});

	it('an unreadable (cut) JSON answer to a read is retried, then succeeds', async () => {
		emulator.alibaba.faults.push({ kind: 'malformedJson', action: 'DescribeBackups' });
		const mark = markRequests(emulator);
		const result = await list();
		expect(result.status).toBe('success');
		expect(result.output(NODE_NAME)).toHaveLength(3);
		expect(requestsSince(emulator, mark, 'DescribeBackups').map((r) => r.fault ?? 'ok')).toEqual(['malformedJson', 'ok']);
	});

	it('a read that keeps being reset gives up after 4 tries with an error naming the call', async () => {
		emulator.alibaba.faults.push({ kind: 'reset', action: 'DescribeBackups', times: 10 });
		const mark = markRequests(emulator);
		const result = await list();
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		// The node's own message, not n8n's generic text for ECONNRESET.
		expect(error.message).toBe('No answer from Alibaba Cloud for DescribeBackups (ECONNRESET): socket hang up');
		expect(error.description).toMatch(/endpoint/);
		expect(requestsSince(emulator, mark, 'DescribeBackups')).toHaveLength(4);
	});

	it('a non-retryable cloud error is not retried (InvalidParameter)', async () => {
		emulator.alibaba.faults.push({ kind: 'error', action: 'DescribeBackups', code: 'InvalidParameter', message: 'The specified parameter "X" is not valid.' });
		const mark = markRequests(emulator);
		const result = await list();
		const error = nodeErrorOf(result);
		expect(error.message).toContain('InvalidParameter');
		expect(error.description).toMatch(/Check the parameters/);
		expect(requestsSince(emulator, mark)).toHaveLength(1);
	});

	it('an endpoint that is not listening gives a network error naming the call', async () => {
		const result = await runAlibabaNode(
			emulator,
			{ resource: 'backup', operation: 'list', instanceId: instanceRef(STANDARD_ID) },
			{ credential: { endpoint: 'http://127.0.0.1:1' } },
		);
		const error = nodeErrorOf(result);
		expect(error.message).toMatch(/^No answer from Alibaba Cloud for DescribeBackups \(ECONNREFUSED\): connect ECONNREFUSED/);
	}, 15_000);

	// The endpoint is echoed without user info or query string: either may carry a secret.
	it.each([
		['another scheme', 'ftp://127.0.0.1:21', 'ftp://127.0.0.1:21', /only http and https/],
		['a space in the host', 'http://exa mple.com', 'http://exa mple.com', /not a URL/],
		['a query string', 'https://r-kvstore.aliyuncs.com/?x=1', 'https://r-kvstore.aliyuncs.com/', /query string/],
		['user info', 'https://admin:s3cretPa55@proxy.example.com/', 'https://proxy.example.com/', /user name or password/],
	])('Create with an Endpoint that is not valid (%s): a clear credential error, not "may or may not have been started"', async (_label, endpoint, shown, reason) => {
		const mark = markRequests(emulator);
		const result = await runAlibabaNode(
			emulator,
			{ resource: 'backup', operation: 'create', instanceId: instanceRef(STANDARD_ID) },
			{ credential: { endpoint } },
		);
		const error = nodeErrorOf(result);
		expect(error.message).toContain(`CreateBackup was not sent: The Endpoint "${shown}" of the Alibaba Cloud credential is not valid`);
		expect(error.message).toMatch(reason);
		expect(JSON.stringify(result.run.data)).not.toMatch(/s3cretPa55|x=1/);
		expect(error.message).not.toMatch(/may or may not/);
		expect(error.description).toMatch(/Endpoint/);
		expect(requestsSince(emulator, mark)).toHaveLength(0);
	});

	it('an Endpoint with a path keeps it: requests go to that path, signed with it (the emulator checks)', async () => {
		const mark = markRequests(emulator);
		const result = await runAlibabaNode(
			emulator,
			{ resource: 'backup', operation: 'list', instanceId: instanceRef(STANDARD_ID), limit: 1 },
			{ credential: { endpoint: `${emulator.alibaba.endpoint}/aliyun/` } },
		);
		expect(result.status).toBe('success');
		const requests = requestsSince(emulator, mark, 'DescribeBackups');
		expect(requests.map((r) => [r.path, r.status])).toEqual([['/aliyun/', 200]]);
	});

	it('an AccessKey Secret pasted with a trailing newline still signs correctly', async () => {
		const result = await runAlibabaNode(
			emulator,
			{ resource: 'backup', operation: 'list', instanceId: instanceRef(STANDARD_ID), limit: 1 },
			{ credential: { accessKeySecret: 'emulator-secret\n ' } },
		);
		expect(result.status).toBe('success');
		expect(result.output(NODE_NAME)).toHaveLength(1);
	});
});
