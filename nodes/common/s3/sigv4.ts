/**
 * AWS Signature Version 4 for the S3 API (AWS S3 and every S3-compatible store: MinIO, Alibaba OSS and Tencent
 * COS in their S3 mode, UCloud US3's S3 protocol): header-based signing (`Authorization`) and presigned URLs.
 *
 * Pure: no n8n, no clock, no randomness, no network. The caller supplies the date, so the same input always gives
 * the same signature. Proven byte for byte against the AWS SDK's own signer (@smithy/signature-v4, configured as
 * @aws-sdk/client-s3 configures it) on seeded random requests, and against AWS's published S3 examples
 * (test/s3/sigv4.test.ts).
 *
 * The rules, as S3 applies them (they differ from the other AWS services in one place, the path):
 *  1. CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n \n SignedHeaders \n
 *     HashedPayload.
 *     - CanonicalURI: the path exactly as sent, encoded ONCE and never normalised (S3 keys may hold `//`): every
 *       byte of the UTF-8 key except `A-Z a-z 0-9 - _ . ~` and `/` as `%XX` (upper-case hex). See {@link encodeS3Key}.
 *     - CanonicalQueryString: every name and value encoded the same way (`/` too, space as `%20`, never `+`),
 *       `name=value` (an empty or absent value gives `name=`, as for `?uploads`), sorted by encoded name, repeated
 *       names by encoded value, joined with `&`. The same string is sent, so the request carries what was signed.
 *     - CanonicalHeaders: `host`, `x-amz-content-sha256`, `x-amz-date`, `x-amz-security-token` (temporary
 *       credentials) and the caller's headers; names lower-cased, values with runs of spaces and tabs made one
 *       space and trimmed; sorted by name. As in the SDK, headers that proxies may change are sent but not signed:
 *       {@link UNSIGNABLE_HEADERS}, `proxy-*` and `sec-*`.
 *     - HashedPayload: the hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`; also sent as `x-amz-content-sha256`.
 *  2. StringToSign = AWS4-HMAC-SHA256 \n <yyyyMMddTHHmmssZ> \n <yyyyMMdd>/<region>/<service>/aws4_request \n
 *     hex(SHA-256(CanonicalRequest)).
 *  3. SigningKey = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, yyyyMMdd), region), service), "aws4_request").
 *  4. Authorization = AWS4-HMAC-SHA256 Credential=<key id>/<scope>, SignedHeaders=<names>, Signature=<hex>.
 *     (The SDK's separators, ", "; AWS's examples print "," alone; S3 accepts both.)
 */
import { createHash, createHmac } from 'crypto';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** SHA-256 of the empty body. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** The longest validity of a presigned URL (7 days). */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/**
 * Headers sent but never signed: a proxy or the HTTP stack may add, drop or rewrite them (the SDK's
 * ALWAYS_UNSIGNABLE_HEADERS). `proxy-*` and `sec-*` headers are left out as well.
 */
export const UNSIGNABLE_HEADERS: ReadonlySet<string> = new Set([
	'authorization',
	'cache-control',
	'connection',
	'expect',
	'from',
	'keep-alive',
	'max-forwards',
	'pragma',
	'referer',
	'te',
	'trailer',
	'transfer-encoding',
	'upgrade',
	'user-agent',
	'x-amzn-trace-id',
]);

/** Headers the signer writes itself; a caller's header of one of these names is refused. */
const GENERATED_HEADERS = new Set([
	'authorization',
	'host',
	'x-amz-date',
	'x-amz-content-sha256',
	'x-amz-security-token',
]);

export interface S3Credentials {
	accessKeyId: string;
	secretAccessKey: string;
	/** Temporary credentials (STS): sent as `x-amz-security-token` (or `X-Amz-Security-Token` in a URL) and signed. */
	sessionToken?: string;
}

/** Query parameters, raw (unencoded) names and values; an array is a repeated name. */
export type S3Query = Record<string, string | readonly string[]>;

export interface SigV4Scope {
	credentials: S3Credentials;
	/** The bucket's region, e.g. `us-east-1`; S3-compatible stores take theirs (MinIO: `us-east-1` by default). */
	region: string;
	/** `s3` (the default) for the S3 API. */
	service?: string;
	/** The signing time; the request is accepted within 15 minutes of it. */
	date: Date;
}

