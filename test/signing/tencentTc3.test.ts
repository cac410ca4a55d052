/**
 * Proof of nodes/signing/tencentTc3.ts (TC3-HMAC-SHA256, Tencent Cloud API 3.0) against references that do not share
 * its code:
 *
 *  1. Tencent Cloud's published worked examples of "Signature v3" (every hard-coded expected value below is copied
 *     from the source named next to it; none was produced by running our signer).
 *  2. The official SDK's own signer, tencentcloud-sdk-nodejs-common 4.1.220 `Sign.sign3` (tencentcloud/common/sign.js,
 *     what every API 3.0 client of tencentcloud-sdk-nodejs calls), on several hundred seeded random requests, and the
 *     SDK's real client (`AbstractClient`) talking to a loopback server, its requests re-signed by ours.
 *  3. Negative tests that must fail if any signed input is ignored, and the rules for dates, hosts and headers.
 */
import { createHash, createHmac } from 'node:crypto';
import { Agent, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { stringify as formStringify } from 'node:querystring';

import { AbstractClient } from 'tencentcloud-sdk-nodejs-common';
import Sign from 'tencentcloud-sdk-nodejs-common/tencentcloud/common/sign';

import {
	TC3_ALGORITHM,
	encodeTencentQuery,
	flattenTencentParams,
	sha256Hex,
	signTc3,
	tc3Date,
	tc3SignedHost,
	tc3SigningKey,
	tencentPercentEncode,
	type TencentCredentials,
	type TencentParams,
	type TencentParamValue,
	type Tc3RequestInput,
} from '../../nodes/signing/tencentTc3';

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
];
const MORE_SPECIALS = [
	'[',
	']',
	'@',
	'$',
	'"',
	'<',
	'>',
	'\\',
	'^',
	'`',
	'{',
	'|',
	'}',
	'\t',
	'\n',
];

/**
 * Characters that json-bigint's stringify (which the SDK uses for JSON bodies) escapes as \uXXXX and JSON.stringify
 * writes raw: node_modules/json-bigint/lib/stringify.js, `escapable` (minus \x00-\x1f, which both escape alike).
 */
const JSON_BIGINT_ONLY_ESCAPES: ReadonlyArray<readonly [number, number]> = [
	[0x7f, 0x9f],
	[0xad, 0xad],
	[0x600, 0x604],
	[0x70f, 0x70f],
	[0x17b4, 0x17b5],
	[0x200c, 0x200f],
	[0x2028, 0x202f],
	[0x2060, 0x206f],
	[0xfeff, 0xfeff],
	[0xfff0, 0xffff],
];
// Code point ranges rather than a regex character class: some of these are combining marks, which a class mangles.
const escapedOnlyByJsonBigint = (char: string): boolean => {
	const code = char.codePointAt(0) ?? 0;
	return JSON_BIGINT_ONLY_ESCAPES.some(([low, high]) => code >= low && code <= high);
};

function randomChar(rng: Rng): string {
	const kind = int(rng, 0, 9);
	if (kind <= 2) return ALNUM[int(rng, 0, ALNUM.length - 1)];
	if (kind <= 4) return pick(rng, SPECIALS);
	if (kind === 5) return pick(rng, MORE_SPECIALS);
	// CJK Unified Ideographs, e.g. 未命名
	if (kind === 6) return String.fromCodePoint(int(rng, 0x4e00, 0x9fff));
	// Emoji (outside the BMP, so a surrogate pair in JS strings)
	if (kind === 7) return String.fromCodePoint(int(rng, 0x1f300, 0x1f64f));
	// Latin-1 supplement to Arabic: two-byte UTF-8
	if (kind === 8) return String.fromCodePoint(int(rng, 0x80, 0x7ff));
	return String.fromCodePoint(int(rng, 0x800, 0xd7ff));
}

function randomValue(rng: Rng, jsonSafe = false): string {
	if (rng() < 0.1) return '';
	let value = '';
	const length = int(rng, 1, 24);
	while (Array.from(value).length < length) {
		const char = randomChar(rng);
		if (!jsonSafe || !escapedOnlyByJsonBigint(char)) value += char;
	}
	return value;
}

function randomWord(rng: Rng, min: number, max: number): string {
	let word = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'[int(rng, 0, 51)];
	const length = int(rng, min, max);
	while (word.length < length) word += ALNUM[int(rng, 0, ALNUM.length - 1)];
	return word;
}

function randomSecret(rng: Rng): string {
	let secret = '';
	const length = int(rng, 1, 40);
	for (let i = 0; i < length; i++) {
		secret += rng() < 0.9 ? String.fromCharCode(int(rng, 0x21, 0x7e)) : randomChar(rng);
	}
	return secret;
}

function randomToken(rng: Rng): string {
	const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-';
	let token = '';
	const length = int(rng, 8, 200);
	while (token.length < length) token += BASE64[int(rng, 0, BASE64.length - 1)];
	return token;
}

/** A nested parameter object like an API 3.0 request: scalars, arrays of scalars, arrays of objects (Filters). */
function randomParams(rng: Rng, jsonSafe: boolean, depth = 0): Record<string, TencentParamValue> {
	const params: Record<string, TencentParamValue> = {};
	for (let i = int(rng, 0, depth === 0 ? 6 : 3); i > 0; i--) {
		const name = randomWord(rng, 1, 12);
		const kind = int(rng, 0, 9);
		if (kind <= 3) params[name] = randomValue(rng, jsonSafe);
		else if (kind === 4) params[name] = int(rng, -1e6, 1e9);
		else if (kind === 5) params[name] = rng() < 0.5;
		else if (kind === 6)
			params[name] = Array.from({ length: int(rng, 0, 4) }, () => randomValue(rng, jsonSafe));
		else if (kind === 7 && depth < 2) {
			params[name] = Array.from({ length: int(rng, 1, 3) }, () =>
				randomParams(rng, jsonSafe, depth + 1),
			);
		} else if (kind === 8 && depth < 2) params[name] = randomParams(rng, jsonSafe, depth + 1);
		else params[name] = randomValue(rng, jsonSafe);
	}
	return params;
}

