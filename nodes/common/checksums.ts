/**
 * Checksum specs (`ChecksumSpec`, common/provider.ts) that more than one storage uses, and helpers for reading
 * checksum headers. An adapter picks its storage's spec in `storage.checksum`; `download.ts` only runs the spec.
 *
 * Provider-neutral: the adapter names the header; a storage's own algorithm lives with its adapter.
 */
import { Crc64 } from './crc64';
import type { ChecksumSpec } from './provider';

export const CRC64_ALGORITHM = 'crc64ecma';

const UINT64_MAX = (BigInt(1) << BigInt(64)) - BigInt(1);

/** An unsigned 64-bit decimal without leading zeros (Crc64.digest's form), or null when the text is not one. */
export function parseCrc64(value: string): string | null {
	const text = value.trim();
	if (!/^\d{1,20}$/.test(text)) return null;
	const number = BigInt(text);
	return number <= UINT64_MAX ? number.toString(10) : null;
}

/**
 * CRC-64/ECMA-182 (CRC-64/XZ, `Crc64`) of the whole object as an unsigned decimal in `header` (Alibaba OSS
 * `x-oss-hash-crc64ecma`, Tencent COS `x-cos-hash-crc64ecma`).
 */
export function crc64Checksum(header: string): ChecksumSpec {
	return {
		algorithm: CRC64_ALGORITHM,
		label: 'CRC-64',
		header: header.toLowerCase(),
		createHasher: () => new Crc64(),
		parse: (value) => parseCrc64(value),
	};
}

/**
 * The opaque part of an HTTP entity tag (RFC 9110 8.8.3): `"abc"` -> `abc`; a bare token as sent. Null for a weak
 * tag (`W/"abc"`: not a hash of the exact bytes) or an empty value.
 */
export function entityTagValue(value: string): string | null {
	const text = value.trim();
	if (/^W\//i.test(text)) return null;
	const opaque = text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
	return opaque === '' || opaque.includes('"') ? null : opaque;
}
