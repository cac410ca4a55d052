/**
 * The n8n side of the backup triggers, once for every cloud: the parameters, the static data, the poll budget,
 * "Fetch Test Event", errors. A cloud's trigger node is its credential, its instance and region parameters, and
 * a `TriggerCloud` (nodes/<Cloud>/<Cloud>Trigger.node.ts); the rules are in backupEvents.ts.
 */
import {
	type IDataObject,
	type INodeExecutionData,
	type INodeProperties,
	type IPollFunctions,
	NodeOperationError,
	sleep,
} from 'n8n-workflow';

import {
	type BackupEventItem,
	configFingerprint,
	type InstanceSelection,
	InstanceNotFoundError,
	loadState,
	pollBackupEvents,
	rateLimited,
	sampleBackupEvents,
	type TriggerConfig,
	WATCHED_EVENTS,
	type WatchedEvent,
	watchedInstances,
} from './backupEvents';
import { InputError, requireOneOf, requirePositiveNumber, requireText, textOf } from './input';
import { type ErrorHints, toNodeError } from './n8n';
import type { BackupProvider } from './provider';
import { ActionLimiters, type LimiterClock } from './rateLimit';

export interface TriggerCloud extends ErrorHints {
	/** The cloud's provider bound to this poll (its credential, n8n's HTTP helpers). */
	provider(context: IPollFunctions): BackupProvider;
	/** The Region parameter, else the credential's default region, checked. */
	region(context: IPollFunctions, value: unknown): Promise<string>;
	instanceIdPattern: RegExp;
	instanceIdExample: string;
	/** The backup list's page size (one the cloud accepts; the largest, to send fewest requests). */
	pageSize: number;
}

/** Where the trigger keeps its state in the node's static data. */
const STATE_KEY = 'backupEvents';
/** When the host does not tell the poll's budget (n8n before 2.36): what n8n's scheduler allows a poll. */
const FALLBACK_BUDGET_MS = 45_000;

const EVENT_OPTIONS: Array<{ name: string; value: WatchedEvent; description: string }> = [
	{
		name: 'Backup Started',
		value: 'backupStarted',
		description:
			'A backup (or backup job) began; a backup that started and ended between polls gives this too',
	},
	{
		name: 'Backup Succeeded',
		value: 'backupSucceeded',
		description: 'A backup finished successfully',
	},
	{ name: 'Backup Failed', value: 'backupFailed', description: 'A backup failed' },
	{
		name: 'Backup Expired or Deleted',
		value: 'backupExpiredOrDeleted',
		description:
			'A successful backup the trigger knew is reported expired or deleted, or is no longer listed (checked hourly)',
	},
	{
		name: 'No Successful Backup for N Hours',
		value: 'instanceStale',
		description:
			'An instance\'s newest successful backup is older than "Stale After"; once when it goes stale, once when it recovers',
	},
];

/** The trigger's parameters, around the cloud's own instance and region parameters. */
export function triggerProperties(cloud: {
	instanceProperty: INodeProperties;
	regionProperty: INodeProperties;
}): INodeProperties[] {
	return [
		{
			displayName: 'Events',
			name: 'events',
			type: 'multiOptions',
			required: true,
			default: ['backupFailed'],
			options: EVENT_OPTIONS,
			description: 'The backup events that start the workflow',
		},
		{
			displayName: 'Stale After (Hours)',
			name: 'staleAfterHours',
			type: 'number',
			default: 26,
			typeOptions: { minValue: 1 },
			displayOptions: { show: { events: ['instanceStale'] } },
			description:
				'An instance whose newest successful backup started longer ago than this is stale (26 for a daily backup with slack)',
		},
		{
			displayName: 'Watch',
			name: 'watch',
			type: 'options',
			default: 'instance',
			options: [
				{ name: 'One Instance', value: 'instance' },
				{ name: 'A List of Instances', value: 'list' },
				{
					name: 'Every Instance of the Region',
					value: 'region',
					description: 'Found on every poll, so new instances join',
				},
			],
		},
		{ ...cloud.instanceProperty, displayOptions: { show: { watch: ['instance'] } } },
		{
			displayName: 'Instance IDs',
			name: 'instanceIds',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'ID1, ID2',
			description: 'The instances to watch, separated by commas',
			displayOptions: { show: { watch: ['list'] } },
		},
		{ ...cloud.regionProperty },
	];
}

function eventsOf(value: unknown): Set<WatchedEvent> {
	const values = Array.isArray(value)
		? value
		: typeof value === 'string' && value
			? value.split(',')
			: [];
	const events = new Set<WatchedEvent>();
	for (const entry of values) {
		events.add(
			requireOneOf<WatchedEvent>(
				typeof entry === 'string' ? entry.trim() : entry,
				WATCHED_EVENTS,
				'Events',
			),
		);
	}
	if (events.size === 0) {
		throw new InputError('Events', 'Choose at least one event in "Events"');
	}
	return events;
}

