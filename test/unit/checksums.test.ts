/**
 * The checksum specs a download is verified with (`ChecksumSpec`, nodes/common/provider.ts): CRC-64 (OSS, COS) and
 * US3's ETag (UCloud). The US3 hasher is checked against two oracles it shares no code with: a straightforward
 * whole-buffer implementation written here from the description (blocks cut with subarray, their SHA-1s joined with
 * Buffer.concat), and the emulator's `Us3Etag` (what the UCloud emulator sends as ETag); and fed in chunks that do
 * not line up with the 4 MiB blocks.
 */
import { createHash } from 'node:crypto';

import { Us3Etag } from '../../emulator';
import { AlibabaProvider } from '../../nodes/AlibabaCloudRedis/transport/provider';
import { crc64Checksum, CRC64_ALGORITHM, entityTagValue, parseCrc64 } from '../../nodes/common/checksums';
import { Crc64, crc64 } from '../../nodes/common/crc64';
import type { BackupProvider, ChecksumSpec } from '../../nodes/common/provider';
import { TencentProvider } from '../../nodes/TencentCloudRedis/transport/provider';
import { UCloudProvider } from '../../nodes/UCloudRedis/transport/provider';
import {
	parseUs3Etag,
	US3_BLOCK_BYTES,
	US3_ETAG_ALGORITHM,
	US3_ETAG_CHECKSUM,
	us3BlockCount,
	us3Etag,
	Us3EtagHasher,
} from '../../nodes/UCloudRedis/transport/us3Etag';

const MiB = 1024 * 1024;

/** Deterministic bytes (xorshift32), different per seed. */
function bytesOf(size: number, seed = 0x2545f491): Buffer {
	const out = Buffer.alloc(size);
	let x = seed | 0 || 1;
	for (let i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		out[i] = x & 0xff;
	}
	return out;
}

const sha1 = (data: Uint8Array) => createHash('sha1').update(data).digest();

/** US3's ETag the plain way, from the description: the whole buffer at once. */
function referenceUs3Etag(data: Buffer): string {
	const blocks: Buffer[] = [];
	for (let offset = 0; offset < data.length; offset += 4 * MiB) blocks.push(data.subarray(offset, offset + 4 * MiB));
	const hash = blocks.length <= 1 ? sha1(data) : sha1(Buffer.concat(blocks.map(sha1)));
	const count = Buffer.alloc(4);
	count.writeUInt32LE(blocks.length);
	return Buffer.concat([count, hash]).toString('base64url');
}

function emulatorUs3Etag(data: Buffer): string {
	const etag = new Us3Etag();
	etag.update(data);
	return etag.digest();
}

/** Feeds `data` in chunks of the sizes given (cycled), each a view at an odd offset of a larger buffer. */
function hashInChunks(data: Buffer, sizes: number[]): string {
	const hasher = new Us3EtagHasher();
	// An unaligned copy: views into it start at odd byteOffsets, as network chunks may.
	const backing = Buffer.alloc(data.length + 3);
	data.copy(backing, 3);
	let offset = 0;
	for (let i = 0; offset < data.length; i++) {
		const size = Math.min(sizes[i % sizes.length], data.length - offset);
		hasher.update(backing.subarray(3 + offset, 3 + offset + size));
		offset += size;
	}
	expect(hasher.bytes).toBe(data.length);
	return hasher.digest();
}

