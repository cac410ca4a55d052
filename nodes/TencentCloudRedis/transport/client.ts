/**
 * Tencent Cloud Redis over API 3.0 (version 2018-04-12, POST JSON, answers `{"Response": {...}}`) and the legacy
 * CRS API (API 2.0, `/v2/index.php`, answers `{code, message, codeDesc, ...}`). Knows the actions and the cloud's
 * error codes; signing and the endpoint are the credential's job and sending is n8n's, so this file is handed a
 * `send` function and stays testable without n8n.
 *
 * What the node sends (the credential's `authenticate` turns it into a signed request):
 * - API 3.0: `POST /`, headers X-TC-Action, X-TC-Version and X-TC-Region, the parameters as a JSON string body.
 * - Legacy: `POST /v2/index.php`, headers X-TC-Action and X-TC-Region, the parameters as strings in `qs`.
 */
import type { IDataObject, IN8nHttpFullResponse } from 'n8n-workflow';

import { headerValue } from '../../common/credentials';
import { isRecord, nonEmptyString } from '../../common/decode';
import { CloudApiError, type CloudErrorKind } from '../../common/errors';
import { parseRetryAfter } from '../../common/retry';
import {
	type CallOptions as CommonCallOptions,
	callWithRetry,
	type ClientOptions,
	exchange,
	jsonObjectOf,
	queryOf,
	setParams,
} from '../../common/transport';

export type { SendRequest } from '../../common/transport';

export const REDIS_API_VERSION = '2018-04-12';
export const TENCENT_CREDENTIAL_TYPE = 'tencentCloudApi';
/** The legacy CRS API's path, below the legacy endpoint (or the credential's Endpoint). */
export const LEGACY_PATH = '/v2/index.php';

const PROVIDER = 'tencent';
const LABEL = 'Tencent Cloud';
const PEER = {
	provider: PROVIDER,
	label: LABEL,
	notSentHint:
		'Fix the Endpoint (or the other fields) of the Tencent Cloud credential; no request reached Tencent Cloud.',
};
const LEGACY_PEER = { provider: PROVIDER, label: `${LABEL} (legacy CRS API)` };

export interface CallOptions<T> extends CommonCallOptions<T> {
	/** X-TC-Region (legacy: the Region parameter). */
	region?: string | null;
}

/** API 3.0 parameters: JSON values (Status is a list of integers). */
export type Params = Record<string, unknown>;
export type LegacyParams = Record<string, string | number | undefined | null>;

// ---- Error codes -----------------------------------------------------------------------------------------------

/** Tencent documents 20 requests per second per API for the Redis actions. */
export const DOCUMENTED_RATE_LIMIT = '20 requests per second per API';

const CAM_ADVICE =
	'The CAM user or role behind this SecretId may not do this: attach the least-privilege policy from the README (redis:DescribeInstances, redis:DescribeInstanceBackups, redis:DescribeBackupUrl, redis:DescribeTaskInfo, redis:ManualBackupInstance) in the CAM console.';
const CLOCK_ADVICE =
	"The request's timestamp is more than 5 minutes off Tencent Cloud's clock: set the n8n server's time (NTP), then run the node again.";

/**
 * Maps API 3.0's `Response.Error.Code` and the HTTP status to what the rest of the pack reasons about:
 * RequestLimitExceeded* throttled; AuthFailure.*, UnauthorizedOperation* and the IP allow/deny lists auth;
 * InternalError* and ServiceUnavailable server; ResourceNotFound* (and codes ending NotExist(s)/NotFound)
 * notFound; everything else (InvalidParameter*, MissingParameter, UnknownParameter, and an instance in the wrong
 * state: FailedOperation*, ResourceUnavailable*, UnsupportedOperation*) is about the request, not about access:
 * 'client'. Tencent answers errors with HTTP 200; a code always wins over the status.
 */
