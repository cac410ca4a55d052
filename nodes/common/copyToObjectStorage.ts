/**
 * Backup → Copy to Object Storage, for any cloud: each file of a backup (one per shard for a cluster backup) streams
 * from the cloud's presigned URL straight into an S3-compatible bucket, one object per file, with nothing passing
 * through n8n's binary store.
 *
 * The download side is download.ts's engine (`streamToSink`): the same requests, retries, Range resumes, idle and
 * request timeouts and checks (length, the storage's checksum computed while the bytes stream), and downloadFiles.ts's
 * per-file rules (`eachBackupFile`: only a complete, succeeded backup; URLs refreshed before they expire). Its body
 * is the source of s3/multipart.ts's `uploadStream`: one part (16 MiB by default) in memory at a time, each part
 * retried, the multipart upload aborted on any failure. Every check
 * of the download throws from the body before it ends, so a file that fails one (a CRC-64 mismatch, a short file)
 * fails the upload BEFORE CompleteMultipartUpload (or before the single PutObject of a small file): nothing ever
 * appears under the key. Where the download starts over (a corrupt pass, a server that ignores Range), the upload
 * starts over too.
 *
 * S3 requests go through n8n's `httpRequestWithAuthentication` with the bucket credential (s3/bucket.ts signs them in
 * its `authenticate`); the node reads only the credential's Endpoint, Region and addressing style. n8n gives every
 * such request the execution's cancel signal, so after a cancel the AbortMultipartUpload cannot be sent: the upload's
 * parts then stay, invisible, until a lifecycle rule (AbortIncompleteMultipartUpload) removes them.
 */
import {
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type INodeExecutionData,
	type INodeProperties,
	sleep,
} from 'n8n-workflow';

import { lookupBackup } from './backups';
import { credentialConfigErrorOf } from './credentials';
import { streamToSink, type Sink } from './download';
import { checkDownloadable, eachBackupFile } from './downloadFiles';
import { CloudApiError, type CloudErrorKind } from './errors';
import { booleanOf, InputError, numberOf, requireOneOf, requireText, textOf } from './input';
import { type Backup, safeFileName } from './model';
import { fileItem, type CloudNode, verificationFields } from './operations';
import {
	DEFAULT_IDLE_TIMEOUT_SECONDS,
	optionsCollection,
	optionsOf,
	requestTimeoutMsOf,
	requestTimeoutOption,
	searchDaysOf,
	type Show,
	type StreamSettings,
	verifyOption,
} from './parameters';
import {
	S3_BUCKET_CREDENTIAL_LABEL,
	S3_BUCKET_CREDENTIAL_TYPE,
	s3AddressingStyle,
	s3BucketSettings,
} from './s3/bucket';
import {
	DEFAULT_PART_SIZE,
	MAX_PART_SIZE,
	MIB,
	MIN_PART_SIZE,
	S3_PROVIDER,
	S3UploadError,
	uploadStream,
	type MultipartUploadInput,
	type MultipartUploadResult,
	type S3Bucket,
	type S3HttpResponse,
	type S3Send,
} from './s3/multipart';
import { s3Target, SigV4InputError } from './s3/sigv4';

export const COPY_OPERATION = 'copyToObjectStorage';

/** The object key of each file unless the user sets another; placeholders are filled per file. */
export const DEFAULT_OBJECT_KEY = '{provider}/{instanceId}/{backupId}/{fileName}';

/**
 * How long a request to the bucket may take to get its answer's headers, beyond the time its body takes at
 * S3_SLOWEST_UPLOAD_BYTES_PER_SECOND; then it is given up (and retried). n8n's HTTP client (axios) counts its timeout
 * from the start of the request to the answer's headers (a wall clock while the body is being sent), then as socket
 * inactivity, so a part's timeout grows with its size.
 */
export const S3_ANSWER_TIMEOUT_MS = 120_000;
/** The slowest upload a part is given time for: 16 MiB gets 128 s on top of S3_ANSWER_TIMEOUT_MS. */
export const S3_SLOWEST_UPLOAD_BYTES_PER_SECOND = 128 * 1024;

