import {
	WaiterAbortedError,
	WaiterFailureError,
	WaiterTimeoutError,
	validateWaiterOptions,
	waitUntil,
	waiterDelay,
	type WaiterCheck,
	type WaiterOptions,
	type WaiterState,
} from '../../nodes/common/waiter';

/** A fake clock whose sleep advances time instantly and records every delay. */
function fakeClock(start = 1_000_000) {
	let time = start;
	const sleeps: number[] = [];
	const checkTimes: number[] = [];
	return {
		now: () => time,
		sleep: jest.fn(async (ms: number) => {
			sleeps.push(ms);
			time += ms;
		}),
		advance: (ms: number) => {
			time += ms;
		},
		sleeps,
		checkTimes,
		elapsed: () => time - start,
	};
}

/** A check that answers the given states in turn (the last one forever) and records when it was called. */
function scriptedCheck(clock: ReturnType<typeof fakeClock>, states: WaiterState[], reason?: string) {
	return jest.fn(async (attempt: number): Promise<WaiterCheck<{ attempt: number }>> => {
		clock.checkTimes.push(clock.elapsed());
		const state = states[Math.min(attempt, states.length - 1)];
		return { state, value: { attempt }, reason };
	});
}

const base = (clock: ReturnType<typeof fakeClock>, overrides: Partial<WaiterOptions> = {}): WaiterOptions => ({
	minDelayMs: 1000,
	maxDelayMs: 8000,
	maxWaitMs: 60_000,
	backoff: 'exponential',
	sleep: clock.sleep,
	now: clock.now,
	random: () => 0.5,
	...overrides,
});

