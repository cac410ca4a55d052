/**
 * Backup → Copy to Object Storage, for every cloud, through n8n's engine: the cloud's node against its emulator, the
 * bucket a fake S3 on 127.0.0.1 (test/s3/fakeS3.ts) that checks every request's SigV4 signature with the AWS SDK's own
 * signer and every body against its signed SHA-256. Each file becomes one object with exactly the bytes the
 * emulator serves, multipart above the part size, its parts retried; a download cut mid-way is resumed into the same
 * upload; a file that fails its cloud checksum is never stored (the upload aborted before Complete); a wrong bucket
 * key is an error naming the bucket credential; nothing passes through n8n's binary store.
 */
import { createHash } from 'node:crypto';
import type { INodeParameters } from 'n8n-workflow';

import { S3CompatibleBucketApi } from '../../credentials/S3CompatibleBucketApi.credentials';
import type { HarnessCredential } from '../harness';
import { FakeS3, type Fault } from '../s3/fakeS3';
import { runNodeChain } from '../workflows/fixture';
import { CLOUDS } from './clouds';
import {
	binaryStoreDir,
	errorKindOf,
	filesIn,
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	pushFault,
	requestsSince,
	runText,
	storageChecksumOf,
	useCloudEmulator,
	type BackupFixture,
	type CloudKit,
	type RecordedError,
	waitUntil,
} from './kit';
import type { CloudEmulator } from '../../emulator';

const MIB = 1024 * 1024;
/** Above the 5 MiB part size used here: three parts (5 + 5 + 1 MiB). */
const LARGE = 11 * MIB;
const SMALL = 96 * 1024;
const BUCKET = 'backups';
const BUCKET_KEYS = { accessKeyId: 'AKIDCOPYTEST', secretAccessKey: 'copy/Secret+key' };

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

function bucketCredential(s3: FakeS3, overrides: Record<string, unknown> = {}): HarnessCredential {
	return {
		id: 'bucket-1',
		name: 'Bucket test',
		type: 's3CompatibleBucketApi',
		data: {
			endpoint: s3.endpoint,
			region: 'us-east-1',
			...BUCKET_KEYS,
			forcePathStyle: true,
			...overrides,
		},
	};
}

function copyParams(
	kit: CloudKit,
	backup: BackupFixture,
	extra: INodeParameters = {},
): INodeParameters {
	const { options, ...rest } = extra;
	return kit.params.download(backup, {
		operation: 'copyToObjectStorage',
		bucket: BUCKET,
		...rest,
		options: { partSizeMiB: 5, ...((options as INodeParameters | undefined) ?? {}) },
	});
}

async function runCopy(
	kit: CloudKit,
	emulator: CloudEmulator,
	s3: FakeS3,
	parameters: INodeParameters,
	options: {
		onError?: 'continueErrorOutput';
		bucket?: Record<string, unknown>;
		signal?: AbortSignal;
	} = {},
) {
	return await runNodeChain(
		{
			nodeType: kit.node.type,
			node: kit.node.create(),
			nodeIdPrefix: 'cloud',
			credentialTypes: [...kit.credential.types, new S3CompatibleBucketApi()],
			credential: kit.credential.forEmulator(emulator),
			moreCredentials: [bucketCredential(s3, options.bucket)],
		},
		[{ name: NODE_NAME, parameters, onError: options.onError }],
		{ signal: options.signal },
	);
}

/** The fake S3's requests of one kind. */
const actions = (s3: FakeS3) => s3.requests.map((r) => r.action);

