/**
 * Upload a stream to an S3-compatible bucket in constant memory: the source (an async iterable of byte chunks, e.g.
 * a backup file's verified download) is cut into parts of a fixed size and sent one part at a time with S3's
 * multipart upload. Framework-free: requests are signed here (./sigv4.ts) and sent through an injected `send`, so
 * n8n's `helpers.httpRequest` or a test's HTTP client can carry them, and waits use an injected `sleep`.
 *
 * The sequence:
 *  - The first part is read. A source that ends within it is stored with one PutObject (atomic; an empty source gives
 *    an empty object), since a multipart upload would add two round trips for nothing.
 *  - Otherwise CreateMultipartUpload, then UploadPart for each part in turn: exactly `partSize` bytes (5 MiB to
 *    5 GiB, 16 MiB by default), the last one whatever is left. A part is sent only once the next byte of the source
 *    has been seen, so the last part is known to be last and is never empty. One part is in flight at a time and one
 *    buffer of `partSize` bytes is reused for every part: memory is about one part whatever the file's size.
 *  - Each request is retried (the same bytes, signed anew) on throttling (429, 503 SlowDown), 5xx, a transfer
 *    S3 refused as incomplete or corrupt (RequestTimeout, IncompleteBody, BadDigest, XAmzContentSHA256Mismatch), a
 *    reset or a timeout, with the retry policy of the API calls (../retry.ts: backoff with full jitter, Retry-After).
 *    Each part's ETag is recorded.
 *  - CompleteMultipartUpload with the part list (XML). S3 may answer 200 OK with an `<Error>` body once it has begun
 *    to assemble the object: that answer is an error (retried when its code is). A retried Complete that finds the
 *    upload gone (NoSuchUpload) may have succeeded the first time: the object is then looked up (HEAD) and accepted
 *    when its size, and its ETag where the part ETags allow computing it, are the ones expected.
 *  - On any failure (the source's, S3's, a cancel) the upload is aborted (AbortMultipartUpload, retried, sent even
 *    after a cancel): S3 then drops the parts, and nothing was ever visible under the key, which only Complete
 *    creates. The error says whether the abort went through.
 *
 * The source's own checks (length, CRC-64) must run before its iterator ends; they then fail the upload before
 * Complete, and nothing is stored. While a part is being sent the source is not read: its connection waits, paused
 * by TCP flow control, for as long as one part takes (retries included).
 */
import { createHash } from 'crypto';

import { CloudApiError, networkErrorCode, rootCauseMessage, type CloudErrorKind } from '../errors';
import { parseRetryAfter, withRetry, type RetryPolicy } from '../retry';
import {
	EMPTY_SHA256,
	UNSIGNED_PAYLOAD,
	canonicalQueryString,
	s3Target,
	sha256Hex,
	signS3Request,
	type S3AddressingStyle,
	type S3Credentials,
	type S3Query,
} from './sigv4';
import { escapeXml, xmlRootElement, xmlText } from './xml';

export const MIB = 1024 * 1024;
/** S3's smallest part (all but the last). */
export const MIN_PART_SIZE = 5 * MIB;
/** S3's largest part. */
export const MAX_PART_SIZE = 5 * 1024 * MIB;
export const DEFAULT_PART_SIZE = 16 * MIB;
/** S3's most parts in one upload. */
export const MAX_PARTS = 10_000;
/** Provider name in errors from the bucket. */
export const S3_PROVIDER = 's3';

/** Parts and the other calls are all safe to repeat; five tries ride out a short outage of the store. */
export const S3_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 5,
	baseDelayMs: 500,
	maxDelayMs: 20_000,
};
/** The abort is cleanup: a few quick tries, also after a cancel. */
export const S3_ABORT_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 3,
	baseDelayMs: 250,
	maxDelayMs: 2_000,
};

// -------------------------------------------------------------------------------------------------------------
// The transport
// -------------------------------------------------------------------------------------------------------------

