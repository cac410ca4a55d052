/**
 * Proof of nodes/signing/alibabaAcs3.ts against references that do not share its code:
 *
 *  1. Alibaba Cloud's published worked examples (every hard-coded expected value below is copied from a
 *     published source named next to it; none was produced by running our signer).
 *  2. The official SDK's own signer, @alicloud/openapi-core (the package @alicloud/r-kvstore20150101 6.4.0 calls
 *     for every request), on several hundred seeded random requests, and the real R-KVStore client talking to a
 *     loopback server.
 *  3. Negative tests that must fail if any signed input is ignored, plus RFC 3986 checks on the encoder.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { OpenApiUtil, $OpenApiUtil } from '@alicloud/openapi-core';
import RKvstoreClient, { DescribeBackupsRequest } from '@alicloud/r-kvstore20150101';
import * as $dara from '@darabonba/typescript';

import {
	ACS3_ALGORITHM,
	acsDate,
	acsPercentEncode,
	canonicalQueryString,
	sha256Hex,
	signAcs3,
	type Acs3RequestInput,
	type AlibabaAccessKey,
} from '../../nodes/signing/alibabaAcs3';

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

const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, 0, items.length - 1)];

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SPECIALS = [' ', '*', '~', '+', '/', '=', '&', '%', '!', "'", '(', ')', '-', '_', '.', ':', ';', ',', '?', '#'];
const MORE_SPECIALS = ['[', ']', '@', '$', '"', '<', '>', '\\', '^', '`', '{', '|', '}', '\t', '\n'];

function randomChar(rng: Rng): string {
	const kind = int(rng, 0, 9);
	if (kind <= 2) return ALNUM[int(rng, 0, ALNUM.length - 1)];
	if (kind <= 4) return pick(rng, SPECIALS);
	if (kind === 5) return pick(rng, MORE_SPECIALS);
	// CJK Unified Ideographs, e.g. 中文
	if (kind === 6) return String.fromCodePoint(int(rng, 0x4e00, 0x9fff));
	// Emoji (outside the BMP, so a surrogate pair in JS strings)
	if (kind === 7) return String.fromCodePoint(int(rng, 0x1f300, 0x1f64f));
	// Latin-1 supplement to Arabic: two-byte UTF-8
	if (kind === 8) return String.fromCodePoint(int(rng, 0xa0, 0x7ff));
	return String.fromCodePoint(int(rng, 0x800, 0xd7ff));
}

function randomValue(rng: Rng): string {
	if (rng() < 0.1) return '';
	let value = '';
	const length = int(rng, 1, 24);
	for (let i = 0; i < length; i++) value += randomChar(rng);
	return value;
}

function randomWord(rng: Rng, min: number, max: number): string {
	let word = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'[int(rng, 0, 51)];
	const length = int(rng, min, max);
	while (word.length < length) word += ALNUM[int(rng, 0, ALNUM.length - 1)];
	return word;
}

function randomParamName(rng: Rng): string {
	const shape = int(rng, 0, 3);
	if (shape === 0) return `Tag.${int(rng, 1, 20)}.${pick(rng, ['Key', 'Value'])}`;
	if (shape === 1) return `${randomWord(rng, 2, 10)}.${int(rng, 1, 12)}`;
	return randomWord(rng, 1, 16);
}

function randomSecret(rng: Rng): string {
	let secret = '';
	const length = int(rng, 1, 40);
	for (let i = 0; i < length; i++) {
		secret += rng() < 0.9 ? String.fromCharCode(int(rng, 0x21, 0x7e)) : randomChar(rng);
	}
	return secret;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';

function randomToken(rng: Rng): string {
	let token = 'CAIS';
	const length = int(rng, 8, 120);
	while (token.length < length) token += BASE64[int(rng, 0, BASE64.length - 1)];
	return token;
}

function randomHex(rng: Rng, length: number): string {
	let hex = '';
	while (hex.length < length) hex += int(rng, 0, 15).toString(16);
	return hex;
}

interface RandomCase {
	input: Acs3RequestInput;
	key: AlibabaAccessKey;
}

function randomCase(rng: Rng): RandomCase {
	const query: Record<string, string> = {};
	const paramCount = int(rng, 0, 9);
	for (let i = 0; i < paramCount; i++) query[randomParamName(rng)] = randomValue(rng);

	let body: string | undefined;
	let contentType: string | undefined;
	const bodyKind = int(rng, 0, 3);
	if (bodyKind === 1) {
		// The way doRequest builds a JSON body (reqBodyType "json").
		const object: Record<string, string> = {};
		for (let i = int(rng, 0, 4); i > 0; i--) object[randomWord(rng, 1, 8)] = randomValue(rng);
		body = JSON.stringify(object);
		contentType = 'application/json; charset=utf-8';
	} else if (bodyKind === 2) {
		// The way doRequest builds a form body (reqBodyType "formData"), with the SDK's own serialiser.
		const form: Record<string, string> = {};
		for (let i = int(rng, 1, 4); i > 0; i--) form[randomParamName(rng)] = randomValue(rng);
		body = OpenApiUtil.toForm(form);
		contentType = 'application/x-www-form-urlencoded';
	} else if (bodyKind === 3) {
		body = randomValue(rng);
		contentType = pick(rng, ['application/octet-stream', ' text/plain; charset=utf-8 ', 'application/json']);
	}

	const headers: Record<string, string> = {};
	if (rng() < 0.5) headers['user-agent'] = 'AlibabaCloud (linux; x64) Node.js/v20 Core/1.0.1 TeaDSL/2';
	if (rng() < 0.5) headers.accept = 'application/json';
	if (rng() < 0.3)
		headers[pick(rng, ['x-acs-resourcegroupid', 'X-Acs-ResourceGroupId', 'X-ACS-CUSTOM'])] =
			` rg-${randomWord(rng, 1, 12)} `;

	const input: Acs3RequestInput = {
		method: pick(rng, ['POST', 'GET', 'PUT', 'DELETE']),
		host: pick(rng, [
			'r-kvstore.aliyuncs.com',
			'r-kvstore.ap-southeast-1.aliyuncs.com',
			'r-kvstore.eu-central-1.aliyuncs.com',
			'127.0.0.1:8080',
		]),
		// RPC APIs (R-KVStore) always sign "/"; ROA-like paths use unreserved characters only.
		pathname: rng() < 0.8 ? '/' : `/${randomWord(rng, 1, 8)}/v${int(rng, 1, 3)}.0/${randomWord(rng, 1, 8)}-x_y~z`,
		action: pick(rng, ['DescribeBackups', 'CreateBackup', 'DescribeBackupTasks', 'DescribeInstances']),
		version: '2015-01-01',
		query,
		body,
		contentType,
		date: acsDate(int(rng, 0, 4102444799) * 1000 + int(rng, 0, 999)),
		nonce: rng() < 0.8 ? randomHex(rng, 32) : randomWord(rng, 1, 64),
		headers,
	};
	const key: AlibabaAccessKey = {
		accessKeyId: `LTAI${randomWord(rng, 8, 24)}`,
		accessKeySecret: randomSecret(rng),
	};
	if (rng() < 0.5) key.securityToken = randomToken(rng);
	return { input, key };
}

/**
 * The Authorization header the official SDK computes for this request. The request object is assembled exactly as
 * @alicloud/openapi-core's Client.doRequest assembles it (dist/client.js): default headers first, caller headers over
 * them, content-type and x-acs-content-sha256 from the body, and for STS the AccessKey ID and the security token as
 * headers; then the SDK's static getAuthorization signs it.
 */
