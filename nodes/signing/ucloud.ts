/**
 * UCloud API request signing (every call to https://api.ucloud.cn/, e.g. URedis DescribeURedisBackup): the
 * `Signature` parameter is the hex SHA-1 of the request's own parameters followed by the private key.
 *
 * Pure: no n8n, no clock, no randomness (UCloud's signature has no timestamp or nonce), node:crypto only.
 *
 * The steps, as UCloud's "签名算法" page (https://docs.ucloud.cn/api/summary/signature) and the official SDKs give
 * them (ucloud-sdk-python3 0.11.100 `ucloud/core/auth/_cfg.py` verify_ac, ucloud-sdk-go 0.22.98
 * `ucloud/auth/signature.go` sign):
 *  1. Nested and array parameters are flattened first, because what is signed must be exactly what is sent as form
 *     fields ({@link flattenUCloudParams}).
 *  2. Every parameter sent except Signature (PublicKey, and SecurityToken for temporary keys, included) sorted by
 *     name in ascending order of Unicode code points, i.e. UTF-8 byte order: Python's `sorted` on str and Go's
 *     `sort.Strings` both compare that way (`Backends.10` before `Backends.2`, `CPU` before `ChargeType`). JavaScript's
 *     default sort compares UTF-16 code units, which differs for characters above U+FFFF, so we do not use it.
 *  3. Each name followed by its value, no separator, no URL encoding: `ActionDescribeUHostInstanceLimit10...`.
 *  4. Signature = lower-case hex SHA-1 (UTF-8) of that string with the private key appended.
 */
import { createHash } from 'node:crypto';

/** A parameter value as a caller writes it; flattened by {@link flattenUCloudParams}. */
export type UCloudValue =
	| string
	| number
	| bigint
	| boolean
	| null
	| undefined
	| UCloudValue[]
	| { [name: string]: UCloudValue };

export type UCloudParams = { [name: string]: UCloudValue };

export interface UCloudCredentials {
	publicKey: string;
	privateKey: string;
	/** Temporary (STS) keys: sent and signed as the SecurityToken parameter, as ucloud-sdk-go `Credential.Apply` does. */
	securityToken?: string;
}

export interface SignedUCloudRequest {
	/**
	 * Every form field to send, sorted by name: the flattened parameters, PublicKey, SecurityToken (temporary keys
	 * only) and Signature. Send them as they are (GET query or POST form, URL-encoded by the HTTP layer).
	 */
	params: Record<string, string>;
	signature: string;
	/**
	 * The sorted name+value concatenation WITHOUT the private key (what ucloud-sdk-go calls `WithoutPrivateKey`), so
	 * it can be logged or compared in a test without leaking the secret. The hash input is this + private key.
	 */
	stringToSign: string;
}

/** Names the signer sets itself; a caller's parameter of that name would be signed and then overwritten. */
const RESERVED_NAMES = ['PublicKey', 'Signature', 'SecurityToken'];

/** A lone UTF-16 surrogate cannot be encoded as UTF-8; node:crypto would hash U+FFFD instead and sign a lie. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkWellFormed(text: string, what: string): void {
	if (LONE_SURROGATE.test(text)) {
		throw new TypeError(`${what} contains a lone UTF-16 surrogate and cannot be sent as UTF-8`);
	}
}

function isPlainObject(value: unknown): value is { [name: string]: UCloudValue } {
	return Object.prototype.toString.call(value) === '[object Object]';
}

/**
 * Ascending Unicode code point order (= UTF-8 byte order), the order of Python's `sorted` and Go's `sort.Strings`.
 * UTF-16 code unit order agrees except that surrogates (U+D800-U+DFFF, the halves of characters above U+FFFF) sort
 * before U+E000-U+FFFF; remapping the two ranges at the first difference restores code point order.
 */
export function compareCodePoints(a: string, b: string): number {
	const length = Math.min(a.length, b.length);
	for (let i = 0; i < length; i++) {
		let x = a.charCodeAt(i);
		let y = b.charCodeAt(i);
		if (x === y) continue;
		if (x >= 0xe000) x -= 0x800;
		else if (x >= 0xd800) x += 0x2000;
		if (y >= 0xe000) y -= 0x800;
		else if (y >= 0xd800) y += 0x2000;
		return x - y;
	}
	return a.length - b.length;
}