export interface S3HttpRequest {
	method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
	/** Absolute URL, its path and query already encoded and signed: send it as it is, never re-encoded. */
	url: string;
	/** Headers to send (Authorization included). Host comes from the URL. */
	headers: Record<string, string>;
	/** The exact body (a part, or the Complete XML); absent for none. Content-Length is the transport's to set. */
	body?: Uint8Array | string;
}

export interface S3HttpResponse {
	statusCode: number;
	/** Response headers; names in any case. */
	headers: Record<string, string | string[] | undefined>;
	/** The whole body (S3's answers here are small XML documents or empty). */
	body?: Uint8Array | string;
}

/**
 * Sends one request. Resolves with the response whatever its HTTP status (n8n: `ignoreHttpStatusErrors: true`,
 * `returnFullResponse: true`, `encoding: 'arraybuffer'` or text); rejects only when there is no response (reset,
 * timeout, refused, cancelled). Follows no redirect.
 */
export type S3Send = (request: S3HttpRequest, signal?: AbortSignal) => Promise<S3HttpResponse>;

export interface S3Bucket {
	/** e.g. `https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000`. */
	endpoint: string;
	bucket: string;
	region: string;
	style: S3AddressingStyle;
	/**
	 * The keys to sign with. Absent: the transport signs (n8n: the bucket credential's `authenticate`, so the keys
	 * never reach node code). Each request then goes out unsigned, with its payload hash in `x-amz-content-sha256`,
	 * its path and query in S3's canonical encoding (exactly what is to be signed), and no date: the signer adds
	 * `x-amz-date`, the session token and `authorization`, and sends the URL as it is.
	 */
	credentials?: S3Credentials;
}

export interface MultipartUploadInput {
	bucket: S3Bucket;
	key: string;
	/** The bytes to store, in chunks of any size. Its iterator is ended (`return`) when the upload fails. */
	source: AsyncIterable<Uint8Array>;
	send: S3Send;
	/** Waits between tries; rejects when `signal` aborts (n8n-workflow's `sleep`). */
	sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
	signal?: AbortSignal;
	/** Bytes per part (all but the last), 5 MiB to 5 GiB; DEFAULT_PART_SIZE when absent. Raised to fit 10,000 parts when `expectedBytes` is known. */
	partSize?: number;
	/** The source's size when known: sizes the parts, and a source that yields more or fewer bytes fails the upload. */
	expectedBytes?: number | null;
	/** Stored as the object's Content-Type (default application/octet-stream). */
	contentType?: string;
	/** More headers for the object, sent with CreateMultipartUpload or PutObject: x-amz-meta-*, x-amz-storage-class, x-amz-server-side-encryption, ... */
	objectHeaders?: Record<string, string>;
	/**
	 * `sha256` (default): each body's SHA-256 is signed and S3 checks the bytes it got against it. `unsigned`:
	 * UNSIGNED-PAYLOAD, for HTTPS endpoints where hashing costs more than it protects.
	 */
	payloadSigning?: 'sha256' | 'unsigned';
	retryPolicy?: RetryPolicy;
	/** Jitter source in [0, 1) (default Math.random). */
	random?: () => number;
	/** The signing clock (default: now). */
	now?: () => Date;
	/** Told after each stored part (and once after a PutObject). */
	onProgress?: (progress: UploadProgress) => void;
	/** Told before each retry. */
	onRetry?: (error: CloudApiError, attempt: number, delayMs: number) => void;
}

export interface UploadProgress {
	partNumber: number;
	partBytes: number;
	bytesUploaded: number;
}

export interface UploadedPart {
	partNumber: number;
	etag: string;
	size: number;
}

export interface MultipartUploadResult {
	bucket: string;
	key: string;
	/** The object's ETag, without quotes (a multipart ETag ends in `-<parts>`). */
	etag: string;
	/** Bytes stored. */
	size: number;
	/** Parts sent: 1 for a PutObject. */
	parts: number;
	/** False when the source fitted in one part and went up with one PutObject. */
	multipart: boolean;
	uploadId?: string;
	versionId?: string;
	/** CompleteMultipartUpload's Location, when the store sent one. */
	location?: string;
	/** How the object was confirmed: Complete's answer, or a HEAD after a retried Complete found the upload gone. */
	confirmedBy: 'response' | 'head';
}

