/**
 * The operations every cloud's node offers, written once: each reads the item's shared parameters, calls one
 * rule against the provider contract and turns the result into items. A cloud's operation file is its
 * description plus an execute that calls one of these with its `CloudNode`.
 */
import { DateTime } from 'luxon';
import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	sleep,
} from 'n8n-workflow';

import { collectPages } from './paginate';
import { listBackups, lookupBackup } from './backups';
import { binaryStoreLimit } from './binaryStore';
import type { StreamedFile } from './download';
import { downloadBackupFiles, verifyBackupFiles } from './downloadFiles';
import { CloudApiError, isAmbiguous } from './errors';
import type { Backup, BackupFile, BackupTask } from './model';
import {
	downloadSettingsOf,
	optionsOf,
	pageSizeOf,
	requestTimeoutMsOf,
	searchDaysOf,
	statusesOf,
	streamSettingsOf,
	waitSettingsOf,
} from './parameters';
import { booleanOf, numberOf, timeRange } from './input';
import type { BackupProvider, CreateBackupOptions, InstanceRef, TaskFilter } from './provider';
import { waitForJob } from './waitForJob';

/** What a cloud's node tells the shared operations: how to reach its provider and read its own parameters. */
export interface CloudNode {
	/** The provider bound to this execution; API calls give up after `requestTimeoutMs`. */
	provider(context: IExecuteFunctions, requestTimeoutMs: number): BackupProvider;
	/** The item's instance (Instance, Region and the cloud's own instance parameters), checked. */
	instanceOf(context: IExecuteFunctions, itemIndex: number): Promise<InstanceRef>;
	/** The Backup ID parameter checked against what this instance's backups look like. */
	backupIdOf(value: unknown, instance: InstanceRef): string;
	/** The Backup Job ID parameter of Wait Until Finished: one or more job IDs. */
	jobIdsOf(value: unknown): string[];
	/** Page sizes the list API accepts; the first is the default. */
	pageSizes: readonly number[];
	/** How long the cloud keeps backups: the limit (and, unless `defaultSearchDays` is set, the default) of "Search Back (Days)". */
	maxSearchDays: number;
	/** The default of "Search Back (Days)" where it is shorter than `maxSearchDays`. */
	defaultSearchDays?: number;
	/** Retention the cloud accepts for a manual backup, in days. */
	retentionDays: { min: number; max: number };
	/**
	 * The parameter Wait Until Finished reads its job ID(s) from (default 'taskId'); a cloud whose job is the backup
	 * itself reads the Backup ID ('backupId').
	 */
	jobIdParameter?: string;
	/** The cloud's own Create parameters (a backup name, say), checked, merged into the create options. */
	createOptionsOf?: (
		context: IExecuteFunctions,
		itemIndex: number,
	) => Partial<CreateBackupOptions> | Promise<Partial<CreateBackupOptions>>;
}

const asJson = (value: unknown) => value as IDataObject;

type SharedOperation = (
	this: IExecuteFunctions,
	itemIndex: number,
	cloud: CloudNode,
) => Promise<INodeExecutionData[]>;

/** An operation file's `execute`: one of the shared operations below, run with the cloud's `CloudNode`. */
export function executeWith(operation: SharedOperation, cloud: CloudNode) {
	return async function execute(
		this: IExecuteFunctions,
		itemIndex: number,
	): Promise<INodeExecutionData[]> {
		return await operation.call(this, itemIndex, cloud);
	};
}

// ---- Backup → List ---------------------------------------------------------------------------------------------

