/** Anything that can tell the time in epoch milliseconds. The emulator never reads Date.now() directly. */
export interface Clock {
	now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that only moves when a test says so: backup tasks, signature windows and URL expiry all follow it,
 * so a test can walk a backup through its states without waiting.
 */
export class ManualClock implements Clock {
	private current: number;

	constructor(startMs: number) {
		this.current = startMs;
	}

	now(): number {
		return this.current;
	}

	advance(ms: number): void {
		this.current += ms;
	}

	set(ms: number): void {
		this.current = ms;
	}
}

/**
 * A cloud's own clock: the clock the emulator was given (the host's, or a test's ManualClock) plus a skew read at
 * every call, so a test can set it at runtime. Real clouds' clocks are not their clients' clocks: the times a
 * cloud reports (backup start/end, task start) and the instant it judges signatures and URL expiry by are its own.
 */
export class SkewedClock implements Clock {
	constructor(
		readonly base: Clock,
		private readonly skewMs: () => number,
	) {}

	now(): number {
		return this.base.now() + this.skewMs();
	}
}

/** `2024-01-10T17:21:25Z`: the ISO form the clouds print (no milliseconds). */
export function isoSeconds(ms: number): string {
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
