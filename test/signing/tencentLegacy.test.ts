/**
 * Proof of nodes/signing/tencentLegacy.ts (Tencent Cloud "signature method v1", HmacSHA1 and HmacSHA256: the legacy
 * API 2.0 on <product>.api.qcloud.com/v2/index.php, and API 3.0 endpoints signed the old way) against references that
 * do not share its code:
 *
 *  1. Published examples: Tencent's "Signature" (签名方法 v1) page, and the unit tests of Tencent's own API 2.0 SDK
 *     (qcloudapi-sdk-python) on cvm.api.qcloud.com/v2/index.php, HmacSHA1 and HmacSHA256, GET and POST. Every
 *     hard-coded expected value is copied from the source named next to it, none was produced by our signer.
 *  2. The official SDK tencentcloud-sdk-nodejs-common 4.1.220: its source-string builder
 *     (`AbstractClient.formatSignString`) and its HMAC (`Sign.sign`) on several hundred seeded random requests, and
 *     its real client signing v1 requests to a loopback server on a port, every one re-signed by ours.
 *  3. The `_` -> `.` rule of API 2.0 against Tencent's API 2.0 SDK rule (qcloudapi-sdk-python `Sign.make`), and the
 *     Host-with-port rule against what Node's HTTP client really sends.
 *  4. Negative tests: changing any signed input changes the signature.
 */
import { createHmac } from 'node:crypto';
import {
	createServer,
	request as httpRequest,
	type IncomingHttpHeaders,
	type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseForm } from 'node:querystring';

import { AbstractClient } from 'tencentcloud-sdk-nodejs-common';
import Sign from 'tencentcloud-sdk-nodejs-common/tencentcloud/common/sign';

import {
	legacySignature,
	legacySignedName,
	legacyStringToSign,
	signLegacy,
	type LegacyRequestInput,
	type LegacySignatureMethod,
	type SignedLegacyRequest,
} from '../../nodes/signing/tencentLegacy';
import type { TencentCredentials } from '../../nodes/signing/tencentTc3';

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

