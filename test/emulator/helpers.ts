import { createHash, randomUUID } from 'crypto';
import { request } from 'http';
import { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import KvClient from '@alicloud/r-kvstore20150101';

import type { AlibabaEmulator } from '../../emulator';

export const AK = 'emulator-ak';
export const SECRET = 'emulator-secret';

/** The official SDK client pointed at the emulator, configured the documented way. */
export function sdkClient(
	emulator: AlibabaEmulator,
	extra: Partial<{
		accessKeyId: string;
		accessKeySecret: string;
		securityToken: string;
		signatureAlgorithm: string;
		readTimeout: number;
	}> = {},
): KvClient {
	return new KvClient(
		new $OpenApiUtil.Config({
			accessKeyId: AK,
			accessKeySecret: SECRET,
			endpoint: `127.0.0.1:${emulator.port}`,
			protocol: 'http',
			...extra,
		}),
	);
}

export interface RawResponse {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
	json(): Record<string, unknown>;
}

export function httpRequest(
	url: string,
	opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
	return new Promise((resolve, reject) => {
		const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => {
				const body = Buffer.concat(chunks);
				resolve({
					status: res.statusCode ?? 0,
					headers: res.headers,
					body,
					json: () => JSON.parse(body.toString('utf8')) as Record<string, unknown>,
				});
			});
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(opts.body);
	});
}

export const acsDate = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface SignedCall {
	action: string;
	params?: Record<string, string>;
	date?: string;
	nonce?: string;
	accessKeyId?: string;
	secret?: string;
	version?: string;
	body?: string;
	/** Change the request after it was signed (tampering). */
	mutate?: (headers: Record<string, string>, query: Record<string, string>) => void;
}

const encode = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** A V3-signed POST built by hand (signature from the SDK's own getAuthorization), so tests can break it. */
export function signedCall(emulator: AlibabaEmulator, call: SignedCall): Promise<RawResponse> {
	const query = { ...(call.params ?? {}) };
	const body = call.body ?? '';
	const headers: Record<string, string> = {
		host: `127.0.0.1:${emulator.port}`,
		'x-acs-action': call.action,
		'x-acs-version': call.version ?? '2015-01-01',
		'x-acs-date': call.date ?? acsDate(Date.now()),
		'x-acs-signature-nonce': call.nonce ?? randomUUID(),
		'x-acs-content-sha256': createHash('sha256').update(body).digest('hex'),
	};
	if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
	const sdkRequest = { pathname: '/', method: 'POST', query, headers };
	headers.authorization = OpenApiUtil.getAuthorization(
		sdkRequest as unknown as Parameters<typeof OpenApiUtil.getAuthorization>[0],
		'ACS3-HMAC-SHA256',
		headers['x-acs-content-sha256'],
		call.accessKeyId ?? AK,
		call.secret ?? SECRET,
	);
	call.mutate?.(headers, query);
	const qs = Object.keys(query)
		.map((k) => `${encode(k)}=${encode(query[k])}`)
		.join('&');
	return httpRequest(`${emulator.endpoint}/?${qs}`, { method: 'POST', headers, body });
}

/** SDK errors carry the HTTP status and the API code; this pulls them out for assertions. */
export async function sdkError(promise: Promise<unknown>): Promise<{ statusCode?: number; code?: string; message: string; name: string }> {
	try {
		await promise;
	} catch (err) {
		const e = err as { statusCode?: number; code?: string; message: string; name: string };
		return { statusCode: e.statusCode, code: e.code, message: e.message, name: e.name };
	}
	throw new Error('expected the call to fail');
}

export interface Download {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
	/** The body arrived in full (as long as Content-Length said) and ended. */
	complete: boolean;
	error?: string;
	/** The error's code (ECONNRESET, ...), when there was one. */
	errorCode?: string;
	/** idleMs passed without a byte, and this helper gave up (aborted the request). */
	stalled: boolean;
	ms: number;
}

/**
 * A GET (or HEAD) that reports what happened instead of throwing: a cut connection, a reset, a stall. With idleMs,
 * it gives up (destroys the request, as a client timeout would) after that long without headers or body bytes.
 */
export function download(
	url: string,
	opts: { headers?: Record<string, string>; method?: string; idleMs?: number } = {},
): Promise<Download> {
	const started = Date.now();
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		let status = 0;
		let headers: Download['headers'] = {};
		let stalled = false;
		let done = false;
		let timer: NodeJS.Timeout | undefined;
		const finish = (complete: boolean, err?: Error & { code?: string }) => {
			if (done) return;
			done = true;
			clearTimeout(timer);
			resolve({
				status,
				headers,
				body: Buffer.concat(chunks),
				complete,
				error: err?.message,
				errorCode: err?.code,
				stalled,
				ms: Date.now() - started,
			});
		};
		const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
			status = res.statusCode ?? 0;
			headers = res.headers;
			arm();
			res.on('data', (c: Buffer) => {
				chunks.push(c);
				arm();
			});
			res.on('end', () => finish(res.complete));
			res.on('error', (err) => finish(false, err));
			res.on('close', () => finish(false));
		});
		const arm = () => {
			if (!opts.idleMs) return;
			clearTimeout(timer);
			timer = setTimeout(() => {
				stalled = true;
				req.destroy();
			}, opts.idleMs);
		};
		req.on('error', (err) => finish(false, err));
		arm();
		req.end();
	});
}
