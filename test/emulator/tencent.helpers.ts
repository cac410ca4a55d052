/**
 * Helpers of the Tencent emulator tests. Requests are signed here with the official SDK's own signing code
 * (tencentcloud-sdk-nodejs-common Sign.sign3 / Sign.sign), never with the emulator's or the node's, and sent with
 * node:http, so each test can break exactly one thing.
 */
import { randomInt } from 'crypto';
import { Agent, request } from 'http';
import type { LookupFunction } from 'net';
import { AbstractClient } from 'tencentcloud-sdk-nodejs-common';
import Sign from 'tencentcloud-sdk-nodejs-common/tencentcloud/common/sign';

import { DEFAULT_TENCENT_ACCOUNT, type TencentEmulator } from '../../emulator';
import type { RawResponse } from './helpers';

export const SECRET_ID = DEFAULT_TENCENT_ACCOUNT.secretId;
export const SECRET_KEY = DEFAULT_TENCENT_ACCOUNT.secretKey;
export const REGION = 'ap-guangzhou';
export const STANDARD = 'crs-demostd01';
export const CLUSTER = 'crs-democls01';

/**
 * The SDK derives the signing service from the endpoint's first label ("redis"), so its client talks to
 * redis.tencentcloudapi.com:<port>; this agent resolves every name to the emulator on 127.0.0.1.
 */
export function loopbackAgent(): Agent {
	const lookup = ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
		if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
		else callback(null, '127.0.0.1', 4);
	}) as unknown as LookupFunction;
	return new Agent({ lookup });
}

export interface SdkClientOptions {
	secretId?: string;
	secretKey?: string;
	token?: string;
	region?: string;
	reqMethod?: 'POST' | 'GET';
	/** Legacy signature v1 (HmacSHA1 / HmacSHA256) instead of TC3. */
	signMethod?: 'TC3-HMAC-SHA256' | 'HmacSHA1' | 'HmacSHA256';
	reqTimeout?: number;
}

/** The official SDK's real client, pointed at the emulator the documented way (profile.httpProfile). */
export function sdkClient(emulator: TencentEmulator, agent: Agent, opts: SdkClientOptions = {}): AbstractClient {
	return new AbstractClient(`redis.tencentcloudapi.com`, '2018-04-12', {
		credential: { secretId: opts.secretId ?? SECRET_ID, secretKey: opts.secretKey ?? SECRET_KEY, token: opts.token },
		region: opts.region ?? REGION,
		profile: {
			signMethod: opts.signMethod,
			httpProfile: {
				endpoint: `redis.tencentcloudapi.com:${emulator.port}`,
				protocol: 'http://',
				reqMethod: opts.reqMethod ?? 'POST',
				reqTimeout: opts.reqTimeout ?? 10,
				agent,
			},
		},
	});
}

/** An SDK error's fields, for assertions. */
export async function sdkError(promise: Promise<unknown>): Promise<{ code?: string; message: string; requestId?: string; httpCode?: number }> {
	try {
		await promise;
	} catch (err) {
		const e = err as { code?: string; message: string; requestId?: string; httpCode?: number };
		return { code: e.code, message: e.message, requestId: e.requestId, httpCode: e.httpCode };
	}
	throw new Error('expected the call to fail');
}

export interface Tc3Call {
	action: string;
	params?: Record<string, unknown>;
	method?: 'POST' | 'GET';
	/** UNIX seconds (default: now). */
	timestamp?: number;
	secretId?: string;
	secretKey?: string;
	token?: string;
	region?: string;
	version?: string;
	/** The body sent instead of the JSON of params (a POST). */
	rawBody?: string;
	/** Change headers after signing (tampering, extra headers). */
	mutate?: (headers: Record<string, string>) => void;
	/** A body sent instead of the one signed (tampering). */
	sendBody?: string;
}

const flatQuery = (params: Record<string, unknown>): string => {
	const flat: Record<string, string> = {};
	const visit = (value: unknown, name: string) => {
		if (value === null || value === undefined) return;
		if (typeof value === 'object') {
			for (const [k, v] of Object.entries(value as Record<string, unknown>)) visit(v, `${name}.${k}`);
		} else flat[name] = String(value);
	};
	for (const [k, v] of Object.entries(params)) visit(v, k);
	return new URLSearchParams(flat).toString().replace(/\+/g, '%20');
};

