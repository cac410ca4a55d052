import { CloudEmulator, crc64, ManualClock, planRange } from '../../emulator';
import { download } from './helpers';

/** Range requests as OSS/COS answer them, the switch for servers that ignore them, and what the log shows. */
describe('Alibaba emulator Range requests', () => {
	const clock = new ManualClock(Date.parse('2025-03-01T12:00:00Z'));
	const emulator = new CloudEmulator({ clock });
	const ali = emulator.alibaba;
	const SIZE = 100000;
	let url: string;
	let whole: Buffer;
	let backupId: number;

	beforeAll(async () => {
		await emulator.start();
		const record = ali.addBackup({ instanceId: 'r-demostandard01', startMs: clock.now() - 120000, sizeBytes: SIZE });
		backupId = record.backupId;
		url = ali.downloadUrls(record.file!).public;
		whole = (await download(url)).body;
	});
	afterAll(() => emulator.stop());
	afterEach(() => {
		ali.faults.clear();
		ali.settings.rangeRequests = 'standard';
	});

	const lastDownload = () => ali.requests.filter((r) => r.action === 'Download').at(-1);

	it('a 200 advertises Accept-Ranges: bytes and the whole-object CRC-64', async () => {
		const res = await download(url);
		expect(res.status).toBe(200);
		expect(res.headers['accept-ranges']).toBe('bytes');
		expect(res.headers['content-range']).toBeUndefined();
		expect(res.headers['x-oss-hash-crc64ecma']).toBe(crc64(whole));
		expect(lastDownload()).toMatchObject({ status: 200, bytesSent: SIZE });
		expect(lastDownload()?.range).toBeUndefined();
	});

	it('bytes=N- answers 206 with the rest, its length, Content-Range and the same whole-object CRC', async () => {
		const res = await download(url, { headers: { Range: 'bytes=40000-' } });
		expect(res.status).toBe(206);
		expect(res.headers['content-range']).toBe(`bytes 40000-${SIZE - 1}/${SIZE}`);
		expect(res.headers['content-length']).toBe(String(SIZE - 40000));
		expect(res.headers['accept-ranges']).toBe('bytes');
		expect(res.headers['x-oss-hash-crc64ecma']).toBe(crc64(whole));
		expect(res.body.equals(whole.subarray(40000))).toBe(true);
		// What a test asserts for "resumed from byte N".
		expect(lastDownload()).toMatchObject({
			status: 206,
			range: 'bytes=40000-',
			contentRange: `bytes 40000-${SIZE - 1}/${SIZE}`,
			bytesSent: SIZE - 40000,
		});
	});

	it('bytes=N-M answers exactly those bytes; an end past the object is clamped; bytes=-N is the tail', async () => {
		const mid = await download(url, { headers: { Range: 'bytes=10-19' } });
		expect(mid.status).toBe(206);
		expect(mid.headers['content-length']).toBe('10');
		expect(mid.body.equals(whole.subarray(10, 20))).toBe(true);
		const past = await download(url, { headers: { Range: `bytes=${SIZE - 5}-${SIZE + 1000}` } });
		expect(past.headers['content-range']).toBe(`bytes ${SIZE - 5}-${SIZE - 1}/${SIZE}`);
		expect(past.body.equals(whole.subarray(SIZE - 5))).toBe(true);
		const tail = await download(url, { headers: { Range: 'bytes=-7' } });
		expect(tail.headers['content-range']).toBe(`bytes ${SIZE - 7}-${SIZE - 1}/${SIZE}`);
		expect(tail.body.equals(whole.subarray(SIZE - 7))).toBe(true);
		const last = await download(url, { headers: { Range: `bytes=${SIZE - 1}-` } });
		expect(last.body.equals(whole.subarray(SIZE - 1))).toBe(true);
	});

	it('an unsatisfiable range gets 416 with Content-Range: bytes */size and OSS InvalidRange', async () => {
		for (const range of [`bytes=${SIZE}-`, `bytes=${SIZE + 10}-${SIZE + 20}`, 'bytes=-0']) {
			const res = await download(url, { headers: { Range: range } });
			expect(res.status).toBe(416);
			expect(res.headers['content-range']).toBe(`bytes */${SIZE}`);
			expect(res.body.toString()).toContain('<Code>InvalidRange</Code>');
			expect(lastDownload()).toMatchObject({ status: 416, range, contentRange: `bytes */${SIZE}`, code: 'InvalidRange' });
		}
	});

	it('a range that is not valid (other unit, several ranges, last before first) is ignored: 200, whole', async () => {
		for (const range of ['items=0-9', 'bytes=0-9,20-29', 'bytes=50-10', 'bytes=-']) {
			const res = await download(url, { headers: { Range: range } });
			expect(res.status).toBe(200);
			expect(res.body.equals(whole)).toBe(true);
			expect(lastDownload()).toMatchObject({ status: 200, range });
		}
	});

	it("rangeRequests 'ignore' (set at runtime): 200 and the whole file, no Accept-Ranges; the log still shows the Range", async () => {
		ali.settings.rangeRequests = 'ignore';
		const res = await download(url, { headers: { Range: 'bytes=40000-' } });
		expect(res.status).toBe(200);
		expect(res.headers['content-length']).toBe(String(SIZE));
		expect(res.headers['content-range']).toBeUndefined();
		expect(res.headers['accept-ranges']).toBeUndefined();
		expect(res.headers['x-oss-hash-crc64ecma']).toBe(crc64(whole));
		expect(res.body.equals(whole)).toBe(true);
		expect(lastDownload()).toMatchObject({ status: 200, range: 'bytes=40000-', bytesSent: SIZE });
		expect(lastDownload()?.contentRange).toBeUndefined();
		ali.settings.rangeRequests = 'standard';
		expect((await download(url, { headers: { Range: 'bytes=40000-' } })).status).toBe(206);
	});

	it("rangeRequests 'lenient' (OSS without x-oss-range-behavior: standard): out-of-object ranges get 200, whole", async () => {
		ali.settings.rangeRequests = 'lenient';
		for (const range of [`bytes=${SIZE}-`, `bytes=500-${SIZE}`, `bytes=-${SIZE + 1}`]) {
			const res = await download(url, { headers: { Range: range } });
			expect(res.status).toBe(200);
			expect(res.body.equals(whole)).toBe(true);
		}
		const inside = await download(url, { headers: { Range: 'bytes=500-999' } });
		expect(inside.status).toBe(206);
		expect(inside.body.equals(whole.subarray(500, 1000))).toBe(true);
	});

	it('HEAD with a Range gets the 206 headers and no body', async () => {
		const head = await download(url, { method: 'HEAD', headers: { Range: 'bytes=100-' } });
		expect(head.status).toBe(206);
		expect(head.headers['content-length']).toBe(String(SIZE - 100));
		expect(head.body.length).toBe(0);
	});

	it('the bytes served are the ones fileStream() says, for any range', async () => {
		const res = await download(url, { headers: { Range: 'bytes=12345-23456' } });
		const expected: Buffer[] = [];
		for await (const c of ali.fileStream(backupId, 12345, 23456)) expected.push(c as Buffer);
		expect(res.body.equals(Buffer.concat(expected))).toBe(true);
	});

	it('planRange, the shared rule, on the edges', () => {
		expect(planRange(undefined, 10, 'standard')).toEqual({ status: 200, start: 0, end: 9 });
		expect(planRange('bytes=0-', 10, 'standard')).toEqual({ status: 206, start: 0, end: 9 });
		expect(planRange(' bytes=3-4 ', 10, 'standard')).toEqual({ status: 206, start: 3, end: 4 });
		expect(planRange('bytes=-20', 10, 'standard')).toEqual({ status: 206, start: 0, end: 9 });
		expect(planRange('bytes=0-', 0, 'standard')).toEqual({ status: 416 });
		expect(planRange('bytes=10-', 10, 'ignore')).toEqual({ status: 200, start: 0, end: 9 });
		expect(planRange('bytes=5-20', 10, 'lenient')).toEqual({ status: 200, start: 0, end: 9 });
	});
});
