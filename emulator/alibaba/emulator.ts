import { createHash, createHmac, randomBytes } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import type { Readable } from 'stream';

import { SkewedClock, systemClock, type Clock } from '../common/clock';
import { DownloadExchange, type ObjectStoreDialect } from '../common/downloads';
import { DOWNLOAD_ACTION, type FaultSpec } from '../common/faults';
import { Crc64Cache, fileSha256Hex, fileStream, type EmulatedFile } from '../common/files';
import {
	DEFAULT_PROVIDER_SETTINGS,
	newRequestId,
	ProviderServer,
	readBody,
	receivedAt,
	sleep,
	untilClosed,
	type ProviderSettings,
	type RequestLogEntry,
} from '../common/server';
import { ACTIONS } from './api';
import { AlibabaError, catalogueError, Errors, errorBody } from './errors';
import { authenticate, NonceStore, type AlibabaAccount } from './signature';
import {
	AlibabaStore,
	type AddBackupInput,
	type AddClusterBackupSetInput,
	type AddInstanceInput,
	type BackupRecord,
	type ClusterBackupRecord,
	type InstanceRecord,
	type ShardBackupRecord,
	type StartTaskInput,
	type TaskOutcome,
	type TaskRecord,
} from './store';

/** Tests may change any of these at runtime (emulator.alibaba.settings.x = ...); ProviderSettings adds
 * clockSkewMs and rangeRequests. */
export interface AlibabaSettings extends ProviderSettings {
	/** Time each task state lasts (NoStart -> ... -> Finished takes 5 steps). */
	taskStepMs: number;
	/** On cluster instances, how much later each data node's part of a job runs than the previous node's: the job
	 * has one DescribeBackupTasks row per node, and they need not finish together. 0 = all in step. */
	clusterShardLagMs: number;
	/** How long a finished task stays listed by DescribeBackupTasks. */
	finishedTaskVisibleMs: number;
	/** Validity of the presigned download URLs handed out. */
	urlTtlMs: number;
	/** Files up to this size get x-oss-hash-crc64ecma computed on first download (cached); bigger ones only after
	 * fileCrc64() was awaited, so a multi-GiB benchmark file never stalls its first request. */
	crc64MaxBytes: number;
	/** Clock that x-acs-date / Timestamp are checked against. 'system' lets a test move the emulator clock by hours
	 * (URL expiry, old backups) while real SDK-signed calls, stamped with the real time, still pass. Either way
	 * clockSkewMs applies: a cloud clock more than 15 minutes off the caller's refuses its signatures, as Alibaba's
	 * does (InvalidTimeStamp.Expired). */
	signatureTimeSource: 'emulator' | 'system';
}

export interface AlibabaEmulatorOptions {
	clock?: Clock;
	accounts?: AlibabaAccount[];
	seed?: boolean;
	settings?: Partial<AlibabaSettings>;
}

export const DEFAULT_ALIBABA_ACCOUNT: AlibabaAccount = {
	accessKeyId: 'emulator-ak',
	accessKeySecret: 'emulator-secret',
};

/** The emulated OSS signs its URLs with its own key, so a tampered URL is refused like a real one. */
const OSS_ACCESS_KEY_ID = 'emulator-oss-ak';
const OSS_SECRET = 'emulator-oss-secret';

const ACTION_NAMES: ReadonlySet<string> = new Set(Object.keys(ACTIONS));

/** A file reference: a standard BackupId (number), a shard BackupId, an object key or a file name. */
export type FileRef = number | string;

export class AlibabaEmulator extends ProviderServer {
	readonly store: AlibabaStore;
	readonly settings: AlibabaSettings;
	/** Outcomes for the next CreateBackup calls (default 'success'): push 'fail' or 'vanish' to break one. */
	readonly nextTaskOutcomes: TaskOutcome[] = [];
	/** The cloud's clock: the clock given to the constructor plus settings.clockSkewMs. */
	readonly clock: SkewedClock;
	private readonly accounts: Map<string, AlibabaAccount>;
	private readonly nonces = new NonceStore();
	private readonly crc = new Crc64Cache();