export interface SigV4Request {
	/** Upper case, e.g. `PUT`; signed as given. */
	method: string;
	/** The Host header as sent: `URL.host`, the port only when it is not the scheme's default. */
	host: string;
	/**
	 * The path as sent, already encoded the S3 way ({@link encodeS3Key} / {@link s3Target}); signed verbatim. A path
	 * that is not in that one canonical form is refused, since S3 would sign another string than the one sent.
	 */
	path: string;
	/** Query parameters, encoded here. */
	query?: S3Query;
	/** Further headers to send and sign (content-type, range, x-amz-meta-*, ...). Names are case-insensitive. */
	headers?: Record<string, string>;
	/** Hex SHA-256 of the exact body ({@link sha256Hex}; {@link EMPTY_SHA256} for none), or {@link UNSIGNED_PAYLOAD}. */
	payloadHash: string;
}

export interface SignedS3Request {
	/**
	 * Every header to send except Host (the HTTP client derives it from the URL, which must have `host` as its host):
	 * the caller's headers as given, `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token` when the
	 * credentials have one, and `authorization`.
	 */
	headers: Record<string, string>;
	/** The encoded query string that was signed (no `?`); send it verbatim, never re-encoded. */
	queryString: string;
	/** Path and query as they go on the request line: `path` + (`?` + queryString when not empty). */
	pathAndQuery: string;
	canonicalRequest: string;
	stringToSign: string;
	signature: string;
	signedHeaders: string;
	credentialScope: string;
	amzDate: string;
}

export interface PresignRequest {
	method: string;
	host: string;
	path: string;
	query?: S3Query;
	/** Headers the URL's user must send exactly (e.g. content-type); signed. Host is always signed. */
	headers?: Record<string, string>;
	/** Validity, 1 s to 7 days. */
	expiresInSeconds: number;
}

export interface PresignedS3Url {
	/** The full query string (the caller's parameters and the X-Amz-* ones, X-Amz-Signature last). */
	queryString: string;
	/** Path and query: append to `scheme://host`. */
	pathAndQuery: string;
	canonicalRequest: string;
	stringToSign: string;
	signature: string;
	signedHeaders: string;
}

/** A request that cannot be signed as given (a programming or configuration error, never sent). */
export class SigV4InputError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SigV4InputError';
	}
}

// -------------------------------------------------------------------------------------------------------------
// Encoding
// -------------------------------------------------------------------------------------------------------------

const hexEncode = (c: string): string => '%' + c.charCodeAt(0).toString(16).toUpperCase();

/**
 * AWS's UriEncode: the UTF-8 bytes of `value`, every byte but `A-Z a-z 0-9 - _ . ~` as `%XX` (upper-case hex);
 * `/` too unless `keepSlash`. Refuses text that is not valid Unicode (a lone surrogate has no UTF-8 form).
 */
