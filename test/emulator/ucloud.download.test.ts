import { CloudEmulator, crc64, ManualClock } from '../../emulator';
import { download } from './helpers';
import { ucloud, us3Etag } from './ucloud.helpers';

/** US3 downloads: the US3 ETag and no CRC-64, Range, presigned URLs that expire, JSON errors, every download fault. */
describe('UCloud emulator US3 downloads', () => {
	const clock = new ManualClock(Date.now());
	const emulator = new CloudEmulator({ clock, seed: false });
	const uc = emulator.ucloud;
	const SIZE = 100000;
	const BIG = 9 * 1048576 + 12345;
	let backupId: string;
	let url: string;
	let whole: Buffer;

	const bytes = async (ref: string): Promise<Buffer> => {
		const chunks: Buffer[] = [];
		for await (const chunk of uc.fileStream(ref)) chunks.push(chunk as Buffer);
		return Buffer.concat(chunks);
	};
	const urlOf = async (id: string): Promise<string> => (await ucloud(uc, 'DescribeURedisBackupURL', { BackupId: id })).BackupPath;
	const lastDownload = () => uc.requests.filter((r) => r.action === 'Download').at(-1);
	const errorOf = (res: { body: Buffer }) => JSON.parse(res.body.toString()) as { RetCode: number; ErrMsg: string };

	beforeAll(async () => {
		await emulator.start();
		uc.addInstance({ groupId: 'uredis-dl0001', region: 'cn-bj2', zone: 'cn-bj2-04' });
		backupId = uc.addBackup({ groupId: 'uredis-dl0001', startMs: clock.now() - 120000, sizeBytes: SIZE, type: 'Manual' }).backupId;
		url = await urlOf(backupId);
		whole = await bytes(backupId);
	});
	afterAll(() => emulator.stop());
	afterEach(() => {
		uc.faults.clear();
		uc.settings.rangeRequests = 'standard';
		clock.set(Date.now());
	});

	describe('US3 objects', () => {
		it('serves the bytes with the US3 ETag (SHA-1 based, not MD5), X-SessionId, Accept-Ranges and no CRC-64', async () => {
			const res = await download(url);
			expect(res.status).toBe(200);
			expect(res.body.equals(whole)).toBe(true);
			expect(res.headers['content-length']).toBe(String(SIZE));
			// One 4 MiB block: AQAAAA (the block count 1, little-endian) then the SHA-1, as in US3's PutFile sample.
			expect(res.headers.etag).toBe(`"${us3Etag(whole)}"`);
			expect(res.headers.etag).toMatch(/^"AQAAA[A-Za-z0-9_-]{27}"$/);
			expect(res.headers.etag).toBe(`"${await uc.fileEtag(backupId)}"`);
			expect(res.headers['x-sessionid']).toMatch(/^[0-9a-f-]{36}$/);
			expect(res.headers['accept-ranges']).toBe('bytes');
			expect(res.headers['content-md5']).toBeUndefined();
			expect(Object.keys(res.headers).filter((h) => /crc/i.test(h))).toEqual([]);
			// fileCrc64 is there for a test's own check; US3 never sends it.
			expect(await uc.fileCrc64(backupId)).toBe(crc64(whole));
			expect(lastDownload()).toMatchObject({ method: 'GET', action: 'Download', status: 200, bytesSent: SIZE });
			// The intranet URL (InnerBackupPath) serves the same object; HEAD gets the headers only.
			const inner = await download(url.replace('/ufile/', '/ufile-internal/'));
			expect(inner.body.equals(whole)).toBe(true);
			const head = await download(url, { method: 'HEAD' });
			expect(head).toMatchObject({ status: 200, body: Buffer.alloc(0) });
			expect(head.headers.etag).toBe(res.headers.etag);
		});

		it('the US3 ETag of a multi-block file is the SHA-1 of the blocks\' SHA-1s, with the block count in front', async () => {
			const big = uc.addBackup({ groupId: 'uredis-dl0001', startMs: clock.now() - 60000, sizeBytes: BIG }).backupId;
			const content = await bytes(big);
			const res = await download(await urlOf(big));
			expect(res.body.equals(content)).toBe(true);
			expect(res.headers.etag).toBe(`"${us3Etag(content)}"`);
			// Three blocks: 03 00 00 00.
			expect(Buffer.from((res.headers.etag as string).slice(1, -1), 'base64url').subarray(0, 4)).toEqual(Buffer.from([3, 0, 0, 0]));
		});

		it('a file above etagMaxBytes is served without ETag until fileEtag() computed it', async () => {
			uc.settings.etagMaxBytes = 1000;
			const id = uc.addBackup({ groupId: 'uredis-dl0001', startMs: clock.now() - 60000, sizeBytes: 5000 }).backupId;
			const link = await urlOf(id);
			expect((await download(link)).headers.etag).toBeUndefined();
			const etag = await uc.fileEtag(id);
			expect((await download(link)).headers.etag).toBe(`"${etag}"`);
			uc.settings.etagMaxBytes = 512 * 1048576;
		});

		it('answers Range requests with 206 and the part; 416 past the end (JSON error); ignores Range in "ignore" mode', async () => {
			const part = await download(url, { headers: { Range: 'bytes=60000-' } });
			expect(part.status).toBe(206);
			expect(part.headers['content-range']).toBe(`bytes 60000-${SIZE - 1}/${SIZE}`);
			expect(part.headers['content-length']).toBe(String(SIZE - 60000));
			expect(part.body.equals(whole.subarray(60000))).toBe(true);
			// The ETag is the whole object's, also on a part.
			expect(part.headers.etag).toBe(`"${us3Etag(whole)}"`);
			expect(lastDownload()).toMatchObject({ range: 'bytes=60000-', status: 206, contentRange: `bytes 60000-${SIZE - 1}/${SIZE}` });
			const middle = await download(url, { headers: { Range: 'bytes=10-19' } });
			expect(middle.body.equals(whole.subarray(10, 20))).toBe(true);
			const past = await download(url, { headers: { Range: `bytes=${SIZE}-` } });
			expect(past.status).toBe(416);
			expect(past.headers['content-type']).toBe('application/json');
			expect(past.headers['content-range']).toBe(`bytes */${SIZE}`);
			expect(errorOf(past)).toEqual({ RetCode: -1, ErrMsg: 'invalid range' });
			uc.settings.rangeRequests = 'ignore';
			const ignored = await download(url, { headers: { Range: 'bytes=60000-' } });
			expect(ignored.status).toBe(200);
			expect(ignored.body.length).toBe(SIZE);
			expect(ignored.headers['accept-ranges']).toBeUndefined();
		});

		it('URLs expire after settings.urlTtlMs (4 h): Expires is checked before the signature', async () => {
			const link = await urlOf(backupId);
			const expires = Number(new URL(link).searchParams.get('Expires'));
			expect(expires).toBe(Math.floor((clock.now() + 4 * 3600000) / 1000));
			clock.set(expires * 1000);
			expect((await download(link)).status).toBe(200);
			clock.set(expires * 1000 + 1000);
			const expired = await download(link);
			expect(expired.status).toBe(403);
			expect(expired.headers['content-type']).toBe('application/json');
			expect(errorOf(expired)).toEqual({ RetCode: -1, ErrMsg: expect.stringContaining('expired') });
			expect(expired.headers['x-sessionid']).toBeTruthy();
			expect(lastDownload()).toMatchObject({ status: 403, code: '-1' });
			// Expired and tampered: the expiry answers first.
			expect(errorOf(await download(link.replace(/Signature=[^&]+/, 'Signature=AAAA')))).toMatchObject({ RetCode: -1 });
			// A fresh URL works again; a shorter TTL is honoured.
			const fresh = uc.downloadUrls(uc.file(backupId), uc.endpoint, 60000).public;
			expect((await download(fresh)).status).toBe(200);
			clock.advance(61000);
			expect((await download(fresh)).status).toBe(403);
		});

		it('refuses a tampered signature, Expires or key (-148658), a URL without its parameters (-148643), another bucket (-148653)', async () => {
			const tampered = await download(url.replace(/Signature=([^&])/, (_m, c: string) => `Signature=${c === 'A' ? 'B' : 'A'}`));
			expect(tampered.status).toBe(403);
			expect(errorOf(tampered)).toEqual({ RetCode: -148658, ErrMsg: 'invalid signature' });
			const longer = url.replace(/Expires=(\d+)/, (_m, e: string) => `Expires=${Number(e) + 3600}`);
			expect(errorOf(await download(longer)).RetCode).toBe(-148658);
			const otherKey = url.replace(/-([0-9a-f]{8})-/, '-00000000-');
			expect(errorOf(await download(otherKey)).RetCode).toBe(-148658);
			const unsigned = await download(url.split('?')[0]);
			expect(unsigned.status).toBe(401);
			expect(errorOf(unsigned)).toEqual({ RetCode: -148643, ErrMsg: 'no authorization found' });
			const bucket = await download(url.replace('/umembackup-9001/', '/another-bucket/'));
			expect(bucket.status).toBe(404);
			expect(errorOf(bucket)).toEqual({ RetCode: -148653, ErrMsg: 'bucket not exists' });
			// A '+' of the Base64 signature sent unescaped reads as a space; it is still accepted.
			const raw = decodeURIComponent(url.split('Signature=')[1].split('&')[0]);
			const unescaped = url.replace(/Signature=[^&]+/, `Signature=${raw.replace(/\//g, '%2F').replace(/=/g, '%3D')}`);
			expect((await download(unescaped)).status).toBe(200);
		});

		it('a failed backup\'s old URL answers 404 file not exist', async () => {
			const id = uc.addBackup({ groupId: 'uredis-dl0001', startMs: clock.now() - 60000, sizeBytes: 300 }).backupId;
			const link = await urlOf(id);
			uc.failBackup(id);
			const res = await download(link);
			expect(res.status).toBe(404);
			expect(errorOf(res)).toEqual({ RetCode: -148654, ErrMsg: 'file not exist' });
		});
	});

	describe('download faults (shared with the other clouds, US3 dialect)', () => {
		it('throttle: 429 (JSON) with Retry-After on request, or 503', async () => {
			uc.faults.push({ kind: 'throttle', action: 'Download', retryAfterSeconds: 3 });
			const slow = await download(url);
			expect(slow.status).toBe(429);
			expect(slow.headers['retry-after']).toBe('3');
			expect(errorOf(slow)).toEqual({ RetCode: -1, ErrMsg: 'request too frequent' });
			uc.faults.push({ kind: 'throttle', action: 'Download', status: 503 });
			expect((await download(url)).status).toBe(503);
			expect((await download(url)).status).toBe(200);
		});

		it('reset, truncatedBody, stall, corruptBody, slowBody, also on a Range request', async () => {
			uc.faults.push({ kind: 'reset', action: 'Download' });
			const reset = await download(url);
			expect(reset.status).toBe(0);
			expect(lastDownload()).toMatchObject({ status: 0, fault: 'reset' });

			uc.faults.push({ kind: 'truncatedBody', afterBytes: 1000 });
			const cut = await download(url, { headers: { Range: 'bytes=50000-' } });
			expect(cut).toMatchObject({ status: 206, complete: false });
			expect(cut.body.length).toBe(1000);
			expect(lastDownload()).toMatchObject({ fault: 'truncatedBody', range: 'bytes=50000-', bytesSent: 1000 });

			uc.faults.push({ kind: 'stall', afterBytes: 10 });
			const stalled = await download(url, { idleMs: 200 });
			expect(stalled).toMatchObject({ stalled: true });
			expect(stalled.body.length).toBe(10);

			uc.faults.push({ kind: 'corruptBody', offset: 123 });
			const corrupt = await download(url);
			// Same length and the clean ETag: only a content check (the US3 ETag) finds it.
			expect(corrupt.body.length).toBe(SIZE);
			expect(corrupt.headers.etag).toBe(`"${us3Etag(whole)}"`);
			expect(us3Etag(corrupt.body)).not.toBe(us3Etag(whole));
			expect(corrupt.body[123]).toBe(whole[123] ^ 0xff);

			uc.faults.push({ kind: 'slowBody', delayMs: 5 });
			const slow = await download(url);
			expect(slow.body.equals(whole)).toBe(true);
			expect(lastDownload()).toMatchObject({ fault: 'slowBody', bytesSent: SIZE });
		});

		it('redirect, expiredUrl, error, serverError', async () => {
			uc.faults.push({ kind: 'redirect', location: 'data:text/plain,hi' });
			const moved = await download(url);
			expect(moved.status).toBe(302);
			expect(moved.headers.location).toBe('data:text/plain,hi');
			uc.faults.push({ kind: 'expiredUrl' });
			const expired = await download(url);
			expect(expired.status).toBe(403);
			expect(errorOf(expired).ErrMsg).toContain('expired');
			uc.faults.push({ kind: 'error', action: 'Download', status: 403, code: '-148658', message: 'invalid signature' });
			const denied = await download(url);
			expect(denied.status).toBe(403);
			expect(errorOf(denied)).toEqual({ RetCode: -148658, ErrMsg: 'invalid signature' });
			uc.faults.push({ kind: 'serverError', action: 'Download' });
			const failed = await download(url);
			expect(failed.status).toBe(503);
			expect(errorOf(failed).RetCode).toBe(-1);
			expect((await download(url)).status).toBe(200);
		});

		it('API faults and download faults do not mix: a Download fault waits for a download', async () => {
			uc.faults.push({ kind: 'truncatedBody' });
			expect((await ucloud(uc, 'DescribeURedisGroup')).RetCode).toBe(0);
			expect(uc.faults.pending()).toHaveLength(1);
			const cut = await download(url);
			expect(cut.complete).toBe(false);
		});
	});
});
