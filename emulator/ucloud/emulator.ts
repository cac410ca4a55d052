import { randomUUID } from 'crypto';
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
import { ACTIONS, backupItem, backupUrlAnswer, groupItem, Params, type UCloudApiSettings } from './api';
import { catalogueError, errorBody, Errors, UCloudError } from './errors';
import { authenticate, flattenParams, type UCloudAccount } from './signature';
import {
	UCloudStore,
	US3_BUCKET,
	type AddUCloudBackupInput,
	type AddUCloudGroupInput,
	type StartUCloudBackupInput,
	type UCloudBackupOutcome,
	type UCloudBackupRecord,
	type UCloudGroupRecord,
	type URedisGroupState,
} from './store';
import { US3_ERRORS, us3Dialect, Us3EtagCache, us3UrlSignature } from './us3';

/** Tests may change any of these at runtime (emulator.ucloud.settings.x = ...); ProviderSettings adds clockSkewMs
 * and rangeRequests. */
export interface UCloudSettings extends ProviderSettings, UCloudApiSettings {
	/** A backup stays Backuping for three steps (BACKUP_STEPS), then becomes Success or Error. */
	backupStepMs: number;
	/** Validity of DescribeURedisBackupURL's URLs. Not documented; 4 hours, what the sample's Expires suggests (it is
	 * 4 h 5 min after the sample backup's BackupTime). */
	urlTtlMs: number;
	/** Files up to this size get their US3 ETag computed on first download (cached); bigger ones only after
	 * fileEtag() was awaited, and are served without an ETag until then. */
	etagMaxBytes: number;
}

export interface UCloudEmulatorOptions {
	clock?: Clock;
	accounts?: UCloudAccount[];
	seed?: boolean;
	settings?: Partial<UCloudSettings>;
}

/** A clearly fake key pair in UCloud's shapes (the documented example's e-mail-like public key, a 40-hex private
 * key). */
export const DEFAULT_UCLOUD_ACCOUNT: UCloudAccount = {
	publicKey: 'ucloudemulator-fake@example.com0000000000000000000',
	privateKey: 'emulatorFakePrivateKey00000000000EXAMPLE',
};

/** The emulated US3 signs its URLs with its own key, so a tampered URL is refused like a real one. */
const US3_PUBLIC_KEY = 'ucloud-umem-backup@example.com0000000000000EXAMPLE';
const US3_PRIVATE_KEY = 'emulator-us3-signing-key-EXAMPLE';

const KNOWN_ACTIONS: ReadonlySet<string> = new Set(Object.keys(ACTIONS));
const DOWNLOAD_PATH = /^\/ufile(-internal)?\/([^/]+)\/(.+)$/;

/** A file reference: an object key (bucket/key), a file name or a BackupId. */
export type UCloudFileRef = string;

export class UCloudEmulator extends ProviderServer {
	readonly store: UCloudStore;
	readonly settings: UCloudSettings;
	/** Outcomes of the next CreateURedisBackup backups (default 'success'): push 'error' to make one end in Error. */
	readonly nextBackupOutcomes: UCloudBackupOutcome[] = [];
	/** The cloud's clock: the clock given to the constructor plus settings.clockSkewMs. */
	readonly clock: SkewedClock;
	private readonly accounts: Map<string, UCloudAccount>;
	private readonly etags = new Us3EtagCache();
	private readonly crc = new Crc64Cache();
	private readonly dialect: ObjectStoreDialect;

	constructor(opts: UCloudEmulatorOptions = {}) {
		super('ucloud');
		this.settings = {
			...DEFAULT_PROVIDER_SETTINGS,
			backupStepMs: 10000,
			urlTtlMs: 4 * 3600000,
			etagMaxBytes: 512 * 1048576,
			backupTypeFormat: 'string',
			backupUrlTrailingNewline: true,
			groupIdRequired: false,
			manualBackupLimit: null,
			...opts.settings,
		};
		this.clock = new SkewedClock(opts.clock ?? systemClock, () => this.settings.clockSkewMs);
		this.accounts = new Map((opts.accounts ?? [DEFAULT_UCLOUD_ACCOUNT]).map((a) => [a.publicKey, a]));
		this.store = new UCloudStore(this.clock, this.settings);
		this.dialect = us3Dialect((file) => this.etags.get(file));
		if (opts.seed ?? true) this.store.seedDemo();
	}

