import { createCipheriv, createHash } from 'crypto';
import { Readable } from 'stream';

import { Crc64Jones } from '../../nodes/common/rdb';

/**
 * Real, valid Redis RDB files of any size, generated from a seed and never held in memory: a backup file of the
 * emulator can be a multi-GiB RDB that `redis-check-rdb` accepts, served with Range requests from any offset.
 *
 * Layout (redis/src/rdb.c `rdbSaveRio`, the bytes Redis writes for string keys):
 *   `REDIS0011` (or `VALKEY080` for version 80+), AUX fields (redis-ver, redis-bits, ctime, used-mem, aof-base,
 *   integer-encoded as Redis writes them; RDB version 7+), SELECTDB 0, RESIZEDB <keys> 0 (version 7+),
 *   N string keys `emu:<13-digit index>` (the last key may be up to 3 bytes longer, to hit the size exactly), the EOF
 *   opcode 0xFF, and from version 5 the CRC-64/Jones of everything before as 8 little-endian bytes.
 * Every value but the last has the same length V (chosen from the file size: 32 B to 64 KiB); value i is variant
 * i % 8, 8 blocks of AES-128-CTR keystream from the seed. The last value repeats its variant cyclically.
 *
 * The trailer is computed without generating the file, because CRC-64/Jones is linear (init and final XOR 0): after
 * a record, register = Z_V(register after the record's header bytes) ^ crc(value), where Z_V (the register run
 * through V zero bytes) is a fixed 64x64 bit matrix, applied with 8 tables of 256 entries. A 4 GiB file (65536
 * records) takes milliseconds; the ECMA-182 CRC the storages send is still computed over the served bytes.
 */

export const DEFAULT_RDB_VERSION = 11;
const VARIANTS = 8;
const KEY_LENGTH = 17; // 'emu:' + 13 digits
const MAX_KEY_SUFFIX = 3;
const TYPE_STRING = 0x00;
const OP_AUX = 0xfa;
const OP_RESIZEDB = 0xfb;
const OP_SELECTDB = 0xfe;
const OP_EOF = 0xff;

/** The Redis (or Valkey) release whose RDB version this is, for the redis-ver aux field. */
const RELEASE_OF_VERSION: Record<number, string> = {
	5: '2.6.17',
	6: '2.8.24',
	7: '3.2.13',
	8: '4.0.14',
	9: '6.2.14',
	10: '7.0.15',
	11: '7.2.4',
	12: '7.4.2',
	80: '9.0.0',
};

/** RDB length encoding (6-bit, 14-bit, 32-bit, 64-bit). */
export function encodeLength(n: number): Buffer {
	if (n < 0x40) return Buffer.from([n]);
	if (n < 0x4000) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
	if (n <= 0xffffffff) {
		const b = Buffer.alloc(5);
		b[0] = 0x80;
		b.writeUInt32BE(n, 1);
		return b;
	}
	const b = Buffer.alloc(9);
	b[0] = 0x81;
	b.writeBigUInt64BE(BigInt(n), 1);
	return b;
}

const lengthOfLength = (n: number): number => (n < 0x40 ? 1 : n < 0x4000 ? 2 : n <= 0xffffffff ? 5 : 9);

/** An RDB string: integer-encoded (RDB_ENC_INT8/16/32) when Redis would, else length-prefixed bytes. */
function encodeString(value: string | number): Buffer {
	const text = String(value);
	if (/^-?[1-9]\d{0,10}$|^0$/.test(text)) {
		const n = Number(text);
		if (n >= -128 && n <= 127) return Buffer.from([0xc0, n & 0xff]);
		if (n >= -32768 && n <= 32767) {
			const b = Buffer.alloc(3);
			b[0] = 0xc1;
			b.writeInt16LE(n, 1);
			return b;
		}
		if (n >= -2147483648 && n <= 2147483647) {
			const b = Buffer.alloc(5);
			b[0] = 0xc2;
			b.writeInt32LE(n, 1);
			return b;
		}
	}
	const bytes = Buffer.from(text, 'latin1');
	return Buffer.concat([encodeLength(bytes.length), bytes]);
}

export interface RdbFileSpec {
	seed: string;
	size: number;
	lastModifiedMs: number;
	version?: number;
}

