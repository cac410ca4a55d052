/**
 * Wait until a backup job is finished, for any cloud: poll the job's rows (a cluster job has one per data node)
 * until every row is finished, then, when asked, until the job's backup is listed as succeeded. Finished jobs
 * drop out of some clouds' task lists, so what the job produced tells how it ended; a job missing without a
 * backup for a while has vanished; a long wait rides out a few transient errors. A cloud without a task API
 * (`provider.jobKind` 'backup') polls the same way: its job ID is the backup's ID and its rows are the backup's state.
 */
import { DateTime } from 'luxon';

import { CLOCK_SKEW_MS, jobStartOf, searchWindow } from './backups';
import { CloudApiError, isAmbiguous } from './errors';
import { type Backup, type BackupTask, TERMINAL_STATUSES } from './model';
import type { BackupProvider, InstanceRef } from './provider';
import { waitUntil, type WaiterCheck, type WaiterResult, WaiterTimeoutError } from './waiter';

/**
 * How long a job may be missing, without a backup to show for it, before we call it gone: task lists are
 * eventually consistent right after a create. At least 3 checks, and 10 poll intervals capped at a minute.
 */
const MIN_MISSES = 3;
const MAX_MISSING_MS = 60_000;

/** Errors in a row (throttling, 5xx, lost answers) a long wait rides out before it gives up. */
const MAX_CONSECUTIVE_ERRORS = 5;

/** Where to look for the backup of a job never seen in the task list. */
const UNSEEN_JOB_SEARCH_DAYS = 2;

