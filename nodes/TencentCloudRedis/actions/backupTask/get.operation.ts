import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { tasksOperation } from '../../../common/operations';
import { optionsCollection, requestTimeoutOption } from '../../../common/parameters';
import { taskIdOf, taskIdProperty, tencentNode } from '../shared';

const show = { resource: ['backupTask'], operation: ['get'] };

export const description: INodeProperties[] = [
	{ ...taskIdProperty, displayOptions: { show } },
	optionsCollection(show, [requestTimeoutOption]),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const taskId = taskIdOf(this.getNodeParameter('taskId', itemIndex, ''));
	return await tasksOperation.call(this, itemIndex, tencentNode, { taskId });
}
