/**
 * The emulator's generated RDB files (emulator/common/rdbFile.ts, served by emulator/common/files.ts): valid for the
 * verifier at every size and version, byte-identical under Range reads, the trailer computed without generating the
 * file (4 GiB in milliseconds), served by all three clouds with a matching CRC-64/ECMA header, and accepted by
 * redis-check-rdb where it is installed (Debian's redis-server package; skipped, with a note, where it is not).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

import { CloudEmulator, crc64, ManualClock } from '../../emulator';
import { contentId, Crc64Cache, fileContentDefaults, fileStream, setFileContentDefaults, type EmulatedFile } from '../../emulator/common/files';
import { DEFAULT_RDB_VERSION, minimumRdbSize, rdbLayout, rdbStream, readRdb } from '../../emulator/common/rdbFile';
import { RdbVerifier, verifyRdb } from '../../nodes/common/rdb';
import { download } from '../emulator/helpers';

async function collect(stream: Readable): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

const MODIFIED = Date.parse('2025-03-01T12:00:00Z');
const generated = (size: number, version = DEFAULT_RDB_VERSION, seed = `seed-${size}-${version}`) =>
	rdbLayout({ seed, size, lastModifiedMs: MODIFIED, version });

/** redis-check-rdb on a file: 'ok', 'unsupported' (this Redis is older than the RDB version) or its output. */
function redisCheckRdb(bytes: Buffer): 'ok' | 'unsupported' | string {
	const dir = mkdtempSync(join(tmpdir(), 'rdb-check-'));
	try {
		const path = join(dir, 'dump.rdb');
		writeFileSync(path, bytes);
		const run = spawnSync('redis-check-rdb', [path], { encoding: 'utf8' });
		const output = `${run.stdout}${run.stderr}`;
		if (/Can't handle RDB format version/.test(output)) return 'unsupported';
		return run.status === 0 && /RDB looks OK/.test(output) && /Checksum OK/.test(output) ? 'ok' : output;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
const HAVE_REDIS_CHECK_RDB = spawnSync('sh', ['-c', 'command -v redis-check-rdb'], { encoding: 'utf8' }).status === 0;

describe('generated RDB files', () => {
	it('are valid RDBs of exactly the size asked, for every size from the smallest up, in every version', async () => {
		for (const version of [4, 5, 6, 7, 8, 9, 10, 11, 12, 80]) {
			const min = minimumRdbSize(version, MODIFIED);
			expect(generated(min - 1, version)).toBeUndefined();
			for (let size = min; size < min + 300; size++) {
				const bytes = await collect(rdbStream(generated(size, version)!));
				const result = verifyRdb(bytes);
				if (bytes.length !== size || !result.ok || result.format !== 'rdb' || result.rdbVersion !== version) {
					expect({ version, size, length: bytes.length, result }).toBeUndefined();
				}
			}
		}
	});

	it('are valid across the key-count encodings (63/64 keys) and the value sizes (32 B to 64 KiB)', async () => {
		const sizes = [...Array.from({ length: 900 }, (_, i) => 2900 + i), 16383, 16384, 16385, 300000, 1048576, 5_000_000, 20_000_001];
		for (const size of sizes) {
			const layout = generated(size)!;
			const bytes = await collect(rdbStream(layout));
			expect([size, bytes.length, verifyRdb(bytes).ok]).toEqual([size, size, true]);
		}
		expect(generated(3000)!.keys).toBeLessThan(64);
		expect(generated(3799)!.keys).toBeGreaterThan(64);
		expect(generated(20_000_001)!.valueLength).toBe(65536);
	});

	it('plan files up to many GiB whole: keys past 16383 (4-byte length) and the trailer from the layout alone', () => {
		for (const size of [2 ** 30, 4 * 2 ** 30, 4 * 2 ** 30 + 12345]) {
			const started = Date.now();
			const layout = generated(size)!;
			const tail = layout.tail();
			const ms = Date.now() - started;
			expect(layout.tailStart + tail.length).toBe(size);
			expect(tail[0]).toBe(0xff);
			expect(tail.length).toBe(9);
			console.log(`generated RDB of ${size} bytes: ${layout.keys} keys of ${layout.valueLength} B, trailer computed in ${ms} ms`);
		}
		expect(generated(4 * 2 ** 30)!.keys).toBeGreaterThan(16383);
		// Around 16384 keys of 64 KiB (the key count's length encoding goes from 2 to 5 bytes): every size is planned
		// exactly, its RESIZEDB count is the number of keys, and the bytes at every seam can be read.
		const recordLength = generated(2 ** 30)!.recordLength;
		const seam = generated(2 ** 30)!.head.length + 16383 * recordLength; // the last record takes up to 2 records' bytes
		const counts = new Set<number>();
		for (let size = seam - 150; size < seam + 150; size++) {
			const layout = generated(size, DEFAULT_RDB_VERSION, 'seam')!;
			counts.add(layout.keys);
			const resize = layout.head.subarray(layout.head.lastIndexOf(0xfb) + 1);
			const count = resize[0] >> 6 === 1 ? ((resize[0] & 0x3f) << 8) | resize[1] : resize.readUInt32BE(1);
			expect([size, count, resize.length]).toEqual([size, layout.keys, resize[0] >> 6 === 1 ? 3 : 6]);
			expect(layout.lastStart + layout.lastHeader.length + layout.lastValueLength).toBe(layout.tailStart);
			expect(layout.tailStart + 9).toBe(size);
			readRdb(layout, layout.lastStart - 32, Buffer.alloc(Math.min(64, size - layout.lastStart + 32)));
			if (size % 50 === 0) readRdb(layout, size - 64, Buffer.alloc(64)); // computes the trailer: 50 ms each
		}
		expect(counts.has(16383) && counts.has(16384)).toBe(true);
		const crossing = generated(seam + 10, DEFAULT_RDB_VERSION, 'seam')!;
		expect(crossing.tailStart + crossing.tail().length).toBe(seam + 10);
	});

	it('give the same bytes under any Range, the trailer included (computed before any byte was streamed)', async () => {
		const size = 300007;
		const whole = await collect(rdbStream(generated(size)!));
		const fresh = () => rdbLayout({ seed: 'range-seed', size, lastModifiedMs: MODIFIED })!;
		const reference = await collect(rdbStream(fresh()));
		expect(verifyRdb(reference).ok).toBe(true);
		const tailOnly = rdbLayout({ seed: 'range-tail', size, lastModifiedMs: MODIFIED })!;
		const lastBytes = await collect(rdbStream(tailOnly, size - 20, size - 1));
		const all = await collect(rdbStream(tailOnly));
		expect(lastBytes.equals(all.subarray(size - 20))).toBe(true);
		let seed = 9;
		const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
		for (let round = 0; round < 200; round++) {
			const start = next() % size;
			const end = Math.min(size - 1, start + (next() % 70000));
			const part = await collect(rdbStream(generated(size)!, start, end));
			if (!part.equals(whole.subarray(start, end + 1))) expect({ start, end }).toBeUndefined();
			const out = Buffer.alloc(end - start + 1);
			readRdb(generated(size)!, start, out);
			expect(out.equals(part)).toBe(true);
		}
	});

	it('stream 256 MiB in constant memory, verified as it streams', async () => {
		const size = 256 * 1048576 + 3;
		const verifier = new RdbVerifier();
		const before = process.memoryUsage().rss;
		let peak = before;
		const started = process.hrtime.bigint();
		for await (const chunk of rdbStream(generated(size)!)) {
			verifier.update(chunk as Buffer);
			peak = Math.max(peak, process.memoryUsage.rss());
		}
		const seconds = Number(process.hrtime.bigint() - started) / 1e9;
		expect(verifier.finish()).toMatchObject({ format: 'rdb', rdbVersion: DEFAULT_RDB_VERSION, rdbChecksumOk: true, ok: true });
		console.log(`generated + verified 256 MiB: ${((size / 1048576) / seconds).toFixed(0)} MiB/s, RSS growth ${((peak - before) / 1048576).toFixed(1)} MiB`);
		expect(peak - before).toBeLessThan(128 * 1048576);
	});

	(process.env.RDB_VERIFY_4GIB ? it : it.skip)('a whole 4 GiB RDB verifies (RDB_VERIFY_4GIB=1)', async () => {
		const size = 4 * 2 ** 30;
		const verifier = new RdbVerifier();
		for await (const chunk of rdbStream(generated(size)!)) verifier.update(chunk as Buffer);
		expect(verifier.finish()).toMatchObject({ ok: true, rdbChecksumOk: true });
	}, 600000);

	(HAVE_REDIS_CHECK_RDB ? it : it.skip)('are accepted by redis-check-rdb (each version this Redis reads)', async () => {
		const accepted: number[] = [];
		for (const version of [5, 7, 8, 9, 10, 11, 12]) {
			for (const size of [minimumRdbSize(version, MODIFIED), 5000, 300000, 3 * 1048576 + 1]) {
				const verdict = redisCheckRdb(await collect(rdbStream(generated(size, version)!)));
				if (verdict === 'unsupported') break;
				expect([version, size, verdict]).toEqual([version, size, 'ok']);
				if (!accepted.includes(version)) accepted.push(version);
			}
		}
		console.log(`redis-check-rdb (${execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim().replace(/ sha=.*/, '')}) accepted generated RDB versions ${accepted.join(', ')}`);
		expect(accepted).toEqual(expect.arrayContaining([5, 7, 8, 9]));
	});
});

describe('emulated backup files', () => {
	const clock = new ManualClock(MODIFIED);
	const emulator = new CloudEmulator({ clock });
	const ali = emulator.alibaba;
	const tc = emulator.tencent;
	const uc = emulator.ucloud;

	beforeAll(() => emulator.start());
	afterAll(() => emulator.stop());

	it('are RDBs by default (EMULATOR_FILE_CONTENT unset), version 11 (EMULATOR_RDB_VERSION unset)', () => {
		if (process.env.EMULATOR_FILE_CONTENT === undefined) expect(fileContentDefaults.content).toBe('rdb');
		if (process.env.EMULATOR_RDB_VERSION === undefined) expect(fileContentDefaults.rdbVersion).toBe(11);
	});

	it('Alibaba OSS: a served backup verifies, its CRC-64/ECMA header matches, a ranged resume verifies', async () => {
		const record = ali.addBackup({ instanceId: 'r-demostandard01', startMs: clock.now() - 120000, sizeBytes: 300000 });
		const file = ali.file(record.backupId);
		file.content = 'rdb';
		const url = ali.downloadUrls(file).public;
		const res = await download(url);
		expect(res.status).toBe(200);
		expect(res.body.length).toBe(300000);
		expect(verifyRdb(res.body)).toMatchObject({ format: 'rdb', rdbVersion: fileContentDefaults.rdbVersion, rdbChecksumOk: true, ok: true });
		expect(res.headers['x-oss-hash-crc64ecma']).toBe(crc64(res.body));
		expect(res.body.equals(await collect(ali.fileStream(record.backupId)))).toBe(true);
		const rest = await download(url, { headers: { Range: 'bytes=123456-' } });
		expect(rest.status).toBe(206);
		expect(rest.headers['x-oss-hash-crc64ecma']).toBe(crc64(res.body));
		expect(verifyRdb(Buffer.concat([res.body.subarray(0, 123456), rest.body])).ok).toBe(true);
	});

	it('Tencent COS and UCloud US3 serve RDBs too', async () => {
		const tencent = tc.addBackup({ instanceId: 'crs-demostd01', startMs: clock.now() - 120000, sizeBytes: 100000 });
		const tfile = tc.file(tencent.backupId);
		const tres = await download(tc.downloadUrls(tfile).public);
		expect(verifyRdb(tres.body)).toMatchObject({ format: 'rdb', ok: true, rdbChecksumOk: true });
		expect(tres.headers['x-cos-hash-crc64ecma']).toBe(crc64(tres.body));
		const ucloud = uc.addBackup({ groupId: 'uredis-demo01', startMs: clock.now() - 120000, sizeBytes: 70000 });
		const ures = await download(uc.downloadUrls(uc.file(ucloud.backupId)).public);
		expect(verifyRdb(ures.body)).toMatchObject({ format: 'rdb', ok: true, rdbChecksumOk: true });
		expect(ures.headers.etag).toBe(`"${await uc.fileEtag(ucloud.backupId)}"`);
	});

	it('per file: another RDB version, or random bytes (named unknown by the verifier)', async () => {
		const v10 = ali.addBackup({ instanceId: 'r-demostandard01', startMs: clock.now() - 60000, sizeBytes: 50000 });
		ali.file(v10.backupId).rdbVersion = 10;
		const body10 = (await download(ali.downloadUrls(ali.file(v10.backupId)).public)).body;
		expect(verifyRdb(body10)).toMatchObject({ format: 'rdb', rdbVersion: 10, ok: true });
		if (HAVE_REDIS_CHECK_RDB) expect(['ok', 'unsupported']).toContain(redisCheckRdb(body10));

		const random = ali.addBackup({ instanceId: 'r-demostandard01', startMs: clock.now() - 30000, sizeBytes: 50000 });
		ali.file(random.backupId).content = 'random';
		const res = await download(ali.downloadUrls(ali.file(random.backupId)).public);
		expect(verifyRdb(res.body)).toMatchObject({ format: 'unknown', ok: true });
		expect(res.headers['x-oss-hash-crc64ecma']).toBe(crc64(res.body));
	});

	it('a file too small for an RDB is served as random bytes of its size', async () => {
		const tiny = ali.addBackup({ instanceId: 'r-demostandard01', startMs: clock.now() - 20000, sizeBytes: 50 });
		const res = await download(ali.downloadUrls(ali.file(tiny.backupId)).public);
		expect(res.body.length).toBe(50);
		expect(res.headers['x-oss-hash-crc64ecma']).toBe(crc64(res.body));
	});
});

describe('file content switches', () => {
	afterEach(() => setFileContentDefaults({ content: 'rdb', rdbVersion: DEFAULT_RDB_VERSION }));

	it('setFileContentDefaults changes files that do not say; checksum caches keep contents apart', async () => {
		const file: EmulatedFile = { key: 'bucket/a.rdb', name: 'a.rdb', size: 4096, seed: 'a', lastModifiedMs: MODIFIED };
		const cache = new Crc64Cache();
		setFileContentDefaults({ content: 'random' });
		const randomId = contentId(file);
		const randomBytes = await collect(fileStream(file));
		expect(await cache.compute(file)).toBe(crc64(randomBytes));
		expect(verifyRdb(randomBytes).format).toBe('unknown');
		setFileContentDefaults({ content: 'rdb', rdbVersion: 9 });
		expect(contentId(file)).not.toBe(randomId);
		expect(cache.get(file)).toBeUndefined();
		const rdbBytes = await collect(fileStream(file));
		expect(verifyRdb(rdbBytes)).toMatchObject({ format: 'rdb', rdbVersion: 9, ok: true });
		expect(await cache.compute(file)).toBe(crc64(rdbBytes));
		expect((await collect(fileStream(file, 100, 199))).equals(rdbBytes.subarray(100, 200))).toBe(true);
	});

	it("'corrupt-rdb': the same RDB with the trailer's last byte flipped, under any Range; the storage's CRC-64 is of these bytes", async () => {
		const good: EmulatedFile = { key: 'bucket/g.rdb', name: 'g.rdb', size: 300_000, seed: 'c', lastModifiedMs: MODIFIED };
		const bad: EmulatedFile = { ...good, key: 'bucket/c.rdb', content: 'corrupt-rdb' };
		const goodBytes = await collect(fileStream(good));
		const badBytes = await collect(fileStream(bad));
		expect(badBytes.length).toBe(good.size);
		expect(badBytes.subarray(0, -1).equals(goodBytes.subarray(0, -1))).toBe(true);
		expect(badBytes[good.size - 1]).toBe(goodBytes[good.size - 1] ^ 0x01);
		expect(verifyRdb(badBytes)).toMatchObject({ format: 'rdb', rdbVersion: DEFAULT_RDB_VERSION, rdbChecksumOk: false, ok: false });
		expect(verifyRdb(badBytes).detail).toMatch(/CRC-64 does not match/);
		expect(contentId(bad)).not.toBe(contentId({ ...bad, content: 'rdb' }));
		expect(await new Crc64Cache().compute(bad)).toBe(crc64(badBytes));
		for (const [from, to] of [[good.size - 5, good.size - 1], [good.size - 1, good.size - 1], [1000, 299_000]]) {
			expect((await collect(fileStream(bad, from, to))).equals(badBytes.subarray(from, to + 1))).toBe(true);
		}
	});
});
