/**
 * Stream a presigned URL into n8n's binary store: verified (length, and the storage's checksum where it sends one:
 * the provider's `ChecksumSpec`, e.g. OSS's CRC-64, computed while the bytes stream),
 * retried (throttling, 5xx, resets) and resumed (Range) under the retry policy of the API calls, cancellable, and
 * never buffered: the bytes go to `prepareBinaryData` as one stream, so in n8n's filesystem mode they reach the
 * disk chunk by chunk.
 *
 * One logical body is built from one or more HTTP responses by an async generator (`Download.body`) and handed to
 * `prepareBinaryData` as ONE Readable. Every check that can fail does so by throwing from the generator BEFORE the
 * stream ends, so n8n's store fails and keeps nothing (the filesystem store removes its temp file; the database and
 * S3 stores never write). A body that breaks off is resumed with `Range: bytes=<bytes passed on>-`; what cannot be
 * resumed (a server that ignores Range, a checksum mismatch) starts over with a new `prepareBinaryData` call, since
 * bytes already handed to the store cannot be taken back.
 *
 * Where the bytes go is a `Sink`: n8n's binary store (`downloadToBinary`) or nowhere (`streamAndDiscard`, for a
 * verification that stores nothing); the requests, retries, resumes, timeouts and checks are the same. With `verify`,
 * the file is also read by the RdbVerifier (common/rdb.ts) in the same pass, chunk by chunk beside the checksum's
 * hasher: continued across a resume, started afresh with a restarted pass, so it sees every byte once, in order.
 */
import { sleep } from 'n8n-workflow';
import type {
	IBinaryData,
	IExecuteFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
} from 'n8n-workflow';

import { CloudApiError, networkErrorCode, rootCauseMessage, type CloudErrorKind } from './errors';
import type { ChecksumHasher, ChecksumSpec } from './provider';
import { RdbVerifier, type RdbVerification } from './rdb';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelay, type RetryPolicy } from './retry';

/** How much of an error body is read (for the message and to spot "expired"); the rest is discarded. */
export const ERROR_BODY_LIMIT = 2048;
/** Time allowed for the response headers of one request (connect included). */
export const DEFAULT_RESPONSE_TIMEOUT_MS = 60_000;
/** A body that delivers no byte for this long is given up and resumed. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** Redirects followed per request (each checked: http and https only). */
export const MAX_REDIRECTS = 5;

export interface DownloadRequest {
	url: string;
	fileName: string;
	mimeType: string;
	/** Size the cloud reported for this file, or null when it did not. */
	expectedBytes: number | null;
	/** Refuse files larger than this before downloading (0 = no limit). */
	maxBytes: number;
	provider: string;
	/**
	 * The storage's checksum (the provider's `storage.checksum`): computed over the bytes as they stream and, when the
	 * answer carries its header with a value of this algorithm, compared at the end. Undefined: length checks only.
	 */
	checksum?: ChecksumSpec;
	/** Time to get a response's headers (default DEFAULT_RESPONSE_TIMEOUT_MS). */
	responseTimeoutMs?: number;
	/** Longest wait for the next byte of a body before it is given up and resumed (default DEFAULT_IDLE_TIMEOUT_MS). */
	idleTimeoutMs?: number;
	/** Tries and delays (default: the API calls' DEFAULT_RETRY_POLICY). */
	retryPolicy?: RetryPolicy;
	/** Source of the retry jitter in [0, 1) (default Math.random; tests pass their own). */
	random?: () => number;
	/**
	 * Read the bytes with the RdbVerifier while they stream: a file that says it is an RDB and is not a whole, valid
	 * one fails the download ('integrity'); other formats (AOF, archives, unknown) are named in the result.
	 */
	verify?: boolean;
	/**
	 * What the destination can hold, asked once the file's size is known (the cloud's size before the first request,
	 * else the first answer's Content-Length): a larger file is refused before its body is read. Null: no limit.
	 */
	storeLimit?: (sizeBytes: number) => Promise<StoreLimit | null>;
}

/** A size the destination of a download cannot take, and what to do instead. */
export interface StoreLimit {
	bytes: number;
	/** Ends "more than the 512.0 MiB …": "that n8n's database binary mode stores per file (…)". */
	store: string;
	/** The way out, for the error's description. */
	hint: string;
}

export interface DownloadChecksum {
	/** The spec's algorithm ("crc64ecma"); null when the request named none. */
	algorithm: string | null;
	/**
	 * What the storage sent in the spec's header, in the spec's form; null when it sent none or a value that is not
	 * a checksum of this algorithm.
	 */
	expected: string | null;
	/** The checksum of the bytes stored; null when the request named no algorithm. */
	actual: string | null;
	/** True only when the storage sent its checksum and it equals `actual`. */
	verified: boolean;
}

/** What streaming one file found, wherever its bytes went. */
export interface StreamedFile {
	/** Bytes received (and, into n8n's store, stored). */
	bytes: number;
	checksum: DownloadChecksum;
	/** The RdbVerifier's verdict on the bytes (always `ok`: a failed one is an error); null without `verify`. */
	verification: RdbVerification | null;
	/** HTTP requests sent for the file (redirect hops not counted): 1 when nothing went wrong. */
	attempts: number;
	/** Times the body was continued with a Range request after it broke off. */
	resumes: number;
	/** From the first request to the verified end of the body (retries and waits included). */
	durationMs: number;
}

export interface DownloadResult extends StreamedFile {
	binary: IBinaryData;
}

// ---- Helpers other modules use ----------------------------------------------------------------------------------

