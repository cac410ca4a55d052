/**
 * What every cloud's client does around its own wire format: one request through n8n that either answers or fails
 * with a CloudApiError of the right kind, and the retry loop with the answer decoded inside it. The clients keep
 * their request shapes, answer envelopes and error codes; this file knows none of them.
 */
import type { IDataObject, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { credentialConfigErrorOf } from './credentials';
import { CloudApiError, decodeAnswer, networkErrorCode, rootCauseMessage } from './errors';
import { type RetryPolicy, withRetry } from './retry';

export type SendRequest = (options: IHttpRequestOptions) => Promise<IN8nHttpFullResponse>;

export interface ClientOptions {
	send: SendRequest;
	sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
	signal?: AbortSignal;
	retryPolicy?: RetryPolicy;
	/** Give up on one try after this long without an answer (n8n's own default is 300 s). */
	timeoutMs?: number;
}

/** Reads an answer into what the caller needs; throws MalformedAnswerError when it cannot. */
export type Decode<T> = (body: IDataObject) => T;

export interface CallOptions<T> {
	/** Reads and idempotent writes may be sent again after an ambiguous failure; a create may not. */
	idempotent?: boolean;
	/** Runs inside the retry loop, so an unreadable answer to a read is retried like a lost one. */
	decode?: Decode<T>;
}

/** The cloud as its errors name it. */
export interface Peer {
	provider: string;
	label: string;
}

/** One try's answer, already checked for the cloud's error envelope. */
export interface Answer {
	body: IDataObject;
	requestId?: string;
}

/**
 * Sends one request and hands back the full response whatever its status (the client reads the cloud's error
 * envelope itself). No response at all is cancelled, not sent (the credential refused to build it: `notSentHint`
 * says what to fix) or a network failure, in that order, because only the last may have reached the cloud.
 */
export async function exchange(
	options: ClientOptions,
	peer: Peer & { notSentHint: string },
	action: string,
	request: IHttpRequestOptions,
): Promise<IN8nHttpFullResponse> {
	let response: IN8nHttpFullResponse | undefined;
	let failure: unknown;
	try {
		response = await options.send({
			...request,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			json: false,
			encoding: 'text',
			timeout: options.timeoutMs,
		});
	} catch (error) {
		failure = error;
	}
	if (response !== undefined) return response;
	if (options.signal?.aborted) {
		throw new CloudApiError('The execution was cancelled', {
			provider: peer.provider,
			kind: 'cancelled',
			action,
		});
	}
	const credentialError = credentialConfigErrorOf(failure);
	if (credentialError) {
		throw new CloudApiError(`${action} was not sent: ${credentialError.message}`, {
			provider: peer.provider,
			kind: 'client',
			action,
			hint: peer.notSentHint,
		});
	}
	const code = networkErrorCode(failure);
	throw new CloudApiError(
		`No answer from ${peer.label} for ${action}${code ? ` (${code})` : ''}: ${rootCauseMessage(failure)}`,
		{ provider: peer.provider, kind: 'network', code, action },
	);
}

/**
 * One action: `attempt` is one try (a fresh request each time: the credential signs every try afresh). Reads are
 * retried on throttling, server errors and lost or unreadable answers; a non-idempotent call only on throttling,
 * which a cloud answers before doing anything.
 */
export async function callWithRetry<T>(
	options: ClientOptions,
	peer: Peer,
	action: string,
	{ idempotent = true, decode }: CallOptions<T>,
	attempt: () => Promise<Answer>,
): Promise<T> {
	return await withRetry(
		async () => {
			const { body, requestId } = await attempt();
			if (!decode) return body as T;
			return decodeAnswer({ ...peer, action, requestId }, body, decode);
		},
		{ idempotent, policy: options.retryPolicy, signal: options.signal, sleep: options.sleep },
	);
}

/** A body n8n handed back as text, bytes or an object, as a JSON object; undefined when it is not one. */
export function jsonObjectOf(body: unknown): IDataObject | undefined {
	if (body && typeof body === 'object' && !Array.isArray(body) && !(body instanceof Uint8Array))
		return body as IDataObject;
	const text =
		body instanceof Uint8Array
			? Buffer.from(body).toString('utf8')
			: typeof body === 'string'
				? body
				: undefined;
	if (text === undefined) return undefined;
	try {
		const parsed: unknown = JSON.parse(text);
		return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
			? (parsed as IDataObject)
			: undefined;
	} catch {
		return undefined;
	}
}

/** The parameters that are set: undefined, null and '' are left out, as the clouds' SDKs leave unset fields out. */
export function setParams<V>(params: Record<string, V | undefined | null>): Record<string, V> {
	const set: Record<string, V> = {};
	for (const [key, value] of Object.entries(params)) {
		if (value !== undefined && value !== null && value !== '') set[key] = value;
	}
	return set;
}

/** The set parameters as query-string text. */
export function queryOf(params: Record<string, unknown>): Record<string, string> {
	const qs: Record<string, string> = {};
	for (const [key, value] of Object.entries(setParams(params))) qs[key] = String(value);
	return qs;
}