	addAccount(account: UCloudAccount): void {
		this.accounts.set(account.publicKey, account);
	}

	/** A URedis group (instance); Running unless `state` says otherwise. */
	addInstance(input: AddUCloudGroupInput): UCloudGroupRecord {
		return this.store.addGroup(input);
	}

	/** URedisGroupSet.State; CreateURedisBackup refuses any group not Running (20203). */
	setInstanceState(groupId: string, state: URedisGroupState): void {
		this.store.requireGroup(groupId).state = state;
	}

	/** A backup in any state (Success by default, with its file; see AddUCloudBackupInput). */
	addBackup(input: AddUCloudBackupInput): UCloudBackupRecord {
		return this.store.addBackup(input);
	}

	/** Start a backup as CreateURedisBackup does (Manual, Backuping for three backupStepMs, then `outcome`). */
	startBackup(input: StartUCloudBackupInput): UCloudBackupRecord {
		return this.store.startBackup(input);
	}

	/** End a backup as failed now (State Error, BackupSize 0, its file and old URLs gone). */
	failBackup(backupId: string): UCloudBackupRecord {
		return this.store.failBackup(backupId);
	}

	/** Delete a backup: no longer listed, its file and old URLs gone (UCloudStore.deleteBackup). */
	deleteBackup(backupId: string): UCloudBackupRecord {
		this.store.sync();
		return this.store.deleteBackup(backupId);
	}

	/** Expire a backup now: State Expired, still listed, file gone (UCloudStore.expireBackup). */
	expireBackup(backupId: string): UCloudBackupRecord {
		this.store.sync();
		return this.store.expireBackup(backupId);
	}

	/** A backup's URedisBackupSet entry exactly as DescribeURedisBackup writes it now (for fuzzed answers). */
	wireBackup(backupId: string): Record<string, unknown> {
		this.store.sync();
		return backupItem(this.store, this.clock.now(), this.settings, this.store.requireBackup(backupId));
	}

	/** A group's URedisGroupSet entry as DescribeURedisGroup writes it (for fuzzed answers). */
	wireInstance(groupId: string): Record<string, unknown> {
		return groupItem(this.store.requireGroup(groupId));
	}

	/** DescribeURedisBackupURL's fields for a backup with fresh URLs (for fuzzed answers). */
	wireBackupUrl(backupId: string, baseUrl = this.endpoint): Record<string, unknown> {
		return backupUrlAnswer(this.downloadUrls(this.file(backupId), baseUrl), this.settings);
	}

	file(ref: UCloudFileRef): EmulatedFile {
		this.store.sync();
		const found =
			this.store.files.get(ref) ??
			[...this.store.files.values()].find((f) => f.name === ref) ??
			this.store.backup(ref)?.file;
		if (!found) throw new Error(`no downloadable file for ${ref}`);
		return found;
	}

	/** The exact bytes a download of this file must deliver (optionally a byte range, end inclusive). */
	fileStream(ref: UCloudFileRef, start?: number, end?: number): Readable {
		return fileStream(this.file(ref), start, end);
	}

	fileSha256(ref: UCloudFileRef): Promise<string> {
		return fileSha256Hex(this.file(ref));
	}

	/** CRC-64/ECMA-182 (decimal) of the file, for a test's own check: US3 never sends it. */
	fileCrc64(ref: UCloudFileRef): Promise<string> {
		return this.crc.compute(this.file(ref));
	}

	/** US3's ETag of the file (without quotes), as sent in the ETag header; computing it also makes big files send it. */
	fileEtag(ref: UCloudFileRef): Promise<string> {
		return this.etags.compute(this.file(ref));
	}