export function uriEncode(value: string, keepSlash = false): string {
	let encoded: string | undefined;
	try {
		encoded = encodeURIComponent(value);
	} catch {
		encoded = undefined;
	}
	if (encoded === undefined) {
		throw new SigV4InputError('The text to sign is not valid Unicode (it holds a lone surrogate)');
	}
	encoded = encoded.replace(/[!'()*]/g, hexEncode);
	return keepSlash ? encoded.replace(/%2F/g, '/') : encoded;
}

/** An object key as it goes into an S3 path: encoded once, its slashes kept. */
export function encodeS3Key(key: string): string {
	return uriEncode(key, true);
}

/** True when `path` is exactly the S3 encoding of some text: what S3 will compute from it. */
export function isCanonicalS3Path(path: string): boolean {
	if (!path.startsWith('/')) return false;
	let decoded: string;
	try {
		decoded = decodeURIComponent(path);
	} catch {
		return false;
	}
	return uriEncode(decoded, true) === path;
}

/** The canonical (and wire) query string: names and values encoded, sorted by name, then by value. */
export function canonicalQueryString(query: S3Query | undefined): string {
	if (!query) return '';
	const entries: Array<[string, string]> = [];
	for (const name of Object.keys(query)) {
		const value = query[name];
		const encodedName = uriEncode(name);
		const values = typeof value === 'string' ? [value] : value;
		for (const item of values) entries.push([encodedName, uriEncode(item)]);
	}
	entries.sort((a, b) => compare(a[0], b[0]) || compare(a[1], b[1]));
	return entries.map(([name, value]) => `${name}=${value}`).join('&');
}

/** Code-unit order: the encoded strings are ASCII, so this is byte order, as S3 sorts. */
function compare(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

// -------------------------------------------------------------------------------------------------------------
// Hashing
// -------------------------------------------------------------------------------------------------------------

export function sha256Hex(data: string | Uint8Array): string {
	return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
	return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The signing key of one day, region and service. */
export function sigV4SigningKey(
	secretAccessKey: string,
	shortDate: string,
	region: string,
	service: string,
): Buffer {
	const dateKey = hmac(`AWS4${secretAccessKey}`, shortDate);
	return hmac(hmac(hmac(dateKey, region), service), 'aws4_request');
}

/** `yyyyMMddTHHmmssZ` (UTC, whole seconds). */
export function amzDate(date: Date): string {
	const time = date.getTime();
	if (!Number.isFinite(time)) throw new SigV4InputError('The signing date is not a valid date');
	return date
		.toISOString()
		.replace(/\.\d{3}Z$/, 'Z')
		.replace(/[-:]/g, '');
}

// -------------------------------------------------------------------------------------------------------------
// Signing
// -------------------------------------------------------------------------------------------------------------

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function checkScope(scope: SigV4Scope): { service: string } {
	const { accessKeyId, secretAccessKey, sessionToken } = scope.credentials;
	if (!accessKeyId || /[\s/,=]/.test(accessKeyId)) {
		throw new SigV4InputError('The access key ID is empty or holds a space, "/", "," or "="');
	}
	if (!secretAccessKey) throw new SigV4InputError('The secret access key is empty');
	if (sessionToken !== undefined && /[\r\n\0]/.test(sessionToken)) {
		throw new SigV4InputError('The session token holds a line break');
	}
	const service = scope.service ?? 's3';
	for (const [what, value] of [
		['region', scope.region],
		['service', service],
	] as const) {
		if (!value || /[\s/]/.test(value)) {
			throw new SigV4InputError(`The ${what} "${value}" is empty or holds a space or "/"`);
		}
	}
	return { service };
}

function checkTarget(method: string, host: string, path: string): void {
	if (!TOKEN.test(method)) throw new SigV4InputError(`"${method}" is not an HTTP method`);
	if (!host || /[\s/?#@]/.test(host)) throw new SigV4InputError(`"${host}" is not a host`);
	if (!isCanonicalS3Path(path)) {
		throw new SigV4InputError(
			`The path "${path}" is not encoded the S3 way (build it with encodeS3Key or s3Target)`,
		);
	}
}

/** The value as S3 canonicalises it: runs of spaces and tabs made one space, leading and trailing space removed. */
export function canonicalHeaderValue(value: string): string {
	return value.replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
}

/** The caller's headers, checked: names are tokens and distinct whatever their case; values hold no line break. */
function callerHeaders(headers: Record<string, string> | undefined): Map<string, string> {
	const seen = new Map<string, string>();
	for (const [name, value] of Object.entries(headers ?? {})) {
		const lower = name.toLowerCase();
		if (!TOKEN.test(name)) throw new SigV4InputError(`"${name}" is not a header name`);
		if (typeof value !== 'string') throw new SigV4InputError(`The header ${name} is not text`);
		if (/[\r\n\0]/.test(value)) throw new SigV4InputError(`The header ${name} holds a line break`);
		if (GENERATED_HEADERS.has(lower)) {
			throw new SigV4InputError(`The header ${name} is written by the signer, not by the caller`);
		}
		if (seen.has(lower)) throw new SigV4InputError(`The header ${name} is given twice`);
		seen.set(lower, value);
	}
	return seen;
}

function isSignable(lowerName: string): boolean {
	return (
		!UNSIGNABLE_HEADERS.has(lowerName) &&
		!lowerName.startsWith('proxy-') &&
		!lowerName.startsWith('sec-')
	);
}

function canonicalHeaders(signed: Map<string, string>): { block: string; names: string } {
	const names = [...signed.keys()].sort(compare);
	return {
		block: names.map((name) => `${name}:${canonicalHeaderValue(signed.get(name)!)}\n`).join(''),
		names: names.join(';'),
	};
}

function signCanonical(
	canonicalRequest: string,
	scope: SigV4Scope,
	service: string,
	longDate: string,
): { stringToSign: string; signature: string; credentialScope: string } {
	const shortDate = longDate.slice(0, 8);
	const credentialScope = `${shortDate}/${scope.region}/${service}/aws4_request`;
	const stringToSign = `${SIGV4_ALGORITHM}\n${longDate}\n${credentialScope}\n${sha256Hex(canonicalRequest)}`;
	const key = sigV4SigningKey(scope.credentials.secretAccessKey, shortDate, scope.region, service);
	const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
	return { stringToSign, signature, credentialScope };
}

/** Signs one S3 request with an `Authorization` header. */
export function signS3Request(request: SigV4Request, scope: SigV4Scope): SignedS3Request {
	const { service } = checkScope(scope);
	checkTarget(request.method, request.host, request.path);
	const { payloadHash } = request;
	if (payloadHash !== UNSIGNED_PAYLOAD && !/^[0-9a-f]{64}$/.test(payloadHash)) {
		throw new SigV4InputError(
			'The payload hash must be a lower-case hex SHA-256 or UNSIGNED-PAYLOAD',
		);
	}
	const longDate = amzDate(scope.date);
	const given = callerHeaders(request.headers);
	const generated: Record<string, string> = {
		'x-amz-date': longDate,
		'x-amz-content-sha256': payloadHash,
	};
	const { sessionToken } = scope.credentials;
	if (sessionToken) generated['x-amz-security-token'] = sessionToken;

	const signed = new Map<string, string>([['host', request.host]]);
	for (const [name, value] of given) if (isSignable(name)) signed.set(name, value);
	for (const [name, value] of Object.entries(generated)) signed.set(name, value);
	const { block, names } = canonicalHeaders(signed);

	const queryString = canonicalQueryString(request.query);
	const canonicalRequest = `${request.method}\n${request.path}\n${queryString}\n${block}\n${names}\n${payloadHash}`;
	const { stringToSign, signature, credentialScope } = signCanonical(
		canonicalRequest,
		scope,
		service,
		longDate,
	);
	const headers: Record<string, string> = { ...(request.headers ?? {}), ...generated };
	headers.authorization =
		`${SIGV4_ALGORITHM} Credential=${scope.credentials.accessKeyId}/${credentialScope}, ` +
		`SignedHeaders=${names}, Signature=${signature}`;
	return {
		headers,
		queryString,
		pathAndQuery: queryString ? `${request.path}?${queryString}` : request.path,
		canonicalRequest,
		stringToSign,
		signature,
		signedHeaders: names,
		credentialScope,
		amzDate: longDate,
	};
}

const PRESIGN_PARAMS = [
	'X-Amz-Algorithm',
	'X-Amz-Credential',
	'X-Amz-Date',
	'X-Amz-Expires',
	'X-Amz-SignedHeaders',
	'X-Amz-Security-Token',
	'X-Amz-Signature',
];

/**
 * A presigned URL (query-string authentication): the payload is `UNSIGNED-PAYLOAD`, the session token goes into
 * the signed query, and whoever holds the URL may send the request until it expires.
 */
export function presignS3Url(request: PresignRequest, scope: SigV4Scope): PresignedS3Url {
	const { service } = checkScope(scope);
	checkTarget(request.method, request.host, request.path);
	const expires = request.expiresInSeconds;
	if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_SECONDS) {
		throw new SigV4InputError(
			`A presigned URL is valid for 1 to ${MAX_PRESIGN_SECONDS} seconds, not ${expires}`,
		);
	}
	const query: Record<string, string | readonly string[]> = { ...(request.query ?? {}) };
	for (const name of Object.keys(query)) {
		if (PRESIGN_PARAMS.some((reserved) => reserved.toLowerCase() === name.toLowerCase())) {
			throw new SigV4InputError(`The query parameter ${name} is written by the signer`);
		}
	}
	const longDate = amzDate(scope.date);
	const given = callerHeaders(request.headers);
	const signed = new Map<string, string>([['host', request.host]]);
	for (const [name, value] of given) if (isSignable(name)) signed.set(name, value);
	const { block, names } = canonicalHeaders(signed);

	const credentialScope = `${longDate.slice(0, 8)}/${scope.region}/${service}/aws4_request`;
	query['X-Amz-Algorithm'] = SIGV4_ALGORITHM;
	query['X-Amz-Credential'] = `${scope.credentials.accessKeyId}/${credentialScope}`;
	query['X-Amz-Date'] = longDate;
	query['X-Amz-Expires'] = String(expires);
	query['X-Amz-SignedHeaders'] = names;
	if (scope.credentials.sessionToken) {
		query['X-Amz-Security-Token'] = scope.credentials.sessionToken;
	}
	const canonicalQuery = canonicalQueryString(query);
	const canonicalRequest = `${request.method}\n${request.path}\n${canonicalQuery}\n${block}\n${names}\n${UNSIGNED_PAYLOAD}`;
	const { stringToSign, signature } = signCanonical(canonicalRequest, scope, service, longDate);
	const queryString = `${canonicalQuery}&X-Amz-Signature=${signature}`;
	return {
		queryString,
		pathAndQuery: `${request.path}?${queryString}`,
		canonicalRequest,
		stringToSign,
		signature,
		signedHeaders: names,
	};
}

// -------------------------------------------------------------------------------------------------------------
// Addressing: endpoint + bucket + key -> host and path
// -------------------------------------------------------------------------------------------------------------

/**
 * `path`: `https://endpoint/bucket/key` (MinIO, most S3-compatible servers, any bucket name).
 * `virtual`: `https://bucket.endpoint/key` (AWS's default; Alibaba OSS accepts only this; the bucket must be a
 * DNS label sequence).
 */
export type S3AddressingStyle = 'path' | 'virtual';

export interface S3Location {
	/**
	 * The service endpoint, e.g. `https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000`,
	 * `https://cos.ap-guangzhou.myqcloud.com`. A path (a proxy's prefix) is kept; a query or fragment is refused.
	 */
	endpoint: string;
	bucket: string;
	/** The object key, raw; undefined for a bucket-level request. */
	key?: string;
	style: S3AddressingStyle;
}

export interface S3Target {
	/** `scheme://host[:port]`. */
	origin: string;
	/** The Host header and the signed host. */
	host: string;
	/** The encoded path, canonical for S3. */
	path: string;
}

/** Bucket names that can be a host label sequence (and so be addressed virtual-hosted style). */
const DNS_BUCKET = /^[a-z0-9](?:[a-z0-9.-]{1,61})[a-z0-9]$/;

/**
 * Where a request for `location` goes. Refuses what would be sent differently from what is signed: a key with a
 * `.` or `..` segment (HTTP clients resolve those before sending), an empty key, a key over 1024 UTF-8 bytes, a
 * bucket with a `/`, and for virtual-hosted style a bucket that is not a DNS name.
 */
export function s3Target(location: S3Location): S3Target {
	let url: URL | undefined;
	try {
		url = new URL(location.endpoint);
	} catch {
		url = undefined;
	}
	if (!url) throw new SigV4InputError(`The endpoint "${location.endpoint}" is not a URL`);
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new SigV4InputError('The endpoint must be an http or https URL');
	}
	if (url.username || url.password || url.search || url.hash) {
		throw new SigV4InputError('The endpoint may hold no user name, password, query or fragment');
	}
	const { bucket, key } = location;
	if (!bucket || bucket.includes('/')) {
		throw new SigV4InputError(`"${bucket}" is not a bucket name`);
	}
	const prefix = url.pathname.replace(/\/+$/, '');
	if (prefix && !isCanonicalS3Path(prefix)) {
		throw new SigV4InputError(`The endpoint's path "${prefix}" is not in canonical encoded form`);
	}
	let keyPath = '';
	if (key !== undefined) {
		if (key === '') throw new SigV4InputError('The object key is empty');
		if (key.split('/').some((segment) => segment === '.' || segment === '..')) {
			throw new SigV4InputError(
				`The object key "${key}" has a "." or ".." segment, which HTTP clients remove before sending`,
			);
		}
		keyPath = encodeS3Key(key);
		if (Buffer.byteLength(key, 'utf8') > 1024) {
			throw new SigV4InputError('The object key is longer than 1024 bytes');
		}
	}
	if (location.style === 'virtual') {
		if (url.hostname.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(url.hostname)) {
			throw new SigV4InputError(
				'An endpoint given by IP address cannot be addressed virtual-hosted style: use path style',
			);
		}
		if (!DNS_BUCKET.test(bucket) || bucket.includes('..')) {
			throw new SigV4InputError(
				`The bucket "${bucket}" cannot be addressed virtual-hosted style (not a DNS name): use path style`,
			);
		}
		const host = `${bucket}.${url.host}`;
		return { origin: `${url.protocol}//${host}`, host, path: `${prefix}/${keyPath}` };
	}
	const bucketPath = `${prefix}/${uriEncode(bucket)}`;
	return {
		origin: url.origin,
		host: url.host,
		path: key === undefined ? bucketPath : `${bucketPath}/${keyPath}`,
	};
}
