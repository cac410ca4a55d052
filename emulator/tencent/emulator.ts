import { createHash, createHmac, randomBytes, randomUUID } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import type { Readable } from 'stream';

import { SkewedClock, systemClock, type Clock } from '../common/clock';
import { DownloadExchange, type ObjectStoreDialect } from '../common/downloads';
import { DOWNLOAD_ACTION, type FaultSpec } from '../common/faults';
import { Crc64Cache, fileSha256Hex, fileStream, type EmulatedFile } from '../common/files';
import {
	DEFAULT_PROVIDER_SETTINGS,
	ProviderServer,
	readBody,
	receivedAt,
	sleep,
	untilClosed,
	type ProviderSettings,
	type RequestLogEntry,
} from '../common/server';
import { ACTIONS, backupUrlAnswer, flatten, Params, redisBackupSet, runAction, unflatten } from './api';
import {
	catalogueError,
	Errors,
	errorResponse,
	LegacyError,
	legacyErrorBody,
	LegacyErrors,
	legacyFaultError,
	TencentError,
} from './errors';
import { LEGACY_ACTIONS } from './legacy';
import {
	authenticateLegacy,
	authenticateTc3,
	LegacyNonceStore,
	type TencentAccount,
} from './signature';
import {
	TencentStore,
	type AddTencentBackupInput,
	type AddTencentInstanceInput,
	type StartTencentTaskInput,
	type TencentBackupRecord,
	type TencentInstanceRecord,
	type TencentShardRecord,
	type TencentTaskOutcome,
	type TencentTaskRecord,
} from './store';

/** Tests may change any of these at runtime (emulator.tencent.settings.x = ...); ProviderSettings adds clockSkewMs
 * and rangeRequests. */
export interface TencentSettings extends ProviderSettings {
	/** Time each task step lasts: preparing one step, running two, then succeed/failed/error. */
	taskStepMs: number;
	/** Validity of DescribeBackupUrl's URLs (6 hours, as documented). */
	urlTtlMs: number;
	/** Validity of the legacy GetBackupDownloadUrl's URLs (12 hours, as documented). */
	legacyUrlTtlMs: number;
	/** Files up to this size get x-cos-hash-crc64ecma computed on first download (cached); bigger ones only after
	 * fileCrc64() was awaited. */
	crc64MaxBytes: number;
	/** Clock that X-TC-Timestamp / Timestamp are judged by: 'system' lets a test move the emulator clock by hours while
	 * SDK-signed calls, stamped with the real time, still pass. clockSkewMs applies either way (±5 minutes). */
	signatureTimeSource: 'emulator' | 'system';
}

export interface TencentEmulatorOptions {
	clock?: Clock;
	accounts?: TencentAccount[];
	seed?: boolean;
	settings?: Partial<TencentSettings>;
}

/** A clearly fake key pair, in the shape of Tencent's documented EXAMPLE keys (SecretIds start with AKID and have
 * 36 characters, SecretKeys 32). */
export const DEFAULT_TENCENT_ACCOUNT: TencentAccount = {
	secretId: 'AKIDEMULATORFAKE0000000000000EXAMPLE',
	secretKey: 'emulatorFakeSecretKey0000EXAMPLE',
};

/** The emulated COS signs its URLs with its own key, so a tampered URL is refused like a real one. */
const COS_SECRET_ID = 'AKIDEMULATORCOSSIGNING0000000EXAMPLE';
const COS_SECRET_KEY = 'emulator-cos-secret';

const API_ACTIONS: ReadonlySet<string> = new Set(Object.keys(ACTIONS));
const LEGACY_ACTION_NAMES: ReadonlySet<string> = new Set(Object.keys(LEGACY_ACTIONS));
export const LEGACY_PATH = '/v2/index.php';

const hmacSha1Hex = (key: string, data: string) => createHmac('sha1', key).update(data, 'utf8').digest('hex');
const sha1Hex = (data: string) => createHash('sha1').update(data, 'utf8').digest('hex');

/** COS's request signature (q-sign-algorithm=sha1) over a GET of the object path, no headers or parameters signed. */
function cosSignature(objectPath: string, keyTime: string): string {
	const httpString = `get\n${objectPath}\n\n\n`;
	const stringToSign = `sha1\n${keyTime}\n${sha1Hex(httpString)}\n`;
	return hmacSha1Hex(hmacSha1Hex(COS_SECRET_KEY, keyTime), stringToSign);
}

/** `bucket/path/to/object` -> `/path/to/object` (COS signs the path; the bucket is in the host name). */
const objectPathOf = (key: string) => key.slice(key.indexOf('/'));

