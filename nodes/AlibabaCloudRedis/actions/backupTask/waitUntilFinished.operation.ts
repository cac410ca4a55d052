import { DateTime } from 'luxon';
import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	sleep,
} from 'n8n-workflow';

import { InputError, requirePositiveNumber, requireText } from '../../../common/input';
import type { Backup, BackupTask } from '../../../common/model';
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
import { createClient, instanceKind, itemContext } from '../shared';
import { TASK_ID_PATTERN } from './get.operation';

const show = { resource: ['backupTask'], operation: ['waitUntilFinished'] };

/** Checks in a row that must miss a task before we call it gone (the list is eventually consistent). */
const MISSES_BEFORE_VANISHED = 3;

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
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
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
		],
	},
];

interface WaitState {
	task: BackupTask | null;
	backup: Backup | null;
}

/** The backup a finished task produced: standard backups carry the job ID; cluster sets are matched by time. */
async function backupOfTask(
	client: AlibabaRedisClient,
	kind: BackupListKind,
	context: AlibabaContext,
	taskId: string,
	task: BackupTask | null,
): Promise<Backup | null> {
	const end = DateTime.utc().plus({ minutes: 5 });
	const started = task?.startedAt ? DateTime.fromISO(task.startedAt, { zone: 'utc' }) : null;
	const start = (started ?? end.minus({ days: 2 })).minus({ minutes: 5 });
	const backups = await collectPages(
		listBackups(client, {
			kind,
			context,
			start,
			end,
			pageSize: 30,
			taskId: kind === 'standard' ? taskId : undefined,
		}),
	);
	if (kind === 'standard') return backups.find((b) => b.taskId === taskId) ?? null;
	return (
		backups
			.filter((b) => !started || (b.startedAt !== null && b.startedAt >= start.toISO()!))
			.sort((a, b) => String(b.startedAt).localeCompare(String(a.startedAt)))[0] ?? null
	);
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const kind = instanceKind.call(this, itemIndex);
	const taskId = requireText(
		this.getNodeParameter('taskId', itemIndex, ''),
		'Backup Job ID',
		TASK_ID_PATTERN,
		'11620000 (a number)',
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

	let lastSeen: BackupTask | null = null;
	let misses = 0;
	const check = async (): Promise<WaiterCheck<WaitState>> => {
		const tasks = await describeBackupTasks(client, context, { taskId });
		const task = tasks.find((t) => t.taskId === taskId) ?? null;
		if (task) {
			lastSeen = task;
			misses = 0;
			return {
				state: task.status === 'succeeded' ? 'success' : 'retry',
				value: { task, backup: null },
			};
		}
		// Finished tasks drop out of DescribeBackupTasks; what the task produced tells how it ended.
		const backup = await backupOfTask(client, kind, context, taskId, lastSeen);
		if (backup?.status === 'succeeded')
			return { state: 'success', value: { task: lastSeen, backup } };
		if (backup?.status === 'failed') {
			return {
				state: 'failure',
				value: { task: lastSeen, backup },
				reason: `Backup task ${taskId} failed: its backup ${backup.backupId} ended with status ${backup.providerStatus ?? backup.status}`,
			};
		}
		misses++;
		if (misses >= MISSES_BEFORE_VANISHED) {
			return {
				state: 'failure',
				value: { task: lastSeen, backup },
				reason: lastSeen
					? `Backup task ${taskId} disappeared (last seen ${lastSeen.providerStatus ?? 'in an unknown state'}) without producing a backup`
					: `Backup task ${taskId} was not found on instance ${context.instanceId}`,
			};
		}
		return { state: 'retry', value: { task: lastSeen, backup } };
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
			const last = (failure.lastValue as WaitState | undefined)?.task?.providerStatus;
			throw new WaiterTimeoutError(
				`Backup task ${taskId} did not finish within the Max Wait Time of ${maxWaitMs / 60_000} min${last ? ` (last seen ${last})` : ''}: ${failure.message}`,
				failure.lastValue,
				failure.attempts,
				failure.waitedMs,
			);
		}
		return await Promise.reject(failure);
	}
	const { value, attempts, waitedMs } = waited;

	const backup = includeBackup
		? (value.backup ?? (await backupOfTask(client, kind, context, taskId, value.task)))
		: null;
	// A task that already dropped out of DescribeBackupTasks finished through its backup: its status is
	// derived from that backup, while providerStatus and raw stay what the cloud last said about the task.
	const task: BackupTask = value.task
		? { ...value.task, status: 'succeeded', progressPercent: 100 }
		: {
				kind: 'backupTask',
				provider: 'alibaba',
				region: context.region,
				instanceId: context.instanceId,
				taskId,
				status: 'succeeded',
				providerStatus: null,
				progressPercent: 100,
				mode: backup?.mode ?? 'unknown',
				providerMode: null,
				startedAt: backup?.startedAt ?? null,
				nodeId: null,
				raw: {},
			};
	const json: IDataObject = { ...(task as unknown as IDataObject), checks: attempts, waitedMs };
	if (includeBackup) json.backup = backup as unknown as IDataObject;
	return [{ json }];
}