describe('US3 ETag (Us3EtagHasher)', () => {
	const cases: Array<[string, number, number]> = [
		['0 bytes', 0, 0],
		['1 byte', 1, 1],
		['4 MiB - 1', 4 * MiB - 1, 1],
		['exactly 4 MiB (one block: the data\'s own SHA-1)', 4 * MiB, 1],
		['4 MiB + 1 (two blocks: SHA-1 of the block SHA-1s)', 4 * MiB + 1, 2],
		['exactly 8 MiB', 8 * MiB, 2],
		['9 MiB', 9 * MiB, 3],
		['9 MiB + 12345', 9 * MiB + 12_345, 3],
	];

	it.each(cases)('%s: equals the whole-buffer reference and the emulator\'s Us3Etag', (_what, size, blocks) => {
		const data = bytesOf(size, size + 7);
		const expected = referenceUs3Etag(data);
		expect(us3Etag(data)).toBe(expected);
		expect(emulatorUs3Etag(data)).toBe(expected);
		expect(expected).toMatch(/^[A-Za-z0-9_-]{32}$/);
		expect(Buffer.from(expected, 'base64url').readUInt32LE(0)).toBe(blocks);
		expect(us3BlockCount(size)).toBe(blocks);
	});

	it('of nothing is the block count 0 and the SHA-1 of nothing', () => {
		const empty = Buffer.concat([Buffer.alloc(4), Buffer.from('da39a3ee5e6b4b0d3255bfef95601890afd80709', 'hex')]);
		expect(us3Etag(Buffer.alloc(0))).toBe(empty.toString('base64url'));
		expect(new Us3EtagHasher().digest()).toBe(empty.toString('base64url'));
	});

	it('of one block is not a SHA-1 of SHA-1s, of two blocks it is (the boundary is exact)', () => {
		const block = bytesOf(4 * MiB, 3);
		const one = Buffer.from(us3Etag(block), 'base64url');
		expect(one.subarray(4).equals(sha1(block))).toBe(true);
		const two = Buffer.concat([block, Buffer.from([0x42])]);
		const twoEtag = Buffer.from(us3Etag(two), 'base64url');
		expect(twoEtag.subarray(4).equals(sha1(Buffer.concat([sha1(block), sha1(Buffer.from([0x42]))])))).toBe(true);
	});

	describe('fed in chunks that do not line up with the 4 MiB blocks', () => {
		const data = bytesOf(9 * MiB + 12_345, 99);
		const expected = referenceUs3Etag(data);
		it.each([
			['64 KiB + 1', [64 * 1024 + 1]],
			['odd sizes (1, 7, 65 535, 1 000 003)', [1, 7, 65_535, 1_000_003]],
			['one chunk spanning two block boundaries, then small ones', [9 * MiB - 5, 1, 1, 1, 1, 1]],
			['a chunk ending 1 byte before a boundary, then one starting on it', [4 * MiB - 1, 1, 4 * MiB, 12_345 + MiB]],
			['3 MiB', [3 * MiB]],
		])('%s', (_what, sizes) => {
			expect(hashInChunks(data, sizes)).toBe(expected);
		});

		it('empty chunks change nothing', () => {
			const hasher = new Us3EtagHasher();
			hasher.update(new Uint8Array(0));
			hasher.update(data.subarray(0, 5 * MiB));
			hasher.update(new Uint8Array(0));
			hasher.update(data.subarray(5 * MiB));
			expect(hasher.digest()).toBe(expected);
		});
	});

	it('digest() may be read again (same value); feeding after it is refused', () => {
		const hasher = new Us3EtagHasher().update(bytesOf(1000));
		const value = hasher.digest();
		expect(hasher.digest()).toBe(value);
		expect(() => hasher.update(Buffer.from([1]))).toThrow(/after digest/);
	});

	it('does not copy or change the chunks it is fed', () => {
		const data = bytesOf(5 * MiB, 5);
		const before = Buffer.from(data);
		new Us3EtagHasher().update(data).digest();
		expect(data.equals(before)).toBe(true);
	});
});

describe('parseUs3Etag (reading the ETag header)', () => {
	const data = bytesOf(6 * MiB, 11);
	const etag = referenceUs3Etag(data);

	it('takes the quoted value US3 sends, without the quotes', () => {
		expect(parseUs3Etag(`"${etag}"`, data.length)).toBe(etag);
		expect(parseUs3Etag(` "${etag}" `, null)).toBe(etag);
		expect(parseUs3Etag(etag, data.length)).toBe(etag);
	});

	it("reads standard Base64 as its URL-safe twin (PutFile's sample, one block)", () => {
		// Two blocks (6 MiB) and a hash whose Base64 has '+' and '/'.
		const raw = Buffer.concat([Buffer.from([2, 0, 0, 0]), Buffer.alloc(20, 0xfb)]);
		const standard = raw.toString('base64');
		expect(standard).toMatch(/[+/]/);
		expect(parseUs3Etag(`"${standard}"`, data.length)).toBe(raw.toString('base64url'));
		expect(parseUs3Etag('"AQAAABP9DJdoo2X0hKyax2pVTLQPaVzH"', 1000)).toBe('AQAAABP9DJdoo2X0hKyax2pVTLQPaVzH');
	});

	it.each([
		['a weak tag', `W/"${etag}"`],
		['an MD5 in hex (32 characters, valid Base64 too)', '"9e107d9d372bb6826bd81d3542a419d6"'],
		['an MD5 in upper-case hex', '"9E107D9D372BB6826BD81D3542A419D6"'],
		['a multipart-upload ETag of the S3 kind', '"d41d8cd98f00b204e9800998ecf8427e-3"'],
		['another length', `"${etag.slice(1)}"`],
		['padding', `"${etag.slice(0, 30)}=="`],
		['empty', '""'],
		['nothing', ''],
		['a block count other than the file size gives', `"${referenceUs3Etag(bytesOf(1000))}"`],
	])('refuses %s (null: the file is then not verified, not failed)', (_what, value) => {
		expect(parseUs3Etag(value, data.length)).toBeNull();
	});

	it('where the size is unknown, refuses a value claiming an implausible number of blocks', () => {
		expect(parseUs3Etag('"9e107d9d372bb6826bd81d3542a419d6"', null)).toBeNull();
		expect(parseUs3Etag(`"${etag}"`, null)).toBe(etag);
	});
});