/** How COS names things in object answers and error documents. */
const COS_DIALECT: ObjectStoreDialect = {
	requestIdHeader: 'x-cos-request-id',
	crc64Header: 'x-cos-hash-crc64ecma',
	objectHeaders: (file) => ({
		ETag: `"${createHash('md5').update(file.key).digest('hex')}"`,
		'Last-Modified': new Date(file.lastModifiedMs).toUTCString(),
		Server: 'tencent-cos',
	}),
	errorXml: ({ code, message, requestId, key, extra }) => {
		const bucket = key.split('/')[0];
		return (
			`<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n\t<Code>${code}</Code>\n\t<Message>${message}</Message>\n` +
			`\t<Resource>${bucket}.cos.ap-guangzhou.myqcloud.com${objectPathOf(key)}</Resource>\n` +
			`\t<RequestId>${requestId}</RequestId>\n\t<TraceId>${Buffer.from(requestId).toString('base64')}</TraceId>\n` +
			Object.entries(extra)
				.map(([name, value]) => `\t<${name}>${value}</${name}>\n`)
				.join('') +
			'</Error>'
		);
	},
	// COS answers throttling with SlowDown ("Please reduce your request rate."), whatever the status.
	throttleError: () => ({ code: 'SlowDown', message: 'Please reduce your request rate.' }),
	invalidRange: { code: 'InvalidRange', message: 'The Range you specified is not valid.' },
};

/** A file reference: an object key, a FileName, or a BackupId (its first file; pass `shard` for the others). */
export type TencentFileRef = string;

export class TencentEmulator extends ProviderServer {
	readonly store: TencentStore;
	readonly settings: TencentSettings;
	/** Outcomes of the next ManualBackupInstance tasks (default 'succeed'): push 'failed' or 'error' to break one. */
	readonly nextTaskOutcomes: TencentTaskOutcome[] = [];
	/** The cloud's clock: the clock given to the constructor plus settings.clockSkewMs. */
	readonly clock: SkewedClock;
	private readonly accounts: Map<string, TencentAccount>;
	private readonly nonces = new LegacyNonceStore();
	private readonly crc = new Crc64Cache();

	constructor(opts: TencentEmulatorOptions = {}) {
		super('tencent');
		this.settings = {
			...DEFAULT_PROVIDER_SETTINGS,
			taskStepMs: 10000,
			urlTtlMs: 6 * 3600000,
			legacyUrlTtlMs: 12 * 3600000,
			crc64MaxBytes: 512 * 1048576,
			signatureTimeSource: 'emulator',
			...opts.settings,
		};
		this.clock = new SkewedClock(opts.clock ?? systemClock, () => this.settings.clockSkewMs);
		this.accounts = new Map((opts.accounts ?? [DEFAULT_TENCENT_ACCOUNT]).map((a) => [a.secretId, a]));
		this.store = new TencentStore(this.clock, this.settings);
		if (opts.seed ?? true) this.store.seedDemo();
	}

	addAccount(account: TencentAccount): void {
		this.accounts.set(account.secretId, account);
	}

	addInstance(input: AddTencentInstanceInput): TencentInstanceRecord {
		return this.store.addInstance(input);
	}

	/** InstanceSet.Status (2 running; 1 in a process, -2 isolated...): only a running instance can be backed up. */
	setInstanceStatus(instanceId: string, status: number): void {
		const instance = this.store.instance(instanceId);
		if (!instance) throw new Error(`unknown instance ${instanceId}`);
		instance.status = status;
	}

	/** A finished backup (Status 2 unless it is past its retention): one file, or one per shard on a cluster. */
	addBackup(input: AddTencentBackupInput): TencentBackupRecord {
		return this.store.addBackup(input);
	}

	/** A cluster backup with one file per shard (shardSizes, one per shard). */
	addClusterBackup(input: AddTencentBackupInput & { shardSizes: number[] }): TencentBackupRecord {
		return this.store.addBackup(input);
	}

	/** One shard's file invalid (FileSize 0) while the backup stays Status 2; see TencentStore.failShard. */
	failShard(backupId: string, shard: number, opts: { keepFile?: boolean } = {}): TencentShardRecord {
		return this.store.failShard(backupId, shard, opts);
	}

	/** Delete a finished backup: no longer listed, DescribeBackupUrl BackupNotExists, files gone (TencentStore.deleteBackup). */
	deleteBackup(backupId: string): TencentBackupRecord {
		this.store.sync();
		return this.store.deleteBackup(backupId);
	}