	/**
	 * Presigned US3 URLs like the API's, valid for ttlMs (default settings.urlTtlMs) from now:
	 * `/ufile/<bucket>/<key>?UCloudPublicKey=&Signature=&Expires=` (the real host is `<bucket>.<region>.ufileos.com`),
	 * `/ufile-internal/...` the intranet one (InnerBackupPath).
	 */
	downloadUrls(file: EmulatedFile, baseUrl = this.endpoint, ttlMs = this.settings.urlTtlMs): { public: string; internal: string } {
		const expires = Math.floor((this.clock.now() + ttlMs) / 1000);
		const slash = file.key.indexOf('/');
		const bucket = file.key.slice(0, slash);
		const key = file.key.slice(slash + 1);
		const query = new URLSearchParams({
			UCloudPublicKey: US3_PUBLIC_KEY,
			Signature: us3UrlSignature(US3_PRIVATE_KEY, bucket, key, expires),
			Expires: String(expires),
		}).toString();
		const path = `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
		return { public: `${baseUrl}/ufile/${path}?${query}`, internal: `${baseUrl}/ufile-internal/${path}?${query}` };
	}

	protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://emulator');
		if (DOWNLOAD_PATH.test(url.pathname)) return this.handleDownload(req, res, url);
		return this.handleApi(req, res, url);
	}

	private baseUrl(req: IncomingMessage): string {
		return req.headers.host ? `http://${req.headers.host}` : this.endpoint;
	}

	private send(res: ServerResponse, status: number, payload: unknown, fault: FaultSpec | undefined): void {
		let text = JSON.stringify(payload) ?? 'null';
		// A body cut mid-way, as a broken proxy or a dropped connection behind a gateway would deliver it.
		if (fault?.kind === 'malformedJson') text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
		res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
		res.end(text);
	}