/** A failed upload: the first failure's kind and details, and what became of the multipart upload. */
export class S3UploadError extends CloudApiError {
	/** `source`: reading the bytes failed; `upload`: the bucket refused or could not be reached. */
	readonly stage: 'source' | 'upload';
	readonly uploadId?: string;
	/** True when there was no multipart upload to abort, or the abort went through. */
	readonly aborted: boolean;
	readonly abortError?: CloudApiError;
	readonly partsUploaded: number;
	readonly bytesRead: number;
	readonly cause: unknown;

	constructor(
		message: string,
		details: CloudApiError['details'],
		info: {
			stage: 'source' | 'upload';
			uploadId?: string;
			aborted: boolean;
			abortError?: CloudApiError;
			partsUploaded: number;
			bytesRead: number;
			cause: unknown;
		},
	) {
		super(message, details);
		this.name = 'S3UploadError';
		this.stage = info.stage;
		this.uploadId = info.uploadId;
		this.aborted = info.aborted;
		this.abortError = info.abortError;
		this.partsUploaded = info.partsUploaded;
		this.bytesRead = info.bytesRead;
		this.cause = info.cause;
	}
}

// -------------------------------------------------------------------------------------------------------------
// S3's errors
// -------------------------------------------------------------------------------------------------------------

export interface S3ErrorBody {
	code?: string;
	message?: string;
	requestId?: string;
	/** AuthorizationHeaderMalformed / IllegalLocationConstraintException: the bucket's real region. */
	region?: string;
	/** PermanentRedirect / TemporaryRedirect: the endpoint to use. */
	endpoint?: string;
}

/** The fields of an `<Error>` document, or undefined when the text is not one. */
export function parseS3Error(text: string): S3ErrorBody | undefined {
	if (xmlRootElement(text) !== 'Error') return undefined;
	return {
		code: xmlText(text, 'Code'),
		message: xmlText(text, 'Message'),
		requestId: xmlText(text, 'RequestId'),
		region: xmlText(text, 'Region'),
		endpoint: xmlText(text, 'Endpoint'),
	};
}

const THROTTLED_CODES = new Set([
	'SlowDown',
	'Throttling',
	'ThrottlingException',
	'TooManyRequests',
	'TooManyRequestsException',
	'RequestLimitExceeded',
	'RequestThrottled',
	'ServiceUnavailable',
	'OperationAborted',
]);
/** The store failed, or the bytes did not arrive whole: sending the same request again is right. */
const TRANSIENT_CODES = new Set([
	'InternalError',
	'InternalFailure',
	'RequestTimeout',
	'RequestTimeoutException',
	'IncompleteBody',
	'BadDigest',
	'XAmzContentSHA256Mismatch',
	'XMinioServerNotInitialized',
]);
const AUTH_CODES = new Set([
	'AccessDenied',
	'AllAccessDisabled',
	'AccountProblem',
	'InvalidAccessKeyId',
	'SignatureDoesNotMatch',
	'AuthorizationHeaderMalformed',
	'AuthorizationQueryParametersError',
	'RequestTimeTooSkewed',
	'ExpiredToken',
	'InvalidToken',
	'TokenRefreshRequired',
	'InvalidSecurity',
	'MissingSecurityHeader',
]);
const NOT_FOUND_CODES = new Set(['NoSuchBucket', 'NoSuchUpload', 'NoSuchKey']);

/** The error kind of an S3 answer: its code first, its HTTP status when the code says nothing. */
export function s3ErrorKind(statusCode: number, code: string | undefined): CloudErrorKind {
	if (code) {
		if (THROTTLED_CODES.has(code)) return 'throttled';
		if (TRANSIENT_CODES.has(code)) return 'server';
		if (AUTH_CODES.has(code)) return 'auth';
		if (NOT_FOUND_CODES.has(code)) return 'notFound';
	}
	if (statusCode === 429 || statusCode === 503) return 'throttled';
	if (statusCode >= 500) return statusCode === 501 ? 'client' : 'server';
	if (statusCode === 401 || statusCode === 403) return 'auth';
	if (statusCode === 404) return 'notFound';
	return 'client';
}