const KEY_PLACEHOLDERS = [
	'provider',
	'region',
	'instanceId',
	'backupId',
	'fileName',
	'fileIndex',
	'date',
] as const;
type KeyPlaceholder = (typeof KEY_PLACEHOLDERS)[number];

// ---- Parameters ------------------------------------------------------------------------------------------------

/** The operation's parameters below Backup ID; `extraOptions` are the cloud's own (Search Back, API, ...). */
export function copyToObjectStorageProperties(
	show: Show,
	extraOptions: INodeProperties[],
): INodeProperties[] {
	return [
		{
			displayName: 'URL Type',
			name: 'urlType',
			type: 'options',
			default: 'public',
			displayOptions: { show },
			options: [
				{
					name: 'Public',
					value: 'public',
					description: 'Works from anywhere with internet access',
				},
				{
					name: 'Internal',
					value: 'internal',
					description:
						"Only from a server in the cloud's same region and network; no internet traffic fees",
				},
			],
		},
		{
			displayName: 'Bucket Name',
			name: 'bucket',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'redis-backups',
			displayOptions: { show },
			description:
				'The bucket to copy into, at the Endpoint of the S3-Compatible Bucket credential',
		},
		{
			displayName: 'Object Key',
			name: 'objectKey',
			type: 'string',
			default: DEFAULT_OBJECT_KEY,
			required: true,
			displayOptions: { show },
			description:
				"The key of each file's object. Filled in per file: {provider}, {region}, {instanceId}, {backupId}, {fileName}, {fileIndex} (0, 1, ... for the shards of a cluster backup) and {date} (the backup's start, YYYY-MM-DD, UTC). A backup with several files needs {fileName} or {fileIndex}. An existing object under the key is replaced.",
		},
		optionsCollection(show, [
			...extraOptions,
			{
				displayName: 'Add Backup Metadata',
				name: 'backupMetadata',
				type: 'boolean',
				default: true,
				description:
					'Whether to store the provider, instance, backup ID and start time with each object (x-amz-meta-* headers)',
			},
			{
				displayName: 'Content Type',
				name: 'contentType',
				type: 'string',
				default: 'application/octet-stream',
				description: 'Stored as the Content-Type of each object',
			},
			{
				displayName: 'Idle Timeout (Seconds)',
				name: 'idleTimeoutSeconds',
				type: 'number',
				default: DEFAULT_IDLE_TIMEOUT_SECONDS,
				typeOptions: { minValue: 1 },
				description:
					'Give up on the download from the cloud (and resume it, where retries are left) when no byte arrives for this long',
			},
			{
				displayName: 'Part Size (MiB)',
				name: 'partSizeMiB',
				type: 'number',
				default: 16,
				typeOptions: { minValue: 5, maxValue: 5120 },
				description:
					'Bytes per part of the multipart upload, 5 to 5120 MiB: about the memory one copy uses. A file that fits in one part is stored with one PutObject. Raised for files larger than 10,000 parts.',
			},
			requestTimeoutOption,
			{
				displayName: 'Storage Class',
				name: 'storageClass',
				type: 'string',
				default: '',
				placeholder: 'STANDARD_IA',
				description:
					"Sent as x-amz-storage-class (e.g. STANDARD_IA, GLACIER_IR, INTELLIGENT_TIERING, or the store's own class names). Empty: the bucket's default.",
			},
			// A file that fails the RDB check fails its part before CompleteMultipartUpload: the object never appears.
			verifyOption,
		]),
	];
}

export interface CopySettings extends StreamSettings {
	bucket: string;
	objectKey: string;
	partSize: number;
	contentType: string;
	storageClass: string | undefined;
	backupMetadata: boolean;
}