export async function listOperation(
	this: IExecuteFunctions,
	itemIndex: number,
	cloud: CloudNode,
): Promise<INodeExecutionData[]> {
	const instance = await cloud.instanceOf(this, itemIndex);
	const range = timeRange(
		this.getNodeParameter('startTime', itemIndex, ''),
		this.getNodeParameter('endTime', itemIndex, ''),
		DateTime.utc(),
		7,
		{ zone: this.getTimezone() },
	);
	const returnAll = booleanOf(
		this.getNodeParameter('returnAll', itemIndex, false),
		'Return All',
		false,
	);
	const limit = returnAll
		? undefined
		: numberOf(this.getNodeParameter('limit', itemIndex, 50), 'Limit', { min: 1, integer: true });
	const options = optionsOf.call(this, itemIndex);
	const pageSize = pageSizeOf(options.pageSize, cloud.pageSizes);
	const statuses = statusesOf(this.getNodeParameter('statuses', itemIndex, []));
	const provider = cloud.provider(this, requestTimeoutMsOf(options));
	const backups = await collectPages(
		listBackups(provider, { instance, ...range, pageSize, limit, statuses }),
	);
	return backups.map((backup) => ({ json: asJson(backup) }));
}

// ---- Backup → Get, Get Download URL, Download ------------------------------------------------------------------

/**
 * The item's backup, looked up by ID. `withFiles`: with its files (and their download URLs) even where the cloud's
 * list records carry none (see `backupWithFiles`).
 */
async function backupLookupOf(
	this: IExecuteFunctions,
	itemIndex: number,
	cloud: CloudNode,
	withFiles: boolean,
) {
	const instance = await cloud.instanceOf(this, itemIndex);
	const backupId = cloud.backupIdOf(this.getNodeParameter('backupId', itemIndex), instance);
	const options = optionsOf.call(this, itemIndex);
	const searchDays = searchDaysOf(options, cloud.maxSearchDays, cloud.defaultSearchDays);
	const provider = cloud.provider(this, requestTimeoutMsOf(options));
	return {
		provider,
		instance,
		options,
		lookup: await lookupBackup(provider, instance, backupId, searchDays, cloud.pageSizes[0], {
			withFiles,
		}),
	};
}

export async function getOperation(
	this: IExecuteFunctions,
	itemIndex: number,
	cloud: CloudNode,
): Promise<INodeExecutionData[]> {
	const { provider, instance, lookup } = await backupLookupOf.call(this, itemIndex, cloud, false);
	// Where the list records carry no files, a succeeded backup's files are asked for too: Get shows what Download
	// would fetch, and a failed shard (visible only in the files) makes the backup failed here as well.
	const backup =
		provider.fetchBackupFiles && lookup.backup.status === 'succeeded'
			? await provider.fetchBackupFiles(instance, lookup.backup)
			: lookup.backup;
	return [{ json: asJson(backup) }];
}

/** One output item per file: what a "download each file" loop needs, with the backup it belongs to. */
export function fileItem(backup: Backup, file: BackupFile, index: number): IDataObject {
	return {
		provider: backup.provider,
		region: backup.region,
		instanceId: backup.instanceId,
		backupId: backup.backupId,
		backupStatus: backup.status,
		fileIndex: index,
		fileCount: backup.files.length,
		...file,
	} as unknown as IDataObject;
}

export async function getDownloadUrlOperation(
	this: IExecuteFunctions,
	itemIndex: number,
	cloud: CloudNode,
): Promise<INodeExecutionData[]> {
	const { lookup } = await backupLookupOf.call(this, itemIndex, cloud, true);
	const { backup } = lookup;
	return backup.files.map((file, index) => ({ json: fileItem(backup, file, index) }));
}

export async function downloadOperation(
	this: IExecuteFunctions,
	itemIndex: number,
	cloud: CloudNode,
): Promise<INodeExecutionData[]> {
	const options = optionsOf.call(this, itemIndex);
	const settings = downloadSettingsOf.call(this, itemIndex, options);
	const { provider, lookup } = await backupLookupOf.call(this, itemIndex, cloud, true);
	// Without a "Max File Size" of the user's, files n8n's binary store cannot hold are refused before downloading.
	const storeLimit = settings.maxBytes > 0 ? undefined : binaryStoreLimit(this, itemIndex);
	const downloads = await downloadBackupFiles(this, provider, lookup, settings, storeLimit);
	return downloads.map(({ backup, file, index, result }) => ({
		json: {
			...fileItem(backup, file, index),
			downloadedBytes: result.bytes,
			...checksumFields(result),
			...(settings.verify ? verificationFields(result) : {}),
		},
		binary: { [settings.binaryPropertyName]: result.binary },
	}));
}

