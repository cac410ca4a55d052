import { request } from 'http';

import { CloudEmulator, crc64, ManualClock } from '../../emulator';
import { download } from './helpers';
import { legacyCall, responseOf, STANDARD, tc3Call } from './tencent.helpers';

/** COS downloads (CRC-64 header, Range, presigned URLs) and every fault kind on the Tencent server. */
describe('Tencent emulator downloads and faults', () => {
	const clock = new ManualClock(Date.now());
	const emulator = new CloudEmulator({ clock });
	const tc = emulator.tencent;
	const SIZE = 100000;
	let backupId: string;
	let url: string;
	let whole: Buffer;
	const ts = () => Math.floor(clock.now() / 1000);
	const call = (action: string, params: Record<string, unknown> = {}) => tc3Call(tc, { action, params, timestamp: ts() });

	beforeAll(async () => {
		await emulator.start();
		backupId = tc.addBackup({ instanceId: STANDARD, startMs: clock.now() - 120000, sizeBytes: SIZE }).backupId;
		const res = responseOf(await call('DescribeBackupUrl', { InstanceId: STANDARD, BackupId: backupId }));
		url = (res.BackupInfos as Array<{ DownloadUrl: string }>)[0].DownloadUrl;
		const chunks: Buffer[] = [];
		for await (const chunk of tc.fileStream(backupId)) chunks.push(chunk as Buffer);
		whole = Buffer.concat(chunks);
	});
	afterAll(() => emulator.stop());
	afterEach(() => {
		tc.faults.clear();
		tc.settings.rangeRequests = 'standard';
		clock.set(Date.now());
	});

	const lastDownload = () => tc.requests.filter((r) => r.action === 'Download').at(-1);

	describe('COS objects', () => {
		it('serves the bytes with x-cos-hash-crc64ecma, ETag, x-cos-request-id, Accept-Ranges', async () => {
			const res = await download(url);
			expect(res.status).toBe(200);
			expect(res.body.equals(whole)).toBe(true);
			expect(res.headers['content-length']).toBe(String(SIZE));
			expect(res.headers['x-cos-hash-crc64ecma']).toBe(crc64(whole));
			expect(res.headers['x-cos-hash-crc64ecma']).toBe(await tc.fileCrc64(backupId));
			expect(res.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
			expect(res.headers['x-cos-request-id']).toBeTruthy();
			expect(res.headers['accept-ranges']).toBe('bytes');
			expect(res.headers.server).toBe('tencent-cos');
			expect(lastDownload()).toMatchObject({ method: 'GET', action: 'Download', status: 200, bytesSent: SIZE });
			const internal = await download(url.replace('/cos/', '/cos-internal/'));
			expect(internal.body.equals(whole)).toBe(true);
		});

		it('answers Range requests with 206, the part and the whole object\'s CRC; 416 past the end', async () => {
			const part = await download(url, { headers: { Range: 'bytes=60000-' } });
			expect(part.status).toBe(206);
			expect(part.headers['content-range']).toBe(`bytes 60000-${SIZE - 1}/${SIZE}`);
			expect(part.body.equals(whole.subarray(60000))).toBe(true);
			expect(part.headers['x-cos-hash-crc64ecma']).toBe(crc64(whole));
			expect(lastDownload()).toMatchObject({ range: 'bytes=60000-', status: 206, contentRange: `bytes 60000-${SIZE - 1}/${SIZE}` });
			const past = await download(url, { headers: { Range: `bytes=${SIZE}-` } });
			expect(past.status).toBe(416);
			expect(past.body.toString()).toContain('<Code>InvalidRange</Code>');
			tc.settings.rangeRequests = 'ignore';
			const ignored = await download(url, { headers: { Range: 'bytes=60000-' } });
			expect(ignored.status).toBe(200);
			expect(ignored.headers['accept-ranges']).toBeUndefined();
		});

		it('refuses an expired URL (after 6 hours) and a tampered one with COS XML 403s', async () => {
			clock.advance(6 * 3600000 + 2000);
			const expired = await download(url);
			expect(expired.status).toBe(403);
			expect(expired.headers['content-type']).toBe('application/xml');
			const xml = expired.body.toString();
			expect(xml).toMatch(/^<\?xml version='1.0' encoding='utf-8' \?>\n<Error>/);
			expect(xml).toContain('<Code>AccessDenied</Code>');
			expect(xml).toContain('<Message>Request has expired</Message>');
			expect(xml).toMatch(/<Resource>redis-database-backup-\d+\.cos\.ap-guangzhou\.myqcloud\.com\/.+<\/Resource>/);
			expect(xml).toContain(`<RequestId>${String(expired.headers['x-cos-request-id'])}</RequestId>`);
			clock.set(Date.now());
			const tampered = await download(url.replace(/q-signature%3D([0-9a-f])/, (_m, c: string) => `q-signature%3D${c === '0' ? '1' : '0'}`));
			expect(tampered.status).toBe(403);
			expect(tampered.body.toString()).toContain('<Code>SignatureDoesNotMatch</Code>');
			const longer = await download(url.replace(/q-key-time%3D(\d+)%3B(\d+)/, (_m, a: string, b: string) => `q-key-time%3D${a}%3B${Number(b) + 3600}`));
			expect(longer.body.toString()).toContain('<Code>SignatureDoesNotMatch</Code>');
			const unsigned = await download(url.split('?')[0]);
			expect(unsigned.status).toBe(403);
			expect(unsigned.body.toString()).toContain('<Code>AccessDenied</Code>');
		});

		it('a failed shard\'s old URL answers NoSuchKey', async () => {
			const set = tc.addClusterBackup({ instanceId: 'crs-democls01', startMs: clock.now() - 60000, shardSizes: [100, 200, 300] });
			const old = tc.downloadUrls(set.shards[2].file!).public;
			tc.failShard(set.backupId, 2);
			const res = await download(old);
			expect(res.status).toBe(404);
			expect(res.body.toString()).toContain('<Code>NoSuchKey</Code>');
		});
	});

	describe('download faults', () => {
		it('throttle: 429 SlowDown (COS XML) with Retry-After on request, or 503', async () => {
			tc.faults.push({ kind: 'throttle', action: 'Download', retryAfterSeconds: 3 });
			const slow = await download(url);
			expect(slow.status).toBe(429);
			expect(slow.headers['retry-after']).toBe('3');
			expect(slow.body.toString()).toContain('<Code>SlowDown</Code>');
			tc.faults.push({ kind: 'throttle', action: 'Download', status: 503 });
			expect((await download(url)).status).toBe(503);
			expect((await download(url)).status).toBe(200);
		});

		it('reset, truncatedBody, stall, corruptBody, slowBody, also on a Range request', async () => {
			tc.faults.push({ kind: 'reset', action: 'Download' });
			const reset = await download(url);
			expect(reset.status).toBe(0);
			expect(lastDownload()).toMatchObject({ status: 0, fault: 'reset' });

			tc.faults.push({ kind: 'truncatedBody', afterBytes: 1000 });
			const cut = await download(url, { headers: { Range: 'bytes=50000-' } });
			expect(cut).toMatchObject({ status: 206, complete: false });
			expect(cut.body.length).toBe(1000);

			tc.faults.push({ kind: 'stall', afterBytes: 10 });
			const stalled = await download(url, { idleMs: 200 });
			expect(stalled).toMatchObject({ stalled: true });
			expect(stalled.body.length).toBe(10);

			tc.faults.push({ kind: 'corruptBody', offset: 123 });
			const corrupt = await download(url);
			expect(corrupt.headers['x-cos-hash-crc64ecma']).toBe(crc64(whole));
			expect(crc64(corrupt.body)).not.toBe(crc64(whole));

			tc.faults.push({ kind: 'slowBody', delayMs: 5 });
			const slow = await download(url);
			expect(slow.body.equals(whole)).toBe(true);
			expect(lastDownload()).toMatchObject({ fault: 'slowBody', bytesSent: SIZE });
		});

		it('redirect, expiredUrl, error, serverError', async () => {
			tc.faults.push({ kind: 'redirect', location: 'data:text/plain,hi' });
			const moved = await download(url);
			expect(moved.status).toBe(302);
			expect(moved.headers.location).toBe('data:text/plain,hi');
			tc.faults.push({ kind: 'expiredUrl' });
			expect((await download(url)).body.toString()).toContain('<Message>Request has expired</Message>');
			tc.faults.push({ kind: 'error', action: 'Download', status: 403, code: 'AccessDenied', message: 'Access Denied.' });
			expect((await download(url)).status).toBe(403);
			tc.faults.push({ kind: 'serverError', action: 'Download' });
			const failed = await download(url);
			expect(failed.status).toBe(503);
			expect(failed.body.toString()).toContain('<Code>InternalError</Code>');
		});
	});

	describe('API 3.0 faults (HTTP 200 with Response.Error unless a status is given)', () => {
		it('throttle: RequestLimitExceeded, then the next call succeeds', async () => {
			tc.faults.push({ kind: 'throttle', action: 'DescribeInstanceBackups' });
			const res = await call('DescribeInstanceBackups', { InstanceId: STANDARD });
			expect(res.status).toBe(200);
			expect(responseOf(res).Error).toMatchObject({ Code: 'RequestLimitExceeded', Message: expect.stringContaining('frequency limit') });
			expect(tc.requests.at(-1)).toMatchObject({ action: 'DescribeInstanceBackups', status: 200, code: 'RequestLimitExceeded', fault: 'throttle' });
			expect(responseOf(await call('DescribeInstanceBackups', { InstanceId: STANDARD })).Error).toBeUndefined();
		});

		it('serverError: InternalError with HTTP 200, or the status the fault gives', async () => {
			tc.faults.push({ kind: 'serverError' });
			const plain = await call('DescribeInstances');
			expect(plain.status).toBe(200);
			expect(responseOf(plain).Error?.Code).toBe('InternalError');
			tc.faults.push({ kind: 'serverError', status: 502 });
			const gateway = await call('DescribeInstances');
			expect(gateway.status).toBe(502);
			expect(responseOf(gateway).Error?.Code).toBe('InternalError');
		});

		it('error: a catalogue code brings its message; times and action are honoured', async () => {
			tc.faults.push({ kind: 'error', action: 'ManualBackupInstance', code: 'ResourceUnavailable.InstanceStatusAbnormal', times: 2 });
			expect(responseOf(await call('DescribeInstances')).Error).toBeUndefined();
			for (let i = 0; i < 2; i++) {
				const res = responseOf(await call('ManualBackupInstance', { InstanceId: STANDARD }));
				expect(res.Error).toEqual({
					Code: 'ResourceUnavailable.InstanceStatusAbnormal',
					Message: 'The Redis status is exceptional, and the corresponding process cannot be executed.',
				});
			}
			expect(typeof responseOf(await call('ManualBackupInstance', { InstanceId: STANDARD })).TaskId).toBe('number');
			tc.faults.push({ kind: 'error', code: 'UnauthorizedOperation.NoCAMAuthed', status: 403 });
			expect((await call('DescribeInstances')).status).toBe(403);
		});

		it('answer: the body verbatim after a good signature; a bad signature still fails', async () => {
			const body = { Response: { TotalCount: 1, BackupSet: [null], RequestId: 'x' } };
			tc.faults.push({ kind: 'answer', action: 'DescribeInstanceBackups', body });
			expect((await call('DescribeInstanceBackups', { InstanceId: STANDARD })).json()).toEqual(body);
			tc.faults.push({ kind: 'answer', body });
			const refused = await tc3Call(tc, { action: 'DescribeInstances', secretKey: 'wrong', timestamp: ts() });
			expect(responseOf(refused).Error?.Code).toBe('AuthFailure.SignatureFailure');
			expect(tc.faults.pending()).toEqual([]);
		});

		it('malformedJson, reset, silent, delayMs', async () => {
			tc.faults.push({ kind: 'malformedJson' });
			const cut = await call('DescribeInstances');
			expect(cut.status).toBe(200);
			expect(() => cut.json()).toThrow();
			tc.faults.push({ kind: 'reset', rst: true });
			await expect(call('DescribeInstances')).rejects.toThrow(/ECONNRESET/);
			tc.faults.push({ kind: 'reset' });
			await expect(call('DescribeInstances')).rejects.toThrow(/socket hang up|ECONNRESET/);
			tc.faults.push({ kind: 'silent' });
			const silent = await new Promise<string>((resolve) => {
				const req = request(`${tc.endpoint}/`, { method: 'POST', timeout: 200 }, () => resolve('answered'));
				req.on('timeout', () => {
					req.destroy();
					resolve('timed out');
				});
				req.on('error', () => resolve('error'));
				req.end('{}');
			});
			expect(silent).toBe('timed out');
			expect(tc.requests.at(-1)).toMatchObject({ status: 0, fault: 'silent' });
			tc.faults.push({ kind: 'throttle', delayMs: 150 });
			const started = Date.now();
			await call('DescribeInstances');
			expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		});
	});

	describe('legacy API faults ({code, message, codeDesc}, HTTP 200)', () => {
		const list = { limit: '10', offset: '0', redisId: STANDARD };
		const legacy = async () => (await legacyCall(tc, { action: 'GetRedisBackupList', params: list, timestamp: ts() })).json();

		it('throttle 4400, serverError 6000, error by number or codeDesc, answer, malformedJson', async () => {
			tc.faults.push({ kind: 'throttle', action: 'GetRedisBackupList' });
			expect(await legacy()).toMatchObject({ code: 4400 });
			expect(tc.requests.at(-1)).toMatchObject({ action: 'GetRedisBackupList', code: '4400', fault: 'throttle' });
			tc.faults.push({ kind: 'serverError' });
			expect(await legacy()).toMatchObject({ code: 6000, codeDesc: 'InternalError' });
			tc.faults.push({ kind: 'error', code: '10701' });
			expect(await legacy()).toMatchObject({ code: 10701, codeDesc: 'InstanceNotExists' });
			tc.faults.push({ kind: 'error', code: 'BackupStatusAbnormal' });
			expect(await legacy()).toMatchObject({ code: 10711 });
			tc.faults.push({ kind: 'answer', body: { code: 0, message: '', codeDesc: 'Success', totalCount: 1, data: { redisBackupSet: [{}] } } });
			expect(await legacy()).toMatchObject({ totalCount: 1, data: { redisBackupSet: [{}] } });
			tc.faults.push({ kind: 'malformedJson' });
			const raw = await legacyCall(tc, { action: 'GetRedisBackupList', params: list, timestamp: ts() });
			expect(() => raw.json()).toThrow();
			expect(await legacy()).toMatchObject({ code: 0 });
		});
	});
});
