/**
 * The S3-Compatible Bucket credential's signer (nodes/common/s3/bucket.ts `signS3BucketRequest`, the credential's
 * `authenticate`) against the fake S3 (test/s3/fakeS3.ts), which recomputes every signature with the AWS SDK's own
 * signer: requests built by multipart.ts WITHOUT keys (the transport signs, as in n8n), path and virtual-hosted style,
 * temporary credentials, awkward keys and upload IDs; what it refuses to sign; the addressing-style rules.
 */
import { createHash } from 'node:crypto';
import type { IHttpRequestOptions } from 'n8n-workflow';

import { S3CompatibleBucketApi } from '../../credentials/S3CompatibleBucketApi.credentials';
import { credentialConfigErrorOf } from '../../nodes/common/credentials';
import {
	s3AddressingStyle,
	s3BucketSettings,
	signS3BucketRequest,
} from '../../nodes/common/s3/bucket';
import {
	MIB,
	uploadStream,
	type S3HttpRequest,
	type S3Send,
} from '../../nodes/common/s3/multipart';
import { FakeS3 } from './fakeS3';
import { nodeSend } from './nodeSend';

const keys = { accessKeyId: 'AKIDBUCKET', secretAccessKey: 'bucket/Secret+9' };
/** A temporary credential's session token (a test value). */
const TOKEN = 'session/token==';

let s3: FakeS3;
beforeAll(async () => {
	s3 = new FakeS3(keys);
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
});

function credentialData(more: Record<string, unknown> = {}) {
	return {
		endpoint: s3.endpoint,
		region: 'us-east-1',
		...keys,
		sessionToken: '',
		forcePathStyle: true,
		...more,
	};
}

/** A transport that signs each request with the credential, as n8n's httpRequestWithAuthentication does. */
function signingSend(data = credentialData(), connectTo?: { host: string; port: number }): S3Send {
	const send = nodeSend(connectTo ? { connectTo } : {});
	return async (request, signal) => {
		const signed = await signS3BucketRequest(data, {
			method: request.method,
			url: request.url,
			headers: request.headers,
			body: request.body as IHttpRequestOptions['body'],
		});
		return await send(
			{
				method: request.method,
				url: signed.url,
				headers: signed.headers as Record<string, string>,
				body: request.body,
			} satisfies S3HttpRequest,
			signal,
		);
	};
}

function bytes(length: number, seed = 7): Buffer {
	const out = Buffer.allocUnsafe(length);
	let x = seed;
	for (let i = 0; i < length; i++) {
		x = (x * 1103515245 + 12345) >>> 0;
		out[i] = x >>> 24;
	}
	return out;
}

async function* chunks(data: Buffer, size = 256 * 1024): AsyncGenerator<Uint8Array> {
	for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}

const noSleep = async () => {};

