import * as $Kv from '@alicloud/r-kvstore20150101';

import { CloudEmulator } from '../../emulator';
import { sdkClient, sdkError, signedCall, SECRET } from './helpers';

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
		ali.faults.push({ kind: 'reset', rst: true });
		expect((await sdkError(regions())).message).toMatch(/read ECONNRESET/);
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
	it('silent: the call is read and never answered, until the client times out', async () => {
		ali.faults.push({ kind: 'silent', action: 'DescribeRegions' });
		const started = Date.now();
		const err = await sdkError(
			sdkClient(ali, { readTimeout: 300 }).describeRegions(new $Kv.DescribeRegionsRequest({})),
		);
		expect(Date.now() - started).toBeGreaterThanOrEqual(280);
		expect(err.message).toMatch(/timeout|timed out/i);
		expect(ali.requests.at(-1)).toMatchObject({ action: 'DescribeRegions', status: 0, fault: 'silent' });
		expect((await regions()).statusCode).toBe(200);
	});

	describe('error with Alibaba codes', () => {
		it('403 IncorrectDBInstanceState with a message: status, and Code/Message/RequestId/HostId as Alibaba sends', async () => {
			ali.faults.push({
				action: 'CreateBackup',
				kind: 'error',
				status: 403,
				code: 'IncorrectDBInstanceState',
				message: 'Current DB instance state does not support this operation.',
			});
			const raw = await signedCall(ali, { action: 'CreateBackup', params: { InstanceId: 'r-demostandard01' } });
			expect(raw.status).toBe(403);
			const body = raw.json();
			expect(body).toMatchObject({
				Code: 'IncorrectDBInstanceState',
				Message: 'Current DB instance state does not support this operation.',
				HostId: 'r-kvstore.aliyuncs.com',
				RequestId: raw.headers['x-acs-request-id'],
			});
			expect(body.Recommend).toContain('IncorrectDBInstanceState');
			expect(ali.requests.at(-1)).toMatchObject({ status: 403, code: 'IncorrectDBInstanceState', fault: 'error' });
		});

		it('a code from the catalogue alone brings its status and message; through the SDK too', async () => {
			const tasks = ali.store.tasks.length;
			ali.faults.push({ action: 'CreateBackup', kind: 'error', code: 'IncorrectDBInstanceState' });
			const err = await sdkError(
				sdkClient(ali).createBackup(new $Kv.CreateBackupRequest({ instanceId: 'r-demostandard01' })),
			);
			expect(err).toMatchObject({ statusCode: 403, code: 'IncorrectDBInstanceState' });
			expect(err.message).toContain('Current DB instance state does not support this operation.');
			expect(ali.store.tasks.length).toBe(tasks);
		});
	});

	describe('answer: a test-given body, verbatim', () => {
		const call = (action: string, params: Record<string, string> = {}) => signedCall(ali, { action, params });

		it('fuzzed lists: null entries, records without ids, epoch-millisecond times', async () => {
			const body = {
				RequestId: 'FUZZ',
				TotalCount: 3,
				PageNumber: 1,
				PageSize: 30,
				Backups: {
					Backup: [
						null,
						{ BackupStatus: 'Success', BackupSize: 10 },
						{ BackupId: 1, BackupStartTime: 1740830400000, BackupEndTime: '1740830460000' },
					],
				},
			};
			ali.faults.push({ action: 'DescribeBackups', kind: 'answer', body });
			const raw = await call('DescribeBackups', { InstanceId: 'r-demostandard01' });
			expect(raw.status).toBe(200);
			expect(raw.headers['content-type']).toMatch(/^application\/json/);
			expect(raw.json()).toEqual(body);
			expect(ali.requests.at(-1)).toMatchObject({ action: 'DescribeBackups', status: 200, fault: 'answer' });
			// Used up: the next call gets the real answer (which would fail validation: no StartTime given).
			expect((await call('DescribeBackups', { InstanceId: 'r-demostandard01' })).status).toBe(400);
		});

		it('CreateBackup without BackupJobID: the SDK sees no job id, and no task was started', async () => {
			const tasks = ali.store.tasks.length;
			ali.faults.push({ action: 'CreateBackup', kind: 'answer', body: { RequestId: 'NO-JOB' } });
			const res = await sdkClient(ali).createBackup(new $Kv.CreateBackupRequest({ instanceId: 'r-demostandard01' }));
			expect(res.statusCode).toBe(200);
			expect(res.body?.requestId).toBe('NO-JOB');
			expect(res.body?.backupJobID).toBeUndefined();
			expect(ali.store.tasks.length).toBe(tasks);
		});

		it('any status and any JSON (null, an array), times, only for the action named, only when signed right', async () => {
			ali.faults.push({ action: 'DescribeBackupTasks', kind: 'answer', status: 500, body: null, times: 2 });
			ali.faults.push({ action: 'DescribeInstances', kind: 'answer', body: [{ InstanceId: 'r-x' }] });
			expect((await call('DescribeRegions')).status).toBe(200);
			for (let i = 0; i < 2; i++) {
				const raw = await call('DescribeBackupTasks', { InstanceId: 'r-demostandard01' });
				expect(raw.status).toBe(500);
				expect(raw.body.toString()).toBe('null');
			}
			expect((await call('DescribeBackupTasks', { InstanceId: 'r-demostandard01' })).json().BackupJobs).toEqual([]);
			const refused = await signedCall(ali, { action: 'DescribeInstances', secret: `${SECRET}-wrong` });
			expect(refused.status).toBe(400);
			expect(refused.json().Code).toBe('SignatureDoesNotMatch');
			// The fault was drawn by the refused call all the same: a fault applies to the next matching request.
			expect(ali.faults.pending()).toEqual([]);
		});

		it('an answer body that looks like an error is logged with its Code', async () => {
			ali.faults.push({ kind: 'answer', status: 400, body: { Code: 'Weird.Code', Message: 'fuzz' } });
			const raw = await call('DescribeRegions');
			expect(raw.status).toBe(400);
			expect(ali.requests.at(-1)).toMatchObject({ status: 400, code: 'Weird.Code', fault: 'answer' });
		});
	});
});
