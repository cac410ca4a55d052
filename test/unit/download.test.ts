/**
 * downloadToBinary with a fake n8n context: the checksum header is the caller's (provider-neutral core), HTTP errors
 * from the storage service map to the right kind, and only the start of an error body is read.
 */
import { Readable } from 'node:stream';
import type { IBinaryData, IExecuteFunctions, IN8nHttpFullResponse } from 'n8n-workflow';

import {
	downloadToBinary,
	ERROR_BODY_LIMIT,
	readErrorBodyStart,
	storageErrorKind,
	type DownloadRequest,
} from '../../nodes/common/download';
import { CloudApiError } from '../../nodes/common/errors';
import { URL_REFRESH_MARGIN_MS, urlNeedsRefresh } from '../../nodes/AlibabaCloudRedis/actions/backup/download.operation';

const OSS_EXPIRED =
	'<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>AccessDenied</Code>\n  <Message>Request has expired.</Message>\n</Error>\n';

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
	return Buffer.concat(chunks);
}

/** A context whose httpRequest answers `response`; prepareBinaryData reads the stream like n8n's store does. */
function fakeContext(response: IN8nHttpFullResponse) {
	const prepareBinaryData = jest.fn(async (stream: unknown, fileName?: string, mimeType?: string): Promise<IBinaryData> => {
		const bytes = await readAll(stream as AsyncIterable<unknown>);
		return { data: '', id: 'filesystem-v2:test', fileName, mimeType: mimeType ?? 'application/octet-stream', bytes: bytes.length } as unknown as IBinaryData;
	});
	// n8n's binaryToString reads the whole stream.
	const binaryToString = jest.fn(async (stream: unknown) => (await readAll(stream as AsyncIterable<unknown>)).toString('utf8'));
	const httpRequest = jest.fn(async () => response);
	const context = {
		helpers: { httpRequest, prepareBinaryData, binaryToString },
		getExecutionCancelSignal: () => undefined,
	} as unknown as IExecuteFunctions;
	return { context, httpRequest, prepareBinaryData };
}

const request = (overrides: Partial<DownloadRequest> = {}): DownloadRequest => ({
	url: 'https://bucket.example.com/dir/file.rdb?Expires=1&Signature=secret',
	fileName: 'file.rdb',
	mimeType: 'application/octet-stream',
	expectedBytes: 5,
	maxBytes: 0,
	provider: 'test',
	...overrides,
});

const ok = (headers: Record<string, string>) => ({ statusCode: 200, headers: { 'content-length': '5', ...headers }, body: Readable.from([Buffer.from('hello')]) });

async function failureOf(promise: Promise<unknown>): Promise<CloudApiError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(CloudApiError);
	return error as CloudApiError;
}

describe('downloadToBinary: the checksum header is named by the caller', () => {
	it('returns the value of the checksumHeader the request names', async () => {
		const { context } = fakeContext(ok({ 'x-test-checksum': 'abc123', 'x-oss-hash-crc64ecma': '42' }));
		const result = await downloadToBinary(context, request({ checksumHeader: 'x-test-checksum' }));
		expect(result.checksum).toBe('abc123');
		expect(result.bytes).toBe(5);
	});

	it('reads OSS\'s header only when the caller names it (no provider header in the core)', async () => {
		const withOss = fakeContext(ok({ 'x-oss-hash-crc64ecma': '6433576524477668264' }));
		expect((await downloadToBinary(withOss.context, request())).checksum).toBeNull();
		const named = fakeContext(ok({ 'x-oss-hash-crc64ecma': '6433576524477668264' }));
		expect((await downloadToBinary(named.context, request({ checksumHeader: 'x-oss-hash-crc64ecma' }))).checksum).toBe('6433576524477668264');
	});

	it('is null when the named header is absent', async () => {
		const { context } = fakeContext(ok({}));
		expect((await downloadToBinary(context, request({ checksumHeader: 'x-test-checksum' }))).checksum).toBeNull();
	});
});

