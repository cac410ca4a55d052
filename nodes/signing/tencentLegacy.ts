/**
 * Tencent Cloud request signing for the legacy API 2.0 (e.g. the CRS API on redis.api.qcloud.com/v2/index.php,
 * GetRedisBackupList), "signature method v1" with HmacSHA1 or HmacSHA256. API 3.0 still accepts the same v1
 * signature with path `/` (its published example is reproduced in test/signing/tencentLegacy.test.ts).
 *
 * Pure: no n8n, no clock, no randomness. The caller supplies the timestamp and the nonce.
 *
 * The steps, as Tencent's "Signature" (签名方法) pages give them:
 *  1. Every parameter sent (the common ones, Action, Region, Timestamp, Nonce, SecretId, SignatureMethod, Token,
 *     and the API's own) sorted by name in ascending byte order (`InstanceIds.12` before `InstanceIds.2`, `Z`
 *     before `a`).
 *  2. Each as `name=value` with the RAW value (not URL-encoded), joined with `&`. Every `_` in a parameter NAME is
 *     written as `.` (API 2.0 page: "若输入参数的Key中包含下划线，则需要将其转换为“.”，但是Value中的下划线则不用转换",
 *     e.g. Placement_Zone=CN_GUANGZHOU is signed as Placement.Zone=CN_GUANGZHOU). We follow Tencent's API 2.0 SDKs,
 *     qcloudapi-sdk-python `Sign.make` and qcloudapi-sdk-php `_buildParamStr`: sort by the names as sent, then
 *     replace every `_`. (The Node qcloudapi-sdk replaces only the first `_`; tencentcloud-sdk-nodejs, written for
 *     API 3.0 whose names have none, replaces none. No CRS parameter has a `_`, so they all agree there.)
 *  3. Source string = METHOD + host + path + `?` + that string, e.g. `GETredis.api.qcloud.com/v2/index.php?Action=...`.
 *     The host is the Host header as sent: `URL.host`, the host name plus `:port` unless the port is the scheme's
 *     default (`127.0.0.1:8123` for the emulator; `redis.api.qcloud.com`, never `...:443`). It is signed as given.
 *  4. Signature = Base64(HMAC-SHA1 or HMAC-SHA256(SecretKey, source string)); HmacSHA256 only when the
 *     SignatureMethod parameter says so ("只有指定此参数为 HmacSHA256 时，才使用 HmacSHA256"). Every other parameter,
 *     SignatureMethod and Token included, is signed like any other. The Signature is sent percent-encoded with the
 *     rest (`+`, `/`, `=` become %2B, %2F, %3D).
 *
 * The old SDKs leave a POST value starting with `@` (a file upload) out of the source string; nothing here uploads,
 * so every value is signed.
 */
import { createHmac } from 'crypto';

import { compareCodeUnits, tencentPercentEncode, type TencentCredentials } from './tencentTc3';

export type LegacySignatureMethod = 'HmacSHA1' | 'HmacSHA256';
export type LegacyMethod = 'GET' | 'POST';

export interface LegacyRequestInput {
	method: LegacyMethod;
	/** The Host header as sent (`URL.host`): `redis.api.qcloud.com`, `127.0.0.1:8123`. Signed as given. */
	host: string;
	/** Request path, `/v2/index.php` for API 2.0. */
	path: string;
	action: string;
	/** The Region parameter; left out when absent or empty. */
	region?: string;
	/** UNIX time in whole seconds. */
	timestamp: number;
	/** A random positive integer, unique per request with the timestamp (replay protection). Digits as a string allowed. */
	nonce: number | string;
	/**
	 * Sent as the SignatureMethod parameter. When absent no such parameter is sent and the cloud checks HmacSHA1
	 * (Tencent: "only HmacSHA256 when this parameter says so, HmacSHA1 in every other case").
	 */
	signatureMethod?: LegacySignatureMethod;
	/** The API's own parameters, flat (see flattenTencentParams): `limit`, `offset`, `redisId`, `InstanceIds.0`... */
	params?: Record<string, string>;
}

export interface SignedLegacyRequest {
	/** Every parameter to send, common ones and Signature (raw Base64) included, sorted by name. */
	params: Record<string, string>;
	/** `params` percent-encoded (RFC 3986): the query string of a GET, or the form body of a POST. Send verbatim. */
	queryString: string;
	/** The source string that was signed. */
	stringToSign: string;
	signature: string;
}

/** Common parameters the signer sets; the API's own parameters may not use these names. */
const COMMON_PARAMS = [
	'Action',
	'Region',
	'Timestamp',
	'Nonce',
	'SecretId',
	'SignatureMethod',
	'Token',
	'Signature',
];

