import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { waitOperation } from '../../../common/operations';
import { waitOptions } from '../../../common/parameters';
import { taskIdProperty, tencentNode } from '../shared';

const show = { resource: ['backupTask'], operation: ['waitUntilFinished'] };

export const description: INodeProperties[] = [
	{ ...taskIdProperty, displayOptions: { show } },
	waitOptions(show),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return await waitOperation.call(this, itemIndex, tencentNode);
}