export interface WaitForJobOptions {
	minDelayMs: number;
	maxDelayMs: number;
	maxWaitMs: number;
	backoff: 'exponential' | 'fixed';
	includeBackup: boolean;
	signal?: AbortSignal;
	sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface WaitForJobResult {
	/** The job as a task: its first row, with the outcome the wait established. */
	task: BackupTask;
	/** The finished backup (null unless includeBackup). */
	backup: Backup | null;
	/** How many rows (data nodes) the job had, when it was seen. */
	nodeCount: number | null;
	checks: number;
	waitedMs: number;
}

interface WaitState {
	tasks: BackupTask[];
	backup: Backup | null;
}

function isTransient(error: unknown): boolean {
	return error instanceof CloudApiError && (error.kind === 'throttled' || isAmbiguous(error));
}

/** The window a job's backup is searched in: from the job's start (or 2 days back), allowing for clock skew. */
function jobWindow(seen: BackupTask[]): { start: DateTime; end: DateTime } {
	const startedAt = jobStartOf(seen);
	const window = searchWindow({ days: UNSEEN_JOB_SEARCH_DAYS });
	if (!startedAt) return window;
	const jobStart = DateTime.fromISO(startedAt, { zone: 'utc' });
	return { start: jobStart.minus({ milliseconds: CLOCK_SKEW_MS }), end: window.end };
}

export async function waitForJob(
	provider: BackupProvider,
	instance: InstanceRef,
	jobIds: string[],
	options: WaitForJobOptions,
): Promise<WaitForJobResult> {
	const jobLabel = jobIds.join(',');
	// Where the cloud has no task API the job is the backup itself (provider.jobKind): name it so.
	const backupIsJob = provider.jobKind === 'backup';
	const noun = backupIsJob ? 'Backup' : 'Backup task';
	const firstCheck = Date.now();
	let seen: BackupTask[] = [];
	let misses = 0;
	let missingSince: number | null = null;
	let errorsInARow = 0;
	const maxMissingMs = Math.min(MAX_MISSING_MS, 10 * options.minDelayMs);

	const checkOnce = async (): Promise<WaiterCheck<WaitState>> => {
		const rows = (await provider.listJobTasks(instance, jobIds)).filter((task) =>
			jobIds.includes(task.taskId),
		);
		if (rows.length > 0) {
			seen = rows;
			misses = 0;
			missingSince = null;
			const ended = rows.find(
				(task) => TERMINAL_STATUSES.has(task.status) && task.status !== 'succeeded',
			);
			if (ended) {
				return {
					state: 'failure',
					value: { tasks: rows, backup: null },
					reason: `${noun} ${jobLabel} ended as ${ended.providerStatus ?? ended.status}${ended.nodeId ? ` on node ${ended.nodeId}` : ''}`,
				};
			}
			// A cluster job runs on every data node: it is finished when every row is.
			if (!rows.every((task) => task.status === 'succeeded'))
				return { state: 'retry', value: { tasks: rows, backup: null } };
			if (!options.includeBackup) return { state: 'success', value: { tasks: rows, backup: null } };
		}
		const backup = await provider.findJobBackup(instance, jobIds, seen, jobWindow(seen));
		if (backup?.status === 'succeeded') return { state: 'success', value: { tasks: seen, backup } };
		if (backup?.status === 'failed') {
			return {
				state: 'failure',
				value: { tasks: seen, backup },
				reason: `${noun} ${jobLabel} failed: its backup ${backup.backupId} ended with status ${backup.providerStatus ?? backup.status}`,
			};
		}
		if (rows.length > 0 || backup) {
			// Finished but its backup not listed yet, or the backup still being written: keep waiting.
			return { state: 'retry', value: { tasks: seen, backup } };
		}
		misses++;
		missingSince ??= Date.now();
		if (misses >= MIN_MISSES && Date.now() - missingSince >= maxMissingMs) {
			return {
				state: 'failure',
				value: { tasks: seen, backup: null },
				reason: seen.length
					? `${noun} ${jobLabel} disappeared (last seen ${seen[0].providerStatus ?? 'in an unknown state'})${backupIsJob ? '' : ' without producing a backup'}`
					: `${noun} ${jobLabel} was not found on instance ${instance.instanceId} (checked for ${Math.round((Date.now() - firstCheck) / 1000)} s)`,
			};
		}
		return { state: 'retry', value: { tasks: seen, backup: null } };
	};

	// A wait can last an hour: a few seconds of throttling or a lost answer must not end it.
	const check = async (): Promise<WaiterCheck<WaitState>> => {
		let result: WaiterCheck<WaitState> | undefined;
		let failure: unknown;
		try {
			result = await checkOnce();
		} catch (error) {
			failure = error;
		}
		if (result) {
			errorsInARow = 0;
			return result;
		}
		errorsInARow++;
		if (!isTransient(failure) || errorsInARow >= MAX_CONSECUTIVE_ERRORS)
			return await Promise.reject(failure);
		return { state: 'retry', value: { tasks: seen, backup: null } };
	};

	let waited: WaiterResult<WaitState> | undefined;
	let failure: unknown;
	try {
		waited = await waitUntil(check, {
			minDelayMs: options.minDelayMs,
			maxDelayMs: options.maxDelayMs,
			maxWaitMs: options.maxWaitMs,
			backoff: options.backoff,
			signal: options.signal,
			sleep: options.sleep,
		});
	} catch (error) {
		failure = error;
	}
	if (waited === undefined) {
		// Name the task and the limit: with several items, "still not finished" alone says neither.
		if (failure instanceof WaiterTimeoutError) {
			const lastState = failure.lastValue as WaitState | undefined;
			const last =
				lastState?.tasks.find((t) => t.status !== 'succeeded')?.providerStatus ??
				lastState?.tasks[0]?.providerStatus ??
				(lastState?.backup
					? `its backup ${lastState.backup.providerStatus ?? lastState.backup.status}`
					: undefined);
			throw new WaiterTimeoutError(
				`${noun} ${jobLabel} did not finish within the Max Wait Time of ${options.maxWaitMs / 60_000} min${last ? ` (last seen ${last})` : ''}: ${failure.message}`,
				failure.lastValue,
				failure.attempts,
				failure.waitedMs,
			);
		}
		return await Promise.reject(failure);
	}
	const { value, attempts, waitedMs } = waited;
	const backup = options.includeBackup ? value.backup : null;
	// A job that already dropped out of the task list finished through its backup: its status is derived from
	// that backup, while providerStatus and raw stay what the cloud last said about the task.
	const [first] = value.tasks;
	const task: BackupTask = first
		? { ...first, status: 'succeeded', progressPercent: 100 }
		: {
				kind: 'backupTask',
				provider: provider.id,
				region: instance.region,
				instanceId: instance.instanceId,
				taskId: jobLabel,
				status: 'succeeded',
				providerStatus: null,
				progressPercent: 100,
				mode: backup?.mode ?? 'unknown',
				providerMode: backup?.providerMode ?? null,
				startedAt: backup?.startedAt ?? null,
				nodeId: null,
				raw: {},
			};
	return { task, backup, nodeCount: value.tasks.length || null, checks: attempts, waitedMs };
}