export function classifyTencentError(code: string | undefined, httpStatus: number): CloudErrorKind {
	if (code) {
		if (/^RequestLimitExceeded/.test(code)) return 'throttled';
		if (/^(AuthFailure|UnauthorizedOperation)/.test(code)) return 'auth';
		if (/^(IpNotInWhitelist|IpInBlacklist)/.test(code)) return 'auth';
		// Redis's own "no CAM permission" code is filed under InvalidParameter.
		if (code === 'InvalidParameter.PermissionDenied') return 'auth';
		// Redis reports its internal failures as FailedOperation.SystemError: a server problem (retried for reads;
		// Create is never re-sent whatever the kind).
		if (/^(InternalError|ServiceUnavailable)/.test(code) || code === 'FailedOperation.SystemError') return 'server';
		// ResourceNotFound.*, and the parameter codes that say what was not found (InvalidParameterValue.BackupNotExists).
		if (/^ResourceNotFound|NotExists?$|NotFound$/.test(code)) return 'notFound';
		return 'client';
	}
	if (httpStatus === 429) return 'throttled';
	if (httpStatus >= 500) return 'server';
	if (httpStatus === 404) return 'notFound';
	if (httpStatus === 401 || httpStatus === 403) return 'auth';
	return 'client';
}

/** Advice for one API 3.0 code, where the kind's general advice would not say what to do. */
export function tencentErrorHint(code: string | undefined): string | undefined {
	if (!code) return undefined;
	if (code === 'AuthFailure.SignatureExpire') return CLOCK_ADVICE;
	if (code === 'AuthFailure.SignatureFailure')
		return 'Tencent Cloud computed a different signature: the SecretKey is wrong (check it for stray characters).';
	if (code === 'AuthFailure.SecretIdNotFound' || code === 'AuthFailure.InvalidSecretId')
		return 'Tencent Cloud does not know this SecretId (deleted, disabled or mistyped): check it under API keys in the CAM console.';
	if (code === 'AuthFailure.TokenFailure')
		return 'The Session Token is wrong or has expired: get new temporary credentials (or empty the field for a permanent key).';
	if (code === 'AuthFailure.MFAFailure')
		return 'This key requires an MFA check that n8n cannot do.';
	if (
		code === 'AuthFailure.UnauthorizedOperation' ||
		code === 'InvalidParameter.PermissionDenied' ||
		/^UnauthorizedOperation/.test(code)
	)
		return CAM_ADVICE;
	if (/^(IpNotInWhitelist|IpInBlacklist)/.test(code))
		return "The n8n server's IP address is not allowed by this key's IP restrictions in the CAM console.";
	if (/^RequestLimitExceeded/.test(code))
		return `Tencent Cloud limits these calls (${DOCUMENTED_RATE_LIMIT}); the node retried with backoff. Run fewer items at once or later.`;
	if (/^(ResourceUnavailable|FailedOperation|UnsupportedOperation)/.test(code))
		return 'The instance cannot do this now (another task may be running on it, or it is not running): check it in the Tencent Cloud console and try again later.';
	if (
		code === 'UnsupportedRegion' ||
		/^InvalidParameterValue\.(Region|UnSupportedRegion)/i.test(code)
	)
		return 'Tencent Cloud Redis is not offered in this region: check the Region (financial zones such as ap-shanghai-fsi need their own endpoint).';
	return undefined;
}

/**
 * The legacy API's numeric `code`: 4000 bad parameters, 4100 authentication failed, 4200 signature expired (the
 * clock), 4300 denied (CAM), 4400 over the call quota, 4500 replay (the nonce and timestamp were seen before),
 * 5000 resource not found, 5100 operation failed, 6000 server error; other codes are the action's own, about the
 * request (11201 InvalidParameter, 10711 BackupStatusAbnormal), or not found where their codeDesc says so (10701
 * InstanceNotExists, 11213 BackupNotExists).
 *
 * 4500 is 'network': it says the very same signed request reached Tencent twice, so something between n8n and
 * Tencent (a proxy) repeated it, and the first copy may have been carried out: an ambiguous outcome, retried (with
 * a new nonce: the credential signs every try afresh) only for calls that may be repeated. Every legacy call is a
 * read, so in practice it is retried.
 */