/**
 * A finite number written as the SDKs write it, never in exponent notation:
 * - integers as plain digits. Only safe integers (|n| <= 2^53 - 1): above that a JS number is no longer the integer
 *   the caller wrote (an ID read from JSON has been rounded), and the SDKs disagree anyway (Python prints a float
 *   1e23 exactly, 99999999999999991611392; Go's `FormatFloat(v, 'f', -1, 64)` prints 100000000000000000000000), so we
 *   refuse and ask for a bigint or a string. -0 is "0" (Python `int(-0.0)`; Go would print "-0").
 * - other numbers with the shortest digits that read back as the same double (JS `Number#toString`, Python `repr`,
 *   Go `FormatFloat(v, 'f', -1, 64)` choose the same digits), laid out in plain decimal. Python prints |v| < 1e-4 in
 *   exponent form (1e-05) where Go prints 0.00001; we follow Go and UCloud's page, which says floats must not use
 *   scientific notation ("对于浮点数类型，不能使用科学计数法").
 * - NaN and Infinity are refused: no API takes them (Python would send "nan"/"inf", Go "NaN"/"+Inf").
 */
export function formatUCloudNumber(value: number): string {
	if (!Number.isFinite(value)) throw new RangeError(`UCloud parameters cannot be ${value}`);
	if (Number.isInteger(value)) {
		if (!Number.isSafeInteger(value)) {
			throw new RangeError(
				`${value} is beyond 2^53 and may not be the integer meant; pass it as a bigint or a string`,
			);
		}
		return String(value === 0 ? 0 : value);
	}
	const text = String(value);
	const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
	if (match === null) return text;
	// A non-integer is below 2^53 < 1e21, so JS only uses an exponent for |v| < 1e-6: write 0.000...digits.
	const [, sign, lead, rest = '', exponent] = match;
	return `${sign}0.${'0'.repeat(-Number(exponent) - 1)}${lead}${rest}`;
}

/** One scalar as the string the SDKs send and sign: strings as they are, booleans as true/false (Python, Go). */
export function formatUCloudValue(value: string | number | bigint | boolean): string {
	switch (typeof value) {
		case 'string':
			return value;
		case 'boolean':
			return value ? 'true' : 'false';
		case 'number':
			return formatUCloudNumber(value);
		case 'bigint':
			return value.toString();
		default:
			throw new TypeError(`A UCloud parameter value cannot be a ${typeof value}`);
	}
}

function addFlat(out: Record<string, string>, name: string, value: string): void {
	checkWellFormed(name, `Parameter name "${name}"`);
	checkWellFormed(value, `The value of ${name}`);
	if (Object.prototype.hasOwnProperty.call(out, name)) {
		// e.g. { 'Ips.0': 'a', Ips: ['b'] }: Python would keep whichever came last, Go a random one.
		throw new Error(`Parameter ${name} is given twice once flattened`);
	}
	out[name] = value;
}

function flattenInto(
	out: Record<string, string>,
	prefix: string,
	object: { [name: string]: UCloudValue },
): void {
	for (const [key, value] of Object.entries(object)) {
		if (key === '') throw new Error(`A parameter name under "${prefix}" is empty`);
		// An absent optional field: Python's client drops top-level None, Go's request structs skip nil pointer
		// fields at any depth (ucloud/request/map.go reflectToMap), the JS SDK skips null everywhere.
		if (value === undefined || value === null) continue;
		const name = prefix === '' ? key : `${prefix}.${key}`;
		if (Array.isArray(value)) {
			// Key.N from 0, Key.N.Sub for objects in the array (Python encoder.encode, Go encodeMapToForm).
			value.forEach((item: UCloudValue, index) => {
				const itemName = `${name}.${index}`;
				if (item === undefined || item === null) {
					// Python sends the text "None", Go's generic request fails, its structs renumber: no rule to follow.
					throw new TypeError(`${itemName} is ${item}; leave it out of the array instead`);
				}
				if (Array.isArray(item)) {
					// Python sends Python's repr "[1, 2]", Go fails: not a UCloud parameter shape.
					throw new TypeError(`${itemName} is an array inside an array, which UCloud cannot take`);
				}
				if (isPlainObject(item)) flattenInto(out, itemName, item);
				else addFlat(out, itemName, formatScalar(item, itemName));
			});
		} else if (isPlainObject(value)) {
			// Key.Sub (Python encoder.encode, Go encodeMapToForm); an empty object sends nothing, as in both.
			flattenInto(out, name, value);
		} else {
			addFlat(out, name, formatScalar(value, name));
		}
	}
}

