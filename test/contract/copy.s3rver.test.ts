/**
 * Backup → Copy to Object Storage into a real S3-compatible server on 127.0.0.1 (s3rver, an npm devDependency,
 * started here with a temporary folder as its store), through n8n's engine, for every cloud: a backup larger than
 * the part size goes up as a multipart upload, and the object read back from the server (a signed GET, HEAD) is the
 * file the emulator serves, with the ETag the item reports. The fake S3 of the other copy tests is ours; this one is
 * not, so it checks that our requests (SigV4 in the credential, the canonical query, CompleteMultipartUpload's XML)
 * are what an independent implementation accepts.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { S3CompatibleBucketApi } from '../../credentials/S3CompatibleBucketApi.credentials';
import { signS3BucketRequest } from '../../nodes/common/s3/bucket';
import { nodeSend } from '../s3/nodeSend';
import { runNodeChain } from '../workflows/fixture';
import { CLOUDS } from './clouds';
import { NODE_NAME, useCloudEmulator, type BackupFixture } from './kit';

interface S3rverServer {
	run(): Promise<AddressInfo>;
	close(): Promise<void>;
}
type S3rverClass = new (options: {
	address: string;
	port: number;
	silent: boolean;
	directory: string;
	configureBuckets: Array<{ name: string }>;
}) => S3rverServer;

// s3rver ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('@20minutes/s3rver') as S3rverClass;

const MIB = 1024 * 1024;
const BUCKET = 'backups';
/** s3rver's fixed keys. */
const KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe.each(CLOUDS)('%s: Copy to Object Storage into s3rver', (_label, kit) => {
	const emulator = useCloudEmulator(kit);
	let server: S3rverServer;
	let directory: string;
	let endpoint: string;
	let backup: BackupFixture;

	beforeAll(async () => {
		directory = mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
		server = new S3rver({
			address: '127.0.0.1',
			port: 0,
			silent: true,
			directory,
			configureBuckets: [{ name: BUCKET }],
		});
		const address = await server.run();
		endpoint = `http://127.0.0.1:${address.port}`;
		backup = await kit.addStandardBackup(emulator, 11 * MIB + 12345);
	});
	afterAll(async () => {
		await server?.close();
		if (directory) rmSync(directory, { recursive: true, force: true });
	});

	const credentialData = () => ({ endpoint, region: 'us-east-1', ...KEYS, forcePathStyle: true });

	/** A request to s3rver signed by the bucket credential, sent by Node's http client. */
	async function signedRequest(method: 'GET' | 'HEAD', key: string) {
		const signed = await signS3BucketRequest(credentialData(), {
			method,
			url: `${endpoint}/${BUCKET}/${key.split('/').map(encodeURIComponent).join('/')}`,
		});
		return await nodeSend()({ method, url: signed.url!, headers: signed.headers as Record<string, string> });
	}

	it('copies a backup as a multipart upload; the object read back is the exact file, with the reported ETag', async () => {
		const result = await runNodeChain(
			{
				nodeType: kit.node.type,
				node: kit.node.create(),
				nodeIdPrefix: 'cloud',
				credentialTypes: [...kit.credential.types, new S3CompatibleBucketApi()],
				credential: kit.credential.forEmulator(emulator),
				moreCredentials: [{ id: 'bucket-1', name: 's3rver', type: 's3CompatibleBucketApi', data: credentialData() }],
			},
			[
				{
					name: NODE_NAME,
					parameters: kit.params.download(backup, {
						operation: 'copyToObjectStorage',
						bucket: BUCKET,
						objectKey: 'redis/{provider}/{backupId}/{fileName}',
						options: { partSizeMiB: 5 },
					}),
				},
			],
		);
		expect(result.status).toBe('success');
		const [item] = result.output(NODE_NAME);
		const [file] = backup.files;
		const key = `redis/${kit.id}/${backup.backupId}/${file.name}`;
		expect(item.json).toMatchObject({ bucket: BUCKET, key, size: file.size, parts: 3, multipart: true, checksumVerified: true });

		const head = await signedRequest('HEAD', key);
		expect(head.statusCode).toBe(200);
		expect(String(head.headers.etag).replace(/"/g, '')).toBe(item.json.etag);
		expect(Number(head.headers['content-length'])).toBe(file.size);
		const get = await signedRequest('GET', key);
		expect(get.statusCode).toBe(200);
		expect(sha256(Buffer.from(get.body as Uint8Array))).toBe(sha256(file.bytes));
	});
});
