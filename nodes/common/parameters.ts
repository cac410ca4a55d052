/**
 * Node parameters every cloud's node shows the same way, defined once, and the readers that turn what an item
 * gives (a panel value or an expression's result) into checked values. Each reader's error names the parameter
 * as the panel shows it.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { booleanOf, numberOf, requireOneOf, requireText } from './input';
import { BACKUP_STATUSES, type BackupStatus } from './model';

export type Show = Record<string, string[]>;

/** The "Options" collection of one operation. */
export function optionsCollection(show: Show, options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options,
	};
}

export function optionsOf(this: IExecuteFunctions, itemIndex: number): IDataObject {
	const options = this.getNodeParameter('options', itemIndex, {}) as unknown;
	return options && typeof options === 'object' && !Array.isArray(options)
		? (options as IDataObject)
		: {};
}

// ---- Resources, operations, instance and region ---------------------------------------------------------------

/** The Resource selector; the first resource is the default. */
export function resourceSelector(resources: INodePropertyOptions[]): INodeProperties {
	const [{ value: defaultResource }] = resources;
	return {
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		default: defaultResource,
		options: resources,
	};
}

/** The Operation selector of one resource. */
export function operationSelector(
	resource: string,
	defaultOperation: string,
	operations: INodePropertyOptions[],
): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource] } },
		default: defaultOperation,
		options: operations,
	};
}

/**
 * The Backup operations every cloud has, named and worded alike in every node (and for AI tools, by `action`);
 * `descriptions` say what each does on this cloud.
 */
export function backupOperations(descriptions: {
	create: string;
	download: string;
	get: string;
	getDownloadUrl: string;
	verify: string;
}): INodePropertyOptions[] {
	return [
		{
			name: 'Copy to Object Storage',
			value: 'copyToObjectStorage',
			action: 'Copy a backup to object storage',
			description:
				'Stream the backup file(s) into an S3-compatible bucket, checked against the cloud checksum, without passing through n8n',
		},
		{
			name: 'Create',
			value: 'create',
			action: 'Create a backup',
			description: descriptions.create,
		},
		{
			name: 'Download',
			value: 'download',
			action: 'Download a backup',
			description: descriptions.download,
		},
		{ name: 'Get', value: 'get', action: 'Get a backup', description: descriptions.get },
		{
			name: 'Get Download URL',
			value: 'getDownloadUrl',
			action: 'Get download URL of a backup',
			description: descriptions.getDownloadUrl,
		},
		{
			name: 'List',
			value: 'list',
			action: 'List backups',
			description: 'List the backups of an instance in a time range',
		},
		{
			name: 'Verify',
			value: 'verify',
			action: 'Verify a backup',
			description: descriptions.verify,
		},
	];
}

/** Waiting for a backup task; its Get operation is worded by each cloud (one task, or an instance's tasks). */
export const waitForTaskOperation: INodePropertyOptions = {
	name: 'Wait Until Finished',
	value: 'waitUntilFinished',
	action: 'Wait until a backup task is finished',
	description: 'Poll a backup task until it is finished, fails or the time limit passes',
};

/**
 * The Instance parameter: picked from the cloud's instances (the node's `searchInstances` list search,
 * common/connect.ts `instanceSearch`) or typed as an ID, which the panel checks against `pattern`.
 */
export function instanceLocator({
	description,
	pattern,
	example,
	invalidId,
}: {
	description: string;
	pattern: RegExp;
	example: string;
	/** The panel's message for an ID that does not match `pattern`. */
	invalidId: string;
}): INodeProperties {
	return {
		displayName: 'Instance',
		name: 'instanceId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchInstances', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: example,
				validation: [
					{ type: 'regex', properties: { regex: pattern.source, errorMessage: invalidId } },
				],
			},
		],
	};
}

/** The item's Instance, whichever way it was given (picked or typed), checked against the cloud's ID pattern. */
export function instanceIdOf(
	context: IExecuteFunctions,
	itemIndex: number,
	pattern: RegExp,
	example: string,
): string {
	return requireText(
		context.getNodeParameter('instanceId', itemIndex, '', { extractValue: true }),
		'Instance',
		pattern,
		example,
	);
}

