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

/** `2024-01-10T17:21:25Z`: the ISO form the clouds print (no milliseconds). */
export function isoSeconds(ms: number): string {
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
