/**
 * Poll until a terminal state, the way the AWS SDK's waiters do: the first check at once, then delays between
 * minDelay and maxDelay (exponential with full jitter, or fixed), never past the deadline, and an abort signal
 * that ends the wait at once.
 */

export type WaiterState = 'success' | 'failure' | 'retry';

export interface WaiterCheck<T> {
	state: WaiterState;
	value: T;
	/** Why the wait failed; shown to the user. */
	reason?: string;
}

export interface WaiterOptions {
	/** First delay between checks, and the floor of every later one. */
	minDelayMs: number;
	/** Ceiling of the delay between checks. */
	maxDelayMs: number;
	/** Give up after this long (measured from the first check). */
	maxWaitMs: number;
	/** 'exponential' doubles the ceiling each attempt, with jitter; 'fixed' waits minDelay each time. */
	backoff: 'exponential' | 'fixed';
	signal?: AbortSignal;
	/** Must reject when the signal aborts (n8n-workflow's `sleep(ms, signal)` does). */
	sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
	now?: () => number;
	random?: () => number;
}

export interface WaiterResult<T> {
	value: T;
	attempts: number;
	waitedMs: number;
}

export class WaiterTimeoutError<T = unknown> extends Error {
	constructor(
		message: string,
		readonly lastValue: T,
		readonly attempts: number,
		readonly waitedMs: number,
	) {
		super(message);
		this.name = 'WaiterTimeoutError';
	}
}

export class WaiterFailureError<T = unknown> extends Error {
	constructor(
		message: string,
		readonly value: T,
		readonly attempts: number,
	) {
		super(message);
		this.name = 'WaiterFailureError';
	}
}

export class WaiterAbortedError extends Error {
	constructor(readonly attempts: number) {
		super('The wait was cancelled');
		this.name = 'WaiterAbortedError';
	}
}

export function validateWaiterOptions(
	options: Pick<WaiterOptions, 'minDelayMs' | 'maxDelayMs' | 'maxWaitMs'>,
): string | null {
	const { minDelayMs, maxDelayMs, maxWaitMs } = options;
	if (!(minDelayMs > 0)) return 'The poll interval must be greater than 0';
	if (!(maxDelayMs >= minDelayMs))
		return 'The maximum poll interval must be at least the poll interval';
	if (!(maxWaitMs > 0)) return 'The maximum wait time must be greater than 0';
	return null;
}

/** Delay before check number `attempt` (1 = the second check). */
export function waiterDelay(attempt: number, options: WaiterOptions, random: () => number): number {
	const { minDelayMs, maxDelayMs, backoff } = options;
	if (backoff === 'fixed') return minDelayMs;
	const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(attempt - 1, 30));
	return Math.round(minDelayMs + random() * (ceiling - minDelayMs));
}

export async function waitUntil<T>(
	check: (attempt: number) => Promise<WaiterCheck<T>>,
	options: WaiterOptions,
): Promise<WaiterResult<T>> {
	const invalid = validateWaiterOptions(options);
	if (invalid) throw new RangeError(invalid);
	const now = options.now ?? (() => Date.now());
	const random = options.random ?? Math.random;
	const started = now();
	const deadline = started + options.maxWaitMs;

	for (let attempt = 0; ; attempt++) {
		if (options.signal?.aborted) throw new WaiterAbortedError(attempt);
		const result = await check(attempt);
		if (result.state === 'success')
			return { value: result.value, attempts: attempt + 1, waitedMs: now() - started };
		if (result.state === 'failure') {
			throw new WaiterFailureError(
				result.reason ?? 'The awaited task failed',
				result.value,
				attempt + 1,
			);
		}
		const remaining = deadline - now();
		if (remaining <= 0) {
			throw new WaiterTimeoutError(
				`Still not finished after ${Math.round((now() - started) / 1000)} s (${attempt + 1} checks)`,
				result.value,
				attempt + 1,
				now() - started,
			);
		}
		const delay = Math.min(waiterDelay(attempt + 1, options, random), remaining);
		// n8n's sleep rejects when the execution is cancelled; that ends the wait, whatever it rejected with.
		const slept = await options.sleep(delay, options.signal).then(
			() => true,
			() => false,
		);
		if (!slept || options.signal?.aborted) throw new WaiterAbortedError(attempt + 1);
	}
}