	constructor(opts: AlibabaEmulatorOptions = {}) {
		super('alibaba');
		this.settings = {
			...DEFAULT_PROVIDER_SETTINGS,
			taskStepMs: 10000,
			clusterShardLagMs: 0,
			finishedTaskVisibleMs: 60000,
			urlTtlMs: 3600000,
			crc64MaxBytes: 512 * 1048576,
			signatureTimeSource: 'emulator',
			...opts.settings,
		};
		this.clock = new SkewedClock(opts.clock ?? systemClock, () => this.settings.clockSkewMs);
		this.accounts = new Map((opts.accounts ?? [DEFAULT_ALIBABA_ACCOUNT]).map((a) => [a.accessKeyId, a]));
		this.store = new AlibabaStore(this.clock, this.settings);
		if (opts.seed ?? true) this.store.seedDemo();
	}

	addAccount(account: AlibabaAccount): void {
		this.accounts.set(account.accessKeyId, account);
	}

	addInstance(input: AddInstanceInput): InstanceRecord {
		return this.store.addInstance(input);
	}

	addBackup(input: AddBackupInput): BackupRecord {
		return this.store.addBackup(input);
	}

	addClusterBackupSet(input: AddClusterBackupSetInput): ClusterBackupRecord {
		return this.store.addClusterBackupSet(input);
	}

	/** Make one shard of a cluster backup set failed (ERROR) while the set stays OK, as Alibaba sometimes reports;
	 * see AlibabaStore.failShard. */
	failClusterShard(clusterBackupId: string, shard: number, opts: { keepFile?: boolean } = {}): ShardBackupRecord {
		return this.store.failShard(clusterBackupId, shard, opts);
	}

	/** Delete a backup (a standard BackupId, or a ClusterBackupId): no longer listed, files gone. Alibaba has no
	 * expired state (an expired backup is deleted), so there is no expireBackup here; see AlibabaStore.deleteBackup. */
	deleteBackup(backupId: number | string): BackupRecord | ClusterBackupRecord {
		this.store.sync();
		return this.store.deleteBackup(backupId);
	}

	/** Start a backup task as CreateBackup would (mode 'Automated' simulates a scheduled backup). */
	startBackupTask(input: StartTaskInput): TaskRecord {
		return this.store.startTask(input);
	}

	file(ref: FileRef): EmulatedFile {
		this.store.sync();
		const found =
			typeof ref === 'number'
				? this.store.backups.find((b) => b.backupId === ref)?.file
				: (this.store.files.get(ref) ??
					[...this.store.files.values()].find((f) => f.name === ref) ??
					this.store.clusterSets.flatMap((s) => s.shards).find((s) => s.backupId === ref)?.file);
		if (!found) throw new Error(`no downloadable file for ${String(ref)}`);
		return found;
	}

	/** The exact bytes a download of this file must deliver (optionally a byte range, end inclusive). */
	fileStream(ref: FileRef, start?: number, end?: number): Readable {
		return fileStream(this.file(ref), start, end);
	}

	fileSha256(ref: FileRef): Promise<string> {
		return fileSha256Hex(this.file(ref));
	}

	/** CRC64 (decimal) as sent in x-oss-hash-crc64ecma; computing it also makes big files send the header. */
	fileCrc64(ref: FileRef): Promise<string> {
		return this.crc.compute(this.file(ref));
	}

	/** Presigned URLs like the ones the API returns, valid for settings.urlTtlMs from now. */
	downloadUrls(file: EmulatedFile, baseUrl = this.endpoint): { public: string; internal: string } {
		const expires = Math.floor((this.clock.now() + this.settings.urlTtlMs) / 1000);
		const query = `?Expires=${expires}&OSSAccessKeyId=${OSS_ACCESS_KEY_ID}&Signature=${encodeURIComponent(
			ossSignature(file.key, expires),
		)}`;
		return { public: `${baseUrl}/oss/${file.key}${query}`, internal: `${baseUrl}/oss-internal/${file.key}${query}` };
	}

	protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://emulator');
		if (/^\/oss(-internal)?\//.test(url.pathname)) return this.handleDownload(req, res, url);
		return this.handleApi(req, res, url);
	}