	/** Parameters as the client signed them: the query (GET), or a POST's form or JSON body (flattened). */
	private async readParams(req: IncomingMessage, url: URL): Promise<{ body: Record<string, string>; query: Record<string, string> }> {
		const query = Object.fromEntries(url.searchParams);
		if ((req.method ?? 'GET') !== 'POST') return { body: query, query: {} };
		const text = (await readBody(req)).toString('utf8');
		const type = (req.headers['content-type'] ?? '').toLowerCase();
		if (type.includes('application/x-www-form-urlencoded')) return { body: Object.fromEntries(new URLSearchParams(text)), query };
		try {
			const parsed: unknown = text.trim() ? JSON.parse(text) : {};
			if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
				return { body: flattenParams(parsed as Record<string, unknown>), query };
			}
		} catch {
			// Not JSON: nothing usable, answered as a request without Action.
		}
		return { body: {}, query };
	}

	private async handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
		const method = req.method ?? 'GET';
		const { body, query } = await this.readParams(req, url);
		// The Go SDK also puts `?Action=` into the URL of a POST (its log handler's workaround) and signs the body only.
		const action = body.Action || query.Action || undefined;
		const extras = Object.fromEntries(Object.entries(query).filter(([k]) => !(k in body)));
		const candidates = Object.keys(extras).length > 0 ? [body, { ...body, ...extras }] : [body];
		const entry = {
			receivedAtMs: receivedAt(req),
			method,
			path: url.pathname,
			action: action ?? '',
			query: { ...extras, ...body },
			headers: req.headers,
		};

		const fault = this.faults.take(action ?? '');
		if (fault?.delayMs) await sleep(fault.delayMs);
		if (fault?.kind === 'reset') {
			this.log({ ...entry, status: 0, fault: fault.kind });
			if (fault.rst) req.socket.resetAndDestroy();
			else req.socket.destroy();
			return;
		}
		if (fault?.kind === 'silent') {
			this.log({ ...entry, status: 0, fault: fault.kind });
			await untilClosed(res);
			return;
		}
		let status = 200;
		let payload: unknown;
		let failure: unknown = fault && apiFaultError(fault);
		if (!failure) {
			try {
				const auth = authenticate(action, candidates, this.accounts, KNOWN_ACTIONS);
				if (fault?.kind === 'answer') {
					// A correctly signed call gets the test's answer verbatim; the action itself does not run.
					status = fault.status ?? 200;
					this.send(res, status, fault.body === undefined ? {} : fault.body, undefined);
					const claimed = (fault.body as { RetCode?: unknown } | null | undefined)?.RetCode;
					this.log({ ...entry, status, code: claimed === undefined ? undefined : String(claimed), fault: fault.kind });
					return;
				}
				this.store.sync();
				const baseUrl = this.baseUrl(req);
				const result = ACTIONS[auth.action]({
					store: this.store,
					now: this.clock.now(),
					params: new Params(body),
					projectId: auth.projectId,
					settings: this.settings,
					urls: (file) => this.downloadUrls(file, baseUrl),
					takeOutcome: () => this.nextBackupOutcomes.shift() ?? 'success',
				});
				payload = { Action: `${auth.action}Response`, RetCode: 0, ...result };
			} catch (err) {
				failure = err;
			}
		}
		let code: string | undefined;
		if (failure) {
			// Anything but an API error is an emulator bug: let it surface as a 500 with the stack.
			if (!(failure instanceof UCloudError)) throw failure;
			status = failure.httpStatus;
			code = String(failure.retCode);
			payload = errorBody(failure, action);
		}
		this.send(res, status, payload, fault);
		this.log({ ...entry, status, code, fault: fault?.kind });
	}

	private async handleDownload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
		const [, , bucket, rawKey] = DOWNLOAD_PATH.exec(url.pathname) as RegExpExecArray;
		const key = decodeURIComponent(rawKey);
		const exchange = new DownloadExchange(req, res, url, {
			fault: this.faults.take(DOWNLOAD_ACTION),
			requestId: randomUUID(),
			key: `${bucket}/${key}`,
			dialect: this.dialect,
			log: (entry: RequestLogEntry) => this.log(entry),
		});
		if (await exchange.beforeChecks()) return;
		const fail = (e: { status: number; code: string; message: string }) => exchange.fail(e.status, e.code, e.message);
		if (bucket !== US3_BUCKET) return fail(US3_ERRORS.bucketNotFound);
		const q = url.searchParams;
		const publicKey = q.get('UCloudPublicKey');
		// A '+' of the Base64 signature sent unescaped (as the deprecated BackupURL carries it) reads as a space.
		const signature = q.get('Signature')?.replace(/ /g, '+');
		const expiresText = q.get('Expires');
		if (!publicKey || !signature || !expiresText) return fail(US3_ERRORS.noAuthorization);
		// US3 checks Expires first, then the signature.
		const nowSeconds = Math.floor(this.clock.now() / 1000);
		if (!/^\d{1,12}$/.test(expiresText) || exchange.fault?.kind === 'expiredUrl' || nowSeconds > Number(expiresText)) {
			return fail(US3_ERRORS.expired);
		}
		if (publicKey !== US3_PUBLIC_KEY || signature !== us3UrlSignature(US3_PRIVATE_KEY, bucket, key, Number(expiresText))) {
			return fail(US3_ERRORS.invalidSignature);
		}
		this.store.sync();
		const file = this.store.files.get(`${bucket}/${key}`);
		if (!file) return fail(US3_ERRORS.fileNotFound);
		if (exchange.errorFault()) return;
		if (file.size <= this.settings.etagMaxBytes) await this.etags.compute(file);
		// No CRC-64: US3 sends none (see us3.ts); the ETag comes from the dialect's object headers.
		await exchange.serve(file, { crc64: undefined, ranges: this.settings.rangeRequests });
	}
}

/** API answers to the API fault kinds: HTTP 200 JSON as UCloud sends them, unless the fault gives a status. */
function apiFaultError(fault: FaultSpec): UCloudError | undefined {
	switch (fault.kind) {
		case 'throttle':
			return withStatus(Errors.throttled(), fault.status);
		case 'serverError':
			return withStatus(Errors.serviceUnavailable(), fault.status);
		case 'error': {
			// A RetCode from the catalogue brings its message; the spec's own win.
			const retCode = fault.code !== undefined && /^-?\d+$/.test(fault.code) ? Number(fault.code) : 230;
			const known = catalogueError(retCode);
			return new UCloudError(retCode, fault.message ?? known?.message ?? 'Injected error from the emulator fault queue.', fault.status ?? 200);
		}
		default:
			return undefined;
	}
}

function withStatus(error: UCloudError, status: number | undefined): UCloudError {
	return status === undefined ? error : new UCloudError(error.retCode, error.message, status);
}
