import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { waitOperation } from '../../../common/operations';
import { waitOptions } from '../../../common/parameters';
import { alibabaNode } from '../shared';

const show = { resource: ['backupTask'], operation: ['waitUntilFinished'] };

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
	waitOptions(show),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return await waitOperation.call(this, itemIndex, alibabaNode);
}
