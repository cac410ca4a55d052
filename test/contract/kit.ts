/**
 * The provider-contract kit: everything the contract suites (test/contract/*.contract.test.ts) need to know about
 * one cloud, so that ONE suite runs against every cloud's node, through n8n's engine, against that cloud's emulator
 * over HTTP. A cloud joins by writing `<cloud>.kit.ts` (a `CloudKit`) and adding it to `clouds.ts`; it then inherits
 * every contract test.
 *
 * Nothing here names a cloud: the cloud's node type, credential, emulator server, action names, wire shapes and
 * parameter names all come from its kit.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type {
	IBinaryData,
	ICredentialType,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IWorkflowSettings,
} from 'n8n-workflow';

import {
	CloudEmulator,
	type EmulatedFile,
	type EmulatorOptions,
	type FaultQueue,
	type FaultSpec,
	type ProviderSettings,
	type RangeMode,
	type RequestLogEntry,
} from '../../emulator';
import type { CloudErrorKind } from '../../nodes/common/errors';
import {
	cleanupBinaryDataStore,
	initBinaryDataStore,
	readBinary,
	type HarnessCredential,
	type RunWorkflowResult,
} from '../harness';
import { runNodeChain } from '../workflows/fixture';

export type { RunWorkflowResult } from '../harness';

/** A standard (one file per backup) or a cluster (one file per shard) instance. */
export type Variant = 'standard' | 'cluster';

/** One instance of the emulator's seed data, and the node parameters that select it. */
export interface InstanceFixture {
	variant: Variant;
	instanceId: string;
	/** The region the instance lives in (what the credential's default region is set to). */
	region: string;
	/**
	 * The node parameters that select this instance for the backup operations and Wait Until Finished: the instance
	 * locator and whatever else the cloud's node needs (Alibaba: Instance Type).
	 */
	parameters: INodeParameters;
}

/** One downloadable file as the emulator's storage serves it. */
export interface FileFixture {
	name: string;
	/** The emulator's object key (`kit.emulator.server(emulator).file(key)`). */
	key: string;
	size: number;
	/** The exact bytes a download must store. */
	bytes: Buffer;
	/** The file's CRC-64/ECMA-182 (unsigned decimal): what OSS and COS send in their checksum header. */
	crc64: string;
	/**
	 * The storage's own checksum of the file, which a download is verified against, as the node reports it (algorithm
	 * and value). Absent: the CRC-64 above (`crc64ecma`).
	 */
	checksum?: { algorithm: string; value: string };
	/** The request path of its public download URL (as the request log shows it). */
	path: string;
	/** Another http URL on the emulator that serves the very same file (for a redirect that must be followed). */
	alternateUrl: string;
}

/** A backup the emulator lists as succeeded, with its files. */
export interface BackupFixture {
	instance: InstanceFixture;
	/** As the node's Backup ID parameter takes it. */
	backupId: string;
	files: FileFixture[];
}

/** The part of a cloud's emulator server the contract tests use. */
export interface EmulatorServer {
	readonly faults: FaultQueue;
	readonly requests: RequestLogEntry[];
	readonly settings: ProviderSettings;
	readonly endpoint: string;
	readonly port: number;
	/**
	 * A downloadable file by its object key (a FileFixture's `key`): set its `content` ('random', 'corrupt-rdb') or
	 * `rdbVersion` before it is first served.
	 */
	file(key: string): EmulatedFile;
}

export interface KitEmulatorOptions {
	/** How long each state of an emulated backup task lasts (short, so Wait Until Finished ends fast). */
	taskStepMs?: number;
}

/** Fuzzed answers in the cloud's wire shape, sent verbatim by an `answer` fault. */
export interface WireFuzz {
	/** A backup list answer whose first entry is null (the second a valid record of `backup`). */
	listWithNullEntry(emulator: CloudEmulator, backup: BackupFixture): unknown;
	/** A backup list answer with `backup`'s record, its ID field missing. */
	listRecordWithoutId(emulator: CloudEmulator, backup: BackupFixture): unknown;
	/** A backup list answer with `backup`'s record, epoch MILLISECONDS in its start time field. */
	listWithEpochMillis(emulator: CloudEmulator, backup: BackupFixture): unknown;
	/**
	 * An answer of the action that reports file sizes (`actions.fileSizes`: the backup list, or the call that gives a
	 * backup's files) for `backup` (fresh, working URLs), its file size reported as `sizeBytes`.
	 */
	listWithFileSize(emulator: CloudEmulator, backup: BackupFixture, sizeBytes: number): unknown;
	/** A create answer without the task (job) ID. */
	createWithoutTaskId(): unknown;
}