/** What to do about it, where the code says more than its kind. */
function s3Hint(body: S3ErrorBody, region: string): string | undefined {
	switch (body.code) {
		case 'SignatureDoesNotMatch':
			return 'The secret access key does not match the access key ID, or a proxy changed the request';
		case 'InvalidAccessKeyId':
			return 'The access key ID is not known to this endpoint';
		case 'RequestTimeTooSkewed':
			return "This machine's clock is more than 15 minutes off; correct it";
		case 'AuthorizationHeaderMalformed':
			return body.region
				? `The bucket is in region ${body.region}, not ${region}: set the region`
				: 'The region does not match the endpoint: set the bucket’s region';
		case 'PermanentRedirect':
		case 'TemporaryRedirect':
			return body.endpoint
				? `The bucket must be addressed through ${body.endpoint}: set that endpoint`
				: 'The bucket is not served by this endpoint: set its regional endpoint';
		case 'NoSuchBucket':
			return 'The bucket does not exist at this endpoint (check its name, the endpoint and the addressing style)';
		case 'EntityTooSmall':
			return 'The store refused a part under its minimum size';
		default:
			return undefined;
	}
}

function bodyText(body: Uint8Array | string | undefined): string {
	if (body === undefined) return '';
	return typeof body === 'string'
		? body
		: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
}

/** A response header by name, whatever its case. */
export function responseHeader(response: S3HttpResponse, name: string): string | undefined {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(response.headers ?? {})) {
		if (key.toLowerCase() !== wanted || value === undefined) continue;
		return Array.isArray(value) ? value[0] : value;
	}
	return undefined;
}

/** The CloudApiError for an S3 error answer (an HTTP error, or a 200 whose body is an `<Error>`). */
export function s3Error(
	response: S3HttpResponse,
	action: string,
	region: string,
	text = bodyText(response.body),
): CloudApiError {
	const body = parseS3Error(text) ?? {};
	const code =
		body.code ?? (response.statusCode >= 300 ? `HTTP ${response.statusCode}` : undefined);
	const requestId = body.requestId ?? responseHeader(response, 'x-amz-request-id');
	const kind = s3ErrorKind(response.statusCode, body.code);
	const what = body.message ? `${code}: ${body.message}` : (code ?? 'an error');
	return new CloudApiError(`The bucket refused ${action}: ${what} (HTTP ${response.statusCode})`, {
		provider: S3_PROVIDER,
		kind,
		code,
		httpStatus: response.statusCode,
		requestId,
		action,
		retryAfterMs: parseRetryAfter(responseHeader(response, 'retry-after'), Date.now()),
		hint: s3Hint(body, region),
		body: text.length > 2048 ? text.slice(0, 2048) : text,
	});
}

/** No response: a reset, a timeout, a refused connection (`network`), or the cancel signal (`cancelled`). */
function noResponseError(error: unknown, action: string, signal?: AbortSignal): CloudApiError {
	if (error instanceof CloudApiError) return error;
	if (signal?.aborted) {
		return new CloudApiError('The execution was cancelled', {
			provider: S3_PROVIDER,
			kind: 'cancelled',
			action,
		});
	}
	const code = networkErrorCode(error);
	return new CloudApiError(`${action} got no answer from the bucket: ${rootCauseMessage(error)}`, {
		provider: S3_PROVIDER,
		kind: 'network',
		code,
		action,
	});
}

function malformed(action: string, what: string, response: S3HttpResponse): CloudApiError {
	return new CloudApiError(`The bucket's answer to ${action} could not be read: ${what}`, {
		provider: S3_PROVIDER,
		kind: 'malformed',
		httpStatus: response.statusCode,
		requestId: responseHeader(response, 'x-amz-request-id'),
		action,
	});
}

// -------------------------------------------------------------------------------------------------------------
// Sizes and ETags
// -------------------------------------------------------------------------------------------------------------

/**
 * The part size to use: the one asked for (default 16 MiB), raised in whole MiB so that `expectedBytes` fits in
 * 10,000 parts. Refuses a size S3 would refuse.
 */