export function classifyLegacyError(code: number, codeDesc?: string): CloudErrorKind {
	switch (code) {
		case 4100:
		case 4101:
		case 4102:
		case 4103:
		case 4104:
		case 4105:
		case 4106:
		case 4110:
		case 4200:
		case 4300:
			// 4101-4106 and 4110 are CAM's: a sub-account not authorised, a key not found, a bad token, MFA.
			return 'auth';
		case 4400:
			return 'throttled';
		case 4500:
			return 'network';
		case 5000:
			return 'notFound';
		case 6000:
		case 6100:
		case 6200:
			// 6100 and 6200: the API is temporarily unavailable.
			return 'server';
		default:
			return codeDesc && /NotExists?$|NotFound$/.test(codeDesc) ? 'notFound' : 'client';
	}
}

export function legacyErrorHint(code: number): string | undefined {
	switch (code) {
		case 4100:
			return 'The legacy API could not authenticate this request: check the SecretId and SecretKey (and the Session Token, if used).';
		case 4200:
			return CLOCK_ADVICE;
		case 4101:
		case 4102:
		case 4300:
			return CAM_ADVICE;
		case 4400:
			return 'The legacy API refused the call: over its call quota. Run fewer items at once or later.';
		case 4500:
			return 'Tencent Cloud received this signed request twice: something between n8n and Tencent Cloud (a proxy) repeats requests. The node retried it with a new nonce.';
		default:
			return undefined;
	}
}

const KIND_HINTS: Record<CloudErrorKind, string> = {
	throttled: `Tencent Cloud is rate-limiting this account (${DOCUMENTED_RATE_LIMIT}); the node retried with backoff. Run fewer items at once or later.`,
	server: 'Tencent Cloud had an internal problem; try again later.',
	network: 'No answer from the endpoint; check the endpoint and the network.',
	auth: "Check the SecretId and SecretKey (and the Session Token, if used), the CAM policy (see the README), and that this machine's clock is right.",
	notFound: 'Check the instance ID, the region and the backup or task ID.',
	client: 'Check the parameters of this operation.',
	malformed:
		'The endpoint did not answer like Tencent Cloud; check the Endpoint in the credential.',
	integrity:
		'The file received differs from what Tencent Cloud reported; nothing was stored. Run the download again.',
	cancelled: 'The execution was cancelled.',
};

export function describeKind(kind: CloudErrorKind): string {
	return KIND_HINTS[kind];
}

/**
 * A code's own hint says what went wrong; for a credential problem of an API call the general advice (which key,
 * which CAM policy, the clock) still applies, so it follows the hint.
 */
function apiHint(kind: CloudErrorKind, hint: string | undefined): string | undefined {
	return hint && kind === 'auth' ? `${hint} ${describeKind(kind)}` : hint;
}

// ---- The client ------------------------------------------------------------------------------------------------

export class TencentRedisClient {
	constructor(private readonly options: ClientOptions) {}

	/**
	 * One API 3.0 action. Reads (and idempotent writes) are retried on throttling, 5xx and lost answers; a
	 * non-idempotent call is retried only on throttling, which the cloud answers before doing anything.
	 */
	async call<T = IDataObject>(
		action: string,
		params: Params,
		{ region, ...options }: CallOptions<T> = {},
	): Promise<T> {
		const body = JSON.stringify(setParams(params));
		return await callWithRetry(this.options, PEER, action, options, async () => {
			const response = await this.sendApi3(action, region ?? undefined, body);
			return { body: response, requestId: nonEmptyString(response.RequestId) };
		});
	}

	/** One legacy CRS API action (all of ours are reads): the whole answer (`code`, `totalCount`, `data`) is decoded. */
	async callLegacy<T = IDataObject>(
		action: string,
		params: LegacyParams,
		{ region, ...options }: CallOptions<T> = {},
	): Promise<T> {
		const qs = queryOf(params);
		return await callWithRetry(this.options, LEGACY_PEER, action, options, async () => {
			const body = await this.sendLegacy(action, region ?? undefined, qs);
			return { body, requestId: nonEmptyString(body.requestId ?? body.RequestId) };
		});
	}