describe('signS3BucketRequest (the credential’s authenticate)', () => {
	it('signs what multipart.ts sends without keys: a multipart upload the SDK signer accepts, byte for byte', async () => {
		const data = bytes(11 * MIB);
		const key = 'redis/r-abc/2026-01-01 dump (1)+ü.rdb';
		const result = await uploadStream({
			bucket: { endpoint: s3.endpoint, bucket: 'backups', region: 'us-east-1', style: 'path' },
			key,
			source: chunks(data),
			send: signingSend(),
			sleep: noSleep,
			partSize: 5 * MIB,
			expectedBytes: data.length,
		});
		expect(result).toMatchObject({ parts: 3, multipart: true, size: data.length });
		expect(s3.object('backups', key)?.bytes.equals(data)).toBe(true);
		expect(s3.requests.map((r) => [r.action, r.status])).toEqual([
			['CreateMultipartUpload', 200],
			['UploadPart', 200],
			['UploadPart', 200],
			['UploadPart', 200],
			['CompleteMultipartUpload', 200],
		]);
		// The payload hash multipart.ts computed is the one signed (and checked against the body by the server).
		for (const request of s3.requests) expect(request.contentSha256).toBe(request.bodySha256);
	});

	it('signs temporary credentials (session token) and virtual-hosted-style requests', async () => {
		const temporary = new FakeS3({ ...keys, sessionToken: TOKEN });
		await temporary.start();
		try {
			const data = bytes(1000);
			// <bucket>.localhost:<port>, connected to 127.0.0.1: the Host header carries the bucket.
			const endpoint = `http://localhost:${temporary.port}`;
			await uploadStream({
				bucket: { endpoint, bucket: 'backups', region: 'us-east-1', style: 'virtual' },
				key: 'a/b.rdb',
				source: chunks(data),
				send: signingSend(
					credentialData({ endpoint, sessionToken: TOKEN, forcePathStyle: false }),
					{ host: '127.0.0.1', port: temporary.port },
				),
				sleep: noSleep,
			});
			expect(temporary.requests.map((r) => [r.action, r.host, r.status])).toEqual([
				['PutObject', `backups.localhost:${temporary.port}`, 200],
			]);
			expect(temporary.requests[0].signedHeaders).toContain('x-amz-security-token');
			expect(temporary.object('backups', 'a/b.rdb')?.bytes.equals(data)).toBe(true);
		} finally {
			await temporary.stop();
		}
	});

	it('a wrong secret gives a signature S3 refuses (SignatureDoesNotMatch)', async () => {
		const error = await uploadStream({
			bucket: { endpoint: s3.endpoint, bucket: 'backups', region: 'us-east-1', style: 'path' },
			key: 'x.rdb',
			source: chunks(bytes(10)),
			send: signingSend(credentialData({ secretAccessKey: 'wrong' })),
			sleep: noSleep,
		}).catch((e: unknown) => e);
		expect(error).toMatchObject({ kind: 'auth', details: { code: 'SignatureDoesNotMatch' } });
		expect(s3.objects.size).toBe(0);
	});

	it('hashes the body when the request carries no x-amz-content-sha256, and signs the test request (relative URL)', async () => {
		const body = '<xml/>';
		const signed = await signS3BucketRequest(
			credentialData(),
			{ method: 'PUT', url: `${s3.endpoint}/backups/k`, body },
			new Date('2026-03-01T10:00:00Z'),
		);
		expect((signed.headers as Record<string, string>)['x-amz-content-sha256']).toBe(
			createHash('sha256').update(body).digest('hex'),
		);
		const test = await signS3BucketRequest(credentialData(), {
			baseURL: `${s3.endpoint}/`,
			url: '/',
			method: 'GET',
		});
		expect(test.url).toBe(`${s3.endpoint}/`);
		expect(test.baseURL).toBeUndefined();
		const answer = await nodeSend()({
			method: 'GET',
			url: test.url!,
			headers: test.headers as Record<string, string>,
		});
		expect(answer.statusCode).toBe(200);
		expect(String(answer.body)).toContain('<ListAllMyBucketsResult');
	});

	it('keeps the query string exactly as signed in the URL (qs merged in, nothing left to re-encode)', async () => {
		const signed = await signS3BucketRequest(credentialData(), {
			method: 'DELETE',
			url: `${s3.endpoint}/backups/k?uploadId=up~1%2F%2Bx`,
			qs: { 'x-id': 'AbortMultipartUpload' },
		});
		expect(signed.url).toBe(`${s3.endpoint}/backups/k?uploadId=up~1%2F%2Bx&x-id=AbortMultipartUpload`);
		expect(signed.qs).toBeUndefined();
	});

	it.each([
		['another host', () => ({ data: credentialData(), url: 'http://198.51.100.7:9000/backups/k' })],
		['another scheme', () => ({ data: credentialData(), url: `${s3.endpoint.replace('http:', 'https:')}/b/k` })],
		[
			'a path outside the endpoint’s prefix',
			() => ({ data: credentialData({ endpoint: `${s3.endpoint}/s3` }), url: `${s3.endpoint}/other/k` }),
		],
	])('refuses to sign for %s (nothing is sent)', async (_what, make) => {
		const { data, url } = make();
		const error = await signS3BucketRequest(data, { method: 'GET', url }).catch((e: unknown) => e);
		expect(credentialConfigErrorOf(error)).toBeDefined();
		expect((error as Error).message).toMatch(/signs requests for its Endpoint/);
	});

	it('refuses what it cannot sign as it is (a path not in S3 encoding), naming the credential', async () => {
		const error = await signS3BucketRequest(credentialData(), {
			method: 'GET',
			// S3 would sign "a%2Fb": signing "a%2fb" would be signing another request than the one it receives.
			url: `${s3.endpoint}/backups/a%2fb`,
		}).catch((e: unknown) => e);
		expect(credentialConfigErrorOf(error)).toBeDefined();
		expect((error as Error).message).toMatch(/S3-Compatible Bucket credential cannot sign/);
	});

	it('refuses an empty Endpoint, and one with a password without repeating it', () => {
		expect(() => s3BucketSettings(credentialData({ endpoint: '' }))).toThrow(/Endpoint .*is empty/);
		let message = '';
		try {
			s3BucketSettings(credentialData({ endpoint: 'https://user:hunter2@s3.example.com' }));
		} catch (error) {
			message = (error as Error).message;
		}
		expect(message).toMatch(/may not contain a user name or password/);
		expect(message).not.toContain('hunter2');
	});
});

describe('addressing style', () => {
	const settings = (endpoint: string, forcePathStyle = false) =>
		s3BucketSettings(credentialData({ endpoint, forcePathStyle }));

	it.each([
		['https://s3.eu-west-1.amazonaws.com', false, 'backups', 'virtual'],
		['https://s3.eu-west-1.amazonaws.com', true, 'backups', 'path'],
		['http://127.0.0.1:9000', false, 'backups', 'path'],
		['http://localhost:9000', false, 'backups', 'path'],
		['https://s3.example.com', false, 'My_Bucket', 'path'],
		['https://s3.example.com', false, 'a..b', 'path'],
	])('%s (force path style %s), bucket %s: %s', (endpoint, force, bucket, style) => {
		expect(s3AddressingStyle(settings(endpoint, force), bucket)).toBe(style);
	});

	it('the region defaults to us-east-1; https:// is added to an endpoint without a scheme', () => {
		expect(s3BucketSettings(credentialData({ region: '', endpoint: 's3.example.com/', forcePathStyle: false }))).toEqual({
			endpoint: 'https://s3.example.com',
			region: 'us-east-1',
			forcePathStyle: false,
		});
	});
});

describe('the credential type', () => {
	const type = new S3CompatibleBucketApi();

	it('has the fields of n8n’s S3 credential (and a session token), the secrets as password fields', () => {
		expect(type.properties.map((p) => p.name)).toEqual([
			'endpoint',
			'region',
			'accessKeyId',
			'secretAccessKey',
			'sessionToken',
			'forcePathStyle',
		]);
		for (const name of ['secretAccessKey', 'sessionToken']) {
			expect(type.properties.find((p) => p.name === name)?.typeOptions?.password).toBe(true);
		}
		expect(type.authenticate).toBe(signS3BucketRequest);
		expect(type.test.request).toMatchObject({ url: '/', method: 'GET' });
	});
});
