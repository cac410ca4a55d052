/**
 * CRC-64/XZ ("CRC-64/ECMA-182" of OSS and COS): the standard check value, the empty input, chunking invariance, and
 * agreement with an independent bit-by-bit BigInt reference on random inputs (written here from the catalogue
 * parameters, sharing nothing with the table-driven implementation).
 */
import { randomBytes } from 'node:crypto';

import { Crc64, crc64 } from '../../nodes/common/crc64';
import { Crc64 as EmulatorCrc64, crc64 as emulatorCrc64 } from '../../emulator/common/crc64';

/** CRC-64/XZ from the catalogue: width 64, poly 0x42F0E1EBA9EA3693 reflected, init and xorout all ones, refin/refout. */
const ZERO = BigInt(0);
const ONE = BigInt(1);
const MASK = (ONE << BigInt(64)) - ONE;
const REFLECTED_POLY = BigInt('0xC96C5795D7870F42'); // 0x42F0E1EBA9EA3693 bit-reversed
function referenceCrc64(data: Uint8Array): string {
	let crc = MASK;
	for (const byte of data) {
		crc ^= BigInt(byte);
		for (let bit = 0; bit < 8; bit++)
			crc = (crc & ONE) !== ZERO ? (crc >> ONE) ^ REFLECTED_POLY : crc >> ONE;
	}
	return (crc ^ MASK).toString(10);
}

/** A deterministic PRNG (mulberry32), so a failure can be reproduced from the printed seed. */
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

describe('CRC-64/XZ (x-oss-hash-crc64ecma, x-cos-hash-crc64ecma)', () => {
	it('has the catalogue check value for "123456789": 0x995DC9BBDF1939FA', () => {
		const check = BigInt('0x995DC9BBDF1939FA').toString(10);
		expect(check).toBe('11051210869376104954');
		expect(crc64(Buffer.from('123456789'))).toBe(check);
		expect(referenceCrc64(Buffer.from('123456789'))).toBe(check);
	});

	it('is 0 for the empty input, and update() with nothing changes nothing', () => {
		expect(crc64(new Uint8Array(0))).toBe('0');
		expect(new Crc64().digest()).toBe('0');
		const crc = new Crc64().update(Buffer.from('abc'));
		const before = crc.digest();
		expect(crc.update(new Uint8Array(0)).digest()).toBe(before);
	});

	it('writes an unsigned decimal (values with the top bit set stay positive)', () => {
		// "123456789" has the top bit set (0x99...); a signed conversion would give a negative number.
		expect(crc64(Buffer.from('123456789'))).toMatch(/^[1-9]\d*$/);
		expect(BigInt(crc64(Buffer.from('123456789')))).toBeGreaterThan(ONE << BigInt(63));
	});

	it('agrees with the bit-by-bit reference on random inputs of every length up to 300 bytes', () => {
		const random = prng(1);
		for (let length = 0; length <= 300; length++) {
			const data = Uint8Array.from({ length }, () => Math.floor(random() * 256));
			expect([length, crc64(data)]).toEqual([length, referenceCrc64(data)]);
		}
	});

	it('agrees with the reference on random larger inputs, at every byte alignment of the view', () => {
		for (let round = 0; round < 8; round++) {
			const backing = randomBytes(20_000 + round * 997);
			for (let offset = 0; offset < 8; offset++) {
				const view = new Uint8Array(
					backing.buffer,
					backing.byteOffset + offset,
					backing.length - 8,
				);
				expect(crc64(view)).toBe(referenceCrc64(view));
			}
		}
	});

	it('does not depend on how the input is split into chunks (random split points)', () => {
		const seed = 42;
		const random = prng(seed);
		const data = randomBytes(200_003);
		const whole = crc64(data);
		expect(whole).toBe(referenceCrc64(data));
		for (let round = 0; round < 50; round++) {
			const crc = new Crc64();
			let offset = 0;
			while (offset < data.length) {
				// Mostly small and odd-sized pieces (the head/tail paths), sometimes large ones (the word path).
				const size = random() < 0.2 ? Math.floor(random() * 70_000) : Math.floor(random() * 70);
				crc.update(data.subarray(offset, offset + size));
				offset += size;
			}
			expect([seed, round, crc.digest()]).toEqual([seed, round, whole]);
			expect(crc.bytes).toBe(data.length);
		}
	});

	it('reads a chunk that is a view into a larger buffer, not the whole buffer', () => {
		const backing = Buffer.from('xxxx123456789yyyy');
		expect(crc64(backing.subarray(4, 13))).toBe('11051210869376104954');
	});

	it('is the very implementation the emulator uses (one home)', () => {
		expect(EmulatorCrc64).toBe(Crc64);
		expect(emulatorCrc64).toBe(crc64);
	});
});