export function copySettingsOf(
	this: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
): CopySettings {
	const bucket = requireText(this.getNodeParameter('bucket', itemIndex, ''), 'Bucket Name');
	if (bucket.includes('/') || /\s/.test(bucket)) {
		throw new InputError(
			'Bucket Name',
			`Bucket Name "${bucket}" is not a bucket name (it holds a "/" or a space)`,
			'Give the bucket alone; the key goes into Object Key',
		);
	}
	const objectKey = textOf(
		this.getNodeParameter('objectKey', itemIndex, DEFAULT_OBJECT_KEY),
		'Object Key',
	);
	if (!objectKey)
		throw new InputError('Object Key', 'Object Key is empty', `For example: ${DEFAULT_OBJECT_KEY}`);
	const contentType = textOf(options.contentType, 'Content Type') || 'application/octet-stream';
	if (/[\r\n\0]/.test(contentType)) {
		throw new InputError('Content Type', 'Content Type holds a line break');
	}
	const storageClass = textOf(options.storageClass, 'Storage Class') || undefined;
	if (storageClass !== undefined && !/^[A-Za-z0-9_-]+$/.test(storageClass)) {
		throw new InputError(
			'Storage Class',
			`Storage Class "${storageClass}" is not a storage class name`,
			'For example: STANDARD_IA',
		);
	}
	return {
		urlType: requireOneOf(
			this.getNodeParameter('urlType', itemIndex, 'public'),
			['public', 'internal'] as const,
			'URL Type',
		),
		bucket,
		objectKey,
		partSize:
			numberOf(options.partSizeMiB, 'Part Size (MiB)', {
				min: MIN_PART_SIZE / MIB,
				max: MAX_PART_SIZE / MIB,
				integer: true,
				defaultValue: DEFAULT_PART_SIZE / MIB,
			}) * MIB,
		contentType,
		storageClass,
		backupMetadata: booleanOf(options.backupMetadata, 'Add Backup Metadata', true),
		idleTimeoutMs:
			numberOf(options.idleTimeoutSeconds, 'Idle Timeout (Seconds)', {
				min: 1,
				defaultValue: DEFAULT_IDLE_TIMEOUT_SECONDS,
			}) * 1000,
		requestTimeoutMs: requestTimeoutMsOf(options),
		verify: booleanOf(options.verify, 'Verify', true),
	};
}

// ---- Object keys -----------------------------------------------------------------------------------------------

/** Whether the key template gives each file of a multi-file backup its own key. */
function keyIsPerFile(template: string): boolean {
	return template.includes('{fileName}') || template.includes('{fileIndex}');
}

/** Unknown `{word}` placeholders are an error (a typo would otherwise become part of every key). */
function checkKeyTemplate(template: string, fileCount: number): void {
	for (const match of template.matchAll(/\{([A-Za-z]+)\}/g)) {
		if (!(KEY_PLACEHOLDERS as readonly string[]).includes(match[1])) {
			throw new InputError(
				'Object Key',
				`Object Key has an unknown placeholder {${match[1]}}`,
				`Use ${KEY_PLACEHOLDERS.map((name) => `{${name}}`).join(', ')}`,
			);
		}
	}
	if (fileCount > 1 && !keyIsPerFile(template)) {
		throw new InputError(
			'Object Key',
			`Object Key "${template}" would give the ${fileCount} files of this backup the same key`,
			'Put {fileName} or {fileIndex} into Object Key',
		);
	}
}

/** The key of one file: the template with its placeholders filled in, leading slashes removed. */
export function objectKeyFor(
	template: string,
	backup: Backup,
	fileName: string,
	index: number,
): string {
	const values: Record<KeyPlaceholder, string> = {
		provider: backup.provider,
		region: backup.region ?? 'unknown-region',
		instanceId: backup.instanceId,
		backupId: backup.backupId,
		fileName,
		fileIndex: String(index),
		date: backup.startedAt ? backup.startedAt.slice(0, 10) : 'undated',
	};
	const key = template
		.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) =>
			Object.prototype.hasOwnProperty.call(values, name) ? values[name as KeyPlaceholder] : whole,
		)
		.replace(/^\/+/, '');
	if (!key) throw new InputError('Object Key', 'Object Key is empty once filled in');
	return key;
}

