/**
 * Stream a presigned URL into n8n's binary store. The body is handed to `prepareBinaryData` as a stream, so in
 * n8n's filesystem mode it goes to disk chunk by chunk; the length is checked against what the cloud reported,
 * before (Content-Length) and after (the stored size).
 */
import type { IBinaryData, IExecuteFunctions, IN8nHttpFullResponse } from 'n8n-workflow';

import { CloudApiError } from './errors';

export interface DownloadRequest {
	url: string;
	fileName: string;
	mimeType: string;
	/** Size the cloud reported for this file, or null when it did not. */
	expectedBytes: number | null;
	/** Refuse files larger than this before downloading (0 = no limit). */
	maxBytes: number;
	provider: string;
}

export interface DownloadResult {
	binary: IBinaryData;
	bytes: number | null;
	/** Checksum header the store sent (e.g. OSS's x-oss-hash-crc64ecma), for the output item. */
	crc64: string | null;
}

function header(headers: IN8nHttpFullResponse['headers'], name: string): string | undefined {
	const value = (headers as Record<string, unknown>)[name];
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
		const body = (await context.helpers.binaryToString(stream)).slice(0, 2000);
		const expired = response.statusCode === 403 && /expired/i.test(body);
		throw new CloudApiError(
			expired
				? `The download URL of ${request.fileName} has expired`
				: `The storage service answered HTTP ${response.statusCode} for ${redactUrl(request.url)}`,
			{
				provider: request.provider,
				kind:
					response.statusCode >= 500 ? 'server' : response.statusCode === 404 ? 'notFound' : 'auth',
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
		(stream as { destroy?: () => void }).destroy?.();
		throw new CloudApiError(
			`${request.fileName}: the storage service announced ${announced} bytes but the cloud reported ${request.expectedBytes}`,
			{ provider: request.provider, kind: 'malformed', action: 'download' },
		);
	}
	if (request.maxBytes > 0 && announced !== null && announced > request.maxBytes) {
		(stream as { destroy?: () => void }).destroy?.();
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
		crc64: header(response.headers, 'x-oss-hash-crc64ecma') ?? null,
	};
}
