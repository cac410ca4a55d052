/**
 * The provider contract: what every cloud's adapter does, in the one model's terms. The shared rules (list,
 * look up, download, wait for a job, create) are written once against this interface; a cloud adds an adapter
 * (its actions, codes and record tables) and inherits every rule and every behaviour test.
 *
 * Provider-neutral by rule: no cloud's names or values appear here.
 */
import type { DateTime } from 'luxon';

import type { CloudErrorKind } from './errors';
import type { Backup, BackupTask, Provider } from './model';
import type { Page } from './paginate';

/** Where a backup lives: the region (null where the cloud has none in the call) and the instance. */
export interface InstanceRef {
	region: string | null;
	instanceId: string;
	/**
	 * How this instance's backups are read where the cloud has more than one way: per instance flavour (one cloud
	 * lists cluster backup sets with another action than standard backups) or per API generation (one cloud still
	 * serves some accounts through an older API); '' where it has one way only. Only the adapter reads it.
	 */
	variant: string;
	/**
	 * The availability zone, for clouds whose calls may name one; undefined where the cloud does not
	 * take one or the user left it to the cloud.
	 */
	zone?: string;
}

export interface BackupPageQuery {
	instance: InstanceRef;
	/** The search window; an adapter may widen it to what its API accepts, the rules clip what comes back. */
	start: DateTime;
	end: DateTime;
	/** Narrow to one backup where the API can (a lookup by ID); the rule still checks the ID of what comes back. */
	backupId?: string;
	/** Narrow to the backups of one job where the API can. */
	jobId?: string;
}

export interface InstanceChoice {
	instanceId: string;
	/** What the picker shows, e.g. "orders-cache (r-bp1…, cluster)". */
	label: string;
	/** The instance's page in the cloud's console, when there is one. */
	url?: string;
	/**
	 * How this instance's backups are read (`InstanceRef.variant`), where the instance list tells it (a trigger
	 * watching every instance of a region takes it from here); undefined: the adapter's default.
	 */
	variant?: string;
	/** The instance's availability zone, where the instance list tells it. */
	zone?: string;
}

/**
 * The rate a cloud documents for one API action (per account, per action): at most `requests` in any `perMs`.
 * Callers that fan out over many instances (the backup trigger) stay under it instead of flooding and retrying.
 */
export interface RequestRate {
	requests: number;
	perMs: number;
	/** Where the figure comes from, for the docs. */
	source: string;
}

export interface InstancePage {
	instances: InstanceChoice[];
	/** Opaque token for the next page; undefined on the last one. */
	nextPageToken?: string;
}

export interface CreateBackupOptions {
	/** Days the cloud keeps this manual backup; undefined keeps the instance's policy. */
	retentionDays?: number;
	remark?: string;
	/** The backup's name, for clouds that name manual backups; checked by the node. */
	name?: string;
}

export interface TaskFilter {
	taskId?: string;
	/** The cloud's own job-mode value (the node's option values are the cloud's). */
	mode?: string;
}

/**
 * A streaming checksum: fed every byte of a body in order, as it passes (the chunks are views into the response's
 * buffers: read them, never keep or change them), then read once at the end.
 */
export interface ChecksumHasher {
	update(chunk: Uint8Array): unknown;
	/**
	 * The checksum of everything fed, in the form `ChecksumSpec.parse` gives the header's value. Nothing is fed after
	 * it; calling it again gives the same value.
	 */
	digest(): string;
}

/**
 * How a download is verified against the object storage: an algorithm the storage computes over the whole object
 * and sends in a response header (on a ranged answer too), which the downloader computes while the bytes stream.
 */
export interface ChecksumSpec {
	/** Its name in the Download item's `checksumAlgorithm` ("crc64ecma"). */
	algorithm: string;
	/** How messages name it ("CRC-64"). */
	label: string;
	/** The response header carrying the whole object's checksum (lower case). */
	header: string;
	/** A fresh hasher for a body from byte 0 (a resumed body continues the one its pass started). */
	createHasher(): ChecksumHasher;
	/**
	 * The header's value in `digest()`'s form, or null when it is not a checksum of this algorithm (e.g. an ETag the
	 * storage made another way): the file is then not verified, which is not an error. `size` is the file's size
	 * when known (for formats that encode it).
	 */
	parse(value: string, size: number | null): string | null;
}

