/**
 * Tencent Cloud request signing for API 3.0, "signature v3" (TC3-HMAC-SHA256): the algorithm the official SDKs
 * (tencentcloud-sdk-nodejs-common `Sign.sign3`) apply to every API 3.0 call, e.g. Redis DescribeInstanceBackups on
 * redis.tencentcloudapi.com.
 *
 * Pure: no n8n, no clock, no randomness. The caller supplies the timestamp, so the same input always gives the same
 * signature and tests can compare against Tencent's published worked example.
 *
 * The steps, as Tencent's "Signature v3" page gives them:
 *  1. CanonicalRequest = METHOD \n CanonicalURI (/) \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n
 *     hex(SHA-256(body)). The query string is the one in the URL (empty for a POST without one), exactly as sent;
 *     the canonical headers are at least content-type and host, each `name:value\n`, names and values lower-cased
 *     and trimmed, sorted by name.
 *  2. StringToSign = TC3-HMAC-SHA256 \n timestamp \n <UTC date>/<service>/tc3_request \n hex(SHA-256(CanonicalRequest)).
 *  3. Key chain: HMAC("TC3" + SecretKey, date) -> HMAC(., service) -> HMAC(., "tc3_request"); the signature is the hex
 *     HMAC-SHA256 of StringToSign under that key.
 *  4. Authorization = TC3-HMAC-SHA256 Credential=<SecretId>/<scope>, SignedHeaders=<names>, Signature=<hex>.
 *
 * Endpoints with a port (the emulator, a proxy): the signed `host` is the host NAME alone, never the port. The SDK
 * builds `protocol + endpoint + "/"`, sends `Host: <URL.host>` (`127.0.0.1:8123`) and signs `host:<URL.hostname>`
 * (`127.0.0.1`; lower-cased, IPv6 in brackets, IDN as punycode), which {@link tc3SignedHost} reproduces with the
 * same WHATWG URL parser (test/signing/tencentTc3.test.ts captures it from the SDK client on a loopback port). A
 * verifier (the emulator) must therefore compare against `host:<hostname>`, not the Host header as received.
 *
 * The service in the credential scope is an input here. The SDK derives it from the endpoint's first dot-label
 * (`redis.tencentcloudapi.com` -> `redis`, but `127.0.0.1:8123` -> `127` and `localhost:8123` -> `localhost:8123`);
 * we always sign `redis` for the Redis API wherever the request goes, so a verifier should read the service from
 * the Authorization header's Credential scope (or expect `redis`) rather than derive it from its own address.
 */
import { createHash, createHmac } from 'crypto';

export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';

/** The content types the official SDK sends: JSON for POST, a form type for GET. */
export const TC3_DEFAULT_POST_CONTENT_TYPE = 'application/json';
export const TC3_DEFAULT_GET_CONTENT_TYPE = 'application/x-www-form-urlencoded';

export interface TencentCredentials {
	secretId: string;
	secretKey: string;
	/** Temporary (STS/CAM role) credentials: the token goes into X-TC-Token (API 3.0) or the Token parameter (legacy). */
	sessionToken?: string;
}

export type Tc3Method = 'GET' | 'POST';

export interface Tc3RequestInput {
	method: Tc3Method;
	/**
	 * The Host header as sent (`URL.host`), e.g. `redis.tencentcloudapi.com` or `127.0.0.1:8123`; sent as given.
	 * As in the SDK, the signed `host` is the host name alone ({@link tc3SignedHost}): lower-cased, no port.
	 */
	host: string;
	/** Canonical URI; "/" (the default) for every API 3.0 call. Signed as given. */
	path?: string;
	/** The product in the credential scope, e.g. `redis` (the first label of the product's domain). */
	service: string;
	action: string;
	version: string;
	/** X-TC-Region; left out when absent or empty (some APIs take no region). */
	region?: string;
	/** X-TC-Language, e.g. `en-US` or `zh-CN`; left out when absent. */
	language?: string;
	/** UNIX time in whole seconds (X-TC-Timestamp); the credential scope's date is its UTC date. */
	timestamp: number;
	/**
	 * Query parameters. A record is encoded here (RFC 3986, see {@link tencentPercentEncode}) in its own key order;
	 * a string is taken as an already encoded query string (without `?`) and signed and sent verbatim. Flatten nested
	 * parameters with {@link flattenTencentParams} first. Empty for a POST, as the SDK sends it.
	 */
	query?: Record<string, string> | string;
	/** The exact request body (a POST's JSON); its SHA-256 is signed. Empty for a GET. */
	body?: string;
	/** Content-Type to send and sign; defaults to the SDK's: `application/json` (POST), the form type (GET). */
	contentType?: string;
	/** Extra headers to send, e.g. X-TC-RequestClient. Not signed unless named in `signedHeaders`. */
	headers?: Record<string, string>;
	/**
	 * Further headers to sign besides content-type and host (the SDK signs none; Tencent's current worked example
	 * adds `x-tc-action`). Names are case-insensitive; each must be among the headers sent.
	 */
	signedHeaders?: readonly string[];
}

