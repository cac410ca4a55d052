/**
 * Is this backup a Redis RDB file, and is it whole? A streaming verifier, fed the chunks of a download in order
 * (like the storage checksum's hasher), that never holds the file: a head of at most 512 bytes until the format is
 * known, then a running CRC and the last 32 bytes.
 *
 * What an RDB file is (redis/src/rdb.c `rdbSaveRio`): the magic `REDIS` and the version as 4 ASCII digits
 * (`REDIS0011`; Valkey 9 writes `VALKEY` and 3 digits, `VALKEY080`), the data, the EOF opcode 0xFF and, from RDB
 * version 5 (Redis 2.6) on, the CRC-64 of every byte before it (magic included) as 8 little-endian bytes; Redis
 * writes 0 there when `rdbchecksum no` (the checksum is then disabled, which is said, not failed). The CRC is Redis's
 * own (redis/src/crc64.c): CRC-64/Jones, reflected polynomial 0x95AC9329AC4BC9B5, initial value and final XOR 0, check
 * value of "123456789" 0xE9C6D914C4B8D9CA; not the CRC-64/XZ (ECMA-182) that OSS and COS send (common/crc64.ts).
 *
 * What is not one RDB is named, never failed: an AOF (a command stream, `*<argc>\r\n$...`, or `#TS:` annotations),
 * a multi-part AOF manifest (Redis 7: `file appendonly.aof.1.base.rdb seq 1 type b`), an AOF with an RDB preamble
 * (Redis 4 to 6 `aof-use-rdb-preamble`: an RDB, its EOF and checksum, then commands; found by the preamble's own
 * checksum where the commands begin), gzip, tar and zip archives by their magic numbers, other compressors by name,
 * and the rest as unknown. Only a file that says it is an RDB can fail (`ok: false`): a bad version, a missing EOF
 * opcode before the trailer (truncated), or a checksum that does not match.
 *
 * Pure and provider-neutral: no I/O, no Node modules (Buffer's native byte search only).
 */

import { CRC64_JONES, ReflectedCrc64 } from './crc64';

export type BackupFileFormat = 'rdb' | 'aof' | 'archive-gzip' | 'archive-tar' | 'archive-zip' | 'unknown';

export interface RdbVerification {
	format: BackupFileFormat;
	/** The RDB version of the header (also of an AOF's RDB preamble), else null. */
	rdbVersion: number | null;
	/** The RDB's own CRC-64 trailer matched (true) or not (false); null where there is none to check: not an RDB,
	 * RDB version < 5, or checksums disabled (a zero trailer). */
	rdbChecksumOk: boolean | null;
	/** False only for a file that claims to be an RDB and is not a whole, valid one. */
	ok: boolean;
	/** One sentence: what the file is and what was checked, or why it failed. */
	detail: string;
}

// ---------------------------------------------------------------------------------------------------------------
// CRC-64/Jones (Redis): an instance of the reflected CRC-64 engine of common/crc64.ts.
// ---------------------------------------------------------------------------------------------------------------

/**
 * Incremental CRC-64/Jones as Redis computes it (`crc64(0, data, len)`). Init and final XOR are 0, so the register
 * is the CRC itself and the function is linear: `new Crc64Jones(lo, hi)` continues from any register (the emulator
 * uses that to compute the trailer of a generated multi-GiB RDB without generating it).
 */
export class Crc64Jones extends ReflectedCrc64 {
	constructor(lo = 0, hi = 0) {
		super(CRC64_JONES, lo, hi);
	}

	/** The register's low and high 32 bits (signed int32). */
	get low(): number {
		return this.lo;
	}

	get high(): number {
		return this.hi;
	}

	/** The CRC as 16 hex digits (as a number: 0x<digits>). */
	digestHex(): string {
		return hex64(this.lo, this.hi);
	}

	/** The CRC as Redis stores it after the EOF opcode: 8 bytes, little-endian. */
	digestBytes(): Uint8Array {
		const out = new Uint8Array(8);
		writeLe(out, 0, this.lo, this.hi);
		return out;
	}
}

/** CRC-64/Jones of one buffer, as 16 hex digits. */
export function crc64Jones(data: Uint8Array): string {
	return new Crc64Jones().update(data).digestHex();
}

