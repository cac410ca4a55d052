import { createHmac, randomBytes } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import type { Readable } from 'stream';

import { systemClock, type Clock } from '../common/clock';
import { DOWNLOAD_ACTION, type FaultSpec } from '../common/faults';
import { Crc64Cache, fileSha256Hex, fileStream, serveFile, type EmulatedFile } from '../common/files';
import { newRequestId, ProviderServer, readBody, sleep } from '../common/server';
import { ACTIONS } from './api';
import { AlibabaError, Errors, errorBody } from './errors';
import { authenticate, NonceStore, type AlibabaAccount } from './signature';
import {
	AlibabaStore,
	type AddBackupInput,
	type AddClusterBackupSetInput,
	type AddInstanceInput,
	type BackupRecord,
	type ClusterBackupRecord,
	type InstanceRecord,
	type StartTaskInput,
	type TaskOutcome,
	type TaskRecord,
} from './store';

export interface AlibabaSettings {
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
	 * (URL expiry, old backups) while real SDK-signed calls, stamped with the real time, still pass. */
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
	readonly clock: Clock;
	private readonly accounts: Map<string, AlibabaAccount>;
	private readonly nonces = new NonceStore();
	private readonly crc = new Crc64Cache();

	constructor(opts: AlibabaEmulatorOptions = {}) {
		super('alibaba');
		this.clock = opts.clock ?? systemClock;
		this.settings = {
			taskStepMs: 10000,
			clusterShardLagMs: 0,
			finishedTaskVisibleMs: 60000,
			urlTtlMs: 3600000,
			crc64MaxBytes: 512 * 1048576,
			signatureTimeSource: 'emulator',
			...opts.settings,
		};
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
		const entry = { method: req.method ?? 'GET', path: url.pathname, action: claimedAction, query: params, headers: req.headers };

		const fault = this.faults.take(claimedAction);
		if (fault?.delayMs) await sleep(fault.delayMs);
		if (fault?.kind === 'reset') {
			this.log({ ...entry, status: 0, fault: fault.kind });
			req.socket.destroy();
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
					this.settings.signatureTimeSource === 'system' ? Date.now() : this.clock.now(),
					this.nonces,
				);
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

	private async handleDownload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
		const requestId = randomBytes(12).toString('hex').toUpperCase();
		const key = decodeURIComponent(url.pathname.replace(/^\/oss(-internal)?\//, ''));
		const entry = {
			method: req.method ?? 'GET',
			path: url.pathname,
			action: DOWNLOAD_ACTION,
			query: Object.fromEntries(url.searchParams),
			headers: req.headers,
		};
		const fault = this.faults.take(DOWNLOAD_ACTION);
		if (fault?.delayMs && fault.kind !== 'slowBody') await sleep(fault.delayMs);
		if (fault?.kind === 'reset') {
			this.log({ ...entry, status: 0, fault: fault.kind });
			req.socket.destroy();
			return;
		}
		const fail = (status: number, code: string, message: string, extra = '') => {
			const xml =
				`<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${message}</Message>\n` +
				`  <RequestId>${requestId}</RequestId>\n  <HostId>${key.split('/')[0]}.oss-emulator</HostId>\n${extra}</Error>\n`;
			res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(xml), 'x-oss-request-id': requestId });
			res.end(req.method === 'HEAD' ? undefined : xml);
			this.log({ ...entry, status, code, fault: fault?.kind });
		};
		const file = this.store.files.get(key);
		if (!file) return fail(404, 'NoSuchKey', 'The specified key does not exist.', `  <Key>${key}</Key>\n`);
		const expires = Number(url.searchParams.get('Expires'));
		const signature = url.searchParams.get('Signature');
		if (!signature || !Number.isInteger(expires)) {
			return fail(403, 'AccessDenied', 'You have no right to access this object because of bucket acl.');
		}
		if (signature !== ossSignature(key, expires)) {
			return fail(
				403,
				'SignatureDoesNotMatch',
				'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
			);
		}
		const nowMs = this.clock.now();
		if (fault?.kind === 'expiredUrl' || nowMs / 1000 > expires) {
			return fail(
				403,
				'AccessDenied',
				'Request has expired.',
				`  <Expires>${new Date(expires * 1000).toISOString()}</Expires>\n  <ServerTime>${new Date(nowMs).toISOString()}</ServerTime>\n  <EC>0002-00000069</EC>\n`,
			);
		}
		if (fault?.kind === 'error' || fault?.kind === 'serverError') {
			const status = fault.status ?? 503;
			return fail(status, fault.code ?? (status >= 500 ? 'InternalError' : 'AccessDenied'), fault.message ?? 'Please try again.');
		}
		const crc64 = file.size <= this.settings.crc64MaxBytes ? await this.crc.compute(file) : this.crc.get(file);
		this.log({ ...entry, status: req.headers.range ? 206 : 200, fault: fault?.kind });
		await serveFile(req, res, file, {
			crc64,
			requestId,
			truncateAfter: fault?.kind === 'truncatedBody' ? (fault.afterBytes ?? Math.floor(file.size / 2)) : undefined,
			slowDelayMs: fault?.kind === 'slowBody' ? (fault.delayMs ?? 50) : undefined,
		});
	}
}

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
		case 'error':
			return new AlibabaError(
				fault.status ?? 400,
				fault.code ?? 'InvalidParameter',
				fault.message ?? 'Injected error from the emulator fault queue.',
			);
		default:
			return undefined;
	}
}
