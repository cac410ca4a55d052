/**
 * Retrying cloud calls: throttling is always retried (the cloud did nothing); 5xx, resets and unreadable
 * answers only for idempotent calls, because a create that may have run must not be sent twice.
 * Delays: the server's Retry-After when it sends one, else exponential backoff with full jitter. A Retry-After
 * longer than the policy's longest delay ends the retries: the error then says how long the server asked to wait.
 */
import { CloudApiError, isAmbiguous } from './errors';

export interface RetryPolicy {
	/** Total tries, the first included. */
	maxAttempts: number;
	baseDelayMs: number;
	maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 4,
	baseDelayMs: 500,
	maxDelayMs: 20_000,
};

export interface RetryContext {
	/** Reads only and idempotent writes may be repeated after an ambiguous failure. */
	idempotent: boolean;
	policy?: RetryPolicy;
	signal?: AbortSignal;
	sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
	random?: () => number;
	/** Told about each retry (for logging). */
	onRetry?: (error: CloudApiError, attempt: number, delayMs: number) => void;
}

export function shouldRetry(error: unknown, idempotent: boolean): error is CloudApiError {
	if (!(error instanceof CloudApiError)) return false;
	if (error.kind === 'throttled') return true;
	return idempotent && isAmbiguous(error);
}

/**
 * Full jitter: uniformly random in [0, min(max, base x 2^(attempt-1))]; a server's Retry-After wins (capped at the
 * policy's max; withRetry does not retry at all when it is longer). A Retry-After of 0 gets a small jitter in
 * [0, base], so many clients told "now" do not all come back at the same instant.
 */
export function retryDelay(
	attempt: number,
	policy: RetryPolicy,
	random: () => number,
	retryAfterMs?: number,
): number {
	if (retryAfterMs !== undefined && retryAfterMs >= 0) {
		if (retryAfterMs === 0) return Math.round(random() * policy.baseDelayMs);
		return Math.min(retryAfterMs, policy.maxDelayMs);
	}
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
	return Math.round(random() * ceiling);
}

function seconds(ms: number): string {
	const s = ms / 1000;
	return Number.isInteger(s) ? String(s) : s.toFixed(1);
}

/** The same error, saying that the server asked for a longer wait than this node retries after. */
function waitTooLong(
	error: CloudApiError,
	retryAfterMs: number,
	policy: RetryPolicy,
): CloudApiError {
	return new CloudApiError(
		`${error.message.replace(/\.+$/, '')}. The server asked to wait ${seconds(retryAfterMs)} s before retrying, longer than the ${seconds(policy.maxDelayMs)} s this node waits, so it was not retried; try again later`,
		{ ...error.details, retryAfterMs },
	);
}

/** The execution was cancelled while `during` was waiting to be retried. */
export function cancelledError(during: CloudApiError): CloudApiError {
	return new CloudApiError('The execution was cancelled', {
		provider: during.details.provider,
		kind: 'cancelled',
		action: during.details.action,
	});
}

export async function withRetry<T>(
	call: (attempt: number) => Promise<T>,
	context: RetryContext,
): Promise<T> {
	const policy = context.policy ?? DEFAULT_RETRY_POLICY;
	const random = context.random ?? Math.random;
	for (let attempt = 1; ; attempt++) {
		let failure: unknown;
		try {
			return await call(attempt);
		} catch (error) {
			failure = error;
		}
		if (
			attempt >= policy.maxAttempts ||
			!shouldRetry(failure, context.idempotent) ||
			context.signal?.aborted
		) {
			throw failure;
		}
		const retryAfterMs = failure.details.retryAfterMs;
		if (retryAfterMs !== undefined && retryAfterMs > policy.maxDelayMs) {
			throw waitTooLong(failure, retryAfterMs, policy);
		}
		const delay = retryDelay(attempt, policy, random, retryAfterMs);
		context.onRetry?.(failure, attempt, delay);
		const slept = await context.sleep(delay, context.signal).then(
			() => true,
			() => false,
		);
		// n8n's sleep rejects with the cancel signal's reason, which need not be an Error: say what happened.
		if (!slept || context.signal?.aborted) throw cancelledError(failure);
	}
}

/** Reads a Retry-After header (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: unknown, nowMs: number): number | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const text = String(value).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
