import type { IncomingHttpHeaders } from 'http';
import { createHash } from 'crypto';
// The official SDK's own signer: the emulator verifies with Alibaba's code, never with ours, so a bug in our
// signer cannot be mirrored by a matching bug here.
import OpenApiUtil from '@alicloud/openapi-core/dist/utils';

import { Errors } from './errors';

export interface AlibabaAccount {
	accessKeyId: string;
	accessKeySecret: string;
	/** When set (an STS credential), requests must carry this token. */
	securityToken?: string;
}

export interface IncomingSignedRequest {
	method: string;
	pathname: string;
	/** URL query only: V3 signs the query string, the body is covered by x-acs-content-sha256. */
	query: Record<string, string>;
	/** Query and form body merged: the API parameters (and, for V2, what is signed). */
	params: Record<string, string>;
	headers: IncomingHttpHeaders;
	body: Buffer;
}

export interface Authenticated {
	accessKeyId: string;
	action: string;
	signatureVersion: 'v3' | 'v2';
}

/** The documented replay window: x-acs-date / Timestamp must be within 15 minutes of the server's clock. */
export const SIGNATURE_WINDOW_MS = 15 * 60 * 1000;
const API_VERSION = '2015-01-01';
const ACS3 = 'ACS3-HMAC-SHA256';

type SdkRequest = Parameters<typeof OpenApiUtil.getAuthorization>[0];

/** Nonces seen within the window; older ones can no longer be replayed (their timestamp would be expired). */
export class NonceStore {
	private readonly seen = new Map<string, number>();

	/** false if the nonce was already used. */
	use(key: string, now: number): boolean {
		if (this.seen.size > 10000) {
			for (const [k, expiry] of this.seen) if (expiry < now) this.seen.delete(k);
		}
		const expiry = this.seen.get(key);
		if (expiry !== undefined && expiry >= now) return false;
		this.seen.set(key, now + 2 * SIGNATURE_WINDOW_MS);
		return true;
	}
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value.join(',') : value;
}

function checkTimestamp(value: string, now: number): void {
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value) || Number.isNaN(Date.parse(value))) {
		throw Errors.timestampFormat();
	}
	if (Math.abs(now - Date.parse(value)) > SIGNATURE_WINDOW_MS) throw Errors.timestampExpired();
}

function checkToken(account: AlibabaAccount, token: string | undefined): void {
	if (!account.securityToken) return;
	if (!token) throw Errors.missingSecurityToken();
	if (token !== account.securityToken) throw Errors.securityTokenMismatch();
}

