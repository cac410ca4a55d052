/**
 * Alibaba Cloud R-KVStore (ApsaraDB for Redis / Tair, API version 2015-01-01) over RPC-style calls.
 * Knows the actions, their parameters and the cloud's error codes; signing is the credential's job and
 * sending is n8n's, so this file is handed a `send` function and stays testable without n8n.
 */
import type { IDataObject } from 'n8n-workflow';

import { headerValue } from '../../common/credentials';
import { CloudApiError, type CloudErrorKind } from '../../common/errors';
import { parseRetryAfter } from '../../common/retry';
import {
	type CallOptions,
	callWithRetry,
	type ClientOptions,
	exchange,
	jsonObjectOf,
	queryOf,
} from '../../common/transport';

export type { SendRequest } from '../../common/transport';

export const R_KVSTORE_VERSION = '2015-01-01';
export const ALIBABA_CREDENTIAL_TYPE = 'alibabaCloudApi';

const PEER = {
	provider: 'alibaba',
	label: 'Alibaba Cloud',
	notSentHint:
		'Fix the Endpoint (or the other fields) of the Alibaba Cloud credential; no request reached Alibaba Cloud.',
};

export type Params = Record<string, string | number | boolean | undefined | null>;

const AUTH_CODES = new Set([
	'InvalidAccessKeyId.NotFound',
	'InvalidAccessKeyId.Inactive',
	'InvalidAccessKeyId',
	'SignatureDoesNotMatch',
	'IncompleteSignature',
	'InvalidTimeStamp.Expired',
	'InvalidTimeStamp.Format',
	'SignatureNonceUsed',
	'InvalidSecurityToken.Expired',
	'InvalidSecurityToken.MismatchWithAccessKey',
	'InvalidSecurityToken.Malformed',
	'Forbidden.RAM',
	'Forbidden.NoPermission',
	'Forbidden',
	'NoPermission',
	'Forbidden.AccessKeyDisabled',
]);

const SERVER_CODES = new Set([
	'InternalError',
	'ServiceUnavailable',
	'UnknownError',
	'ServiceTimeout',
]);

/** Codes of the credential, signature, clock or RAM policy, whatever other codes of their family exist. */
const AUTH_CODE_FAMILY =
	/^(InvalidAccessKeyId|Signature|IncompleteSignature|InvalidTimeStamp|InvalidSecurityToken|MissingSecurityToken|Forbidden\.(RAM|NoPermission|AccessKey|Unauthorized)|NoPermission|InvalidAuthorization)/;

/**
 * Maps Alibaba's error Code and HTTP status to what the rest of the pack reasons about. Alibaba answers 403 also
 * for an instance in the wrong state (`IncorrectDBInstanceState`, a backup already running): those are about the
 * request, not access, so a 403 is 'auth' only for an auth code or when no code says otherwise.
 */
export function classifyAlibabaError(code: string | undefined, httpStatus: number): CloudErrorKind {
	if (code && /throttling/i.test(code)) return 'throttled';
	if (httpStatus === 429) return 'throttled';
	if (code && (AUTH_CODES.has(code) || AUTH_CODE_FAMILY.test(code))) return 'auth';
	if (code && SERVER_CODES.has(code)) return 'server';
	if (httpStatus >= 500) return 'server';
	if ((code && /NotFound$/.test(code)) || httpStatus === 404) return 'notFound';
	if (httpStatus === 401) return 'auth';
	if (httpStatus === 403) return code && code !== 'Forbidden' ? 'client' : 'auth';
	return 'client';
}

const KIND_HINTS: Record<CloudErrorKind, string> = {
	throttled:
		'Alibaba Cloud is rate-limiting this AccessKey; the node retried with backoff. Run fewer items at once or later.',
	server: 'Alibaba Cloud had an internal problem; try again later.',
	network: 'No answer from the endpoint; check the endpoint and the network.',
	auth: "Check the AccessKey ID and secret (and the STS token, if used), the RAM policy, and that this machine's clock is right.",
	notFound: 'Check the instance ID, the region and the backup or task ID.',
	client: 'Check the parameters of this operation.',
	malformed:
		'The endpoint did not answer like Alibaba Cloud; check the endpoint URL in the credential.',
	integrity:
		'The file received differs from what Alibaba Cloud reported; nothing was stored. Run the download again.',
	cancelled: 'The execution was cancelled.',
};

export function describeKind(kind: CloudErrorKind): string {
	return KIND_HINTS[kind];
}

export class AlibabaRedisClient {
	constructor(private readonly options: ClientOptions) {}

	/**
	 * One action. Reads (and idempotent writes) are retried on throttling, 5xx and lost answers; a
	 * non-idempotent call is retried only on throttling, which the cloud answers before doing anything.
	 */
	async call<T = IDataObject>(
		action: string,
		params: Params,
		options: CallOptions<T> = {},
	): Promise<T> {
		const qs = queryOf(params);
		return await callWithRetry(this.options, PEER, action, options, async () => {
			const body = await this.send(action, qs);
			const requestId = typeof body.RequestId === 'string' ? body.RequestId : undefined;
			return { body, requestId };
		});
	}

	private async send(action: string, qs: Record<string, string>): Promise<IDataObject> {
		const response = await exchange(this.options, PEER, action, {
			method: 'POST',
			url: '/',
			qs,
			headers: {
				'x-acs-action': action,
				'x-acs-version': R_KVSTORE_VERSION,
				accept: 'application/json',
			},
		});
		const status = response.statusCode;
		const body = jsonObjectOf(response.body);
		if (!body) {
			throw new CloudApiError(
				`Alibaba Cloud answered ${action} with HTTP ${status} and a body that is not JSON`,
				{
					provider: 'alibaba',
					kind: status >= 500 ? 'server' : 'malformed',
					httpStatus: status,
					action,
					body: typeof response.body === 'string' ? response.body.slice(0, 2000) : undefined,
				},
			);
		}
		if (status >= 200 && status < 300 && body.Code === undefined) return body;

		const code = typeof body.Code === 'string' ? body.Code : undefined;
		const kind = classifyAlibabaError(code, status);
		const message = typeof body.Message === 'string' ? body.Message : `HTTP ${status}`;
		throw new CloudApiError(
			`Alibaba Cloud rejected ${action}: ${message}${code ? ` (${code})` : ''}`,
			{
				provider: 'alibaba',
				kind,
				code,
				httpStatus: status,
				action,
				requestId: typeof body.RequestId === 'string' ? body.RequestId : undefined,
				recommend: typeof body.Recommend === 'string' ? body.Recommend : undefined,
				retryAfterMs: parseRetryAfter(
					headerValue(response.headers, 'x-acs-retry-after') ??
						headerValue(response.headers, 'retry-after'),
					Date.now(),
				),
				body,
			},
		);
	}
}
