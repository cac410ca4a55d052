/**
 * The streaming RDB verifier (nodes/common/rdb.ts) on real bytes: the fixtures in test/fixtures/rdb/ were written by
 * a real redis-server (scripts/rdb/make-fixtures.sh; rerun it to regenerate them, the tests never start Redis).
 * CRC-64/Jones against an independent bit-by-bit reference, every flipped byte and every truncation of a real dump
 * failing, AOFs and archives named and never failed, every chunking giving the same answer, and the speed (printed,
 * not asserted).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Crc64, ReflectedCrc64 } from '../../nodes/common/crc64';
import { Crc64Jones, crc64Jones, RdbVerifier, verifyRdb, type RdbVerification } from '../../nodes/common/rdb';

const FIXTURES = join(__dirname, '..', 'fixtures', 'rdb');
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));
/** The RDB version of the Redis that wrote the fixtures (SOURCE.txt, written by the script). */
const FIXTURE_VERSION = Number(/rdb-version (\d+)/.exec(readFileSync(join(FIXTURES, 'SOURCE.txt'), 'utf8'))![1]);

/** CRC-64/Jones from its definition (redis/src/crc64.c): reflected poly 0x95AC9329AC4BC9B5, init 0, xorout 0. */
const ONE = BigInt(1);
const POLY = BigInt('0x95AC9329AC4BC9B5');
function referenceJones(data: Uint8Array): string {
	let crc = BigInt(0);
	for (const byte of data) {
		crc ^= BigInt(byte);
		for (let bit = 0; bit < 8; bit++) crc = (crc & ONE) === ONE ? (crc >> ONE) ^ POLY : crc >> ONE;
	}
	return crc.toString(16).padStart(16, '0');
}

function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function inChunks(data: Uint8Array, cuts: number[]): RdbVerification {
	const verifier = new RdbVerifier();
	let from = 0;
	for (const cut of [...cuts, data.length]) {
		verifier.update(data.subarray(from, cut));
		from = cut;
	}
	expect(verifier.bytes).toBe(data.length);
	return verifier.finish();
}

/** An RDB of the given version with a correct trailer (synthetic: header, a body, EOF, CRC-64/Jones). */
function synthetic(magic: string, body: Uint8Array): Buffer {
	const withEof = Buffer.concat([Buffer.from(magic, 'latin1'), body, Buffer.from([0xff])]);
	return Buffer.concat([withEof, new Crc64Jones().update(withEof).digestBytes()]);
}

const ALL_FIXTURES = [
	'types.rdb',
	'empty.rdb',
	'nochecksum.rdb',
	'incr.aof',
	'appendonly.aof.manifest',
	'preamble.aof',
	'types.rdb.gz',
	'types.tar',
	'types.zip',
];

describe('CRC-64/Jones (the RDB trailer, redis/src/crc64.c)', () => {
	it('has the check value of "123456789": 0xE9C6D914C4B8D9CA (as in crc64.c\'s own test)', () => {
		expect(crc64Jones(Buffer.from('123456789'))).toBe('e9c6d914c4b8d9ca');
		expect(referenceJones(Buffer.from('123456789'))).toBe('e9c6d914c4b8d9ca');
		expect(crc64Jones(new Uint8Array(0))).toBe('0000000000000000');
	});

	it('agrees with the bit-by-bit reference at every length up to 300 and every alignment of larger views', () => {
		const random = prng(7);
		for (let length = 0; length <= 300; length++) {
			const data = Uint8Array.from({ length }, () => Math.floor(random() * 256));
			expect([length, crc64Jones(data)]).toEqual([length, referenceJones(data)]);
		}
		const backing = randomBytes(5000);
		for (let offset = 0; offset < 8; offset++) {
			const view = backing.subarray(offset, backing.length - 8 + offset);
			expect(crc64Jones(view)).toBe(referenceJones(view));
		}
	});

	it('is the same in any chunking, and continues from any register (it is linear: init and xorout are 0)', () => {
		const data = randomBytes(10007);
		const whole = crc64Jones(data);
		const inc = new Crc64Jones();
		for (let i = 0; i < data.length; i += 97) inc.update(data.subarray(i, i + 97));
		expect(inc.digestHex()).toBe(whole);
		const half = new Crc64Jones().update(data.subarray(0, 5000));
		expect(new Crc64Jones(half.low, half.high).update(data.subarray(5000)).digestHex()).toBe(whole);
		// Stored little-endian after the EOF opcode.
		expect(Buffer.from(inc.digestBytes()).readBigUInt64LE(0).toString(16).padStart(16, '0')).toBe(whole);
	});

	it('shares the CRC-64 engine with the ECMA CRC, each with its own polynomial, init and xorout', () => {
		const jones = new Crc64Jones();
		const ecma = new Crc64();
		expect(jones).toBeInstanceOf(ReflectedCrc64);
		expect(ecma).toBeInstanceOf(ReflectedCrc64);
		// Fed turn by turn (word path and byte path), neither disturbs the other.
		const data = Buffer.concat([Buffer.from('123456789'), randomBytes(3000)]);
		for (const [at, end] of [[0, 4], [4, 9]]) {
			jones.update(data.subarray(at, end));
			ecma.update(data.subarray(at, end));
		}
		expect([jones.digestHex(), ecma.digest()]).toEqual(['e9c6d914c4b8d9ca', '11051210869376104954']);
		for (let at = 9; at < data.length; at += 701) {
			jones.update(data.subarray(at, at + 701));
			ecma.update(data.subarray(at, at + 701));
		}
		expect(jones.digestHex()).toBe(referenceJones(data));
		expect(ecma.digest()).toBe(new Crc64().update(data).digest());
	});

	it('is what Redis wrote: the trailer of every fixture dump', () => {
		for (const name of ['types.rdb', 'empty.rdb']) {
			const rdb = fixture(name);
			const stored = rdb.readBigUInt64LE(rdb.length - 8).toString(16).padStart(16, '0');
			expect(crc64Jones(rdb.subarray(0, rdb.length - 8))).toBe(stored);
		}
	});
});