const HMAC_ALGORITHMS: Record<LegacySignatureMethod, string> = {
	HmacSHA1: 'sha1',
	HmacSHA256: 'sha256',
};

/** The name as it appears in the source string: every `_` replaced by `.`. */
export function legacySignedName(name: string): string {
	return name.replace(/_/g, '.');
}

/**
 * The source string: METHOD + host + path + `?` + sorted `name=value` pairs (raw values, `_` in names as `.`).
 * `params` must not contain Signature.
 */
export function legacyStringToSign(
	method: string,
	host: string,
	path: string,
	params: Record<string, string>,
): string {
	const names = Object.keys(params).sort(compareCodeUnits);
	const seen = new Map<string, string>();
	const pairs = names.map((name) => {
		const signedName = legacySignedName(name);
		const clash = seen.get(signedName);
		if (clash !== undefined) {
			throw new Error(
				`Parameters ${clash} and ${name} are the same name (${signedName}) once signed`,
			);
		}
		seen.set(signedName, name);
		return `${signedName}=${params[name]}`;
	});
	return `${method.toUpperCase()}${host}${path}?${pairs.join('&')}`;
}

/** Base64 HMAC of the source string under the SecretKey, SHA-1 or SHA-256. */
export function legacySignature(
	secretKey: string,
	stringToSign: string,
	method: LegacySignatureMethod,
): string {
	const algorithm = HMAC_ALGORITHMS[method];
	if (algorithm === undefined)
		throw new Error(`Signature method must be HmacSHA1 or HmacSHA256, not ${method}`);
	return createHmac(algorithm, secretKey).update(stringToSign, 'utf8').digest('base64');
}

function checkTimestamp(timestamp: number): void {
	if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
		throw new RangeError(`Timestamp must be whole UNIX seconds, got ${timestamp}`);
	}
}

function checkNonce(nonce: number | string): string {
	const text = String(nonce);
	if (
		typeof nonce === 'number'
			? !Number.isSafeInteger(nonce) || nonce <= 0
			: !/^[1-9][0-9]*$/.test(nonce)
	) {
		throw new RangeError(`Nonce must be a positive integer, got ${text}`);
	}
	return text;
}

/**
 * Signs one legacy request: the common parameters are added from the fields and the credentials, so a credential's
 * `authenticate` passes the API's own parameters and sends `queryString` (GET: after `?`; POST: as the
 * application/x-www-form-urlencoded body) without re-encoding it.
 */
export function signLegacy(
	input: LegacyRequestInput,
	credentials: TencentCredentials,
): SignedLegacyRequest {
	const method = input.method.toUpperCase();
	if (method !== 'GET' && method !== 'POST')
		throw new Error(`The legacy API takes GET or POST, not ${input.method}`);
	if (input.host === '' || /[\s/?#@\\]/.test(input.host)) {
		throw new Error(`"${input.host}" is not a host (name and optional port, no scheme or path)`);
	}
	if (!input.path.startsWith('/'))
		throw new Error(`The path must start with "/", got "${input.path}"`);
	checkTimestamp(input.timestamp);
	const nonce = checkNonce(input.nonce);

	const unsigned: Record<string, string> = {};
	for (const [name, value] of Object.entries(input.params ?? {})) {
		if (COMMON_PARAMS.includes(name))
			throw new Error(`Parameter ${name} is set by the signer; pass it as its own field`);
		unsigned[name] = value;
	}
	unsigned.Action = input.action;
	if (input.region) unsigned.Region = input.region;
	unsigned.Timestamp = String(input.timestamp);
	unsigned.Nonce = nonce;
	unsigned.SecretId = credentials.secretId;
	if (input.signatureMethod) unsigned.SignatureMethod = input.signatureMethod;
	if (credentials.sessionToken) unsigned.Token = credentials.sessionToken;

	const stringToSign = legacyStringToSign(method, input.host, input.path, unsigned);
	const signature = legacySignature(
		credentials.secretKey,
		stringToSign,
		input.signatureMethod ?? 'HmacSHA1',
	);

	const params: Record<string, string> = {};
	for (const name of [...Object.keys(unsigned), 'Signature'].sort(compareCodeUnits)) {
		params[name] = name === 'Signature' ? signature : unsigned[name];
	}
	const queryString = Object.keys(params)
		.map((name) => `${tencentPercentEncode(name)}=${tencentPercentEncode(params[name])}`)
		.join('&');
	return { params, queryString, stringToSign, signature };
}
