import { DateTime } from 'luxon';
import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	sleep,
} from 'n8n-workflow';

import { CloudApiError, isAmbiguous } from '../../../common/errors';
import { InputError, requirePositiveNumber, requireText } from '../../../common/input';
import { type Backup, type BackupTask, TERMINAL_STATUSES } from '../../../common/model';
import { collectPages } from '../../../common/paginate';
import {
	validateWaiterOptions,
	waitUntil,
	type WaiterCheck,
	type WaiterResult,
	WaiterTimeoutError,
} from '../../../common/waiter';
import type { AlibabaContext } from '../../normalize';
import { type BackupListKind, describeBackupTasks, listBackups } from '../../transport/api';
import type { AlibabaRedisClient } from '../../transport/client';
import { createClient, instanceKind, itemContext, optionsCollection } from '../shared';

const show = { resource: ['backupTask'], operation: ['waitUntilFinished'] };

/** One job ID, or several separated by commas (older cluster instances answer CreateBackup with "id1,id2"). */
const TASK_IDS_PATTERN = /^\d{1,20}(\s*,\s*\d{1,20})*$/;

/**
 * How long a task may be missing from DescribeBackupTasks, without a backup to show for it, before we call it
 * gone: the list is eventually consistent right after CreateBackup. At least 3 checks, and 10 poll intervals
 * capped at a minute.
 */
const MIN_MISSES = 3;
const MAX_MISSING_MS = 60_000;

/** Errors in a row (throttling, 5xx, lost answers) a long wait rides out before it gives up. */
const MAX_CONSECUTIVE_ERRORS = 5;

/** A cluster backup set is stamped within this much of the job that made it. */
const SET_START_TOLERANCE_MINUTES = 2;

export const description: INodeProperties[] = [
	{
		displayName: 'Backup Job ID',
		name: 'taskId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show },
		placeholder: 'e.g. 1162****',
		description: 'The ID returned by Backup → Create (taskId)',
	},
	optionsCollection(show, [
		{
			displayName: 'Backoff',
			name: 'backoff',
			type: 'boolean',
			default: true,
			description:
				'Whether to lengthen the interval between checks (with jitter) up to Max Poll Interval',
		},
		{
			displayName: 'Include Backup',
			name: 'includeBackup',
			type: 'boolean',
			default: true,
			description: 'Whether to look up the finished backup and add it to the output as "backup"',
		},
		{
			displayName: 'Max Poll Interval (Seconds)',
			name: 'maxPollIntervalSeconds',
			type: 'number',
			default: 60,
			typeOptions: { minValue: 0.1, numberPrecision: 1 },
		},
		{
			displayName: 'Max Wait Time (Minutes)',
			name: 'maxWaitMinutes',
			type: 'number',
			default: 60,
			typeOptions: { minValue: 0.01, numberPrecision: 2 },
			description: 'Fail when the task has not finished after this long',
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollIntervalSeconds',
			type: 'number',
			default: 10,
			typeOptions: { minValue: 0.1, numberPrecision: 1 },
			description: 'Time between the first checks',
		},
	]),
];

interface WaitState {
	/** The job's rows as last seen (a cluster job has one per data node). */
	tasks: BackupTask[];
	backup: Backup | null;
}

/**
 * The backup a job produced: standard backups carry the job ID; a cluster set is the first one started with
 * (or just before) the job. A job never seen cannot be matched by time, so it has no backup.
 */
async function backupOfJob(
	client: AlibabaRedisClient,
	kind: BackupListKind,
	context: AlibabaContext,
	taskIds: string[],
	seen: BackupTask[],
): Promise<Backup | null> {
	const startedAt = seen
		.map((t) => t.startedAt)
		.filter((t): t is string => t !== null)
		.sort()[0];
	if (kind === 'cluster' && !startedAt) return null;
	const end = DateTime.utc().plus({ minutes: 5 });
	const jobStart = startedAt
		? DateTime.fromISO(startedAt, { zone: 'utc' })
		: end.minus({ days: 2 });
	const start = jobStart.minus({ minutes: SET_START_TOLERANCE_MINUTES });
	const found: Backup[] = [];
	for (const taskId of kind === 'standard' ? taskIds : [undefined]) {
		found.push(
			...(await collectPages(
				listBackups(client, { kind, context, start, end, pageSize: 30, taskId }),
			)),
		);
	}
	if (kind === 'standard') {
		// One backup per data node may carry the job ID: the job's outcome is the worst of theirs.
		const mine = found.filter((b) => b.taskId !== null && taskIds.includes(b.taskId));
		return (
			mine.find((b) => b.status === 'failed') ??
			mine.find((b) => b.status !== 'succeeded') ??
			mine[0] ??
			null
		);
	}
	// The set stamped closest to the job's start: another job of the same cluster may have run minutes before.
	const distance = (b: Backup) =>
		Math.abs(
			DateTime.fromISO(String(b.startedAt), { zone: 'utc' }).diff(jobStart).as('milliseconds'),
		);
	const candidates = found
		.filter((b) => b.startedAt !== null && distance(b) <= SET_START_TOLERANCE_MINUTES * 60_000)
		.sort((a, b) => distance(a) - distance(b));
	return candidates[0] ?? null;
}