async function selectionOf(
	context: IPollFunctions,
	cloud: TriggerCloud,
): Promise<InstanceSelection> {
	const region = await cloud.region(context, context.getNodeParameter('region', ''));
	const watch = requireOneOf(
		context.getNodeParameter('watch', 'instance'),
		['instance', 'list', 'region'],
		'Watch',
	);
	if (watch === 'region') return { mode: 'region', region };
	const ids =
		watch === 'instance'
			? [context.getNodeParameter('instanceId', '', { extractValue: true })]
			: textOf(context.getNodeParameter('instanceIds', ''), 'Instance IDs')
					.split(',')
					.map((id) => id.trim())
					.filter((id) => id !== '');
	const parameter = watch === 'instance' ? 'Instance' : 'Instance IDs';
	if (ids.length === 0) {
		throw new InputError(parameter, `"${parameter}" is empty: give at least one instance ID`);
	}
	const instanceIds = ids.map((id) =>
		requireText(id, parameter, cloud.instanceIdPattern, cloud.instanceIdExample),
	);
	return { mode: 'ids', region, instanceIds: [...new Set(instanceIds)] };
}

function configOf(context: IPollFunctions, cloud: TriggerCloud): TriggerConfig {
	const events = eventsOf(context.getNodeParameter('events', []));
	const staleAfterHours = events.has('instanceStale')
		? requirePositiveNumber(context.getNodeParameter('staleAfterHours', 26), 'Stale After (Hours)')
		: 26;
	return { events, staleAfterMs: staleAfterHours * 3600_000, pageSize: cloud.pageSize };
}

const clock: LimiterClock = { now: () => Date.now(), sleep: async (ms) => await sleep(ms) };

/**
 * Polls still running, per workflow and node. n8n starts a poll on its timer whether or not the previous one has
 * finished (polls of many instances can outlast a one-minute interval); a second poll working from the same saved
 * state would emit the same events again, so it stands aside. Polls run in the one process that holds the active
 * workflows (the main process, also in queue mode).
 */
const pollsInFlight = new Set<string>();

/** The trigger's `poll`: events since the last poll (null when there are none), or recent ones in manual mode. */
export async function pollTrigger(
	context: IPollFunctions,
	cloud: TriggerCloud,
): Promise<INodeExecutionData[][] | null> {
	const node = context.getNode();
	const manual = context.getMode() === 'manual';
	const pollKey = `${context.getWorkflow().id ?? ''}:${node.id}`;
	if (!manual && pollsInFlight.has(pollKey)) {
		context.logger.info(
			'The previous poll of this trigger is still running: this one stands aside',
			{
				node: node.name,
			},
		);
		return null;
	}
	if (!manual) pollsInFlight.add(pollKey);
	try {
		const config = configOf(context, cloud);
		const selection = await selectionOf(context, cloud);
		const cloudProvider = cloud.provider(context);
		const provider = rateLimited(
			cloudProvider,
			new ActionLimiters(cloudProvider.requestRate, clock),
		);
		const budgetMs =
			typeof context.getPollBudgetMs === 'function'
				? context.getPollBudgetMs()
				: FALLBACK_BUDGET_MS;
		const env = {
			provider,
			clock,
			budgetMs,
			warn: (message: string) => context.logger.warn(message, { node: node.name }),
		};
		const fingerprint = configFingerprint({
			events: [...config.events].sort(),
			staleAfterMs: config.staleAfterMs,
			selection,
		});
		const staticData = context.getWorkflowStaticData('node');
		// A plain copy: the stored object is n8n's change-tracking proxy, which the rules must not hold on to.
		const stored: unknown =
			staticData[STATE_KEY] === undefined
				? undefined
				: JSON.parse(JSON.stringify(staticData[STATE_KEY]));
		const state = loadState(stored, fingerprint);
		const watched = await watchedInstances(provider, selection, state);

		if (manual) {
			const sample = await sampleBackupEvents(env, config, watched);
			return sample.length > 0
				? [context.helpers.returnJsonArray(sample as unknown as IDataObject[])]
				: null;
		}

		const result = await pollBackupEvents(env, config, watched, state);
		staticData[STATE_KEY] = state as unknown as IDataObject;
		for (const failure of result.failures) {
			context.logger.warn(
				`Could not poll the backups of instance ${failure.instanceId}; it is polled again next time: ${
					failure.error instanceof Error ? failure.error.message : String(failure.error)
				}`,
				{ node: node.name },
			);
		}
		// Nothing polled and something failed: the error workflow should hear of it (a wrong credential, a region).
		if (result.polled === 0 && result.failures.length > 0) throw result.failures[0].error;
		return result.events.length > 0
			? [
					context.helpers.returnJsonArray(
						result.events as BackupEventItem[] as unknown as IDataObject[],
					),
				]
			: null;
	} catch (error) {
		if (error instanceof InputError) {
			throw new NodeOperationError(node, error.message, {
				description: error.hint ?? `Check the "${error.parameter}" parameter.`,
			});
		}
		if (error instanceof InstanceNotFoundError) {
			throw new NodeOperationError(node, error.message, {
				description:
					'Check "Instance" / "Instance IDs" and "Region" (or the credential\'s default region).',
			});
		}
		throw toNodeError(node, error, 0, cloud);
	} finally {
		if (!manual) pollsInFlight.delete(pollKey);
	}
}
