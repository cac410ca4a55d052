/**
 * US3's (UFile's) ETag, the hash UCloud's object storage sends in `ETag` and its SDKs compare after a download
 * (ufile-gosdk `CompareFileEtag`, ufile-sdk-java `Etag`): the data cut into 4 MiB blocks; the SHA-1 of the data
 * when there is at most one block, else the SHA-1 of the blocks' SHA-1s concatenated; prefixed with the block count
 * as a 4-byte little-endian integer; URL-safe Base64 (24 bytes: 32 characters, no padding); sent in quotes.
 *
 * Pure (node:crypto only), streaming: each chunk is hashed where it lies (block boundaries are views, never copies).
 */
import { createHash, type Hash } from 'node:crypto';

import { entityTagValue } from '../../common/checksums';
import type { ChecksumHasher, ChecksumSpec } from '../../common/provider';

export const US3_ETAG_ALGORITHM = 'us3-etag';
export const US3_BLOCK_BYTES = 4 * 1024 * 1024;
/**
 * Where the size is unknown, a value claiming more blocks than this (64 TiB) is not a US3 ETag: a hex MD5 ETag of
 * 32 characters is valid Base64 too, and its first bytes read as billions of blocks.
 */
const MAX_PLAUSIBLE_BLOCKS = 2 ** 24;

/** Blocks of a file of `bytes` bytes (0 for an empty file). */
export function us3BlockCount(bytes: number): number {
	return Math.ceil(bytes / US3_BLOCK_BYTES);
}

/** Incremental US3 ETag: update() with the bytes in order, digest() for the value without quotes. */
export class Us3EtagHasher implements ChecksumHasher {
	/** The SHA-1 of the block being fed. */
	private block: Hash = createHash('sha1');
	private blockBytes = 0;
	/** Blocks completed so far. */
	private blocks = 0;
	/** The first block's SHA-1 (all there is for a file of one block). */
	private firstBlock: Buffer | undefined;
	/** The SHA-1 of the block SHA-1s, from the second block on. */
	private outer: Hash | undefined;
	private result: string | undefined;
	private length = 0;

	/** Bytes fed so far. */
	get bytes(): number {
		return this.length;
	}

	update(chunk: Uint8Array): this {
		if (this.result !== undefined) throw new Error('Us3EtagHasher: update() after digest()');
		const n = chunk.length;
		this.length += n;
		let offset = 0;
		while (offset < n) {
			const take = Math.min(US3_BLOCK_BYTES - this.blockBytes, n - offset);
			this.block.update(offset === 0 && take === n ? chunk : chunk.subarray(offset, offset + take));
			this.blockBytes += take;
			offset += take;
			if (this.blockBytes === US3_BLOCK_BYTES) this.endBlock();
		}
		return this;
	}

	private endBlock(): void {
		const sha = this.block.digest();
		this.blocks++;
		if (this.blocks === 1) {
			this.firstBlock = sha;
		} else {
			if (this.outer === undefined) this.outer = createHash('sha1').update(this.firstBlock!);
			this.outer.update(sha);
		}
		this.block = createHash('sha1');
		this.blockBytes = 0;
	}

	digest(): string {
		if (this.result !== undefined) return this.result;
		if (this.blockBytes > 0) this.endBlock();
		// No block: the SHA-1 of nothing (the block hash was never fed); one block: the data's own SHA-1.
		const sha = this.outer?.digest() ?? this.firstBlock ?? this.block.digest();
		const value = Buffer.alloc(4 + sha.length);
		value.writeUInt32LE(this.blocks, 0);
		sha.copy(value, 4);
		this.result = value.toString('base64url');
		return this.result;
	}
}

/** The US3 ETag of one buffer. */
export function us3Etag(data: Uint8Array): string {
	return new Us3EtagHasher().update(data).digest();
}

/**
 * A header value as a US3 ETag (URL-safe Base64, without quotes), or null when it is not one: a weak tag, another
 * length or alphabet (an MD5 or a multipart-upload ETag of another store's format), or a block count other than the
 * file's (where its size is known). Standard Base64 (`+`, `/`) is read as its URL-safe twin.
 */
export function parseUs3Etag(value: string, size: number | null): string | null {
	const tag = entityTagValue(value);
	if (tag === null) return null;
	const text = tag.replace(/\+/g, '-').replace(/\//g, '_');
	if (!/^[A-Za-z0-9_-]{32}$/.test(text)) return null;
	const blocks = Buffer.from(text, 'base64url').readUInt32LE(0);
	if (size !== null ? blocks !== us3BlockCount(size) : blocks > MAX_PLAUSIBLE_BLOCKS) return null;
	return text;
}

/** US3 (UFile): its ETag, in `ETag`. */
export const US3_ETAG_CHECKSUM: ChecksumSpec = {
	algorithm: US3_ETAG_ALGORITHM,
	label: 'US3 ETag',
	header: 'etag',
	createHasher: () => new Us3EtagHasher(),
	parse: parseUs3Etag,
};
