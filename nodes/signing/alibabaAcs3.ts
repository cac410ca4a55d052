/**
 * Alibaba Cloud request signing, method V3 (ACS3-HMAC-SHA256): the algorithm the current official SDKs
 * (@alicloud/openapi-core, used by @alicloud/r-kvstore20150101) apply to every R-KVStore call.
 *
 * Pure: no n8n, no clock, no randomness. The caller supplies the date and the nonce, so the same input always
 * gives the same signature and tests can compare against published vectors.
 */
import { createHash, createHmac } from 'crypto';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

export interface AlibabaAccessKey {
	accessKeyId: string;
	accessKeySecret: string;
	/** STS token; when present the request carries it and the AccessKey ID in signed headers. */
	securityToken?: string;
}

export interface Acs3RequestInput {
	method: string;
	/** Host name (and port, if not the default), exactly as it goes into the Host header. */
	host: string;
	/** Path, "/" for RPC-style APIs. */
	pathname: string;
	action: string;
	version: string;
	/** Request parameters carried in the query string. Values are sent as strings. */
	query: Record<string, string>;
	/** Raw request body; empty for RPC-style calls that carry everything in the query. */
	body?: string;
	contentType?: string;
	/** `yyyy-MM-ddTHH:mm:ssZ`, UTC. */
	date: string;
	/** Unique per request: the cloud rejects a nonce it has already seen. */
	nonce: string;
	/** Extra headers to send; those named x-acs-*, host or content-type are signed. */
	headers?: Record<string, string>;
}

export interface SignedAcs3Request {
	/** Headers to send, Authorization included. */
	headers: Record<string, string>;
	/** The encoded query string that was signed; send it verbatim (no re-encoding). */
	queryString: string;
	canonicalRequest: string;
	stringToSign: string;
	signature: string;
}

/**
 * RFC 3986 percent-encoding as Alibaba canonicalises it: only A-Z a-z 0-9 - _ . ~ stay as they are,
 * space is %20 (never +), and * is %2A.
 */
export function acsPercentEncode(value: string): string {
	return encodeURIComponent(value).replace(
		/[!'()*]/g,
		(c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
	);
}

export function sha256Hex(data: string | Uint8Array): string {
	return createHash('sha256').update(data).digest('hex');
}

function compareCodeUnits(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/** Query string sorted by key, keys and values percent-encoded: both the canonical form and what is sent. */
export function canonicalQueryString(query: Record<string, string>): string {
	return Object.keys(query)
		.sort(compareCodeUnits)
		.map((key) => `${acsPercentEncode(key)}=${acsPercentEncode(query[key] ?? '')}`)
		.join('&');
}

function canonicalUri(pathname: string): string {
	const path = pathname || '/';
	return path
		.split('/')
		.map((segment) => acsPercentEncode(decodeURIComponent(segment)))
		.join('/');
}

function isSignedHeader(lowerName: string): boolean {
	return lowerName.startsWith('x-acs-') || lowerName === 'host' || lowerName === 'content-type';
}

export function signAcs3(input: Acs3RequestInput, key: AlibabaAccessKey): SignedAcs3Request {
	const body = input.body ?? '';
	const headers: Record<string, string> = {
		...(input.headers ?? {}),
		host: input.host,
		'x-acs-action': input.action,
		'x-acs-version': input.version,
		'x-acs-date': input.date,
		'x-acs-signature-nonce': input.nonce,
		'x-acs-content-sha256': sha256Hex(body),
	};
	if (input.contentType) headers['content-type'] = input.contentType;
	if (key.securityToken) {
		headers['x-acs-security-token'] = key.securityToken;
		headers['x-acs-accesskey-id'] = key.accessKeyId;
	}

	const signed = new Map<string, string[]>();
	for (const [name, value] of Object.entries(headers)) {
		const lower = name.toLowerCase();
		if (!isSignedHeader(lower)) continue;
		const values = signed.get(lower) ?? [];
		values.push(String(value).trim());
		signed.set(lower, values);
	}
	const signedNames = [...signed.keys()].sort(compareCodeUnits);
	const canonicalHeaders = signedNames
		.map((name) => `${name}:${(signed.get(name) ?? []).sort(compareCodeUnits).join(',')}\n`)
		.join('');

	const queryString = canonicalQueryString(input.query);
	const canonicalRequest = [
		input.method.toUpperCase(),
		canonicalUri(input.pathname),
		queryString,
		canonicalHeaders,
		signedNames.join(';'),
		headers['x-acs-content-sha256'],
	].join('\n');
	const stringToSign = `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
	const signature = createHmac('sha256', key.accessKeySecret).update(stringToSign).digest('hex');

	headers.Authorization =
		`${ACS3_ALGORITHM} Credential=${key.accessKeyId},` +
		`SignedHeaders=${signedNames.join(';')},Signature=${signature}`;
	return { headers, queryString, canonicalRequest, stringToSign, signature };
}

/** `yyyy-MM-ddTHH:mm:ssZ` in UTC, the only form x-acs-date accepts. */
export function acsDate(epochMs: number): string {
	return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
