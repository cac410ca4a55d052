/**
 * Fault injection shared by every provider emulator. A fault applies to the next request(s) it matches, then is
 * used up, so a test states exactly which call fails and how often.
 */
export type FaultKind =
	| 'throttle'
	| 'serverError'
	| 'reset'
	| 'silent'
	| 'malformedJson'
	| 'answer'
	| 'slowBody'
	| 'truncatedBody'
	| 'corruptBody'
	| 'stall'
	| 'redirect'
	| 'expiredUrl'
	| 'error';

export interface FaultSpec {
	/** API action name, or 'Download' for file downloads; omitted = any request the kind applies to. */
	action?: string;
	kind: FaultKind;
	/** For 'error' (and 'serverError': 500 or 503); 'answer': the HTTP status (default 200); download 'throttle':
	 * 429 (default) or 503; 'redirect': 301, 302 (default), 303, 307 or 308. */
	status?: number;
	code?: string;
	message?: string;
	/** How many matching requests it applies to (default 1). */
	times?: number;
	/** Delay before answering; for 'slowBody', the pause between 16 KiB chunks (default 50 ms). */
	delayMs?: number;
	/** For 'truncatedBody' and 'stall': body bytes sent before the connection is cut / goes quiet (default half
	 * of the bytes this response carries; at most all but one, so the fault always bites). */
	afterBytes?: number;
	/** For 'corruptBody': the object byte (absolute, also on a range response) that is flipped; default the middle
	 * of the bytes this response carries. An offset outside the range served leaves the body intact. */
	offset?: number;
	/** For 'redirect': the Location sent (default `file:///etc/passwd`, a scheme no downloader may follow). */
	location?: string;
	/** For 'answer': the JSON body sent verbatim (a test's fuzzed provider answer). */
	body?: unknown;
	/** For download 'throttle': a Retry-After header (seconds); none by default, as OSS sends none. */
	retryAfterSeconds?: number;
	/** For 'reset': a TCP RST (the client reads ECONNRESET) instead of a plain close ("socket hang up"). */
	rst?: boolean;
}

/**
 * Which kinds make sense where: API calls answer JSON, downloads stream bytes. 'reset', 'silent', 'throttle',
 * 'serverError' and 'error' apply to both, so one without an action hits whichever request comes first.
 */
const API_KINDS: ReadonlySet<FaultKind> = new Set([
	'throttle',
	'serverError',
	'reset',
	'silent',
	'malformedJson',
	'answer',
	'error',
]);
const DOWNLOAD_KINDS: ReadonlySet<FaultKind> = new Set([
	'throttle',
	'serverError',
	'reset',
	'silent',
	'slowBody',
	'truncatedBody',
	'corruptBody',
	'stall',
	'redirect',
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