export function choosePartSize(
	requested: number | undefined,
	expectedBytes?: number | null,
): number {
	const size = requested ?? DEFAULT_PART_SIZE;
	if (!Number.isInteger(size) || size < MIN_PART_SIZE || size > MAX_PART_SIZE) {
		throw new CloudApiError(
			`The part size must be a whole number of bytes from 5 MiB to 5 GiB, not ${size}`,
			{ provider: S3_PROVIDER, kind: 'client', action: 'CreateMultipartUpload' },
		);
	}
	if (expectedBytes === undefined || expectedBytes === null) return size;
	const needed = Math.ceil(Math.ceil(expectedBytes / MAX_PARTS) / MIB) * MIB;
	if (needed > MAX_PART_SIZE) {
		throw new CloudApiError(
			`The file (${expectedBytes} bytes) is larger than S3's largest object (10,000 parts of 5 GiB)`,
			{ provider: S3_PROVIDER, kind: 'client', action: 'CreateMultipartUpload' },
		);
	}
	return Math.max(size, needed);
}

/** An ETag without its quotes (and without a weak `W/` marker). */
export function unquoteEtag(etag: string): string {
	return etag
		.trim()
		.replace(/^W\//, '')
		.replace(/^"(.*)"$/, '$1');
}

/**
 * The ETag S3 gives a multipart object whose part ETags are MD5s (no SSE-KMS or SSE-C): the MD5 of the parts' binary
 * MD5s, `-` and the number of parts. Undefined when a part's ETag is not an MD5.
 */
export function multipartEtag(partEtags: readonly string[]): string | undefined {
	const hash = createHash('md5');
	for (const etag of partEtags) {
		const hex = unquoteEtag(etag);
		if (!/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
		hash.update(Buffer.from(hex, 'hex'));
	}
	return `${hash.digest('hex')}-${partEtags.length}`;
}

/** The CompleteMultipartUpload body. */
export function completeMultipartXml(parts: readonly UploadedPart[]): string {
	const items = parts
		.map(
			(part) =>
				`<Part><PartNumber>${part.partNumber}</PartNumber><ETag>${escapeXml(part.etag)}</ETag></Part>`,
		)
		.join('');
	return `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${items}</CompleteMultipartUpload>`;
}

// -------------------------------------------------------------------------------------------------------------
// The engine
// -------------------------------------------------------------------------------------------------------------

function toBuffer(chunk: unknown): Buffer {
	if (Buffer.isBuffer(chunk)) return chunk;
	if (chunk instanceof Uint8Array)
		return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
	if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
	throw new CloudApiError('The source gave something other than bytes', {
		provider: 'source',
		kind: 'client',
	});
}

/** A failure of the source that is not already a CloudApiError (a stream error, a reset without a response). */
function sourceError(error: unknown): CloudApiError {
	const code = networkErrorCode(error);
	return new CloudApiError(`Reading the source failed: ${rootCauseMessage(error)}`, {
		provider: 'source',
		kind: code ? 'network' : 'client',
		code,
	});
}

function integrityError(message: string): CloudApiError {
	return new CloudApiError(message, { provider: 'source', kind: 'integrity' });
}

class Uploader {
	private readonly input: MultipartUploadInput;
	private readonly policy: RetryPolicy;
	private readonly now: () => Date;
	uploadId: string | undefined;
	readonly parts: UploadedPart[] = [];
	bytesUploaded = 0;

	constructor(input: MultipartUploadInput) {
		this.input = input;
		this.policy = input.retryPolicy ?? S3_RETRY_POLICY;
		this.now = input.now ?? (() => new Date());
	}

	/** Signs and sends one request; any answer comes back, no answer throws a `network` or `cancelled` error. */
	private async exchange(
		action: string,
		method: S3HttpRequest['method'],
		query: S3Query | undefined,
		headers: Record<string, string>,
		body: Uint8Array | string | undefined,
		signal: AbortSignal | undefined,
	): Promise<S3HttpResponse> {
		const { bucket } = this.input;
		const target = s3Target({
			endpoint: bucket.endpoint,
			bucket: bucket.bucket,
			key: this.input.key,
			style: bucket.style,
		});
		const payloadHash =
			body === undefined || body.length === 0
				? EMPTY_SHA256
				: this.input.payloadSigning === 'unsigned'
					? UNSIGNED_PAYLOAD
					: sha256Hex(body);
		let request: S3HttpRequest;
		if (bucket.credentials) {
			const signed = signS3Request(
				{ method, host: target.host, path: target.path, query, headers, payloadHash },
				{ credentials: bucket.credentials, region: bucket.region, date: this.now() },
			);
			request = { method, url: `${target.origin}${signed.pathAndQuery}`, headers: signed.headers };
		} else {
			// Signed by the transport: what it signs is what is sent.
			const queryString = canonicalQueryString(query);
			request = {
				method,
				url: `${target.origin}${target.path}${queryString ? `?${queryString}` : ''}`,
				headers: { ...headers, 'x-amz-content-sha256': payloadHash },
			};
		}
		if (body !== undefined) request.body = body;
		let response: S3HttpResponse | undefined;
		let failure: unknown;
		try {
			response = await this.input.send(request, signal);
		} catch (error) {
			failure = error;
		}
		if (!response) throw noResponseError(failure, action, signal);
		return response;
	}

	/** Runs `call` under the retry policy (every S3 call here may be repeated). */
	private retried<T>(
		call: (attempt: number) => Promise<T>,
		policy = this.policy,
		signal = this.input.signal,
	): Promise<T> {
		return withRetry(call, {
			idempotent: true,
			policy,
			signal,
			sleep: this.input.sleep,
			random: this.input.random,
			onRetry: this.input.onRetry,
		});
	}

	private objectHeaders(): Record<string, string> {
		const headers: Record<string, string> = { ...(this.input.objectHeaders ?? {}) };
		if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
			headers['content-type'] = this.input.contentType ?? 'application/octet-stream';
		}
		return headers;
	}

	private region(): string {
		return this.input.bucket.region;
	}

	async putObject(body: Buffer): Promise<MultipartUploadResult> {
		const action = 'PutObject';
		const response = await this.retried(async () => {
			const answer = await this.exchange(
				action,
				'PUT',
				undefined,
				this.objectHeaders(),
				body,
				this.input.signal,
			);
			if (answer.statusCode !== 200) throw s3Error(answer, action, this.region());
			return answer;
		});
		const etag = responseHeader(response, 'etag');
		this.bytesUploaded = body.length;
		this.input.onProgress?.({ partNumber: 1, partBytes: body.length, bytesUploaded: body.length });
		return {
			bucket: this.input.bucket.bucket,
			key: this.input.key,
			etag: etag ? unquoteEtag(etag) : '',
			size: body.length,
			parts: 1,
			multipart: false,
			versionId: responseHeader(response, 'x-amz-version-id'),
			confirmedBy: 'response',
		};
	}

	async create(): Promise<void> {
		const action = 'CreateMultipartUpload';
		this.uploadId = await this.retried(async () => {
			const answer = await this.exchange(
				action,
				'POST',
				{ uploads: '' },
				this.objectHeaders(),
				undefined,
				this.input.signal,
			);
			if (answer.statusCode !== 200) throw s3Error(answer, action, this.region());
			const text = bodyText(answer.body);
			if (xmlRootElement(text) === 'Error') throw s3Error(answer, action, this.region(), text);
			const uploadId = xmlText(text, 'UploadId');
			if (!uploadId) throw malformed(action, 'it names no UploadId', answer);
			return uploadId;
		});
	}

	async uploadPart(partNumber: number, bytes: Buffer): Promise<void> {
		const action = `UploadPart ${partNumber}`;
		const query = { partNumber: String(partNumber), uploadId: this.uploadId! };
		const etag = await this.retried(async () => {
			const answer = await this.exchange(action, 'PUT', query, {}, bytes, this.input.signal);
			if (answer.statusCode !== 200) throw s3Error(answer, action, this.region());
			const value = responseHeader(answer, 'etag');
			if (!value) throw malformed(action, 'it has no ETag header', answer);
			return value;
		});
		this.parts.push({ partNumber, etag, size: bytes.length });
		this.bytesUploaded += bytes.length;
		this.input.onProgress?.({
			partNumber,
			partBytes: bytes.length,
			bytesUploaded: this.bytesUploaded,
		});
	}

	async complete(): Promise<MultipartUploadResult> {
		const action = 'CompleteMultipartUpload';
		const xml = completeMultipartXml(this.parts);
		const query = { uploadId: this.uploadId! };
		const base = {
			bucket: this.input.bucket.bucket,
			key: this.input.key,
			size: this.bytesUploaded,
			parts: this.parts.length,
			multipart: true,
			uploadId: this.uploadId,
		};
		return this.retried(async (attempt) => {
			const answer = await this.exchange(
				action,
				'POST',
				query,
				{ 'content-type': 'application/xml' },
				xml,
				this.input.signal,
			);
			const text = bodyText(answer.body);
			if (answer.statusCode === 200) {
				const root = xmlRootElement(text);
				// "200 OK" then an <Error> body: the store failed while it was assembling the object.
				if (root === 'Error') throw s3Error(answer, action, this.region(), text);
				const etag = xmlText(text, 'ETag');
				if (root !== 'CompleteMultipartUploadResult' || !etag) {
					throw malformed(action, 'it is not a CompleteMultipartUploadResult with an ETag', answer);
				}
				return {
					...base,
					etag: unquoteEtag(etag),
					versionId: responseHeader(answer, 'x-amz-version-id'),
					location: xmlText(text, 'Location'),
					confirmedBy: 'response' as const,
				};
			}
			const error = s3Error(answer, action, this.region(), text);
			if (attempt > 1 && error.details.code === 'NoSuchUpload') {
				// An earlier try may have completed the upload and lost its answer.
				const confirmed = await this.confirmByHead();
				if (confirmed) return { ...base, ...confirmed, confirmedBy: 'head' as const };
			}
			throw error;
		});
	}

	/** The object as a completed upload left it, or undefined when it is not (or cannot be shown to be) ours. */
	private async confirmByHead(): Promise<{ etag: string; versionId?: string } | undefined> {
		const answer = await this.exchange(
			'HeadObject',
			'HEAD',
			undefined,
			{},
			undefined,
			this.input.signal,
		);
		if (answer.statusCode !== 200) return undefined;
		const length = Number(responseHeader(answer, 'content-length'));
		const etag = unquoteEtag(responseHeader(answer, 'etag') ?? '');
		if (length !== this.bytesUploaded) return undefined;
		const expected = multipartEtag(this.parts.map((part) => part.etag));
		if (expected !== undefined && etag.toLowerCase() !== expected) return undefined;
		return { etag, versionId: responseHeader(answer, 'x-amz-version-id') };
	}

	/** Aborts the multipart upload: retried, without the cancel signal. Returns the failure, if any. */
	async abort(): Promise<CloudApiError | undefined> {
		const action = 'AbortMultipartUpload';
		const query = { uploadId: this.uploadId! };
		let failure: unknown;
		try {
			await this.retried(
				async () => {
					const answer = await this.exchange(action, 'DELETE', query, {}, undefined, undefined);
					// 404 NoSuchUpload: already gone (aborted, or completed by a try whose answer was lost: not ours to undo).
					if (answer.statusCode === 204 || answer.statusCode === 200 || answer.statusCode === 404)
						return;
					throw s3Error(answer, action, this.region());
				},
				S3_ABORT_RETRY_POLICY,
				undefined,
			);
		} catch (error) {
			failure = error;
		}
		if (failure === undefined) return undefined;
		return failure instanceof CloudApiError ? failure : noResponseError(failure, action);
	}
}

/**
 * Streams `source` into `bucket`/`key`: one PutObject when it fits in one part, else a multipart upload, aborted on
 * any failure. Resolves with the object's ETag and size; rejects with an S3UploadError.
 */
export async function uploadStream(input: MultipartUploadInput): Promise<MultipartUploadResult> {
	const partSize = choosePartSize(input.partSize, input.expectedBytes);
	// Fail before reading a byte on what cannot be addressed or signed.
	s3Target({
		endpoint: input.bucket.endpoint,
		bucket: input.bucket.bucket,
		key: input.key,
		style: input.bucket.style,
	});

	const uploader = new Uploader(input);
	const expected = input.expectedBytes ?? null;
	// One buffer for every part; for a source known to be small, no more than it needs.
	let buffer = Buffer.allocUnsafe(
		expected !== null && expected < partSize ? Math.max(expected, 1) : partSize,
	);
	let filled = 0;
	let bytesRead = 0;
	let partNumber = 0;
	let stage: 'source' | 'upload' = 'source';
	const iterator = input.source[Symbol.asyncIterator]();
	let sourceDone = false;

	const cancelled = (): CloudApiError =>
		new CloudApiError('The execution was cancelled', {
			provider: S3_PROVIDER,
			kind: 'cancelled',
			action: 'upload',
		});

	const flush = async (): Promise<void> => {
		stage = 'upload';
		if (!uploader.uploadId) await uploader.create();
		partNumber++;
		if (partNumber > MAX_PARTS) {
			throw new CloudApiError(
				`The file is larger than ${MAX_PARTS} parts of ${partSize} bytes; set a larger part size`,
				{ provider: S3_PROVIDER, kind: 'client', action: 'UploadPart' },
			);
		}
		await uploader.uploadPart(partNumber, buffer.subarray(0, filled));
		filled = 0;
	};

	let result: MultipartUploadResult | undefined;
	let failure: unknown;
	try {
		for (;;) {
			if (input.signal?.aborted) throw cancelled();
			stage = 'source';
			const next = await iterator.next();
			if (next.done) {
				sourceDone = true;
				break;
			}
			const chunk = toBuffer(next.value);
			bytesRead += chunk.length;
			if (expected !== null && bytesRead > expected) {
				throw integrityError(`The source gave more than the ${expected} bytes expected`);
			}
			let offset = 0;
			while (offset < chunk.length) {
				if (filled === partSize) {
					if (input.signal?.aborted) throw cancelled();
					await flush();
				}
				const take = Math.min(partSize - filled, chunk.length - offset);
				if (filled + take > buffer.length) {
					const grown = Buffer.allocUnsafe(
						Math.min(partSize, Math.max(buffer.length * 2, filled + take)),
					);
					buffer.copy(grown, 0, 0, filled);
					buffer = grown;
				}
				chunk.copy(buffer, filled, offset, offset + take);
				filled += take;
				offset += take;
			}
		}
		if (expected !== null && bytesRead !== expected) {
			throw integrityError(`The source ended after ${bytesRead} of the ${expected} bytes expected`);
		}
		if (input.signal?.aborted) throw cancelled();
		stage = 'upload';
		if (!uploader.uploadId) {
			result = await uploader.putObject(buffer.subarray(0, filled));
		} else {
			await flush();
			result = await uploader.complete();
		}
	} catch (error) {
		failure = error;
	}
	if (result) return result;

	if (!sourceDone) {
		// Let the source release its connection; its own failure to close is not the one to report.
		await Promise.resolve(iterator.return?.()).catch(() => undefined);
	}
	const abortError = uploader.uploadId ? await uploader.abort() : undefined;
	const first =
		failure instanceof CloudApiError
			? failure
			: input.signal?.aborted
				? cancelled()
				: stage === 'source'
					? sourceError(failure)
					: noResponseError(failure, 'upload');
	const where = `${input.bucket.bucket}/${input.key}`;
	const outcome = !uploader.uploadId
		? ''
		: abortError
			? `; aborting the multipart upload ${uploader.uploadId} failed too (${abortError.message}): its parts stay in the bucket, invisible, until it is aborted or a lifecycle rule (AbortIncompleteMultipartUpload) removes them`
			: `; the multipart upload was aborted, nothing was stored under ${where}`;
	throw new S3UploadError(`${first.message.replace(/\.+$/, '')}${outcome}`, first.details, {
		stage,
		uploadId: uploader.uploadId,
		aborted: !abortError,
		abortError,
		partsUploaded: uploader.parts.length,
		bytesRead,
		cause: failure,
	});
}