/** What the object storage behind the download URLs sends, for integrity checks. */
export interface StorageTraits {
	/** How a download is verified beyond its length, or null where the storage sends no checksum. */
	checksum: ChecksumSpec | null;
}

export interface BackupProvider {
	readonly id: Provider;
	/** The cloud's name as users know it, for messages: "Alibaba Cloud". */
	readonly label: string;
	/** How the backup list is addressed: by page number (1, 2, …) or by item offset (0, n, 2n, …). */
	readonly paging: 'pageNumber' | 'offset';
	readonly storage: StorageTraits;
	/**
	 * The longest time range one backup list request may span (ms), where the cloud limits it; `listBackups` then
	 * splits a longer range into consecutive windows, newest first. Undefined: no limit.
	 */
	readonly maxListRangeMs?: number;
	/**
	 * Whether the backup list API takes a time range (default true). Where it takes none (it lists every backup the
	 * cloud keeps for the instance), the rules apply the range themselves, before Limit counts, and a lookup by ID
	 * searches every backup listed.
	 */
	readonly listsByTimeRange?: boolean;
	/**
	 * Whether the list API documents its order as newest first (default true). False: the rules read each time
	 * window whole and sort it themselves before Limit counts (a limit must keep the newest backups).
	 */
	readonly listsNewestFirst?: boolean;
	/**
	 * What a backup job is. 'task' (the default): the cloud has a task API; a job's rows are its tasks. 'backup': the
	 * cloud has none, so a job is the backup it makes: its ID is the backup's ID, `listJobTasks` gives the backup's
	 * own state as rows and `findJobBackup` the backup itself (Wait Until Finished polls the backup).
	 */
	readonly jobKind?: 'task' | 'backup';
	/**
	 * Whether a backup appears in the backup list while it runs (default true). False: a running backup is seen only
	 * as a task (`listTasks`), whose task ID is the finished backup's `taskId`.
	 */
	readonly listsRunningBackups?: boolean;
	/** The documented rate of the actions a list, a task list and an instance search send. */
	readonly requestRate: RequestRate;

	/** One page of backups; items are normalized, `total` is the cloud's count when it sends one. */
	fetchBackupPage(
		query: BackupPageQuery,
		position: number,
		pageSize: number,
	): Promise<Page<Backup>>;

	/**
	 * The backup with its files (names, sizes, download URLs) filled in, for clouds whose list records carry none
	 * and give them by another call. Called only for a succeeded backup (see `backupWithFiles`). Undefined where
	 * the list records already carry their files.
	 */
	fetchBackupFiles?(instance: InstanceRef, backup: Backup): Promise<Backup>;

	/** Backup tasks of an instance (Backup Task → Get). */
	listTasks(instance: InstanceRef, filter: TaskFilter): Promise<BackupTask[]>;

	/**
	 * The rows of one backup job as the cloud lists them now (a cluster job has one per data node); [] when the
	 * job is not listed, which on some clouds is how a finished job looks.
	 */
	listJobTasks(instance: InstanceRef, jobIds: string[]): Promise<BackupTask[]>;

	/**
	 * The backup a job produced, searched in [start, end) (the rule allows for clock skew), or null when none is
	 * listed yet. `seen` are the job's rows as last seen (clouds whose backups carry no job ID match one to a job by
	 * its start time: `closestToJobStart` in backups.ts).
	 */
	findJobBackup(
		instance: InstanceRef,
		jobIds: string[],
		seen: BackupTask[],
		window: { start: DateTime; end: DateTime },
	): Promise<Backup | null>;

	/**
	 * Starts a backup. Sent once: the adapter must not retry it after an ambiguous failure, and must refuse an
	 * answer without a task ID (kind 'malformed').
	 */
	createBackup(instance: InstanceRef, options: CreateBackupOptions): Promise<BackupTask>;

	/** The instance picker: instances of a region matching `filter` (ID or name), page by page. */
	searchInstances(
		region: string,
		filter: string | undefined,
		pageToken?: string,
	): Promise<InstancePage>;

	/** Advice per kind of error, in the cloud's terms (console names, policy names). */
	describeKind(kind: CloudErrorKind): string;
}
