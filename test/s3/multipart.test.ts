/**
 * nodes/common/s3/multipart.ts against a fake S3 on 127.0.0.1 (test/s3/fakeS3.ts) that checks every request's
 * signature with the AWS SDK's own signer, every body against its signed SHA-256, part sizes, the part list and ETags
 * as S3 computes them; through Node's http client (test/s3/nodeSend.ts). Every failure must end with the multipart
 * upload aborted and nothing under the key; every success with the exact bytes and S3's ETag.
 */
import { createHash } from 'node:crypto';

import { CloudApiError } from '../../nodes/common/errors';
import {
	DEFAULT_PART_SIZE,
	MIB,
	S3UploadError,
	choosePartSize,
	completeMultipartXml,
	multipartEtag,
	parseS3Error,
	s3ErrorKind,
	unquoteEtag,
	uploadStream,
	type MultipartUploadInput,
	type S3Bucket,
	type S3HttpRequest,
} from '../../nodes/common/s3/multipart';
import {
	decodeXmlText,
	escapeXml,
	xmlRootElement,
	xmlText,
	xmlTexts,
} from '../../nodes/common/s3/xml';
import { FakeS3 } from './fakeS3';
import { nodeSend } from './nodeSend';

const PART = 5 * MIB;
const credentials = {
	accessKeyId: 'AKIDTEST',
	secretAccessKey: 'secret/Key+1',
	sessionToken: 'session/token==',
};

/** Deterministic bytes (xorshift), so a wrong offset anywhere shows. */
function bytes(length: number, seed = 1): Buffer {
	const out = Buffer.allocUnsafe(length);
	let x = seed >>> 0 || 1;
	for (let i = 0; i < length; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		out[i] = x & 0xff;
	}
	return out;
}

/** Yields `data` in chunks of the given sizes (cycled), as a download would. */
async function* chunked(data: Buffer, sizes: number[] = [65536]): AsyncGenerator<Uint8Array> {
	let offset = 0;
	for (let i = 0; offset < data.length; i++) {
		const size = sizes[i % sizes.length];
		yield data.subarray(offset, offset + size);
		offset += size;
	}
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

let s3: FakeS3;
let bucket: S3Bucket;
const sleeps: number[] = [];

beforeAll(async () => {
	s3 = new FakeS3(credentials);
	await s3.start();
});
afterAll(async () => {
	await s3.stop();
});
beforeEach(() => {
	s3.requests.length = 0;
	s3.objects.clear();
	s3.uploads.clear();
	s3.fault = undefined;
	s3.maxInFlight = 0;
	sleeps.length = 0;
	bucket = {
		endpoint: s3.endpoint,
		bucket: 'backups',
		region: 'us-east-1',
		style: 'path',
		credentials,
	};
});

function input(
	source: AsyncIterable<Uint8Array>,
	more: Partial<MultipartUploadInput> = {},
): MultipartUploadInput {
	return {
		bucket,
		key: 'redis/r-abc123/2024-05-01 dump (1).rdb',
		source,
		send: nodeSend(),
		sleep: async (ms, signal) => {
			sleeps.push(ms);
			if (signal?.aborted) throw new Error('aborted');
		},
		partSize: PART,
		random: () => 0.5,
		...more,
	};
}

const KEY = 'redis/r-abc123/2024-05-01 dump (1).rdb';
const actions = () =>
	s3.requests.map((r) => (r.partNumber ? `${r.action} ${r.partNumber}` : r.action));

async function failure(promise: Promise<unknown>): Promise<S3UploadError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(S3UploadError);
	return error as S3UploadError;
}