/**
 * The Region parameter; empty uses the credential's default region. A cloud that lists its regions (`regions`,
 * any other by expression) gets a dropdown, else a text field showing `placeholder`.
 */
export function regionParameter(
	choice:
		| { placeholder: string }
		| {
				cloud: string;
				regions: ReadonlyArray<{ name: string; value: string; description: string }>;
		  },
): INodeProperties {
	if ('placeholder' in choice) {
		return {
			displayName: 'Region',
			name: 'region',
			type: 'string',
			default: '',
			placeholder: choice.placeholder,
			description: "Region ID of the instance. Leave empty to use the credential's default region.",
		};
	}
	return {
		displayName: 'Region',
		name: 'region',
		type: 'options',
		default: '',
		options: [{ name: "Credential's Default Region", value: '' }, ...choice.regions],
		description: `Region of the instance. Any other ${choice.cloud} region ID can be given with an expression.`,
	};
}

// ---- API calls -------------------------------------------------------------------------------------------------

/** A cloud API call that has not answered after this long is abandoned (and retried where that is safe). */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 30;

export const requestTimeoutOption: INodeProperties = {
	displayName: 'Request Timeout (Seconds)',
	name: 'requestTimeoutSeconds',
	type: 'number',
	default: DEFAULT_REQUEST_TIMEOUT_SECONDS,
	typeOptions: { minValue: 1, maxValue: 300 },
	description:
		'How long to wait for the cloud to answer one API call before giving up on it (a read is then retried)',
};

export function requestTimeoutMsOf(options: IDataObject): number {
	return (
		numberOf(options.requestTimeoutSeconds, 'Request Timeout (Seconds)', {
			min: 1,
			max: 300,
			defaultValue: DEFAULT_REQUEST_TIMEOUT_SECONDS,
		}) * 1000
	);
}

// ---- List ------------------------------------------------------------------------------------------------------

export function listProperties(
	show: Show,
	pageSizes: readonly number[],
	defaultDays = 7,
	extraOptions: INodeProperties[] = [],
): INodeProperties[] {
	const [defaultPageSize] = pageSizes;
	return [
		{
			displayName: 'Start Time',
			name: 'startTime',
			type: 'dateTime',
			default: '',
			displayOptions: { show },
			description: `List backups started at or after this time. A time without an offset is in the workflow's timezone. Empty means ${defaultDays} days before End Time.`,
		},
		{
			displayName: 'End Time',
			name: 'endTime',
			type: 'dateTime',
			default: '',
			displayOptions: { show },
			description:
				"List backups started before this time. A time without an offset is in the workflow's timezone. Empty means now.",
		},
		{
			displayName: 'Status',
			name: 'statuses',
			type: 'multiOptions',
			default: [],
			displayOptions: { show },
			description: 'Only backups in these states. Empty means all.',
			options: [
				{ name: 'Expired', value: 'expired' },
				{ name: 'Failed', value: 'failed' },
				{ name: 'Pending', value: 'pending' },
				{ name: 'Running', value: 'running' },
				{ name: 'Succeeded', value: 'succeeded' },
			],
		},
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			displayOptions: { show },
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			default: 50,
			typeOptions: { minValue: 1 },
			displayOptions: { show: { ...show, returnAll: [false] } },
			description: 'Max number of results to return',
		},
		optionsCollection(show, [
			...extraOptions,
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'options',
				default: defaultPageSize,
				description: 'Backups fetched per request (the API accepts only these sizes)',
				options: pageSizes.map((size) => ({ name: String(size), value: size })),
			},
			requestTimeoutOption,
		]),
	];
}

export function pageSizeOf(value: unknown, pageSizes: readonly number[]): number {
	if (value === undefined || value === '') return pageSizes[0];
	// Text holding a size (an expression) is accepted; a list is not, although Number([50]) is 50.
	return requireOneOf(
		typeof value === 'string' && value.trim() !== '' ? Number(value) : value,
		pageSizes,
		'Page Size',
	);
}

/**
 * The Status parameter as the panel gives it (an array of lower-case values) or as an expression may: one string
 * (`"failed"`, `"failed, running"`), values in another case (`["Failed"]`). Each value must be one of the model's
 * statuses; an unknown one is an error naming the parameter, never a filter that silently matches nothing.
 */