describe('waitUntil', () => {
	it('checks at once, without sleeping, and returns on success', async () => {
		const clock = fakeClock();
		const check = scriptedCheck(clock, ['success']);
		const result = await waitUntil(check, base(clock));
		expect(result).toEqual({ value: { attempt: 0 }, attempts: 1, waitedMs: 0 });
		expect(clock.sleep).not.toHaveBeenCalled();
		expect(check).toHaveBeenCalledWith(0);
	});

	it('polls until success and reports attempts and the time waited', async () => {
		const clock = fakeClock();
		const check = scriptedCheck(clock, ['retry', 'retry', 'retry', 'success']);
		const result = await waitUntil(check, base(clock, { backoff: 'fixed', minDelayMs: 5000, maxDelayMs: 5000 }));
		expect(result).toEqual({ value: { attempt: 3 }, attempts: 4, waitedMs: 15_000 });
		expect(check.mock.calls.map(([attempt]) => attempt)).toEqual([0, 1, 2, 3]);
		expect(clock.checkTimes).toEqual([0, 5000, 10_000, 15_000]);
	});

	it('counts the time the checks themselves take', async () => {
		const clock = fakeClock();
		const check = jest.fn(async (attempt: number): Promise<WaiterCheck<number>> => {
			clock.advance(300);
			return { state: attempt === 1 ? 'success' : 'retry', value: attempt };
		});
		const result = await waitUntil(check, base(clock, { backoff: 'fixed' }));
		expect(result.waitedMs).toBe(300 + 1000 + 300);
	});

	it('throws WaiterFailureError with the reason, the value and the attempts on failure', async () => {
		const clock = fakeClock();
		const check = scriptedCheck(clock, ['retry', 'failure'], 'The backup task failed');
		const error = await waitUntil(check, base(clock)).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(WaiterFailureError);
		expect(error).toMatchObject({ message: 'The backup task failed', value: { attempt: 1 }, attempts: 2 });
		expect(check).toHaveBeenCalledTimes(2);
	});

	it('gives a default message when a failure has no reason', async () => {
		const clock = fakeClock();
		await expect(waitUntil(scriptedCheck(clock, ['failure']), base(clock))).rejects.toThrow('The awaited task failed');
	});

	it('times out with the last value, never sleeping past the deadline, after a check at the deadline', async () => {
		const clock = fakeClock();
		const check = scriptedCheck(clock, ['retry']);
		const options = base(clock, { backoff: 'fixed', minDelayMs: 4000, maxDelayMs: 4000, maxWaitMs: 10_000 });
		const error = await waitUntil(check, options).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(WaiterTimeoutError);
		const timeout = error as WaiterTimeoutError<{ attempt: number }>;
		// Checks at 0, 4 s, 8 s and, with the last delay cut to the 2 s left, at the deadline.
		expect(clock.sleeps).toEqual([4000, 4000, 2000]);
		expect(clock.checkTimes).toEqual([0, 4000, 8000, 10_000]);
		expect(timeout.attempts).toBe(4);
		expect(timeout.lastValue).toEqual({ attempt: 3 });
		expect(timeout.waitedMs).toBe(10_000);
		expect(timeout.message).toBe('Still not finished after 10 s (4 checks)');
	});

	it('the total of all sleeps never exceeds maxWait (exponential, random near 1)', async () => {
		const clock = fakeClock();
		const check = scriptedCheck(clock, ['retry']);
		const options = base(clock, { minDelayMs: 700, maxDelayMs: 9000, maxWaitMs: 20_000, random: () => 0.999 });
		await expect(waitUntil(check, options)).rejects.toBeInstanceOf(WaiterTimeoutError);
		expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(20_000);
		expect(clock.checkTimes[clock.checkTimes.length - 1]).toBe(20_000);
		for (const ms of clock.sleeps) expect(ms).toBeGreaterThan(0);
	});

	it('times out without sleeping when the first check already took longer than maxWait', async () => {
		const clock = fakeClock();
		const check = jest.fn(async (): Promise<WaiterCheck<string>> => {
			clock.advance(5000);
			return { state: 'retry', value: 'slow' };
		});
		const error = await waitUntil(check, base(clock, { maxWaitMs: 3000 })).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(WaiterTimeoutError);
		expect(error).toMatchObject({ attempts: 1, lastValue: 'slow', waitedMs: 5000 });
		expect(clock.sleep).not.toHaveBeenCalled();
	});

	it('exponential delays stay within [min, min(max, min x 2^(n-1))]', async () => {
		for (const random of [() => 0, () => 0.5, () => 0.999]) {
			const clock = fakeClock();
			const check = scriptedCheck(clock, ['retry', 'retry', 'retry', 'retry', 'retry', 'retry', 'retry', 'success']);
			await waitUntil(check, base(clock, { minDelayMs: 1000, maxDelayMs: 8000, maxWaitMs: 1_000_000, random }));
			expect(clock.sleeps).toHaveLength(7);
			clock.sleeps.forEach((ms, index) => {
				const n = index + 1;
				expect(ms).toBeGreaterThanOrEqual(1000);
				expect(ms).toBeLessThanOrEqual(Math.min(8000, 1000 * 2 ** (n - 1)));
			});
		}
	});

	it('exponential delays with random()=0.5 are the midpoints of the growing window', async () => {
		const clock = fakeClock();
		const check = scriptedCheck(clock, ['retry', 'retry', 'retry', 'retry', 'retry', 'success']);
		await waitUntil(check, base(clock, { minDelayMs: 1000, maxDelayMs: 8000, maxWaitMs: 1_000_000 }));
		// ceilings 1000, 2000, 4000, 8000, 8000
		expect(clock.sleeps).toEqual([1000, 1500, 2500, 4500, 4500]);
	});

	it('fixed delays are always minDelay, whatever random() says', async () => {
		const clock = fakeClock();
		const check = scriptedCheck(clock, ['retry', 'retry', 'retry', 'retry', 'success']);
		await waitUntil(check, base(clock, { backoff: 'fixed', minDelayMs: 3000, maxDelayMs: 60_000, random: () => 0.999 }));
		expect(clock.sleeps).toEqual([3000, 3000, 3000, 3000]);
	});

	it('passes the abort signal to sleep', async () => {
		const clock = fakeClock();
		const controller = new AbortController();
		await waitUntil(scriptedCheck(clock, ['retry', 'success']), base(clock, { signal: controller.signal }));
		expect(clock.sleep).toHaveBeenCalledWith(1000, controller.signal);
	});

	it('rejects invalid options with a RangeError before the first check', async () => {
		const clock = fakeClock();
		const check = scriptedCheck(clock, ['success']);
		await expect(waitUntil(check, base(clock, { minDelayMs: 0 }))).rejects.toThrow(RangeError);
		await expect(waitUntil(check, base(clock, { maxDelayMs: 500 }))).rejects.toThrow(
			'The maximum poll interval must be at least the poll interval',
		);
		await expect(waitUntil(check, base(clock, { maxWaitMs: 0 }))).rejects.toThrow(RangeError);
		expect(check).not.toHaveBeenCalled();
	});

	describe('abort', () => {
		it('an already aborted signal ends the wait before the first check', async () => {
			const clock = fakeClock();
			const controller = new AbortController();
			controller.abort();
			const check = scriptedCheck(clock, ['success']);
			const error = await waitUntil(check, base(clock, { signal: controller.signal })).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(WaiterAbortedError);
			expect(error).toMatchObject({ attempts: 0, message: 'The wait was cancelled' });
			expect(check).not.toHaveBeenCalled();
		});

		it('an abort during a check stops before the next sleep-and-check cycle completes', async () => {
			const clock = fakeClock();
			const controller = new AbortController();
			const check = jest.fn(async (attempt: number): Promise<WaiterCheck<number>> => {
				if (attempt === 1) controller.abort();
				return { state: 'retry', value: attempt };
			});
			// This sleep ignores the signal (resolves anyway): the waiter must still notice the abort.
			const error = await waitUntil(check, base(clock, { signal: controller.signal })).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(WaiterAbortedError);
			expect((error as WaiterAbortedError).attempts).toBe(2);
			expect(check).toHaveBeenCalledTimes(2);
		});

		it('a sleep that rejects on abort ends a long wait promptly', async () => {
			const controller = new AbortController();
			let sleeping: (() => void) | undefined;
			// A real-time sleep that would take an hour unless aborted.
			const sleep = jest.fn(
				(_ms: number, signal?: AbortSignal) =>
					new Promise<void>((_resolve, reject) => {
						const onAbort = () => reject(new Error('Execution cancelled'));
						signal?.addEventListener('abort', onAbort, { once: true });
						sleeping?.();
					}),
			);
			const asleep = new Promise<void>((resolve) => {
				sleeping = resolve;
			});
			const check = jest.fn(async (): Promise<WaiterCheck<string>> => ({ state: 'retry', value: 'running' }));
			const wait = waitUntil(check, {
				minDelayMs: 3_600_000,
				maxDelayMs: 3_600_000,
				maxWaitMs: 86_400_000,
				backoff: 'fixed',
				signal: controller.signal,
				sleep,
			});
			await asleep;
			const started = Date.now();
			controller.abort();
			const error = await wait.catch((e: unknown) => e);
			expect(Date.now() - started).toBeLessThan(1000);
			expect(error).toBeInstanceOf(WaiterAbortedError);
			expect((error as WaiterAbortedError).attempts).toBe(1);
			expect(sleep).toHaveBeenCalledWith(3_600_000, controller.signal);
			expect(check).toHaveBeenCalledTimes(1);
		});

		it('any rejection of sleep ends the wait as cancelled', async () => {
			const clock = fakeClock();
			const check = scriptedCheck(clock, ['retry']);
			const sleep = jest.fn(async () => {
				throw new Error('sleep failed');
			});
			await expect(waitUntil(check, base(clock, { sleep }))).rejects.toBeInstanceOf(WaiterAbortedError);
			expect(check).toHaveBeenCalledTimes(1);
		});
	});
});