/** The same fields for every cloud; the algorithm is the one its storage sends (provider.storage.checksum). */
function checksumFields(result: StreamedFile): IDataObject {
	return {
		checksumAlgorithm: result.checksum.algorithm,
		checksumVerified: result.checksum.verified,
		checksum: result.checksum.actual,
		expectedChecksum: result.checksum.expected,
		downloadAttempts: result.attempts,
	};
}

/**
 * What a verifying read found (Download with Verify, and Verify): the file's format, the RDB's version and own
 * checksum, the storage's checksum (null where the storage sent none of its algorithm) and the verifier's sentence.
 * A failed verification never gets here: it is the item's error.
 */
export function verificationFields(result: StreamedFile): IDataObject {
	const verdict = result.verification;
	return {
		format: verdict?.format ?? null,
		rdbVersion: verdict?.rdbVersion ?? null,
		rdbChecksumOk: verdict?.rdbChecksumOk ?? null,
		cloudChecksumOk: result.checksum.expected !== null ? result.checksum.verified : null,
		verification: verdict?.detail ?? null,
	};
}

// ---- Backup → Verify -------------------------------------------------------------------------------------------

/** Streams every file of the backup through the download's checks and the RdbVerifier; stores nothing. */
export async function verifyOperation(
	this: IExecuteFunctions,
	itemIndex: number,
	cloud: CloudNode,
): Promise<INodeExecutionData[]> {
	const settings = streamSettingsOf.call(this, itemIndex, optionsOf.call(this, itemIndex));
	const { provider, lookup } = await backupLookupOf.call(this, itemIndex, cloud, true);
	const files = await verifyBackupFiles(this, provider, lookup, settings);
	return files.map(({ backup, file, index, result }) => ({
		json: {
			...fileItem(backup, file, index),
			verifiedBytes: result.bytes,
			durationMs: result.durationMs,
			...checksumFields(result),
			...verificationFields(result),
		},
	}));
}

// ---- Backup → Create -------------------------------------------------------------------------------------------

export interface PreparedCreate {
	instance: InstanceRef;
	options: CreateBackupOptions;
	requestTimeoutMs: number;
}

/** Everything Create needs from an item, checked before any item's backup is started. */
export async function prepareCreate(
	this: IExecuteFunctions,
	itemIndex: number,
	cloud: CloudNode,
): Promise<PreparedCreate> {
	const instance = await cloud.instanceOf(this, itemIndex);
	const options = optionsOf.call(this, itemIndex);
	const { min, max } = cloud.retentionDays;
	const retentionDays =
		options.retentionDays === undefined
			? undefined
			: numberOf(options.retentionDays, 'Retention Period (Days)', {
					min,
					max,
					integer: true,
					unit: 'days',
				});
	const remark =
		options.remark === undefined ? undefined : String(options.remark).trim() || undefined;
	const own = cloud.createOptionsOf ? await cloud.createOptionsOf(this, itemIndex) : {};
	return {
		instance,
		options: { retentionDays, remark, ...own },
		requestTimeoutMs: requestTimeoutMsOf(options),
	};
}

/**
 * Starts one backup. The adapter sends it once; after an ambiguous failure the error says the backup may or may
 * not have started and was not sent again. An answer without a task ID is malformed, never a success.
 */