function hex64(lo: number, hi: number): string {
	return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

function writeLe(out: Uint8Array, at: number, lo: number, hi: number): void {
	for (let k = 0; k < 4; k++) {
		out[at + k] = (lo >>> (8 * k)) & 0xff;
		out[at + 4 + k] = (hi >>> (8 * k)) & 0xff;
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Classification of the first bytes.
// ---------------------------------------------------------------------------------------------------------------

/** The first bytes kept until the format is known: tar's `ustar` sits at offset 257. */
const HEAD_BYTES = 512;
/** Bytes held back from the running CRC: the 8-byte trailer, and room to see an AOF's first command after an RDB
 * preamble's trailer (`*<up to 10 digits>\r\n$`) before hashing past the preamble's end. */
const LAG = 32;
/** RDB_OPCODE_EOF. */
const EOF_OPCODE = 0xff;
/** The first RDB version with a CRC-64 trailer (Redis 2.6). */
const FIRST_CHECKSUMMED_VERSION = 5;

type Classification =
	| { kind: 'rdb'; version: number; magic: string }
	| { kind: 'done'; result: RdbVerification };

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
const MAGIC_REDIS = ascii('REDIS');
const MAGIC_VALKEY = ascii('VALKEY');
const USTAR = ascii('ustar');

/** Other compressors and archivers, named in the detail of an `unknown` file. */
const OTHER_MAGICS: Array<{ bytes: number[]; name: string }> = [
	{ bytes: [0x28, 0xb5, 0x2f, 0xfd], name: 'zstd-compressed data' },
	{ bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], name: 'xz-compressed data' },
	{ bytes: [0x42, 0x5a, 0x68], name: 'bzip2-compressed data' },
	{ bytes: [0x04, 0x22, 0x4d, 0x18], name: 'LZ4-compressed data' },
	{ bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], name: 'a 7-Zip archive' },
	{ bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], name: 'a RAR archive' },
];

/** 'yes' the head starts with these bytes, 'no' it does not, 'maybe' it is a shorter prefix of them. */
function startsWith(head: Uint8Array, bytes: number[], at = 0): 'yes' | 'no' | 'maybe' {
	for (let i = 0; i < bytes.length; i++) {
		if (at + i >= head.length) return 'maybe';
		if (head[at + i] !== bytes[i]) return 'no';
	}
	return 'yes';
}

const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;