	/** Expire a finished backup now: Status -1 (listed only with Status [-1]), no URLs (TencentStore.expireBackup). */
	expireBackup(backupId: string): TencentBackupRecord {
		this.store.sync();
		return this.store.expireBackup(backupId);
	}

	/** Start a backup task as ManualBackupInstance does (backupType 'automatic' simulates the nightly backup). */
	startBackupTask(input: StartTencentTaskInput): TencentTaskRecord {
		return this.store.startTask(input);
	}

	/** A backup's RedisBackupSet entry exactly as DescribeInstanceBackups writes it now (for fuzzed answers). */
	wireBackup(backupId: string): Record<string, unknown> {
		this.store.sync();
		const backup = this.store.backup(backupId);
		if (!backup) throw new Error(`unknown backup ${backupId}`);
		return redisBackupSet(this.store, this.clock.now(), backup);
	}

	/** DescribeBackupUrl's answer for a backup (no RequestId), with fresh URLs (for fuzzed answers). */
	wireBackupUrls(backupId: string, baseUrl = this.endpoint): Record<string, unknown> {
		this.store.sync();
		const backup = this.store.backup(backupId);
		if (!backup) throw new Error(`unknown backup ${backupId}`);
		return backupUrlAnswer(backup, (file) => this.downloadUrls(file, baseUrl));
	}

	file(ref: TencentFileRef, shard = 0): EmulatedFile {
		this.store.sync();
		const found =
			this.store.files.get(ref) ??
			[...this.store.files.values()].find((f) => f.name === ref) ??
			this.store.backup(ref)?.shards[shard]?.file;
		if (!found) throw new Error(`no downloadable file for ${ref}`);
		return found;
	}

	/** The exact bytes a download of this file must deliver (optionally a byte range, end inclusive). */
	fileStream(ref: TencentFileRef, start?: number, end?: number): Readable {
		return fileStream(this.file(ref), start, end);
	}

	fileSha256(ref: TencentFileRef): Promise<string> {
		return fileSha256Hex(this.file(ref));
	}

	/** CRC64 (decimal) as sent in x-cos-hash-crc64ecma; computing it also makes big files send the header. */
	fileCrc64(ref: TencentFileRef): Promise<string> {
		return this.crc.compute(this.file(ref));
	}

	/**
	 * Presigned URLs like the API's, valid for ttlMs (default settings.urlTtlMs) from now: the COS signature
	 * (q-sign-algorithm=sha1 ... q-signature) URL-encoded into one `sign` parameter, as in Tencent's sample.
	 * `/cos/<bucket>/<path>` public, `/cos-internal/...` the intranet one.
	 */
	downloadUrls(file: EmulatedFile, baseUrl = this.endpoint, ttlMs = this.settings.urlTtlMs): { public: string; internal: string } {
		const start = Math.floor(this.clock.now() / 1000);
		const keyTime = `${start};${start + Math.floor(ttlMs / 1000)}`;
		const sign =
			`q-sign-algorithm=sha1&q-ak=${COS_SECRET_ID}&q-sign-time=${keyTime}&q-key-time=${keyTime}` +
			`&q-header-list=&q-url-param-list=&q-signature=${cosSignature(objectPathOf(file.key), keyTime)}`;
		const query = `?sign=${encodeURIComponent(sign)}`;
		return { public: `${baseUrl}/cos/${file.key}${query}`, internal: `${baseUrl}/cos-internal/${file.key}${query}` };
	}

	protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://emulator');
		if (/^\/cos(-internal)?\//.test(url.pathname)) return this.handleDownload(req, res, url);
		if (url.pathname === LEGACY_PATH) return this.handleLegacy(req, res, url);
		return this.handleApi(req, res, url);
	}

	/** The instant signatures are judged by: the cloud clock, or the host clock plus the same skew ('system'). */
	private signatureNow(): number {
		return this.settings.signatureTimeSource === 'system' ? Date.now() + this.settings.clockSkewMs : this.clock.now();
	}

	private baseUrl(req: IncomingMessage): string {
		return req.headers.host ? `http://${req.headers.host}` : this.endpoint;
	}

	/** 'reset' and 'silent' faults, answered the same on both APIs. True when the request was dealt with. */
	private async connectionFault(
		req: IncomingMessage,
		res: ServerResponse,
		fault: FaultSpec | undefined,
		entry: Omit<RequestLogEntry, 'status'>,
	): Promise<boolean> {
		if (fault?.delayMs) await sleep(fault.delayMs);
		if (fault?.kind === 'reset') {
			this.log({ ...entry, status: 0, fault: fault.kind });
			if (fault.rst) req.socket.resetAndDestroy();
			else req.socket.destroy();
			return true;
		}
		if (fault?.kind === 'silent') {
			this.log({ ...entry, status: 0, fault: fault.kind });
			await untilClosed(res);
			return true;
		}
		return false;
	}