describe('uploads', () => {
	test('a source larger than a part: parts of exactly partSize, the rest last, S3 ETag, one request at a time', async () => {
		const data = bytes(2 * PART + 1234567);
		const progress: number[] = [];
		const result = await uploadStream(
			input(chunked(data, [65536, 1, 3 * MIB, 777, 100000]), {
				expectedBytes: data.length,
				contentType: 'application/x-redis-rdb',
				objectHeaders: { 'x-amz-meta-instance': 'r-abc123', 'x-amz-storage-class': 'STANDARD_IA' },
				onProgress: (p) => progress.push(p.bytesUploaded),
			}),
		);
		expect(actions()).toEqual([
			'CreateMultipartUpload',
			'UploadPart 1',
			'UploadPart 2',
			'UploadPart 3',
			'CompleteMultipartUpload',
		]);
		const parts = s3.requests.filter((r) => r.action === 'UploadPart').map((r) => r.bodyBytes);
		expect(parts).toEqual([PART, PART, 1234567]);
		const stored = s3.object('backups', KEY)!;
		expect(stored.bytes.equals(data)).toBe(true);
		const expectedEtag = `${md5(Buffer.concat([data.subarray(0, PART), data.subarray(PART, 2 * PART), data.subarray(2 * PART)].map((p) => Buffer.from(md5(p), 'hex'))))}-3`;
		expect(result).toEqual({
			bucket: 'backups',
			key: KEY,
			etag: expectedEtag,
			size: data.length,
			parts: 3,
			multipart: true,
			uploadId: expect.any(String),
			location: expect.stringContaining('/backups/redis/r-abc123/2024-05-01%20dump%20%281%29.rdb'),
			versionId: undefined,
			confirmedBy: 'response',
		});
		expect(stored.contentType).toBe('application/x-redis-rdb');
		expect(s3.maxInFlight).toBe(1);
		expect(progress).toEqual([PART, 2 * PART, data.length]);
		expect(s3.uploads.size).toBe(0);
		// Every request signed its body's SHA-256, the session token, and the S3-encoded key.
		for (const r of s3.requests) {
			expect(r.contentSha256).toBe(r.bodySha256);
			expect(r.signedHeaders).toContain('x-amz-security-token');
			expect(r.url).toMatch(/^\/backups\/redis\/r-abc123\/2024-05-01%20dump%20%281%29\.rdb\?/);
		}
	});

	test('a source of exactly two parts sends two parts, never an empty third', async () => {
		const data = bytes(2 * PART, 7);
		const result = await uploadStream(input(chunked(data, [PART * 2])));
		expect(actions()).toEqual([
			'CreateMultipartUpload',
			'UploadPart 1',
			'UploadPart 2',
			'CompleteMultipartUpload',
		]);
		expect(result.size).toBe(2 * PART);
		expect(s3.object('backups', KEY)!.bytes.equals(data)).toBe(true);
	});

	test('a source that fits in one part is one PutObject (exactly one part, a few bytes, none)', async () => {
		for (const [length, seed] of [
			[PART, 3],
			[10, 4],
			[0, 5],
		]) {
			s3.requests.length = 0;
			const data = bytes(length, seed);
			const result = await uploadStream(input(chunked(data), { expectedBytes: length }));
			expect(actions()).toEqual(['PutObject']);
			expect(result).toMatchObject({
				multipart: false,
				parts: 1,
				size: length,
				etag: md5(data),
				confirmedBy: 'response',
			});
			expect(s3.object('backups', KEY)!.bytes.equals(data)).toBe(true);
		}
	});

	test('virtual-hosted style, unsigned payloads, no session token', async () => {
		bucket = {
			...bucket,
			endpoint: `http://localhost:${s3.port}`,
			style: 'virtual',
			credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret/Key+1' },
		};
		const noToken = new FakeS3({ accessKeyId: 'AKIDTEST', secretAccessKey: 'secret/Key+1' });
		await noToken.start();
		try {
			bucket.endpoint = `http://localhost:${noToken.port}`;
			const data = bytes(PART + 10, 9);
			const result = await uploadStream(
				input(chunked(data), {
					key: "a/ü ~!*'()/b",
					payloadSigning: 'unsigned',
					send: nodeSend({ connectTo: { host: '127.0.0.1', port: noToken.port } }),
				}),
			);
			expect(result.parts).toBe(2);
			expect(noToken.object('backups', "a/ü ~!*'()/b")!.bytes.equals(data)).toBe(true);
			const upload = noToken.requests.filter((r) => r.action === 'UploadPart');
			expect(upload.map((r) => r.contentSha256)).toEqual(['UNSIGNED-PAYLOAD', 'UNSIGNED-PAYLOAD']);
			expect(upload[0].host).toBe(`backups.localhost:${noToken.port}`);
			expect(upload[0].url).toMatch(/^\/a\/%C3%BC%20~%21%2A%27%28%29\/b\?partNumber=1&uploadId=/);
		} finally {
			await noToken.stop();
		}
	});
});