export function statusesOf(value: unknown): BackupStatus[] {
	if (value === undefined || value === null || value === '') return [];
	const values = Array.isArray(value) ? (value as unknown[]) : [value];
	const statuses = new Set<BackupStatus>();
	for (const entry of values) {
		const parts = typeof entry === 'string' ? entry.split(',') : [entry];
		for (const part of parts) {
			const text = typeof part === 'string' ? part.trim().toLowerCase() : part;
			if (text === '') continue;
			statuses.add(requireOneOf(text, BACKUP_STATUSES, 'Status'));
		}
	}
	return [...statuses];
}

// ---- Look-ups by ID --------------------------------------------------------------------------------------------

/**
 * How far back a lookup by ID searches. The default is the cloud's longest retention unless the cloud names a
 * shorter one (a cloud whose list API spans only a few weeks per request would otherwise make dozens of requests
 * for a backup that does not exist).
 */
export function searchDaysOption(
	maxDays: number,
	cloud: string,
	defaultDays: number = maxDays,
): INodeProperties {
	return {
		displayName: 'Search Back (Days)',
		name: 'searchDays',
		type: 'number',
		default: defaultDays,
		typeOptions: { minValue: 1, maxValue: maxDays },
		description: `How far back to look for the backup; ${cloud} keeps backups for at most ${maxDays} days`,
	};
}

export function searchDaysOf(
	options: IDataObject,
	maxDays: number,
	defaultDays: number = maxDays,
): number {
	return numberOf(options.searchDays, 'Search Back (Days)', {
		min: 1,
		max: maxDays,
		integer: true,
		defaultValue: defaultDays,
	});
}

// ---- Download --------------------------------------------------------------------------------------------------

export const DEFAULT_IDLE_TIMEOUT_SECONDS = 60;

/**
 * Whether a download reads the file as it streams (common/rdb.ts): the RDB header, version and CRC-64 trailer besides
 * the storage's checksum. On by default: a backup that cannot be restored is found when it is fetched, not when it
 * is needed; it costs CPU in the same pass (no second read), and files that are not one RDB (AOF, archives) are
 * named, never failed.
 */
export const DEFAULT_VERIFY = true;

export const verifyOption: INodeProperties = {
	displayName: 'Verify',
	name: 'verify',
	type: 'boolean',
	default: true,
	description:
		"Whether to check, while the file streams, that it is a whole Redis RDB file (its header, version and own CRC-64 trailer) besides the storage's checksum. A file that fails is an error; AOF files and archives are named in the output, not failed.",
};

export function verifyOf(options: IDataObject): boolean {
	return booleanOf(options.verify, 'Verify', DEFAULT_VERIFY);
}

const idleTimeoutOption: INodeProperties = {
	displayName: 'Idle Timeout (Seconds)',
	name: 'idleTimeoutSeconds',
	type: 'number',
	default: DEFAULT_IDLE_TIMEOUT_SECONDS,
	typeOptions: { minValue: 1 },
	description:
		'Give up on a download (and resume it, where retries are left) when no byte arrives for this long',
};

function urlTypeProperty(show: Show): INodeProperties {
	return {
		displayName: 'URL Type',
			name: 'urlType',
			type: 'options',
			default: 'public',
			displayOptions: { show },
			options: [
				{
					name: 'Public',
					value: 'public',
					description: 'Works from anywhere with internet access',
				},
				{
					name: 'Internal',
					value: 'internal',
					description:
						"Only from a server in the cloud's same region and network; no internet traffic fees",
				},
			],
		};
}

export function downloadProperties(show: Show, extraOptions: INodeProperties[]): INodeProperties[] {
	return [
		urlTypeProperty(show),
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			displayOptions: { show },
			hint: 'The name of the output binary field to put the file in',
		},
		optionsCollection(show, [
			...extraOptions,
			idleTimeoutOption,
			{
				displayName: 'Max File Size (MiB)',
				name: 'maxFileSizeMiB',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
				description:
					"Refuse files larger than this before downloading them. 0 means only what n8n's binary store cannot hold: in database mode (the queue-mode default) N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE, 512 MiB unless the node can read another value; set this to that value if it is higher.",
			},
			requestTimeoutOption,
			verifyOption,
		]),
	];
}

