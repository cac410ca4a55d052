import { randomInt } from 'crypto';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { CredentialConfigError, headerValue, normalizeEndpoint } from '../nodes/common/credentials';
import { signLegacy } from '../nodes/signing/tencentLegacy';
import { signTc3, type TencentCredentials } from '../nodes/signing/tencentTc3';

/** API 3.0's endpoint for every region but the financial zones (Tencent routes it to the nearest region). */
export const TENCENT_DEFAULT_ENDPOINT = 'https://redis.tencentcloudapi.com';
/** The legacy CRS API (API 2.0). */
export const TENCENT_LEGACY_ENDPOINT = 'https://redis.api.qcloud.com';
/** The legacy API's path, below its endpoint or the credential's Endpoint. */
export const TENCENT_LEGACY_PATH = '/v2/index.php';
/** The product in TC3's credential scope. */
export const TENCENT_REDIS_SERVICE = 'redis';

export type TencentApiGeneration = 'api3' | 'legacy';

/** Financial zones (ap-shanghai-fsi, ap-shenzhen-fsi, …) are isolated: they answer only on their own domain. */
export function isFinancialRegion(region: string | undefined): boolean {
	return typeof region === 'string' && /-fsi$/.test(region.trim());
}

/** API 3.0's endpoint for a region: the regional domain for a financial zone, else the central one. */
export function tencentRegionalEndpoint(region?: string): string {
	const name = typeof region === 'string' ? region.trim() : '';
	if (!isFinancialRegion(name)) return TENCENT_DEFAULT_ENDPOINT;
	if (!/^[a-z0-9]+(-[a-z0-9]+)+$/.test(name)) {
		throw new CredentialConfigError(`"${name}" is not a Tencent Cloud region ID`);
	}
	return `https://redis.${name}.tencentcloudapi.com`;
}

/** The credential's Endpoint (or a test request's base URL) made a base URL; see common/credentials.ts. */
export function normalizeTencentEndpoint(value: string): string {
	return normalizeEndpoint(value, 'Tencent Cloud', TENCENT_DEFAULT_ENDPOINT);
}

/**
 * The base URL requests go to: the credential's Endpoint when set (both APIs: the legacy one at its path below
 * it), else API 3.0's endpoint for the region or the legacy API's endpoint. An Endpoint on Tencent's own API 3.0
 * domain (`redis.ap-guangzhou.tencentcloudapi.com`, the regional endpoint a user may well set) cannot serve the
 * legacy API: legacy calls then go to the legacy endpoint.
 */
export function tencentEndpoint(
	credentials: ICredentialDataDecryptedObject,
	region: string | undefined,
	api: TencentApiGeneration = 'api3',
): string {
	const override = typeof credentials.endpoint === 'string' ? credentials.endpoint.trim() : '';
	if (override) {
		const base = normalizeTencentEndpoint(override);
		if (api === 'legacy' && isApi3Host(base)) return TENCENT_LEGACY_ENDPOINT;
		return base;
	}
	return api === 'legacy' ? TENCENT_LEGACY_ENDPOINT : tencentRegionalEndpoint(region);
}

function isApi3Host(base: string): boolean {
	try {
		return /(^|\.)tencentcloudapi\.com$/i.test(new URL(base).hostname);
	} catch {
		return false;
	}
}

/**
 * The credential test's base URL, as an n8n expression: what `tencentEndpoint` gives for API 3.0 (the credential's
 * Endpoint, else the regional domain of a financial zone, else the central endpoint).
 */
export const TENCENT_TEST_BASE_URL =
	'={{ (String($credentials.endpoint || "").trim() || ("https://redis." + (/-fsi$/.test(String($credentials.region || "").trim()) ? String($credentials.region).trim() + "." : "") + "tencentcloudapi.com")).replace(/\\/+$/, "") }}';

function stringParams(qs: IHttpRequestOptions['qs']): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(qs ?? {})) {
		if (value === undefined || value === null) continue;
		out[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
	}
	return out;
}

/** Headers the signers set themselves; everything else the node sent (accept, …) is passed on unsigned. */
const SIGNER_HEADERS = new Set([
	'authorization',
	'content-type',
	'host',
	'x-tc-action',
	'x-tc-version',
	'x-tc-region',
	'x-tc-timestamp',
	'x-tc-token',
	'x-tc-language',
]);

function otherHeaders(headers: IHttpRequestOptions['headers']): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(headers ?? {})) {
		if (SIGNER_HEADERS.has(key.toLowerCase())) continue;
		if (value !== undefined && value !== null) out[key] = String(value);
	}
	return out;
}