/** mulberry32: tiny deterministic PRNG, so every run checks the same cases. */
function prng(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

type Rng = () => number;

const int = (rng: Rng, min: number, max: number): number =>
	min + Math.floor(rng() * (max - min + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, 0, items.length - 1)];

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SPECIALS = [
	' ',
	'*',
	'~',
	'+',
	'/',
	'=',
	'&',
	'%',
	'!',
	"'",
	'(',
	')',
	'-',
	'_',
	'.',
	':',
	';',
	',',
	'?',
	'#',
	'@',
];

function randomChar(rng: Rng): string {
	const kind = int(rng, 0, 8);
	if (kind <= 2) return ALNUM[int(rng, 0, ALNUM.length - 1)];
	if (kind <= 4) return pick(rng, SPECIALS);
	if (kind === 5) return String.fromCodePoint(int(rng, 0x4e00, 0x9fff)); // CJK, e.g. 未命名
	if (kind === 6) return String.fromCodePoint(int(rng, 0x1f300, 0x1f64f)); // emoji: a surrogate pair
	if (kind === 7) return String.fromCodePoint(int(rng, 0x80, 0x7ff));
	return String.fromCodePoint(int(rng, 0x800, 0xd7ff));
}

function randomValue(rng: Rng): string {
	if (rng() < 0.1) return '';
	let value = '';
	for (let length = int(rng, 1, 24); Array.from(value).length < length; ) value += randomChar(rng);
	return value;
}

function randomWord(rng: Rng, min: number, max: number): string {
	let word = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'[int(rng, 0, 51)];
	for (const length = int(rng, min, max); word.length < length; )
		word += ALNUM[int(rng, 0, ALNUM.length - 1)];
	return word;
}

function randomSecret(rng: Rng): string {
	let secret = '';
	for (let i = int(rng, 1, 40); i > 0; i--) {
		secret += rng() < 0.9 ? String.fromCharCode(int(rng, 0x21, 0x7e)) : randomChar(rng);
	}
	return secret;
}

function randomToken(rng: Rng): string {
	const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-';
	let token = '';
	for (const length = int(rng, 8, 200); token.length < length; )
		token += BASE64[int(rng, 0, BASE64.length - 1)];
	return token;
}

/** API parameter names as the SDKs flatten them: `limit`, `redisId`, `InstanceIds.0`, `Filters.1.Values.12`. */
function randomName(rng: Rng, underscores: boolean): string {
	let name = pick(rng, [
		'limit',
		'offset',
		'redisId',
		'beginTime',
		'endTime',
		'Version',
		'Language',
		randomWord(rng, 1, 12),
	]);
	if (rng() < 0.3) name += `.${int(rng, 0, 12)}`;
	if (rng() < 0.15) name += `.${randomWord(rng, 1, 6)}.${int(rng, 0, 3)}`;
	if (underscores && rng() < 0.5)
		name = name.replace(/^(.)/, '$1_').replace(/\./g, () => (rng() < 0.5 ? '_' : '.'));
	return name;
}

const COMMON = new Set([
	'Action',
	'Region',
	'Timestamp',
	'Nonce',
	'SecretId',
	'SignatureMethod',
	'Token',
	'Signature',
]);

function randomParams(rng: Rng, underscores = false): Record<string, string> {
	const params: Record<string, string> = {};
	const signedNames = new Set<string>();
	for (let i = int(rng, 0, 8); i > 0; i--) {
		const name = randomName(rng, underscores);
		// Names that are common parameters, or that sign as the same name, are refused (tested below).
		if (COMMON.has(name) || signedNames.has(legacySignedName(name))) continue;
		signedNames.add(legacySignedName(name));
		params[name] = rng() < 0.2 ? String(int(rng, 0, 1_000_000)) : randomValue(rng);
	}
	return params;
}

const HOSTS = [
	'redis.api.qcloud.com',
	'cvm.api.qcloud.com',
	'cvm.tencentcloudapi.com',
	'redis.ap-shanghai-fsi.tencentcloudapi.com',
	'127.0.0.1:8123',
	'localhost:3000',
	'[::1]:9000',
];

interface RandomCase {
	input: LegacyRequestInput;
	credentials: TencentCredentials;
}

function randomCase(rng: Rng, underscores = false): RandomCase {
	const input: LegacyRequestInput = {
		method: pick(rng, ['GET', 'POST'] as const),
		host: pick(rng, HOSTS),
		path: pick(rng, ['/v2/index.php', '/v2/index.php', '/']),
		action: pick(rng, [
			'GetRedisBackupList',
			'GetBackupDownloadUrl',
			'DescribeRedis',
			randomWord(rng, 1, 20),
		]),
		timestamp: int(rng, 0, 4102444799),
		// Nonces beyond 2^53 (the API 2.0 SDK's own test uses one) can only be passed as digits.
		nonce:
			rng() < 0.8
				? int(rng, 1, 2 ** 31 - 1)
				: `${int(rng, 1, 9)}${String(int(rng, 0, 999_999_999)).padStart(9, '0')}${String(int(rng, 0, 999_999_999)).padStart(9, '0')}`,
		params: randomParams(rng, underscores),
	};
	if (rng() < 0.8)
		input.region = pick(rng, ['ap-guangzhou', 'ap-shanghai', 'ap-shanghai-fsi', 'eu-frankfurt']);
	const method = pick(rng, [undefined, 'HmacSHA1', 'HmacSHA256', 'HmacSHA256'] as const);
	if (method) input.signatureMethod = method;
	const credentials: TencentCredentials = {
		secretId: `AKID${randomWord(rng, 10, 32)}`,
		secretKey: randomSecret(rng),
	};
	if (rng() < 0.4) credentials.sessionToken = randomToken(rng);
	return { input, credentials };
}

/** Every parameter that goes into the source string: what we send minus the Signature. */
function signedParams(signed: SignedLegacyRequest): Record<string, string> {
	return Object.fromEntries(Object.entries(signed.params).filter(([name]) => name !== 'Signature'));
}

/** tencentcloud-sdk-nodejs-common's own source-string builder, for this host, path and method. */
function sdkStringToSign(input: LegacyRequestInput, params: Record<string, string>): string {
	const client = new AbstractClient(input.host, '2018-04-12', {
		credential: { secretId: 'unused', secretKey: 'unused' },
		profile: {
			signMethod: input.signatureMethod ?? 'HmacSHA1',
			httpProfile: { reqMethod: input.method },
		},
	});
	const internals = client as unknown as {
		path: string;
		formatSignString(params: Record<string, string>): string;
	};
	internals.path = input.path;
	return internals.formatSignString({ ...params });
}

/**
 * Tencent's API 2.0 Python SDK, QcloudApi/qcloudapi-sdk-python QcloudApi/common/sign.py `Sign.make` (commit
 * 200ece01f4f8141587f88d38b4a722b1c0a67b55), transcribed: sorted by the names as sent, every `_` in a name as `.`,
 * HmacSHA256 only when asked for, Base64.
 *   srcStr = method.upper() + requestHost + requestUri + '?' + "&".join(k.replace("_",".") + "=" + str(params[k])
 *            for k in sorted(params.keys()))
 */
function qcloudapiPythonSign(
	host: string,
	uri: string,
	params: Record<string, string>,
	method: string,
	signMethod: string,
	secretKey: string,
): string {
	const names = Object.keys(params).sort((a, b) => {
		// Python compares str by code point; JS's default sort by UTF-16 unit. Compare code points, like Python.
		const x = Array.from(a).map((c) => c.codePointAt(0) ?? 0);
		const y = Array.from(b).map((c) => c.codePointAt(0) ?? 0);
		for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
		return x.length - y.length;
	});
	const srcStr =
		method.toUpperCase() +
		host +
		uri +
		'?' +
		names.map((k) => `${k.replace(/_/g, '.')}=${params[k]}`).join('&');
	return createHmac(signMethod === 'HmacSHA256' ? 'sha256' : 'sha1', secretKey)
		.update(srcStr, 'utf8')
		.digest('base64');
}

/** Decodes a query string we send, strictly: only %XX escapes, never `+` as a space. */
function decodeQuery(queryString: string): Record<string, string> {
	const decoded: Record<string, string> = {};
	for (const pair of queryString === '' ? [] : queryString.split('&')) {
		const at = pair.indexOf('=');
		expect(at).toBeGreaterThan(0);
		decoded[decodeURIComponent(pair.slice(0, at))] = decodeURIComponent(pair.slice(at + 1));
	}
	return decoded;
}

const ENCODED_COMPONENT = /^(?:[A-Za-z0-9\-_.~]|%[0-9A-F]{2})*$/;

// ---------------------------------------------------------------------------------------------------------------
// 1. Published examples
// ---------------------------------------------------------------------------------------------------------------

/*
 * Tencent's "Signature" page (签名方法 v1), section 2 "生成签名串", the same text in every product's copy, e.g.
 * https://www.tencentcloud.com/zh/document/product/228/31724 and https://www.tencentcloud.com/document/api/614/42762
 * (Chinese: https://cloud.tencent.com/document/api/213/15693), and Tencent's demo repository
 * github.com/TencentCloud/signature-process-demo cvm/signature-v1/python/demo.py (commit
 * e80f75efd0201a6e85e653f956d29c8c1af3496c): SecretId AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******, SecretKey
 * Gu5t9xGARNpq86cd98joQYCN3*******, CVM DescribeInstances (Version 2017-03-12) in ap-guangzhou, InstanceIds.0
 * ins-09dx96dg, Limit 20, Offset 0, Nonce 11886, Timestamp 1465185768, GET cvm.tencentcloudapi.com, path "/".
 * 2.3 prints the source string, 2.4 the HmacSHA1 signature, 3 its encoded form, 5 the final URL.
 */
const DOC_KEY: TencentCredentials = {
	secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******',
	secretKey: 'Gu5t9xGARNpq86cd98joQYCN3*******',
};
const DOC_INPUT: LegacyRequestInput = {
	method: 'GET',
	host: 'cvm.tencentcloudapi.com',
	path: '/',
	action: 'DescribeInstances',
	region: 'ap-guangzhou',
	timestamp: 1465185768,
	nonce: 11886,
	params: { 'InstanceIds.0': 'ins-09dx96dg', Limit: '20', Offset: '0', Version: '2017-03-12' },
};
const DOC_STRING_TO_SIGN =
	'GETcvm.tencentcloudapi.com/?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0' +
	'&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******&Timestamp=1465185768&Version=2017-03-12';
const DOC_SIGNATURE = 'zmmjn35mikh6pM3V7sUEuX4wyYM=';
const DOC_URL =
	'https://cvm.tencentcloudapi.com/?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0' +
	'&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******&Signature=zmmjn35mikh6pM3V7sUEuX4wyYM%3D' +
	'&Timestamp=1465185768&Version=2017-03-12';

/*
 * Tencent's API 2.0 SDK for Python, QcloudApi/qcloudapi-sdk-python tests/unit/common/test_sign.py (commit
 * 7f568e3ab8fcc72d9e2a2f634e4a848117e3952c, "Copyright 1999-2017 Tencent Ltd."): SecretId secretIdFoo, SecretKey
 * secretKeyBar, host cvm.api.qcloud.com, path /v2/index.php, Region ap-guangzhou, Nonce 1290303896666895346 (more
 * than 2^53: a nonce must be accepted as digits), Timestamp 1512393162, Action DescribeInstances, Version
 * 2017-03-12, SignatureMethod sent and signed.
 */
const SDK2_KEY: TencentCredentials = { secretId: 'secretIdFoo', secretKey: 'secretKeyBar' };
const SDK2_INPUT: LegacyRequestInput = {
	method: 'POST',
	host: 'cvm.api.qcloud.com',
	path: '/v2/index.php',
	action: 'DescribeInstances',
	region: 'ap-guangzhou',
	timestamp: 1512393162,
	nonce: '1290303896666895346',
	signatureMethod: 'HmacSHA1',
	params: { Version: '2017-03-12' },
};

describe('published examples', () => {
	it('reproduces the Signature page example step by step (HmacSHA1)', () => {
		const signed = signLegacy(DOC_INPUT, DOC_KEY);
		// 2.1 + 2.2: sorted by name, raw values; 2.3: METHOD + host + path + ? + that.
		expect(signed.stringToSign).toBe(DOC_STRING_TO_SIGN);
		// 2.4
		expect(signed.signature).toBe(DOC_SIGNATURE);
		// No SignatureMethod was asked for, so none is sent (the page's example sends none: HmacSHA1 is the default).
		expect(Object.keys(signed.params)).toEqual([
			'Action',
			'InstanceIds.0',
			'Limit',
			'Nonce',
			'Offset',
			'Region',
			'SecretId',
			'Signature',
			'Timestamp',
			'Version',
		]);
		// 3: the Signature URL-encoded, zmmjn35mikh6pM3V7sUEuX4wyYM%3D.
		expect(signed.queryString).toContain('&Signature=zmmjn35mikh6pM3V7sUEuX4wyYM%3D&');
		// 5: the page's final URL carries the same parameters. (It leaves the SecretId's `*` raw; we send %2A, which
		// RFC 3986 makes equivalent and which the page's own rule, "编码采用 RFC 3986", asks for.)
		expect(decodeQuery(signed.queryString)).toEqual(decodeQuery(new URL(DOC_URL).search.slice(1)));
		expect(signed.queryString.replace(/%2A/g, '*')).toBe(new URL(DOC_URL).search.slice(1));
	});

	it('the official SDK builds the same source string and the same HMAC for the page example', () => {
		const signed = signLegacy(DOC_INPUT, DOC_KEY);
		expect(sdkStringToSign(DOC_INPUT, signedParams(signed))).toBe(DOC_STRING_TO_SIGN);
		expect(Sign.sign(DOC_KEY.secretKey, DOC_STRING_TO_SIGN, 'HmacSHA1')).toBe(DOC_SIGNATURE);
	});

	it.each([
		['POST', 'HmacSHA1', 'p3n+pxBqF5JGZtDSxoVn5tGngf0='],
		['POST', 'HmacSHA256', 'B2T37FRSP6Fk0/q/cdfrTE0p3zX5ooB/2BPWZUFpsj4='],
		['GET', 'HmacSHA1', '5HAq1BOKNLEE2/uauWnp6Zv9Z3c='],
	] as const)(
		'reproduces Tencent API 2.0 SDK vector %s %s on cvm.api.qcloud.com/v2/index.php',
		(method, sm, expected) => {
			const input: LegacyRequestInput = { ...SDK2_INPUT, method, signatureMethod: sm };
			const signed = signLegacy(input, SDK2_KEY);
			expect(signed.signature).toBe(expected);
			expect(signed.stringToSign).toBe(
				`${method}cvm.api.qcloud.com/v2/index.php?Action=DescribeInstances&Nonce=1290303896666895346&Region=ap-guangzhou` +
					`&SecretId=secretIdFoo&SignatureMethod=${sm}&Timestamp=1512393162&Version=2017-03-12`,
			);
			// And the current SDK agrees on the same input, HmacSHA256 included.
			expect(Sign.sign(SDK2_KEY.secretKey, sdkStringToSign(input, signedParams(signed)), sm)).toBe(
				expected,
			);
		},
	);

	it('signs a name with `_` as the API 2.0 page says: Placement_Zone=CN_GUANGZHOU as Placement.Zone=CN_GUANGZHOU', () => {
		const signed = signLegacy(
			{ ...SDK2_INPUT, params: { Placement_Zone: 'CN_GUANGZHOU' } },
			SDK2_KEY,
		);
		expect(signed.stringToSign).toContain(
			'?Action=DescribeInstances&Nonce=1290303896666895346&Placement.Zone=CN_GUANGZHOU&',
		);
		// Sent under its own name; only the source string renames it.
		expect(signed.params.Placement_Zone).toBe('CN_GUANGZHOU');
		expect(signed.queryString).toContain('&Placement_Zone=CN_GUANGZHOU&');
	});
});

// ---------------------------------------------------------------------------------------------------------------
// 2. Against the official SDK
// ---------------------------------------------------------------------------------------------------------------

const RANDOM_CASES = 500;

describe(`against tencentcloud-sdk-nodejs-common formatSignString + Sign.sign (${RANDOM_CASES} seeded random requests)`, () => {
	const rng = prng(0x1e9a_c1);
	const cases = Array.from({ length: RANDOM_CASES }, () => randomCase(rng));

	it('the generator covers the awkward inputs it is meant to', () => {
		const values = cases.flatMap(({ input }) => Object.values(input.params ?? {}));
		const has = (re: RegExp) => values.some((value) => re.test(value));
		expect(has(/[\u4e00-\u9fff]/)).toBe(true);
		expect(has(/[\u{1f300}-\u{1f64f}]/u)).toBe(true);
		for (const c of [' ', '*', '~', '+', '/', '=', '&', '%', '@', '#']) {
			expect(values.some((value) => value.includes(c))).toBe(true);
		}
		expect(values).toContain('');
		const count = (test: (c: RandomCase) => boolean) => cases.filter(test).length;
		expect(count(({ input }) => input.method === 'GET')).toBeGreaterThan(RANDOM_CASES / 3);
		expect(count(({ input }) => input.method === 'POST')).toBeGreaterThan(RANDOM_CASES / 3);
		expect(count(({ input }) => input.signatureMethod === 'HmacSHA256')).toBeGreaterThan(
			RANDOM_CASES / 3,
		);
		expect(count(({ input }) => input.signatureMethod === 'HmacSHA1')).toBeGreaterThan(
			RANDOM_CASES / 10,
		);
		expect(count(({ input }) => input.signatureMethod === undefined)).toBeGreaterThan(
			RANDOM_CASES / 10,
		);
		expect(count(({ credentials }) => credentials.sessionToken !== undefined)).toBeGreaterThan(
			RANDOM_CASES / 5,
		);
		expect(count(({ input }) => /:\d+$/.test(input.host))).toBeGreaterThan(RANDOM_CASES / 5);
		expect(
			count(({ input }) => typeof input.nonce === 'string' && input.nonce.length === 19),
		).toBeGreaterThan(0);
		expect(
			count(({ input }) => Object.keys(input.params ?? {}).some((n) => /\.\d+\./.test(n))),
		).toBeGreaterThan(0);
		expect(count(({ credentials }) => /[^\x20-\x7e]/.test(credentials.secretKey))).toBeGreaterThan(
			0,
		);
	});

	it('builds the source string the SDK builds and the signature its Sign.sign gives, for every case', () => {
		const mismatches: string[] = [];
		cases.forEach(({ input, credentials }, index) => {
			const signed = signLegacy(input, credentials);
			const theirString = sdkStringToSign(input, signedParams(signed));
			const theirSignature = Sign.sign(
				credentials.secretKey,
				theirString,
				input.signatureMethod ?? 'HmacSHA1',
			);
			if (signed.stringToSign !== theirString || signed.signature !== theirSignature) {
				mismatches.push(
					`case ${index}: ${JSON.stringify(input)}\n${signed.stringToSign}\n${theirString}`,
				);
			}
		});
		expect(mismatches).toEqual([]);
	});

	it('sends every parameter, common ones and the token included, and the query decodes back to exactly them', () => {
		for (const { input, credentials } of cases) {
			const signed = signLegacy(input, credentials);
			const expected: Record<string, string> = {
				...input.params,
				Action: input.action,
				Timestamp: String(input.timestamp),
				Nonce: String(input.nonce),
				SecretId: credentials.secretId,
				Signature: signed.signature,
			};
			if (input.region) expected.Region = input.region;
			if (input.signatureMethod) expected.SignatureMethod = input.signatureMethod;
			if (credentials.sessionToken) expected.Token = credentials.sessionToken;
			expect(signed.params).toEqual(expected);
			for (const pair of signed.queryString.split('&')) {
				const [name, value, ...rest] = pair.split('=');
				expect(rest).toEqual([]);
				expect(name).toMatch(ENCODED_COMPONENT);
				expect(value).toMatch(ENCODED_COMPONENT);
			}
			expect(decodeQuery(signed.queryString)).toEqual(expected);
			// What a server's form parser reads (`+` as space: we never send a raw `+`) is what was signed.
			expect(parseForm(signed.queryString)).toEqual(expected);
			// The HMAC is the one the signature method names.
			const algorithm = input.signatureMethod === 'HmacSHA256' ? 'sha256' : 'sha1';
			expect(signed.signature).toBe(
				createHmac(algorithm, credentials.secretKey)
					.update(signed.stringToSign, 'utf8')
					.digest('base64'),
			);
		}
	});

	it('with `_` in names: the same as Tencent API 2.0 SDK rule (qcloudapi-sdk-python Sign.make) on random requests', () => {
		const underscoreRng = prng(0x5f5f);
		let withUnderscore = 0;
		for (let i = 0; i < 300; i++) {
			const { input, credentials } = randomCase(underscoreRng, true);
			const signed = signLegacy(input, credentials);
			if (Object.keys(signed.params).some((name) => name.includes('_'))) withUnderscore++;
			expect(signed.signature).toBe(
				qcloudapiPythonSign(
					input.host,
					input.path,
					signedParams(signed),
					input.method,
					input.signatureMethod ?? 'HmacSHA1',
					credentials.secretKey,
				),
			);
		}
		expect(withUnderscore).toBeGreaterThan(100);
	});

	it('a name with `_` is where API 3.0 SDK and API 2.0 rule part: the 3.0 SDK signs `_` as it is (documented choice)', () => {
		const input: LegacyRequestInput = { ...SDK2_INPUT, params: { Placement_Zone: 'CN_GUANGZHOU' } };
		const signed = signLegacy(input, SDK2_KEY);
		expect(sdkStringToSign(input, signedParams(signed))).toBe(
			signed.stringToSign.replace('Placement.Zone', 'Placement_Zone'),
		);
	});
});

describe('against the real tencentcloud-sdk-nodejs-common client, signature v1, on a loopback port', () => {
	interface Captured {
		method: string;
		url: string;
		headers: IncomingHttpHeaders;
		body: string;
	}
	let server: Server;
	let port: number;
	const captured: Captured[] = [];

	beforeAll(async () => {
		server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				captured.push({
					method: req.method ?? '',
					url: req.url ?? '',
					headers: req.headers,
					body: Buffer.concat(chunks).toString('utf8'),
				});
				res.setHeader('content-type', 'application/json');
				res.end('{"Response":{"RequestId":"loopback"}}');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		port = (server.address() as AddressInfo).port;
	});

	afterAll(async () => {
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});

	afterEach(() => jest.restoreAllMocks());

	it('re-signs what the SDK sent, GET and POST, HmacSHA1 and HmacSHA256, with tokens; the host signed with its port', async () => {
		const rng = prng(0x0c11_e47);
		// The SDK draws its Nonce from Math.random; seeding it makes every run send the same requests.
		const sdkRandom = prng(0x4e0c3);
		jest.spyOn(Math, 'random').mockImplementation(sdkRandom);
		const calls = 24;
		for (let i = 0; i < calls; i++) {
			const method = i % 2 === 0 ? 'GET' : 'POST';
			const signMethod: LegacySignatureMethod = i % 4 < 2 ? 'HmacSHA1' : 'HmacSHA256';
			const endpoint = `${i % 3 === 0 ? 'localhost' : '127.0.0.1'}:${port}`;
			const credential: { secretId: string; secretKey: string; token?: string } = {
				secretId: `AKID${randomWord(rng, 10, 32)}`,
				secretKey: randomSecret(rng),
			};
			if (i % 8 >= 4) credential.token = randomToken(rng);
			const client = new AbstractClient(endpoint, '2018-04-12', {
				credential,
				region: i % 5 === 4 ? '' : 'ap-guangzhou',
				profile: {
					signMethod,
					language: i % 3 === 1 ? 'en-US' : undefined,
					httpProfile: { protocol: 'http://', reqMethod: method },
				},
			});
			const params = {
				InstanceId: i === 0 ? "crs-未命名 😀*~+/=&%!'()@" : `crs-${randomValue(rng)}`,
				Limit: int(rng, 1, 100),
				Offset: 0,
				Status: [2, 3],
				...randomParams(rng),
			};
			await client.request('DescribeInstanceBackups', params);

			const request = captured[captured.length - 1];
			const url = new URL(request.url, 'http://loopback');
			expect(request.method).toBe(method);
			// The Host header Node sent is the endpoint, port included, and that is what the SDK signed (below).
			expect(request.headers.host).toBe(endpoint);
			const sent = {
				...parseForm(method === 'GET' ? url.search.slice(1) : request.body),
			} as Record<string, string>;
			const {
				Action,
				Region,
				Timestamp,
				Nonce,
				SecretId,
				SignatureMethod,
				Token,
				Signature,
				...own
			} = sent;
			expect(SignatureMethod).toBe(signMethod);
			expect(Token).toBe(credential.token);

			const ours = signLegacy(
				{
					method,
					host: request.headers.host ?? '',
					path: url.pathname,
					action: Action,
					region: Region,
					timestamp: Number(Timestamp),
					nonce: Nonce,
					signatureMethod: signMethod,
					params: own,
				},
				{ secretId: SecretId, secretKey: credential.secretKey, sessionToken: Token },
			);
			expect(ours.signature).toBe(Signature);
			expect(ours.stringToSign.startsWith(`${method}${endpoint}/?`)).toBe(true);
			expect(ours.params).toEqual(sent);
		}
		expect(captured).toHaveLength(calls);
	});
});

// ---------------------------------------------------------------------------------------------------------------
// 3. The host rule
// ---------------------------------------------------------------------------------------------------------------

describe('the host in the source string is the Host header as sent', () => {
	it('Node sends URL.host: the port when it is not the scheme default, never the default one', async () => {
		const server = createServer((req, res) => res.end(req.headers.host ?? ''));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		try {
			const url = new URL(`http://127.0.0.1:${port}/v2/index.php?Action=GetRedisBackupList`);
			const received = await new Promise<string>((resolve, reject) => {
				const req = httpRequest(url, (res) => {
					let body = '';
					res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
					res.on('end', () => resolve(body));
				});
				req.on('error', reject);
				req.end();
			});
			expect(received).toBe(`127.0.0.1:${port}`);
			expect(received).toBe(url.host);
		} finally {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
		// The default port is dropped by the URL parser, so it is neither sent nor signed.
		expect(new URL('https://redis.api.qcloud.com:443/v2/index.php').host).toBe(
			'redis.api.qcloud.com',
		);
		expect(new URL('http://redis.api.qcloud.com:80/v2/index.php').host).toBe(
			'redis.api.qcloud.com',
		);
		expect(new URL('https://redis.api.qcloud.com:8443/v2/index.php').host).toBe(
			'redis.api.qcloud.com:8443',
		);
	});

	it('signs the host exactly as given, port included', () => {
		const base: LegacyRequestInput = {
			...DOC_INPUT,
			host: 'redis.api.qcloud.com',
			path: '/v2/index.php',
		};
		expect(
			signLegacy(base, DOC_KEY).stringToSign.startsWith(
				'GETredis.api.qcloud.com/v2/index.php?Action=',
			),
		).toBe(true);
		const withPort = signLegacy({ ...base, host: '127.0.0.1:8123' }, DOC_KEY);
		expect(withPort.stringToSign.startsWith('GET127.0.0.1:8123/v2/index.php?Action=')).toBe(true);
		expect(withPort.signature).not.toBe(
			signLegacy({ ...base, host: '127.0.0.1' }, DOC_KEY).signature,
		);
	});
});

// ---------------------------------------------------------------------------------------------------------------
// 4. Negative tests and rules
// ---------------------------------------------------------------------------------------------------------------

describe('every signed input matters', () => {
	const original = signLegacy(DOC_INPUT, DOC_KEY).signature;

	it.each<[string, LegacyRequestInput, TencentCredentials?]>([
		['the method', { ...DOC_INPUT, method: 'POST' }],
		['the host', { ...DOC_INPUT, host: 'cvm.tencentcloudapi.con' }],
		['the host port', { ...DOC_INPUT, host: 'cvm.tencentcloudapi.com:8443' }],
		['the path', { ...DOC_INPUT, path: '/v2/index.php' }],
		['the action', { ...DOC_INPUT, action: 'DescribeInstance' }],
		['the region', { ...DOC_INPUT, region: 'ap-guangzhoU' }],
		['no region', { ...DOC_INPUT, region: undefined }],
		['the timestamp', { ...DOC_INPUT, timestamp: 1465185769 }],
		['the nonce', { ...DOC_INPUT, nonce: 11887 }],
		['SignatureMethod sent as HmacSHA1', { ...DOC_INPUT, signatureMethod: 'HmacSHA1' }],
		['SignatureMethod HmacSHA256', { ...DOC_INPUT, signatureMethod: 'HmacSHA256' }],
		['a parameter value', { ...DOC_INPUT, params: { ...DOC_INPUT.params, Limit: '21' } }],
		[
			'a parameter name',
			{
				...DOC_INPUT,
				params: {
					'InstanceIds.1': 'ins-09dx96dg',
					Limit: '20',
					Offset: '0',
					Version: '2017-03-12',
				},
			},
		],
		['an empty parameter added', { ...DOC_INPUT, params: { ...DOC_INPUT.params, Zone: '' } }],
		[
			'a parameter removed',
			{ ...DOC_INPUT, params: { Limit: '20', Offset: '0', Version: '2017-03-12' } },
		],
		['the SecretId', DOC_INPUT, { ...DOC_KEY, secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3******+' }],
		['the SecretKey', DOC_INPUT, { ...DOC_KEY, secretKey: 'Gu5t9xGARNpq86cd98joQYCN3******+' }],
		['a session token', DOC_INPUT, { ...DOC_KEY, sessionToken: 'token' }],
	])(
		'changing %s changes the signature, and the SDK agrees on the new one',
		(_what, input, credentials = DOC_KEY) => {
			const signed = signLegacy(input, credentials);
			expect(signed.signature).not.toBe(original);
			const method = input.signatureMethod ?? 'HmacSHA1';
			expect(
				Sign.sign(credentials.secretKey, sdkStringToSign(input, signedParams(signed)), method),
			).toBe(signed.signature);
		},
	);

	it('two tokens, and a token vs none, sign differently; the token is in the source string', () => {
		const a = signLegacy(DOC_INPUT, { ...DOC_KEY, sessionToken: 'token-a' });
		const b = signLegacy(DOC_INPUT, { ...DOC_KEY, sessionToken: 'token-b' });
		expect(a.signature).not.toBe(b.signature);
		expect(a.stringToSign).toContain('&Timestamp=1465185768&Token=token-a&Version=2017-03-12');
	});

	it('HmacSHA1 and HmacSHA256 over the same source string differ; only SignatureMethod=HmacSHA256 picks SHA-256', () => {
		const sha256 = signLegacy({ ...DOC_INPUT, signatureMethod: 'HmacSHA256' }, DOC_KEY);
		expect(Buffer.from(sha256.signature, 'base64')).toHaveLength(32);
		expect(
			Buffer.from(
				signLegacy({ ...DOC_INPUT, signatureMethod: 'HmacSHA1' }, DOC_KEY).signature,
				'base64',
			),
		).toHaveLength(20);
		expect(legacySignature('k', 's', 'HmacSHA1')).not.toBe(legacySignature('k', 's', 'HmacSHA256'));
	});
});

describe('rules', () => {
	it('sorts by byte order of the names as sent: upper case first, InstanceIds.12 before InstanceIds.2', () => {
		const s = legacyStringToSign('GET', 'h', '/', {
			b: '1',
			'InstanceIds.2': 'x',
			a: '2',
			'InstanceIds.12': 'y',
			B: '3',
		});
		expect(s).toBe('GETh/?B=3&InstanceIds.12=y&InstanceIds.2=x&a=2&b=1');
	});

	it('values are signed raw and sent percent-encoded (RFC 3986), the Signature too', () => {
		const signed = signLegacy({ ...DOC_INPUT, params: { Name: '未命名 a+b/c*~&=' } }, DOC_KEY);
		expect(signed.stringToSign).toContain('&Name=未命名 a+b/c*~&=&');
		expect(signed.queryString).toContain(
			'&Name=%E6%9C%AA%E5%91%BD%E5%90%8D%20a%2Bb%2Fc%2A~%26%3D&',
		);
		const withSlash = signLegacy({ ...DOC_INPUT, nonce: 3 }, DOC_KEY);
		expect(decodeQuery(withSlash.queryString).Signature).toBe(withSlash.signature);
	});

	it('refuses what it cannot sign honestly', () => {
		expect(() => signLegacy({ ...DOC_INPUT, method: 'PUT' as 'GET' }, DOC_KEY)).toThrow(
			/GET or POST/,
		);
		for (const name of [
			'Action',
			'Region',
			'Timestamp',
			'Nonce',
			'SecretId',
			'SignatureMethod',
			'Token',
			'Signature',
		]) {
			expect(() => signLegacy({ ...DOC_INPUT, params: { [name]: 'x' } }, DOC_KEY)).toThrow(
				/set by the signer/,
			);
		}
		// Two names that sign as one cannot be told apart by the server.
		expect(() =>
			signLegacy({ ...DOC_INPUT, params: { Placement_Zone: 'a', 'Placement.Zone': 'b' } }, DOC_KEY),
		).toThrow(/same name \(Placement\.Zone\)/);
		for (const nonce of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, '', '0', '012', '1e3', ' 1']) {
			expect(() => signLegacy({ ...DOC_INPUT, nonce }, DOC_KEY)).toThrow(RangeError);
		}
		for (const timestamp of [-1, 1.5, Number.NaN]) {
			expect(() => signLegacy({ ...DOC_INPUT, timestamp }, DOC_KEY)).toThrow(RangeError);
		}
		for (const host of ['', 'https://redis.api.qcloud.com', 'redis.api.qcloud.com/v2', 'a b']) {
			expect(() => signLegacy({ ...DOC_INPUT, host }, DOC_KEY)).toThrow(/not a host/);
		}
		expect(() => signLegacy({ ...DOC_INPUT, path: 'v2/index.php' }, DOC_KEY)).toThrow(
			/must start with/,
		);
		expect(() => legacySignature('k', 's', 'HmacMD5' as LegacySignatureMethod)).toThrow(
			/HmacSHA1 or HmacSHA256/,
		);
		// A lower-case method is fine, and signed upper-case.
		expect(signLegacy({ ...DOC_INPUT, method: 'get' as 'GET' }, DOC_KEY).signature).toBe(
			DOC_SIGNATURE,
		);
	});

	it('is pure: the same input gives the same output, and the input is not changed', () => {
		const input = structuredClone(DOC_INPUT);
		expect(signLegacy(input, DOC_KEY)).toEqual(signLegacy(input, DOC_KEY));
		expect(input).toEqual(DOC_INPUT);
	});
});