/** Where everything is in one generated RDB file. */
export interface RdbLayout {
	readonly spec: Required<RdbFileSpec>;
	/** Header, aux fields, SELECTDB, RESIZEDB. */
	readonly head: Buffer;
	/** Number of keys; all but the last are `recordLength` bytes long. */
	readonly keys: number;
	readonly valueLength: number;
	readonly recordLength: number;
	readonly recordsStart: number;
	readonly lastStart: number;
	readonly lastKeySuffix: number;
	readonly lastValueLength: number;
	readonly lastHeader: Buffer;
	readonly tailStart: number;
	/** The value blocks (VARIANTS of valueLength bytes). */
	readonly variants: Buffer[];
	/** EOF opcode and (version 5+) the CRC-64/Jones trailer; computed on first use. */
	tail(): Buffer;
}

function magicOf(version: number): string {
	return version >= 80 ? `VALKEY${String(version).padStart(3, '0')}` : `REDIS${String(version).padStart(4, '0')}`;
}

function headBytes(spec: Required<RdbFileSpec>, keys: number): Buffer {
	const { version } = spec;
	const parts: Buffer[] = [Buffer.from(magicOf(version), 'latin1')];
	if (version >= 7) {
		const aux = (key: string, value: string | number) => parts.push(Buffer.from([OP_AUX]), encodeString(key), encodeString(value));
		aux(version >= 80 ? 'valkey-ver' : 'redis-ver', RELEASE_OF_VERSION[version] ?? RELEASE_OF_VERSION[DEFAULT_RDB_VERSION]);
		aux('redis-bits', 64);
		aux('ctime', Math.floor(spec.lastModifiedMs / 1000));
		aux('used-mem', Math.min(2147483647, 1048576 + spec.size));
		aux(version >= 10 ? 'aof-base' : 'aof-preamble', 0);
	}
	parts.push(Buffer.from([OP_SELECTDB]), encodeLength(0));
	if (version >= 7) parts.push(Buffer.from([OP_RESIZEDB]), encodeLength(keys), encodeLength(0));
	return Buffer.concat(parts);
}

function keyBytes(index: number, suffix = 0): Buffer {
	return Buffer.from(`emu:${String(index).padStart(13, '0')}${'x'.repeat(suffix)}`, 'latin1');
}

function recordHeader(index: number, valueLength: number, suffix = 0): Buffer {
	const key = keyBytes(index, suffix);
	return Buffer.concat([Buffer.from([TYPE_STRING]), encodeLength(key.length), key, encodeLength(valueLength)]);
}

/** Value length for a file of this size: about size / 256, a power of two from 32 B to 64 KiB. */
function valueLengthFor(size: number): number {
	const target = Math.max(1, size / 256);
	return Math.min(65536, Math.max(32, 2 ** Math.floor(Math.log2(target))));
}

/** The last record's key suffix and value length for a record of exactly `length` bytes, if one exists. */
function lastRecordShape(length: number): { suffix: number; valueLength: number } | undefined {
	for (let suffix = 0; suffix <= MAX_KEY_SUFFIX; suffix++) {
		const rest = length - 2 - KEY_LENGTH - suffix; // type byte, key length byte, key
		for (const enc of [1, 2, 5, 9]) {
			const valueLength = rest - enc;
			if (valueLength >= 0 && lengthOfLength(valueLength) === enc) return { suffix, valueLength };
		}
	}
	return undefined;
}

const LENGTH_RANGES: Array<[number, number, number]> = [
	[1, 0, 0x3f],
	[2, 0x40, 0x3fff],
	[5, 0x4000, 0xffffffff],
	[9, 0x100000000, Number.MAX_SAFE_INTEGER],
];

/** The smallest file size a generated RDB of this version can have (smaller files are served as plain bytes). */
export function minimumRdbSize(version = DEFAULT_RDB_VERSION, lastModifiedMs = 0): number {
	const spec = { seed: '', size: 0, lastModifiedMs, version };
	return headBytes(spec, 1).length + 20 + (version >= 5 ? 9 : 1);
}