export function formatBytes(bytes: number): string {
	const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** Strips the query string (the signature) so URLs can appear in error messages. */
export function redactUrl(url: string): string {
	try {
		const parsed = new URL(url);
		if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
			return `(a ${parsed.protocol} URL)`;
		return `${parsed.origin}${parsed.pathname}`;
	} catch {
		return '(invalid URL)';
	}
}

/** What an HTTP error status from a storage service means (an expired presigned URL is a 403: 'auth'). */
export function storageErrorKind(status: number): CloudErrorKind {
	if (status >= 500) return 'server';
	if (status === 404) return 'notFound';
	if (status === 401 || status === 403) return 'auth';
	if (status === 429) return 'throttled';
	if (status >= 400) return 'client';
	// A 3xx that was not followed: not an answer a download can use.
	return 'malformed';
}

function destroyStream(stream: unknown): void {
	(stream as { destroy?: () => void } | null)?.destroy?.();
}

/**
 * The start of an error body, at most `limit` bytes, as text; the rest is not read (the stream is destroyed), so a
 * large or endless error body cannot be pulled into memory.
 */
export async function readErrorBodyStart(
	stream: unknown,
	limit = ERROR_BODY_LIMIT,
): Promise<string> {
	if (typeof stream === 'string') return stream.slice(0, limit);
	if (stream instanceof Uint8Array) return Buffer.from(stream.subarray(0, limit)).toString('utf8');
	const iterable = stream as Partial<AsyncIterable<unknown>> | null;
	if (!iterable || typeof iterable[Symbol.asyncIterator] !== 'function') return '';
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of iterable as AsyncIterable<unknown>) {
			const bytes =
				typeof chunk === 'string'
					? Buffer.from(chunk)
					: chunk instanceof Uint8Array
						? Buffer.from(chunk)
						: Buffer.alloc(0);
			chunks.push(bytes);
			size += bytes.length;
			if (size >= limit) break;
		}
	} catch {
		// A broken error body: what was read so far is all there is.
	} finally {
		destroyStream(stream);
	}
	return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

// ---- The stream handed to n8n -----------------------------------------------------------------------------------

/**
 * What `prepareBinaryData` takes: a Buffer or a Node Readable. Node code may not import `stream` (n8n's cloud lint
 * forbids it, type imports included), so the type comes from n8n's own signature.
 */
type BinarySource = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

/** The static side of Node's Readable that we need: `Readable.from(asyncIterable, options)`. */
interface ReadableFactory {
	from(
		source: AsyncIterable<Uint8Array>,
		options?: { objectMode?: boolean; highWaterMark?: number },
	): BinarySource;
}

/**
 * Bytes the Readable handed to n8n may hold ahead of the store's writes: enough to overlap the network with the
 * disk, small against the file (per download, independent of the file's size).
 */
const STREAM_HIGH_WATER_MARK = 1024 * 1024;

/**
 * A Node Readable over `source`, without importing `stream`: the response body n8n's httpRequest returns is a Node
 * Readable (an IncomingMessage, or the Readable axios wraps it in), and every Readable subclass inherits the static
 * `Readable.from`. A Readable, not just an async iterable, because n8n's stores consume it in both ways: the
 * filesystem store with `fs.promises.writeFile(path, stream)` (async iteration; it removes its temp file when the
 * stream errors), the database and S3 stores with 'data'/'end'/'error'/'close' listeners (binaryToBuffer).
 */
function readableFrom(body: unknown, source: AsyncIterable<Uint8Array>): BinarySource | undefined {
	const factory = (body as { constructor?: Partial<ReadableFactory> } | null | undefined)
		?.constructor;
	if (typeof factory?.from !== 'function') return undefined;
	return (factory as ReadableFactory).from(source, {
		objectMode: false,
		highWaterMark: STREAM_HIGH_WATER_MARK,
	});
}

// ---- One download -----------------------------------------------------------------------------------------------

/** One HTTP response being used (after redirects). */
interface Answer {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
	/** The URL that answered (the last redirect's target). */
	url: string;
	/** Aborts this response's request: the body stops, the socket is closed. */
	controller: AbortController;
	/** Removes the link between the execution's cancel signal and `controller`. */
	unlink: () => void;
	/** Reads the body from the moment a usable answer arrives (see BodyReader); set for 200 and 206 answers. */
	reader?: BodyReader;
}

/** One `prepareBinaryData` call: a body from byte 0, maybe continued by Range requests. */
interface Pass {
	first: Answer;
	/** Bytes handed to the store so far. */
	bytes: number;
	/** The checksum of the bytes handed to the store (continued across resumes); null without a spec. */
	hasher: ChecksumHasher | null;
	/** `hasher`'s digest, once taken. */
	actual?: string;
	/** Reads the same bytes as `hasher` when the request asks to verify them; null otherwise. */
	verifier: RdbVerifier | null;
	/** `verifier`'s verdict, once the whole body passed. */
	verification?: RdbVerification;
	/** Bytes the file must have (the cloud's size, else the storage's), null when nobody said. */
	total: number | null;
	/** The storage's checksum of the whole object (parsed), when it sent one of the spec's algorithm. */
	expected: string | null;
	/** Why the pass failed, as told to the store (the error the generator threw). */
	failure?: CloudApiError;
	/** Set when the pass failed in a way that starting over may cure; `answer` is a fresh 200 to start with. */
	restart?: { answer?: Answer };
	/** `failure` is already the error to give up with (it says how many tries there were). */
	finalized?: boolean;
	/** The resumes this pass made. */
	resumes: number;
}

function headerOf(headers: Record<string, unknown>, name: string): string | undefined {
	const value = headers[name.toLowerCase()] ?? headers[name];
	if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : undefined;
	return value === undefined || value === null ? undefined : String(value);
}

function isHttpUrl(url: string): boolean {
	try {
		const { protocol } = new URL(url);
		return protocol === 'http:' || protocol === 'https:';
	} catch {
		return false;
	}
}

function protocolOf(url: string): string {
	try {
		return new URL(url).protocol;
	} catch {
		return 'invalid';
	}
}

