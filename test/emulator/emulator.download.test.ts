import { createHash, randomBytes } from 'crypto';
import { request } from 'http';

import { CloudEmulator, Crc64, crc64, ManualClock } from '../../emulator';
import { acsDate, httpRequest, signedCall } from './helpers';

/** Bit-by-bit CRC-64/XZ with BigInt: slow, obviously correct, the reference for the table-driven one. */
function referenceCrc64(data: Uint8Array): string {
	const poly = BigInt('0xC96C5795D7870F42');
	const mask = (BigInt(1) << BigInt(64)) - BigInt(1);
	let crc = mask;
	for (const byte of data) {
		crc ^= BigInt(byte);
		for (let k = 0; k < 8; k++) crc = crc & BigInt(1) ? (crc >> BigInt(1)) ^ poly : crc >> BigInt(1);
	}
	return (crc ^ mask).toString();
}

interface Download {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
	complete: boolean;
	error?: string;
	ms: number;
}

/** GET that reports a cut connection instead of throwing, so truncation and resets can be asserted. */
function download(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Download> {
	const started = Date.now();
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		const req = request(url, { method, headers }, (res) => {
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () =>
				resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete, ms: Date.now() - started }),
			);
			res.on('error', (err) =>
				resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), complete: false, error: err.message, ms: Date.now() - started }),
			);
		});
		req.on('error', (err) => resolve({ status: 0, headers: {}, body: Buffer.alloc(0), complete: false, error: err.message, ms: Date.now() - started }));
		req.end();
	});
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('CRC-64/XZ (ECMA-182 as OSS computes it)', () => {
	it('matches the published check value for "123456789"', () => {
		expect(crc64(Buffer.from('123456789'))).toBe(BigInt('0x995DC9BBDF1939FA').toString());
		expect(crc64(Buffer.alloc(0))).toBe('0');
	});

	it('matches a bitwise reference on random data, in one go and in odd-sized pieces', () => {
		const data = randomBytes(4099);
		expect(crc64(data)).toBe(referenceCrc64(data));
		const inc = new Crc64();
		for (let i = 0; i < data.length; i += 13) inc.update(data.subarray(i, i + 13));
		expect(inc.digest()).toBe(referenceCrc64(data));
	});
});