describe('RDB files written by redis-server', () => {
	it(`verifies a dump of every data type (RDB version ${FIXTURE_VERSION}) and an empty dump`, () => {
		for (const name of ['types.rdb', 'empty.rdb']) {
			const result = verifyRdb(fixture(name));
			expect(result).toMatchObject({ format: 'rdb', rdbVersion: FIXTURE_VERSION, rdbChecksumOk: true, ok: true });
			expect(result.detail).toMatch(/CRC-64 [0-9a-f]{16} verified/);
		}
	});

	it('says so when checksums were disabled (rdbchecksum no: a zero trailer), without failing', () => {
		const rdb = fixture('nochecksum.rdb');
		expect(rdb.subarray(rdb.length - 8).equals(Buffer.alloc(8))).toBe(true);
		const result = verifyRdb(rdb);
		expect(result).toMatchObject({ format: 'rdb', rdbVersion: FIXTURE_VERSION, rdbChecksumOk: null, ok: true });
		expect(result.detail).toMatch(/checksums disabled/);
	});

	it('fails on every byte of the body inverted, and on every single bit flipped', () => {
		const rdb = fixture('types.rdb');
		let failures = 0;
		for (let pos = 9; pos < rdb.length; pos++) {
			for (const mask of [0xff, 1 << pos % 8]) {
				const bad = Buffer.from(rdb);
				bad[pos] ^= mask;
				const result = verifyRdb(bad);
				if (result.ok || result.rdbChecksumOk !== false || result.format !== 'rdb') {
					failures++;
					if (failures < 5) expect({ pos, mask, result }).toBeUndefined();
				}
			}
		}
		expect(failures).toBe(0);
	});

	it('fails on a corrupt version in the header; a corrupt magic is no longer an RDB (named unknown)', () => {
		const rdb = fixture('types.rdb');
		for (let pos = 5; pos < 9; pos++) {
			const bad = Buffer.from(rdb);
			bad[pos] ^= 0xff;
			expect(verifyRdb(bad)).toMatchObject({ format: 'rdb', ok: false });
		}
		const bad = Buffer.from(rdb);
		bad[0] ^= 0xff;
		expect(verifyRdb(bad)).toMatchObject({ format: 'unknown', ok: true });
	});

	it('fails on every truncation (missing EOF opcode or trailer), with or without checksums', () => {
		for (const name of ['types.rdb', 'nochecksum.rdb', 'empty.rdb']) {
			const rdb = fixture(name);
			const wrong: Array<{ length: number; result: RdbVerification }> = [];
			for (let length = 5; length < rdb.length; length++) {
				const result = verifyRdb(rdb.subarray(0, length));
				if (result.ok || result.format !== 'rdb') wrong.push({ length, result });
			}
			expect([name, wrong.slice(0, 3)]).toEqual([name, []]);
		}
		expect(verifyRdb(fixture('types.rdb').subarray(0, 100)).detail).toMatch(/without the EOF opcode .*truncated/);
		expect(verifyRdb(fixture('types.rdb').subarray(0, 12)).detail).toMatch(/too short/);
	});

	it('fails on trailing garbage after a whole RDB (the trailer is no longer at the end)', () => {
		const rdb = fixture('types.rdb');
		expect(verifyRdb(Buffer.concat([rdb, Buffer.from('garbage')])).ok).toBe(false);
		expect(verifyRdb(Buffer.concat([rdb, Buffer.alloc(512)])).ok).toBe(false);
	});
});