const seconds = (ms: number) => {
	const s = ms / 1000;
	return Number.isInteger(s) ? String(s) : s.toFixed(1);
};

/**
 * Advice for download failures, about the object storage behind the presigned URL, never the cloud's API
 * credentials or endpoint (which the cloud's own advice would speak of).
 */
const STORAGE_HINTS: Partial<Record<CloudErrorKind, string>> = {
	throttled:
		'The object storage is limiting the download rate; the node retried with backoff. Download fewer files at once, or later.',
	server: 'The object storage had a problem serving the file (the node retried); try again later.',
	network:
		'The connection to the object storage failed or stalled (the node retried and resumed where it could); check the network between n8n and the storage, or raise "Idle Timeout".',
	malformed:
		'The object storage (or a proxy in between) did not answer like a file download; check proxies between n8n and the storage.',
	client:
		'The download request was refused before or by the object storage; see the message for why.',
	notFound:
		'The file is no longer on the object storage (the backup may have expired or been deleted); list the backups again.',
	auth: 'The object storage refused the presigned download URL (not your API credentials); run the operation again for a fresh URL.',
};

/** Failures a try can be repeated after: the storage did nothing wrong with the file itself. */
const RETRIED_KINDS = new Set<CloudErrorKind>(['throttled', 'server', 'network']);

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The reason an idle wait is aborted with when its chunk came first (one object for all: never thrown). */
const CHUNK_ARRIVED = new Error('The next chunk arrived before the idle timeout');

