import { CloudEmulator, crc64, ManualClock } from '../../emulator';
import { download, signedCall } from './helpers';

/** The download faults a downloader must survive, on whole and on ranged (resumed) requests. */
describe('Alibaba emulator download faults', () => {
	const clock = new ManualClock(Date.parse('2025-03-01T12:00:00Z'));
	const emulator = new CloudEmulator({ clock });
	const ali = emulator.alibaba;
	const SIZE = 100000;
	let url: string;
	let whole: Buffer;
	let wholeCrc: string;

	beforeAll(async () => {
		await emulator.start();
		const record = ali.addBackup({ instanceId: 'r-demostandard01', startMs: clock.now() - 120000, sizeBytes: SIZE });
		url = ali.downloadUrls(record.file!).public;
		whole = (await download(url)).body;
		wholeCrc = crc64(whole);
	});
	afterAll(() => emulator.stop());
	afterEach(() => ali.faults.clear());

	const downloads = () => ali.requests.filter((r) => r.action === 'Download');
	const lastDownload = () => downloads().at(-1);
	const differences = (a: Buffer, b: Buffer) => [...a.keys()].filter((i) => a[i] !== b[i]);

	describe('corruptBody', () => {
		it('same status, length and headers (the clean CRC), one byte flipped in the middle', async () => {
			ali.faults.push({ kind: 'corruptBody' });
			const res = await download(url);
			expect(res.status).toBe(200);
			expect(res.complete).toBe(true);
			expect(res.headers['content-length']).toBe(String(SIZE));
			expect(res.headers['x-oss-hash-crc64ecma']).toBe(wholeCrc);
			expect(res.body.length).toBe(SIZE);
			expect(differences(res.body, whole)).toEqual([SIZE / 2]);
			expect(res.body[SIZE / 2]).toBe(whole[SIZE / 2] ^ 0xff);
			expect(crc64(res.body)).not.toBe(wholeCrc);
			expect(lastDownload()).toMatchObject({ status: 200, fault: 'corruptBody' });
			expect((await download(url)).body.equals(whole)).toBe(true);
		});

		it('at a given object offset, also inside a range response; by default the middle of the part', async () => {
			ali.faults.push({ kind: 'corruptBody', offset: 70000 });
			const part = await download(url, { headers: { Range: 'bytes=60000-' } });
			expect(part.status).toBe(206);
			expect(part.headers['x-oss-hash-crc64ecma']).toBe(wholeCrc);
			expect(differences(part.body, whole.subarray(60000))).toEqual([10000]);
			ali.faults.push({ kind: 'corruptBody' });
			const middle = await download(url, { headers: { Range: 'bytes=60000-' } });
			expect(differences(middle.body, whole.subarray(60000))).toEqual([20000]);
			ali.faults.push({ kind: 'corruptBody', offset: 0 });
			const outside = await download(url, { headers: { Range: 'bytes=60000-' } });
			expect(outside.body.equals(whole.subarray(60000))).toBe(true);
		});
	});

	describe('throttle', () => {
		it('429 QpsLimitExceeded by default (OSS XML), Retry-After on request, then the next one passes', async () => {
			ali.faults.push({ kind: 'throttle', action: 'Download' });
			const res = await download(url);
			expect(res.status).toBe(429);
			expect(res.headers['content-type']).toBe('application/xml');
			expect(res.headers['retry-after']).toBeUndefined();
			expect(res.body.toString()).toContain('<Code>QpsLimitExceeded</Code>');
			expect(lastDownload()).toMatchObject({ status: 429, code: 'QpsLimitExceeded', fault: 'throttle' });
			ali.faults.push({ kind: 'throttle', retryAfterSeconds: 2 });
			expect((await download(url)).headers['retry-after']).toBe('2');
			expect((await download(url)).status).toBe(200);
		});

		it('status 503: OSS XML <Code>SlowDown</Code>', async () => {
			ali.faults.push({ kind: 'throttle', status: 503 });
			const res = await download(url, { headers: { Range: 'bytes=500-' } });
			expect(res.status).toBe(503);
			const xml = res.body.toString();
			expect(xml).toContain('<Code>SlowDown</Code>');
			expect(xml).toContain('<Message>Please reduce your request rate.</Message>');
			expect(xml).toMatch(/<RequestId>[0-9A-F]{24}<\/RequestId>/);
			expect(lastDownload()).toMatchObject({ status: 503, code: 'SlowDown', range: 'bytes=500-' });
		});
	});

	describe('stall', () => {
		it('sends the headers and afterBytes, then nothing, without ending, until the client gives up', async () => {
			ali.faults.push({ kind: 'stall', afterBytes: 20000 });
			const res = await download(url, { idleMs: 300 });
			expect(res.stalled).toBe(true);
			expect(res.status).toBe(200);
			expect(res.headers['content-length']).toBe(String(SIZE));
			expect(res.complete).toBe(false);
			expect(res.body.equals(whole.subarray(0, 20000))).toBe(true);
			expect(lastDownload()).toMatchObject({ status: 200, fault: 'stall', bytesSent: 20000 });
			expect((await download(url)).body.equals(whole)).toBe(true);
		});

		it('on a resumed request: half the part by default; afterBytes 0 stalls right after the headers', async () => {
			ali.faults.push({ kind: 'stall' });
			const part = await download(url, { headers: { Range: 'bytes=50000-' }, idleMs: 300 });
			expect(part).toMatchObject({ status: 206, stalled: true });
			expect(part.body.equals(whole.subarray(50000, 75000))).toBe(true);
			ali.faults.push({ kind: 'stall', afterBytes: 0 });
			const none = await download(url, { headers: { Range: 'bytes=50000-' }, idleMs: 300 });
			expect(none).toMatchObject({ status: 206, stalled: true });
			expect(none.body.length).toBe(0);
			expect(lastDownload()).toMatchObject({ status: 206, range: 'bytes=50000-', bytesSent: 0 });
		});
	});

	describe('redirect', () => {
		it.each(['file:///etc/passwd', 'data:text/plain,hi', 'http://127.0.0.1:9/elsewhere.rdb'])(
			'302 to %s',
			async (location) => {
				ali.faults.push({ kind: 'redirect', location });
				const res = await download(url);
				expect(res.status).toBe(302);
				expect(res.headers.location).toBe(location);
				expect(res.body.length).toBe(0);
				expect(lastDownload()).toMatchObject({ status: 302, fault: 'redirect' });
			},
		);

		it('file:///etc/passwd by default; another redirect status on request', async () => {
			ali.faults.push({ kind: 'redirect' });
			expect((await download(url)).headers.location).toBe('file:///etc/passwd');
			ali.faults.push({ kind: 'redirect', status: 307, location: 'http://127.0.0.1:9/x' });
			expect((await download(url)).status).toBe(307);
		});
	});

	describe('truncatedBody and reset', () => {
		it('truncatedBody announces the full length, sends afterBytes and closes the connection', async () => {
			ali.faults.push({ kind: 'truncatedBody', afterBytes: 30000 });
			const res = await download(url, { idleMs: 2000 });
			expect(res.stalled).toBe(false);
			expect(res.headers['content-length']).toBe(String(SIZE));
			expect(res.complete).toBe(false);
			expect(res.body.equals(whole.subarray(0, 30000))).toBe(true);
			expect(lastDownload()).toMatchObject({ status: 200, fault: 'truncatedBody', bytesSent: 30000 });
		});

		it('truncatedBody cuts a range response too: half the part by default, never the whole part', async () => {
			ali.faults.push({ kind: 'truncatedBody' });
			const half = await download(url, { headers: { Range: 'bytes=90000-' }, idleMs: 2000 });
			expect(half).toMatchObject({ status: 206, complete: false, stalled: false });
			expect(half.headers['content-length']).toBe('10000');
			expect(half.body.equals(whole.subarray(90000, 95000))).toBe(true);
			ali.faults.push({ kind: 'truncatedBody', afterBytes: 10 ** 9 });
			const most = await download(url, { headers: { Range: 'bytes=90000-' }, idleMs: 2000 });
			expect(most.complete).toBe(false);
			expect(most.body.length).toBe(9999);
		});

		it('reset closes the connection before any header; rst sends a TCP reset (ECONNRESET)', async () => {
			ali.faults.push({ kind: 'reset' });
			const closed = await download(url);
			expect(closed).toMatchObject({ status: 0, complete: false });
			expect(closed.error).toMatch(/socket hang up/);
			ali.faults.push({ kind: 'reset', rst: true, action: 'Download' });
			const reset = await download(url, { headers: { Range: 'bytes=10-' } });
			expect(reset).toMatchObject({ status: 0, errorCode: 'ECONNRESET' });
			expect(reset.error).toMatch(/ECONNRESET/);
			expect(lastDownload()).toMatchObject({ status: 0, fault: 'reset', range: 'bytes=10-' });
		});

		it('silent: the request is accepted and never answered', async () => {
			ali.faults.push({ kind: 'silent', action: 'Download' });
			const res = await download(url, { idleMs: 300 });
			expect(res).toMatchObject({ status: 0, stalled: true });
			expect(lastDownload()).toMatchObject({ status: 0, fault: 'silent' });
		});
	});

	it('faults hit resumed requests too, and the log tells the story of a resume', async () => {
		ali.faults.push({ kind: 'truncatedBody', afterBytes: 30000, times: 2 });
		ali.faults.push({ kind: 'throttle', status: 503 });
		const mark = downloads().length;
		const parts: Buffer[] = [];
		let from = 0;
		for (let attempt = 0; attempt < 6 && from < SIZE; attempt++) {
			const res = await download(url, from ? { headers: { Range: `bytes=${from}-` } } : {});
			if (res.status === 200 || res.status === 206) {
				parts.push(res.body);
				from += res.body.length;
			}
		}
		expect(Buffer.concat(parts).equals(whole)).toBe(true);
		expect(
			downloads()
				.slice(mark)
				.map((r) => [r.range, r.status, r.fault, r.bytesSent]),
		).toEqual([
			[undefined, 200, 'truncatedBody', 30000],
			['bytes=30000-', 206, 'truncatedBody', 30000],
			['bytes=60000-', 503, 'throttle', undefined],
			['bytes=60000-', 206, undefined, 40000],
		]);
	});

	it('a download stalled or an API call left silent does not keep the emulator from stopping', async () => {
		const own = new CloudEmulator();
		await own.start();
		const record = own.alibaba.addBackup({ instanceId: 'r-demostandard01', startMs: Date.now() - 60000, sizeBytes: SIZE });
		own.alibaba.faults.push({ kind: 'stall', afterBytes: 1000 });
		own.alibaba.faults.push({ kind: 'silent', action: 'DescribeRegions' });
		const stalled = download(own.alibaba.downloadUrls(record.file!).public);
		const silent = signedCall(own.alibaba, { action: 'DescribeRegions' }).then(
			() => 'answered',
			(err: Error) => err.message,
		);
		for (let i = 0; i < 100 && own.alibaba.requests.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
		expect(own.alibaba.requests.map((r) => r.fault).sort()).toEqual(['silent', 'stall']);
		const started = Date.now();
		await own.stop();
		expect(Date.now() - started).toBeLessThan(1000);
		const cut = await stalled;
		expect(cut).toMatchObject({ status: 200, complete: false });
		expect(cut.body.length).toBe(1000);
		expect(await silent).toMatch(/socket hang up|ECONNRESET/);
	});
});
