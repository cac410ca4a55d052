import { createCipheriv, createHash } from 'crypto';
import { Readable } from 'stream';

import { Crc64 } from './crc64';
import { DEFAULT_RDB_VERSION, rdbLayout, rdbStream, type RdbLayout } from './rdbFile';

/**
 * What a file's bytes are: `'rdb'`, a real Redis RDB file generated from the seed (emulator/common/rdbFile.ts: valid
 * header, aux fields, string keys, EOF opcode, CRC-64/Jones trailer; `redis-check-rdb` accepts it), or `'random'`,
 * the AES-128-CTR keystream of a key derived from the seed. Either way any byte range can be produced on demand
 * (Range requests, multi-GiB files) and tests can recompute exactly what a download should have delivered. A file
 * too small to be an RDB (under about 115 bytes: minimumRdbSize()) is served as random bytes. `'corrupt-rdb'` is the
 * same RDB with the last byte of its CRC-64 trailer flipped: a backup damaged before the storage computed its
 * checksums (which are of these bytes and match), so that only the RDB's own checksum catches it.
 */
export type FileContent = 'rdb' | 'random' | 'corrupt-rdb';

/**
 * A downloadable object whose bytes are never stored (see FileContent).
 */
export interface EmulatedFile {
	/** Object key (path after the bucket prefix), unique per emulator. */
	key: string;
	name: string;
	size: number;
	seed: string;
	lastModifiedMs: number;
	/** What the bytes are; fileContentDefaults.content when not set. Set it before the file is first served (the
	 * storages' checksums are cached per key and content). */
	content?: FileContent;
	/** RDB version of a generated RDB (`REDIS0011`; 80+ writes Valkey's `VALKEY080`); fileContentDefaults.rdbVersion
	 * when not set. */
	rdbVersion?: number;
}

function envContent(): FileContent {
	const value = process.env.EMULATOR_FILE_CONTENT;
	if (value === undefined || value === '') return 'rdb';
	if (value === 'rdb' || value === 'random' || value === 'corrupt-rdb') return value;
	throw new Error(`EMULATOR_FILE_CONTENT must be rdb, random or corrupt-rdb, not ${value}`);
}

function envRdbVersion(): number {
	const value = process.env.EMULATOR_RDB_VERSION;
	if (value === undefined || value === '') return DEFAULT_RDB_VERSION;
	const version = Number(value);
	if (!Number.isInteger(version) || version < 1 || version > 999) throw new Error(`EMULATOR_RDB_VERSION must be an RDB version, not ${value}`);
	return version;
}

/**
 * The content of files that do not say (every file the clouds' stores create): real RDB files of version 11 unless
 * the environment says otherwise (`EMULATOR_FILE_CONTENT=random`, `EMULATOR_RDB_VERSION=10`). Change it with
 * setFileContentDefaults() before files are served.
 */
export const fileContentDefaults: { content: FileContent; rdbVersion: number } = {
	content: envContent(),
	rdbVersion: envRdbVersion(),
};

export function setFileContentDefaults(patch: Partial<typeof fileContentDefaults>): void {
	Object.assign(fileContentDefaults, patch);
}

/** The generated RDB's layout when this file is served as an RDB, else undefined (random bytes). */
export function rdbLayoutOf(file: EmulatedFile): RdbLayout | undefined {
	const content = file.content ?? fileContentDefaults.content;
	if (content !== 'rdb' && content !== 'corrupt-rdb') return undefined;
	return rdbLayout({
		seed: file.seed,
		size: file.size,
		lastModifiedMs: file.lastModifiedMs,
		version: file.rdbVersion ?? fileContentDefaults.rdbVersion,
	});
}

/** Identifies a file's bytes (for caches of their checksums): key, size and content, without generating anything. */
export function contentId(file: EmulatedFile): string {
	const content = file.content ?? fileContentDefaults.content;
	const version = content !== 'random' ? String(file.rdbVersion ?? fileContentDefaults.rdbVersion) : '';
	return `${file.key}\u0000${file.size}\u0000${content}${version}`;
}

const CHUNK = 256 * 1024;
const ZEROES = Buffer.alloc(CHUNK);

/** Stream bytes [start, end] (inclusive) of a file. */
export function fileStream(file: EmulatedFile, start = 0, end = file.size - 1): Readable {
	const layout = rdbLayoutOf(file);
	if (layout && (file.content ?? fileContentDefaults.content) === 'corrupt-rdb') {
		return withLastByteFlipped(rdbStream(layout, start, Math.min(end, file.size - 1)), start, file.size - 1);
	}
	if (layout) return rdbStream(layout, start, Math.min(end, file.size - 1));
	const key = createHash('sha256').update(file.seed).digest().subarray(0, 16);
	// CTR mode: the counter block for byte p is floor(p / 16), so seeking is just picking the IV.
	const block = Math.floor(start / 16);
	const iv = Buffer.alloc(16);
	iv.writeUInt32BE(Math.floor(block / 2 ** 32), 8);
	iv.writeUInt32BE(block % 2 ** 32, 12);
	const cipher = createCipheriv('aes-128-ctr', key, iv);
	let skip = start % 16;
	let remaining = Math.max(0, end - start + 1);
	return new Readable({
		read() {
			if (remaining <= 0) {
				this.push(null);
				return;
			}
			const want = Math.min(CHUNK, remaining + skip);
			let out = cipher.update(ZEROES.subarray(0, want));
			if (skip) {
				out = out.subarray(skip);
				skip = 0;
			}
			remaining -= out.length;
			this.push(out);
		},
	});
}

/** `source` (the bytes from `start` on) with the byte at position `at` XOR 0x01, wherever it falls. */
function withLastByteFlipped(source: Readable, start: number, at: number): Readable {
	return Readable.from(
		(async function* () {
			let pos = start;
			for await (const chunk of source) {
				const bytes = chunk as Buffer;
				if (at >= pos && at < pos + bytes.length) {
					const copy = Buffer.from(bytes);
					copy[at - pos] ^= 0x01;
					yield copy;
				} else {
					yield bytes;
				}
				pos += bytes.length;
			}
		})(),
		{ objectMode: false },
	);
}

async function digestFile(file: EmulatedFile, sink: (chunk: Buffer) => void): Promise<void> {
	for await (const chunk of fileStream(file)) sink(chunk as Buffer);
}

export async function fileSha256Hex(file: EmulatedFile): Promise<string> {
	const hash = createHash('sha256');
	await digestFile(file, (c) => hash.update(c));
	return hash.digest('hex');
}

/** CRC64 per object key and content, computed at most once (a 4 GiB file takes seconds, so only on demand). */
export class Crc64Cache {
	private readonly done = new Map<string, string>();
	private readonly running = new Map<string, Promise<string>>();

	get(file: EmulatedFile): string | undefined {
		return this.done.get(contentId(file));
	}

	compute(file: EmulatedFile): Promise<string> {
		const id = contentId(file);
		const cached = this.done.get(id);
		if (cached !== undefined) return Promise.resolve(cached);
		let pending = this.running.get(id);
		if (!pending) {
			const crc = new Crc64();
			pending = digestFile(file, (c) => crc.update(c)).then(() => {
				const value = crc.digest();
				this.done.set(id, value);
				this.running.delete(id);
				return value;
			});
			this.running.set(id, pending);
		}
		return pending;
	}
}