	private send(
		res: ServerResponse,
		status: number,
		payload: unknown,
		fault: FaultSpec | undefined,
		headers: Record<string, string> = {},
	): void {
		let text = JSON.stringify(payload) ?? 'null';
		// A body cut mid-way, as a broken proxy or a dropped connection behind a gateway would deliver it.
		if (fault?.kind === 'malformedJson') text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
		res.writeHead(status, {
			'Content-Type': 'application/json',
			'Content-Length': Buffer.byteLength(text),
			...headers,
		});
		res.end(text);
	}

	private async handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
		const requestId = randomUUID();
		const body = await readBody(req);
		const method = req.method ?? 'GET';
		const actionHeader = req.headers['x-tc-action'];
		const claimedAction = (Array.isArray(actionHeader) ? actionHeader[0] : actionHeader) ?? '';
		const query = Object.fromEntries(url.searchParams);
		let parsed: unknown = undefined;
		if (method === 'GET') parsed = unflatten(query);
		else if (body.length > 0) {
			try {
				parsed = JSON.parse(body.toString('utf8'));
			} catch {
				parsed = undefined;
			}
		} else parsed = {};
		const logged = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? flatten(parsed) : {};
		const entry = { receivedAtMs: receivedAt(req), method, path: url.pathname, action: claimedAction, query: logged, headers: req.headers };
		const traceHeader = req.headers['x-tc-traceid'];
		const headers: Record<string, string> = typeof traceHeader === 'string' ? { 'X-TC-TraceId': traceHeader } : {};