describe('retries: the same bytes again, signed anew', () => {
	test('a part answered 500 twice, then reset once, then stored', async () => {
		let failures = 0;
		s3.fault = (r) => {
			if (r.action !== 'UploadPart' || r.partNumber !== 2 || failures >= 3) return undefined;
			failures++;
			return failures === 3 ? { reset: true } : { status: 500, code: 'InternalError' };
		};
		const data = bytes(2 * PART + 99, 11);
		const retried: string[] = [];
		const result = await uploadStream(
			input(chunked(data), { onRetry: (e) => retried.push(e.kind) }),
		);
		expect(retried).toEqual(['server', 'server', 'network']);
		const part2 = s3.requests.filter((r) => r.partNumber === 2);
		expect(part2).toHaveLength(4);
		expect(new Set(part2.map((r) => r.bodySha256)).size).toBe(1);
		expect(result.parts).toBe(3);
		expect(s3.object('backups', KEY)!.bytes.equals(data)).toBe(true);
	});

	test('throttling (503 SlowDown with Retry-After, 429) is waited out', async () => {
		let n = 0;
		s3.fault = (r) => {
			if (r.action !== 'UploadPart' || n >= 2) return undefined;
			n++;
			return n === 1
				? { status: 503, code: 'SlowDown', retryAfter: '2' }
				: { status: 429, code: 'TooManyRequests' };
		};
		await uploadStream(input(chunked(bytes(PART + 1))));
		expect(sleeps[0]).toBe(2000);
		expect(s3.object('backups', KEY)).toBeDefined();
	});

	test('a transfer S3 found corrupt or short (XAmzContentSHA256Mismatch, RequestTimeout) is sent again', async () => {
		let n = 0;
		s3.fault = (r) => {
			if (r.action !== 'UploadPart' || n >= 2) return undefined;
			n++;
			return n === 1
				? { status: 400, code: 'XAmzContentSHA256Mismatch' }
				: { status: 400, code: 'RequestTimeout' };
		};
		await uploadStream(input(chunked(bytes(PART + 1))));
		expect(s3.object('backups', KEY)).toBeDefined();
	});

	test('Complete answering "200 OK" with an <Error> body is an error, retried when its code is', async () => {
		let n = 0;
		s3.fault = (r) =>
			r.action === 'CompleteMultipartUpload' && n++ === 0
				? { status200Error: 'InternalError' }
				: undefined;
		const result = await uploadStream(input(chunked(bytes(PART + 5))));
		expect(actions().filter((a) => a === 'CompleteMultipartUpload')).toHaveLength(2);
		expect(result.confirmedBy).toBe('response');
	});

	test('a Complete carried out whose answer was lost: the retry finds NoSuchUpload, HEAD confirms the object', async () => {
		let n = 0;
		s3.fault = (r) =>
			r.action === 'CompleteMultipartUpload' && n++ === 0 ? { commitThenReset: true } : undefined;
		const data = bytes(PART + 5, 21);
		const result = await uploadStream(input(chunked(data)));
		expect(actions().slice(-3)).toEqual([
			'CompleteMultipartUpload',
			'CompleteMultipartUpload',
			'HeadObject',
		]);
		expect(result.confirmedBy).toBe('head');
		expect(result.etag).toBe(s3.object('backups', KEY)!.etag);
		expect(s3.object('backups', KEY)!.bytes.equals(data)).toBe(true);
	});

	test('CreateMultipartUpload and PutObject are retried too', async () => {
		let n = 0;
		s3.fault = (r) =>
			(r.action === 'CreateMultipartUpload' || r.action === 'PutObject') && n++ % 2 === 0
				? { status: 500, code: 'InternalError' }
				: undefined;
		await uploadStream(input(chunked(bytes(PART + 1))));
		await uploadStream(input(chunked(bytes(100)), { key: 'small' }));
		expect(actions()).toEqual([
			'CreateMultipartUpload',
			'CreateMultipartUpload',
			'UploadPart 1',
			'UploadPart 2',
			'CompleteMultipartUpload',
			'PutObject',
			'PutObject',
		]);
	});
});