const HOSTS = [
	'redis.tencentcloudapi.com',
	'redis.ap-guangzhou.tencentcloudapi.com',
	'redis.ap-shanghai-fsi.tencentcloudapi.com',
	'redis.na-siliconvalley.tencentcloudapi.com',
	'REDIS.TencentCloudAPI.com',
	'127.0.0.1:8080',
	'localhost:3000',
	'[::1]:9000',
];

type BodyKind = 'post-json' | 'post-raw' | 'get-record' | 'get-sdk-query';

interface RandomCase {
	kind: BodyKind;
	input: Tc3RequestInput;
	credentials: TencentCredentials;
	/** What the SDK's sign3 is handed as `payload`: the object it stringifies itself, bytes, or "" for a GET. */
	sdkPayload: unknown;
	/** The full URL the SDK would sign (its canonical query string is this URL's search). */
	sdkUrl: string;
}

function randomCase(rng: Rng): RandomCase {
	const kind = pick<BodyKind>(rng, [
		'post-json',
		'post-json',
		'post-raw',
		'get-record',
		'get-record',
		'get-sdk-query',
	]);
	const host = pick(rng, HOSTS);
	const path = rng() < 0.85 ? '/' : `/${randomWord(rng, 1, 8)}-x_y.z~/`;
	const base = `https://${host}${path}`;
	const input: Tc3RequestInput = {
		method: kind.startsWith('post') ? 'POST' : 'GET',
		host,
		path,
		service: pick(rng, ['redis', 'cvm', 'cam', randomWord(rng, 1, 10).toLowerCase()]),
		action: pick(rng, [
			'DescribeInstanceBackups',
			'DescribeBackupUrl',
			'ManualBackupInstance',
			'DescribeTaskInfo',
		]),
		version: '2018-04-12',
		timestamp: int(rng, 0, 4102444799),
	};
	if (rng() < 0.8)
		input.region = pick(rng, ['ap-guangzhou', 'ap-shanghai', 'ap-shanghai-fsi', 'eu-frankfurt']);
	if (rng() < 0.3) input.language = pick(rng, ['en-US', 'zh-CN']);
	if (rng() < 0.3) input.headers = { 'X-TC-RequestClient': 'SDK_NODEJS_4.1.220' };

	let sdkPayload: unknown = '';
	let sdkUrl = base;
	if (kind === 'post-json') {
		const params = randomParams(rng, true);
		input.body = JSON.stringify(params);
		sdkPayload = params;
		input.contentType = pick(rng, [
			undefined,
			'application/json',
			'application/json; charset=utf-8',
		]);
	} else if (kind === 'post-raw') {
		input.body = rng() < 0.1 ? '' : randomValue(rng) + randomValue(rng);
		sdkPayload = Buffer.from(input.body, 'utf8');
		input.contentType = pick(rng, [
			'application/octet-stream; charset=utf-8',
			'application/json',
			'text/plain',
		]);
	} else if (kind === 'get-record') {
		input.query = flattenTencentParams(randomParams(rng, false));
		const queryString = encodeTencentQuery(input.query);
		sdkUrl = queryString === '' ? base : `${base}?${queryString}`;
	} else {
		// What the SDK itself sends for a GET: querystring.stringify of the flattened parameters, in a URL.
		const url = new URL(`${base}?${formStringify(flattenTencentParams(randomParams(rng, false)))}`);
		input.query = url.search.slice(1);
		sdkUrl = url.toString();
	}
	const credentials: TencentCredentials = {
		secretId: `AKID${randomWord(rng, 10, 32)}`,
		secretKey: randomSecret(rng),
	};
	if (rng() < 0.4) credentials.sessionToken = randomToken(rng);
	return { kind, input, credentials, sdkPayload, sdkUrl };
}

/** The Authorization header the official SDK's `Sign.sign3` computes for this request. */
function sdkAuthorization(
	input: Tc3RequestInput,
	credentials: TencentCredentials,
	payload: unknown,
	url: string,
): string {
	const contentType =
		input.contentType ??
		(input.method === 'GET' ? 'application/x-www-form-urlencoded' : 'application/json');
	return Sign.sign3({
		method: input.method,
		url,
		payload,
		timestamp: input.timestamp,
		service: input.service,
		secretId: credentials.secretId,
		secretKey: credentials.secretKey,
		multipart: false,
		boundary: '',
		headers: { 'Content-Type': contentType },
	});
}

/** Decodes a query string we send, strictly: only %XX escapes, never `+` as a space. */
function decodeQuery(queryString: string): Record<string, string> {
	const decoded: Record<string, string> = {};
	if (queryString === '') return decoded;
	for (const pair of queryString.split('&')) {
		const at = pair.indexOf('=');
		expect(at).toBeGreaterThan(0);
		decoded[decodeURIComponent(pair.slice(0, at))] = decodeURIComponent(pair.slice(at + 1));
	}
	return decoded;
}

const ENCODED_COMPONENT = /^(?:[A-Za-z0-9\-_.~]|%[0-9A-F]{2})*$/;

// ---------------------------------------------------------------------------------------------------------------
// 1. Published vectors
// ---------------------------------------------------------------------------------------------------------------

