/**
 * Stream a presigned URL into n8n's binary store. The body is handed to `prepareBinaryData` as a stream, so in
 * n8n's filesystem mode it goes to disk chunk by chunk; the length is checked against what the cloud reported,
 * before (Content-Length) and after (the stored size).
 */
import type { IBinaryData, IExecuteFunctions, IN8nHttpFullResponse } from 'n8n-workflow';

import { CloudApiError, type CloudErrorKind } from './errors';

/** How much of an error body is read (for the message and to spot "expired"); the rest is discarded. */
export const ERROR_BODY_LIMIT = 2048;

export interface DownloadRequest {
	url: string;
	fileName: string;
	mimeType: string;
	/** Size the cloud reported for this file, or null when it did not. */
	expectedBytes: number | null;
	/** Refuse files larger than this before downloading (0 = no limit). */
	maxBytes: number;
	provider: string;
	/** Response header carrying the storage service's checksum of the file, if it sends one (provider-specific). */
	checksumHeader?: string;
}

export interface DownloadResult {
	binary: IBinaryData;
	bytes: number | null;
	/** The value of the request's `checksumHeader` in the answer, for the output item; null when absent. */
	checksum: string | null;
}

function header(headers: IN8nHttpFullResponse['headers'], name: string): string | undefined {
	const all = (headers ?? {}) as Record<string, unknown>;
	const value = all[name] ?? all[name.toLowerCase()];
	if (Array.isArray(value)) return String(value[0]);
	return value === undefined || value === null ? undefined : String(value);
}

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

function tooLarge(request: DownloadRequest, bytes: number): CloudApiError {
	return new CloudApiError(
		`${request.fileName} is ${formatBytes(bytes)}, above the limit of ${formatBytes(request.maxBytes)} set in "Max File Size"`,
		{ provider: request.provider, kind: 'client', action: 'download' },
	);
}

export async function downloadToBinary(
	context: IExecuteFunctions,
	request: DownloadRequest,
): Promise<DownloadResult> {
	if (
		request.maxBytes > 0 &&
		request.expectedBytes !== null &&
		request.expectedBytes > request.maxBytes
	) {
		throw tooLarge(request, request.expectedBytes);
	}
	let response: IN8nHttpFullResponse | undefined;
	let failure: unknown;
	try {
		response = (await context.helpers.httpRequest({
			method: 'GET',
			url: request.url,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			abortSignal: context.getExecutionCancelSignal(),
		})) as IN8nHttpFullResponse;
	} catch (error) {
		failure = error;
	}
	if (response === undefined) {
		throw new CloudApiError(
			`Could not start the download of ${request.fileName}: ${(failure as Error)?.message ?? String(failure)}`,
			{
				provider: request.provider,
				kind: 'network',
				action: 'download',
			},
		);
	}

	const stream = response.body as Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];
	if (response.statusCode >= 300) {
		const body = await readErrorBodyStart(stream);
		const expired = response.statusCode === 403 && /expired/i.test(body);
		throw new CloudApiError(
			expired
				? `The download URL of ${request.fileName} has expired`
				: `The storage service answered HTTP ${response.statusCode} for ${redactUrl(request.url)}`,
			{
				provider: request.provider,
				kind: storageErrorKind(response.statusCode),
				httpStatus: response.statusCode,
				action: 'download',
				body,
				hint: expired
					? 'Download URLs are presigned and expire; run the operation again to get fresh ones (avoid long waits between getting a URL and using it).'
					: undefined,
			},
		);
	}

	const lengthHeader = header(response.headers, 'content-length');
	const announced =
		lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
	if (announced !== null && request.expectedBytes !== null && announced !== request.expectedBytes) {
		destroyStream(stream);
		throw new CloudApiError(
			`${request.fileName}: the storage service announced ${announced} bytes but the cloud reported ${request.expectedBytes}`,
			{ provider: request.provider, kind: 'malformed', action: 'download' },
		);
	}
	if (request.maxBytes > 0 && announced !== null && announced > request.maxBytes) {
		destroyStream(stream);
		throw tooLarge(request, announced);
	}

	let binary: IBinaryData | undefined;
	let storeFailure: unknown;
	try {
		binary = await context.helpers.prepareBinaryData(stream, request.fileName, request.mimeType);
	} catch (error) {
		storeFailure = error;
	}
	if (binary === undefined) {
		const message = (storeFailure as Error)?.message ?? String(storeFailure);
		const sizeLimit = /too large|FileTooLarge|max.*size/i.test(message);
		throw new CloudApiError(
			sizeLimit
				? `n8n could not store ${request.fileName}: ${message}. n8n's database binary mode (the queue-mode default) refuses files above N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE; use filesystem or S3 binary mode for large backups`
				: `The download of ${request.fileName} broke off: ${message}`,
			{ provider: request.provider, kind: sizeLimit ? 'client' : 'network', action: 'download' },
		);
	}

	const stored = typeof binary.bytes === 'number' ? binary.bytes : null;
	const expected = request.expectedBytes ?? announced;
	if (stored !== null && expected !== null && stored !== expected) {
		throw new CloudApiError(
			`${request.fileName} is incomplete: stored ${stored} bytes, expected ${expected}`,
			{ provider: request.provider, kind: 'network', action: 'download' },
		);
	}
	return {
		binary,
		bytes: stored ?? expected,
		checksum: request.checksumHeader
			? (header(response.headers, request.checksumHeader) ?? null)
			: null,
	};
}
