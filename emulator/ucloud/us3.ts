import { createHash, createHmac } from 'crypto';

import type { ObjectStoreDialect } from '../common/downloads';
import { contentId, fileStream, type EmulatedFile } from '../common/files';

/**
 * US3 (formerly UFile), UCloud's object store, as URedis backup downloads meet it.
 *
 * Presigned URLs (docs.ucloud.cn/ufile/api/authorization-url, UCloudDoc-Team/ufile api/authorization-url.md):
 * `?UCloudPublicKey=<key>&Signature=<sig>&Expires=<unix seconds>`, Signature = Base64(HMAC-SHA1(PrivateKey,
 * "GET\n" + Content-MD5 + "\n" + Content-Type + "\n" + Expires + "\n" + CanonicalizedUCloudHeaders + "/" + bucket +
 * "/" + key)) with standard (not URL-safe) Base64 and the key unescaped; US3 "checks whether the request comes after
 * Expires first, then the signature".
 *
 * Integrity: GetFile documents ETag ("the file's hash in US3"), Content-Length, Content-Range, X-SessionId (on
 * failures) and X-Ufile-Meta-*; no Content-MD5, no CRC-64 (and the DescribeURedisBackupURL sample's object has none
 * either). The ETag is US3's own hash, not an MD5 (ufile-gosdk calculateEtag, ufile-sdk-java Etag.java, which the SDKs
 * compare after a download): the file cut into 4 MiB blocks; the SHA-1 of the data when there is one block (or
 * none), else the SHA-1 of the blocks' SHA-1s concatenated; prefixed with the block count as a 4-byte little-endian
 * integer; URL-safe Base64 (24 bytes -> 32 characters), sent in quotes: PutFile's sample
 * `ETag: "AQAAABP9DJdoo2X0hKyax2pVTLQPaVzH"` starts with AQAAAA, one block.
 *
 * Errors are JSON, not XML: `{"RetCode": -148654, "ErrMsg": "file not exist"}` (404), -148658 "invalid signature"
 * (403), -148643 "no authorization found", -148653 "bucket not exists" (the codes real US3 answers carry in public
 * code that handles them). US3 publishes no code for an expired URL ("returns the request-timeout error code"),
 * throttling, a bad range or a server error: those answer RetCode -1 with a describing ErrMsg.
 */

export const US3_BLOCK = 4 * 1024 * 1024;

export const US3_ERRORS = {
	noAuthorization: { status: 401, code: '-148643', message: 'no authorization found' },
	bucketNotFound: { status: 404, code: '-148653', message: 'bucket not exists' },
	fileNotFound: { status: 404, code: '-148654', message: 'file not exist' },
	invalidSignature: { status: 403, code: '-148658', message: 'invalid signature' },
	/** Not published by US3 (see above). */
	expired: { status: 403, code: '-1', message: 'request expired: the URL is past its Expires' },
} as const;

/** US3's ETag of a byte stream (without the quotes). */
export class Us3Etag {
	private readonly outer = createHash('sha1');
	private block = createHash('sha1');
	private inBlock = 0;
	private blocks = 0;
	private firstBlockDigest?: Buffer;

	update(chunk: Buffer): void {
		let offset = 0;
		while (offset < chunk.length) {
			if (this.inBlock === 0) this.blocks++;
			const take = Math.min(US3_BLOCK - this.inBlock, chunk.length - offset);
			this.block.update(chunk.subarray(offset, offset + take));
			this.inBlock += take;
			offset += take;
			if (this.inBlock === US3_BLOCK) this.closeBlock();
		}
	}

	private closeBlock(): void {
		const sha = this.block.digest();
		if (this.blocks === 1) this.firstBlockDigest = sha;
		this.outer.update(sha);
		this.block = createHash('sha1');
		this.inBlock = 0;
	}

	digest(): string {
		if (this.inBlock > 0) this.closeBlock();
		const head = Buffer.alloc(4);
		head.writeUInt32LE(this.blocks);
		// One block (or an empty file): the data's own SHA-1; more: the SHA-1 of the block SHA-1s.
		const sha = this.blocks <= 1 ? (this.firstBlockDigest ?? createHash('sha1').digest()) : this.outer.digest();
		// URL-safe Base64 (Go's base64.URLEncoding; 24 bytes need no padding).
		return Buffer.concat([head, sha]).toString('base64url');
	}
}

/**
 * US3 ETags per object key and content (contentId: a file whose `content` changes gets its own), computed at most once
 * (SHA-1 over the whole file: only on demand for big files).
 */
export class Us3EtagCache {
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
			pending = (async () => {
				const etag = new Us3Etag();
				for await (const chunk of fileStream(file)) etag.update(chunk as Buffer);
				const value = etag.digest();
				this.done.set(id, value);
				this.running.delete(id);
				return value;
			})();
			this.running.set(id, pending);
		}
		return pending;
	}
}

/** The presigned-URL signature of a GET of `bucket/key` until `expires` (UNIX seconds). */
export function us3UrlSignature(privateKey: string, bucket: string, key: string, expires: number): string {
	const stringToSign = `GET\n\n\n${expires}\n/${bucket}/${key}`;
	return createHmac('sha1', privateKey).update(stringToSign, 'utf8').digest('base64');
}

/** US3's dialect for the shared download code: JSON errors, X-SessionId, the US3 ETag, no CRC-64 header. */
export function us3Dialect(etagOf: (file: EmulatedFile) => string | undefined): ObjectStoreDialect {
	return {
		requestIdHeader: 'X-SessionId',
		// US3 sends no CRC-64: a downloader can check the length, and the ETag if it implements US3's hash.
		crc64Header: undefined,
		objectHeaders: (file) => {
			const etag = etagOf(file);
			return {
				...(etag ? { ETag: `"${etag}"` } : {}),
				'Last-Modified': new Date(file.lastModifiedMs).toUTCString(),
			};
		},
		errorContentType: 'application/json',
		errorXml: ({ code, message }) =>
			JSON.stringify({ RetCode: /^-?\d+$/.test(code) ? Number(code) : -1, ErrMsg: message }),
		throttleError: (status) => ({ code: '-1', message: status === 503 ? 'service unavailable, please retry' : 'request too frequent' }),
		invalidRange: { code: '-1', message: 'invalid range' },
	};
}