describe('failures abort the upload: nothing under the key', () => {
	const nothingLeft = () => {
		expect(s3.object('backups', KEY)).toBeUndefined();
		expect(s3.uploads.size).toBe(0);
	};

	test('a part that keeps failing: retried to the policy, then aborted', async () => {
		s3.fault = (r) =>
			r.action === 'UploadPart' && r.partNumber === 2
				? { status: 500, code: 'InternalError' }
				: undefined;
		const error = await failure(uploadStream(input(chunked(bytes(3 * PART)))));
		expect(s3.requests.filter((r) => r.partNumber === 2)).toHaveLength(5);
		expect(actions().at(-1)).toBe('AbortMultipartUpload');
		expect(error.kind).toBe('server');
		expect(error.details.code).toBe('InternalError');
		expect(error.stage).toBe('upload');
		expect(error.aborted).toBe(true);
		expect(error.partsUploaded).toBe(1);
		expect(error.message).toMatch(
			/UploadPart 2: InternalError.*the multipart upload was aborted, nothing was stored under backups\//,
		);
		nothingLeft();
	});

	test('a refusal that is not transient (SignatureDoesNotMatch) is not retried', async () => {
		s3.fault = (r) =>
			r.action === 'UploadPart' ? { status: 403, code: 'SignatureDoesNotMatch' } : undefined;
		const error = await failure(uploadStream(input(chunked(bytes(PART + 1)))));
		expect(actions()).toEqual(['CreateMultipartUpload', 'UploadPart 1', 'AbortMultipartUpload']);
		expect(error.kind).toBe('auth');
		expect(error.details.hint).toMatch(/secret access key/);
		nothingLeft();
	});

	test('a wrong secret is caught by the server signature check (real SignatureDoesNotMatch)', async () => {
		bucket = { ...bucket, credentials: { ...credentials, secretAccessKey: 'wrong' } };
		const error = await failure(uploadStream(input(chunked(bytes(10)))));
		expect(error.details.code).toBe('SignatureDoesNotMatch');
		expect(actions()).toEqual(['PutObject']);
	});

	test('the source failing mid-copy (a reset it could not resume): its error, stage source, aborted', async () => {
		async function* breaking(): AsyncGenerator<Uint8Array> {
			yield* chunked(bytes(PART + 300000));
			throw new CloudApiError('The download broke off', {
				provider: 'alibaba',
				kind: 'network',
				code: 'ECONNRESET',
			});
		}
		const error = await failure(uploadStream(input(breaking())));
		expect(error).toMatchObject({
			stage: 'source',
			aborted: true,
			partsUploaded: 1,
			bytesRead: PART + 300000,
		});
		expect(error.details).toMatchObject({ provider: 'alibaba', kind: 'network' });
		expect(actions()).toEqual(['CreateMultipartUpload', 'UploadPart 1', 'AbortMultipartUpload']);
		nothingLeft();
	});

	test('a plain error from the source (no CloudApiError) is worded as the source failing', async () => {
		async function* plain(): AsyncGenerator<Uint8Array> {
			yield* chunked(bytes(PART + 1));
			throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
		}
		const error = await failure(uploadStream(input(plain())));
		expect(error.message).toMatch(
			/^Reading the source failed: socket hang up; the multipart upload was aborted/,
		);
		expect(error.details).toMatchObject({
			provider: 'source',
			kind: 'network',
			code: 'ECONNRESET',
		});
		nothingLeft();
	});

	test("the source's checksum failing at its end: Complete is never sent", async () => {
		async function* badCrc(): AsyncGenerator<Uint8Array> {
			yield* chunked(bytes(2 * PART + 10));
			throw new CloudApiError('CRC-64 mismatch', { provider: 'tencent', kind: 'integrity' });
		}
		const error = await failure(uploadStream(input(badCrc())));
		expect(error.kind).toBe('integrity');
		expect(actions()).not.toContain('CompleteMultipartUpload');
		expect(actions().at(-1)).toBe('AbortMultipartUpload');
		nothingLeft();
	});

	test('a source shorter or longer than expectedBytes', async () => {
		let error = await failure(
			uploadStream(input(chunked(bytes(PART + 10)), { expectedBytes: PART + 11 })),
		);
		expect(error.kind).toBe('integrity');
		expect(error.message).toMatch(/ended after 5242890 of the 5242891 bytes/);
		nothingLeft();
		error = await failure(uploadStream(input(chunked(bytes(PART + 10)), { expectedBytes: 100 })));
		expect(error.message).toMatch(/more than the 100 bytes/);
		expect(
			actions().filter(
				(a) =>
					a !== 'CreateMultipartUpload' && !a.startsWith('Upload') && a !== 'AbortMultipartUpload',
			),
		).toEqual([]);
		nothingLeft();
	});

	test('a Complete refused (InvalidPart in a 200 <Error>): aborted', async () => {
		s3.fault = (r) =>
			r.action === 'CompleteMultipartUpload' ? { status200Error: 'InvalidPart' } : undefined;
		const error = await failure(uploadStream(input(chunked(bytes(PART + 1)))));
		expect(error.details.code).toBe('InvalidPart');
		expect(error.kind).toBe('client');
		expect(error.details.httpStatus).toBe(200);
		nothingLeft();
	});

	test('cancelled mid-upload: the abort is still sent, the error is "cancelled"', async () => {
		const controller = new AbortController();
		s3.fault = (r) => {
			if (r.action === 'UploadPart' && r.partNumber === 2) controller.abort();
			return undefined;
		};
		const error = await failure(
			uploadStream(input(chunked(bytes(4 * PART)), { signal: controller.signal })),
		);
		expect(error.kind).toBe('cancelled');
		expect(actions().at(-1)).toBe('AbortMultipartUpload');
		expect(actions()).not.toContain('UploadPart 3');
		nothingLeft();
	});

	test('an abort that fails is reported, with the upload ID and the way out', async () => {
		s3.fault = (r) =>
			r.action === 'UploadPart'
				? { status: 400, code: 'InvalidArgument' }
				: r.action === 'AbortMultipartUpload'
					? { status: 500, code: 'InternalError' }
					: undefined;
		const error = await failure(uploadStream(input(chunked(bytes(PART + 1)))));
		expect(error.aborted).toBe(false);
		expect(error.abortError?.details.code).toBe('InternalError');
		expect(error.uploadId).toMatch(/^upload~/);
		expect(error.message).toMatch(
			/aborting the multipart upload upload~\S+ failed too.*AbortIncompleteMultipartUpload/,
		);
		expect(actions().filter((a) => a === 'AbortMultipartUpload')).toHaveLength(3);
	});

	test('what cannot be addressed fails before a byte is read', async () => {
		let read = false;
		async function* source(): AsyncGenerator<Uint8Array> {
			read = true;
			yield Buffer.from('x');
		}
		await expect(uploadStream(input(source(), { key: 'a/../b' }))).rejects.toThrow(
			/"\." or "\.\."/,
		);
		await expect(uploadStream(input(source(), { partSize: MIB }))).rejects.toThrow(
			/5 MiB to 5 GiB/,
		);
		expect(read).toBe(false);
		expect(s3.requests).toHaveLength(0);
	});

	test('no answer at all (connection refused) is a network error after the retries', async () => {
		bucket = { ...bucket, endpoint: 'http://127.0.0.1:1' };
		const error = await failure(uploadStream(input(chunked(bytes(10)))));
		expect(error.kind).toBe('network');
		expect(error.details.code).toBe('ECONNREFUSED');
		expect(sleeps).toHaveLength(4);
	});
});

