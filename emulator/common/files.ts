import { createCipheriv, createHash } from 'crypto';
import { Readable } from 'stream';

import { Crc64 } from './crc64';

/**
 * A downloadable object whose bytes are never stored: they are the AES-128-CTR keystream of a key derived from
 * `seed`, so any byte range can be produced on demand (Range requests, multi-GiB files) and tests can recompute
 * exactly what a download should have delivered.
 */
export interface EmulatedFile {
	/** Object key (path after the bucket prefix), unique per emulator. */
	key: string;
	name: string;
	size: number;
	seed: string;
	lastModifiedMs: number;
}

const CHUNK = 256 * 1024;
const ZEROES = Buffer.alloc(CHUNK);

/** Stream bytes [start, end] (inclusive) of a file. */
export function fileStream(file: EmulatedFile, start = 0, end = file.size - 1): Readable {
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

async function digestFile(file: EmulatedFile, sink: (chunk: Buffer) => void): Promise<void> {
	for await (const chunk of fileStream(file)) sink(chunk as Buffer);
}

export async function fileSha256Hex(file: EmulatedFile): Promise<string> {
	const hash = createHash('sha256');
	await digestFile(file, (c) => hash.update(c));
	return hash.digest('hex');
}

/** CRC64 per object key, computed at most once (a 4 GiB file takes seconds, so only on demand). */
export class Crc64Cache {
	private readonly done = new Map<string, string>();
	private readonly running = new Map<string, Promise<string>>();

	get(file: EmulatedFile): string | undefined {
		return this.done.get(file.key);
	}

	compute(file: EmulatedFile): Promise<string> {
		const cached = this.done.get(file.key);
		if (cached !== undefined) return Promise.resolve(cached);
		let pending = this.running.get(file.key);
		if (!pending) {
			const crc = new Crc64();
			pending = digestFile(file, (c) => crc.update(c)).then(() => {
				const value = crc.digest();
				this.done.set(file.key, value);
				this.running.delete(file.key);
				return value;
			});
			this.running.set(file.key, pending);
		}
		return pending;
	}
}
