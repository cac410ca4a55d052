/**
 * UCloud's API (one endpoint for every region, answers `{"Action": "<Action>Response", "RetCode": 0, ...}`, errors
 * with HTTP 200 and a non-zero RetCode and a Message). Knows the actions' wire shape and UCloud's codes; signing and
 * the endpoint are the credential's job and sending is n8n's, so this file is handed a `send` function and stays
 * testable without n8n.
 *
 * What the node sends (the credential's `authenticate` turns it into a signed form POST): `POST /` with the call's
 * parameters as an object in `body`: `Action`, `Region` and the action's own parameters.
 */
import type { IDataObject } from 'n8n-workflow';

import { headerValue } from '../../common/credentials';
import { nonEmptyString } from '../../common/decode';
import { CloudApiError, type CloudErrorKind } from '../../common/errors';
import { parseRetryAfter } from '../../common/retry';
import {
	type Answer,
	type CallOptions,
	callWithRetry,
	type ClientOptions,
	exchange,
	jsonObjectOf,
	setParams,
} from '../../common/transport';

export type { SendRequest } from '../../common/transport';

export const UCLOUD_CREDENTIAL_TYPE = 'uCloudApi';

const PROVIDER = 'ucloud';
const LABEL = 'UCloud';
const PEER = {
	provider: PROVIDER,
	label: LABEL,
	notSentHint:
		'Fix the Endpoint (or the keys) of the UCloud credential; no request reached UCloud.',
};

/** The response header UCloud's SDKs read the request's ID from. */
export const REQUEST_ID_HEADER = 'x-ucloud-request-uuid';

/** An action's parameters; undefined, null and '' are left out (as the SDKs leave unset fields out). */
export type Params = Record<string, string | number | boolean | undefined | null>;

// ---- Error codes -----------------------------------------------------------------------------------------------

/**
 * UCloud's common RetCodes (the API's public "错误码" table) and the URedis (UMem) codes the node can meet, by kind:
 * - throttled: 153 (API request rate limited), and a Message that says so.
 * - server: 110 (API timeout, 60 s), 130 (API gateway or authentication service abnormal), 150 (service
 *   unavailable), 20202 (UMem: getting information failed, retry later), and a Message saying internal error or busy.
 * - auth: 170 (missing signature), 171 (signature error: the private key), 172 (user does not exist: the public key),
 *   174 (token does not exist), 292 (project does not exist), 293 (zone permission), 294 (access IP refused), 295
 *   (security lock), 299 (IAM permission check failed).
 * - notFound: 230 "Params [GroupId|BackupId] not available" (what UCloud answers for an ID it does not know), and a
 *   Message saying "not exist" / "not found" (other than the codes above).
 * - client: everything else: 160/161 (missing or unknown Action), 100 and 230 (a parameter missing or refused), 20203
 *   (UMem: creation failed, e.g. a backup already running), 20208 (UMem: too many backups).
 * UCloud answers errors with HTTP 200: a RetCode always wins over the status; a status without a RetCode is judged
 * as HTTP (429 throttled, 5xx server). ucloud-sdk-go retries RetCode >= 2000 and HTTP 429/502/503/504; we retry by
 * kind (common/retry.ts), so a business code that says the request was wrong is not repeated.
 */
const AUTH_CODES = new Set([170, 171, 172, 174, 292, 293, 294, 295, 299]);
const SERVER_CODES = new Set([110, 130, 150, 20202]);
const THROTTLE_CODES = new Set([153]);
const THROTTLE_MESSAGE = /rate.?limit|too many requests|throttl|频率|频繁|限流/i;
const SERVER_MESSAGE =
	/internal (server )?error|system error|service (is )?(currently )?unavailable|busy|内部错误|系统错误|繁忙/i;
const NOT_FOUND_MESSAGE = /not exists?\b|not found|does not exist|不存在/i;
const UNKNOWN_ID_PARAM = /Params? \[(GroupId|BackupId)\] not available/i;