/** Backup → Verify: which URL to stream from, and the timeouts; nothing is stored. */
export function verifyProperties(show: Show, extraOptions: INodeProperties[]): INodeProperties[] {
	return [
		urlTypeProperty(show),
		optionsCollection(show, [...extraOptions, idleTimeoutOption, requestTimeoutOption]),
	];
}

/** What streaming a backup's files needs, stored or not. */
export interface StreamSettings {
	urlType: 'public' | 'internal';
	idleTimeoutMs: number;
	requestTimeoutMs: number;
	/** Read each file with the RdbVerifier while it streams. */
	verify: boolean;
}

export interface DownloadSettings extends StreamSettings {
	binaryPropertyName: string;
	/** The "Max File Size" option in bytes; 0: only what n8n's binary store cannot hold. */
	maxBytes: number;
}

const MIB = 1024 * 1024;

export function downloadSettingsOf(
	this: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
): DownloadSettings {
	return {
		...streamSettingsOf.call(this, itemIndex, options),
		binaryPropertyName: requireText(
			this.getNodeParameter('binaryPropertyName', itemIndex, 'data'),
			'Put Output File in Field',
			/^[A-Za-z0-9_.-]+$/,
			'data',
		),
		maxBytes: Math.round(
			numberOf(options.maxFileSizeMiB, 'Max File Size (MiB)', { min: 0, defaultValue: 0 }) * MIB,
		),
		verify: verifyOf(options),
	};
}

/** Where and how to stream a backup's files (Backup → Verify's settings: always verifying). */
export function streamSettingsOf(
	this: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
): StreamSettings {
	return {
		urlType: requireOneOf(
			this.getNodeParameter('urlType', itemIndex, 'public'),
			['public', 'internal'] as const,
			'URL Type',
		),
		idleTimeoutMs:
			numberOf(options.idleTimeoutSeconds, 'Idle Timeout (Seconds)', {
				min: 1,
				defaultValue: DEFAULT_IDLE_TIMEOUT_SECONDS,
			}) * 1000,
		requestTimeoutMs: requestTimeoutMsOf(options),
		verify: true,
	};
}

// ---- Wait Until Finished ---------------------------------------------------------------------------------------

/** Below this, polling a cloud is flooding it; the clouds' own consoles refresh every few seconds. */
export const MIN_POLL_INTERVAL_SECONDS = 1;

export function waitOptions(show: Show): INodeProperties {
	return optionsCollection(show, [
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
			typeOptions: { minValue: MIN_POLL_INTERVAL_SECONDS, numberPrecision: 1 },
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
			typeOptions: { minValue: MIN_POLL_INTERVAL_SECONDS, numberPrecision: 1 },
			description: 'Time between the first checks',
		},
		requestTimeoutOption,
	]);
}

export interface WaitSettings {
	minDelayMs: number;
	maxDelayMs: number;
	maxWaitMs: number;
	backoff: 'exponential' | 'fixed';
	includeBackup: boolean;
	requestTimeoutMs: number;
}

export function waitSettingsOf(options: IDataObject): WaitSettings {
	const minDelayMs =
		numberOf(options.pollIntervalSeconds, 'Poll Interval (Seconds)', {
			min: MIN_POLL_INTERVAL_SECONDS,
			defaultValue: 10,
			unit: 'seconds',
		}) * 1000;
	const maxDelayMs =
		numberOf(options.maxPollIntervalSeconds, 'Max Poll Interval (Seconds)', {
			min: minDelayMs / 1000,
			defaultValue: Math.max(60, minDelayMs / 1000),
			unit: 'seconds (at least the Poll Interval)',
		}) * 1000;
	const maxWaitMs =
		numberOf(options.maxWaitMinutes, 'Max Wait Time (Minutes)', {
			min: 0.01,
			defaultValue: 60,
			unit: 'minutes',
		}) * 60_000;
	return {
		minDelayMs,
		maxDelayMs,
		maxWaitMs,
		backoff: booleanOf(options.backoff, 'Backoff', true) ? 'exponential' : 'fixed',
		includeBackup: booleanOf(options.includeBackup, 'Include Backup', true),
		requestTimeoutMs: requestTimeoutMsOf(options),
	};
}