/*
 * All three vectors are Tencent's worked example for signature v3 on the "签名方法 v3" / "Signature v3" page of the
 * API 3.0 docs (CVM's is https://cloud.tencent.com/document/api/213/30654; every product publishes a copy): CVM
 * DescribeInstances in ap-guangzhou, version 2017-03-12, POST to cvm.tencentcloudapi.com, Content-Type
 * "application/json; charset=utf-8", X-TC-Timestamp 1551113065 (2019-02-26 00:44:25 in UTC+8, so the scope date is
 * the UTC date 2019-02-25), and this exact body, escaped \uXXXX included (SHA-256 35e9c5b0...):
 *   {"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}
 * The editions differ only in the key pair and in whether x-tc-action is signed:
 *
 *  A. The 2019-2021 editions: SecretId AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******, SecretKey
 *     Gu5t9xGARNpq86cd98joQYCN3******* (asterisks and all), signed headers content-type;host, canonical request
 *     hash 5ffe6a04..., Signature 2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c. The same inputs
 *     are in Tencent's official demo repository, github.com/TencentCloud/signature-process-demo,
 *     cvm/signature-v3/python/demo.py (commit e80f75efd0201a6e85e653f956d29c8c1af3496c). The canonical request and the
 *     string to sign are also printed, unchanged, in edition B.
 *  B. The English "Signature v3" page as the index stores it (e.g. https://tencentcloud.com/document/api/266/34114;
 *     the same signature, 72e494ea80..., with SecretId AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE, opens the Chinese
 *     edition https://cloud.tencent.com/document/product/215/36792):
 *     SecretId AKID**********************0123456789EXAMPLE, SecretKey "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE" (the key of
 *     its pseudo-code; its Java/Python demos name another, sk0123456789********************EXAMPLE, which does not give
 *     the printed signature), the same canonical request and string to sign as A, Signature
 *     72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168 and the Authorization/curl lines built on it.
 *  C. The current Chinese edition (2024-12): x-tc-action joins the signed headers, its value lower-cased
 *     ("x-tc-action:describeinstances"), canonical request hash 7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84,
 *     SecretKey printed as 32 asterisks, derived keys SecretDate da98fb70..., SecretService 8d70cbef...,
 *     SecretSigning b596b923..., Signature 10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f. (That a
 *     key of exactly 32 "*" is meant is shown by the derived keys: no other count reproduces SecretDate.)
 */
const DOC_BODY =
	'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}';
const DOC_INPUT: Tc3RequestInput = {
	method: 'POST',
	host: 'cvm.tencentcloudapi.com',
	service: 'cvm',
	action: 'DescribeInstances',
	version: '2017-03-12',
	region: 'ap-guangzhou',
	timestamp: 1551113065,
	body: DOC_BODY,
	contentType: 'application/json; charset=utf-8',
};
const DOC_BODY_SHA256 = '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064';
const DOC_CANONICAL_REQUEST = [
	'POST',
	'/',
	'',
	'content-type:application/json; charset=utf-8',
	'host:cvm.tencentcloudapi.com',
	'',
	'content-type;host',
	'35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
].join('\n');
const DOC_STRING_TO_SIGN = [
	'TC3-HMAC-SHA256',
	'1551113065',
	'2019-02-25/cvm/tc3_request',
	'5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
].join('\n');

const KEY_A: TencentCredentials = {
	secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******',
	secretKey: 'Gu5t9xGARNpq86cd98joQYCN3*******',
};
const SIGNATURE_A = '2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c';
const AUTHORIZATION_A =
	'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, ' +
	'SignedHeaders=content-type;host, Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c';

const KEY_B: TencentCredentials = {
	secretId: 'AKID**********************0123456789EXAMPLE',
	secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
};
const AUTHORIZATION_B =
	'TC3-HMAC-SHA256 Credential=AKID**********************0123456789EXAMPLE/2019-02-25/cvm/tc3_request, ' +
	'SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168';

const KEY_C: TencentCredentials = {
	secretId: 'AKID********************************',
	secretKey: '*'.repeat(32),
};
const CANONICAL_REQUEST_C = [
	'POST',
	'/',
	'',
	'content-type:application/json; charset=utf-8',
	'host:cvm.tencentcloudapi.com',
	'x-tc-action:describeinstances',
	'',
	'content-type;host;x-tc-action',
	'35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
].join('\n');
const STRING_TO_SIGN_C = [
	'TC3-HMAC-SHA256',
	'1551113065',
	'2019-02-25/cvm/tc3_request',
	'7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84',
].join('\n');
const SIGNATURE_C = '10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f';

describe('published vectors', () => {
	it('reproduces the worked example step by step (edition A, the SecretKey Gu5t9xGARNpq86cd98joQYCN3*******)', () => {
		const signed = signTc3(DOC_INPUT, KEY_A);
		// Step 1: the hashed payload and the canonical request.
		expect(sha256Hex(DOC_BODY)).toBe(DOC_BODY_SHA256);
		expect(signed.queryString).toBe('');
		expect(signed.canonicalRequest).toBe(DOC_CANONICAL_REQUEST);
		// Step 2: the string to sign (the UTC date, not the UTC+8 one).
		expect(signed.credentialScope).toBe('2019-02-25/cvm/tc3_request');
		expect(signed.stringToSign).toBe(DOC_STRING_TO_SIGN);
		// Step 3: the signature.
		expect(signed.signature).toBe(SIGNATURE_A);
		// Step 4: the Authorization header, and the request headers of the page's curl line.
		expect(signed.headers).toEqual({
			Authorization: AUTHORIZATION_A,
			'Content-Type': 'application/json; charset=utf-8',
			Host: 'cvm.tencentcloudapi.com',
			'X-TC-Action': 'DescribeInstances',
			'X-TC-Timestamp': '1551113065',
			'X-TC-Version': '2017-03-12',
			'X-TC-Region': 'ap-guangzhou',
		});
	});

	it('reproduces the English edition (B): same canonical request and string to sign, its own key and signature', () => {
		const signed = signTc3(DOC_INPUT, KEY_B);
		expect(signed.canonicalRequest).toBe(DOC_CANONICAL_REQUEST);
		expect(signed.stringToSign).toBe(DOC_STRING_TO_SIGN);
		expect(signed.headers.Authorization).toBe(AUTHORIZATION_B);
	});

	it('reproduces the current Chinese edition (C): x-tc-action signed, its value lower-cased, and the derived keys', () => {
		const signed = signTc3({ ...DOC_INPUT, signedHeaders: ['X-TC-Action'] }, KEY_C);
		expect(signed.canonicalRequest).toBe(CANONICAL_REQUEST_C);
		expect(signed.stringToSign).toBe(STRING_TO_SIGN_C);
		expect(signed.signature).toBe(SIGNATURE_C);
		expect(signed.headers.Authorization).toBe(
			`TC3-HMAC-SHA256 Credential=${KEY_C.secretId}/2019-02-25/cvm/tc3_request, ` +
				`SignedHeaders=content-type;host;x-tc-action, Signature=${SIGNATURE_C}`,
		);
		// The page prints the derived keys of step 3 in hex.
		const hmac = (key: string | Buffer, data: string) =>
			createHmac('sha256', key).update(data).digest();
		const secretDate = hmac(`TC3${KEY_C.secretKey}`, '2019-02-25');
		const secretService = hmac(secretDate, 'cvm');
		expect(secretDate.toString('hex')).toBe(
			'da98fb70dcf6b112dc21038d1eeeb3a95c74b4dcb12c1131f864f6066bd02be0',
		);
		expect(secretService.toString('hex')).toBe(
			'8d70cbefb03939f929db64d32dc2ba89b1095620119fe3e050e2b18c5bd2752f',
		);
		expect(tc3SigningKey(KEY_C.secretKey, '2019-02-25', 'cvm').toString('hex')).toBe(
			'b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af',
		);
	});

	it('the official SDK signer agrees with editions A and B (it signs content-type and host only, so not C)', () => {
		const url = 'https://cvm.tencentcloudapi.com/';
		const payload = Buffer.from(DOC_BODY, 'utf8');
		expect(sdkAuthorization(DOC_INPUT, KEY_A, payload, url)).toBe(AUTHORIZATION_A);
		expect(sdkAuthorization(DOC_INPUT, KEY_B, payload, url)).toBe(AUTHORIZATION_B);
	});
});

