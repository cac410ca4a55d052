/**
 * Fault injection shared by every provider emulator. A fault applies to the next request(s) it matches, then is
 * used up, so a test states exactly which call fails and how often.
 */
export type FaultKind =
	| 'throttle'
	| 'serverError'
	| 'reset'
	| 'malformedJson'
	| 'slowBody'
	| 'truncatedBody'
	| 'expiredUrl'
	| 'error';

export interface FaultSpec {
	/** API action name, or 'Download' for file downloads; omitted = any request the kind applies to. */
	action?: string;
	kind: FaultKind;
	/** For 'error' (and 'serverError': 500 or 503). */
	status?: number;
	code?: string;
	message?: string;
	/** How many matching requests it applies to (default 1). */
	times?: number;
	/** Delay before answering; for 'slowBody', the pause between 16 KiB chunks (default 50 ms). */
	delayMs?: number;
	/** For 'truncatedBody': bytes sent before the connection is cut (default half the body). */
	afterBytes?: number;
}

/** Which kinds make sense where: API calls answer JSON, downloads stream bytes. */
const API_KINDS: ReadonlySet<FaultKind> = new Set(['throttle', 'serverError', 'reset', 'malformedJson', 'error']);
const DOWNLOAD_KINDS: ReadonlySet<FaultKind> = new Set([
	'serverError',
	'reset',
	'slowBody',
	'truncatedBody',
	'expiredUrl',
	'error',
]);

export const DOWNLOAD_ACTION = 'Download';

interface Pending {
	spec: FaultSpec;
	left: number;
}

export class FaultQueue {
	private queue: Pending[] = [];

	push(spec: FaultSpec): void {
		this.queue.push({ spec, left: spec.times ?? 1 });
	}

	clear(): void {
		this.queue = [];
	}

	/** Faults not used up yet (for assertions). */
	pending(): FaultSpec[] {
		return this.queue.map((p) => ({ ...p.spec, times: p.left }));
	}

	/** The first queued fault that applies to this request, consuming one use of it. */
	take(action: string): FaultSpec | undefined {
		const download = action === DOWNLOAD_ACTION;
		const index = this.queue.findIndex(
			(p) =>
				(p.spec.action === undefined || p.spec.action === action) &&
				(download ? DOWNLOAD_KINDS : API_KINDS).has(p.spec.kind),
		);
		if (index < 0) return undefined;
		const pending = this.queue[index];
		if (--pending.left <= 0) this.queue.splice(index, 1);
		return pending.spec;
	}
}
