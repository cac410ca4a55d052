/**
 * The local S3 server of the copy benchmark, and the plain copy Copy to Object Storage is measured against.
 *
 * - startS3rver: s3rver (the contract tests' S3 server, from npm) in a child process (./s3rverProcess.ts) on
 *   127.0.0.1, storing under a folder of ours; its CPU time can be read before and after a run.
 * - plainCopy: what one would write without n8n: Node's `http.get` of the presigned URL, cut into parts of a fixed
 *   size in one reused buffer, each part sent with the AWS SDK's UploadPartCommand (@aws-sdk/client-s3, its default
 *   signing: the part's SHA-256 signed, as the node does), one part in flight, then CompleteMultipartUpload; aborted
 *   on failure. No checksum of the source, no retries.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
	AbortMultipartUploadCommand,
	CompleteMultipartUploadCommand,
	CreateMultipartUploadCommand,
	DeleteObjectCommand,
	GetObjectCommand,
	HeadObjectCommand,
	S3Client,
	UploadPartCommand,
} from '@aws-sdk/client-s3';

import { httpGet, sha256Of } from './measure';

/** s3rver's fixed keys. */
export const S3RVER_KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const S3_REGION = 'us-east-1';

export interface S3rverHandle {
	endpoint: string;
	pid: number;
	/** CPU seconds (user + system) the server's process has used so far. */
	cpuSeconds(): Promise<number>;
	close(): Promise<void>;
}

export async function startS3rver(directory: string, bucket: string): Promise<S3rverHandle> {
	const child: ChildProcess = fork(path.join(__dirname, 's3rverProcess.ts'), [directory, bucket], {
		execArgv: ['--require', 'ts-node/register/transpile-only'],
		env: {
			...process.env,
			TS_NODE_PROJECT: path.join(__dirname, '..', '..', 'tsconfig.test.json'),
		},
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	const port = await new Promise<number>((resolve, reject) => {
		const onExit = (code: number | null) =>
			reject(new Error(`s3rver exited (code ${code}) before it was ready`));
		child.once('exit', onExit);
		child.once('error', reject);
		child.once('message', (message: { type: string; port: number }) => {
			child.off('exit', onExit);
			if (message.type === 'ready') resolve(message.port);
			else reject(new Error(`s3rver: unexpected message ${JSON.stringify(message)}`));
		});
	});
	let nextId = 0;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	return {
		endpoint: `http://127.0.0.1:${port}`,
		pid: child.pid!,
		cpuSeconds: () =>
			new Promise<number>((resolve, reject) => {
				const id = ++nextId;
				const onMessage = (message: { type: string; id: number; seconds: number }) => {
					if (message.type !== 'cpu' || message.id !== id) return;
					child.off('message', onMessage);
					resolve(message.seconds);
				};
				child.on('message', onMessage);
				if (!child.send({ type: 'cpu', id })) reject(new Error('s3rver: IPC channel closed'));
			}),
		close: async () => {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.send({ type: 'close' });
			const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
			await exited;
			clearTimeout(timer);
		},
	};
}

/** An SDK client for s3rver: path-style, its keys, checksums only where S3 requires them (none of ours). */
export function s3Client(endpoint: string): S3Client {
	return new S3Client({
		endpoint,
		region: S3_REGION,
		forcePathStyle: true,
		credentials: S3RVER_KEYS,
		requestChecksumCalculation: 'WHEN_REQUIRED',
		responseChecksumValidation: 'WHEN_REQUIRED',
	});
}

export interface PlainCopyResult {
	bytes: number;
	parts: number;
	etag: string;
	/** Time CompleteMultipartUpload took: s3rver concatenates the parts into the object (read, MD5, write). */
	completeSeconds: number;
}

/** The plain copy (see the module's comment): the presigned URL's bytes into `bucket/key` with a multipart upload. */
export async function plainCopy(
	client: S3Client,
	url: string,
	bucket: string,
	key: string,
	partSize: number,
): Promise<PlainCopyResult> {
	const response = await httpGet(url, 'plain copy');
	const { UploadId } = await client.send(
		new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }),
	);
	const parts: Array<{ PartNumber: number; ETag: string }> = [];
	const buffer = Buffer.allocUnsafe(partSize);
	let fill = 0;
	let bytes = 0;
	const sendPart = async (body: Buffer) => {
		const PartNumber = parts.length + 1;
		const { ETag } = await client.send(
			new UploadPartCommand({
				Bucket: bucket,
				Key: key,
				UploadId,
				PartNumber,
				Body: body,
				ContentLength: body.length,
			}),
		);
		parts.push({ PartNumber, ETag: ETag! });
	};
	let completed = false;
	try {
		for await (const chunk of response as AsyncIterable<Buffer>) {
			bytes += chunk.length;
			for (let offset = 0; offset < chunk.length; ) {
				const n = chunk.copy(buffer, fill, offset);
				fill += n;
				offset += n;
				if (fill === partSize) {
					await sendPart(buffer);
					fill = 0;
				}
			}
		}
		if (fill > 0 || parts.length === 0) await sendPart(buffer.subarray(0, fill));
		const completeStarted = performance.now();
		const { ETag } = await client.send(
			new CompleteMultipartUploadCommand({
				Bucket: bucket,
				Key: key,
				UploadId,
				MultipartUpload: { Parts: parts },
			}),
		);
		completed = true;
		return {
			bytes,
			parts: parts.length,
			etag: String(ETag).replace(/"/g, ''),
			completeSeconds: (performance.now() - completeStarted) / 1000,
		};
	} finally {
		if (!completed) {
			response.destroy();
			await client
				.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }))
				.catch(() => undefined);
		}
	}
}

/** The stored object's size and ETag (HEAD), and its sha256 read back with a GET when `sha` is set. */
export async function readBack(
	client: S3Client,
	bucket: string,
	key: string,
	sha: boolean,
): Promise<{ size: number; etag: string; sha256?: string }> {
	const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
	const result: { size: number; etag: string; sha256?: string } = {
		size: Number(head.ContentLength),
		etag: String(head.ETag).replace(/"/g, ''),
	};
	if (sha) {
		const get = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
		result.sha256 = await sha256Of(get.Body as AsyncIterable<Uint8Array>);
	}
	return result;
}

export async function deleteObject(client: S3Client, bucket: string, key: string): Promise<void> {
	await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