describe('validateWaiterOptions', () => {
	it('accepts sensible options, including min = max', () => {
		expect(validateWaiterOptions({ minDelayMs: 1000, maxDelayMs: 8000, maxWaitMs: 60_000 })).toBeNull();
		expect(validateWaiterOptions({ minDelayMs: 1000, maxDelayMs: 1000, maxWaitMs: 1 })).toBeNull();
	});

	it.each([
		[{ minDelayMs: 0, maxDelayMs: 1000, maxWaitMs: 1000 }, 'The poll interval must be greater than 0'],
		[{ minDelayMs: -5, maxDelayMs: 1000, maxWaitMs: 1000 }, 'The poll interval must be greater than 0'],
		[{ minDelayMs: NaN, maxDelayMs: 1000, maxWaitMs: 1000 }, 'The poll interval must be greater than 0'],
		[{ minDelayMs: 2000, maxDelayMs: 1000, maxWaitMs: 1000 }, 'The maximum poll interval must be at least the poll interval'],
		[{ minDelayMs: 1000, maxDelayMs: NaN, maxWaitMs: 1000 }, 'The maximum poll interval must be at least the poll interval'],
		[{ minDelayMs: 1000, maxDelayMs: 1000, maxWaitMs: 0 }, 'The maximum wait time must be greater than 0'],
		[{ minDelayMs: 1000, maxDelayMs: 1000, maxWaitMs: NaN }, 'The maximum wait time must be greater than 0'],
	])('rejects %p', (options, message) => {
		expect(validateWaiterOptions(options)).toBe(message);
	});
});

describe('waiterDelay', () => {
	const options = (overrides: Partial<WaiterOptions> = {}): WaiterOptions => ({
		minDelayMs: 1000,
		maxDelayMs: 10_000,
		maxWaitMs: 60_000,
		backoff: 'exponential',
		sleep: async () => undefined,
		...overrides,
	});

	it('with random()=0 is always minDelay', () => {
		for (let attempt = 1; attempt <= 40; attempt++) expect(waiterDelay(attempt, options(), () => 0)).toBe(1000);
	});

	it('with random()=0.999 is just under the doubling ceiling, then capped by maxDelay', () => {
		const delays = [1, 2, 3, 4, 5, 6].map((attempt) => waiterDelay(attempt, options(), () => 0.999));
		// ceilings: 1000, 2000, 4000, 8000, 10000, 10000
		expect(delays).toEqual([1000, 1999, 3997, 7993, 9991, 9991]);
	});

	it('stays within bounds for huge attempt numbers (no overflow to Infinity/NaN)', () => {
		for (const attempt of [31, 100, 10_000]) {
			const delay = waiterDelay(attempt, options(), () => 0.999);
			expect(delay).toBeGreaterThanOrEqual(1000);
			expect(delay).toBeLessThanOrEqual(10_000);
		}
	});

	it('is minDelay for fixed backoff, ignoring random()', () => {
		const random = jest.fn(() => 0.999);
		expect(waiterDelay(5, options({ backoff: 'fixed', minDelayMs: 2500 }), random)).toBe(2500);
		expect(random).not.toHaveBeenCalled();
	});

	it('is minDelay when minDelay equals maxDelay', () => {
		expect(waiterDelay(7, options({ minDelayMs: 4000, maxDelayMs: 4000 }), () => 0.999)).toBe(4000);
	});
});