describe('Alibaba emulator backup downloads', () => {
	const clock = new ManualClock(Date.parse('2025-03-01T12:00:00Z'));
	const emulator = new CloudEmulator({ clock, alibabaSettings: { urlTtlMs: 3600000 } });
	const ali = emulator.alibaba;

	beforeAll(() => emulator.start());
	afterAll(() => emulator.stop());
	afterEach(() => ali.faults.clear());

	/** A fresh successful backup listed through the API, so its URLs are the ones a client really gets. */
	async function listedBackup(sizeBytes = 300000) {
		const record = ali.addBackup({ instanceId: 'r-demostandard01', startMs: clock.now() - 120000, sizeBytes });
		const res = await signedCall(ali, {
			action: 'DescribeBackups',
			date: acsDate(clock.now()),
			params: {
				InstanceId: 'r-demostandard01',
				StartTime: new Date(clock.now() - 3600000).toISOString().slice(0, 16) + 'Z',
				EndTime: new Date(clock.now() + 60000).toISOString().slice(0, 16) + 'Z',
				BackupId: String(record.backupId),
			},
		});
		return (res.json().Backups as { Backup: Array<Record<string, string | number>> }).Backup[0];
	}

	it('serves the backup bytes with Content-Length, octet-stream and a correct x-oss-hash-crc64ecma', async () => {
		const b = await listedBackup();
		const res = await download(String(b.BackupDownloadURL));
		expect(res.status).toBe(200);
		expect(res.headers['content-type']).toBe('application/octet-stream');
		expect(Number(res.headers['content-length'])).toBe(b.BackupSize);
		expect(res.body.length).toBe(b.BackupSize);
		expect(res.headers['x-oss-hash-crc64ecma']).toBe(crc64(res.body));
		expect(sha256(res.body)).toBe(await ali.fileSha256(Number(b.BackupId)));
		expect(await ali.fileCrc64(Number(b.BackupId))).toBe(res.headers['x-oss-hash-crc64ecma']);
		const internal = await download(String(b.BackupIntranetDownloadURL));
		expect(internal.body.equals(res.body)).toBe(true);
		expect(ali.requests.at(-1)).toMatchObject({ action: 'Download', status: 200 });
	});

	it('serves byte ranges and HEAD', async () => {
		const b = await listedBackup(100000);
		const part = await download(String(b.BackupDownloadURL), { Range: 'bytes=1000-1999' });
		expect(part.status).toBe(206);
		expect(part.headers['content-range']).toBe('bytes 1000-1999/100000');
		const expected: Buffer[] = [];
		for await (const c of ali.fileStream(Number(b.BackupId), 1000, 1999)) expected.push(c as Buffer);
		expect(part.body.equals(Buffer.concat(expected))).toBe(true);
		const full = await download(String(b.BackupDownloadURL));
		expect(part.body.equals(full.body.subarray(1000, 2000))).toBe(true);
		const head = await download(String(b.BackupDownloadURL), {}, 'HEAD');
		expect(head.status).toBe(200);
		expect(head.headers['content-length']).toBe('100000');
		expect(head.body.length).toBe(0);
	});

	it('refuses an expired URL with 403 AccessDenied "Request has expired." (OSS XML)', async () => {
		const b = await listedBackup();
		clock.advance(3600000 + 1000);
		const res = await download(String(b.BackupDownloadURL));
		expect(res.status).toBe(403);
		expect(res.headers['content-type']).toBe('application/xml');
		const xml = res.body.toString();
		expect(xml).toContain('<Code>AccessDenied</Code>');
		expect(xml).toContain('<Message>Request has expired.</Message>');
		expect(xml).toContain('<EC>0002-00000069</EC>');
	});

	it('refuses a tampered URL and an unknown object', async () => {
		const b = await listedBackup();
		const url = String(b.BackupDownloadURL).replace(/Expires=(\d+)/, (_m, e: string) => `Expires=${Number(e) + 3600}`);
		const tampered = await download(url);
		expect(tampered.status).toBe(403);
		expect(tampered.body.toString()).toContain('<Code>SignatureDoesNotMatch</Code>');
		const missing = await httpRequest(`${ali.endpoint}/oss/rdsbak-cn-hangzhou/nope.rdb?Expires=1&Signature=x`);
		expect(missing.status).toBe(404);
		expect(missing.body.toString()).toContain('<Code>NoSuchKey</Code>');
	});

	it('handles multi-GiB files without computing their CRC up front, and sends it once computed', async () => {
		const huge = ali.addBackup({ instanceId: 'r-demostandard01', startMs: clock.now() - 60000, sizeBytes: 4 * 1024 ** 3 });
		const url = ali.downloadUrls(huge.file!).public;
		const head = await download(url, {}, 'HEAD');
		expect(head.headers['content-length']).toBe(String(4 * 1024 ** 3));
		expect(head.headers['x-oss-hash-crc64ecma']).toBeUndefined();
		const tail = await download(url, { Range: 'bytes=-65536' });
		expect(tail.status).toBe(206);
		expect(tail.headers['content-range']).toBe(`bytes ${4 * 1024 ** 3 - 65536}-${4 * 1024 ** 3 - 1}/${4 * 1024 ** 3}`);
		expect(tail.body.length).toBe(65536);

		ali.settings.crc64MaxBytes = 1024;
		const mid = ali.addBackup({ instanceId: 'r-demostandard01', startMs: clock.now() - 60000, sizeBytes: 200000 });
		const midUrl = ali.downloadUrls(mid.file!).public;
		expect((await download(midUrl, {}, 'HEAD')).headers['x-oss-hash-crc64ecma']).toBeUndefined();
		const crc = await ali.fileCrc64(mid.backupId);
		const after = await download(midUrl);
		expect(after.headers['x-oss-hash-crc64ecma']).toBe(crc);
		expect(crc64(after.body)).toBe(crc);
		ali.settings.crc64MaxBytes = 512 * 1048576;
	});

	describe('download faults', () => {
		it('truncatedBody: announces the full length, sends part of it, drops the connection', async () => {
			const b = await listedBackup(500000);
			ali.faults.push({ kind: 'truncatedBody', afterBytes: 100000 });
			const res = await download(String(b.BackupDownloadURL));
			expect(res.headers['content-length']).toBe('500000');
			expect(res.complete).toBe(false);
			expect(res.body.length).toBe(100000);
			expect((await download(String(b.BackupDownloadURL))).body.length).toBe(500000);
		});

		it('slowBody: delivers the right bytes, slowly', async () => {
			const b = await listedBackup(64 * 1024);
			ali.faults.push({ kind: 'slowBody', delayMs: 40 });
			const res = await download(String(b.BackupDownloadURL));
			expect(res.complete).toBe(true);
			expect(sha256(res.body)).toBe(await ali.fileSha256(Number(b.BackupId)));
			expect(res.ms).toBeGreaterThanOrEqual(3 * 40);
		});

		it('reset, expiredUrl and error', async () => {
			const b = await listedBackup();
			const url = String(b.BackupDownloadURL);
			ali.faults.push({ action: 'Download', kind: 'reset' });
			const reset = await download(url);
			expect(reset.status).toBe(0);
			expect(reset.error).toBeDefined();
			ali.faults.push({ kind: 'expiredUrl' });
			const expired = await download(url);
			expect(expired.status).toBe(403);
			expect(expired.body.toString()).toContain('Request has expired.');
			ali.faults.push({ kind: 'error', status: 503, code: 'ServiceUnavailable', message: 'Please reduce your request rate.' });
			const busy = await download(url);
			expect(busy.status).toBe(503);
			expect(busy.body.toString()).toContain('<Code>ServiceUnavailable</Code>');
			expect((await download(url)).status).toBe(200);
		});
	});
});