	private notJson(action: string, response: IN8nHttpFullResponse, what: string): CloudApiError {
		const status = response.statusCode;
		return new CloudApiError(`${LABEL} answered ${action} with HTTP ${status} and ${what}`, {
			provider: PROVIDER,
			kind: status >= 500 ? 'server' : status === 429 ? 'throttled' : 'malformed',
			httpStatus: status,
			action,
			body: typeof response.body === 'string' ? response.body.slice(0, 2000) : undefined,
		});
	}

	private async sendApi3(
		action: string,
		region: string | undefined,
		body: string,
	): Promise<IDataObject> {
		const headers: Record<string, string> = {
			'X-TC-Action': action,
			'X-TC-Version': REDIS_API_VERSION,
			'Content-Type': 'application/json',
			accept: 'application/json',
		};
		if (region) headers['X-TC-Region'] = region;
		const response = await exchange(this.options, PEER, action, {
			method: 'POST',
			url: '/',
			headers,
			body,
		});
		const status = response.statusCode;
		const parsed = jsonObjectOf(response.body);
		if (!parsed) throw this.notJson(action, response, 'a body that is not JSON');
		const inner = parsed.Response;
		if (!isRecord(inner)) throw this.notJson(action, response, 'no "Response" in its answer');
		const requestId = nonEmptyString(inner.RequestId);
		const error = inner.Error;
		if (error === undefined || error === null) {
			if (status >= 200 && status < 300) return inner as IDataObject;
			// An answer without an error object on a failed HTTP status: judged by the status.
			throw new CloudApiError(`${LABEL} rejected ${action}: HTTP ${status}`, {
				provider: PROVIDER,
				kind: classifyTencentError(undefined, status),
				httpStatus: status,
				action,
				requestId,
				body: parsed,
			});
		}
		const code = isRecord(error) ? nonEmptyString(error.Code) : undefined;
		const message =
			isRecord(error) && typeof error.Message === 'string' && error.Message !== ''
				? error.Message
				: `HTTP ${status}`;
		const kind = classifyTencentError(code, status);
		throw new CloudApiError(`${LABEL} rejected ${action}: ${message}${code ? ` (${code})` : ''}`, {
			provider: PROVIDER,
			kind,
			code,
			httpStatus: status,
			action,
			requestId,
			hint: apiHint(kind, tencentErrorHint(code)),
			retryAfterMs: parseRetryAfter(headerValue(response.headers, 'retry-after'), Date.now()),
			body: parsed,
		});
	}

	private async sendLegacy(
		action: string,
		region: string | undefined,
		qs: Record<string, string>,
	): Promise<IDataObject> {
		const headers: Record<string, string> = { 'X-TC-Action': action, accept: 'application/json' };
		if (region) headers['X-TC-Region'] = region;
		const response = await exchange(this.options, PEER, action, {
			method: 'POST',
			url: LEGACY_PATH,
			headers,
			qs,
		});
		const status = response.statusCode;
		const parsed = jsonObjectOf(response.body);
		if (!parsed) throw this.notJson(action, response, 'a body that is not JSON');
		const rawCode = parsed.code;
		const code =
			typeof rawCode === 'number'
				? rawCode
				: typeof rawCode === 'string' && /^-?\d+$/.test(rawCode.trim())
					? Number(rawCode)
					: undefined;
		if (code === undefined) {
			throw this.notJson(action, response, 'no numeric "code" in its answer');
		}
		if (code === 0 && status >= 200 && status < 300) return parsed;
		const codeDesc = nonEmptyString(parsed.codeDesc);
		const message = nonEmptyString(parsed.message) ?? codeDesc ?? `HTTP ${status}`;
		const kind =
			code === 0 ? classifyTencentError(undefined, status) : classifyLegacyError(code, codeDesc);
		throw new CloudApiError(
			`${LABEL} (legacy CRS API) rejected ${action}: ${message} (code ${code}${codeDesc && codeDesc !== message ? `, ${codeDesc}` : ''})`,
			{
				provider: PROVIDER,
				kind,
				code: String(code),
				httpStatus: status,
				action,
				requestId: nonEmptyString(parsed.requestId ?? parsed.RequestId),
				hint: apiHint(kind, legacyErrorHint(code)),
				body: parsed,
			},
		);
	}
}