/** Plan the file, or undefined when the size is too small for a valid RDB with one key. */
function plan(spec: Required<RdbFileSpec>): Omit<RdbLayout, 'variants' | 'tail' | 'spec'> | undefined {
	const tailLength = spec.version >= 5 ? 9 : 1;
	const valueLength = valueLengthFor(spec.size);
	const recordLength = 2 + KEY_LENGTH + lengthOfLength(valueLength) + valueLength;
	const counted = spec.version >= 7; // RESIZEDB carries the key count, whose length encoding varies
	const headFixed = headBytes(spec, 0).length - (counted ? 1 : 0);
	const ranges: Array<[number, number, number]> = counted ? LENGTH_RANGES : [[0, 1, Number.MAX_SAFE_INTEGER]];
	let best: { keys: number; head: Buffer; shape: { suffix: number; valueLength: number }; lastLength: number } | undefined;
	for (const [enc, lo, hi] of ranges) {
		const records = spec.size - headFixed - enc - tailLength;
		const keys = Math.min(hi, Math.max(1, lo, Math.floor(records / recordLength)));
		const lastLength = records - (keys - 1) * recordLength;
		if (lastLength < 20) continue;
		const shape = lastRecordShape(lastLength);
		if (!shape) continue;
		const head = headBytes(spec, keys);
		if (head.length !== headFixed + enc) continue;
		if (!best || keys > best.keys) best = { keys, head, shape, lastLength };
	}
	if (!best) return undefined;
	const recordsStart = best.head.length;
	const lastStart = recordsStart + (best.keys - 1) * recordLength;
	const lastHeader = recordHeader(best.keys - 1, best.shape.valueLength, best.shape.suffix);
	return {
		head: best.head,
		keys: best.keys,
		valueLength,
		recordLength,
		recordsStart,
		lastStart,
		lastKeySuffix: best.shape.suffix,
		lastValueLength: best.shape.valueLength,
		lastHeader,
		tailStart: lastStart + best.lastLength,
	};
}

function keystream(seed: string, length: number): Buffer {
	const key = createHash('sha256').update(`rdb-values:${seed}`).digest().subarray(0, 16);
	const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
	return cipher.update(Buffer.alloc(length));
}

// --- The trailer without the file: Z_L, "run the register through L zero bytes", as 8 tables of 256 entries. ---

interface ZeroShift {
	lo: Int32Array;
	hi: Int32Array;
}
const zeroShifts = new Map<number, ZeroShift>();

function zeroShift(length: number): ZeroShift {
	let shift = zeroShifts.get(length);
	if (shift) return shift;
	const zeros = new Uint8Array(length);
	// Images of the 64 basis registers.
	const baseLo = new Int32Array(64);
	const baseHi = new Int32Array(64);
	for (let bit = 0; bit < 64; bit++) {
		const crc = new Crc64Jones(bit < 32 ? 1 << bit : 0, bit >= 32 ? 1 << (bit - 32) : 0).update(zeros);
		baseLo[bit] = crc.low;
		baseHi[bit] = crc.high;
	}
	const lo = new Int32Array(8 * 256);
	const hi = new Int32Array(8 * 256);
	for (let k = 0; k < 8; k++) {
		for (let b = 0; b < 256; b++) {
			let l = 0;
			let h = 0;
			for (let j = 0; j < 8; j++) {
				if (b & (1 << j)) {
					l ^= baseLo[8 * k + j];
					h ^= baseHi[8 * k + j];
				}
			}
			lo[k * 256 + b] = l;
			hi[k * 256 + b] = h;
		}
	}
	shift = { lo, hi };
	zeroShifts.set(length, shift);
	return shift;
}

function applyShift(shift: ZeroShift, rLo: number, rHi: number): [number, number] {
	let l = 0;
	let h = 0;
	for (let k = 0; k < 4; k++) {
		const a = (rLo >>> (8 * k)) & 0xff;
		const b = (rHi >>> (8 * k)) & 0xff;
		l ^= shift.lo[k * 256 + a] ^ shift.lo[(k + 4) * 256 + b];
		h ^= shift.hi[k * 256 + a] ^ shift.hi[(k + 4) * 256 + b];
	}
	return [l, h];
}