export function classifyUCloudError(
	retCode: number | undefined,
	message: string | undefined,
	httpStatus: number,
): CloudErrorKind {
	if (retCode !== undefined && retCode !== 0) {
		if (THROTTLE_CODES.has(retCode)) return 'throttled';
		if (AUTH_CODES.has(retCode)) return 'auth';
		if (SERVER_CODES.has(retCode)) return 'server';
		if (retCode === 160 || retCode === 161) return 'client';
		const text = message ?? '';
		if (retCode === 230) return UNKNOWN_ID_PARAM.test(text) ? 'notFound' : 'client';
		if (THROTTLE_MESSAGE.test(text)) return 'throttled';
		if (NOT_FOUND_MESSAGE.test(text)) return 'notFound';
		if (SERVER_MESSAGE.test(text)) return 'server';
		return 'client';
	}
	if (httpStatus === 429) return 'throttled';
	if (httpStatus >= 500) return 'server';
	if (httpStatus === 404) return 'notFound';
	if (httpStatus === 401 || httpStatus === 403) return 'auth';
	return 'client';
}

const IAM_ADVICE =
	"The key's account may not do this: a sub-account needs UMem (URedis) permissions in UCloud IAM (DescribeURedisGroup, DescribeURedisBackup, DescribeURedisBackupURL, CreateURedisBackup) and the Project ID of the project the instance is in.";

/** Advice for one RetCode, where the kind's general advice would not say what to do. */
export function ucloudErrorHint(retCode: number | undefined, message?: string): string | undefined {
	switch (retCode) {
		case 171:
			return 'Signature VerifyAC Error: UCloud computed a different signature, so the Private Key is wrong or belongs to another Public Key (check both for stray characters in the credential).';
		case 172:
			return 'UCloud does not know this Public Key (deleted, disabled or mistyped): check it under API keys in the UCloud console.';
		case 170:
			return 'UCloud found no signature on the request: something between n8n and UCloud (a proxy) dropped the form body.';
		case 174:
			return 'The token of this temporary key does not exist or has expired.';
		case 292:
			return 'The Project ID of the credential does not exist for this account: check it in the UCloud console (Projects), or empty it to use the default project.';
		case 293:
			return 'This key may not use this zone: check the Zone, and the zone permissions of the sub-account in UCloud IAM.';
		case 294:
			return "UCloud refused the n8n server's IP address: the key's IP allow-list does not include it.";
		case 295:
			return "The account's API security lock (UCloud console, security settings) blocks this call.";
		case 299:
			return IAM_ADVICE;
		case 153:
			return 'UCloud limits the rate of API calls (RetCode 153); the node retried with backoff. Run fewer items at once or later.';
		case 150:
			return 'UCloud says URedis is unavailable: it may not be offered in this region (check the Region), or it is briefly down (try again later).';
		case 110:
		case 130:
			return "UCloud's API gateway did not get an answer in time; try again later.";
		case 160:
		case 161:
			return 'The endpoint does not know this URedis action: check the Endpoint of the credential (UCloud: https://api.ucloud.cn).';
		case 20202:
			return 'UCloud could not read the information now (获取信息失败); try again later.';
		case 20203:
			return 'UCloud could not start the backup (创建失败): another backup of the instance may still be running, or the instance is not Running. Try again later.';
		case 20208:
			return 'The instance has as many backups as UCloud allows: delete old manual backups in the UCloud console, or ask UCloud support to raise the limit.';
		case 230:
		case 100:
			if (message && /ProjectId/i.test(message))
				return "UCloud wants a Project ID: a sub-account's key must set the Project ID in the credential.";
			if (message && /\[(Region|Zone)\]/i.test(message))
				return 'UCloud refused the Region or Zone: check them (for example cn-bj2 and cn-bj2-02; a zone belongs to its region).';
			if (message && UNKNOWN_ID_PARAM.test(message))
				return 'Check the instance (group) ID, the region it is in, and the backup ID.';
			return undefined;
		default:
			return undefined;
	}
}

