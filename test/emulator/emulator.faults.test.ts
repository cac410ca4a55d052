import * as $Kv from '@alicloud/r-kvstore20150101';

import { CloudEmulator } from '../../emulator';
import { sdkClient, sdkError, signedCall } from './helpers';

/** Each API fault kind, seen through the official SDK where it matters (that is what a client meets). */
describe('Alibaba emulator API fault injection', () => {
	const emulator = new CloudEmulator();
	const ali = emulator.alibaba;
	const regions = () => sdkClient(ali).describeRegions(new $Kv.DescribeRegionsRequest({}));

	beforeAll(() => emulator.start());
	afterAll(() => emulator.stop());
	afterEach(() => ali.faults.clear());

	it('throttle: HTTP 400 Throttling.User, then the next call succeeds', async () => {
		ali.faults.push({ kind: 'throttle' });
		const err = await sdkError(regions());
		expect(err).toMatchObject({ statusCode: 400, code: 'Throttling.User', name: 'ThrottlingError' });
		expect(err.message).toContain('Request was denied due to user flow control.');
		expect(ali.requests.at(-1)).toMatchObject({ status: 400, code: 'Throttling.User', fault: 'throttle' });
		expect((await regions()).statusCode).toBe(200);
	});

	it('serverError: 503 ServiceUnavailable by default, 500 InternalError on request', async () => {
		ali.faults.push({ kind: 'serverError' });
		ali.faults.push({ kind: 'serverError', status: 500 });
		expect(await sdkError(regions())).toMatchObject({ statusCode: 503, code: 'ServiceUnavailable' });
		expect(await sdkError(regions())).toMatchObject({ statusCode: 500, code: 'InternalError' });
	});

	it('reset: the socket is destroyed without an answer', async () => {
		ali.faults.push({ kind: 'reset' });
		const err = await sdkError(regions());
		expect(err.message).toMatch(/socket hang up|ECONNRESET/);
		expect(ali.requests.at(-1)).toMatchObject({ status: 0, fault: 'reset' });
	});

	it('malformedJson: HTTP 200 with a body cut in the middle', async () => {
		ali.faults.push({ kind: 'malformedJson' });
		const raw = await signedCall(ali, { action: 'DescribeRegions' });
		expect(raw.status).toBe(200);
		expect(() => raw.json()).toThrow();
		ali.faults.push({ kind: 'malformedJson' });
		await expect(regions()).rejects.toThrow();
	});

	it('error: any status, code and message, for a given action only, a given number of times', async () => {
		ali.faults.push({
			action: 'DescribeBackupTasks',
			kind: 'error',
			status: 403,
			code: 'Forbidden.RAM',
			message: 'User not authorized to operate on the specified resource.',
			times: 2,
		});
		expect((await regions()).statusCode).toBe(200);
		const tasks = () =>
			sdkClient(ali).describeBackupTasks(new $Kv.DescribeBackupTasksRequest({ instanceId: 'r-demostandard01' }));
		expect(await sdkError(tasks())).toMatchObject({ statusCode: 403, code: 'Forbidden.RAM' });
		expect(await sdkError(tasks())).toMatchObject({ statusCode: 403, code: 'Forbidden.RAM' });
		expect((await tasks()).statusCode).toBe(200);
		expect(ali.faults.pending()).toEqual([]);
	});

	it('delayMs holds the answer back; download-only kinds are left for downloads', async () => {
		ali.faults.push({ kind: 'truncatedBody' });
		ali.faults.push({ kind: 'throttle', delayMs: 150 });
		const started = Date.now();
		await sdkError(regions());
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		expect(ali.faults.pending()).toEqual([expect.objectContaining({ kind: 'truncatedBody', times: 1 })]);
	});
});