/** An API 3.0 call signed with the SDK's Sign.sign3, as its client builds it (host signed without the port). */
export function tc3Call(emulator: TencentEmulator, call: Tc3Call): Promise<RawResponse> {
	const method = call.method ?? 'POST';
	const timestamp = call.timestamp ?? Math.floor(Date.now() / 1000);
	const query = method === 'GET' ? flatQuery(call.params ?? {}) : '';
	const body = method === 'POST' ? (call.rawBody ?? JSON.stringify(call.params ?? {})) : '';
	const host = `127.0.0.1:${emulator.port}`;
	const contentType = method === 'POST' ? 'application/json' : 'application/x-www-form-urlencoded';
	const headers: Record<string, string> = {
		Host: host,
		'Content-Type': contentType,
		'X-TC-Action': call.action,
		'X-TC-Version': call.version ?? '2018-04-12',
		'X-TC-Timestamp': String(timestamp),
	};
	const region = call.region ?? REGION;
	if (region) headers['X-TC-Region'] = region;
	if (call.token) headers['X-TC-Token'] = call.token;
	const url = `http://${host}/${query ? `?${query}` : ''}`;
	headers.Authorization = Sign.sign3({
		method,
		url,
		payload: method === 'POST' ? Buffer.from(body) : '',
		timestamp,
		service: 'redis',
		secretId: call.secretId ?? SECRET_ID,
		secretKey: call.secretKey ?? SECRET_KEY,
		multipart: false,
		boundary: '',
		headers,
	});
	call.mutate?.(headers);
	return send(url, method, headers, call.sendBody ?? body);
}

function send(url: string, method: string, headers: Record<string, string>, body: string): Promise<RawResponse> {
	return new Promise((resolve, reject) => {
		const req = request(url, { method, headers }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => {
				const data = Buffer.concat(chunks);
				resolve({
					status: res.statusCode ?? 0,
					headers: res.headers,
					body: data,
					json: () => JSON.parse(data.toString('utf8')) as Record<string, unknown>,
				});
			});
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(body || undefined);
	});
}

/** A decoded answer, read field by field in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** `Response` of an API 3.0 answer. */
export function responseOf(raw: RawResponse): { Error?: { Code: string; Message: string }; RequestId: string } & Record<string, Json> {
	return raw.json().Response as { Error?: { Code: string; Message: string }; RequestId: string } & Record<string, Json>;
}

export interface LegacyCall {
	action: string;
	params?: Record<string, string>;
	method?: 'GET' | 'POST';
	timestamp?: number;
	nonce?: number;
	secretId?: string;
	secretKey?: string;
	region?: string;
	signatureMethod?: 'HmacSHA1' | 'HmacSHA256';
	token?: string;
	/** The host put into the source string (default: the Host header sent, 127.0.0.1:<port>). */
	signedHost?: string;
	/** Change parameters after signing. */
	mutate?: (params: Record<string, string>) => void;
}

/**
 * A legacy API 2.0 call to /v2/index.php: the source string built here (METHOD + Host header + path + `?` + sorted
 * raw `k=v`), signed with the SDK's Sign.sign.
 */
export function legacyCall(emulator: TencentEmulator, call: LegacyCall): Promise<RawResponse> & { nonce: number } {
	const method = call.method ?? 'GET';
	const nonce = call.nonce ?? randomInt(1, 2 ** 31);
	const params: Record<string, string> = {
		...(call.params ?? {}),
		Action: call.action,
		Region: call.region ?? REGION,
		Timestamp: String(call.timestamp ?? Math.floor(Date.now() / 1000)),
		Nonce: String(nonce),
		SecretId: call.secretId ?? SECRET_ID,
	};
	if (call.signatureMethod) params.SignatureMethod = call.signatureMethod;
	if (call.token) params.Token = call.token;
	const host = `127.0.0.1:${emulator.port}`;
	const source =
		`${method}${call.signedHost ?? host}/v2/index.php?` +
		Object.keys(params)
			.sort()
			.map((k) => `${k}=${params[k]}`)
			.join('&');
	params.Signature = Sign.sign(call.secretKey ?? SECRET_KEY, source, call.signatureMethod ?? 'HmacSHA1');
	call.mutate?.(params);
	const encoded = new URLSearchParams(params).toString();
	const promise =
		method === 'GET'
			? send(`http://${host}/v2/index.php?${encoded}`, 'GET', { Host: host }, '')
			: send(`http://${host}/v2/index.php`, 'POST', { Host: host, 'Content-Type': 'application/x-www-form-urlencoded' }, encoded);
	return Object.assign(promise, { nonce });
}