describe('CRC-64 header values (parseCrc64)', () => {
	it('an unsigned decimal, leading zeros dropped (the form Crc64.digest gives)', () => {
		expect(parseCrc64('11051210869376104954')).toBe('11051210869376104954');
		expect(parseCrc64(' 0042 ')).toBe('42');
		expect(parseCrc64('18446744073709551615')).toBe('18446744073709551615');
	});

	it.each([['-1'], ['18446744073709551616'], ['0x10'], ['1e5'], [''], ['"123"'], ['123456789012345678901']])(
		'refuses %p',
		(value) => {
			expect(parseCrc64(value)).toBeNull();
		},
	);
});

describe('entityTagValue', () => {
	it('strips the quotes of a strong tag, keeps a bare token, refuses weak and empty tags', () => {
		expect(entityTagValue('"abc"')).toBe('abc');
		expect(entityTagValue('abc')).toBe('abc');
		expect(entityTagValue('W/"abc"')).toBeNull();
		expect(entityTagValue('w/"abc"')).toBeNull();
		expect(entityTagValue('""')).toBeNull();
		expect(entityTagValue('"a"b"')).toBeNull();
	});
});

describe.each<[string, ChecksumSpec, (data: Buffer) => string, (digest: string) => string]>([
	['CRC-64', crc64Checksum('X-Test-Hash-Crc64ecma'), (data) => crc64(data), (digest) => digest],
	['US3 ETag', US3_ETAG_CHECKSUM, referenceUs3Etag, (digest) => `"${digest}"`],
])('the %s spec', (_label, spec, reference, asSent) => {
	it('names its algorithm, a lower-case header and a label for messages', () => {
		expect([CRC64_ALGORITHM, US3_ETAG_ALGORITHM]).toContain(spec.algorithm);
		expect(spec.header).toBe(spec.header.toLowerCase());
		expect(spec.label).not.toBe('');
	});

	it('makes a fresh hasher each time, whose digest is what parse() makes of the header the storage sends', () => {
		const data = bytesOf(5 * MiB + 3, 21);
		const first = spec.createHasher();
		const second = spec.createHasher();
		expect(first).not.toBe(second);
		first.update(data.subarray(0, 1_000_001));
		first.update(data.subarray(1_000_001));
		second.update(data);
		const digest = first.digest();
		expect(digest).toBe(reference(data));
		expect(second.digest()).toBe(digest);
		expect(spec.parse(asSent(digest), data.length)).toBe(digest);
	});

	it('a hasher resumed mid-way (the same hasher fed the rest) equals one fed the whole', () => {
		const data = bytesOf(4 * MiB + 100_000, 8);
		const hasher = spec.createHasher();
		hasher.update(data.subarray(0, 2_345_678));
		hasher.update(data.subarray(2_345_678));
		expect(hasher.digest()).toBe(reference(data));
	});

	it('one flipped byte changes the checksum', () => {
		const data = bytesOf(4 * MiB + 17, 31);
		const flipped = Buffer.from(data);
		flipped[4 * MiB + 3] ^= 0x01;
		const hasher = spec.createHasher();
		hasher.update(flipped);
		expect(hasher.digest()).toBe(reference(flipped));
		expect(reference(flipped)).not.toBe(reference(data));
	});
});

describe("the adapters' storage traits", () => {
	// The storage traits need no client.
	const noClient = {} as never;
	it.each<[string, BackupProvider, string, string]>([
		['Alibaba (OSS)', new AlibabaProvider(noClient), 'crc64ecma', 'x-oss-hash-crc64ecma'],
		['Tencent (COS)', new TencentProvider(noClient), 'crc64ecma', 'x-cos-hash-crc64ecma'],
		['UCloud (US3)', new UCloudProvider(noClient), 'us3-etag', 'etag'],
	])('%s', (_what, provider, algorithm, header) => {
		expect(provider.storage.checksum).toMatchObject({ algorithm, header });
	});

	it("UCloud's hasher is the US3 ETag's", () => {
		const data = bytesOf(4 * MiB + 9, 77);
		const hasher = new UCloudProvider({} as never).storage.checksum!.createHasher();
		hasher.update(data);
		expect(hasher.digest()).toBe(referenceUs3Etag(data));
	});
});

describe('Crc64 is still the ChecksumHasher the CRC spec makes', () => {
	it('is a Crc64', () => {
		expect(crc64Checksum('x').createHasher()).toBeInstanceOf(Crc64);
	});
});

describe('US3_BLOCK_BYTES', () => {
	it('is 4 MiB', () => {
		expect(US3_BLOCK_BYTES).toBe(4 * MiB);
	});
});