class Download {
	private readonly policy: RetryPolicy;
	private readonly random: () => number;
	private readonly cancel: AbortSignal | undefined;
	private readonly responseTimeoutMs: number;
	private readonly idleTimeoutMs: number;
	/** HTTP requests sent (redirect hops not counted). */
	private tries = 0;
	private resumes = 0;
	private storeLimitChecked = false;

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly request: DownloadRequest,
	) {
		this.policy = request.retryPolicy ?? DEFAULT_RETRY_POLICY;
		this.random = request.random ?? Math.random;
		this.cancel = context.getExecutionCancelSignal?.() ?? undefined;
		this.responseTimeoutMs = positive(request.responseTimeoutMs, DEFAULT_RESPONSE_TIMEOUT_MS);
		this.idleTimeoutMs = positive(request.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS);
	}

	private error(
		message: string,
		kind: CloudErrorKind,
		extra: Partial<ConstructorParameters<typeof CloudApiError>[1]> = {},
	): CloudApiError {
		return new CloudApiError(message, {
			provider: this.request.provider,
			kind,
			action: 'download',
			...extra,
			// The cloud's advice is about its API (credentials, endpoint): a download talks to the object storage.
			hint: extra.hint ?? STORAGE_HINTS[kind],
		});
	}

	private cancelled(): CloudApiError {
		return this.error('The execution was cancelled', 'cancelled');
	}

	private tooLarge(bytes: number, atLeast = false): CloudApiError {
		return this.error(
			`${this.request.fileName} is ${atLeast ? 'more than ' : ''}${formatBytes(bytes)}, above the limit of ${formatBytes(this.request.maxBytes)} set in "Max File Size"`,
			'client',
			{
				hint: 'Raise "Max File Size" (0 = no limit) if n8n\'s binary data mode can hold the file.',
			},
		);
	}

	/**
	 * A file that says it is an RDB and is not a whole, valid one. Not retried: where the storage's checksum matched,
	 * these are the bytes the storage holds, so the backup itself is damaged; where it sent none, https leaves little
	 * room for damage on the way, and the message says to run the operation again to be sure.
	 */
	private invalidBackup(pass: Pass, verdict: RdbVerification): CloudApiError {
		const { fileName, checksum } = this.request;
		const cloud =
			pass.expected !== null && checksum
				? `Its bytes match the storage's ${checksum.label} checksum, so the backup file itself is damaged`
				: 'The storage sent no checksum to compare the bytes with; run the operation again to rule out damage on the way';
		return this.error(
			`${fileName} failed verification: ${verdict.detail.replace(/\.+$/, '')}. ${cloud}`,
			'integrity',
			{
				hint: 'Do not rely on this backup for a restore: create a new backup (Backup → Create) and verify it (Backup → Verify, or the Verify option of Download).',
			},
		);
	}

	/**
	 * The error refusing, before its body is read, a file larger than its destination can hold; undefined when it
	 * fits (the destination is asked once per download).
	 */
	private async storeLimitError(size: number): Promise<CloudApiError | undefined> {
		const { storeLimit, fileName } = this.request;
		if (!storeLimit || this.storeLimitChecked) return undefined;
		this.storeLimitChecked = true;
		const limit = await storeLimit(size);
		if (limit === null || size <= limit.bytes) return undefined;
		return this.error(
			`${fileName} is ${formatBytes(size)} (${size} bytes), more than the ${formatBytes(limit.bytes)} ${limit.store}, so it was not downloaded`,
			'client',
			{ hint: limit.hint },
		);
	}

	/** The error to give up with: says how many tries there were only when there was more than one. */
	private final(failure: CloudApiError, note = ''): CloudApiError {
		if (failure.kind === 'cancelled') return failure;
		const last = failure.message.replace(/\.+$/, '');
		const message =
			this.tries > 1
				? `The download of ${this.request.fileName} failed after ${this.tries} tries; the last one: ${last}${note}`
				: `${last}${note}`;
		return message === failure.message ? failure : new CloudApiError(message, failure.details);
	}

	/**
	 * After a failed try: throws the error to give up with (not retryable, no tries left, cancelled, or the server
	 * asks for a longer wait than the policy allows), else waits the backoff (cancellable) and returns.
	 */
	private async beforeRetry(failure: CloudApiError, retryable: boolean): Promise<void> {
		if (failure.kind === 'cancelled' || this.cancel?.aborted) throw this.cancelled();
		if (!retryable || this.tries >= this.policy.maxAttempts) throw this.final(failure);
		const retryAfterMs = failure.details.retryAfterMs;
		if (retryAfterMs !== undefined && retryAfterMs > this.policy.maxDelayMs) {
			throw this.final(
				failure,
				`. The server asked to wait ${seconds(retryAfterMs)} s before retrying, longer than the ${seconds(this.policy.maxDelayMs)} s this node waits, so it was not retried; try again later`,
			);
		}
		const delay = retryDelay(this.tries, this.policy, this.random, retryAfterMs);
		this.context.logger?.debug?.(
			`Download of ${this.request.fileName}: try ${this.tries} failed (${failure.message}); retrying in ${delay} ms`,
		);
		const wait = new AbortController();
		const onCancel = () => wait.abort();
		this.cancel?.addEventListener('abort', onCancel, { once: true });
		try {
			// n8n's sleep rejects with the signal's reason (not always an Error): say what happened instead.
			await sleep(delay, wait.signal).catch(() => undefined);
		} finally {
			this.cancel?.removeEventListener('abort', onCancel);
		}
		if (this.cancel?.aborted) throw this.cancelled();
	}

	/** Checks a URL the download is about to be sent to (the first one and every redirect's target). */
	private checkTarget(url: string, redirectedFrom?: string): void {
		if (isHttpUrl(url)) return;
		const what = redirectedFrom
			? `The storage service redirected the download of ${this.request.fileName} from ${redactUrl(redirectedFrom)} to a ${protocolOf(url)} URL`
			: `The download URL of ${this.request.fileName} is not an http or https URL (${protocolOf(url)})`;
		throw this.error(`${what}; only http and https are downloaded`, 'client', {
			hint: 'Only the http(s) URLs the cloud returns are downloaded; nothing was fetched from this one.',
		});
	}

	private release(answer: Answer | undefined): void {
		answer?.unlink();
	}

	/** Stops a response: aborts its request (closes the socket) and destroys its body. */
	private discard(answer: Answer | undefined): void {
		if (!answer) return;
		answer.controller.abort();
		destroyStream(answer.body);
		answer.unlink();
	}

	/** Sends one try: a GET (ranged when `from` is a number), following up to MAX_REDIRECTS http(s) redirects. */
	private async send(from: number | null): Promise<Answer> {
		if (this.cancel?.aborted) throw this.cancelled();
		this.tries++;
		let url = this.request.url;
		for (let hop = 0; ; hop++) {
			if (this.cancel?.aborted) throw this.cancelled();
			const controller = new AbortController();
			const onCancel = () => controller.abort();
			this.cancel?.addEventListener('abort', onCancel, { once: true });
			const unlink = () => this.cancel?.removeEventListener('abort', onCancel);
			const headers: Record<string, string> = {
				// The storage's length and checksum are of the stored bytes: ask for no on-the-fly compression (which the
				// HTTP client would undo, changing both).
				'Accept-Encoding': 'identity',
			};
			if (from !== null) headers.Range = `bytes=${from}-`;
			const options: IHttpRequestOptions = {
				method: 'GET',
				url,
				headers,
				encoding: 'stream',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				// Redirects are followed below, one checked hop at a time: never to file:, data: or the like.
				disableFollowRedirect: true,
				timeout: this.responseTimeoutMs,
				abortSignal: controller.signal,
			};
			let response: IN8nHttpFullResponse | undefined;
			let failure: unknown;
			try {
				response = (await this.context.helpers.httpRequest(options)) as IN8nHttpFullResponse;
			} catch (error) {
				failure = error;
			}
			if (response === undefined) {
				unlink();
				if (this.cancel?.aborted) throw this.cancelled();
				const code = networkErrorCode(failure);
				// A socket-level failure (reset, refused, timeout, DNS) is retried; anything else (the URL refused by
				// n8n's SSRF guard, a TLS error, ...) would fail the same way again.
				throw this.error(
					`Could not download ${this.request.fileName} from ${redactUrl(url)}: ${rootCauseMessage(failure)}`,
					code ? 'network' : 'client',
					{ code },
				);
			}
			const answer: Answer = {
				statusCode: response.statusCode,
				headers: (response.headers ?? {}) as Record<string, unknown>,
				body: response.body,
				url,
				controller,
				unlink,
			};
			const location = headerOf(answer.headers, 'location');
			if (!REDIRECT_STATUSES.has(answer.statusCode) || location === undefined) return answer;
			this.discard(answer);
			let next: string;
			try {
				next = new URL(location, url).toString();
			} catch {
				throw this.error(
					`The storage service redirected the download of ${this.request.fileName} to an invalid URL`,
					'malformed',
				);
			}
			this.checkTarget(next, url);
			if (hop + 1 > MAX_REDIRECTS) {
				throw this.error(
					`The storage service redirected the download of ${this.request.fileName} more than ${MAX_REDIRECTS} times`,
					'malformed',
				);
			}
			url = next;
		}
	}

	/** The error an HTTP error status stands for (its body read up to ERROR_BODY_LIMIT); the answer is discarded. */
	private async statusError(answer: Answer, from: number | null): Promise<CloudApiError> {
		const status = answer.statusCode;
		const body = await readErrorBodyStart(answer.body);
		this.discard(answer);
		const code = /<Code>([^<]{1,100})<\/Code>/.exec(body)?.[1];
		const retryAfterMs = parseRetryAfter(headerOf(answer.headers, 'retry-after'), Date.now());
		// Storages name it after themselves (x-<storage>-request-id): any header ending in request-id.
		const requestIdHeader = Object.keys(answer.headers).find((name) =>
			/(^|-)request-id$/i.test(name),
		);
		const requestId = requestIdHeader ? headerOf(answer.headers, requestIdHeader) : undefined;
		if (status === 403 && /expired/i.test(body)) {
			return this.error(`The download URL of ${this.request.fileName} has expired`, 'auth', {
				httpStatus: status,
				code,
				body,
				requestId,
				hint: 'Download URLs are presigned and expire; run the operation again to get fresh ones (avoid long waits between getting a URL and using it).',
			});
		}
		if (status === 416 && from !== null) {
			return this.error(
				`${this.request.fileName} is shorter than expected: the storage service has no bytes after the first ${from} (HTTP 416 to a Range request), fewer than ${this.request.expectedBytes !== null ? 'the cloud reported' : 'it announced'}`,
				'integrity',
				{
					httpStatus: status,
					code,
					body,
					requestId,
					hint: 'The file on the storage is not the one the cloud describes (or it changed during the download); run the operation again.',
				},
			);
		}
		const kind = storageErrorKind(status);
		return this.error(
			`The storage service answered HTTP ${status}${code ? ` (${code})` : ''} for ${redactUrl(answer.url)}`,
			kind,
			{
				httpStatus: status,
				code,
				body,
				requestId,
				retryAfterMs,
				hint:
					kind === 'auth'
						? 'The storage service refused the presigned download URL (not your API credentials): it may have been revoked, be signed for another bucket or region, or a bucket policy may deny this network. Run the operation again for a fresh URL; for internal URLs, run n8n inside the cloud region.'
						: undefined,
			},
		);
	}

	/**
	 * Sends tries until one answers 200 (or 206 to a Range request), waiting and retrying what may be retried; throws
	 * the error to give up with otherwise.
	 */
	private async obtain(from: number | null): Promise<Answer> {
		for (;;) {
			let answer: Answer | undefined;
			let thrown: unknown;
			try {
				answer = await this.send(from);
			} catch (error) {
				thrown = error;
			}
			if (answer === undefined && !(thrown instanceof CloudApiError)) throw thrown;
			if (
				answer !== undefined &&
				(answer.statusCode === 200 || (from !== null && answer.statusCode === 206))
			) {
				answer.reader = new BodyReader(answer.body);
				return answer;
			}
			const failure =
				answer === undefined
					? (thrown as CloudApiError)
					: answer.statusCode >= 200 && answer.statusCode < 300
						? this.unusable(answer, `HTTP ${answer.statusCode}`)
						: await this.statusError(answer, from);
			await this.beforeRetry(failure, RETRIED_KINDS.has(failure.kind));
		}
	}

	private unusable(answer: Answer, what: string): CloudApiError {
		this.discard(answer);
		return this.error(
			`The storage service answered the download of ${this.request.fileName} with ${what}, which is not the file`,
			'malformed',
		);
	}

	/**
	 * The storage's checksum in `answer` (parsed by the spec), null when it sent none or one of another kind, undefined
	 * when it sent no header at all (or the request named no spec).
	 */
	private expectedChecksum(answer: Answer, size: number | null): string | null | undefined {
		const spec = this.request.checksum;
		const value = spec ? headerOf(answer.headers, spec.header) : undefined;
		if (spec === undefined || value === undefined) return undefined;
		return spec.parse(value, size);
	}

	/** Starts a pass on a 200: checks the announced length, takes the storage's checksum; or says why it cannot. */
	private startPass(answer: Answer): Pass | CloudApiError {
		const { expectedBytes, maxBytes, checksum, fileName } = this.request;
		const lengthHeader = headerOf(answer.headers, 'content-length');
		const announced =
			lengthHeader !== undefined && /^\d+$/.test(lengthHeader.trim()) ? Number(lengthHeader) : null;
		if (announced !== null && expectedBytes !== null && announced !== expectedBytes) {
			this.discard(answer);
			return this.error(
				`${fileName}: the storage service announced ${announced} bytes but the cloud reported ${expectedBytes}`,
				'integrity',
				{
					hint: 'The file on the storage is not the one the cloud describes; get the backup again.',
				},
			);
		}
		if (maxBytes > 0 && announced !== null && announced > maxBytes) {
			this.discard(answer);
			return this.tooLarge(announced);
		}
		const total = expectedBytes ?? announced;
		const expected = this.expectedChecksum(answer, total);
		if (expected === null && checksum) {
			this.context.logger?.debug?.(
				`Download of ${fileName}: its ${checksum.header} (${headerOf(answer.headers, checksum.header)}) is not a ${checksum.label} checksum; the file is checked by its length only`,
			);
		}
		return {
			first: answer,
			bytes: 0,
			hasher: checksum ? checksum.createHasher() : null,
			verifier: this.request.verify ? new RdbVerifier() : null,
			total,
			expected: expected ?? null,
			resumes: 0,
		};
	}

	/** Records why `pass` failed (what the store is told) and returns the error to throw. */
	private fail(pass: Pass, failure: CloudApiError, restart?: { answer?: Answer }): CloudApiError {
		pass.failure = failure;
		if (restart) pass.restart = restart;
		return failure;
	}

	/**
	 * The next chunk of a body, or a failure when none arrives within the idle timeout (the response is then
	 * aborted). Raced against n8n's `sleep` with a fresh AbortController per wait, aborted as soon as the chunk (or
	 * the execution's cancellation) arrives, so no timer outlives the wait.
	 */
	private async nextChunk(
		iterator: AsyncIterator<unknown>,
		answer: Answer,
	): Promise<IteratorResult<unknown>> {
		if (this.cancel?.aborted) throw this.cancelled();
		const timer = new AbortController();
		const onCancel = () => timer.abort();
		this.cancel?.addEventListener('abort', onCancel, { once: true });
		let result: IteratorResult<unknown> | 'idle' | 'aborted';
		try {
			result = await Promise.race([
				iterator.next(),
				// Resolves to a marker rather than throwing: no Error (and its stack) is built per chunk when the
				// wait is aborted because the chunk came first; that late result is simply ignored by the race.
				sleep(this.idleTimeoutMs, timer.signal).then(
					(): 'idle' => 'idle',
					(): 'aborted' => 'aborted',
				),
			]);
		} finally {
			// With a reason of our own: abort() without one builds a DOMException (and its stack) per chunk.
			timer.abort(CHUNK_ARRIVED);
			this.cancel?.removeEventListener('abort', onCancel);
		}
		if (result === 'aborted') throw this.cancelled();
		if (result === 'idle') {
			answer.controller.abort();
			throw this.error(
				`no data arrived for ${seconds(this.idleTimeoutMs)} s ("Idle Timeout")`,
				'network',
			);
		}
		return result;
	}

	/** After the body broke off at `pass.bytes`: waits, then gets the rest with a Range request. */
	private async resume(pass: Pass, failure: CloudApiError): Promise<Answer> {
		const { fileName, checksum } = this.request;
		const broken = this.error(
			`The download of ${fileName} broke off after ${pass.bytes}${pass.total !== null ? ` of ${pass.total}` : ''} bytes: ${failure.message}`,
			failure.kind,
			{ code: failure.details.code },
		);
		await this.beforeRetry(broken, true);
		const answer = await this.obtain(pass.bytes);
		if (answer.statusCode === 200) {
			// The server ignored the Range: this answer is the file from byte 0, but what was already handed to the
			// store cannot be taken back, so this pass fails and the next one starts with this very answer.
			throw this.fail(
				pass,
				this.error(
					`The storage service ignored the Range request of ${fileName}; starting over`,
					'network',
				),
				{ answer },
			);
		}
		const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(
			(headerOf(answer.headers, 'content-range') ?? '').trim(),
		);
		const start = range ? Number(range[1]) : NaN;
		const total = range && range[3] !== '*' ? Number(range[3]) : null;
		if (start !== pass.bytes) {
			this.discard(answer);
			// A broken answer, not a changed file: starting over from byte 0 may still work.
			throw this.fail(
				pass,
				this.error(
					`The storage service answered the Range request of ${fileName} for byte ${pass.bytes} with ${range ? `bytes from ${start}` : 'no usable Content-Range'}; starting over`,
					'malformed',
				),
				{},
			);
		}
		// The checksum of the whole object, sent again with the rest: another value means another file.
		const sent = pass.expected !== null ? this.expectedChecksum(answer, pass.total ?? total) : undefined;
		const changedChecksum = sent !== undefined && sent !== pass.expected;
		if ((pass.total !== null && total !== null && total !== pass.total) || changedChecksum) {
			this.discard(answer);
			throw this.fail(
				pass,
				this.error(
					changedChecksum
						? `${fileName} changed on the storage while it was being downloaded (its ${checksum?.header} went from ${pass.expected} to ${sent ?? headerOf(answer.headers, checksum?.header ?? '')})`
						: `${fileName} changed on the storage while it was being downloaded (its size went from ${pass.total} to ${total} bytes)`,
					'integrity',
					{ hint: 'Run the operation again to download the file as it is now.' },
				),
			);
		}
		if (pass.total === null && total !== null) pass.total = total;
		pass.resumes++;
		return answer;
	}

	/** The one logical body of a pass: the first answer, then Range continuations, every byte counted and hashed. */
	private async *body(pass: Pass): AsyncGenerator<Uint8Array, void, undefined> {
		const { fileName, maxBytes, checksum } = this.request;
		let answer: Answer | undefined = pass.first;
		let complete = false;
		try {
			let iterator = readerOf(answer);
			for (;;) {
				let step: IteratorResult<unknown> | undefined;
				let broken: CloudApiError | undefined;
				try {
					step = await this.nextChunk(iterator, answer);
				} catch (error) {
					if (this.cancel?.aborted) throw this.fail(pass, this.cancelled());
					broken =
						error instanceof CloudApiError
							? error
							: this.error(rootCauseMessage(error), 'network', { code: networkErrorCode(error) });
				}
				if (step?.done === true && pass.total !== null && pass.bytes < pass.total) {
					broken = this.error('the connection was closed before the end of the file', 'network');
				}
				if (broken) {
					this.discard(answer);
					answer = undefined;
					let thrown: unknown;
					try {
						answer = await this.resume(pass, broken);
					} catch (error) {
						thrown = error;
					}
					if (answer === undefined) {
						// The error beforeRetry/obtain gave up with, unless resume() recorded its own: the store is
						// told too.
						if (thrown instanceof CloudApiError && pass.failure === undefined) {
							this.fail(pass, thrown);
							pass.finalized = true;
						}
						throw thrown;
					}
					iterator = readerOf(answer);
					continue;
				}
				if (step === undefined || step.done === true) break;
				const chunk = step.value;
				if (!(chunk instanceof Uint8Array)) {
					throw this.fail(
						pass,
						this.error(
							`The download of ${fileName} produced something other than bytes`,
							'malformed',
						),
					);
				}
				const bytes = pass.bytes + chunk.length;
				if (pass.total !== null && bytes > pass.total) {
					throw this.fail(
						pass,
						this.error(
							`${fileName} is longer than expected: more than ${pass.total} bytes arrived (${this.request.expectedBytes !== null ? 'the size the cloud reported' : 'the size the storage announced'})`,
							'integrity',
							{
								hint: 'The file on the storage is not the one the cloud describes; get the backup again.',
							},
						),
					);
				}
				if (maxBytes > 0 && bytes > maxBytes) throw this.fail(pass, this.tooLarge(maxBytes, true));
				pass.hasher?.update(chunk);
				pass.verifier?.update(chunk);
				pass.bytes = bytes;
				yield chunk;
			}
			// The whole body passed: verify it before the stream ends, so that a mismatch fails n8n's store.
			if (pass.expected !== null && checksum) {
				const actual = digestOf(pass);
				if (actual !== pass.expected) {
					throw this.fail(
						pass,
						this.error(
							`${fileName} is corrupt: the ${checksum.label} checksum of the ${pass.bytes} bytes received is ${actual}, the storage service's ${checksum.header} is ${pass.expected}`,
							'integrity',
							{ hint: 'The bytes were damaged on the way; run the operation again.' },
						),
						{},
					);
				}
			}
			if (pass.verifier) {
				// Also before the stream ends: a file that is not a valid RDB is not stored as a good one.
				const verdict = pass.verifier.finish();
				if (!verdict.ok) throw this.fail(pass, this.invalidBackup(pass, verdict));
				pass.verification = verdict;
			}
			complete = true;
		} finally {
			// Reached on success, on a failure, and when the store stops reading (it destroyed the stream).
			if (complete) this.release(answer);
			else this.discard(answer);
		}
	}

	/** The store's own failure (disk full, n8n's database-mode size limit, ...), in the user's terms. */
	private storeError(error: unknown): CloudApiError {
		const message = rootCauseMessage(error);
		const sizeLimit = /too large|FileTooLarge|max.*size/i.test(message);
		return this.error(
			sizeLimit
				? `n8n could not store ${this.request.fileName}: ${message}. n8n's database binary mode (the queue-mode default) refuses files above N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE; use filesystem or S3 binary mode for large backups`
				: `n8n could not store ${this.request.fileName}: ${message}`,
			sizeLimit ? 'client' : 'network',
		);
	}

	async run<T>(sink: Sink<T>): Promise<StreamedFile & { output: T }> {
		const started = Date.now();
		const { expectedBytes, maxBytes, fileName } = this.request;
		this.checkTarget(this.request.url);
		if (maxBytes > 0 && expectedBytes !== null && expectedBytes > maxBytes) {
			throw this.tooLarge(expectedBytes);
		}
		const refused = expectedBytes !== null ? await this.storeLimitError(expectedBytes) : undefined;
		if (refused) throw refused;
		let next: Answer | undefined;
		for (;;) {
			const answer = next ?? (await this.obtain(null));
			next = undefined;
			const pass = this.startPass(answer);
			if (pass instanceof CloudApiError) throw this.final(pass);
			// Where the cloud did not say: the storage's Content-Length, before a byte of the body is read.
			const tooLargeForStore =
				pass.total !== null ? await this.storeLimitError(pass.total) : undefined;
			if (tooLargeForStore) {
				this.discard(answer);
				throw tooLargeForStore;
			}
			const body = this.body(pass);
			let taken: SinkResult<T> | undefined;
			let sinkFailure: unknown;
			try {
				taken = await sink.take(body, answer.body);
			} catch (error) {
				sinkFailure = error;
			}
			if (sinkFailure === NOT_A_STREAM) throw this.unusable(answer, 'a body that is not a stream');
			this.resumes += pass.resumes;
			if (pass.failure !== undefined || taken === undefined) {
				// In case the sink gave up without reading to the end (or at all): stop the response(s). Harmless when
				// the generator has already cleaned up.
				this.discard(pass.first);
				if (this.cancel?.aborted) throw this.cancelled();
				if (pass.failure === undefined) {
					throw sink.failure ? sink.failure(sinkFailure) : this.final(this.storeError(sinkFailure));
				}
				if (!pass.restart) throw pass.finalized ? pass.failure : this.final(pass.failure);
				if (pass.restart.answer) {
					// The 200 that ignored the Range (already counted as a try) starts the next pass.
					next = pass.restart.answer;
				} else {
					await this.beforeRetry(pass.failure, true);
				}
				continue;
			}
			if (taken.storedBytes !== undefined && taken.storedBytes !== pass.bytes) {
				throw this.error(
					`${fileName}: n8n stored ${taken.storedBytes} bytes but ${pass.bytes} were received`,
					'integrity',
				);
			}
			const actual = digestOf(pass);
			return {
				output: taken.output,
				bytes: pass.bytes,
				checksum: {
					algorithm: this.request.checksum?.algorithm ?? null,
					expected: pass.expected,
					actual,
					verified: pass.expected !== null && pass.expected === actual,
				},
				verification: pass.verification ?? null,
				attempts: this.tries,
				resumes: this.resumes,
				durationMs: Date.now() - started,
			};
		}
	}
}