// ---------------------------------------------------------------------------------------------------------------
// 2. Against the official SDK
// ---------------------------------------------------------------------------------------------------------------

const RANDOM_CASES = 600;

describe(`against tencentcloud-sdk-nodejs-common Sign.sign3 (${RANDOM_CASES} seeded random requests)`, () => {
	const rng = prng(0x7c3_5eed);
	const cases = Array.from({ length: RANDOM_CASES }, () => randomCase(rng));

	it('the generator covers the awkward inputs it is meant to', () => {
		const count = (kind: BodyKind) => cases.filter((c) => c.kind === kind).length;
		expect(count('post-json')).toBeGreaterThan(RANDOM_CASES / 5);
		expect(count('post-raw')).toBeGreaterThan(RANDOM_CASES / 10);
		expect(count('get-record')).toBeGreaterThan(RANDOM_CASES / 5);
		expect(count('get-sdk-query')).toBeGreaterThan(RANDOM_CASES / 10);
		const texts = cases.flatMap(({ input }) => [
			input.body ?? '',
			...(typeof input.query === 'object' ? Object.values(input.query) : []),
		]);
		const has = (re: RegExp) => texts.some((text) => re.test(text));
		expect(has(/[\u4e00-\u9fff]/)).toBe(true);
		expect(has(/[\u{1f300}-\u{1f64f}]/u)).toBe(true);
		for (const c of [' ', '*', '~', '+', '/', '=', '&', '%', '!', "'", '(', ')']) {
			expect(texts.some((text) => text.includes(c))).toBe(true);
		}
		const queryValues = cases.flatMap(({ input }) =>
			typeof input.query === 'object' ? Object.values(input.query) : [],
		);
		expect(queryValues).toContain('');
		const queryNames = cases.flatMap(({ input }) =>
			typeof input.query === 'object' ? Object.keys(input.query) : [],
		);
		expect(queryNames.some((name) => /\.\d+\.[A-Za-z]/.test(name))).toBe(true);
		expect(cases.some(({ input }) => input.body === '' && input.method === 'POST')).toBe(true);
		expect(cases.filter(({ credentials }) => credentials.sessionToken).length).toBeGreaterThan(
			RANDOM_CASES / 5,
		);
		expect(cases.filter(({ input }) => /:\d+$/.test(input.host)).length).toBeGreaterThan(
			RANDOM_CASES / 10,
		);
		expect(cases.filter(({ input }) => input.path !== '/').length).toBeGreaterThan(0);
		expect(
			cases.filter(({ credentials }) => /[^\x20-\x7e]/.test(credentials.secretKey)).length,
		).toBeGreaterThan(0);
	});

	it('gives the same Authorization as the SDK for every case', () => {
		const mismatches: string[] = [];
		cases.forEach(({ input, credentials, sdkPayload, sdkUrl }, index) => {
			const ours = signTc3(input, credentials).headers.Authorization;
			const theirs = sdkAuthorization(input, credentials, sdkPayload, sdkUrl);
			if (ours !== theirs)
				mismatches.push(`case ${index}: ${JSON.stringify(input)}\n${ours}\n${theirs}`);
		});
		expect(mismatches).toEqual([]);
	});

	it('is internally consistent: hash, key chain and signature derive from the canonical request', () => {
		for (const { input, credentials } of cases) {
			const signed = signTc3(input, credentials);
			const date = new Date(input.timestamp * 1000).toISOString().slice(0, 10);
			const lines = signed.canonicalRequest.split('\n');
			expect(lines[0]).toBe(input.method);
			expect(lines[1]).toBe(input.path);
			expect(lines[2]).toBe(signed.queryString);
			expect(lines[lines.length - 2]).toBe('content-type;host');
			expect(lines[lines.length - 1]).toBe(
				createHash('sha256')
					.update(input.body ?? '', 'utf8')
					.digest('hex'),
			);
			expect(signed.credentialScope).toBe(`${date}/${input.service}/tc3_request`);
			expect(signed.stringToSign).toBe(
				`${TC3_ALGORITHM}\n${input.timestamp}\n${signed.credentialScope}\n${sha256Hex(signed.canonicalRequest)}`,
			);
			const hmac = (key: string | Buffer, data: string) =>
				createHmac('sha256', key).update(data).digest();
			const key = hmac(
				hmac(hmac(`TC3${credentials.secretKey}`, date), input.service),
				'tc3_request',
			);
			expect(signed.signature).toBe(
				createHmac('sha256', key).update(signed.stringToSign).digest('hex'),
			);
			expect(signed.headers['X-TC-Timestamp']).toBe(String(input.timestamp));
			expect(signed.headers['X-TC-Token']).toBe(credentials.sessionToken);
			expect(signed.headers['X-TC-Region']).toBe(input.region);
			expect(signed.headers['X-TC-Language']).toBe(input.language);
		}
	});

	it('sends a query string that decodes back to exactly the original parameters', () => {
		for (const { input, credentials } of cases) {
			if (typeof input.query !== 'object') continue;
			const { queryString } = signTc3(input, credentials);
			for (const pair of queryString === '' ? [] : queryString.split('&')) {
				const [name, value, ...rest] = pair.split('=');
				expect(rest).toEqual([]);
				expect(name).toMatch(ENCODED_COMPONENT);
				expect(value).toMatch(ENCODED_COMPONENT);
			}
			expect(decodeQuery(queryString)).toEqual(input.query);
			// With no `+` present, WHATWG form decoding (which reads `+` as a space) must agree too.
			expect(Object.fromEntries(new URLSearchParams(queryString))).toEqual(input.query);
			// A URL parser leaves it as it is, so what is signed is what goes on the wire.
			expect(new URL(`https://${input.host}/?${queryString}`).search).toBe(
				queryString === '' ? '' : `?${queryString}`,
			);
		}
	});

	it('a changed body or parameter still matches the SDK and no longer matches the original signature', () => {
		const mutationRng = prng(0xbadc0de);
		let mutated = 0;
		for (const { input, credentials, kind } of cases) {
			let changed: Tc3RequestInput;
			let payload: unknown = '';
			let url = `https://${input.host}${input.path}`;
			if (kind === 'post-json' || kind === 'post-raw') {
				const chars = Array.from(input.body ?? '');
				if (chars.length === 0) continue;
				const at = int(mutationRng, 0, chars.length - 1);
				chars[at] = chars[at] === 'x' ? 'y' : 'x';
				changed = { ...input, body: chars.join('') };
				payload = Buffer.from(changed.body ?? '', 'utf8');
			} else if (typeof input.query === 'object') {
				const names = Object.keys(input.query);
				if (names.length === 0) continue;
				const name = pick(mutationRng, names);
				changed = { ...input, query: { ...input.query, [name]: `${input.query[name]}x` } };
				url += `?${encodeTencentQuery(changed.query as Record<string, string>)}`;
			} else continue;
			const before = signTc3(input, credentials).signature;
			const after = signTc3(changed, credentials);
			expect(after.signature).not.toBe(before);
			expect(after.headers.Authorization).toBe(
				sdkAuthorization(changed, credentials, payload, url),
			);
			mutated++;
		}
		expect(mutated).toBeGreaterThan(RANDOM_CASES / 2);
	});
});

