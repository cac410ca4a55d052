import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { optionalText, requireOneOf, requireText } from '../../../common/input';
import { tasksOperation } from '../../../common/operations';
import { optionsCollection, requestTimeoutOption } from '../../../common/parameters';
import { alibabaNode, TASK_ID_PATTERN } from '../shared';

const show = { resource: ['backupTask'], operation: ['get'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Backup Job ID',
		name: 'taskId',
		type: 'string',
		default: '',
		displayOptions: { show },
		placeholder: 'e.g. 1162****',
		description:
			'The ID returned by Backup → Create (taskId). Empty lists all current backup tasks of the instance.',
	},
	{
		displayName: 'Job Mode',
		name: 'jobMode',
		type: 'options',
		default: '',
		displayOptions: { show },
		options: [
			{ name: 'All', value: '' },
			{ name: 'Automatic', value: 'Automated' },
			{ name: 'Manual', value: 'Manual' },
		],
	},
	optionsCollection(show, [requestTimeoutOption]),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const rawTaskId = optionalText(this.getNodeParameter('taskId', itemIndex, ''), 'Backup Job ID');
	const taskId =
		rawTaskId === undefined
			? undefined
			: requireText(rawTaskId, 'Backup Job ID', TASK_ID_PATTERN, '11620000 (a number)');
	const jobMode = requireOneOf(
		this.getNodeParameter('jobMode', itemIndex, ''),
		['', 'Automated', 'Manual'] as const,
		'Job Mode',
	);
	return await tasksOperation.call(this, itemIndex, alibabaNode, {
		taskId,
		mode: jobMode || undefined,
	});
}