describe('files that are not one RDB are named, never failed', () => {
	it('an AOF (Redis 7 incremental file: a RESP command stream)', () => {
		expect(verifyRdb(fixture('incr.aof'))).toMatchObject({ format: 'aof', rdbVersion: null, rdbChecksumOk: null, ok: true });
		expect(verifyRdb(Buffer.from('#TS:1700000000\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n'))).toMatchObject({ format: 'aof', ok: true });
	});

	it('a multi-part AOF manifest', () => {
		const result = verifyRdb(fixture('appendonly.aof.manifest'));
		expect(result).toMatchObject({ format: 'aof', ok: true });
		expect(result.detail).toMatch(/manifest/);
	});

	it('an AOF with an RDB preamble (base + incremental, as Redis 4 to 6 write one file): the preamble verified', () => {
		const result = verifyRdb(fixture('preamble.aof'));
		expect(result).toMatchObject({ format: 'aof', rdbVersion: FIXTURE_VERSION, rdbChecksumOk: true, ok: true });
		expect(result.detail).toMatch(/RDB preamble/);
		// A pure RDB base file is an RDB.
		const base = fixture('preamble.aof').subarray(0, fixture('preamble.aof').length - fixture('incr.aof').length);
		expect(verifyRdb(base)).toMatchObject({ format: 'rdb', rdbChecksumOk: true, ok: true });
	});

	it('a corrupt RDB preamble is not passed as an AOF', () => {
		const aof = fixture('preamble.aof');
		const preambleLength = aof.length - fixture('incr.aof').length;
		for (let pos = 9; pos < preambleLength; pos++) {
			const bad = Buffer.from(aof);
			bad[pos] ^= 0x01;
			expect([pos, verifyRdb(bad).ok]).toEqual([pos, false]);
		}
	});

	it('gzip, tar and zip archives (made by gzip, tar and zip from a real dump)', () => {
		expect(verifyRdb(fixture('types.rdb.gz'))).toMatchObject({ format: 'archive-gzip', rdbVersion: null, rdbChecksumOk: null, ok: true });
		expect(verifyRdb(fixture('types.tar'))).toMatchObject({ format: 'archive-tar', ok: true });
		expect(verifyRdb(fixture('types.zip'))).toMatchObject({ format: 'archive-zip', ok: true });
	});

	it('other compressors by name, anything else as unknown, and the empty file', () => {
		expect(verifyRdb(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]))).toMatchObject({ format: 'unknown', ok: true, detail: expect.stringMatching(/zstd/) });
		expect(verifyRdb(Buffer.from('BZh91AY&SY'))).toMatchObject({ format: 'unknown', detail: expect.stringMatching(/bzip2/) });
		expect(verifyRdb(randomBytes(4096).fill(0x41, 0, 1))).toMatchObject({ format: 'unknown', ok: true });
		expect(verifyRdb(Buffer.from('hello'))).toMatchObject({ format: 'unknown', ok: true });
		expect(verifyRdb(new Uint8Array(0))).toMatchObject({ format: 'unknown', ok: true, detail: expect.stringMatching(/empty/) });
	});
});

describe('RDB versions and headers', () => {
	it('version 1 to 4 have no checksum: the EOF opcode at the end is all there is to check', () => {
		const body = Buffer.from([0xfe, 0x00, 0x00, 0x01, 0x61, 0x01, 0x62]);
		expect(verifyRdb(Buffer.concat([Buffer.from('REDIS0004'), body, Buffer.from([0xff])]))).toMatchObject({
			format: 'rdb',
			rdbVersion: 4,
			rdbChecksumOk: null,
			ok: true,
		});
		expect(verifyRdb(Buffer.concat([Buffer.from('REDIS0004'), body]))).toMatchObject({ rdbVersion: 4, ok: false });
	});

	it('Redis 7.2 (REDIS0011), 7.4+ (REDIS0012) and Valkey 9 (VALKEY080)', () => {
		const body = randomBytes(3000);
		for (const [magic, version] of [['REDIS0011', 11], ['REDIS0012', 12], ['VALKEY080', 80]] as const) {
			const rdb = synthetic(magic, body);
			expect(verifyRdb(rdb)).toMatchObject({ format: 'rdb', rdbVersion: version, rdbChecksumOk: true, ok: true });
			rdb[1000] ^= 4;
			expect(verifyRdb(rdb)).toMatchObject({ rdbVersion: version, rdbChecksumOk: false, ok: false });
		}
	});

	it('a header that is not one fails: non-digit or zero version, a file that stops inside it', () => {
		expect(verifyRdb(Buffer.from('REDIS00x1aaaaaaaaaaaaaaaaaaaaaa'))).toMatchObject({ format: 'rdb', ok: false });
		expect(verifyRdb(synthetic('REDIS0000', Buffer.alloc(20)))).toMatchObject({ format: 'rdb', ok: false });
		expect(verifyRdb(Buffer.from('REDIS001'))).toMatchObject({ format: 'rdb', ok: false });
		expect(verifyRdb(Buffer.from('REDIS'))).toMatchObject({ format: 'rdb', ok: false });
	});

	it('finish() once; update() after it is an error', () => {
		const verifier = new RdbVerifier().update(fixture('types.rdb'));
		const result = verifier.finish();
		expect(verifier.finish()).toBe(result);
		expect(() => verifier.update(Buffer.from('x'))).toThrow(/after finish/);
	});
});