describe('flattenTencentParams', () => {
	it('flattens like the SDK client (AbstractClient.mergeData) on random nested parameters, in the same order', () => {
		const client = new AbstractClient('redis.tencentcloudapi.com', '2018-04-12', {
			credential: { secretId: 'id', secretKey: 'key' },
		});
		const mergeData = (
			client as unknown as { mergeData(data: unknown): Record<string, unknown> }
		).mergeData.bind(client);
		const rng = prng(0xf1a7);
		for (let i = 0; i < 300; i++) {
			const params = randomParams(rng, false);
			if (rng() < 0.3) params[randomWord(rng, 1, 6)] = null;
			if (rng() < 0.3) params[randomWord(rng, 1, 6)] = undefined;
			const theirs = Object.entries(mergeData(params)).map(([name, value]) => [
				name,
				String(value),
			]);
			expect(Object.entries(flattenTencentParams(params))).toEqual(theirs);
		}
	});

	it('names array items by index and object members by key, to any depth', () => {
		const params: TencentParams = {
			InstanceId: 'crs-1',
			Limit: 20,
			Tags: ['a', 'b'],
			Filters: [{ Name: 'instance-name', Values: ['未命名', 'x y'] }],
			Skip: null,
			Flag: false,
		};
		expect(flattenTencentParams(params)).toEqual({
			InstanceId: 'crs-1',
			Limit: '20',
			'Tags.0': 'a',
			'Tags.1': 'b',
			'Filters.0.Name': 'instance-name',
			'Filters.0.Values.0': '未命名',
			'Filters.0.Values.1': 'x y',
			Flag: 'false',
		});
		expect(() => flattenTencentParams({ Limit: Number.NaN })).toThrow(RangeError);
	});
});