describe('downloadToBinary: HTTP errors of the storage service', () => {
	it.each([
		[400, 'client'],
		[405, 'client'],
		[409, 'client'],
		[411, 'client'],
		[416, 'client'],
		[401, 'auth'],
		[403, 'auth'],
		[404, 'notFound'],
		[429, 'throttled'],
		[500, 'server'],
		[503, 'server'],
	] as const)('HTTP %i is %s', async (status, kind) => {
		const { context, prepareBinaryData } = fakeContext({
			statusCode: status,
			headers: {},
			body: Readable.from([Buffer.from('<Error><Code>Something</Code></Error>')]),
		});
		const error = await failureOf(downloadToBinary(context, request()));
		expect(error.details).toMatchObject({ kind, httpStatus: status, action: 'download' });
		expect(error.message).toBe(`The storage service answered HTTP ${status} for https://bucket.example.com/dir/file.rdb`);
		expect(prepareBinaryData).not.toHaveBeenCalled();
		expect(storageErrorKind(status)).toBe(kind);
	});

	it('an expired URL (403 "Request has expired") says so, with advice about fresh URLs', async () => {
		const { context } = fakeContext({ statusCode: 403, headers: {}, body: Readable.from([Buffer.from(OSS_EXPIRED)]) });
		const error = await failureOf(downloadToBinary(context, request()));
		expect(error.message).toBe('The download URL of file.rdb has expired');
		expect(error.details.hint).toMatch(/fresh/);
		expect(error.details.body).toBe(OSS_EXPIRED);
	});

	it('reads at most ~2 KB of an error body and destroys the stream instead of reading the rest', async () => {
		let pulled = 0;
		const CHUNK = Buffer.alloc(512, 'x');
		// 10 MiB of error body, produced only as far as it is read.
		const body = Readable.from(
			(function* () {
				for (let i = 0; i < 20_480; i++) {
					pulled++;
					yield CHUNK;
				}
			})(),
		);
		const { context } = fakeContext({ statusCode: 400, headers: {}, body });
		const error = await failureOf(downloadToBinary(context, request()));
		expect(String(error.details.body).length).toBe(ERROR_BODY_LIMIT);
		// Readable.from reads a little ahead; far from the 20,480 chunks of the whole body.
		expect(pulled).toBeLessThan(16);
		expect(body.destroyed).toBe(true);
	});
});

describe('readErrorBodyStart', () => {
	it('returns a short body whole', async () => {
		expect(await readErrorBodyStart(Readable.from([Buffer.from('abc'), Buffer.from('def')]))).toBe('abcdef');
	});

	it('cuts at the limit', async () => {
		expect(await readErrorBodyStart(Readable.from([Buffer.from('abcdef')]), 4)).toBe('abcd');
		expect(await readErrorBodyStart('abcdef', 3)).toBe('abc');
	});

	it('keeps what was read when the body breaks off', async () => {
		const broken = new Readable({ read() {} });
		broken.push(Buffer.from('partial'));
		setTimeout(() => broken.destroy(new Error('socket hang up')), 10);
		expect(await readErrorBodyStart(broken)).toBe('partial');
	});

	it('returns an empty string for a missing body', async () => {
		expect(await readErrorBodyStart(undefined)).toBe('');
		expect(await readErrorBodyStart(null)).toBe('');
	});
});

describe('urlNeedsRefresh (Alibaba Download: when to fetch fresh presigned URLs)', () => {
	const now = Date.UTC(2026, 10, 23, 12, 0, 0);
	const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

	it('is 5 minutes', () => {
		expect(URL_REFRESH_MARGIN_MS).toBe(300_000);
	});

	it.each([
		['already expired', -60_000, true],
		['expiring now', 0, true],
		['expiring in 4 minutes', 4 * 60_000, true],
		['expiring in exactly 5 minutes', 5 * 60_000, true],
		['expiring in 6 minutes', 6 * 60_000, false],
		['expiring in an hour', 3_600_000, false],
	])('%s -> %p', (_label, inMs, expected) => {
		expect(urlNeedsRefresh(iso(now + inMs), now)).toBe(expected);
	});

	it('an unknown or unreadable expiry does not trigger a refresh', () => {
		expect(urlNeedsRefresh(null, now)).toBe(false);
		expect(urlNeedsRefresh('soon', now)).toBe(false);
	});
});