// ---- Where the bytes go -----------------------------------------------------------------------------------------

export interface SinkResult<T> {
	output: T;
	/** Bytes the destination says it kept, where it says (checked against the bytes received). */
	storedBytes?: number;
}

/**
 * Where the body of one pass goes. `take` consumes it to its end, or rejects with what the body threw (every check
 * of the download throws from the body) or with its own failure; it must stop reading the body when it fails.
 */
export interface Sink<T> {
	take(body: AsyncGenerator<Uint8Array, void, undefined>, response: unknown): Promise<SinkResult<T>>;
	/**
	 * The error to give up with when `take` failed by itself (not because the body threw): the sink's own words and
	 * kind (e.g. the bucket refused an upload). Absent: "n8n could not store ..." (the binary store's failure).
	 */
	failure?(error: unknown): CloudApiError;
}

/** What the store sink rejects with when the response body is not a Node stream it can turn into a Readable. */
const NOT_A_STREAM = new Error('The response body is not a stream');

/** n8n's binary store: the body as ONE Readable to `prepareBinaryData` (see the top of this file). */
function binaryStoreSink(context: IExecuteFunctions, fileName: string, mimeType: string): Sink<IBinaryData> {
	return {
		async take(body, response) {
			const stream = readableFrom(response, body);
			if (stream === undefined) throw NOT_A_STREAM;
			let binary: IBinaryData | undefined;
			let failure: unknown;
			try {
				binary = await context.helpers.prepareBinaryData(stream, fileName, mimeType);
			} catch (error) {
				failure = error;
			}
			if (binary === undefined) {
				// The store may have given up without reading to the end (or at all): stop the stream and the response(s)
				// behind it.
				destroyStream(stream);
				throw failure;
			}
			return {
				output: binary,
				storedBytes: typeof binary.bytes === 'number' ? binary.bytes : undefined,
			};
		},
	};
}