describe('against the real tencentcloud-sdk-nodejs-common client on a loopback server', () => {
	interface Captured {
		method: string;
		url: string;
		headers: IncomingHttpHeaders;
		body: string;
	}
	let server: Server;
	let port: number;
	const captured: Captured[] = [];
	// The SDK derives the service from the endpoint's first label, so it talks to redis.tencentcloudapi.com:<port>;
	// this agent resolves every name to the loopback server. The Host header then carries the port, the signed host
	// does not (as for the real endpoints, which have none).
	const lookup = ((
		_hostname: string,
		options: { all?: boolean },
		callback: (...args: unknown[]) => void,
	) => {
		if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
		else callback(null, '127.0.0.1', 4);
	}) as unknown as LookupFunction;
	const agent = new Agent({ lookup });

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
				res.end('{"Response":{"RequestId":"loopback","TotalCount":0,"BackupSet":[]}}');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		port = (server.address() as AddressInfo).port;
	});

	afterAll(async () => {
		agent.destroy();
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});

	const header = (headers: IncomingHttpHeaders, name: string): string => {
		const value = headers[name];
		if (typeof value !== 'string') throw new Error(`missing header ${name}`);
		return value;
	};

	it('signs exactly what the SDK sends, GET and POST, with and without a token, for awkward parameters', async () => {
		const rng = prng(0x7c3_c11e);
		const calls = 24;
		for (let i = 0; i < calls; i++) {
			const method = i % 2 === 0 ? 'POST' : 'GET';
			const credential: { secretId: string; secretKey: string; token?: string } = {
				secretId: `AKID${randomWord(rng, 10, 32)}`,
				secretKey: randomSecret(rng),
			};
			if (i % 4 >= 2) credential.token = randomToken(rng);
			const language = i % 3 === 0 ? 'en-US' : undefined;
			const client = new AbstractClient(`redis.tencentcloudapi.com:${port}`, '2018-04-12', {
				credential,
				region: i % 5 === 4 ? '' : 'ap-guangzhou',
				profile: {
					language: language as 'en-US' | undefined,
					httpProfile: { protocol: 'http://', reqMethod: method, agent },
				},
			});
			const params: Record<string, TencentParamValue> = {
				InstanceId: i === 0 ? "crs-未命名 😀*~+/=&%!'()" : `crs-${randomValue(rng, true)}`,
				BeginTime: '2024-01-01 00:00:00',
				EndTime: '2024-01-08 00:00:00',
				Limit: int(rng, 1, 100),
				Offset: 0,
				Status: [2, 3],
				...randomParams(rng, true),
			};
			await client.request('DescribeInstanceBackups', params);
			const request = captured[captured.length - 1];
			const url = new URL(request.url, 'http://loopback');
			expect(request.method).toBe(method);

			const ours = signTc3(
				{
					method,
					host: header(request.headers, 'host'),
					path: url.pathname,
					service: 'redis',
					action: header(request.headers, 'x-tc-action'),
					version: header(request.headers, 'x-tc-version'),
					region: request.headers['x-tc-region'] as string | undefined,
					language,
					timestamp: Number(header(request.headers, 'x-tc-timestamp')),
					// GET: the query string exactly as it arrived; POST: the body exactly as it arrived.
					query: url.search.slice(1),
					body: request.body,
					contentType: header(request.headers, 'content-type'),
					headers: {
						'X-TC-RequestClient': header(request.headers, 'x-tc-requestclient'),
						'X-TC-TraceId': header(request.headers, 'x-tc-traceid'),
					},
				},
				{ ...credential, sessionToken: credential.token },
			);
			expect(ours.headers.Authorization).toBe(header(request.headers, 'authorization'));
			expect(header(request.headers, 'host')).toBe(`redis.tencentcloudapi.com:${port}`);
			expect(ours.canonicalRequest).toContain('\nhost:redis.tencentcloudapi.com\n');
			for (const [name, value] of Object.entries(ours.headers)) {
				expect([name, request.headers[name.toLowerCase()]]).toEqual([name, value]);
			}
			expect(Boolean(request.headers['x-tc-token'])).toBe(Boolean(credential.token));
			if (method === 'GET') {
				expect(request.body).toBe('');
				expect(header(request.headers, 'content-type')).toBe('application/x-www-form-urlencoded');
				// The SDK flattens a GET's parameters as flattenTencentParams does.
				const expected = flattenTencentParams(params);
				expect(Object.fromEntries(new URLSearchParams(url.search))).toEqual(expected);
				// Our own encoding of the same parameters decodes to the same values (it escapes more: !'()*).
				expect(decodeQuery(encodeTencentQuery(expected))).toEqual(expected);
			} else {
				expect(url.search).toBe('');
				expect(header(request.headers, 'content-type')).toBe('application/json');
				// json-bigint's output equals JSON.stringify for these values (see JSON_BIGINT_ONLY_ESCAPES).
				expect(request.body).toBe(JSON.stringify(params));
			}
		}
		expect(captured).toHaveLength(calls);
	});

	/*
	 * The rule the emulator relies on: with an endpoint that has a port, the SDK sends `Host: <host>:<port>` and signs
	 * `host:<host>` (URL.hostname: no port, lower-case). Its service is the endpoint's first dot-label, so an IP or
	 * `localhost` endpoint gets a service of `127` or `localhost:<port>`; a verifier must take the service from the
	 * Credential scope. Our signer, given the Host header and that service, signs identically.
	 */
	it.each([
		[
			'an IPv4 endpoint with a port',
			(port: number) => `127.0.0.1:${port}`,
			'127.0.0.1',
			() => '127',
		],
		[
			'localhost with a port',
			(port: number) => `localhost:${port}`,
			'localhost',
			(port: number) => `localhost:${port}`,
		],
		[
			'an upper-case name with a port',
			(port: number) => `REDIS.Example.COM:${port}`,
			'redis.example.com',
			() => 'REDIS',
		],
	])(
		'with %s: signs the host name without the port, and the service the SDK derives',
		async (_what, endpointOf, signedHost, serviceOf) => {
			const endpoint = endpointOf(port);
			for (const [method, token] of [
				['POST', undefined],
				['GET', 'session-token'],
			] as const) {
				const credential = { secretId: 'AKIDloopback', secretKey: 'loopback-secret', token };
				const client = new AbstractClient(endpoint, '2018-04-12', {
					credential,
					region: 'ap-guangzhou',
					profile: { httpProfile: { protocol: 'http://', reqMethod: method, agent } },
				});
				await client.request('DescribeInstanceBackups', {
					InstanceId: 'crs-1',
					Limit: 10,
					Status: [2],
				});
				const request = captured[captured.length - 1];
				const url = new URL(request.url, 'http://loopback');
				const hostHeader = header(request.headers, 'host');
				// The Host header as sent keeps the port (and the case the URL parser gives it).
				expect(hostHeader).toBe(new URL(`http://${endpoint}/`).host);
				expect(hostHeader.endsWith(`:${port}`)).toBe(true);
				const authorization = header(request.headers, 'authorization');
				const timestamp = Number(header(request.headers, 'x-tc-timestamp'));
				const service = serviceOf(port);
				expect(authorization).toContain(
					`/${tc3Date(timestamp)}/${service}/tc3_request, SignedHeaders=content-type;host, `,
				);

				const input: Tc3RequestInput = {
					method,
					host: hostHeader,
					service,
					action: 'DescribeInstanceBackups',
					version: '2018-04-12',
					region: 'ap-guangzhou',
					timestamp,
					query: url.search.slice(1),
					body: request.body,
					contentType: header(request.headers, 'content-type'),
				};
				const ours = signTc3(input, { ...credential, sessionToken: token });
				expect(tc3SignedHost(hostHeader)).toBe(signedHost);
				expect(ours.canonicalRequest).toContain(`\nhost:${signedHost}\n\ncontent-type;host\n`);
				expect(ours.headers.Authorization).toBe(authorization);
				// Signing the port, or the Redis service name instead of the SDK's, gives another signature.
				const withPort = sha256Hex(
					ours.canonicalRequest.replace(`\nhost:${signedHost}\n`, `\nhost:${hostHeader}\n`),
				);
				expect(withPort).not.toBe(sha256Hex(ours.canonicalRequest));
				expect(signTc3({ ...input, service: 'redis' }, credential).headers.Authorization).not.toBe(
					authorization,
				);
			}
		},
	);
});