/** Node parameters of each operation, for one instance. `extra` is merged last (options included). */
export interface ParameterBuilders {
	list(instance: InstanceFixture, extra?: INodeParameters): INodeParameters;
	get(backup: BackupFixture, extra?: INodeParameters): INodeParameters;
	getDownloadUrl(backup: BackupFixture, extra?: INodeParameters): INodeParameters;
	download(backup: BackupFixture, extra?: INodeParameters): INodeParameters;
	create(instance: InstanceFixture, extra?: INodeParameters): INodeParameters;
	/** Backup Task → Wait Until Finished for `taskId` (a literal or an expression such as `={{ $json.taskId }}`). */
	wait(instance: InstanceFixture, taskId: string, extra?: INodeParameters): INodeParameters;
}

export interface CloudKit {
	/** The provider ID the node's items carry ("alibaba"). */
	id: string;
	/** The cloud's name as the node's messages use it ("Alibaba Cloud"). */
	label: string;

	node: {
		/** The full type name in workflow JSON. */
		type: string;
		create(): INodeType;
	};

	credential: {
		/** The credential type the node uses. */
		type: string;
		/** Every credential type the node may use (the harness needs their definitions). */
		types: ICredentialType[];
		/** A working credential for this emulator; `overrides` replace fields of its data. */
		forEmulator(emulator: CloudEmulator, overrides?: Record<string, string>): HarnessCredential;
		/** Fields of the credential's data that are secret and must never appear in run data. */
		secretFields: readonly string[];
		/** The overrides that point the credential at another endpoint (a URL as a user would type it). */
		endpointOverride(url: string): Record<string, string>;
	};

	emulator: {
		options(options: KitEmulatorOptions): EmulatorOptions;
		/** This cloud's server inside a CloudEmulator. */
		server(emulator: CloudEmulator): EmulatorServer;
		/**
		 * Before each test: no faults, no queued task outcomes, no clock skew, standard Range handling, and, where the
		 * cloud refuses a backup while another of the instance runs, no backup left running by an earlier test.
		 */
		reset(emulator: CloudEmulator): void;
	};

	/** API action names as the request log shows them; downloads are logged as `download`. */
	actions: {
		/** The backup list action per variant (a lookup by ID uses it too). */
		list: Record<Variant, string>;
		create: string;
		tasks: string;
		download: string;
		/**
		 * The action whose answer reports the file sizes a download is checked against (what `fuzz.listWithFileSize`
		 * answers), where that is not the standard backup list (a cloud whose list gives no files, only another call).
		 */
		fileSizes?: string;
	};

	instances: {
		standard: InstanceFixture;
		/**
		 * Absent when the cloud has no multi-file (cluster) backups: the tests needing one are skipped (and the kit has
		 * no `addClusterBackup` / `failShard`).
		 */
		cluster?: InstanceFixture;
		/**
		 * Another standard instance, where the cloud refuses a second backup of an instance while one is running (UCloud:
		 * RetCode 20203): a test that starts two backups in one run starts the second here. Absent: `standard` again.
		 */
		another?: InstanceFixture;
	};

	/**
	 * Whether the backup list records carry the backup's files (and so a shard's own status). False where the
	 * cloud lists files only by another call (Tencent: DescribeBackupUrl), so List cannot see a failed shard.
	 */
	listCarriesFiles: boolean;

	/** Adds a succeeded backup of the standard instance with one file of this size, made an hour ago. */
	addStandardBackup(emulator: CloudEmulator, sizeBytes: number): Promise<BackupFixture>;
	/** Adds a succeeded backup of the cluster instance with one file per shard (present exactly with `instances.cluster`). */
	addClusterBackup?(emulator: CloudEmulator, shardSizes: number[]): Promise<BackupFixture>;
	/**
	 * Makes one shard of a cluster backup fail while the cloud still reports the set as succeeded; its file is gone,
	 * unless `keepFile` (the failed shard still lists a working URL, which must not be trusted either). Present exactly
	 * with `instances.cluster`.
	 */
	failShard?(emulator: CloudEmulator, backup: BackupFixture, shard: number, options?: { keepFile?: boolean }): void;
	/** Starts a backup task as a create would; returns its ID as the node outputs it. */
	startBackupTask(emulator: CloudEmulator, instance: InstanceFixture): string;
	/** IDs of every backup task the emulator knows, oldest first. */
	taskIds(emulator: CloudEmulator): string[];
	/**
	 * The cloud's clock runs this far ahead (+) or behind (-) the real one: at least in the times it reports (backups,
	 * tasks, URL expiry); a cloud whose signatures carry a time judges them by it only as far as a working client can
	 * meet (its signature window).
	 */
	setClockSkew(emulator: CloudEmulator, ms: number): void;
	/** How the storage answers Range requests. */
	setRangeMode(emulator: CloudEmulator, mode: RangeMode): void;