function formatScalar(value: UCloudValue, name: string): string {
	if (
		typeof value === 'string' ||
		typeof value === 'number' ||
		typeof value === 'bigint' ||
		typeof value === 'boolean'
	) {
		return formatUCloudValue(value);
	}
	throw new TypeError(`${name} is not a string, number, bigint, boolean, array or plain object`);
}

/**
 * The form fields a parameter tree is sent as, the way ucloud-sdk-python3 `ucloud/core/typesystem/encoder.py`
 * (encode, encode_value) and ucloud-sdk-go `ucloud/request/encoder_form.go` (encodeMapToForm, encodeOne) flatten:
 * `Key.N` (from 0) for array items, `Key.Sub` for object fields, `Key.N.Sub` for objects in arrays, to any depth;
 * scalars by {@link formatUCloudValue}. Empty strings are kept and signed (Python, and the page's "all request
 * parameters"); Go drops them, which changes what is sent but not the rule: a request is signed over what it sends.
 * null/undefined object fields are left out; a name given twice once flattened is an error.
 */
export function flattenUCloudParams(params: UCloudParams): Record<string, string> {
	if (!isPlainObject(params)) throw new TypeError('UCloud parameters must be a plain object');
	const out: Record<string, string> = {};
	flattenInto(out, '', params);
	return out;
}

/**
 * The sorted name+value concatenation of flat parameters, without the private key ({@link SignedUCloudRequest}).
 * Every parameter but Signature, so a verifier can pass the parameters it received as they are.
 */
export function ucloudStringToSign(params: Record<string, string>): string {
	return Object.keys(params)
		.filter((name) => name !== 'Signature')
		.sort(compareCodePoints)
		.map((name) => {
			const value = params[name];
			if (typeof value !== 'string')
				throw new TypeError(`${name} must be flattened to a string first`);
			checkWellFormed(name, `Parameter name "${name}"`);
			checkWellFormed(value, `The value of ${name}`);
			return `${name}${value}`;
		})
		.join('');
}

/** Lower-case hex SHA-1 of the string to sign followed by the private key, both UTF-8. */
export function ucloudSignature(stringToSign: string, privateKey: string): string {
	return createHash('sha1')
		.update(stringToSign + privateKey, 'utf8')
		.digest('hex');
}

/**
 * Signs one request: flattens `params`, adds PublicKey (and SecurityToken for temporary keys) and Signature. The
 * API's parameters (Action, Region, ProjectId, ...) are the caller's; the signer sets only the credential ones.
 */
export function signUCloud(
	params: UCloudParams,
	credentials: UCloudCredentials,
): SignedUCloudRequest {
	const { publicKey, privateKey, securityToken } = credentials;
	if (typeof publicKey !== 'string' || publicKey === '')
		throw new Error('The UCloud public key is empty');
	if (typeof privateKey !== 'string' || privateKey === '')
		throw new Error('The UCloud private key is empty');
	checkWellFormed(privateKey, 'The UCloud private key');

	const unsigned = flattenUCloudParams(params);
	for (const name of RESERVED_NAMES) {
		if (Object.prototype.hasOwnProperty.call(unsigned, name)) {
			throw new Error(`Parameter ${name} is set by the signer from the credentials`);
		}
	}
	unsigned.PublicKey = publicKey;
	// Go's Credential.applyDefaults adds the token only when it is not empty; so do we.
	if (securityToken) unsigned.SecurityToken = securityToken;

	const stringToSign = ucloudStringToSign(unsigned);
	const signature = ucloudSignature(stringToSign, privateKey);

	const signed: Record<string, string> = {};
	for (const name of [...Object.keys(unsigned), 'Signature'].sort(compareCodePoints)) {
		signed[name] = name === 'Signature' ? signature : unsigned[name];
	}
	return { params: signed, signature, stringToSign };
}