// ---- The bucket ------------------------------------------------------------------------------------------------

/** Advice for the bucket's errors: about the bucket credential and the store, never the cloud's API credential. */
const BUCKET_HINTS: Partial<Record<CloudErrorKind, string>> = {
	auth: `Check the ${S3_BUCKET_CREDENTIAL_LABEL} credential (Access Key ID, Secret Access Key, Session Token, Region) and that its key may write to this bucket (s3:PutObject, s3:AbortMultipartUpload).`,
	notFound: `The bucket does not exist at the Endpoint of the ${S3_BUCKET_CREDENTIAL_LABEL} credential: check the Bucket Name, the Endpoint and Region, and Force Path Style.`,
	throttled:
		"The bucket's store is limiting requests; the node retried with backoff. Copy fewer files at once, or later.",
	server: "The bucket's store failed (the node retried); try again later.",
	network: `The connection to the bucket's store failed or stalled (the node retried); check the network between n8n and the Endpoint of the ${S3_BUCKET_CREDENTIAL_LABEL} credential.`,
	malformed: `The Endpoint of the ${S3_BUCKET_CREDENTIAL_LABEL} credential did not answer like an S3 API: check it, and any proxy in between.`,
	client: "The bucket's store refused the request; see the message.",
};

function cancelledError(): CloudApiError {
	return new CloudApiError('The execution was cancelled', {
		provider: S3_PROVIDER,
		kind: 'cancelled',
	});
}

/** A failure of the bucket (or of the bucket credential) in the user's terms, naming the credential where it is its fault. */
function bucketError(error: unknown, where: string): CloudApiError {
	const config = credentialConfigErrorOf(error);
	if (config) {
		return new CloudApiError(config.message, {
			provider: S3_PROVIDER,
			kind: 'client',
			action: 'upload',
			hint: `Fix the ${S3_BUCKET_CREDENTIAL_LABEL} credential; nothing was sent to the bucket.`,
		});
	}
	if (error instanceof SigV4InputError) {
		return new CloudApiError(`Cannot copy to ${where}: ${error.message}`, {
			provider: S3_PROVIDER,
			kind: 'client',
			action: 'upload',
		});
	}
	if (!(error instanceof CloudApiError)) {
		return new CloudApiError(
			`Copying to ${where} failed: ${error instanceof Error ? error.message : String(error)}`,
			{ provider: S3_PROVIDER, kind: 'network', action: 'upload', hint: BUCKET_HINTS.network },
		);
	}
	if (error.details.provider !== S3_PROVIDER || error.kind === 'cancelled') return error;
	const message =
		error.kind === 'auth'
			? `The bucket refused the ${S3_BUCKET_CREDENTIAL_LABEL} credential while copying to ${where}: ${error.message}`
			: `Copying to ${where} failed: ${error.message}`;
	// The store's own advice for its code (multipart.ts), then the bucket credential's: never the cloud API's.
	const hint = [error.details.hint?.replace(/\.?$/, '.'), BUCKET_HINTS[error.kind]]
		.filter(Boolean)
		.join(' ');
	return new CloudApiError(message, { ...error.details, hint: hint || undefined });
}

/**
 * S3 requests through n8n's HTTP stack, signed by the bucket credential's `authenticate`: the whole answer whatever
 * its status (multipart.ts's transport contract), no redirect followed. A request the credential refuses to sign is
 * a `client` error (nothing was sent, nothing to retry).
 */