	/** The cloud's "instance in the wrong state" error, and the HTTP status it comes with (e.g. a 403, or 200). */
	wrongState: {
		code: string;
		httpStatus: number;
		/** An `error` fault that answers `action` with it. */
		fault(action: string, times?: number): FaultSpec;
	};

	/**
	 * The node's advice per error kind for its API calls (its provider's describeKind). A credential problem gets
	 * `apiAdvice('auth')`; errors of other causes (an instance in the wrong state, the storage behind download URLs)
	 * must not get the API's advice about credentials, endpoints or rate limits of the AccessKey.
	 */
	apiAdvice(kind: CloudErrorKind): string;

	fuzz: WireFuzz;
	params: ParameterBuilders;

	/**
	 * The parameters that select an instance by an expression (e.g. `={{ $json.instance }}`), for operations that do
	 * not care about the variant (Create).
	 */
	instanceByExpression(expression: string): INodeParameters;
	/** An instance ID the node must refuse before sending anything. */
	invalidInstanceId: string;

	/** Parameter names as the panel shows them, for the messages of input errors. */
	labels: {
		/** The instance parameter. */
		instance: string;
		/** The job/task ID parameter of Wait Until Finished. */
		taskId: string;
		/** The retention parameter of Create, where it has one (with `retentionDays`). */
		retentionDays?: string;
	};
	/** The Region parameter, where the node has one. */
	region?: { parameter: string; label: string };
	/** Retention a manual backup accepts, in days; absent where Create takes no retention (UCloud URedis). */
	retentionDays?: { min: number; max: number };
}

/** The storage's checksum of `file` (its own, else the CRC-64 that OSS and COS send). */
export function storageChecksumOf(file: FileFixture): { algorithm: string; value: string } {
	return file.checksum ?? { algorithm: 'crc64ecma', value: file.crc64 };
}

/**
 * The fields of a Download item that say `file`'s bytes were verified against the storage's checksum of it: the
 * algorithm, the checksum the node computed (equal to the storage's), and that they matched.
 */
export function verifiedDownloadFields(file: FileFixture): IDataObject {
	const { algorithm, value } = storageChecksumOf(file);
	return { checksumVerified: true, checksumAlgorithm: algorithm, [DOWNLOAD_CHECKSUM_FIELD]: value };
}

// ---- Running the node ------------------------------------------------------------------------------------------

/** The field of a Download item with the checksum the node computed of the bytes it stored. */
export const DOWNLOAD_CHECKSUM_FIELD = 'checksum';

/** Name of the cloud's node in the workflows built here. */
export const NODE_NAME = 'Cloud';

export interface CloudRunOptions {
	/** Input items (json) fed to the node; default one empty item. */
	items?: IDataObject[];
	/** Of the single node (runCloudNode); chains set it per step. */
	onError?: INode['onError'];
	/** Aborting it stops the execution like the editor's Stop button. */
	signal?: AbortSignal;
	/** Fields of the credential's data to replace. */
	credential?: Record<string, string>;
	settings?: IWorkflowSettings;
}

export interface CloudStep {
	name: string;
	parameters: INodeParameters;
	onError?: INode['onError'];
}

/** Manual Trigger -> Items (NoOp with the pinned items) -> steps[0] -> steps[1] -> ... through n8n's engine. */
export async function runCloudChain(
	kit: CloudKit,
	emulator: CloudEmulator,
	steps: CloudStep[],
	options: CloudRunOptions = {},
): Promise<RunWorkflowResult> {
	const setup = {
		nodeType: kit.node.type,
		node: kit.node.create(),
		nodeIdPrefix: 'cloud',
		credentialTypes: kit.credential.types,
		credential: kit.credential.forEmulator(emulator, options.credential),
	};
	return await runNodeChain(setup, steps, options);
}

/** One cloud node (named NODE_NAME) after the pinned items. */
export async function runCloudNode(
	kit: CloudKit,
	emulator: CloudEmulator,
	parameters: INodeParameters,
	options: CloudRunOptions = {},
): Promise<RunWorkflowResult> {
	return await runCloudChain(kit, emulator, [{ name: NODE_NAME, parameters, onError: options.onError }], options);
}

// ---- The emulator of one describe block ------------------------------------------------------------------------

/**
 * A fresh emulator for one describe block: started (with n8n's filesystem binary store) in beforeAll, reset before
 * each test, stopped (and the store and temp folder removed) in afterAll. The same lifecycle as the workflow tests'
 * `useEmulator`, for any cloud.
 */
export function useCloudEmulator(kit: CloudKit, options: KitEmulatorOptions = {}): CloudEmulator {
	const emulator = new CloudEmulator(kit.emulator.options(options));
	beforeAll(async () => {
		await emulator.start();
		await initBinaryDataStore();
	});
	beforeEach(() => kit.emulator.reset(emulator));
	afterAll(async () => {
		await emulator.stop();
		await cleanupBinaryDataStore();
	});
	return emulator;
}

