import { createCipheriv, createHash } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
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

export interface ServeOptions {
	/** Whole-object CRC64 to send, or undefined to omit the header. */
	crc64?: string;
	requestId: string;
	/** Stop after this many body bytes and drop the connection (Content-Length still announces the full size). */
	truncateAfter?: number;
	/** Pause between (small) chunks. */
	slowDelayMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A Readable's async iterator may merge chunks; the slow mode needs them re-sliced to a fixed small size. */
async function* pieces(source: Readable, size: number): AsyncGenerator<Buffer> {
	for await (const raw of source) {
		const buf = raw as Buffer;
		for (let offset = 0; offset < buf.length; offset += size) yield buf.subarray(offset, offset + size);
	}
}

function waitDrainOrClose(res: ServerResponse): Promise<void> {
	return new Promise((resolve) => {
		const done = () => {
			res.off('drain', done);
			res.off('close', done);
			resolve();
		};
		res.once('drain', done);
		res.once('close', done);
	});
}

/** Serve a file the way OSS serves an object: headers, optional single Range, HEAD, and the faults above. */
export async function serveFile(req: IncomingMessage, res: ServerResponse, file: EmulatedFile, opts: ServeOptions) {
	let start = 0;
	let end = file.size - 1;
	let status = 200;
	const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
	if (range && (range[1] || range[2]) && file.size > 0) {
		if (range[1]) {
			start = Number(range[1]);
			end = range[2] ? Math.min(Number(range[2]), file.size - 1) : file.size - 1;
		} else {
			start = Math.max(0, file.size - Number(range[2]));
		}
		if (start > end || start >= file.size) {
			res.writeHead(416, { 'Content-Range': `bytes */${file.size}`, 'x-oss-request-id': opts.requestId });
			res.end();
			return;
		}
		status = 206;
	}
	const headers: Record<string, string | number> = {
		'Content-Type': 'application/octet-stream',
		'Content-Length': end - start + 1,
		'Accept-Ranges': 'bytes',
		ETag: `"${createHash('md5').update(file.key).digest('hex').toUpperCase()}"`,
		'Last-Modified': new Date(file.lastModifiedMs).toUTCString(),
		Server: 'AliyunOSS',
		'x-oss-request-id': opts.requestId,
		'x-oss-object-type': 'Normal',
		'x-oss-storage-class': 'Standard',
	};
	// OSS sends the whole object's CRC64 on ranged reads too.
	if (opts.crc64 !== undefined) headers['x-oss-hash-crc64ecma'] = opts.crc64;
	if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${file.size}`;
	res.writeHead(status, headers);
	if (req.method === 'HEAD') {
		res.end();
		return;
	}
	let budget = opts.truncateAfter ?? Infinity;
	const source = fileStream(file, start, end);
	try {
		for await (const chunk of pieces(source, opts.slowDelayMs ? 16 * 1024 : Infinity)) {
			if (res.destroyed) break;
			const part = chunk.length > budget ? chunk.subarray(0, budget) : chunk;
			budget -= part.length;
			if (budget <= 0 && opts.truncateAfter !== undefined) {
				// Let the last bytes reach the client before the connection is cut below.
				await new Promise<void>((resolve) => res.write(part, () => resolve()));
				break;
			}
			if (part.length && !res.write(part)) await waitDrainOrClose(res);
			if (opts.slowDelayMs) await sleep(opts.slowDelayMs);
		}
	} finally {
		source.destroy();
	}
	if (budget <= 0 && opts.truncateAfter !== undefined) {
		// Cut the connection mid-body: the client sees fewer bytes than Content-Length announced.
		res.socket?.destroy();
	} else {
		res.end();
	}
}