function sdkAuthorization(input: Acs3RequestInput, key: AlibabaAccessKey): string {
	const request = new $dara.Request();
	request.method = input.method;
	request.pathname = input.pathname;
	request.query = { ...input.query };
	request.headers = {
		host: input.host,
		'x-acs-version': input.version,
		'x-acs-action': input.action,
		'user-agent': OpenApiUtil.getUserAgent(''),
		'x-acs-date': input.date,
		'x-acs-signature-nonce': input.nonce,
		accept: 'application/json',
		...(input.headers ?? {}),
	};
	const payloadHash = OpenApiUtil.hash(Buffer.from(input.body ?? '', 'utf8'), ACS3_ALGORITHM).toString('hex');
	if (input.contentType) request.headers['content-type'] = input.contentType;
	request.headers['x-acs-content-sha256'] = payloadHash;
	if (key.securityToken) {
		request.headers['x-acs-accesskey-id'] = key.accessKeyId;
		request.headers['x-acs-security-token'] = key.securityToken;
	}
	return OpenApiUtil.getAuthorization(request, ACS3_ALGORITHM, payloadHash, key.accessKeyId, key.accessKeySecret);
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

const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;
const ENCODED_COMPONENT = /^(?:[A-Za-z0-9\-_.~]|%[0-9A-F]{2})*$/;

// ---------------------------------------------------------------------------------------------------------------
// 1. Published vectors
// ---------------------------------------------------------------------------------------------------------------

/*
 * Vector A: "Signature examples" > "Fixed parameter values" of Alibaba Cloud's "Request syntax and signature method
 * V3" page, https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature (same
 * example in the Chinese original, https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature).
 * Inputs: AccessKeyID YourAccessKeyId, AccessKeySecret YourAccessKeySecret, x-acs-signature-nonce
 * 3156853299f313e23d1673dc12e1703d, x-acs-date 2023-10-26T10:22:32Z, x-acs-action RunInstances, x-acs-version
 * 2014-05-26, host ecs.cn-shanghai.aliyuncs.com, ImageId win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd,
 * RegionId cn-shanghai, POST, empty body. Outputs: the canonical request of step 1, the string-to-sign of step 2
 * (hashed canonical request 7ea06492…), the signature of step 3 (06563a9e…) and the request line and Authorization
 * header of step 4.
 *
 * The page is not wholly consistent: its first tables (and the headers under step 4) show x-acs-date
 * 2023-10-26T09:01:01Z and nonce d410180a5abf7fe235dd9b74aca91fc0 next to the same Signature 06563a9e…, but the
 * worked example (fixed values, canonical request, string-to-sign) uses 10:22:32Z and 3156853299f313e23d1673dc12e1703d,
 * and 06563a9e… belongs to those. Vector A therefore takes the worked example's values, which agree with each other.
 */
const DOC_KEY: AlibabaAccessKey = { accessKeyId: 'YourAccessKeyId', accessKeySecret: 'YourAccessKeySecret' };
const DOC_INPUT: Acs3RequestInput = {
	method: 'POST',
	host: 'ecs.cn-shanghai.aliyuncs.com',
	pathname: '/',
	action: 'RunInstances',
	version: '2014-05-26',
	query: { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' },
	date: '2023-10-26T10:22:32Z',
	nonce: '3156853299f313e23d1673dc12e1703d',
};
const DOC_EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const DOC_CANONICAL_REQUEST = [
	'POST',
	'/',
	'ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai',
	'host:ecs.cn-shanghai.aliyuncs.com',
	'x-acs-action:RunInstances',
	'x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
	'x-acs-date:2023-10-26T10:22:32Z',
	'x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d',
	'x-acs-version:2014-05-26',
	'',
	'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version',
	'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
].join('\n');
const DOC_STRING_TO_SIGN = 'ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259';
const DOC_SIGNATURE = '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0';
const DOC_AUTHORIZATION =
	'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,' +
	'SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,' +
	'Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0';

/*
 * Vector B: the header table of Alibaba Cloud's "ROA风格请求体&签名机制" page,
 * https://help.aliyun.com/zh/model-studio/user-guide/roa-style-request-body-signature-mechanism (the same table as the
 * first tables of the V3 page): x-acs-signature-nonce d410180a5abf7fe235dd9b74aca91fc0, x-acs-date
 * 2023-10-26T09:01:01Z, host ecs.cn-shanghai.aliyuncs.com, x-acs-action RunInstances, x-acs-version 2014-05-26,
 * x-acs-content-sha256 e3b0c442… (empty body), Authorization "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,
 * SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,
 * Signature=e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804".
 * That page does not restate the method, the query or the secret; they are those of vector A's example (POST,
 * ImageId/RegionId, YourAccessKeySecret). A 256-bit HMAC cannot match by accident, so agreement here shows both that
 * the table was produced from those inputs and that the signer is right for them.
 */
const ROA_PAGE_INPUT: Acs3RequestInput = {
	...DOC_INPUT,
	date: '2023-10-26T09:01:01Z',
	nonce: 'd410180a5abf7fe235dd9b74aca91fc0',
};
const ROA_PAGE_AUTHORIZATION =
	'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,' +
	'SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,' +
	'Signature=e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804';

describe('published vectors', () => {
	it('reproduces the V3 page worked example step by step (vector A)', () => {
		const signed = signAcs3(DOC_INPUT, DOC_KEY);
		// Step 1: "Canonicalized query string" example, "Sample value when the request body is empty", canonical request.
		expect(signed.queryString).toBe('ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai');
		expect(signed.headers['x-acs-content-sha256']).toBe(DOC_EMPTY_BODY_SHA256);
		expect(signed.canonicalRequest).toBe(DOC_CANONICAL_REQUEST);
		// Step 2: string-to-sign (algorithm + hashed canonical request).
		expect(signed.stringToSign).toBe(DOC_STRING_TO_SIGN);
		// Step 3: signature.
		expect(signed.signature).toBe(DOC_SIGNATURE);
		// Step 4: Authorization header.
		expect(signed.headers.Authorization).toBe(DOC_AUTHORIZATION);
		// The other headers the page lists for the request.
		expect(signed.headers).toMatchObject({
			host: 'ecs.cn-shanghai.aliyuncs.com',
			'x-acs-action': 'RunInstances',
			'x-acs-version': '2014-05-26',
			'x-acs-date': '2023-10-26T10:22:32Z',
			'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
		});
	});

	it('reproduces the Authorization of the ROA page header table (vector B)', () => {
		expect(signAcs3(ROA_PAGE_INPUT, DOC_KEY).headers.Authorization).toBe(ROA_PAGE_AUTHORIZATION);
	});

	it('the official SDK signer agrees with both published vectors', () => {
		expect(sdkAuthorization(DOC_INPUT, DOC_KEY)).toBe(DOC_AUTHORIZATION);
		expect(sdkAuthorization(ROA_PAGE_INPUT, DOC_KEY)).toBe(ROA_PAGE_AUTHORIZATION);
	});

	/*
	 * The SDK is only a trustworthy oracle if the installed copy behaves as its authors' own tests say. These two
	 * expected strings are copied from aliyun/darabonba-openapi, ts/test/util.spec.ts, test "getAuthorization should
	 * ok" (commit 1c687283ab2660b88a769f50804eea42b37669ec), https://github.com/aliyun/darabonba-openapi.
	 */
	it('the installed SDK reproduces the expected Authorization strings of its upstream unit test', () => {
		const payload = '55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23';
		const request = new $dara.Request();
		request.query = { test: 'ok', empty: '' };
		request.headers = { 'x-acs-TEST': 'https', 'x-acs-test': 'http' };
		expect(OpenApiUtil.getAuthorization(request, ACS3_ALGORITHM, payload, 'acesskey', 'secret')).toBe(
			'ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,' +
				'Signature=0f2d549523cf082c83bb8135b5863614f7fe16ca7c2c7fc537e74d67374eeeac',
		);
		const empty = new $dara.Request();
		Object.assign(empty, { query: undefined, headers: undefined });
		expect(OpenApiUtil.getAuthorization(empty, ACS3_ALGORITHM, payload, 'acesskey', 'secret')).toBe(
			'ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=,' +
				'Signature=608b887e491f3e88e85276b188a4d24e29230a559464685ccbf2dcc458e1fde8',
		);
	});
});

// ---------------------------------------------------------------------------------------------------------------
// 2. Against the official SDK
// ---------------------------------------------------------------------------------------------------------------

const RANDOM_CASES = 600;

describe(`against @alicloud/openapi-core getAuthorization (${RANDOM_CASES} seeded random requests)`, () => {
	const rng = prng(0x5eed_acc3);
	const cases = Array.from({ length: RANDOM_CASES }, () => randomCase(rng));

	it('the generator covers the awkward inputs it is meant to', () => {
		const values = cases.flatMap(({ input }) => Object.values(input.query));
		const names = cases.flatMap(({ input }) => Object.keys(input.query));
		const has = (re: RegExp) => values.some((value) => re.test(value));
		expect(has(/[\u4e00-\u9fff]/)).toBe(true);
		expect(has(/[\u{1f300}-\u{1f64f}]/u)).toBe(true);
		for (const c of [' ', '*', '~', '+', '/', '=', '&', '%', '!', "'", '(', ')']) {
			expect(values.some((value) => value.includes(c))).toBe(true);
		}
		expect(values).toContain('');
		expect(names.some((name) => /^Tag\.\d+\.(Key|Value)$/.test(name))).toBe(true);
		expect(cases.filter(({ key }) => key.securityToken).length).toBeGreaterThan(RANDOM_CASES / 4);
		expect(cases.filter(({ key }) => !key.securityToken).length).toBeGreaterThan(RANDOM_CASES / 4);
		expect(cases.filter(({ input }) => input.contentType).length).toBeGreaterThan(RANDOM_CASES / 4);
		expect(cases.filter(({ input }) => input.pathname !== '/').length).toBeGreaterThan(0);
	});

	it('gives the same Authorization as the SDK for every case', () => {
		const mismatches: string[] = [];
		cases.forEach(({ input, key }, index) => {
			const ours = signAcs3(input, key).headers.Authorization;
			const theirs = sdkAuthorization(input, key);
			if (ours !== theirs) mismatches.push(`case ${index}: ${JSON.stringify({ input, key })}\n${ours}\n${theirs}`);
		});
		expect(mismatches).toEqual([]);
	});

	it('is internally consistent: hash, HMAC and signed headers derive from the canonical request', () => {
		for (const { input, key } of cases) {
			const signed = signAcs3(input, key);
			expect(signed.headers['x-acs-content-sha256']).toBe(
				OpenApiUtil.hash(Buffer.from(input.body ?? '', 'utf8'), ACS3_ALGORITHM).toString('hex'),
			);
			expect(signed.stringToSign).toBe(`${ACS3_ALGORITHM}\n${sha256Hex(signed.canonicalRequest)}`);
			expect(signed.signature).toBe(
				createHmac('sha256', key.accessKeySecret).update(signed.stringToSign).digest('hex'),
			);
			const lines = signed.canonicalRequest.split('\n');
			expect(lines[0]).toBe(input.method);
			expect(lines[2]).toBe(signed.queryString);
			const signedNames = lines[lines.length - 2];
			expect(signed.headers.Authorization).toContain(`,SignedHeaders=${signedNames},`);
			expect(signedNames.split(';')).toEqual(expect.arrayContaining(['host', 'x-acs-date', 'x-acs-signature-nonce']));
			expect(signedNames.includes('x-acs-security-token')).toBe(Boolean(key.securityToken));
			expect(signedNames.includes('x-acs-accesskey-id')).toBe(Boolean(key.securityToken));
			expect(signedNames.includes('content-type')).toBe(Boolean(input.contentType));
			expect(signedNames).not.toMatch(/user-agent|accept/);
		}
	});

	it('sends a query string that decodes back to exactly the original parameters', () => {
		for (const { input, key } of cases) {
			const { queryString } = signAcs3(input, key);
			// Nothing but unreserved characters and %XX escapes: no raw space, and no `+` that a server could read as one.
			for (const pair of queryString === '' ? [] : queryString.split('&')) {
				const [name, value, ...rest] = pair.split('=');
				expect(rest).toEqual([]);
				expect(name).toMatch(ENCODED_COMPONENT);
				expect(value).toMatch(ENCODED_COMPONENT);
			}
			expect(queryString).not.toContain('+');
			expect(decodeQuery(queryString)).toEqual(input.query);
			// With no `+` present, WHATWG form decoding (which reads `+` as a space) must agree too.
			expect(Object.fromEntries(new URLSearchParams(queryString))).toEqual(input.query);
			// Sorted by name, as the canonical form requires.
			const names = Object.keys(decodeQuery(queryString));
			expect(names).toEqual([...names].sort());
		}
	});

	it('a changed value still matches the SDK and no longer matches the original signature', () => {
		const mutationRng = prng(0xbadc0de);
		let mutated = 0;
		for (const { input, key } of cases) {
			const names = Object.keys(input.query).filter((name) => input.query[name] !== '');
			if (names.length === 0) continue;
			const name = pick(mutationRng, names);
			const chars = Array.from(input.query[name]);
			const at = int(mutationRng, 0, chars.length - 1);
			chars[at] = chars[at] === 'x' ? 'y' : 'x';
			const changed = { ...input, query: { ...input.query, [name]: chars.join('') } };
			const before = signAcs3(input, key).signature;
			const after = signAcs3(changed, key);
			expect(after.signature).not.toBe(before);
			expect(after.headers.Authorization).toBe(sdkAuthorization(changed, key));
			mutated++;
		}
		expect(mutated).toBeGreaterThan(RANDOM_CASES / 2);
	});
});

describe('against the real @alicloud/r-kvstore20150101 client on a loopback server', () => {
	interface Captured {
		method: string;
		url: string;
		headers: IncomingHttpHeaders;
	}
	let server: Server;
	let port: number;
	const captured: Captured[] = [];

	beforeAll(async () => {
		server = createServer((req, res) => {
			captured.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
			req.resume();
			res.setHeader('content-type', 'application/json');
			res.end('{"RequestId":"loopback","Backups":{"Backup":[]},"PageNumber":1,"PageSize":30,"TotalCount":0}');
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		port = (server.address() as AddressInfo).port;
	});

	afterAll(async () => {
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});

	const header = (headers: IncomingHttpHeaders, name: string): string => {
		const value = headers[name];
		if (typeof value !== 'string') throw new Error(`missing header ${name}`);
		return value;
	};

	it('signs exactly what the SDK sends, for AK and STS credentials and awkward parameter values', async () => {
		const rng = prng(0x4b5653);
		const calls = 24;
		for (let i = 0; i < calls; i++) {
			const key: AlibabaAccessKey = {
				accessKeyId: `LTAI${randomWord(rng, 8, 20)}`,
				accessKeySecret: randomSecret(rng),
			};
			if (i % 2 === 1) key.securityToken = randomToken(rng);
			const client = new RKvstoreClient(
				new $OpenApiUtil.Config({
					...key,
					endpoint: `127.0.0.1:${port}`,
					protocol: 'HTTP',
					regionId: 'cn-hangzhou',
				}),
			);
			const instanceId = i === 0 ? "r-中文 😀*~+/=&%!'()" : `r-${randomValue(rng)}`;
			await client.describeBackups(
				new DescribeBackupsRequest({
					instanceId,
					startTime: '2024-01-01T00:00Z',
					endTime: '2024-01-02T00:00Z',
					pageSize: int(rng, 1, 100),
					pageNumber: int(rng, 1, 5),
					backupId: i % 3 === 0 ? int(rng, 1, 1e9) : undefined,
				}),
			);
			const request = captured[captured.length - 1];
			const url = new URL(request.url, 'http://loopback');
			expect(url.search).not.toContain('+');
			const query = Object.fromEntries(url.searchParams);
			expect(query.InstanceId).toBe(instanceId);

			// The SDK adds x-acs-credentials-provider (signed); hand it to our signer as an extra header.
			const extra: Record<string, string> = {};
			for (const [name, value] of Object.entries(request.headers)) {
				if (name === 'x-acs-credentials-provider' && typeof value === 'string') extra[name] = value;
			}
			const ours = signAcs3(
				{
					method: request.method,
					host: header(request.headers, 'host'),
					pathname: url.pathname,
					action: header(request.headers, 'x-acs-action'),
					version: header(request.headers, 'x-acs-version'),
					query,
					date: header(request.headers, 'x-acs-date'),
					nonce: header(request.headers, 'x-acs-signature-nonce'),
					headers: extra,
				},
				key,
			);
			expect(ours.headers.Authorization).toBe(header(request.headers, 'authorization'));
			expect(ours.headers['x-acs-content-sha256']).toBe(header(request.headers, 'x-acs-content-sha256'));
			expect(decodeQuery(ours.queryString)).toEqual(query);
			if (key.securityToken) {
				expect(header(request.headers, 'x-acs-security-token')).toBe(key.securityToken);
				expect(ours.headers['x-acs-security-token']).toBe(key.securityToken);
				expect(ours.headers['x-acs-accesskey-id']).toBe(key.accessKeyId);
			}
		}
		expect(captured).toHaveLength(calls);
	});
});

// ---------------------------------------------------------------------------------------------------------------
// 3. Negative tests and encoding rules
// ---------------------------------------------------------------------------------------------------------------

describe('every signed input matters', () => {
	const base = signAcs3(DOC_INPUT, DOC_KEY);

	it.each([
		['a query value', { ...DOC_INPUT, query: { ...DOC_INPUT.query, RegionId: 'cn-shanghaj' } }],
		['a query name', { ...DOC_INPUT, query: { ImageId: DOC_INPUT.query.ImageId, RegionID: 'cn-shanghai' } }],
		['the date', { ...DOC_INPUT, date: '2023-10-26T10:22:33Z' }],
		['the nonce', { ...DOC_INPUT, nonce: '3156853299f313e23d1673dc12e1703e' }],
		['the action', { ...DOC_INPUT, action: 'RunInstancez' }],
		['the version', { ...DOC_INPUT, version: '2014-05-27' }],
		['the host', { ...DOC_INPUT, host: 'ecs.cn-shanghai.aliyuncs.con' }],
		['the method', { ...DOC_INPUT, method: 'GET' }],
		['the path', { ...DOC_INPUT, pathname: '/x' }],
		['the body', { ...DOC_INPUT, body: ' ' }],
		['the content type', { ...DOC_INPUT, contentType: 'application/json' }],
		['an extra x-acs- header', { ...DOC_INPUT, headers: { 'x-acs-resourcegroupid': 'rg-1' } }],
	])('changing %s changes the signature, and the SDK agrees on the new one', (_what, changed) => {
		const signed = signAcs3(changed, DOC_KEY);
		expect(signed.signature).not.toBe(DOC_SIGNATURE);
		expect(signed.headers.Authorization).toBe(sdkAuthorization(changed, DOC_KEY));
	});

	it('changing one character of the secret changes the signature', () => {
		const key = { ...DOC_KEY, accessKeySecret: 'YourAccessKeySecreT' };
		const signed = signAcs3(DOC_INPUT, key);
		expect(signed.canonicalRequest).toBe(base.canonicalRequest);
		expect(signed.signature).not.toBe(DOC_SIGNATURE);
		expect(signed.headers.Authorization).toBe(sdkAuthorization(DOC_INPUT, key));
	});

	it('the AccessKey ID is in the Credential, and signed as a header under STS', () => {
		const otherId = signAcs3(DOC_INPUT, { ...DOC_KEY, accessKeyId: 'YourAccessKeyIe' });
		expect(otherId.headers.Authorization).toContain('Credential=YourAccessKeyIe,');
		const sts = { ...DOC_KEY, securityToken: 'CAIStoken' };
		const stsOtherId = { ...sts, accessKeyId: 'YourAccessKeyIe' };
		expect(signAcs3(DOC_INPUT, sts).signature).not.toBe(signAcs3(DOC_INPUT, stsOtherId).signature);
		expect(signAcs3(DOC_INPUT, sts).signature).not.toBe(
			signAcs3(DOC_INPUT, { ...sts, securityToken: 'CAIStokeN' }).signature,
		);
		expect(signAcs3(DOC_INPUT, sts).headers.Authorization).toBe(sdkAuthorization(DOC_INPUT, sts));
		expect(signAcs3(DOC_INPUT, stsOtherId).headers.Authorization).toBe(sdkAuthorization(DOC_INPUT, stsOtherId));
	});

	it('headers that are not x-acs-*, host or content-type are not signed', () => {
		const signed = signAcs3(
			{ ...DOC_INPUT, headers: { 'user-agent': 'n8n', accept: 'application/json', 'x-other': '1' } },
			DOC_KEY,
		);
		expect(signed.signature).toBe(DOC_SIGNATURE);
		expect(signed.headers['user-agent']).toBe('n8n');
	});
});

describe('header names are matched case-insensitively', () => {
	it('the case of an extra x-acs- header name does not change the signature', () => {
		const lower = signAcs3({ ...DOC_INPUT, headers: { 'x-acs-resourcegroupid': 'rg-1' } }, DOC_KEY);
		const mixed = signAcs3({ ...DOC_INPUT, headers: { 'X-Acs-ResourceGroupId': 'rg-1' } }, DOC_KEY);
		const upper = signAcs3({ ...DOC_INPUT, headers: { 'X-ACS-RESOURCEGROUPID': 'rg-1' } }, DOC_KEY);
		expect(mixed.signature).toBe(lower.signature);
		expect(upper.signature).toBe(lower.signature);
		expect(lower.canonicalRequest).toContain('\nx-acs-resourcegroupid:rg-1\n');
		expect(mixed.headers.Authorization).toContain(';x-acs-resourcegroupid;');
		expect(mixed.headers.Authorization).toBe(
			sdkAuthorization({ ...DOC_INPUT, headers: { 'X-Acs-ResourceGroupId': 'rg-1' } }, DOC_KEY),
		);
	});

	it('a Content-Type header is signed like the contentType field', () => {
		const viaField = signAcs3({ ...DOC_INPUT, body: '{}', contentType: 'application/json' }, DOC_KEY);
		const viaHeader = signAcs3({ ...DOC_INPUT, body: '{}', headers: { 'Content-Type': 'application/json' } }, DOC_KEY);
		expect(viaHeader.signature).toBe(viaField.signature);
		expect(viaField.canonicalRequest).toContain('\ncontent-type:application/json\nhost:');
	});

	it('names differing only in case merge into one entry with sorted, trimmed values, as the SDK does', () => {
		// Same headers as the SDK's upstream getAuthorization test; the ROA page (step 1, canonical headers, rule 3)
		// says to trim each value, sort them and join them with commas.
		const headers = { 'x-acs-TEST': 'https', 'x-acs-test': ' http ' };
		const signed = signAcs3({ ...DOC_INPUT, headers }, DOC_KEY);
		expect(signed.canonicalRequest).toContain('\nx-acs-test:http,https\n');
		expect(signed.headers.Authorization).toContain(';x-acs-test;');
		expect(signed.headers.Authorization).toBe(sdkAuthorization({ ...DOC_INPUT, headers }, DOC_KEY));
	});

	it('header values are trimmed', () => {
		const spaced = signAcs3({ ...DOC_INPUT, headers: { 'x-acs-resourcegroupid': '  rg-1 \t' } }, DOC_KEY);
		const plain = signAcs3({ ...DOC_INPUT, headers: { 'x-acs-resourcegroupid': 'rg-1' } }, DOC_KEY);
		expect(spaced.signature).toBe(plain.signature);
	});
});

describe('acsPercentEncode (RFC 3986, as the V3 page specifies)', () => {
	it('leaves exactly A-Z a-z 0-9 - _ . ~ unencoded among code points 0..0x7f', () => {
		for (let code = 0; code <= 0x7f; code++) {
			const char = String.fromCharCode(code);
			const expected = UNRESERVED.test(char) ? char : `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
			expect([code, acsPercentEncode(char)]).toEqual([code, expected]);
		}
	});

	it('encodes space as %20 and * as %2A, never + or a literal *', () => {
		expect(acsPercentEncode(' ')).toBe('%20');
		expect(acsPercentEncode('*')).toBe('%2A');
		expect(acsPercentEncode('+')).toBe('%2B');
		expect(acsPercentEncode('~')).toBe('~');
		expect(acsPercentEncode("a b*c~d!'()")).toBe('a%20b%2Ac~d%21%27%28%29');
	});

	it('encodes non-ASCII as the percent-escaped UTF-8 bytes, surrogate pairs included', () => {
		const rng = prng(0xc0de);
		const samples = ['é', '中', '文', '😀', '\u{10ffff}', '\u0080', '\u07ff', '\u0800', '\uffff'];
		for (let i = 0; i < 500; i++) {
			samples.push(String.fromCodePoint(rng() < 0.5 ? int(rng, 0x80, 0xd7ff) : int(rng, 0x10000, 0x10ffff)));
		}
		for (const char of samples) {
			const expected = [...Buffer.from(char, 'utf8')]
				.map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
				.join('');
			expect(acsPercentEncode(char)).toBe(expected);
		}
	});

	it('encodes parameter names too, and sorts by name', () => {
		expect(canonicalQueryString({ b: '1', 'a b': '2', A: '' })).toBe('A=&a%20b=2&b=1');
	});
});

describe('acsDate', () => {
	afterEach(() => jest.useRealTimers());

	it('formats UTC as yyyy-MM-ddTHH:mm:ssZ without milliseconds', () => {
		expect(acsDate(0)).toBe('1970-01-01T00:00:00Z');
		expect(acsDate(Date.UTC(2023, 9, 26, 10, 22, 32, 0))).toBe('2023-10-26T10:22:32Z');
		// Milliseconds are dropped, not rounded.
		expect(acsDate(Date.UTC(2023, 9, 26, 10, 22, 32, 999))).toBe('2023-10-26T10:22:32Z');
		expect(acsDate(Date.UTC(2024, 11, 31, 23, 59, 59, 999))).toBe('2024-12-31T23:59:59Z');
		expect(acsDate(Date.UTC(2024, 1, 29, 0, 0, 0, 1))).toBe('2024-02-29T00:00:00Z');
	});

	it('matches the SDK getTimestamp for the same instant (random instants, 1970..2099)', () => {
		const rng = prng(0xda7e);
		jest.useFakeTimers();
		for (let i = 0; i < 300; i++) {
			const instant = int(rng, 0, 4102444799) * 1000 + int(rng, 0, 999);
			jest.setSystemTime(instant);
			const ours = acsDate(instant);
			expect(ours).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
			expect(ours).toBe(OpenApiUtil.getTimestamp());
		}
	});
});