export interface SignedTc3Request {
	/** Headers to send: Authorization, Content-Type, Host and the X-TC-* common parameters, plus any extras. */
	headers: Record<string, string>;
	/** The query string that was signed; send it verbatim after `?` (no re-encoding), or nothing when empty. */
	queryString: string;
	canonicalRequest: string;
	/** `<date>/<service>/tc3_request` */
	credentialScope: string;
	stringToSign: string;
	signature: string;
}

/** Parameter values as the SDK accepts them; nested arrays and objects are flattened with dots. */
export type TencentParamValue =
	| string
	| number
	| boolean
	| bigint
	| null
	| undefined
	| readonly TencentParamValue[]
	| { readonly [key: string]: TencentParamValue };

export type TencentParams = { readonly [key: string]: TencentParamValue };

/**
 * Flattens nested parameters the way the SDK does for a GET and for the v1/legacy signatures: arrays become
 * `Name.0`, `Name.1`, objects `Name.Key`, nested as deep as they go (`Filters.0.Values.1`); null and undefined are
 * left out, booleans become `true`/`false`, numbers their decimal form. Key order follows the input.
 */
export function flattenTencentParams(params: TencentParams): Record<string, string> {
	const flat: Record<string, string> = {};
	const visit = (value: TencentParamValue, name: string): void => {
		if (value === null || value === undefined) return;
		if (typeof value === 'object') {
			for (const [key, inner] of Object.entries(value))
				visit(inner as TencentParamValue, `${name}.${key}`);
			return;
		}
		if (typeof value === 'number' && !Number.isFinite(value)) {
			throw new RangeError(`Parameter ${name} is not a finite number`);
		}
		flat[name] = String(value);
	};
	for (const [key, value] of Object.entries(params)) visit(value, key);
	return flat;
}

/**
 * RFC 3986 percent-encoding, UTF-8, upper-case hex, as Tencent asks for query strings ("all special characters
 * encoded"): only A-Z a-z 0-9 - _ . ~ stay as they are; space is %20 (never +), `*` is %2A.
 */
