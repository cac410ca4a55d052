/**
 * The real AWS S3 client (@aws-sdk/client-s3) builds and signs requests; a request handler captures them instead of
 * sending them, and our signer re-signs each from its parts (method, host, path, query, the client's own headers,
 * its x-amz-content-sha256 and x-amz-date). The Authorization headers must be identical, and the path the client
 * built for each key must be the one s3Target builds: proof that our key encoding and our addressing (path and
 * virtual-hosted style) are the client's, on the very requests the multipart engine sends.
 */
import {
	AbortMultipartUploadCommand,
	CompleteMultipartUploadCommand,
	CreateMultipartUploadCommand,
	HeadObjectCommand,
	PutObjectCommand,
	S3Client,
	UploadPartCommand,
} from '@aws-sdk/client-s3';

import { s3Target, signS3Request, type S3Query } from '../../nodes/common/s3/sigv4';

interface Captured {
	method: string;
	hostname: string;
	port?: number;
	path: string;
	query: Record<string, string | string[] | null>;
	headers: Record<string, string>;
}

class Captor {
	readonly requests: Captured[] = [];
	async handle(request: Captured): Promise<never> {
		this.requests.push(request);
		throw Object.assign(new Error('captured, not sent'), { name: 'Captured', $metadata: {} });
	}
}

function prng(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const CHARS = [
	...'abcXYZ019 ~!*\'()-_.$&+,;=:@%#?[]{}"<>^`|\\',
	'é',
	'ü',
	'中',
	'文',
	'😀',
	'\u0301',
];
function randomKey(rng: () => number): string {
	let key = '';
	const length = 1 + Math.floor(rng() * 30);
	for (let i = 0; i < length; i++)
		key += rng() < 0.12 ? '/' : CHARS[Math.floor(rng() * CHARS.length)];
	// Dot segments are refused by s3Target (clients resolve them before sending); the SDK sends them as they are.
	key = key
		.split('/')
		.map((s) => (s === '.' || s === '..' ? s + 'x' : s))
		.join('/');
	return key.startsWith('/') ? 'k' + key : key;
}

const credentials = {
	accessKeyId: 'AKIDCAPTURE',
	secretAccessKey: 'example/secret+1',
	sessionToken: 'tok/en==',
};

async function capture(
	endpoint: string,
	forcePathStyle: boolean,
	region: string,
	send: (client: S3Client) => Promise<unknown>,
): Promise<Captured> {
	const captor = new Captor();
	const client = new S3Client({
		endpoint,
		forcePathStyle,
		region,
		credentials,
		maxAttempts: 1,
		requestHandler: captor as never,
		// The client's default adds CRC32 checksums to uploads; either way the headers are re-signed as sent.
		requestChecksumCalculation: 'WHEN_REQUIRED',
	});
	await send(client).catch((error: Error) => {
		if (error.name !== 'Captured') throw error;
	});
	expect(captor.requests).toHaveLength(1);
	return captor.requests[0];
}

function resign(c: Captured, region: string): string {
	const host = c.headers.host ?? (c.port ? `${c.hostname}:${c.port}` : c.hostname);
	const generated = new Set([
		'authorization',
		'host',
		'x-amz-date',
		'x-amz-content-sha256',
		'x-amz-security-token',
	]);
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(c.headers))
		if (!generated.has(name.toLowerCase())) headers[name] = value;
	const query: S3Query = {};
	for (const [name, value] of Object.entries(c.query ?? {})) {
		if (value !== null) query[name] = value;
	}
	const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(c.headers['x-amz-date'])!;
	return signS3Request(
		{
			method: c.method,
			host,
			path: c.path,
			query,
			headers,
			payloadHash: c.headers['x-amz-content-sha256'],
		},
		{ credentials, region, date: new Date(Date.UTC(+d[1], +d[2] - 1, +d[3], +d[4], +d[5], +d[6])) },
	).headers.authorization;
}

describe('requests of the real S3 client, re-signed by ours', () => {
	const CASES = 120;

	test(`${CASES} seeded random keys through the multipart calls, path and virtual-hosted style`, async () => {
		const rng = prng(0xc0ffee);
		const endpoints = [
			'https://s3.eu-central-1.amazonaws.com',
			'http://127.0.0.1:9000',
			'https://cos.ap-guangzhou.myqcloud.com',
		];
		for (let i = 0; i < CASES; i++) {
			const key = randomKey(rng);
			const Bucket = 'backups-' + (i % 7);
			const endpoint = endpoints[i % endpoints.length];
			const pathStyle = endpoint.includes('127.0.0.1') || rng() < 0.5;
			const region = ['eu-central-1', 'us-east-1', 'ap-guangzhou'][i % 3];
			const UploadId = `id~${i}/+=&x`;
			const body = Buffer.from(`part ${i}`);
			const commands = [
				new CreateMultipartUploadCommand({
					Bucket,
					Key: key,
					ContentType: 'application/octet-stream',
					Metadata: { instance: `r-${i}` },
				}),
				new UploadPartCommand({
					Bucket,
					Key: key,
					UploadId,
					PartNumber: 1 + (i % 10000),
					Body: body,
				}),
				new CompleteMultipartUploadCommand({
					Bucket,
					Key: key,
					UploadId,
					MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"abc"' }] },
				}),
				new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId }),
				new PutObjectCommand({
					Bucket,
					Key: key,
					Body: body,
					ContentType: 'application/x-redis-rdb',
				}),
				new HeadObjectCommand({ Bucket, Key: key }),
			];
			const target = s3Target({
				endpoint,
				bucket: Bucket,
				key,
				style: pathStyle ? 'path' : 'virtual',
			});
			for (const command of commands) {
				const captured = await capture(endpoint, pathStyle, region, (client) =>
					client.send(command as never),
				);
				const context = `${command.constructor.name} ${JSON.stringify(key)} ${pathStyle ? 'path' : 'virtual'}`;
				expect({
					context,
					path: captured.path,
					host: captured.headers.host ?? captured.hostname,
				}).toEqual({
					context,
					path: target.path,
					host: target.host,
				});
				expect({ context, authorization: resign(captured, region) }).toEqual({
					context,
					authorization: captured.headers.authorization,
				});
			}
		}
	});
});