export async function createOperation(
	this: IExecuteFunctions,
	prepared: PreparedCreate,
	cloud: CloudNode,
): Promise<INodeExecutionData[]> {
	const provider = cloud.provider(this, prepared.requestTimeoutMs);
	const { instance } = prepared;
	let task: BackupTask | undefined;
	let failure: unknown;
	try {
		task = await provider.createBackup(instance, prepared.options);
	} catch (error) {
		failure = error;
	}
	if (task === undefined) {
		if (failure instanceof CloudApiError && isAmbiguous(failure)) {
			// Where the job is the backup itself there is no task to look at: the backup list tells.
			const check = provider.jobKind === 'backup' ? 'Backup → List' : 'Backup Task → Get';
			throw new CloudApiError(
				`${failure.message.replace(/\.+$/, '')}. The backup of ${instance.instanceId} may or may not have been started, so it was not sent again: check ${check} before creating another`,
				failure.details,
			);
		}
		return await Promise.reject(failure);
	}
	return [{ json: asJson(task) }];
}

/** Named in the error when a later item fails, so a re-run does not start these backups again. */
export function describeCreated(output: INodeExecutionData[]): string | undefined {
	const started = output
		.map((item) => item.json as { instanceId?: unknown; taskId?: unknown })
		.filter((json) => typeof json.taskId === 'string' && json.taskId !== '')
		.map((json) => `backup task ${String(json.taskId)} on ${String(json.instanceId)}`);
	return started.length > 0 ? `started ${started.join(', ')}` : undefined;
}

/**
 * A Create operation file's `prepare` (every item is checked before the first backup is started: common/n8n.ts
 * runOperation), `execute` and `describeDone`, for a cloud whose Create outputs the started task as it is.
 */
export function createWith(cloud: CloudNode) {
	return {
		prepare: async function prepare(
			this: IExecuteFunctions,
			itemIndex: number,
		): Promise<PreparedCreate> {
			return await prepareCreate.call(this, itemIndex, cloud);
		},
		execute: async function execute(
			this: IExecuteFunctions,
			_itemIndex: number,
			prepared?: unknown,
		): Promise<INodeExecutionData[]> {
			return await createOperation.call(this, prepared as PreparedCreate, cloud);
		},
		describeDone: describeCreated,
	};
}

// ---- Backup Task → Get -----------------------------------------------------------------------------------------

/** The instance's backup tasks that match `filter` (read from the cloud's own parameters), one item each. */
export async function tasksOperation(
	this: IExecuteFunctions,
	itemIndex: number,
	cloud: CloudNode,
	filter: TaskFilter,
): Promise<INodeExecutionData[]> {
	const instance = await cloud.instanceOf(this, itemIndex);
	const provider = cloud.provider(this, requestTimeoutMsOf(optionsOf.call(this, itemIndex)));
	const tasks = await provider.listTasks(instance, filter);
	return tasks.map((task) => ({ json: asJson(task) }));
}

// ---- Wait Until Finished (Backup Task; Backup where the job is the backup) -------------------------------------

export async function waitOperation(
	this: IExecuteFunctions,
	itemIndex: number,
	cloud: CloudNode,
): Promise<INodeExecutionData[]> {
	const jobIds = cloud.jobIdsOf(
		this.getNodeParameter(cloud.jobIdParameter ?? 'taskId', itemIndex, ''),
	);
	const settings = waitSettingsOf(optionsOf.call(this, itemIndex));
	const instance = await cloud.instanceOf(this, itemIndex);
	const provider = cloud.provider(this, settings.requestTimeoutMs);
	const result = await waitForJob(provider, instance, jobIds, {
		...settings,
		signal: this.getExecutionCancelSignal(),
		sleep,
	});
	const json: IDataObject = {
		...asJson(result.task),
		nodeCount: result.nodeCount,
		checks: result.checks,
		waitedMs: result.waitedMs,
	};
	if (settings.includeBackup) json.backup = asJson(result.backup);
	return [{ json }];
}