	private async handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
		const requestId = newRequestId();
		const body = await readBody(req);
		const query = Object.fromEntries(url.searchParams);
		const params = { ...query };
		if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
			Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
		}
		const header = req.headers['x-acs-action'];
		const claimedAction = (Array.isArray(header) ? header[0] : header) ?? params.Action ?? '';
		const entry = {
			receivedAtMs: receivedAt(req),
			method: req.method ?? 'GET',
			path: url.pathname,
			action: claimedAction,
			query: params,
			headers: req.headers,
		};

		const fault = this.faults.take(claimedAction);
		if (fault?.delayMs) await sleep(fault.delayMs);
		if (fault?.kind === 'reset') {
			this.log({ ...entry, status: 0, fault: fault.kind });
			if (fault.rst) req.socket.resetAndDestroy();
			else req.socket.destroy();
			return;
		}
		if (fault?.kind === 'silent') {
			// Request read, no answer ever: the client's timeout must end it (close() of the emulator does too).
			this.log({ ...entry, status: 0, fault: fault.kind });
			await untilClosed(res);
			return;
		}
		let status = 200;
		let payload: Record<string, unknown> = { RequestId: requestId };
		let code: string | undefined;
		let failure: unknown = fault && apiFaultError(fault);
		if (!failure) {
			try {
				const auth = authenticate(
					{ method: req.method ?? 'GET', pathname: url.pathname, query, params, headers: req.headers, body },
					this.accounts,
					ACTION_NAMES,
					this.signatureNow(),
					this.nonces,
				);
				if (fault?.kind === 'answer') {
					// A correctly signed call gets the test's answer verbatim; the action itself does not run.
					this.answerVerbatim(res, requestId, fault, { ...entry, action: auth.action });
					return;
				}
				this.store.sync();
				const baseUrl = req.headers.host ? `http://${req.headers.host}` : this.endpoint;
				Object.assign(
					payload,
					ACTIONS[auth.action]({
						store: this.store,
						now: this.clock.now(),
						params,
						urls: (file) => this.downloadUrls(file, baseUrl),
						finishedTaskVisibleMs: this.settings.finishedTaskVisibleMs,
						takeTaskOutcome: () => this.nextTaskOutcomes.shift() ?? 'success',
					}),
				);
			} catch (err) {
				failure = err;
			}
		}
		if (failure) {
			// Anything but an API error is an emulator bug: let it surface as a 500 with the stack.
			if (!(failure instanceof AlibabaError)) throw failure;
			status = failure.status;
			code = failure.code;
			payload = errorBody(failure, requestId);
		}
		let text = JSON.stringify(payload);
		// A body cut mid-way, as a broken proxy or a dropped connection behind a gateway would deliver it.
		if (fault?.kind === 'malformedJson') text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
		res.writeHead(status, {
			'Content-Type': 'application/json;charset=utf-8',
			'Content-Length': Buffer.byteLength(text),
			'x-acs-request-id': requestId,
		});
		res.end(text);
		this.log({ ...entry, status, code, fault: fault?.kind });
	}

	/** The instant signatures are judged by: the cloud clock, or the host clock plus the same skew ('system'). */
	private signatureNow(): number {
		return this.settings.signatureTimeSource === 'system' ? Date.now() + this.settings.clockSkewMs : this.clock.now();
	}

	/** An 'answer' fault: the spec's body as JSON, whatever it holds (fuzzed provider answers). */
	private answerVerbatim(
		res: ServerResponse,
		requestId: string,
		fault: FaultSpec,
		entry: Omit<RequestLogEntry, 'status'>,
	): void {
		const text = JSON.stringify(fault.body === undefined ? {} : fault.body) ?? 'null';
		const status = fault.status ?? 200;
		res.writeHead(status, {
			'Content-Type': 'application/json;charset=utf-8',
			'Content-Length': Buffer.byteLength(text),
			'x-acs-request-id': requestId,
		});
		res.end(text);
		const claimed = (fault.body as { Code?: unknown } | null | undefined)?.Code;
		this.log({ ...entry, status, code: typeof claimed === 'string' ? claimed : undefined, fault: fault.kind });
	}

	private async handleDownload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
		const key = decodeURIComponent(url.pathname.replace(/^\/oss(-internal)?\//, ''));
		const exchange = new DownloadExchange(req, res, url, {
			fault: this.faults.take(DOWNLOAD_ACTION),
			requestId: randomBytes(12).toString('hex').toUpperCase(),
			key,
			dialect: OSS_DIALECT,
			log: (entry) => this.log(entry),
		});
		if (await exchange.beforeChecks()) return;
		const file = this.store.files.get(key);
		if (!file) return exchange.fail(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
		const expires = Number(url.searchParams.get('Expires'));
		const signature = url.searchParams.get('Signature');
		if (!signature || !Number.isInteger(expires)) {
			return exchange.fail(403, 'AccessDenied', 'You have no right to access this object because of bucket acl.');
		}
		if (signature !== ossSignature(key, expires)) {
			return exchange.fail(
				403,
				'SignatureDoesNotMatch',
				'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
			);
		}
		const nowMs = this.clock.now();
		if (exchange.fault?.kind === 'expiredUrl' || nowMs / 1000 > expires) {
			return exchange.fail(403, 'AccessDenied', 'Request has expired.', {
				Expires: new Date(expires * 1000).toISOString(),
				ServerTime: new Date(nowMs).toISOString(),
				EC: '0002-00000069',
			});
		}
		if (exchange.errorFault()) return;
		const crc64 = file.size <= this.settings.crc64MaxBytes ? await this.crc.compute(file) : this.crc.get(file);
		await exchange.serve(file, { crc64, ranges: this.settings.rangeRequests });
	}
}

/** How OSS names things in object answers and error documents. */
const OSS_DIALECT: ObjectStoreDialect = {
	requestIdHeader: 'x-oss-request-id',
	crc64Header: 'x-oss-hash-crc64ecma',
	objectHeaders: (file) => ({
		ETag: `"${createHash('md5').update(file.key).digest('hex').toUpperCase()}"`,
		'Last-Modified': new Date(file.lastModifiedMs).toUTCString(),
		Server: 'AliyunOSS',
		'x-oss-object-type': 'Normal',
		'x-oss-storage-class': 'Standard',
	}),
	errorXml: ({ code, message, requestId, key, extra }) =>
		`<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${message}</Message>\n` +
		`  <RequestId>${requestId}</RequestId>\n  <HostId>${key.split('/')[0]}.oss-emulator</HostId>\n` +
		Object.entries(extra)
			.map(([name, value]) => `  <${name}>${value}</${name}>\n`)
			.join('') +
		'</Error>\n',
	// OSS documents 429 QpsLimitExceeded; SlowDown is the S3-style 503 that COS sends and S3-compatible paths use.
	throttleError: (status) =>
		status === 503
			? { code: 'SlowDown', message: 'Please reduce your request rate.' }
			: { code: 'QpsLimitExceeded', message: 'Please reduce your request rate.' },
	invalidRange: { code: 'InvalidRange', message: 'The requested range cannot be satisfied' },
};

/** OSS V1 URL signature over the canonical GET of the object (the emulator is its only verifier). */
function ossSignature(key: string, expires: number): string {
	return createHmac('sha1', OSS_SECRET).update(`GET\n\n\n${expires}\n/${key}`).digest('base64');
}

function apiFaultError(fault: FaultSpec): AlibabaError | undefined {
	switch (fault.kind) {
		case 'throttle':
			return Errors.throttled();
		case 'serverError':
			return fault.status === 500 ? Errors.internalError() : Errors.serviceUnavailable();
		case 'error': {
			// A code from the catalogue brings its real status and message; the spec's own win.
			const known = fault.code === undefined ? undefined : catalogueError(fault.code);
			return new AlibabaError(
				fault.status ?? known?.status ?? 400,
				fault.code ?? 'InvalidParameter',
				fault.message ?? known?.message ?? 'Injected error from the emulator fault queue.',
			);
		}
		default:
			return undefined;
	}
}