function requestBody(body: IHttpRequestOptions['body']): string {
	if (typeof body === 'string') return body || '{}';
	if (body && typeof body === 'object' && !Buffer.isBuffer(body))
		return JSON.stringify(body as IDataObject);
	if (body === undefined || body === null) return '{}';
	throw new CredentialConfigError('A Tencent Cloud API 3.0 request takes a JSON body');
}

/** A signer's refusal (an input the node built wrongly) as a CredentialConfigError: nothing was sent. */
function signing<T>(sign: () => T): T {
	try {
		return sign();
	} catch (error) {
		throw new CredentialConfigError(
			`The Tencent Cloud request could not be signed: ${error instanceof Error ? error.message : String(error)}`,
		);
	}
}

/**
 * Signs one Tencent Cloud Redis call. What the node sends, and what becomes of it:
 * - API 3.0: `POST /` with headers X-TC-Action, X-TC-Version and X-TC-Region and the parameters as a JSON body.
 *   Sent to the credential's Endpoint, else `redis.tencentcloudapi.com` (a financial zone's own domain), signed with
 *   TC3-HMAC-SHA256 (timestamp now, X-TC-Token when there is a session token, X-TC-Language en-US).
 * - Legacy CRS API: `POST /v2/index.php` with headers X-TC-Action and X-TC-Region and the parameters in `qs`. Sent
 *   to the credential's Endpoint (at `/v2/index.php` below it), else `redis.api.qcloud.com`, signed with the API 2.0
 *   signature (HmacSHA256), a random Nonce per request, as a form body.
 * The request's region falls back to the credential's. A signed request is final: `qs` and `baseURL` are removed
 * so that nothing downstream re-encodes what was signed.
 */