/** Nowhere: every chunk is counted, hashed and verified by the body, then dropped. */
const DISCARD_SINK: Sink<null> = {
	async take(body) {
		for (let step = await body.next(); step.done !== true; step = await body.next()) {
			// Nothing to keep: the body has already checked the chunk.
		}
		return { output: null };
	},
};

/** The checksum of a pass's bytes (taken once: a hasher is not fed after its digest), null without a spec. */
function digestOf(pass: Pass): string | null {
	if (pass.hasher === null) return null;
	pass.actual ??= pass.hasher.digest();
	return pass.actual;
}

function positive(value: number | undefined, fallback: number): number {
	return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** The most bytes a BodyReader holds before it pauses the response (backpressure). */
const READ_AHEAD_BYTES = 1024 * 1024;

interface EventSource {
	on(event: string, listener: (...args: unknown[]) => void): unknown;
	pause?: () => unknown;
	resume?: () => unknown;
}

/**
 * Reads a response body from the moment its answer arrives, into a bounded queue (the response is paused above
 * READ_AHEAD_BYTES and resumed below half of it). Reading on demand would lose what arrived before a cut: Node
 * discards the buffered bytes of a stream destroyed by a broken connection, and n8n's store may start pulling only
 * later, so a resume would have to ask again for bytes that had already reached us.
 */
class BodyReader implements AsyncIterator<unknown> {
	private readonly queue: unknown[] = [];
	private queued = 0;
	private ended = false;
	private failure: unknown;
	private failed = false;
	private wake: (() => void) | undefined;

	constructor(private readonly body: unknown) {
		const source = body as Partial<EventSource> | null | undefined;
		if (!source || typeof source.on !== 'function') {
			this.fail(new Error('the response has no readable body'));
			return;
		}
		source.on('data', (chunk: unknown) => {
			this.queue.push(chunk);
			this.queued += chunk instanceof Uint8Array ? chunk.length : 0;
			if (this.queued > READ_AHEAD_BYTES) source.pause?.();
			this.notify();
		});
		source.on('end', () => {
			this.ended = true;
			this.notify();
		});
		source.on('error', (error: unknown) => this.fail(error));
		// A body destroyed without an error (aborted by us, or by the socket) ends short: the caller counts bytes.
		source.on('close', () => {
			this.ended = true;
			this.notify();
		});
	}

	private fail(error: unknown): void {
		if (!this.failed) {
			this.failed = true;
			this.failure = error;
		}
		this.notify();
	}

	private notify(): void {
		const wake = this.wake;
		this.wake = undefined;
		wake?.();
	}

	async next(): Promise<IteratorResult<unknown>> {
		for (;;) {
			// Bytes that arrived are handed on first, even when the connection broke after them.
			if (this.queue.length > 0) {
				const chunk = this.queue.shift();
				this.queued -= chunk instanceof Uint8Array ? chunk.length : 0;
				if (this.queued <= READ_AHEAD_BYTES / 2) (this.body as Partial<EventSource>).resume?.();
				return { value: chunk, done: false };
			}
			if (this.failed) throw this.failure;
			if (this.ended) return { value: undefined, done: true };
			await new Promise<void>((resolve) => (this.wake = resolve));
		}
	}
}

function readerOf(answer: Answer): BodyReader {
	answer.reader ??= new BodyReader(answer.body);
	return answer.reader;
}

/**
 * Downloads `request.url` into n8n's binary store; see the top of this file. Throws a CloudApiError (action
 * 'download'): 'integrity' when the bytes are not the file the cloud and the storage describe, 'cancelled' when the
 * execution was stopped, else the kind of the last failure.
 */
export async function downloadToBinary(
	context: IExecuteFunctions,
	request: DownloadRequest,
): Promise<DownloadResult> {
	const { output, ...file } = await new Download(context, request).run(
		binaryStoreSink(context, request.fileName, request.mimeType),
	);
	return { ...file, binary: output };
}

/**
 * Streams `request.url` through the same requests, retries, resumes and checks as `downloadToBinary` (with `verify`,
 * the RdbVerifier too) and keeps nothing: no binary data, nothing in n8n's store (`maxBytes` and `storeLimit` are not
 * asked). Throws as `downloadToBinary` does.
 */
export async function streamAndDiscard(
	context: IExecuteFunctions,
	request: DownloadRequest,
): Promise<StreamedFile> {
	const file: StreamedFile & { output?: null } = await new Download(context, {
		...request,
		maxBytes: 0,
		storeLimit: undefined,
	}).run(DISCARD_SINK);
	delete file.output;
	return file;
}

/**
 * Streams `request.url` into `sink` (e.g. an S3 multipart upload: common/copyToObjectStorage.ts) through the same
 * requests, retries, resumes and checks as `downloadToBinary`; every pass (a restart begins a new one) is one
 * `take`. Nothing goes to n8n's store (`maxBytes` and `storeLimit` are not asked). Throws as `downloadToBinary` does,
 * or the sink's own `failure`.
 */
export async function streamToSink<T>(
	context: IExecuteFunctions,
	request: DownloadRequest,
	sink: Sink<T>,
): Promise<StreamedFile & { output: T }> {
	return await new Download(context, { ...request, maxBytes: 0, storeLimit: undefined }).run(sink);
}