describe('chunk boundaries never change the answer', () => {
	it('two chunks split at every offset, for every fixture', () => {
		for (const name of ALL_FIXTURES) {
			const data = fixture(name);
			const whole = verifyRdb(data);
			for (let cut = 0; cut <= data.length; cut++) {
				const result = inChunks(data, [cut]);
				if (result.detail !== whole.detail || result.ok !== whole.ok) expect([name, cut, result]).toEqual([name, cut, whole]);
			}
		}
	});

	it('one byte at a time, and seeded random chunkings, for every fixture', () => {
		const random = prng(42);
		for (const name of ALL_FIXTURES) {
			const data = fixture(name);
			const whole = verifyRdb(data);
			expect(inChunks(data, Array.from({ length: data.length }, (_, i) => i))).toEqual(whole);
			for (let round = 0; round < 20; round++) {
				const cuts: number[] = [];
				for (let at = 0; at < data.length; at += 1 + Math.floor(random() * random() * 200)) cuts.push(at);
				expect(inChunks(data, cuts)).toEqual(whole);
			}
		}
	});

	it('three chunks around an AOF\'s RDB preamble end, and around the trailer of a dump', () => {
		const aof = fixture('preamble.aof');
		const end = aof.length - fixture('incr.aof').length;
		const expectedAof = verifyRdb(aof);
		const rdb = fixture('types.rdb');
		const expectedRdb = verifyRdb(rdb);
		for (let a = end - 45; a <= end + 15; a++) {
			for (let b = a; b <= a + 45; b++) {
				expect(inChunks(aof, [a, b])).toEqual(expectedAof);
				expect(inChunks(rdb, [rdb.length - (end - a) - 20, rdb.length - (end - b) - 20].map((x) => Math.max(0, Math.min(rdb.length, x))))).toEqual(expectedRdb);
			}
		}
	});
});

describe('speed (printed, not asserted)', () => {
	it('verifies a 256 MiB RDB in 64 KiB and 1 MiB chunks', () => {
		const block = randomBytes(64 * 1048576);
		block.write('REDIS0011', 0, 'latin1');
		const rounds = 4; // 256 MiB, the 64 MiB block fed 4 times (only the first holds the header)
		const mib = (block.length * rounds) / 1048576;
		const lines: string[] = [];
		const time = (label: string, chunk: number, make: () => { update(c: Uint8Array): unknown; finish?: () => unknown }) => {
			const started = process.hrtime.bigint();
			const sink = make();
			for (let r = 0; r < rounds; r++) for (let at = 0; at < block.length; at += chunk) sink.update(block.subarray(at, at + chunk));
			sink.finish?.();
			const seconds = Number(process.hrtime.bigint() - started) / 1e9;
			lines.push(`${label.padEnd(34)} ${String(chunk / 1024).padStart(5)} KiB chunks: ${(mib / seconds).toFixed(0).padStart(5)} MiB/s`);
		};
		// Warm-up (JIT) before anything is timed.
		for (const sink of [new RdbVerifier(), new Crc64Jones(), new Crc64()]) {
			for (let at = 0; at < 16 * 1048576; at += 65536) sink.update(block.subarray(at, at + 65536));
		}
		for (const chunk of [64 * 1024, 1048576]) {
			time('RdbVerifier (CRC-64/Jones + scan)', chunk, () => new RdbVerifier());
			time('Crc64Jones alone', chunk, () => new Crc64Jones());
			time('Crc64 (ECMA, the OSS/COS header)', chunk, () => new Crc64());
		}
		console.log(`RDB verifier speed over ${mib} MiB:\n${lines.join('\n')}`);
		const verdict = new RdbVerifier().update(block).finish();
		expect(verdict).toMatchObject({ format: 'rdb', rdbVersion: 11, ok: false });
	});
});