export async function signTencentRequest(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
	now: number = Date.now(),
	nonce: number = randomInt(1, 2 ** 32),
): Promise<IHttpRequestOptions> {
	const action = headerValue(requestOptions.headers, 'x-tc-action');
	if (!action)
		throw new CredentialConfigError('A Tencent Cloud request needs the X-TC-Action header');
	const credentialRegion = typeof credentials.region === 'string' ? credentials.region.trim() : '';
	const region =
		headerValue(requestOptions.headers, 'x-tc-region')?.trim() || credentialRegion || undefined;
	const relative = requestOptions.url || '/';
	const legacy = relative.replace(/[?#].*$/, '') === TENCENT_LEGACY_PATH;
	const base = requestOptions.baseURL
		? normalizeTencentEndpoint(requestOptions.baseURL)
		: tencentEndpoint(credentials, region, legacy ? 'legacy' : 'api3');
	// The request's path is resolved below the endpoint's own path (a proxy prefix stays in the URL and the signature).
	let url: URL | undefined;
	try {
		url = new URL(relative.replace(/^\/+/, ''), `${base}/`);
	} catch {
		url = undefined;
	}
	if (!url) {
		throw new CredentialConfigError(
			`Cannot build a Tencent Cloud request URL from "${base}" and "${relative}"`,
		);
	}
	const keys: TencentCredentials = {
		secretId: String(credentials.secretId ?? '').trim(),
		// A key pasted with a trailing newline or space: Tencent keys are letters and digits only.
		secretKey: String(credentials.secretKey ?? '').trim(),
		sessionToken: String(credentials.sessionToken ?? '').trim() || undefined,
	};
	const timestamp = Math.floor(now / 1000);
	const passOn = otherHeaders(requestOptions.headers);

	if (legacy) {
		const signed = signing(() =>
			signLegacy(
				{
					method: 'POST',
					host: (url as URL).host,
					path: (url as URL).pathname,
					action,
					region,
					timestamp,
					nonce,
					signatureMethod: 'HmacSHA256',
					params: {
						...Object.fromEntries((url as URL).searchParams.entries()),
						...stringParams(requestOptions.qs),
					},
				},
				keys,
			),
		);
		return {
			...requestOptions,
			method: 'POST',
			baseURL: undefined,
			url: `${url.origin}${url.pathname}`,
			qs: undefined,
			headers: { ...passOn, 'Content-Type': 'application/x-www-form-urlencoded' },
			body: signed.queryString,
		};
	}

	const version = headerValue(requestOptions.headers, 'x-tc-version');
	if (!version) {
		throw new CredentialConfigError(
			'A Tencent Cloud API 3.0 request needs the X-TC-Version header',
		);
	}
	const body = requestBody(requestOptions.body);
	const query = {
		...Object.fromEntries(url.searchParams.entries()),
		...stringParams(requestOptions.qs),
	};
	const signed = signing(() =>
		signTc3(
			{
				method: 'POST',
				host: (url as URL).host,
				path: (url as URL).pathname,
				service: TENCENT_REDIS_SERVICE,
				action,
				version,
				region,
				language: 'en-US',
				timestamp,
				query,
				body,
				headers: passOn,
			},
			keys,
		),
	);
	return {
		...requestOptions,
		method: 'POST',
		baseURL: undefined,
		url: `${url.origin}${url.pathname}${signed.queryString ? `?${signed.queryString}` : ''}`,
		qs: undefined,
		headers: signed.headers,
		body,
	};
}

const CAM_TEST_ADVICE =
	'the CAM user may not call redis:DescribeInstances; attach the policy from the README';

/** Tencent's authentication error codes, in the words the credential test shows. */
export const TENCENT_TEST_ERRORS: Array<[string, string]> = [
	[
		'AuthFailure.SignatureFailure',
		'Tencent Cloud computed a different signature: the SecretKey is wrong',
	],
	[
		'AuthFailure.SecretIdNotFound',
		'Tencent Cloud does not know this SecretId (deleted or mistyped)',
	],
	['AuthFailure.InvalidSecretId', 'the SecretId is not valid (check it for stray characters)'],
	[
		'AuthFailure.SignatureExpire',
		"the n8n server's clock is more than 5 minutes off; set its time (NTP)",
	],
	['AuthFailure.TokenFailure', 'the Session Token is wrong or has expired'],
	['AuthFailure.InvalidAuthorization', 'Tencent Cloud could not read the signature'],
	['AuthFailure.MFAFailure', 'this key requires an MFA check that n8n cannot do'],
	['AuthFailure.UnauthorizedOperation', CAM_TEST_ADVICE],
	['UnauthorizedOperation', CAM_TEST_ADVICE],
	['UnauthorizedOperation.NoCAMAuthed', CAM_TEST_ADVICE],
	['IpNotInWhitelist', "the n8n server's IP address is not allowed for this key"],
	['RequestLimitExceeded', 'Tencent Cloud is rate-limiting this account; test again in a minute'],
	['UnsupportedRegion', 'Tencent Cloud Redis is not offered in the Default Region'],
	['InvalidParameterValue', 'check the Default Region (for example ap-guangzhou)'],
];

export class TencentCloudApi implements ICredentialType {
	name = 'tencentCloudApi';

	displayName = 'Tencent Cloud API';

	icon: Icon = {
		light: 'file:../icons/tencentCloud.svg',
		dark: 'file:../icons/tencentCloud.dark.svg',
	};

	documentationUrl =
		'https://github.com/cloud-redis-backups/n8n-nodes-cloud-redis-backups#tencent-cloud-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'SecretId',
			name: 'secretId',
			type: 'string',
			default: '',
			required: true,
			description: 'The SecretId of an API key (CAM console, API keys)',
		},
		{
			displayName: 'SecretKey',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Session Token',
			name: 'sessionToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only for temporary credentials (STS or a CAM role); leave empty for a permanent key',
		},
		{
			displayName: 'Default Region',
			name: 'region',
			type: 'string',
			default: 'ap-guangzhou',
			required: true,
			description:
				'Region ID used when a node does not set one, for example ap-guangzhou, ap-singapore or ap-shanghai-fsi',
		},
		{
			displayName: 'Endpoint',
			name: 'endpoint',
			type: 'string',
			default: '',
			placeholder: 'https://redis.tencentcloudapi.com',
			description:
				"Leave empty to use Tencent's endpoints (redis.tencentcloudapi.com; a financial zone's own domain such as redis.ap-shanghai-fsi.tencentcloudapi.com; redis.api.qcloud.com for the legacy API). Set a regional endpoint, a proxy or the local emulator here: both APIs then go to it (the legacy API at /v2/index.php). https:// is added when no scheme is given, and a path is kept.",
		},
	];

	authenticate = signTencentRequest;

	/**
	 * DescribeInstances with Limit 1, a cheap signed call. Tencent answers errors with HTTP 200 and
	 * `Response.Error.Code`, which n8n's tester would take for a success: the rules below word the codes (and the
	 * last rule catches any other answer without an instance list).
	 */
	test: ICredentialTestRequest = {
		request: {
			baseURL: TENCENT_TEST_BASE_URL,
			url: '/',
			method: 'POST',
			headers: {
				'X-TC-Action': 'DescribeInstances',
				'X-TC-Version': '2018-04-12',
				'Content-Type': 'application/json',
				accept: 'application/json',
			},
			body: { Limit: 1 },
			ignoreHttpStatusErrors: true,
		},
		rules: [
			...TENCENT_TEST_ERRORS.map(([code, message]) => ({
				type: 'responseSuccessBody' as const,
				properties: { key: 'Response.Error.Code', value: code, message: `${code}: ${message}` },
			})),
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'Response.InstanceSet',
					value: undefined,
					message:
						'The endpoint did not answer with an instance list: check the Endpoint and Default Region fields, then run a node to see the full error',
				},
			},
		],
	};
}