export function n8nS3Send(
	context: IExecuteFunctions,
	answerTimeoutMs = S3_ANSWER_TIMEOUT_MS,
): S3Send {
	return async (request) => {
		if (context.getExecutionCancelSignal()?.aborted) throw cancelledError();
		const bodyBytes =
			request.body === undefined
				? 0
				: typeof request.body === 'string'
					? Buffer.byteLength(request.body)
					: request.body.byteLength;
		const options: IHttpRequestOptions = {
			method: request.method,
			url: request.url,
			headers: { ...request.headers },
			encoding: 'arraybuffer',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: answerTimeoutMs + Math.ceil((bodyBytes / S3_SLOWEST_UPLOAD_BYTES_PER_SECOND) * 1000),
		};
		if (request.body !== undefined) {
			options.body =
				typeof request.body === 'string'
					? request.body
					: Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
		}
		let response: IN8nHttpFullResponse | undefined;
		let failure: unknown;
		try {
			response = (await context.helpers.httpRequestWithAuthentication.call(
				context,
				S3_BUCKET_CREDENTIAL_TYPE,
				options,
			)) as IN8nHttpFullResponse;
		} catch (error) {
			failure = error;
		}
		if (response === undefined) {
			if (context.getExecutionCancelSignal()?.aborted) throw cancelledError();
			const config = credentialConfigErrorOf(failure);
			if (config) throw bucketError(config, 'the bucket');
			throw failure;
		}
		return {
			statusCode: response.statusCode,
			headers: (response.headers ?? {}) as S3HttpResponse['headers'],
			body: response.body as Buffer | string | undefined,
		};
	};
}

/** The bucket as the credential describes it (keys left to its `authenticate`). */
async function bucketOf(context: IExecuteFunctions, bucket: string): Promise<S3Bucket> {
	const credentials = await context.getCredentials(S3_BUCKET_CREDENTIAL_TYPE);
	let settings: ReturnType<typeof s3BucketSettings> | undefined;
	let refused: unknown;
	try {
		settings = s3BucketSettings(credentials);
	} catch (error) {
		refused = error;
	}
	if (!settings) throw bucketError(refused, bucket);
	return {
		endpoint: settings.endpoint,
		bucket,
		region: settings.region,
		style: s3AddressingStyle(settings, bucket),
	};
}

/** Refuses, before anything is downloaded, a key S3 could not take or that would be sent differently than signed. */
function checkKey(bucket: S3Bucket, key: string): void {
	let problem: string | undefined;
	try {
		s3Target({ endpoint: bucket.endpoint, bucket: bucket.bucket, key, style: bucket.style });
	} catch (error) {
		problem = error instanceof Error ? error.message : String(error);
	}
	if (problem !== undefined) throw new InputError('Object Key', `Object Key "${key}": ${problem}`);
}

/** An S3 upload as a download sink: each pass of the download is one upload (a restarted pass, a new one). */
interface UploadSink extends Sink<MultipartUploadResult> {
	/** The last upload's failure, to say what became of it when the download's own error is the one reported. */
	lastUploadError?: S3UploadError;
}

function uploadSink(input: Omit<MultipartUploadInput, 'source'>, where: string): UploadSink {
	const sink: UploadSink = {
		async take(body) {
			sink.lastUploadError = undefined;
			let failure: unknown;
			const output = await uploadStream({ ...input, source: body }).catch((error: unknown) => {
				failure = error;
				return undefined;
			});
			if (output) return { output };
			if (failure instanceof S3UploadError) sink.lastUploadError = failure;
			throw failure;
		},
		failure: (error) => bucketError(error, where),
	};
	return sink;
}

/** The download's own error, completed with what became of the upload it fed (nothing is left under the key). */
function withUploadOutcome(error: unknown, sink: UploadSink, where: string): unknown {
	const upload = sink.lastUploadError;
	if (
		!(error instanceof CloudApiError) ||
		!upload ||
		error === upload ||
		error.kind === 'cancelled'
	)
		return error;
	if (error.details.provider === S3_PROVIDER) return error;
	const outcome = !upload.uploadId
		? `; nothing was stored under ${where}`
		: upload.aborted
			? `; the multipart upload was aborted, nothing was stored under ${where}`
			: `; aborting the multipart upload ${upload.uploadId} failed too, so its parts stay in the bucket, invisible, until a lifecycle rule (AbortIncompleteMultipartUpload) removes them; nothing was stored under ${where}`;
	return new CloudApiError(`${error.message.replace(/\.+$/, '')}${outcome}`, error.details);
}

