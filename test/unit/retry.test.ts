import { CloudApiError, type CloudErrorKind } from '../../nodes/common/errors';
import {
	DEFAULT_RETRY_POLICY,
	parseRetryAfter,
	retryDelay,
	shouldRetry,
	withRetry,
	type RetryContext,
	type RetryPolicy,
} from '../../nodes/common/retry';

const cloudError = (kind: CloudErrorKind, retryAfterMs?: number) =>
	new CloudApiError(`failed: ${kind}`, { provider: 'test', kind, retryAfterMs });

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };

/** A call that fails with the given errors in turn, then returns 'done'. */
function failing(...errors: unknown[]) {
	return jest.fn(async (attempt: number) => {
		const error = errors[attempt - 1];
		if (error !== undefined) throw error;
		return 'done';
	});
}

function context(overrides: Partial<RetryContext> = {}): RetryContext & { sleep: jest.Mock } {
	return { idempotent: true, policy, sleep: jest.fn(async () => undefined), random: () => 0.5, ...overrides } as RetryContext & {
		sleep: jest.Mock;
	};
}

describe('withRetry', () => {
	it('returns the first success without sleeping', async () => {
		const call = failing();
		const ctx = context();
		await expect(withRetry(call, ctx)).resolves.toBe('done');
		expect(call).toHaveBeenCalledTimes(1);
		expect(call).toHaveBeenCalledWith(1);
		expect(ctx.sleep).not.toHaveBeenCalled();
	});

	it.each([true, false])('retries throttling (idempotent: %p) and passes the attempt number', async (idempotent) => {
		const call = failing(cloudError('throttled'), cloudError('throttled'));
		const ctx = context({ idempotent });
		await expect(withRetry(call, ctx)).resolves.toBe('done');
		expect(call.mock.calls.map(([attempt]) => attempt)).toEqual([1, 2, 3]);
		expect(ctx.sleep).toHaveBeenCalledTimes(2);
	});

	it.each(['server', 'network', 'malformed'] as const)('retries %s failures of an idempotent call', async (kind) => {
		const call = failing(cloudError(kind));
		await expect(withRetry(call, context({ idempotent: true }))).resolves.toBe('done');
		expect(call).toHaveBeenCalledTimes(2);
	});

	it.each(['server', 'network', 'malformed'] as const)(
		'never re-sends a non-idempotent call (create backup) after a %s failure',
		async (kind) => {
			const error = cloudError(kind);
			const call = failing(error);
			const ctx = context({ idempotent: false });
			await expect(withRetry(call, ctx)).rejects.toBe(error);
			expect(call).toHaveBeenCalledTimes(1);
			expect(ctx.sleep).not.toHaveBeenCalled();
		},
	);

	it.each(['client', 'auth', 'notFound'] as const)('never retries %s failures, even for idempotent calls', async (kind) => {
		const error = cloudError(kind);
		for (const idempotent of [true, false]) {
			const call = failing(error);
			const ctx = context({ idempotent });
			await expect(withRetry(call, ctx)).rejects.toBe(error);
			expect(call).toHaveBeenCalledTimes(1);
			expect(ctx.sleep).not.toHaveBeenCalled();
		}
	});

	it('never retries errors that are not CloudApiErrors', async () => {
		const error = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
		const call = failing(error);
		await expect(withRetry(call, context())).rejects.toBe(error);
		expect(call).toHaveBeenCalledTimes(1);
	});

	it('stops after maxAttempts tries and throws the last error', async () => {
		const errors = [1, 2, 3, 4, 5].map(() => cloudError('throttled'));
		const call = failing(...errors);
		const ctx = context();
		await expect(withRetry(call, ctx)).rejects.toBe(errors[3]);
		expect(call).toHaveBeenCalledTimes(4);
		expect(ctx.sleep).toHaveBeenCalledTimes(3);
	});

	it('maxAttempts 1 means no retry at all', async () => {
		const call = failing(cloudError('throttled'));
		await expect(withRetry(call, context({ policy: { ...policy, maxAttempts: 1 } }))).rejects.toBeInstanceOf(CloudApiError);
		expect(call).toHaveBeenCalledTimes(1);
	});

	it('uses the default policy (4 attempts) when none is given', async () => {
		const call = failing(...[1, 2, 3, 4, 5].map(() => cloudError('server')));
		const ctx = context({ policy: undefined, random: () => 0 });
		await expect(withRetry(call, ctx)).rejects.toBeInstanceOf(CloudApiError);
		expect(call).toHaveBeenCalledTimes(DEFAULT_RETRY_POLICY.maxAttempts);
	});

	it('stops retrying once the signal is aborted', async () => {
		const controller = new AbortController();
		const error = cloudError('throttled');
		const call = jest.fn(async () => {
			controller.abort();
			throw error;
		});
		const ctx = context({ signal: controller.signal });
		await expect(withRetry(call, ctx)).rejects.toBe(error);
		expect(call).toHaveBeenCalledTimes(1);
		expect(ctx.sleep).not.toHaveBeenCalled();
	});

	it('passes the signal to sleep; a sleep ended by cancelling ends the retries as "cancelled", whatever it rejected with', async () => {
		const controller = new AbortController();
		const sleep = jest.fn(async () => {
			controller.abort();
			// n8n's sleep rejects with the signal's reason, which need not be an Error.
			throw 'aborted';
		});
		const call = failing(cloudError('throttled'));
		const error = await withRetry(call, context({ signal: controller.signal, sleep })).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(CloudApiError);
		expect((error as CloudApiError).kind).toBe('cancelled');
		expect((error as CloudApiError).message).toBe('The execution was cancelled');
		expect(sleep).toHaveBeenCalledWith(expect.any(Number), controller.signal);
		expect(call).toHaveBeenCalledTimes(1);
	});

	it('sleeps with exponential full-jitter delays', async () => {
		const call = failing(cloudError('server'), cloudError('server'), cloudError('server'));
		const ctx = context({ random: () => 0.5 });
		await withRetry(call, ctx);
		// ceilings 100, 200, 400 -> half of each
		expect(ctx.sleep.mock.calls.map(([ms]) => ms)).toEqual([50, 100, 200]);
	});

	it("honours the server's Retry-After up to maxDelay; a Retry-After of 0 gets a small jitter", async () => {
		const call = failing(cloudError('throttled', 700), cloudError('throttled', 1000), cloudError('throttled', 0));
		const ctx = context({ random: () => 0.5 });
		await withRetry(call, ctx);
		// 0 -> random x baseDelay (100): 50, not an instant stampede.
		expect(ctx.sleep.mock.calls.map(([ms]) => ms)).toEqual([700, 1000, 50]);
	});

	it('stops at once when the server asks to wait longer than maxDelay, saying how long it asked for', async () => {
		const original = cloudError('throttled', 60_000);
		const call = failing(original);
		const ctx = context();
		const onRetry = jest.fn();
		const error = await withRetry(call, { ...ctx, onRetry }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(CloudApiError);
		expect((error as CloudApiError).message).toBe(
			'failed: throttled. The server asked to wait 60 s before retrying, longer than the 1 s this node waits, so it was not retried; try again later',
		);
		expect((error as CloudApiError).kind).toBe('throttled');
		expect((error as CloudApiError).details.retryAfterMs).toBe(60_000);
		expect(call).toHaveBeenCalledTimes(1);
		expect(ctx.sleep).not.toHaveBeenCalled();
		expect(onRetry).not.toHaveBeenCalled();
	});

	it('with the default policy, a Retry-After above 20 s is not waited for (not silently cut to 20 s)', async () => {
		const call = failing(cloudError('throttled', 45_500));
		const ctx = context({ policy: undefined });
		await expect(withRetry(call, ctx)).rejects.toThrow(/asked to wait 45\.5 s before retrying, longer than the 20 s/);
		expect(ctx.sleep).not.toHaveBeenCalled();
	});

	it('tells onRetry about each retry with the error, attempt and delay', async () => {
		const first = cloudError('throttled', 300);
		const second = cloudError('server');
		const onRetry = jest.fn();
		await withRetry(failing(first, second), context({ onRetry, random: () => 0 }));
		expect(onRetry.mock.calls).toEqual([
			[first, 1, 300],
			[second, 2, 0],
		]);
	});
});

describe('shouldRetry', () => {
	it.each([
		['throttled', true, true],
		['throttled', false, true],
		['server', true, true],
		['server', false, false],
		['network', true, true],
		['network', false, false],
		['malformed', true, true],
		['malformed', false, false],
		['client', true, false],
		['auth', true, false],
		['notFound', true, false],
	] as const)('%s (idempotent %p) -> %p', (kind, idempotent, expected) => {
		expect(shouldRetry(cloudError(kind), idempotent)).toBe(expected);
	});

	it('is false for anything but a CloudApiError', () => {
		expect(shouldRetry(new Error('throttled'), true)).toBe(false);
		expect(shouldRetry({ kind: 'throttled', details: { kind: 'throttled' } }, true)).toBe(false);
		expect(shouldRetry(undefined, true)).toBe(false);
	});
});

describe('retryDelay', () => {
	const wide: RetryPolicy = { maxAttempts: 10, baseDelayMs: 500, maxDelayMs: 20_000 };

	it('with random()=0 is 0 (full jitter starts at zero)', () => {
		for (let attempt = 1; attempt <= 10; attempt++) expect(retryDelay(attempt, wide, () => 0)).toBe(0);
	});

	it('with random() near 1 approaches min(max, base x 2^(attempt-1))', () => {
		const delays = [1, 2, 3, 4, 5, 6, 7].map((attempt) => retryDelay(attempt, wide, () => 0.999));
		// ceilings 500, 1000, 2000, 4000, 8000, 16000, 20000
		expect(delays).toEqual([500, 999, 1998, 3996, 7992, 15984, 19980]);
	});

	it('stays within [0, ceiling] for every attempt and random value', () => {
		for (let attempt = 1; attempt <= 40; attempt++) {
			const ceiling = Math.min(wide.maxDelayMs, wide.baseDelayMs * 2 ** (attempt - 1));
			for (const r of [0, 0.25, 0.5, 0.75, 0.999]) {
				const delay = retryDelay(attempt, wide, () => r);
				expect(delay).toBeGreaterThanOrEqual(0);
				expect(delay).toBeLessThanOrEqual(ceiling);
				expect(Number.isInteger(delay)).toBe(true);
			}
		}
	});

	it('uses Retry-After instead of jitter, capped at maxDelay', () => {
		const random = jest.fn(() => 0.5);
		expect(retryDelay(1, wide, random, 3000)).toBe(3000);
		expect(retryDelay(1, wide, random, 120_000)).toBe(20_000);
		expect(random).not.toHaveBeenCalled();
	});

	it('turns a Retry-After of 0 into a small jitter within [0, baseDelay]', () => {
		expect(retryDelay(3, wide, () => 0.5, 0)).toBe(250);
		expect(retryDelay(3, wide, () => 0, 0)).toBe(0);
		expect(retryDelay(3, wide, () => 0.999, 0)).toBe(500);
	});

	it('ignores a negative Retry-After', () => {
		expect(retryDelay(2, wide, () => 0.5, -1)).toBe(500);
	});
});

describe('parseRetryAfter', () => {
	const now = Date.UTC(2015, 9, 21, 7, 27, 30);

	it('reads seconds', () => {
		expect(parseRetryAfter('120', now)).toBe(120_000);
		expect(parseRetryAfter(' 5 ', now)).toBe(5000);
		expect(parseRetryAfter('0', now)).toBe(0);
		expect(parseRetryAfter('1.5', now)).toBe(1500);
		expect(parseRetryAfter(2, now)).toBe(2000);
	});

	it('reads an HTTP date relative to now', () => {
		expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(30_000);
	});

	it('reads an HTTP date in the past as 0', () => {
		expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0);
	});

	it.each([
		['undefined', undefined],
		['null', null],
		['empty', ''],
		['garbage', 'soon'],
		['object', { seconds: 5 }],
	])('returns undefined for %s', (_label, value) => {
		expect(parseRetryAfter(value, now)).toBeUndefined();
	});
});