		const fault = this.faults.take(claimedAction);
		if (await this.connectionFault(req, res, fault, entry)) return;
		let status = 200;
		let payload: unknown;
		let failure: unknown = fault && apiFaultError(fault);
		if (!failure) {
			try {
				const auth = authenticateTc3(
					{ method, pathname: url.pathname, rawQuery: url.search.slice(1), headers: req.headers, body },
					this.accounts,
					API_ACTIONS,
					this.signatureNow(),
				);
				if (fault?.kind === 'answer') {
					// A correctly signed call gets the test's answer verbatim; the action itself does not run.
					status = fault.status ?? 200;
					this.send(res, status, fault.body === undefined ? {} : fault.body, undefined, headers);
					const claimed = (fault.body as { Response?: { Error?: { Code?: unknown } } } | null | undefined)?.Response
						?.Error?.Code;
					this.log({ ...entry, status, code: typeof claimed === 'string' ? claimed : undefined, fault: fault.kind });
					return;
				}
				if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
					throw Errors.invalidParameter('The request body must be a JSON object.');
				}
				this.store.sync();
				const baseUrl = this.baseUrl(req);
				const result = runAction(auth.action, {
					store: this.store,
					now: this.clock.now(),
					params: new Params(parsed as Record<string, unknown>, method === 'GET'),
					region: auth.region,
					urls: (file, ttlMs) => this.downloadUrls(file, baseUrl, ttlMs),
					urlTtlMs: this.settings.urlTtlMs,
					takeTaskOutcome: () => this.nextTaskOutcomes.shift() ?? 'succeed',
				});
				payload = { Response: { ...result, RequestId: requestId } };
			} catch (err) {
				failure = err;
			}
		}
		let code: string | undefined;
		if (failure) {
			// Anything but an API error is an emulator bug: let it surface as a 500 with the stack.
			if (!(failure instanceof TencentError)) throw failure;
			status = failure.httpStatus;
			code = failure.code;
			payload = errorResponse(failure, requestId);
		}
		this.send(res, status, payload, fault, headers);
		this.log({ ...entry, status, code, fault: fault?.kind });
	}

	private async handleLegacy(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
		const body = await readBody(req);
		const method = req.method ?? 'GET';
		const params: Record<string, string> = Object.fromEntries(url.searchParams);
		if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
			Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
		}
		const action = params.Action ?? '';
		const entry = { receivedAtMs: receivedAt(req), method, path: url.pathname, action, query: params, headers: req.headers };

		const fault = this.faults.take(action);
		if (await this.connectionFault(req, res, fault, entry)) return;
		let status = 200;
		let payload: unknown;
		let failure: unknown = fault && legacyApiFaultError(fault);
		if (!failure) {
			try {
				authenticateLegacy(
					{ method, host: req.headers.host ?? '', pathname: url.pathname, params },
					this.accounts,
					LEGACY_ACTION_NAMES,
					this.signatureNow(),
					this.nonces,
				);
				if (fault?.kind === 'answer') {
					status = fault.status ?? 200;
					this.send(res, status, fault.body === undefined ? {} : fault.body, undefined);
					const claimed = (fault.body as { code?: unknown } | null | undefined)?.code;
					this.log({ ...entry, status, code: claimed === undefined ? undefined : String(claimed), fault: fault.kind });
					return;
				}
				this.store.sync();
				const baseUrl = this.baseUrl(req);
				const result = LEGACY_ACTIONS[action]({
					store: this.store,
					now: this.clock.now(),
					params,
					region: params.Region,
					urls: (file, ttlMs) => this.downloadUrls(file, baseUrl, ttlMs),
					urlTtlMs: this.settings.legacyUrlTtlMs,
				});
				payload = { code: 0, message: '', codeDesc: 'Success', ...result };
			} catch (err) {
				failure = err;
			}
		}
		let code: string | undefined;
		if (failure) {
			if (!(failure instanceof LegacyError)) throw failure;
			status = fault?.status ?? 200;
			code = String(failure.code);
			payload = legacyErrorBody(failure);
		}
		this.send(res, status, payload, fault);
		this.log({ ...entry, status, code, fault: fault?.kind });
	}

	private async handleDownload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
		const key = decodeURIComponent(url.pathname.replace(/^\/cos(-internal)?\//, ''));
		const exchange = new DownloadExchange(req, res, url, {
			fault: this.faults.take(DOWNLOAD_ACTION),
			requestId: randomBytes(24).toString('base64'),
			key,
			dialect: COS_DIALECT,
			log: (entry) => this.log(entry),
		});
		if (await exchange.beforeChecks()) return;
		const sign = url.searchParams.get('sign');
		if (!sign) return exchange.fail(403, 'AccessDenied', 'Access Denied.');
		const q = new URLSearchParams(sign);
		const keyTime = q.get('q-key-time') ?? '';
		const times = /^(\d+);(\d+)$/.exec(keyTime);
		if (
			!times ||
			q.get('q-sign-algorithm') !== 'sha1' ||
			q.get('q-ak') !== COS_SECRET_ID ||
			q.get('q-sign-time') !== keyTime ||
			q.get('q-signature') !== cosSignature(objectPathOf(key), keyTime)
		) {
			return exchange.fail(
				403,
				'SignatureDoesNotMatch',
				'The calculated signature does not match the signature you provided. Check your key and signing method.',
			);
		}
		const file = this.store.files.get(key);
		if (!file) return exchange.fail(404, 'NoSuchKey', 'The specified key does not exist.');
		const nowSeconds = Math.floor(this.clock.now() / 1000);
		if (exchange.fault?.kind === 'expiredUrl' || nowSeconds > Number(times[2])) {
			return exchange.fail(403, 'AccessDenied', 'Request has expired');
		}
		if (exchange.errorFault()) return;
		const crc64 = file.size <= this.settings.crc64MaxBytes ? await this.crc.compute(file) : this.crc.get(file);
		await exchange.serve(file, { crc64, ranges: this.settings.rangeRequests });
	}
}

/** API 3.0 answers to the API fault kinds: all HTTP 200 as Tencent sends them, unless the fault gives a status. */
function apiFaultError(fault: FaultSpec): TencentError | undefined {
	switch (fault.kind) {
		case 'throttle':
			return withStatus(Errors.requestLimitExceeded(), fault.status);
		case 'serverError':
			return withStatus(Errors.internalError(), fault.status);
		case 'error': {
			// A code from the catalogue brings its message; the spec's own win.
			const known = fault.code === undefined ? undefined : catalogueError(fault.code);
			return new TencentError(
				fault.code ?? 'InvalidParameter',
				fault.message ?? known?.message ?? 'Injected error from the emulator fault queue.',
				fault.status ?? 200,
			);
		}
		default:
			return undefined;
	}
}

function withStatus(error: TencentError, status: number | undefined): TencentError {
	return status === undefined ? error : new TencentError(error.code, error.message, status);
}

function legacyApiFaultError(fault: FaultSpec): LegacyError | undefined {
	switch (fault.kind) {
		case 'throttle':
			return LegacyErrors.quotaExceeded();
		case 'serverError':
			return LegacyErrors.internalError();
		case 'error':
			return legacyFaultError(fault.code, fault.message);
		default:
			return undefined;
	}
}