const KIND_HINTS: Record<CloudErrorKind, string> = {
	throttled:
		'UCloud limits the rate of API calls for this account; the node retried with backoff. Run fewer items at once or later.',
	server: 'UCloud had an internal problem, or URedis was briefly unavailable; try again later.',
	network: 'No answer from the endpoint; check the Endpoint in the credential and the network.',
	auth: "Check the Public Key and Private Key (UCloud console, API keys), the Project ID (a sub-account's key must set it) and the key's permissions in UCloud IAM.",
	notFound: 'Check the instance (group) ID, the region and the backup ID.',
	client: 'Check the parameters of this operation (Region, Zone, Backup Name).',
	malformed: "The endpoint did not answer like UCloud's API; check the Endpoint in the credential.",
	integrity:
		'The file received is not the size UCloud reported; nothing was stored. Run the download again.',
	cancelled: 'The execution was cancelled.',
};

export function describeKind(kind: CloudErrorKind): string {
	return KIND_HINTS[kind];
}

/** For a credential problem the general advice (which key, the project, IAM) still applies after the code's own. */
function apiHint(kind: CloudErrorKind, hint: string | undefined): string | undefined {
	return hint && kind === 'auth' && hint !== IAM_ADVICE ? `${hint} ${describeKind(kind)}` : hint;
}

// ---- The client ------------------------------------------------------------------------------------------------

/** RetCode as a number: UCloud sends an integer; a digit string is read too. */
function retCodeOf(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isInteger(value)) return value;
	if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
	return undefined;
}

export class UCloudRedisClient {
	constructor(private readonly options: ClientOptions) {}

	/**
	 * One action. Reads are retried on throttling, server errors and lost answers; a non-idempotent call (Create) is
	 * retried only on throttling, which UCloud answers before doing anything.
	 */
	async call<T = IDataObject>(
		action: string,
		params: Params,
		options: CallOptions<T> = {},
	): Promise<T> {
		const body: IDataObject = { Action: action, ...setParams(params) };
		const attempt = async () => await this.send(action, body);
		return await callWithRetry(this.options, PEER, action, options, attempt);
	}

	private async send(action: string, body: IDataObject): Promise<Answer> {
		const response = await exchange(this.options, PEER, action, {
			method: 'POST',
			url: '/',
			// A fresh copy per try: the credential signs every try afresh.
			body: { ...body },
			headers: { accept: 'application/json' },
		});
		const status = response.statusCode;
		const requestId = nonEmptyString(headerValue(response.headers, REQUEST_ID_HEADER));
		const retryAfterMs = parseRetryAfter(headerValue(response.headers, 'retry-after'), Date.now());
		const parsed = jsonObjectOf(response.body);
		const retCode = parsed ? retCodeOf(parsed.RetCode) : undefined;
		if (!parsed || retCode === undefined) {
			// Not UCloud's answer: judged by the HTTP status (a gateway's 429 or 5xx), else unreadable.
			const what = parsed ? 'no RetCode in its answer' : 'a body that is not JSON';
			const kind = status === 429 ? 'throttled' : status >= 500 ? 'server' : 'malformed';
			throw new CloudApiError(`${LABEL} answered ${action} with HTTP ${status} and ${what}`, {
				provider: PROVIDER,
				kind,
				httpStatus: status,
				action,
				requestId,
				retryAfterMs,
				body: typeof response.body === 'string' ? response.body.slice(0, 2000) : parsed,
			});
		}
		if (retCode === 0) {
			if (status >= 200 && status < 300) return { body: parsed, requestId };
			// A success code on a failed HTTP status: judged by the status.
			throw new CloudApiError(`${LABEL} rejected ${action}: HTTP ${status}`, {
				provider: PROVIDER,
				kind: classifyUCloudError(undefined, undefined, status),
				httpStatus: status,
				action,
				requestId,
				retryAfterMs,
				body: parsed,
			});
		}
		const message = nonEmptyString(parsed.Message);
		const kind = classifyUCloudError(retCode, message, status);
		throw new CloudApiError(
			`${LABEL} rejected ${action}: ${message ?? 'no message'} (RetCode ${retCode})`,
			{
				provider: PROVIDER,
				kind,
				code: String(retCode),
				httpStatus: status,
				action,
				requestId,
				hint: apiHint(kind, ucloudErrorHint(retCode, message)),
				retryAfterMs,
				body: parsed,
			},
		);
	}
}
