import { createHash, createHmac, timingSafeEqual } from 'crypto';
import type { IncomingHttpHeaders } from 'http';
// The official SDK's own signing code: the emulator verifies with Tencent's code, never with ours, so a bug in our
// signer cannot be mirrored by a matching bug here.
import Sign from 'tencentcloud-sdk-nodejs-common/tencentcloud/common/sign';

import { Errors, LegacyErrors } from './errors';

export interface TencentAccount {
	secretId: string;
	secretKey: string;
	/** Temporary credentials: every request must carry this token (X-TC-Token, legacy `Token`). */
	token?: string;
	/** CAM denies this account these actions (true: every action): AuthFailure.UnauthorizedOperation, legacy 4300. */
	camDenied?: boolean | readonly string[];
}

/** Tencent's replay window: the request timestamp must be within 5 minutes of the server's clock, both APIs. */
export const SIGNATURE_WINDOW_MS = 5 * 60 * 1000;
export const API_VERSION = '2018-04-12';
export const SERVICE = 'redis';
const TC3 = 'TC3-HMAC-SHA256';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value.join(',') : value;
}

/** The host the SDK signs: the Host header's host name, lower-cased, without the port (Sign.sign3 uses URL.hostname). */
export function signedHostOf(hostHeader: string): string {
	return new URL(`http://${hostHeader.trim()}`).hostname.toLowerCase();
}

function sameText(a: string, b: string): boolean {
	const x = Buffer.from(a);
	const y = Buffer.from(b);
	return x.length === y.length && timingSafeEqual(x, y);
}

function denied(account: TencentAccount, action: string): boolean {
	const rule = account.camDenied;
	return rule === true || (Array.isArray(rule) && rule.includes(action));
}

function lookupAccount(accounts: ReadonlyMap<string, TencentAccount>, secretId: string) {
	const account = accounts.get(secretId);
	if (account) return account;
	// Tencent API keys start with AKID; anything else is not a cloud API key at all.
	throw /^AKID/.test(secretId) ? Errors.secretIdNotFound() : Errors.invalidSecretId();
}

export interface IncomingTc3Request {
	method: string;
	pathname: string;
	/** The query string exactly as sent, without `?` (signed verbatim). */
	rawQuery: string;
	headers: IncomingHttpHeaders;
	body: Buffer;
}

export interface Tc3Authenticated {
	account: TencentAccount;
	action: string;
	/** X-TC-Region, '' when absent. */
	region: string;
}

const AUTHORIZATION =
	/^TC3-HMAC-SHA256 Credential=([^/\s]+)\/(\d{4}-\d{2}-\d{2})\/([^/\s]+)\/tc3_request,\s*SignedHeaders=([a-z0-9;.-]+),\s*Signature=([0-9a-f]{64})$/;

/**
 * An API 3.0 request checked the way Tencent's gateway does, in this order: Authorization present and well formed,
 * Version, Action, timestamp window (±5 minutes), SecretId, signature, token, CAM. The signature is the SDK's own
 * Sign.sign3 over what was received: method, path, query string, content-type, the host name (no port, as the SDK
 * signs it) and the body's SHA-256.
 */
export function authenticateTc3(
	req: IncomingTc3Request,
	accounts: ReadonlyMap<string, TencentAccount>,
	knownActions: ReadonlySet<string>,
	now: number,
): Tc3Authenticated {
	const authorization = header(req.headers, 'authorization');
	if (!authorization) throw Errors.missingParameter('Authorization');
	const action = header(req.headers, 'x-tc-action');
	if (!action) throw Errors.missingParameter('Action');
	const version = header(req.headers, 'x-tc-version');
	if (!version) throw Errors.missingParameter('Version');
	const timestampText = header(req.headers, 'x-tc-timestamp');
	if (!timestampText) throw Errors.missingParameter('Timestamp');
	const match = AUTHORIZATION.exec(authorization.trim());
	if (!match) throw Errors.invalidAuthorization('Expected "TC3-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".');
	const [, secretId, scopeDate, service, signedList, signature] = match;
	const signed = signedList.split(';');
	if (!signed.includes('content-type') || !signed.includes('host')) {
		throw Errors.invalidAuthorization('SignedHeaders must include content-type and host.');
	}
	if (version !== API_VERSION) throw Errors.noSuchVersion(version);
	if (!knownActions.has(action)) throw Errors.invalidAction(action);

	if (!/^\d{1,12}$/.test(timestampText)) {
		throw Errors.invalidParameterValue('The X-TC-Timestamp header must be a UNIX time in whole seconds.');
	}
	const timestamp = Number(timestampText);
	if (Math.abs(now - timestamp * 1000) > SIGNATURE_WINDOW_MS) {
		throw Errors.signatureExpire(timestamp, Math.floor(now / 1000));
	}
	const account = lookupAccount(accounts, secretId);

	const host = header(req.headers, 'host') ?? '';
	const contentType = (header(req.headers, 'content-type') ?? '').trim().toLowerCase();
	const scopeOk = service === SERVICE && scopeDate === new Date(timestamp * 1000).toISOString().slice(0, 10);
	const expected = scopeOk
		? signed.length === 2 && signedList === 'content-type;host'
			? sdkSignature(req, host, contentType, timestamp, account)
			: extendedSignature(req, signed, host, timestamp, account.secretKey)
		: undefined;
	if (expected === undefined || !sameText(expected, signature)) throw Errors.signatureFailure();

	const token = header(req.headers, 'x-tc-token');
	if (account.token ? token !== account.token : token) throw Errors.tokenFailure();
	const region = header(req.headers, 'x-tc-region') ?? '';
	if (denied(account, action)) throw Errors.unauthorizedOperation(action, region || 'ap-guangzhou');
	return { account, action, region };
}