describe('memory: one part buffer, reused', () => {
	test('the chunks handed to send are views of one buffer of partSize bytes', async () => {
		const buffers = new Set<ArrayBufferLike>();
		const send = nodeSend();
		await uploadStream(
			input(chunked(bytes(4 * PART + 3)), {
				send: (request: S3HttpRequest, signal) => {
					if (request.body instanceof Uint8Array && request.url.includes('partNumber'))
						buffers.add(request.body.buffer);
					return send(request, signal);
				},
			}),
		);
		expect(buffers.size).toBe(1);
		expect([...buffers][0].byteLength).toBeLessThanOrEqual(PART + 8192);
	});
});

describe('sizes, ETags, XML, error kinds', () => {
	test('choosePartSize: default 16 MiB, raised to fit 10,000 parts, S3 limits enforced', () => {
		expect(choosePartSize(undefined)).toBe(DEFAULT_PART_SIZE);
		expect(choosePartSize(undefined, 4 * 1024 * MIB)).toBe(16 * MIB);
		expect(choosePartSize(undefined, 200 * 1024 * MIB)).toBe(21 * MIB);
		expect(choosePartSize(5 * MIB, 10_000 * 5 * MIB)).toBe(5 * MIB);
		expect(choosePartSize(5 * MIB, 10_000 * 5 * MIB + 1)).toBe(6 * MIB);
		expect(() => choosePartSize(5 * MIB - 1)).toThrow(/5 MiB/);
		expect(() => choosePartSize(5 * 1024 * MIB + 1)).toThrow(/5 GiB/);
		expect(() => choosePartSize(undefined, 10_000 * 5 * 1024 * MIB + 1)).toThrow(/largest object/);
	});

	test('multipartEtag is the MD5 of the binary MD5s; undefined when a part ETag is not an MD5', () => {
		const a = md5(Buffer.from('a'));
		const b = md5(Buffer.from('b'));
		expect(multipartEtag([`"${a}"`, b])).toBe(
			`${md5(Buffer.concat([Buffer.from(a, 'hex'), Buffer.from(b, 'hex')]))}-2`,
		);
		expect(multipartEtag(['"abc"'])).toBeUndefined();
		expect(unquoteEtag(' W/"x" ')).toBe('x');
	});

	test('the Complete body lists the parts with their quoted ETags escaped', () => {
		expect(
			completeMultipartXml([
				{ partNumber: 1, etag: '"e1"', size: 1 },
				{ partNumber: 2, etag: '"a&b"', size: 1 },
			]),
		).toBe(
			'<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag></Part><Part><PartNumber>2</PartNumber><ETag>&quot;a&amp;b&quot;</ETag></Part></CompleteMultipartUpload>',
		);
	});

	test('XML: root after a prolog, prefixes, empty elements, entities, CDATA', () => {
		const doc =
			'\uFEFF<?xml version="1.0"?>\n<!-- c --><s3:InitiateMultipartUploadResult xmlns:s3="x"><s3:Bucket>b</s3:Bucket><Key/><UploadId attr="1">a&amp;b&#x2F;&#47;&quot;<![CDATA[<raw>&amp;]]></UploadId></s3:InitiateMultipartUploadResult>';
		expect(xmlRootElement(doc)).toBe('InitiateMultipartUploadResult');
		expect(xmlText(doc, 'Bucket')).toBe('b');
		expect(xmlText(doc, 'Key')).toBe('');
		expect(xmlText(doc, 'UploadId')).toBe('a&b//"<raw>&amp;');
		expect(xmlText(doc, 'Missing')).toBeUndefined();
		expect(xmlTexts('<a><P>1</P><P>2</P></a>', 'P')).toEqual(['1', '2']);
		expect(xmlRootElement('not xml')).toBeUndefined();
		expect(decodeXmlText('&bogus; &#0; &#xD800;')).toBe('&bogus; &#0; &#xD800;');
		expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&apos;');
	});

	test('S3 error documents and kinds', () => {
		expect(
			parseS3Error(
				'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region is wrong</Message><Region>eu-west-1</Region><RequestId>R1</RequestId></Error>',
			),
		).toEqual({
			code: 'AuthorizationHeaderMalformed',
			message: 'the region is wrong',
			requestId: 'R1',
			region: 'eu-west-1',
			endpoint: undefined,
		});
		expect(parseS3Error('<CompleteMultipartUploadResult/>')).toBeUndefined();
		const table: Array<[number, string | undefined, string]> = [
			[503, 'SlowDown', 'throttled'],
			[429, undefined, 'throttled'],
			[503, undefined, 'throttled'],
			[500, 'InternalError', 'server'],
			[200, 'InternalError', 'server'],
			[400, 'RequestTimeout', 'server'],
			[400, 'BadDigest', 'server'],
			[502, undefined, 'server'],
			[501, 'NotImplemented', 'client'],
			[403, 'AccessDenied', 'auth'],
			[403, 'RequestTimeTooSkewed', 'auth'],
			[400, 'AuthorizationHeaderMalformed', 'auth'],
			[403, undefined, 'auth'],
			[404, 'NoSuchBucket', 'notFound'],
			[404, 'NoSuchUpload', 'notFound'],
			[400, 'EntityTooSmall', 'client'],
			[400, 'InvalidPart', 'client'],
			[301, 'PermanentRedirect', 'client'],
		];
		for (const [status, code, kind] of table)
			expect([status, code, s3ErrorKind(status, code)]).toEqual([status, code, kind]);
	});
});
