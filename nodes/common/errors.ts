/**
 * What a cloud call can fail with, in provider-neutral terms. Each provider client maps its own error codes to
 * a `kind`; retry decisions and the user-facing message are made from the kind, never from a provider name.
 */

export type CloudErrorKind =
	/** The cloud refused before doing anything because of rate limits: always safe to send again. */
	| 'throttled'
	/** 5xx or the cloud's "internal error": the request may or may not have been carried out. */
	| 'server'
	/** No answer (reset, timeout, DNS): the request may or may not have been carried out. */
	| 'network'
	/** Bad or unauthorised credentials, signature or clock. */
	| 'auth'
	/** The instance, backup or task does not exist. */
	| 'notFound'
	/** The cloud rejected the parameters or the request as such. */
	| 'client'
	/** The answer could not be read (not JSON, unexpected shape, a record without its ID). */
	| 'malformed'
	/** The bytes received are not the bytes the cloud described (length or checksum differ). */
	| 'integrity'
	/** The execution was cancelled while the call was under way or waiting to be retried. */
	| 'cancelled';

export interface CloudErrorDetails {
	provider: string;
	kind: CloudErrorKind;
	code?: string;
	httpStatus?: number;
	requestId?: string;
	/** The cloud's own advice (Alibaba's "Recommend" link, for example). */
	recommend?: string;
	/** Server-requested wait before retrying, when it sent one. */
	retryAfterMs?: number;
	/** The action or operation that failed. */
	action?: string;
	/** The response body (parsed if JSON), kept for the error's details. */
	body?: unknown;
	/** Advice for this very failure, when the kind's general advice would mislead. */
	hint?: string;
}

export class CloudApiError extends Error {
	readonly details: CloudErrorDetails;

	constructor(message: string, details: CloudErrorDetails) {
		super(message);
		this.name = 'CloudApiError';
		this.details = details;
	}

	get kind(): CloudErrorKind {
		return this.details.kind;
	}
}

/** Errors whose request may have been carried out: sending a non-idempotent request again could repeat it. */
export function isAmbiguous(error: CloudApiError): boolean {
	return error.kind === 'server' || error.kind === 'network' || error.kind === 'malformed';
}

/** Node's and axios' socket-level failures: the request got no answer. */
const NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'EPIPE',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'UND_ERR_SOCKET',
]);

/**
 * The first of an error and its causes (n8n wraps errors in `cause` or `error`) that matches; undefined when none.
 */
export function findInCauses(
	error: unknown,
	matches: (candidate: object) => boolean,
): object | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		if (matches(current)) return current;
		current = (current as { cause?: unknown }).cause ?? (current as { error?: unknown }).error;
	}
	return undefined;
}

/**
 * A provider answer that cannot be read as documented (a list entry that is not a record, a record without its
 * ID, a time that is not a time). Decoders throw it; the client turns it into a 'malformed' CloudApiError that
 * names the action, retried only where the call is idempotent.
 */
export class MalformedAnswerError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'MalformedAnswerError';
	}
}

export function networkErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
		const message = (current as { message?: unknown }).message;
		if (typeof message === 'string' && /socket hang up|ECONNRESET|aborted/i.test(message))
			return 'ECONNRESET';
		current = (current as { cause?: unknown }).cause ?? (current as { error?: unknown }).error;
	}
	return undefined;
}

/**
 * The message of the innermost cause. n8n's request helpers wrap a socket error in a NodeApiError whose message is
 * a generic hint ("... You can retry the request immediately ..."), wrong advice for a create that must not be
 * re-sent; the original ("socket hang up", "connect ECONNREFUSED ...") says what actually happened.
 */
export function rootCauseMessage(error: unknown): string {
	let found: string | undefined;
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const message = (current as { message?: unknown }).message;
		if (typeof message === 'string' && message.trim() !== '') found = message;
		current = (current as { cause?: unknown }).cause ?? (current as { error?: unknown }).error;
	}
	return found ?? String(error);
}

/**
 * Reads an answer with `decode`; a MalformedAnswerError becomes a 'malformed' CloudApiError naming the cloud and
 * the action (so the retry rules apply to it), any other error passes unchanged.
 */
export function decodeAnswer<B, T>(
	where: { provider: string; label: string; action: string; requestId?: string },
	body: B,
	decode: (body: B) => T,
): T {
	let failure: unknown;
	try {
		return decode(body);
	} catch (error) {
		failure = error;
	}
	if (!(failure instanceof MalformedAnswerError)) throw failure;
	throw new CloudApiError(
		`${where.label} answered ${where.action} with a malformed answer: ${failure.message}`,
		{
			provider: where.provider,
			kind: 'malformed',
			action: where.action,
			requestId: where.requestId,
		},
	);
}
