import { DateTime } from 'luxon';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { requireOneOf, requirePositiveNumber, timeRange } from '../../../common/input';
import { BACKUP_STATUSES, type BackupStatus } from '../../../common/model';
import { collectPages } from '../../../common/paginate';
import { listBackups } from '../../transport/api';
import { createClient, instanceKind, itemContext, pageSizeOf, optionsCollection } from '../shared';

const show = { resource: ['backup'], operation: ['list'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Start Time',
		name: 'startTime',
		type: 'dateTime',
		default: '',
		displayOptions: { show },
		description:
			"List backups started at or after this time. A time without an offset is in the workflow's timezone. Empty means 7 days before End Time.",
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
			{ name: 'Failed', value: 'failed' },
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
		{
			displayName: 'Page Size',
			name: 'pageSize',
			type: 'options',
			default: 30,
			description: 'Backups fetched per request (the API accepts only these sizes)',
			options: [
				{ name: '30', value: 30 },
				{ name: '50', value: 50 },
				{ name: '100', value: 100 },
				{ name: '200', value: 200 },
				{ name: '300', value: 300 },
			],
		},
	]),
];

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

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const kind = instanceKind.call(this, itemIndex);
	const context = await itemContext.call(this, itemIndex);
	const range = timeRange(
		this.getNodeParameter('startTime', itemIndex, ''),
		this.getNodeParameter('endTime', itemIndex, ''),
		DateTime.utc(),
		7,
		{ zone: this.getTimezone() },
	);
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll
		? undefined
		: requirePositiveNumber(this.getNodeParameter('limit', itemIndex, 50), 'Limit', {
				integer: true,
			});
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const pageSize = pageSizeOf(options.pageSize);
	const statuses = statusesOf(this.getNodeParameter('statuses', itemIndex, []));

	const backups = await collectPages(
		listBackups(createClient(this), {
			kind,
			context,
			start: range.start,
			end: range.end,
			pageSize,
			limit,
			statuses,
		}),
	);
	return backups.map((backup) => ({ json: backup as unknown as IDataObject }));
}
