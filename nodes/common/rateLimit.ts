/**
 * Keeps a fan-out of requests under a cloud's documented rate instead of flooding it and retrying throttled calls.
 * Requests start evenly spaced (one every perMs / (requests x headroom)), so no window of `perMs`, wherever it
 * starts, holds more than `requests` of them; a burst would hit the cloud's own per-second counter at its edges.
 */
import type { RequestRate } from './provider';

export interface LimiterClock {
	now(): number;
	/** Resolves after `ms`; rejects when the execution is cancelled. */
	sleep(ms: number): Promise<void>;
}

/** Share of the documented rate we use: the cloud counts per account, and other clients may be calling too. */
export const RATE_HEADROOM = 0.9;

export class RateLimiter {
	private readonly intervalMs: number;
	private lastStartMs = Number.NEGATIVE_INFINITY;
	private queue: Promise<void> = Promise.resolve();

	constructor(
		rate: Pick<RequestRate, 'requests' | 'perMs'>,
		private readonly clock: LimiterClock,
		headroom = RATE_HEADROOM,
	) {
		if (!(rate.requests > 0) || !(rate.perMs > 0) || !(headroom > 0 && headroom <= 1)) {
			throw new RangeError(`Not a request rate: ${rate.requests} per ${rate.perMs} ms`);
		}
		this.intervalMs = rate.perMs / (rate.requests * headroom);
	}

	/**
	 * Waits for this request's turn. Callers queue in call order; each turn starts at least one interval after the
	 * previous one actually started, by the clock read after waking (a timer that fires late, on a busy host, never
	 * lets the queued requests out in a burst to catch up).
	 */
	async take(): Promise<void> {
		const turn = this.queue.then(async () => {
			for (;;) {
				const waitMs = this.lastStartMs + this.intervalMs - this.clock.now();
				if (waitMs <= 0) break;
				await this.clock.sleep(waitMs);
			}
			this.lastStartMs = this.clock.now();
		});
		// A cancelled wait (the execution stopped) must not block the callers behind it.
		this.queue = turn.catch(() => {});
		await turn;
	}

	/** Runs `call` in its turn. */
	async run<T>(call: () => Promise<T>): Promise<T> {
		await this.take();
		return await call();
	}
}

/**
 * One limiter per API action: a cloud's rate is per action (a backup list and a task list each have their own),
 * so each kind of call the fan-out makes gets its own queue.
 */
export class ActionLimiters {
	private readonly limiters = new Map<string, RateLimiter>();

	constructor(
		private readonly rate: RequestRate,
		private readonly clock: LimiterClock,
	) {}

	async run<T>(action: string, call: () => Promise<T>): Promise<T> {
		let limiter = this.limiters.get(action);
		if (!limiter) {
			limiter = new RateLimiter(this.rate, this.clock);
			this.limiters.set(action, limiter);
		}
		return await limiter.run(call);
	}
}