function hexPrefix(head: Uint8Array): string {
	return Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function named(format: BackupFileFormat, detail: string): Classification {
	return { kind: 'done', result: { format, rdbVersion: null, rdbChecksumOk: null, ok: true, detail } };
}

function brokenRdb(detail: string, version: number | null = null): RdbVerification {
	return { format: 'rdb', rdbVersion: version, rdbChecksumOk: null, ok: false, detail };
}

/** The magic and version of an RDB header (`REDIS` + 4 digits, `VALKEY` + 3). */
function rdbHeader(head: Uint8Array, final: boolean): Classification | undefined | null {
	for (const magic of [MAGIC_REDIS, MAGIC_VALKEY]) {
		const state = startsWith(head, magic);
		if (state === 'no') continue;
		if (state === 'maybe') return final ? null : undefined;
		const digits = 9 - magic.length;
		const name = String.fromCharCode(...magic);
		if (head.length < 9) {
			if (!final) return undefined;
			return { kind: 'done', result: brokenRdb(`Starts with "${name}" but ends after ${head.length} bytes: a truncated RDB file.`) };
		}
		const field = head.subarray(magic.length, 9);
		const text = String.fromCharCode(...field);
		const version = Number(text);
		if (!field.every(isDigit) || version < 1) {
			return {
				kind: 'done',
				result: brokenRdb(`Starts with "${name}" but "${text.replace(/[^\x20-\x7e]/g, '?')}" is not an RDB version (${digits} digits, 1 or more): a corrupt RDB header.`),
			};
		}
		return { kind: 'rdb', version, magic: name };
	}
	return null;
}

/**
 * What the head says the file is, or undefined while more bytes could change the answer (never once the head is
 * full, or at the end of the file: `final`).
 */
function classify(head: Uint8Array, final: boolean): Classification | undefined {
	final = final || head.length >= HEAD_BYTES;
	if (head.length === 0) return final ? named('unknown', 'The file is empty (0 bytes).') : undefined;

	const rdb = rdbHeader(head, final);
	if (rdb !== null) return rdb;

	// Archives by magic number (gzip: RFC 1952; zip: local file header, empty archive, spanned archive).
	const gzip = startsWith(head, [0x1f, 0x8b]);
	if (gzip === 'yes') return named('archive-gzip', 'A gzip-compressed file (magic 1f 8b), not a bare RDB: not checked inside.');
	if (gzip === 'maybe' && !final) return undefined;
	for (const zip of [[0x50, 0x4b, 0x03, 0x04], [0x50, 0x4b, 0x05, 0x06], [0x50, 0x4b, 0x07, 0x08]]) {
		const state = startsWith(head, zip);
		if (state === 'yes') return named('archive-zip', 'A zip archive (magic PK), not a bare RDB: not checked inside.');
		if (state === 'maybe' && !final) return undefined;
	}

	// AOF: the RESP command stream (`*<argc>\r\n`), or Redis 7's `#TS:<unix time>` annotation lines.
	if (head[0] === 0x2a) {
		let i = 1;
		while (i < head.length && i <= 11 && isDigit(head[i])) i++;
		if (i > 1 && head[i] === 0x0d && (i + 1 >= head.length || head[i + 1] === 0x0a)) {
			if (i + 1 >= head.length && !final) return undefined;
			return named('aof', 'An AOF (Redis append-only file: a stream of commands), not an RDB: no RDB checksum to check.');
		}
		if (i >= head.length && !final) return undefined;
	}
	const ts = startsWith(head, ascii('#TS:'));
	if (ts === 'yes') return named('aof', 'An AOF with timestamp annotations (#TS:), not an RDB: no RDB checksum to check.');
	if (ts === 'maybe' && !final) return undefined;

	// Redis 7's multi-part AOF manifest: `file <name> seq <n> type <b|h|i>` lines.
	const manifest = startsWith(head, ascii('file '));
	if (manifest === 'maybe' && !final) return undefined;
	if (manifest === 'yes') {
		const text = String.fromCharCode(...head.subarray(0, Math.min(head.length, HEAD_BYTES)));
		if (/^file \S+ seq \d+ type [bhi]\b/.test(text))
			return named('aof', 'A multi-part AOF manifest (Redis 7+): it names the base and incremental files, it holds no data.');
		if (!final && !text.includes('\n')) return undefined;
	}

	for (const other of OTHER_MAGICS) {
		const state = startsWith(head, other.bytes);
		if (state === 'yes') return named('unknown', `Not an RDB file: ${other.name} (first bytes ${hexPrefix(head)}).`);
		if (state === 'maybe' && !final) return undefined;
	}

	// tar (POSIX `ustar\0`, GNU `ustar  \0`) at offset 257 of the first header block.
	const tar = startsWith(head, USTAR, 257);
	if (tar === 'yes') return named('archive-tar', 'A tar archive (ustar), not a bare RDB: not checked inside.');
	if (tar === 'maybe' && !final) return undefined;

	return named(
		'unknown',
		`Not an RDB file, an AOF or a known archive (first bytes ${hexPrefix(head)}): its format was not checked.`,
	);
}

// ---------------------------------------------------------------------------------------------------------------
// The verifier.
// ---------------------------------------------------------------------------------------------------------------

/** `\r\n$`: how an AOF's first command goes on after `*<argc>`; searched for to find an RDB preamble's end. */
const AOF_ARG_START = new Uint8Array([0x0d, 0x0a, 0x24]);
/** Enough bytes of the next chunk to complete a `*<argc>\r\n$` that starts in the held-back bytes. */
const BOUNDARY_BYTES = 16;

/** Buffer's native byte-sequence search, on a view (no copy); Buffer is always there in n8n's Node. */
function indexOfAll(data: Uint8Array, needle: Uint8Array, from: number, sink: (index: number) => void): void {
	const view = Buffer.from(data.buffer, data.byteOffset, data.length);
	for (let at = view.indexOf(needle, from); at !== -1; at = view.indexOf(needle, at + 1)) sink(at);
}

/**
 * Streaming verifier. `update(chunk)` with every chunk in order (chunks are read, never kept or changed), then
 * `finish()` once for the result. `bytes` counts what was fed.
 */
export class RdbVerifier {
	private total = 0;
	private head: Uint8Array | undefined = new Uint8Array(HEAD_BYTES);
	private headLength = 0;
	private decided: RdbVerification | undefined;
	private result: RdbVerification | undefined;

	// RDB state: the running CRC covers bytes [0, hashed); the `tailLength` bytes after them are held back in `tail`.
	private version = 0;
	private magic = 'REDIS';
	private crc = new Crc64Jones();
	private hashed = 0;
	private readonly tail = new Uint8Array(LAG);
	private tailLength = 0;
	/** Where an AOF with an RDB preamble carries on after the preamble's verified trailer. */
	private preambleEnd: number | undefined;
	/** Where an AOF might carry on after a preamble whose trailer is zero (checksums off): only believed when the
	 * whole file is not a valid RDB. */
	private zeroPreambleEnd: number | undefined;

	/** Bytes fed so far. */
	get bytes(): number {
		return this.total;
	}

	update(chunk: Uint8Array): this {
		if (this.result) throw new Error('RdbVerifier: update() after finish()');
		const n = chunk.length;
		if (n === 0) return this;
		this.total += n;
		if (this.decided) return this;
		if (this.head === undefined) {
			this.rdbUpdate(chunk);
			return this;
		}
		const take = Math.min(n, HEAD_BYTES - this.headLength);
		this.head.set(chunk.subarray(0, take), this.headLength);
		this.headLength += take;
		const found = classify(this.head.subarray(0, this.headLength), false);
		if (found) this.adopt(found, take < n ? chunk.subarray(take) : undefined);
		return this;
	}

	/** The verdict on everything fed. Call once, after the last chunk. */
	finish(): RdbVerification {
		if (this.result) return this.result;
		if (this.head !== undefined && !this.decided) this.adopt(classify(this.head.subarray(0, this.headLength), true)!);
		this.result = this.decided ?? this.rdbFinish();
		return this.result;
	}

	private adopt(found: Classification, rest?: Uint8Array): void {
		const head = this.head!.subarray(0, this.headLength);
		this.head = undefined;
		if (found.kind === 'done') {
			this.decided = found.result;
			return;
		}
		this.version = found.version;
		this.magic = found.magic;
		this.rdbUpdate(head);
		if (rest) this.rdbUpdate(rest);
	}

	/** The byte at stream position `pos` while a chunk is being taken in: held-back bytes, then the chunk. */
	private byteAt(pos: number, chunk: Uint8Array): number {
		const i = pos - this.hashed;
		return i < this.tailLength ? this.tail[i] : chunk[i - this.tailLength];
	}

	/** Hash stream positions [from, to) (within the held-back bytes and the chunk). */
	private hashRange(from: number, to: number, chunk: Uint8Array): void {
		const a = from - this.hashed;
		const b = to - this.hashed;
		const t = this.tailLength;
		if (a < t) this.crc.update(this.tail.subarray(a, Math.min(b, t)));
		if (b > t) this.crc.update(chunk.subarray(Math.max(a, t) - t, b - t));
	}

	private rdbUpdate(chunk: Uint8Array): void {
		if (this.preambleEnd !== undefined) return; // an AOF after a verified preamble: nothing more to check
		const n = chunk.length;
		const held = this.tailLength;
		const visible = held + n;
		if (visible <= LAG) {
			this.tail.set(chunk, held);
			this.tailLength = visible;
			return;
		}
		const from = this.hashed;
		const to = from + visible - LAG;
		const splits = this.preambleCandidates(chunk, from, to);
		let pos = from;
		for (const split of splits) {
			this.hashRange(pos, split, chunk);
			pos = split;
			if (this.isPreambleEnd(split, chunk)) {
				this.preambleEnd = split + 8;
				return;
			}
		}
		this.hashRange(pos, to, chunk);
		// Hold back the last LAG bytes of (held-back bytes + chunk).
		if (n >= LAG) {
			this.tail.set(chunk.subarray(n - LAG));
		} else {
			this.tail.copyWithin(0, held - (LAG - n), held);
			this.tail.set(chunk, LAG - n);
		}
		this.tailLength = LAG;
		this.hashed = to;
	}

	/**
	 * Positions p in (from, to] where an RDB preamble's trailer could start: `0xFF` at p - 1, 8 bytes, then
	 * `*<digits>\r\n$` (an AOF command). Found by searching the chunk for `\r\n$`, which random data rarely holds.
	 */
	private preambleCandidates(chunk: Uint8Array, from: number, to: number): number[] {
		const splits: number[] = [];
		const consider = (m: number) => {
			// m: stream position of `\r\n$`; walk back over the argc digits to the `*`.
			let q = m - 1;
			const lowest = Math.max(from, m - 11);
			while (q > lowest && isDigit(this.byteAt(q, chunk))) q--;
			if (q === m - 1 || this.byteAt(q, chunk) !== 0x2a) return;
			const split = q - 8;
			if (split <= from || split > to) return;
			if (this.byteAt(split - 1, chunk) !== EOF_OPCODE) return;
			splits.push(split);
		};
		const held = this.tailLength;
		if (held > 0) {
			// Sequences that start in the held-back bytes (possibly running into the chunk).
			const boundary = new Uint8Array(held + Math.min(chunk.length, BOUNDARY_BYTES));
			boundary.set(this.tail.subarray(0, held));
			boundary.set(chunk.subarray(0, boundary.length - held), held);
			indexOfAll(boundary, AOF_ARG_START, 0, (j) => {
				if (j < held) consider(from + j);
			});
		}
		indexOfAll(chunk, AOF_ARG_START, 0, (k) => consider(from + held + k));
		return splits.sort((a, b) => a - b);
	}

	/** With the CRC at `split`: is [split, split + 8) the trailer of the bytes before it (or a zero one)? */
	private isPreambleEnd(split: number, chunk: Uint8Array): boolean {
		let lo = 0;
		let hi = 0;
		for (let k = 0; k < 4; k++) {
			lo |= this.byteAt(split + k, chunk) << (8 * k);
			hi |= this.byteAt(split + 4 + k, chunk) << (8 * k);
		}
		if (lo === 0 && hi === 0) {
			if (this.version >= FIRST_CHECKSUMMED_VERSION && this.zeroPreambleEnd === undefined) this.zeroPreambleEnd = split + 8;
			return false;
		}
		return this.version >= FIRST_CHECKSUMMED_VERSION && lo === this.crc.low && hi === this.crc.high;
	}

	private rdbFinish(): RdbVerification {
		const version = this.version;
		const label = this.magic === 'REDIS' ? `RDB version ${version}` : `Valkey RDB version ${version}`;
		const a = this.magic === 'REDIS' ? 'An' : 'A';
		if (this.preambleEnd !== undefined) {
			return {
				format: 'aof',
				rdbVersion: version,
				rdbChecksumOk: true,
				ok: true,
				detail: `An AOF with an RDB preamble (${label}, its CRC-64 verified, ${this.preambleEnd} bytes), then commands: the commands were not checked.`,
			};
		}
		const total = this.hashed + this.tailLength;
		const tail = this.tail.subarray(0, this.tailLength);
		if (version < FIRST_CHECKSUMMED_VERSION) {
			if (total > 9 && tail[tail.length - 1] === EOF_OPCODE) {
				return { format: 'rdb', rdbVersion: version, rdbChecksumOk: null, ok: true, detail: `${a} ${label} file (${total} bytes) ending with the EOF opcode; this version has no checksum.` };
			}
			return brokenRdb(`${a} ${label} file of ${total} bytes that does not end with the EOF opcode (0xFF): truncated or corrupt.`, version);
		}
		if (total < 18) {
			return {
				...brokenRdb(`${a} ${label} file of only ${total} bytes: too short for the EOF opcode and the 8-byte checksum, truncated.`, version),
				rdbChecksumOk: false,
			};
		}
		this.crc.update(tail.subarray(0, tail.length - 8));
		const eof = tail[tail.length - 9];
		const trailer = tail.subarray(tail.length - 8);
		let lo = 0;
		let hi = 0;
		for (let k = 0; k < 4; k++) {
			lo |= trailer[k] << (8 * k);
			hi |= trailer[4 + k] << (8 * k);
		}
		const computed = this.crc.digestHex();
		const stored = hex64(lo, hi);
		const endsLikeAof = tail[tail.length - 2] === 0x0d && tail[tail.length - 1] === 0x0a;
		if (lo === this.crc.low && hi === this.crc.high && eof === EOF_OPCODE) {
			return { format: 'rdb', rdbVersion: version, rdbChecksumOk: true, ok: true, detail: `${a} ${label} file (${total} bytes), its CRC-64 ${computed} verified.` };
		}
		if (lo === 0 && hi === 0 && eof === EOF_OPCODE) {
			return {
				format: 'rdb',
				rdbVersion: version,
				rdbChecksumOk: null,
				ok: true,
				detail: `${a} ${label} file (${total} bytes) ending with the EOF opcode; its checksum is 0: written with checksums disabled (rdbchecksum no), nothing to verify.`,
			};
		}
		if (this.zeroPreambleEnd !== undefined && endsLikeAof) {
			return {
				format: 'aof',
				rdbVersion: version,
				rdbChecksumOk: null,
				ok: true,
				detail: `An AOF with an RDB preamble (${label}, written with checksums disabled, ${this.zeroPreambleEnd} bytes), then commands: nothing verified.`,
			};
		}
		if (eof !== EOF_OPCODE) {
			return {
				format: 'rdb',
				rdbVersion: version,
				rdbChecksumOk: false,
				ok: false,
				detail: `${a} ${label} file of ${total} bytes without the EOF opcode (0xFF) before its last 8 bytes: truncated or corrupt.`,
			};
		}
		return {
			format: 'rdb',
			rdbVersion: version,
			rdbChecksumOk: false,
			ok: false,
			detail: `${a} ${label} file (${total} bytes) whose CRC-64 does not match: the file says ${stored}, its bytes give ${computed}. The file is corrupt.`,
		};
	}
}

/** Verify a whole buffer (tests, small files). */
export function verifyRdb(data: Uint8Array): RdbVerification {
	return new RdbVerifier().update(data).finish();
}