// ---------------------------------------------------------------------------------------------------------------
// 3. Negative tests and rules
// ---------------------------------------------------------------------------------------------------------------

describe('every signed input matters', () => {
	const url = 'https://cvm.tencentcloudapi.com/';
	const payload = (input: Tc3RequestInput) => Buffer.from(input.body ?? '', 'utf8');

	it.each([
		['the body', { ...DOC_INPUT, body: `${DOC_BODY} ` }],
		['the timestamp', { ...DOC_INPUT, timestamp: 1551113066 }],
		['the date (a day later)', { ...DOC_INPUT, timestamp: 1551113065 + 86400 }],
		['the service', { ...DOC_INPUT, service: 'cvn' }],
		['the host', { ...DOC_INPUT, host: 'cvm.tencentcloudapi.con' }],
		['the content type', { ...DOC_INPUT, contentType: 'application/json' }],
		['the method', { ...DOC_INPUT, method: 'GET' as const, body: '' }],
	])('changing %s changes the signature, and the SDK agrees on the new one', (_what, changed) => {
		const signed = signTc3(changed, KEY_A);
		expect(signed.signature).not.toBe(SIGNATURE_A);
		const changedUrl = changed.host === DOC_INPUT.host ? url : `https://${changed.host}/`;
		expect(signed.headers.Authorization).toBe(
			sdkAuthorization(changed, KEY_A, payload(changed), changedUrl),
		);
	});

	it('changing the path or the query changes the signature, and the SDK agrees', () => {
		const withPath = { ...DOC_INPUT, path: '/x' };
		expect(signTc3(withPath, KEY_A).headers.Authorization).toBe(
			sdkAuthorization(withPath, KEY_A, payload(withPath), 'https://cvm.tencentcloudapi.com/x'),
		);
		const withQuery = { ...DOC_INPUT, query: { Limit: '1' } };
		expect(signTc3(withQuery, KEY_A).signature).not.toBe(SIGNATURE_A);
		expect(signTc3(withQuery, KEY_A).headers.Authorization).toBe(
			sdkAuthorization(withQuery, KEY_A, payload(withQuery), `${url}?Limit=1`),
		);
	});

	it('changing one character of the secret changes the signature only; the SecretId is in the Credential', () => {
		const signed = signTc3(DOC_INPUT, { ...KEY_A, secretKey: 'Gu5t9xGARNpq86cd98joQYCN3******+' });
		expect(signed.canonicalRequest).toBe(DOC_CANONICAL_REQUEST);
		expect(signed.signature).not.toBe(SIGNATURE_A);
		const otherId = signTc3(DOC_INPUT, { ...KEY_A, secretId: 'AKIDother' });
		expect(otherId.signature).toBe(SIGNATURE_A);
		expect(otherId.headers.Authorization).toContain(
			'Credential=AKIDother/2019-02-25/cvm/tc3_request, ',
		);
	});

	it('action, version, region, language, token and unsigned extra headers are sent but not signed (as the SDK does)', () => {
		const signed = signTc3(
			{
				...DOC_INPUT,
				action: 'DescribeInstanceBackups',
				version: '2018-04-12',
				region: 'ap-shanghai',
				language: 'en-US',
				headers: { 'X-TC-RequestClient': 'n8n', 'User-Agent': 'n8n' },
			},
			{ ...KEY_A, sessionToken: 'token-1' },
		);
		expect(signed.signature).toBe(SIGNATURE_A);
		expect(signed.headers).toMatchObject({
			'X-TC-Action': 'DescribeInstanceBackups',
			'X-TC-Version': '2018-04-12',
			'X-TC-Region': 'ap-shanghai',
			'X-TC-Language': 'en-US',
			'X-TC-Token': 'token-1',
			'X-TC-RequestClient': 'n8n',
			'User-Agent': 'n8n',
		});
	});

	it('an extra signed header is signed: the action then matters, whatever the case of its name', () => {
		const a = signTc3({ ...DOC_INPUT, signedHeaders: ['x-tc-action'] }, KEY_C);
		const b = signTc3({ ...DOC_INPUT, signedHeaders: ['X-TC-ACTION'] }, KEY_C);
		expect(a.signature).toBe(SIGNATURE_C);
		expect(b.signature).toBe(SIGNATURE_C);
		const other = signTc3(
			{ ...DOC_INPUT, action: 'RunInstances', signedHeaders: ['x-tc-action'] },
			KEY_C,
		);
		expect(other.signature).not.toBe(SIGNATURE_C);
		// Naming content-type or host again changes nothing.
		expect(
			signTc3({ ...DOC_INPUT, signedHeaders: ['Host', 'content-type'] }, KEY_A).signature,
		).toBe(SIGNATURE_A);
		// Sorted by name: x-tc-region after x-tc-action; an extra header passed in `headers` can be signed too.
		const several = signTc3(
			{
				...DOC_INPUT,
				headers: { 'X-Custom': ' Value ' },
				signedHeaders: ['x-tc-region', 'X-Custom', 'x-tc-action'],
			},
			KEY_A,
		);
		expect(several.canonicalRequest).toContain(
			'\nhost:cvm.tencentcloudapi.com\nx-custom:value\nx-tc-action:describeinstances\nx-tc-region:ap-guangzhou\n\n' +
				'content-type;host;x-custom;x-tc-action;x-tc-region\n',
		);
		expect(several.headers.Authorization).toContain(
			'SignedHeaders=content-type;host;x-custom;x-tc-action;x-tc-region,',
		);
	});
});