function computeTail(layout: RdbLayout): Buffer {
	if (layout.spec.version < 5) return Buffer.from([OP_EOF]);
	let crc = new Crc64Jones().update(layout.head);
	const valueCrcs = layout.variants.map((v) => new Crc64Jones().update(v));
	const shift = zeroShift(layout.valueLength);
	for (let i = 0; i < layout.keys - 1; i++) {
		crc.update(recordHeader(i, layout.valueLength));
		const [l, h] = applyShift(shift, crc.low, crc.high);
		const v = valueCrcs[i % VARIANTS];
		crc = new Crc64Jones(l ^ v.low, h ^ v.high);
	}
	crc.update(layout.lastHeader);
	const variant = layout.variants[(layout.keys - 1) % VARIANTS];
	for (let done = 0; done < layout.lastValueLength; done += variant.length) {
		crc.update(variant.subarray(0, Math.min(variant.length, layout.lastValueLength - done)));
	}
	crc.update(Buffer.from([OP_EOF]));
	return Buffer.concat([Buffer.from([OP_EOF]), Buffer.from(crc.digestBytes())]);
}

const layouts = new Map<string, RdbLayout>();
const MAX_CACHED_LAYOUTS = 16;

/** The layout of the generated RDB for this seed and size (cached), or undefined when the size is too small. */
export function rdbLayout(input: RdbFileSpec): RdbLayout | undefined {
	const spec: Required<RdbFileSpec> = { ...input, version: input.version ?? DEFAULT_RDB_VERSION };
	if (!Number.isInteger(spec.version) || spec.version < 1 || spec.version > 999) throw new Error(`RDB version ${spec.version} is not one`);
	const id = `${spec.seed}\u0000${spec.size}\u0000${spec.version}\u0000${spec.lastModifiedMs}`;
	const cached = layouts.get(id);
	if (cached) {
		layouts.delete(id);
		layouts.set(id, cached);
		return cached;
	}
	const planned = plan(spec);
	if (!planned) return undefined;
	const block = keystream(spec.seed, VARIANTS * planned.valueLength);
	const variants = Array.from({ length: VARIANTS }, (_, v) => block.subarray(v * planned.valueLength, (v + 1) * planned.valueLength));
	let tail: Buffer | undefined;
	const layout: RdbLayout = {
		spec,
		...planned,
		variants,
		tail: () => (tail ??= computeTail(layout)),
	};
	layouts.set(id, layout);
	if (layouts.size > MAX_CACHED_LAYOUTS) layouts.delete(layouts.keys().next().value as string);
	return layout;
}

/** Copy bytes [pos, pos + out.length) of the file into out. */
export function readRdb(layout: RdbLayout, pos: number, out: Buffer): void {
	let at = 0;
	const want = out.length;
	while (at < want) {
		const p = pos + at;
		let piece: Buffer;
		let offset: number;
		if (p < layout.recordsStart) {
			piece = layout.head;
			offset = p;
		} else if (p < layout.lastStart) {
			const index = Math.floor((p - layout.recordsStart) / layout.recordLength);
			const inRecord = p - layout.recordsStart - index * layout.recordLength;
			const headerLength = layout.recordLength - layout.valueLength;
			if (inRecord < headerLength) {
				piece = recordHeader(index, layout.valueLength);
				offset = inRecord;
			} else {
				piece = layout.variants[index % VARIANTS];
				offset = inRecord - headerLength;
			}
		} else if (p < layout.tailStart) {
			const inRecord = p - layout.lastStart;
			const headerLength = layout.lastHeader.length;
			if (inRecord < headerLength) {
				piece = layout.lastHeader;
				offset = inRecord;
			} else {
				const inValue = inRecord - headerLength;
				const variant = layout.variants[(layout.keys - 1) % VARIANTS];
				// Cyclic repetition of the variant, cut at the end of the value.
				const cycleStart = inValue - (inValue % variant.length);
				piece = variant.subarray(0, Math.min(variant.length, layout.lastValueLength - cycleStart));
				offset = inValue - cycleStart;
			}
		} else {
			piece = layout.tail();
			offset = p - layout.tailStart;
		}
		const n = Math.min(piece.length - offset, want - at);
		if (n <= 0) throw new Error(`RDB generator: nothing at byte ${p} of ${layout.spec.size}`);
		piece.copy(out, at, offset, offset + n);
		at += n;
	}
}

const CHUNK = 256 * 1024;

/** Stream bytes [start, end] (inclusive) of the generated file. */
export function rdbStream(layout: RdbLayout, start = 0, end = layout.spec.size - 1): Readable {
	let pos = start;
	return new Readable({
		read() {
			if (pos > end) {
				this.push(null);
				return;
			}
			const out = Buffer.allocUnsafe(Math.min(CHUNK, end - pos + 1));
			readRdb(layout, pos, out);
			pos += out.length;
			this.push(out);
		},
	});
}
