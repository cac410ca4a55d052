/**
 * Helpers of the UCloud emulator tests. Requests are signed here by a few lines written from UCloud's signature page,
 * independently of the emulator's check (emulator/ucloud/signature.ts) and of the node's signer (nodes/signing/), and
 * sent with node:http, so each test can break exactly one thing.
 */
import { createHash } from 'crypto';

import { DEFAULT_UCLOUD_ACCOUNT, type UCloudEmulator } from '../../emulator';
import { httpRequest, type RawResponse } from './helpers';

export const PUBLIC_KEY = DEFAULT_UCLOUD_ACCOUNT.publicKey;
export const PRIVATE_KEY = DEFAULT_UCLOUD_ACCOUNT.privateKey;
export const REGION = 'cn-bj2';
export const ZONE = 'cn-bj2-04';
export const DEMO = 'uredis-demo01';
export const DEMO2 = 'uredis-demo02';

/** UCloud's published example key pair (docs.ucloud.cn/api/summary/signature). */
export const EXAMPLE_PUBLIC_KEY = 'ucloudsomeone@example.com1296235120854146120';
export const DOC_SK = '46f09bb9fab4f12dfc160dae12273d5332b5debe';

/** Nested parameters as UCloud's SDKs send them in a form: arrays `K.0`, objects `K.Sub`; booleans true/false. */
export function flat(params: Record<string, unknown>): Record<string, string> {
	const out: Record<string, string> = {};
	const visit = (name: string, value: unknown): void => {
		if (value === undefined || value === null) return;
		if (Array.isArray(value)) value.forEach((v, i) => visit(`${name}.${i}`, v));
		else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(`${name}.${k}`, v);
		else out[name] = String(value);
	};
	for (const [k, v] of Object.entries(params)) visit(k, v);
	return out;
}

/** hex(SHA-1(sorted name+value pairs + private key)), the page's three steps. */
export function sign(params: Record<string, unknown>, privateKey: string): string {
	const f = flat(params);
	const text = Object.keys(f)
		.sort()
		.map((k) => k + f[k])
		.join('');
	return createHash('sha1').update(text + privateKey).digest('hex');
}

export interface UCloudCall {
	action?: string;
	params?: Record<string, unknown>;
	/** 'json' (POST JSON, the default), 'form' (POST form) or 'get' (GET query). */
	as?: 'json' | 'form' | 'get';
	publicKey?: string;
	privateKey?: string;
	/** Change the signed parameters before sending (tampering). */
	mutate?: (params: Record<string, unknown>) => void;
	/** Extra query string (the Go SDK's `?Action=`). */
	query?: string;
}

/** A signed call to the emulator: Region defaults to cn-bj2 unless params give `Region: undefined` explicitly. */
export function ucloudCall(emulator: UCloudEmulator, call: UCloudCall): Promise<RawResponse> {
	const params: Record<string, unknown> = { Region: REGION, ...(call.params ?? {}) };
	if (call.action !== undefined) params.Action = call.action;
	for (const key of Object.keys(params)) if (params[key] === undefined) delete params[key];
	params.PublicKey = call.publicKey ?? PUBLIC_KEY;
	params.Signature = sign(params, call.privateKey ?? PRIVATE_KEY);
	call.mutate?.(params);
	const as = call.as ?? 'json';
	const extra = call.query ? `?${call.query}` : '';
	if (as === 'get') {
		return httpRequest(`${emulator.endpoint}/?${new URLSearchParams(flat(params)).toString()}`);
	}
	if (as === 'form') {
		return httpRequest(`${emulator.endpoint}/${extra}`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams(flat(params)).toString(),
		});
	}
	return httpRequest(`${emulator.endpoint}/${extra}`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(params),
	});
}

/** A decoded answer, read field by field in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** Call and decode (every UCloud answer is HTTP 200 JSON). */
export async function ucloud(emulator: UCloudEmulator, action: string, params: Record<string, unknown> = {}, extra: Omit<UCloudCall, 'action' | 'params'> = {}): Promise<Json> {
	const res = await ucloudCall(emulator, { action, params, ...extra });
	expect(res.status).toBe(200);
	return res.json();
}

/** US3's ETag computed independently: 4 MiB blocks, SHA-1 (of the data for one block, of the block SHA-1s for
 * more), the block count as 4 little-endian bytes in front, URL-safe Base64 (ufile-gosdk calculateEtag). */
export function us3Etag(data: Buffer): string {
	const BLOCK = 4 << 20;
	const count = Math.ceil(data.length / BLOCK);
	const head = Buffer.alloc(4);
	head.writeUInt32LE(count);
	let sha: Buffer;
	if (count <= 1) sha = createHash('sha1').update(data).digest();
	else {
		const outer = createHash('sha1');
		for (let i = 0; i < count; i++) outer.update(createHash('sha1').update(data.subarray(i * BLOCK, (i + 1) * BLOCK)).digest());
		sha = outer.digest();
	}
	return Buffer.concat([head, sha]).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}