/** What the SDK (Sign.sign3) computes for this request, as its hex signature. */
function sdkSignature(req: IncomingTc3Request, host: string, contentType: string, timestamp: number, account: TencentAccount) {
	const url = `http://${signedHostOf(host)}${req.pathname}${req.rawQuery ? `?${req.rawQuery}` : ''}`;
	const authorization = Sign.sign3({
		method: req.method,
		url,
		payload: req.body,
		timestamp,
		service: SERVICE,
		secretId: account.secretId,
		secretKey: account.secretKey,
		multipart: false,
		boundary: '',
		headers: { 'Content-Type': contentType },
	});
	return /Signature=([0-9a-f]+)$/.exec(authorization)?.[1];
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * Further signed headers (Tencent's current worked example adds x-tc-action). The SDK's Sign.sign3 only ever signs
 * content-type and host, so this case is computed here, from the documented algorithm: each signed header as
 * `name:value` lower-cased and trimmed (host without its port), names sorted.
 */
function extendedSignature(
	req: IncomingTc3Request,
	signed: string[],
	host: string,
	timestamp: number,
	secretKey: string,
): string | undefined {
	const sorted = [...signed].sort();
	if (sorted.join(';') !== signed.join(';')) return undefined;
	const lines: string[] = [];
	for (const name of signed) {
		const value = name === 'host' ? signedHostOf(host) : header(req.headers, name);
		if (value === undefined) return undefined;
		lines.push(`${name}:${value.trim().toLowerCase()}\n`);
	}
	const canonical = [req.method, req.pathname, req.rawQuery, lines.join(''), signed.join(';'), sha256Hex(req.body)].join('\n');
	const date = new Date(timestamp * 1000).toISOString().slice(0, 10);
	const stringToSign = `${TC3}\n${timestamp}\n${date}/${SERVICE}/tc3_request\n${sha256Hex(canonical)}`;
	const key = hmac(hmac(hmac(`TC3${secretKey}`, date), SERVICE), 'tc3_request');
	return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

// ---- Legacy API (API 2.0 signature) -----------------------------------------------------------------------------

/** (SecretId, Timestamp, Nonce) triples seen within the window: Tencent's Nonce "together with Timestamp prevents
 * replay attacks". Older ones cannot be replayed anyway (their timestamp would be expired). */
export class LegacyNonceStore {
	private readonly seen = new Map<string, number>();

	/** false if this triple was already used. */
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

export interface IncomingLegacyRequest {
	method: string;
	/** The Host header as sent: host name plus `:port` when not the default port. */
	host: string;
	pathname: string;
	/** Query (GET) or form body (POST) parameters, decoded. */
	params: Record<string, string>;
}

export interface LegacyAuthenticated {
	account: TencentAccount;
	action: string;
}

/** The API 2.0 source string: METHOD + host + path + `?` + every parameter but Signature, sorted by name, `k=v`
 * joined with `&`, values not encoded (the SDK's formatSignString). */
export function legacyStringToSign(method: string, host: string, pathname: string, params: Record<string, string>): string {
	const pairs = Object.keys(params)
		.filter((name) => name !== 'Signature')
		.sort()
		.map((name) => `${name}=${params[name]}`);
	return `${method.toUpperCase()}${host}${pathname}?${pairs.join('&')}`;
}

/**
 * A legacy request checked in this order: common parameters present, Action known, timestamp window, SecretId,
 * SignatureMethod, signature (the SDK's Sign.sign: HmacSHA1 unless SignatureMethod says HmacSHA256), nonce replay,
 * token, CAM.
 */
export function authenticateLegacy(
	req: IncomingLegacyRequest,
	accounts: ReadonlyMap<string, TencentAccount>,
	knownActions: ReadonlySet<string>,
	now: number,
	nonces: LegacyNonceStore,
): LegacyAuthenticated {
	const p = req.params;
	for (const name of ['Action', 'Region', 'Timestamp', 'Nonce', 'SecretId', 'Signature']) {
		if (!p[name]) throw LegacyErrors.missingParameter(name);
	}
	if (!knownActions.has(p.Action)) throw LegacyErrors.unknownAction(p.Action);
	if (!/^\d{1,12}$/.test(p.Timestamp)) throw LegacyErrors.invalidParameter('(100003)Timestamp must be a UNIX time in seconds');
	if (!/^\d{1,20}$/.test(p.Nonce)) throw LegacyErrors.invalidParameter('(100003)Nonce must be a positive integer');
	if (Math.abs(now - Number(p.Timestamp) * 1000) > SIGNATURE_WINDOW_MS) throw LegacyErrors.expired();
	const account = accounts.get(p.SecretId);
	if (!account) throw LegacyErrors.authFailure('the SecretId does not exist');
	const method = p.SignatureMethod ?? 'HmacSHA1';
	if (method !== 'HmacSHA1' && method !== 'HmacSHA256') {
		throw LegacyErrors.invalidParameter('(100003)SignatureMethod must be HmacSHA1 or HmacSHA256');
	}
	const expected = Sign.sign(account.secretKey, legacyStringToSign(req.method, req.host, req.pathname, p), method);
	if (!sameText(expected, p.Signature)) throw LegacyErrors.authFailure('the signature does not match');
	if (!nonces.use(`${p.SecretId}\n${p.Timestamp}\n${p.Nonce}`, now)) throw LegacyErrors.replayAttack();
	if (account.token ? p.Token !== account.token : p.Token) throw LegacyErrors.authFailure('the Token is invalid');
	if (denied(account, p.Action)) throw LegacyErrors.accessDenied(p.Action);
	return { account, action: p.Action };
}