/** A position in the cloud's request log, to look only at what one run sent. */
export function markRequests(kit: CloudKit, emulator: CloudEmulator): number {
	return kit.emulator.server(emulator).requests.length;
}

/** Requests logged since `mark`, optionally only those of one action (`kit.actions.download` for downloads). */
export function requestsSince(
	kit: CloudKit,
	emulator: CloudEmulator,
	mark: number,
	action?: string,
): RequestLogEntry[] {
	return kit.emulator
		.server(emulator)
		.requests.slice(mark)
		.filter((entry) => action === undefined || entry.action === action);
}

/**
 * Runs `then` once, right when the first request matching `match` is logged (the emulator logs an API answer as it
 * sends it, before the client can act on it): e.g. to queue a fault for the NEXT call of an action. Returns a
 * function that removes the hook.
 */
export function onceLogged(
	kit: CloudKit,
	emulator: CloudEmulator,
	match: (entry: RequestLogEntry) => boolean,
	then: () => void,
): () => void {
	const log = kit.emulator.server(emulator).requests;
	const original = log.push;
	const restore = () => {
		log.push = original;
	};
	log.push = function (this: RequestLogEntry[], ...entries: RequestLogEntry[]): number {
		const length = original.apply(this, entries);
		if (entries.some(match)) {
			restore();
			then();
		}
		return length;
	};
	return restore;
}

/** Queues a fault on the cloud's emulator. */
export function pushFault(kit: CloudKit, emulator: CloudEmulator, fault: FaultSpec): void {
	kit.emulator.server(emulator).faults.push(fault);
}

// ---- Reading results -------------------------------------------------------------------------------------------

export type RecordedError = Error & {
	description?: string | null;
	httpCode?: string | null;
	errorResponse?: { kind?: string; code?: string | null; action?: string | null };
	context?: { itemIndex?: number };
};

/** The node's error as n8n recorded it, failing clearly when there is none. */
export function nodeErrorOf(result: RunWorkflowResult, nodeName = NODE_NAME): RecordedError {
	const error = result.nodeError(nodeName);
	if (!error) throw new Error(`expected node "${nodeName}" to fail, but it did not (status ${result.status})`);
	return error as RecordedError;
}

/** The node's error kind (integrity, auth, client, ...) as its NodeApiError carries it; undefined for other errors. */
export function errorKindOf(error: unknown): string | undefined {
	return (error as RecordedError | undefined)?.errorResponse?.kind;
}

/**
 * Everything n8n keeps of a run (run data, items, errors with their causes), as one string: what a secret must never
 * be part of. Errors are written with their message, stack and cause; an object seen before is written once.
 */
export function runText(result: RunWorkflowResult): string {
	const seen = new WeakSet<object>();
	return JSON.stringify(result.run, (_key, value: unknown) => {
		if (value === null || typeof value !== 'object') return value;
		if (seen.has(value)) return '[seen]';
		seen.add(value);
		if (value instanceof Error) {
			return { ...value, message: value.message, stack: value.stack, cause: (value as { cause?: unknown }).cause };
		}
		return value;
	});
}

export async function storedBytes(binary: IBinaryData): Promise<Buffer> {
	return await readBinary(binary);
}

/** The binary of an output item, failing clearly when it has none. */
export function binaryOf(item: INodeExecutionData, field = 'data'): IBinaryData {
	const binary = item.binary?.[field];
	if (!binary) throw new Error(`the item has no binary "${field}": ${JSON.stringify(item.json).slice(0, 300)}`);
	return binary;
}

/** Files below `dir` (every file, or those whose name matches `pattern`). */
export async function filesIn(dir: string, pattern?: RegExp): Promise<string[]> {
	let entries;
	try {
		entries = await readdir(dir, { withFileTypes: true, recursive: true });
	} catch {
		return [];
	}
	return entries
		.filter((entry) => entry.isFile() && (pattern === undefined || pattern.test(entry.name)))
		.map((entry) => path.join(entry.parentPath ?? dir, entry.name));
}

/** Files below `dir` whose names mark an unfinished write of n8n's filesystem store (`<file>.tmp.<pid>.<uuid>`). */
export async function tempFilesIn(dir: string): Promise<string[]> {
	return await filesIn(dir, /\.tmp(\.|$)/);
}

/** The store's folder (initBinaryDataStore is idempotent: it returns the folder the describe block set up). */
export async function binaryStoreDir(): Promise<string> {
	return await initBinaryDataStore();
}

export const sleep = async (ms: number) => await new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 20 ms until it holds; throws `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
		await sleep(20);
	}
}

/** "… failed after 4 tries …" → 4; undefined when the message claims no count. */
export function claimedTries(message: string): number | undefined {
	const match = /after (\d+) (?:tries|attempts)/i.exec(message);
	return match ? Number(match[1]) : undefined;
}