function isTransient(error: unknown): boolean {
	return error instanceof CloudApiError && (error.kind === 'throttled' || isAmbiguous(error));
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const kind = instanceKind.call(this, itemIndex);
	const taskIdText = requireText(
		this.getNodeParameter('taskId', itemIndex, ''),
		'Backup Job ID',
		TASK_IDS_PATTERN,
		'11620000 (a number, or several separated by commas)',
	);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const minDelayMs =
		requirePositiveNumber(options.pollIntervalSeconds ?? 10, 'Poll Interval (Seconds)') * 1000;
	const maxDelayMs =
		requirePositiveNumber(options.maxPollIntervalSeconds ?? 60, 'Max Poll Interval (Seconds)') *
		1000;
	const maxWaitMs =
		requirePositiveNumber(options.maxWaitMinutes ?? 60, 'Max Wait Time (Minutes)') * 60_000;
	const invalid = validateWaiterOptions({ minDelayMs, maxDelayMs, maxWaitMs });
	if (invalid) throw new InputError('Max Poll Interval (Seconds)', invalid);
	const includeBackup = options.includeBackup !== false;
	const context = await itemContext.call(this, itemIndex);
	const client = createClient(this);

	const taskIds = taskIdText.split(',').map((id) => id.trim());
	const firstCheck = Date.now();
	let seen: BackupTask[] = [];
	let misses = 0;
	let missingSince: number | null = null;
	let errorsInARow = 0;
	const maxMissingMs = Math.min(MAX_MISSING_MS, 10 * minDelayMs);

	const checkOnce = async (): Promise<WaiterCheck<WaitState>> => {
		const listed = await describeBackupTasks(client, context, {
			taskId: taskIds.length === 1 ? taskIds[0] : undefined,
		});
		const rows = listed.filter((t) => taskIds.includes(t.taskId));
		if (rows.length > 0) {
			seen = rows;
			misses = 0;
			missingSince = null;
			const ended = rows.find((t) => TERMINAL_STATUSES.has(t.status) && t.status !== 'succeeded');
			if (ended) {
				return {
					state: 'failure',
					value: { tasks: rows, backup: null },
					reason: `Backup task ${taskIdText} ended as ${ended.providerStatus ?? ended.status}${ended.nodeId ? ` on node ${ended.nodeId}` : ''}`,
				};
			}
			// A cluster job runs on every data node: it is finished when every row is.
			if (!rows.every((t) => t.status === 'succeeded'))
				return { state: 'retry', value: { tasks: rows, backup: null } };
			if (!includeBackup) return { state: 'success', value: { tasks: rows, backup: null } };
		}
		// Finished tasks drop out of DescribeBackupTasks; what the job produced tells how it ended.
		const backup = await backupOfJob(client, kind, context, taskIds, seen);
		if (backup?.status === 'succeeded') return { state: 'success', value: { tasks: seen, backup } };
		if (backup?.status === 'failed') {
			return {
				state: 'failure',
				value: { tasks: seen, backup },
				reason: `Backup task ${taskIdText} failed: its backup ${backup.backupId} ended with status ${backup.providerStatus ?? backup.status}`,
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
					? `Backup task ${taskIdText} disappeared (last seen ${seen[0].providerStatus ?? 'in an unknown state'}) without producing a backup`
					: `Backup task ${taskIdText} was not found on instance ${context.instanceId} (checked for ${Math.round((Date.now() - firstCheck) / 1000)} s)`,
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
			minDelayMs,
			maxDelayMs,
			maxWaitMs,
			backoff: options.backoff === false ? 'fixed' : 'exponential',
			signal: this.getExecutionCancelSignal(),
			sleep,
		});
	} catch (error) {
		failure = error;
	}
	if (waited === undefined) {
		// Name the task and the limit the user set: with several items, "still not finished" alone says neither.
		if (failure instanceof WaiterTimeoutError) {
			const lastState = failure.lastValue as WaitState | undefined;
			const last =
				lastState?.tasks.map((t) => t.providerStatus).find((p) => p !== 'Finished') ??
				lastState?.tasks[0]?.providerStatus ??
				(lastState?.backup
					? `its backup ${lastState.backup.providerStatus ?? lastState.backup.status}`
					: undefined);
			throw new WaiterTimeoutError(
				`Backup task ${taskIdText} did not finish within the Max Wait Time of ${maxWaitMs / 60_000} min${last ? ` (last seen ${last})` : ''}: ${failure.message}`,
				failure.lastValue,
				failure.attempts,
				failure.waitedMs,
			);
		}
		return await Promise.reject(failure);
	}
	const { value, attempts, waitedMs } = waited;

	const backup = includeBackup ? value.backup : null;
	// A job that already dropped out of DescribeBackupTasks finished through its backup: its status is derived
	// from that backup, while providerStatus and raw stay what the cloud last said about the task.
	const [first] = value.tasks;
	const task: BackupTask = first
		? { ...first, status: 'succeeded', progressPercent: 100 }
		: {
				kind: 'backupTask',
				provider: 'alibaba',
				region: context.region,
				instanceId: context.instanceId,
				taskId: taskIdText,
				status: 'succeeded',
				providerStatus: null,
				progressPercent: 100,
				mode: backup?.mode ?? 'unknown',
				providerMode: backup?.providerMode ?? null,
				startedAt: backup?.startedAt ?? null,
				nodeId: null,
				raw: {},
			};
	const json: IDataObject = {
		...(task as unknown as IDataObject),
		nodeCount: value.tasks.length || null,
		checks: attempts,
		waitedMs,
	};
	if (includeBackup) json.backup = backup as unknown as IDataObject;
	return [{ json }];
}