function encode(value: string): string {
	return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * The V3 string to sign, rebuilt only to quote it in the SignatureDoesNotMatch message (as Alibaba does, so a
 * client author can diff it); the accept/reject decision is the SDK's getAuthorization() below.
 */
function v3StringToSign(req: IncomingSignedRequest, signed: string[], payloadHash: string): string {
	const query = Object.keys(req.query)
		.sort()
		.map((k) => `${k}=${encode(req.query[k])}`)
		.join('&');
	const headers = signed.map((h) => `${h}:${(header(req.headers, h) ?? '').trim()}\n`).join('');
	const canonical = [req.method, req.pathname, query, headers, signed.join(';'), payloadHash].join('\n');
	return `${ACS3}\n${createHash('sha256').update(canonical).digest('hex')}`;
}

/**
 * Check a request the way the POP gateway does, in this order: required headers, API version and action,
 * AccessKey, timestamp window, body hash, signature, nonce, STS token.
 */
export function authenticate(
	req: IncomingSignedRequest,
	accounts: ReadonlyMap<string, AlibabaAccount>,
	knownActions: ReadonlySet<string>,
	now: number,
	nonces: NonceStore,
): Authenticated {
	const authorization = header(req.headers, 'authorization');
	if (!authorization && req.params.Signature !== undefined) {
		return authenticateV2(req, accounts, knownActions, now, nonces);
	}
	if (!authorization) throw Errors.missingParameter('Authorization');
	for (const name of ['x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256']) {
		if (!header(req.headers, name)) throw Errors.missingParameter(name);
	}
	const match = /^(\S+) Credential=([^,\s]+),\s*SignedHeaders=([^,\s]*),\s*Signature=([0-9a-fA-F]+)$/.exec(
		authorization.trim(),
	);
	if (!match) throw Errors.incompleteSignature('Authorization is not well formed.');
	const [, algorithm, accessKeyId, signedList, signature] = match;
	if (algorithm !== ACS3) throw Errors.incompleteSignature(`Unsupported signature algorithm ${algorithm}.`);
	const signed = signedList.split(';').filter(Boolean);
	// Every common header that is present must be signed, host included.
	const mustSign = Object.keys(req.headers).filter((h) => h.startsWith('x-acs-') || h === 'host');
	const unsigned = mustSign.filter((h) => !signed.includes(h));
	if (unsigned.length) throw Errors.incompleteSignature(`Headers not signed: ${unsigned.join(';')}.`);

	if (header(req.headers, 'x-acs-version') !== API_VERSION) throw Errors.invalidVersion();
	const action = header(req.headers, 'x-acs-action') as string;
	if (!knownActions.has(action)) throw Errors.actionNotFound();
	const account = accounts.get(accessKeyId);
	if (!account) throw Errors.accessKeyNotFound();
	checkTimestamp(header(req.headers, 'x-acs-date') as string, now);

	const payloadHash = createHash('sha256').update(req.body).digest('hex');
	const claimedHash = (header(req.headers, 'x-acs-content-sha256') as string).toLowerCase();
	if (claimedHash !== payloadHash) {
		throw Errors.signatureDoesNotMatch(v3StringToSign(req, signed, payloadHash));
	}
	const signedHeaders: Record<string, string> = {};
	for (const name of signed) signedHeaders[name] = header(req.headers, name) ?? '';
	const sdkRequest = { pathname: req.pathname, method: req.method, query: req.query, headers: signedHeaders };
	const expected = OpenApiUtil.getAuthorization(
		sdkRequest as unknown as SdkRequest,
		ACS3,
		payloadHash,
		accessKeyId,
		account.accessKeySecret,
	);
	if (!expected.endsWith(`,Signature=${signature.toLowerCase()}`)) {
		throw Errors.signatureDoesNotMatch(v3StringToSign(req, signed, payloadHash));
	}
	if (!nonces.use(`${accessKeyId}\n${header(req.headers, 'x-acs-signature-nonce')}`, now)) throw Errors.nonceUsed();
	checkToken(account, header(req.headers, 'x-acs-security-token'));
	return { accessKeyId, action, signatureVersion: 'v3' };
}

/** The legacy RPC signature (HMAC-SHA1 over the sorted parameters), as older SDKs and tools still send it. */
function authenticateV2(
	req: IncomingSignedRequest,
	accounts: ReadonlyMap<string, AlibabaAccount>,
	knownActions: ReadonlySet<string>,
	now: number,
	nonces: NonceStore,
): Authenticated {
	const p = req.params;
	for (const name of ['AccessKeyId', 'Action', 'Version', 'Timestamp', 'SignatureNonce', 'SignatureMethod']) {
		if (!p[name]) throw Errors.missingParameter(name);
	}
	if (p.SignatureMethod !== 'HMAC-SHA1') throw Errors.incompleteSignature('SignatureMethod must be HMAC-SHA1.');
	if (p.Version !== API_VERSION) throw Errors.invalidVersion();
	if (!knownActions.has(p.Action)) throw Errors.actionNotFound();
	const account = accounts.get(p.AccessKeyId);
	if (!account) throw Errors.accessKeyNotFound();
	checkTimestamp(p.Timestamp, now);
	const signedParams: Record<string, string> = { ...p };
	delete signedParams.Signature;
	const expected = OpenApiUtil.getRPCSignature(signedParams, req.method, account.accessKeySecret);
	if (expected !== p.Signature) {
		const canonical = Object.keys(signedParams)
			.sort()
			.map((k) => `${encode(k)}=${encode(signedParams[k])}`)
			.join('&');
		throw Errors.signatureDoesNotMatch(`${req.method}&%2F&${encode(canonical)}`);
	}
	if (!nonces.use(`${p.AccessKeyId}\n${p.SignatureNonce}`, now)) throw Errors.nonceUsed();
	checkToken(account, p.SecurityToken);
	return { accessKeyId: p.AccessKeyId, action: p.Action, signatureVersion: 'v2' };
}