// ---- The operation ---------------------------------------------------------------------------------------------

export async function copyToObjectStorageOperation(
	this: IExecuteFunctions,
	itemIndex: number,
	cloud: CloudNode,
): Promise<INodeExecutionData[]> {
	const options = optionsOf.call(this, itemIndex);
	const settings = copySettingsOf.call(this, itemIndex, options);
	const bucket = await bucketOf(this, settings.bucket);
	const instance = await cloud.instanceOf(this, itemIndex);
	const backupId = cloud.backupIdOf(this.getNodeParameter('backupId', itemIndex), instance);
	const searchDays = searchDaysOf(options, cloud.maxSearchDays, cloud.defaultSearchDays);
	const provider = cloud.provider(this, settings.requestTimeoutMs);
	const lookup = await lookupBackup(provider, instance, backupId, searchDays, cloud.pageSizes[0], {
		withFiles: true,
	});
	const { backup } = lookup;
	checkDownloadable(provider, backup);
	checkKeyTemplate(settings.objectKey, backup.files.length);
	const fileNames = backup.files.map((file, index) =>
		safeFileName(file.name, `${backup.instanceId}_${backup.backupId}_${index}.rdb`),
	);
	const keys = fileNames.map((name, index) =>
		objectKeyFor(settings.objectKey, backup, name, index),
	);
	for (const key of keys) checkKey(bucket, key);
	if (new Set(keys).size !== keys.length) {
		throw new InputError(
			'Object Key',
			`Object Key gives two files of backup ${backup.backupId} the same key`,
			'Put {fileIndex} into Object Key',
		);
	}

	const send = n8nS3Send(this);
	const signal = this.getExecutionCancelSignal();
	const copies = await eachBackupFile(
		provider,
		lookup,
		settings,
		async (request, { backup: current, index }) => {
			const key = keys[index];
			const where = `${bucket.bucket}/${key}`;
			const objectHeaders: Record<string, string> = {};
			if (settings.storageClass) objectHeaders['x-amz-storage-class'] = settings.storageClass;
			if (settings.backupMetadata) {
				objectHeaders['x-amz-meta-provider'] = current.provider;
				objectHeaders['x-amz-meta-instance-id'] = current.instanceId;
				objectHeaders['x-amz-meta-backup-id'] = current.backupId;
				if (current.startedAt) objectHeaders['x-amz-meta-backup-started-at'] = current.startedAt;
			}
			const sink = uploadSink(
				{
					bucket,
					key,
					send,
					sleep,
					signal,
					partSize: settings.partSize,
					expectedBytes: request.expectedBytes,
					contentType: settings.contentType,
					objectHeaders,
					onRetry: (error, attempt, delayMs) =>
						this.logger?.debug?.(
							`Copy to ${where}: ${error.details.action ?? 'a request'} failed (${error.message}); try ${attempt + 1} in ${delayMs} ms`,
						),
				},
				where,
			);
			let failure: unknown;
			const copied = await streamToSink(
				this,
				{ ...request, mimeType: settings.contentType },
				sink,
			).catch((error: unknown) => {
				failure = error;
				return undefined;
			});
			if (!copied) throw withUploadOutcome(failure, sink, where);
			return copied;
		},
	);
	return copies.map(({ backup: copiedBackup, file, index, result }) => {
		const object = result.output;
		const json: IDataObject = {
			...fileItem(copiedBackup, file, index),
			bucket: object.bucket,
			key: object.key,
			etag: object.etag,
			size: object.size,
			parts: object.parts,
			multipart: object.multipart,
			// The same checksum fields as Download: the cloud's checksum, computed while the bytes streamed.
			checksumAlgorithm: result.checksum.algorithm,
			checksumVerified: result.checksum.verified,
			checksum: result.checksum.actual,
			expectedChecksum: result.checksum.expected,
			downloadAttempts: result.attempts,
			durationMs: result.durationMs,
			...(settings.verify ? verificationFields(result) : {}),
		};
		if (object.versionId) json.versionId = object.versionId;
		return { json };
	});
}