describe.each(CLOUDS)('%s: Backup → Copy to Object Storage', (_label, kit) => {
	const emulator = useCloudEmulator(kit);
	const download = kit.actions.download;
	const s3 = new FakeS3(BUCKET_KEYS);
	let small: BackupFixture;
	let large: BackupFixture;

	beforeAll(async () => {
		await s3.start();
		small = await kit.addStandardBackup(emulator, SMALL);
		large = await kit.addStandardBackup(emulator, LARGE);
	});
	afterAll(async () => await s3.stop());
	beforeEach(() => {
		s3.requests.length = 0;
		s3.objects.clear();
		s3.uploads.clear();
		s3.fault = undefined;
		s3.maxInFlight = 0;
	});

	const defaultKey = (backup: BackupFixture, index = 0) =>
		`${kit.id}/${backup.instance.instanceId}/${backup.backupId}/${backup.files[index].name}`;

	it('a file smaller than a part becomes one object (one PutObject) with the exact bytes, its cloud checksum verified', async () => {
		const [file] = small.files;
		const storeBefore = await filesIn(await binaryStoreDir());
		const result = await runCopy(kit, emulator, s3, copyParams(kit, small));
		expect(result.status).toBe('success');
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		const key = defaultKey(small);
		const object = s3.object(BUCKET, key);
		expect(object).toBeDefined();
		expect(sha256(object!.bytes)).toBe(sha256(file.bytes));
		const { algorithm, value } = storageChecksumOf(file);
		expect(items[0].json).toMatchObject({
			backupId: small.backupId,
			bucket: BUCKET,
			key,
			etag: md5(file.bytes),
			size: SMALL,
			parts: 1,
			multipart: false,
			checksumAlgorithm: algorithm,
			checksumVerified: true,
			checksum: value,
			expectedChecksum: value,
			downloadAttempts: 1,
		});
		expect(typeof items[0].json.durationMs).toBe('number');
		// Nothing went through n8n's binary store.
		expect(items[0].binary).toBeUndefined();
		expect(await filesIn(await binaryStoreDir())).toEqual(storeBefore);
		expect(actions(s3)).toEqual(['PutObject']);
		// The backup's metadata is stored with the object; the content type is the default.
		expect(object!.metadata).toMatchObject({
			provider: kit.id,
			'instance-id': small.instance.instanceId,
			'backup-id': small.backupId,
		});
		expect(object!.contentType).toBe('application/octet-stream');
		// The bucket's secret is nowhere in what n8n keeps of the run.
		expect(runText(result)).not.toContain(BUCKET_KEYS.secretAccessKey);
	});

	it('a file larger than the part size goes up as a multipart upload, one part at a time, the object equal to the file', async () => {
		const [file] = large.files;
		const result = await runCopy(kit, emulator, s3, copyParams(kit, large));
		expect(result.status).toBe('success');
		const [item] = result.output(NODE_NAME);
		const object = s3.object(BUCKET, defaultKey(large));
		expect(sha256(object!.bytes)).toBe(sha256(file.bytes));
		expect(actions(s3)).toEqual([
			'CreateMultipartUpload',
			'UploadPart',
			'UploadPart',
			'UploadPart',
			'CompleteMultipartUpload',
		]);
		expect(s3.requests.filter((r) => r.action === 'UploadPart').map((r) => r.bodyBytes)).toEqual([
			5 * MIB,
			5 * MIB,
			MIB,
		]);
		expect(s3.maxInFlight).toBe(1);
		expect(item.json).toMatchObject({
			size: LARGE,
			parts: 3,
			multipart: true,
			checksumVerified: true,
		});
		expect(String(item.json.etag)).toMatch(/^[0-9a-f]{32}-3$/);
		expect(item.json.etag).toBe(object!.etag);
	});

	it('a part the bucket fails (500 InternalError) is sent again, and the object is still exact', async () => {
		let failed = false;
		const fault: Fault = (request) => {
			if (request.action !== 'UploadPart' || request.partNumber !== 2 || failed) return undefined;
			failed = true;
			return { status: 500, code: 'InternalError' };
		};
		s3.fault = fault;
		const result = await runCopy(kit, emulator, s3, copyParams(kit, large));
		expect(result.status).toBe('success');
		expect(sha256(s3.object(BUCKET, defaultKey(large))!.bytes)).toBe(sha256(large.files[0].bytes));
		expect(
			s3.requests.filter((r) => r.action === 'UploadPart').map((r) => [r.partNumber, r.status]),
		).toEqual([
			[1, 200],
			[2, 500],
			[2, 200],
			[3, 200],
		]);
	});

	it('a download cut off mid-way is resumed with a Range request into the same upload', async () => {
		pushFault(kit, emulator, { kind: 'truncatedBody', action: download, afterBytes: 7 * MIB });
		const mark = markRequests(kit, emulator);
		const result = await runCopy(kit, emulator, s3, copyParams(kit, large));
		expect(result.status).toBe('success');
		const [item] = result.output(NODE_NAME);
		expect(sha256(s3.object(BUCKET, defaultKey(large))!.bytes)).toBe(sha256(large.files[0].bytes));
		const downloads = requestsSince(kit, emulator, mark, download);
		expect(downloads).toHaveLength(2);
		expect(downloads[0]).toMatchObject({ fault: 'truncatedBody', status: 200 });
		expect(downloads[1]).toMatchObject({ status: 206, range: `bytes=${downloads[0].bytesSent}-` });
		// One upload: the resumed bytes continued it.
		expect(actions(s3).filter((a) => a === 'CreateMultipartUpload')).toHaveLength(1);
		expect(actions(s3)).not.toContain('AbortMultipartUpload');
		expect(item.json).toMatchObject({ checksumVerified: true, downloadAttempts: 2 });
	});

	it('a file that fails its cloud checksum on every try is never stored: each upload is aborted before Complete', async () => {
		pushFault(kit, emulator, { kind: 'corruptBody', action: download, times: 10 });
		const result = await runCopy(kit, emulator, s3, copyParams(kit, large), {
			onError: 'continueErrorOutput',
		});
		expect(result.output(NODE_NAME, 0)).toHaveLength(0);
		const [failed] = result.output(NODE_NAME, 1);
		expect(errorKindOf(failed.error)).toBe('integrity');
		expect(String(failed.json.error)).toMatch(/checksum|CRC|ETag/i);
		expect(String(failed.json.error)).toMatch(/multipart upload was aborted, nothing was stored/);
		expect(s3.objects.size).toBe(0);
		expect(s3.uploads.size).toBe(0);
		const creates = actions(s3).filter((a) => a === 'CreateMultipartUpload').length;
		expect(creates).toBeGreaterThanOrEqual(2);
		expect(actions(s3).filter((a) => a === 'AbortMultipartUpload')).toHaveLength(creates);
		expect(actions(s3)).not.toContain('CompleteMultipartUpload');
	});

	it('Verify (on by default): the RDB is checked as it streams; the item says what was verified', async () => {
		const result = await runCopy(kit, emulator, s3, copyParams(kit, large));
		expect(result.status).toBe('success');
		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject({
			format: 'rdb',
			rdbVersion: expect.any(Number),
			rdbChecksumOk: true,
			cloudChecksumOk: true,
		});
		expect(String(item.json.verification)).toMatch(/CRC-64 [0-9a-f]{16} verified/);
	});

	it('a damaged RDB whose cloud checksum matches is never stored: the upload is aborted before Complete', async () => {
		const damaged = await kit.addStandardBackup(emulator, LARGE + 1);
		for (const fixture of damaged.files)
			kit.emulator.server(emulator).file(fixture.key).content = 'corrupt-rdb';
		const result = await runCopy(kit, emulator, s3, copyParams(kit, damaged), {
			onError: 'continueErrorOutput',
		});
		expect(result.output(NODE_NAME, 0)).toHaveLength(0);
		const [failed] = result.output(NODE_NAME, 1);
		expect(errorKindOf(failed.error)).toBe('integrity');
		expect(String(failed.json.error)).toMatch(/RDB|CRC-64/);
		expect(s3.objects.size).toBe(0);
		expect(actions(s3)).not.toContain('CompleteMultipartUpload');
		expect(actions(s3).filter((a) => a === 'AbortMultipartUpload')).toHaveLength(
			actions(s3).filter((a) => a === 'CreateMultipartUpload').length,
		);
	});

	it('a small file that fails its checksum is never sent at all (its single PutObject waits for the whole, verified file)', async () => {
		pushFault(kit, emulator, { kind: 'corruptBody', action: download, times: 10 });
		const result = await runCopy(kit, emulator, s3, copyParams(kit, small));
		expect(result.status).toBe('error');
		expect(errorKindOf(nodeErrorOf(result))).toBe('integrity');
		expect(nodeErrorOf(result).message).toMatch(/nothing was stored under/);
		expect(s3.requests).toHaveLength(0);
	});

	it('one corrupt pass is downloaded again from the start into a new upload; the first upload is aborted', async () => {
		pushFault(kit, emulator, { kind: 'corruptBody', action: download });
		const result = await runCopy(kit, emulator, s3, copyParams(kit, large));
		expect(result.status).toBe('success');
		expect(sha256(s3.object(BUCKET, defaultKey(large))!.bytes)).toBe(sha256(large.files[0].bytes));
		expect(actions(s3).filter((a) => a === 'CreateMultipartUpload')).toHaveLength(2);
		expect(actions(s3).filter((a) => a === 'AbortMultipartUpload')).toHaveLength(1);
		expect(s3.uploads.size).toBe(0);
	});

	it('a wrong bucket secret is an error naming the bucket credential, with bucket advice (not the cloud API’s)', async () => {
		const result = await runCopy(kit, emulator, s3, copyParams(kit, small), {
			bucket: { secretAccessKey: 'wrong' },
		});
		expect(result.status).toBe('error');
		const error: RecordedError = nodeErrorOf(result);
		expect(error.message).toMatch(/S3-Compatible Bucket credential/);
		expect(error.message).toMatch(/SignatureDoesNotMatch/);
		expect(errorKindOf(error)).toBe('auth');
		expect(error.description ?? '').toMatch(/S3-Compatible Bucket credential/);
		expect(error.description ?? '').not.toContain(kit.apiAdvice('auth'));
		expect(error.message).not.toContain('wrong');
		expect(runText(result)).not.toContain('"wrong"');
		expect(s3.objects.size).toBe(0);
		// Refused at once: an auth error is not retried.
		expect(s3.requests).toHaveLength(1);
	});

	it('a bucket that does not exist, an empty Endpoint: clear errors before or without storing anything', async () => {
		s3.fault = () => ({
			status: 404,
			code: 'NoSuchBucket',
			message: 'The specified bucket does not exist',
		});
		const missing = await runCopy(kit, emulator, s3, copyParams(kit, small));
		expect(nodeErrorOf(missing).message).toMatch(/NoSuchBucket/);
		expect(nodeErrorOf(missing).description ?? '').toMatch(/Bucket Name/);
		s3.fault = undefined;
		s3.requests.length = 0;
		const noEndpoint = await runCopy(kit, emulator, s3, copyParams(kit, small), {
			bucket: { endpoint: '' },
		});
		expect(nodeErrorOf(noEndpoint).message).toMatch(
			/Endpoint of the S3-Compatible Bucket credential is empty/,
		);
		expect(s3.requests).toHaveLength(0);
	});

	it('Object Key takes placeholders and expressions; an unknown placeholder is refused before anything is sent', async () => {
		const mark = markRequests(kit, emulator);
		const result = await runCopy(
			kit,
			emulator,
			s3,
			copyParams(kit, small, {
				objectKey: '={{ "nightly/" + "{date}" }}/{instanceId}-{fileIndex}-{fileName}',
			}),
		);
		expect(result.status).toBe('success');
		const [item] = result.output(NODE_NAME);
		expect(item.json.key).toMatch(
			new RegExp(`^nightly/\\d{4}-\\d{2}-\\d{2}/${small.instance.instanceId}-0-`),
		);
		expect(s3.object(BUCKET, String(item.json.key))).toBeDefined();
		s3.requests.length = 0;
		const bad = await runCopy(
			kit,
			emulator,
			s3,
			copyParams(kit, small, { objectKey: '{instance}/{fileName}' }),
		);
		expect(nodeErrorOf(bad).message).toMatch(/unknown placeholder \{instance\}/);
		expect(s3.requests).toHaveLength(0);
		expect(requestsSince(kit, emulator, mark, download)).toHaveLength(1);
	});

	it('cancelling mid-copy stops at once, and nothing appears under the key', async () => {
		// 16 KiB every 5 ms: the copy takes seconds, the first part is sent after about 1.6 s.
		pushFault(kit, emulator, { kind: 'slowBody', action: download, delayMs: 5 });
		const controller = new AbortController();
		const started = Date.now();
		const run = runCopy(kit, emulator, s3, copyParams(kit, large), { signal: controller.signal });
		await waitUntil(
			() => s3.requests.some((r) => r.action === 'UploadPart'),
			'the first part is sent',
		);
		controller.abort();
		const result = await run;
		expect(result.status).toBe('canceled');
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(s3.objects.size).toBe(0);
		expect(actions(s3)).not.toContain('CompleteMultipartUpload');
		// n8n gives every authenticated request the execution's cancel signal, so the abort cannot be sent: the
		// upload's parts stay, invisible under no key, until a lifecycle rule removes them (README).
	});

	const clusterIt = kit.instances.cluster ? it : it.skip;

	clusterIt('a cluster backup: one object per shard file, each exact', async () => {
		const cluster = await kit.addClusterBackup!(emulator, [40 * 1024, 6 * MIB, 24 * 1024]);
		const result = await runCopy(kit, emulator, s3, copyParams(kit, cluster));
		expect(result.status).toBe('success');
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(3);
		items.forEach((item, index) => {
			const key = defaultKey(cluster, index);
			expect(item.json).toMatchObject({
				key,
				fileIndex: index,
				fileCount: 3,
				checksumVerified: true,
			});
			expect(sha256(s3.object(BUCKET, key)!.bytes)).toBe(sha256(cluster.files[index].bytes));
		});
		expect(items.map((item) => item.json.multipart)).toEqual([false, true, false]);
	});

	clusterIt(
		'a cluster backup with an Object Key that would give every shard the same key is refused before any copy',
		async () => {
			const cluster = await kit.addClusterBackup!(emulator, [20 * 1024, 20 * 1024]);
			const mark = markRequests(kit, emulator);
			const result = await runCopy(
				kit,
				emulator,
				s3,
				copyParams(kit, cluster, { objectKey: 'latest/{backupId}.rdb' }),
			);
			expect(nodeErrorOf(result).message).toMatch(/same key/);
			expect(s3.requests).toHaveLength(0);
			expect(requestsSince(kit, emulator, mark, download)).toHaveLength(0);
		},
	);
});