describe('rules', () => {
	it('the scope date is the UTC date of the timestamp', () => {
		expect(tc3Date(0)).toBe('1970-01-01');
		expect(tc3Date(86399)).toBe('1970-01-01');
		expect(tc3Date(86400)).toBe('1970-01-02');
		// The page's own warning: 1551113065 is 2019-02-26 00:44:25 in UTC+8 but 2019-02-25 in UTC.
		expect(tc3Date(1551113065)).toBe('2019-02-25');
		expect(tc3Date(1709164800)).toBe('2024-02-29');
		expect(tc3Date(253402300799)).toBe('9999-12-31');
		for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 253402300800]) {
			expect(() => tc3Date(bad)).toThrow(RangeError);
			expect(() => signTc3({ ...DOC_INPUT, timestamp: bad }, KEY_A)).toThrow(RangeError);
		}
	});

	it('the signed host is the host name alone, lower-cased, as the SDK takes it from the URL', () => {
		expect(tc3SignedHost('redis.tencentcloudapi.com')).toBe('redis.tencentcloudapi.com');
		expect(tc3SignedHost('REDIS.TencentCloudAPI.com')).toBe('redis.tencentcloudapi.com');
		expect(tc3SignedHost('127.0.0.1:8080')).toBe('127.0.0.1');
		expect(tc3SignedHost('[::1]:9000')).toBe('[::1]');
		expect(tc3SignedHost('[::1]')).toBe('[::1]');
		for (const host of HOSTS)
			expect(tc3SignedHost(host)).toBe(new URL(`https://${host}/`).hostname);
		// Forms only a URL parser gets right, each checked against the SDK's own signature for that endpoint.
		for (const [host, expected] of [
			['[0:0:0:0:0:0:0:1]:8080', '[::1]'],
			['[FE80::1]', '[fe80::1]'],
			['例え.テスト:8123', 'xn--r8jz45g.xn--zckzah'],
			['redis.tencentcloudapi.com.:443', 'redis.tencentcloudapi.com.'],
		] as const) {
			expect(tc3SignedHost(host)).toBe(expected);
			const input = { ...DOC_INPUT, host };
			const payload = Buffer.from(DOC_BODY, 'utf8');
			expect(signTc3(input, KEY_A).headers.Authorization).toBe(
				sdkAuthorization(input, KEY_A, payload, `https://${host}/`),
			);
		}
		for (const bad of [
			'',
			' ',
			'https://redis.tencentcloudapi.com',
			'redis.tencentcloudapi.com/',
			'a b',
			'user@host',
			'h:99999',
		]) {
			expect(() => tc3SignedHost(bad)).toThrow(/not a (valid )?host/);
		}
	});

	it('content type and other signed header values are lower-cased and trimmed, as the page says', () => {
		// Tencent: "头部 key 和 value 统一转成小写，并去掉首尾空格". The SDK never sends such a content type; it signs
		// what it sends, which is always lower-case.
		const upper = signTc3(
			{ ...DOC_INPUT, contentType: ' Application/JSON; charset=UTF-8 ' },
			KEY_A,
		);
		expect(upper.signature).toBe(SIGNATURE_A);
		expect(upper.headers['Content-Type']).toBe(' Application/JSON; charset=UTF-8 ');
	});

	it('uses the SDK content types by default: JSON for POST, the form type for GET', () => {
		const post = signTc3({ ...DOC_INPUT, contentType: undefined }, KEY_A);
		expect(post.headers['Content-Type']).toBe('application/json');
		const get = signTc3(
			{
				...DOC_INPUT,
				method: 'GET',
				body: undefined,
				contentType: undefined,
				query: { Limit: '1' },
			},
			KEY_A,
		);
		expect(get.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
		expect(get.canonicalRequest.split('\n').slice(0, 4)).toEqual([
			'GET',
			'/',
			'Limit=1',
			'content-type:application/x-www-form-urlencoded',
		]);
		expect(get.canonicalRequest.endsWith(`\n${sha256Hex('')}`)).toBe(true);
	});

	it('a query string given as a string is signed and sent verbatim (a leading ? dropped)', () => {
		const raw = 'b=2&a=%E4%B8%AD&c=x%20y';
		expect(signTc3({ ...DOC_INPUT, query: raw }, KEY_A).queryString).toBe(raw);
		expect(signTc3({ ...DOC_INPUT, query: `?${raw}` }, KEY_A).queryString).toBe(raw);
		// A record keeps its own key order (Tencent signs the query string as sent; it does not sort it).
		expect(encodeTencentQuery({ b: '2', a: '中', c: 'x y' })).toBe(raw);
	});

	it('refuses what it cannot sign honestly', () => {
		expect(() => signTc3({ ...DOC_INPUT, method: 'PUT' as 'POST' }, KEY_A)).toThrow(/GET or POST/);
		expect(() => signTc3({ ...DOC_INPUT, method: 'GET' }, KEY_A)).toThrow(
			/GET request has no body/,
		);
		expect(() =>
			signTc3({ ...DOC_INPUT, headers: { 'content-type': 'text/plain' } }, KEY_A),
		).toThrow(/set by the signer/);
		expect(() => signTc3({ ...DOC_INPUT, headers: { 'X-TC-Timestamp': '1' } }, KEY_A)).toThrow(
			/set by the signer/,
		);
		expect(() => signTc3({ ...DOC_INPUT, signedHeaders: ['x-missing'] }, KEY_A)).toThrow(
			/not among the headers/,
		);
		// A lower-case method is fine.
		expect(signTc3({ ...DOC_INPUT, method: 'post' as 'POST' }, KEY_A).signature).toBe(SIGNATURE_A);
	});
});

describe('tencentPercentEncode (RFC 3986, as Tencent asks for query strings)', () => {
	it('leaves exactly A-Z a-z 0-9 - _ . ~ unencoded among code points 0..0x7f, with upper-case hex', () => {
		for (let code = 0; code <= 0x7f; code++) {
			const char = String.fromCharCode(code);
			const expected = /^[A-Za-z0-9\-_.~]$/.test(char)
				? char
				: `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
			expect([code, tencentPercentEncode(char)]).toEqual([code, expected]);
		}
	});

	it('encodes space as %20, * as %2A, + as %2B and non-ASCII as its UTF-8 bytes', () => {
		expect(tencentPercentEncode("a b*c~d!'()+")).toBe('a%20b%2Ac~d%21%27%28%29%2B');
		expect(tencentPercentEncode('未命名')).toBe('%E6%9C%AA%E5%91%BD%E5%90%8D');
		expect(tencentPercentEncode('😀')).toBe('%F0%9F%98%80');
	});
});