export function tencentPercentEncode(value: string): string {
	return encodeURIComponent(value).replace(
		/[!'()*]/g,
		(c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
	);
}

/** `k=v&k=v` with names and values percent-encoded, in the record's own key order. */
export function encodeTencentQuery(query: Record<string, string>): string {
	return Object.keys(query)
		.map((key) => `${tencentPercentEncode(key)}=${tencentPercentEncode(query[key] ?? '')}`)
		.join('&');
}

export function sha256Hex(data: string | Uint8Array): string {
	return createHash('sha256').update(data).digest('hex');
}

function hmacSha256(key: string | Buffer, data: string): Buffer {
	return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function compareCodeUnits(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/** The latest UNIX second whose UTC date still has four digits (9999-12-31T23:59:59Z). */
const MAX_TIMESTAMP = 253402300799;

/** The UTC date `yyyy-MM-dd` of a UNIX timestamp in seconds, as the credential scope needs it. */
export function tc3Date(timestamp: number): string {
	if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > MAX_TIMESTAMP) {
		throw new RangeError(
			`Timestamp must be whole UNIX seconds between 0 and ${MAX_TIMESTAMP}, got ${timestamp}`,
		);
	}
	return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

/**
 * The host the SDK signs for a Host header (or endpoint) `host`: `new URL("http://" + host).hostname`, i.e. without
 * the port, lower-cased (`127.0.0.1:8123` -> `127.0.0.1`, `[::1]:8080` -> `[::1]`, `REDIS.x.com` -> `redis.x.com`).
 * The same parser as the SDK's, so no host form can sign differently.
 */
export function tc3SignedHost(host: string): string {
	const trimmed = host.trim();
	if (trimmed === '' || /[\s/?#@\\]/.test(trimmed)) {
		throw new Error(`"${host}" is not a host (name and optional port, no scheme or path)`);
	}
	let url: URL | undefined;
	try {
		url = new URL(`http://${trimmed}/`);
	} catch {
		url = undefined;
	}
	if (url === undefined) throw new Error(`"${host}" is not a valid host`);
	return url.hostname;
}

/** The derived signing key: HMAC chain over date, service and `tc3_request`, starting from "TC3" + SecretKey. */
export function tc3SigningKey(secretKey: string, date: string, service: string): Buffer {
	const secretDate = hmacSha256(`TC3${secretKey}`, date);
	const secretService = hmacSha256(secretDate, service);
	return hmacSha256(secretService, 'tc3_request');
}

/** Headers the signer sets itself; passing them in `headers` would send two values for one name. */
const RESERVED_HEADERS = new Set([
	'authorization',
	'content-type',
	'host',
	'x-tc-action',
	'x-tc-version',
	'x-tc-timestamp',
	'x-tc-region',
	'x-tc-token',
	'x-tc-language',
]);

/**
 * Signs one API 3.0 request. A credential's `authenticate` adds `headers` to the request as they are (Authorization,
 * Content-Type, Host and the X-TC-* common parameters; X-TC-Region and X-TC-Token only when set), sends `body`
 * byte for byte and puts `queryString` after `?` unchanged: what is hashed must be what goes on the wire.
 */
export function signTc3(input: Tc3RequestInput, credentials: TencentCredentials): SignedTc3Request {
	const method = input.method.toUpperCase();
	if (method !== 'GET' && method !== 'POST') {
		throw new Error(`Tencent Cloud API 3.0 takes GET or POST, not ${input.method}`);
	}
	const body = input.body ?? '';
	if (method === 'GET' && body !== '')
		throw new Error('A GET request has no body; put its parameters in the query');
	const date = tc3Date(input.timestamp);

	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(input.headers ?? {})) {
		if (RESERVED_HEADERS.has(name.toLowerCase())) {
			throw new Error(`Header ${name} is set by the signer; pass it as its own field`);
		}
		headers[name] = value;
	}
	const contentType =
		input.contentType ??
		(method === 'GET' ? TC3_DEFAULT_GET_CONTENT_TYPE : TC3_DEFAULT_POST_CONTENT_TYPE);
	headers['Content-Type'] = contentType;
	headers.Host = input.host;
	headers['X-TC-Action'] = input.action;
	headers['X-TC-Version'] = input.version;
	headers['X-TC-Timestamp'] = String(input.timestamp);
	if (input.region) headers['X-TC-Region'] = input.region;
	if (credentials.sessionToken) headers['X-TC-Token'] = credentials.sessionToken;
	if (input.language) headers['X-TC-Language'] = input.language;

	// Canonical headers: content-type and host always, then any extra names asked for; lower-case names and values,
	// trimmed, sorted by name. The host is signed without its port, as the SDK signs it.
	const canonical = new Map<string, string>([
		['content-type', contentType.trim().toLowerCase()],
		['host', tc3SignedHost(input.host)],
	]);
	const byLowerName = new Map(
		Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
	);
	for (const requested of input.signedHeaders ?? []) {
		const name = requested.trim().toLowerCase();
		if (canonical.has(name)) continue;
		const value = byLowerName.get(name);
		if (value === undefined)
			throw new Error(`Cannot sign header ${requested}: it is not among the headers sent`);
		canonical.set(name, value.trim().toLowerCase());
	}
	const signedNames = [...canonical.keys()].sort(compareCodeUnits);
	const canonicalHeaders = signedNames
		.map((name) => `${name}:${canonical.get(name) ?? ''}\n`)
		.join('');
	const signedHeaders = signedNames.join(';');

	const queryString =
		typeof input.query === 'string'
			? input.query.replace(/^\?/, '')
			: encodeTencentQuery(input.query ?? {});
	const canonicalRequest = [
		method,
		input.path || '/',
		queryString,
		canonicalHeaders,
		signedHeaders,
		sha256Hex(Buffer.from(body, 'utf8')),
	].join('\n');
	const credentialScope = `${date}/${input.service}/tc3_request`;
	const stringToSign = `${TC3_ALGORITHM}\n${input.timestamp}\n${credentialScope}\n${sha256Hex(canonicalRequest)}`;
	const signature = createHmac('sha256', tc3SigningKey(credentials.secretKey, date, input.service))
		.update(stringToSign, 'utf8')
		.digest('hex');

	headers.Authorization =
		`${TC3_ALGORITHM} Credential=${credentials.secretId}/${credentialScope}, ` +
		`SignedHeaders=${signedHeaders}, Signature=${signature}`;
	return { headers, queryString, canonicalRequest, credentialScope, stringToSign, signature };
}
