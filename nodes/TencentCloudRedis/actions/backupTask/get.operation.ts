import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import {
	optionsCollection,
	optionsOf,
	requestTimeoutMsOf,
	requestTimeoutOption,
} from '../../../common/parameters';
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
	const instance = await tencentNode.instanceOf(this, itemIndex);
	const provider = tencentNode.provider(this, requestTimeoutMsOf(optionsOf.call(this, itemIndex)));
	const tasks = await provider.listTasks(instance, { taskId });
	return tasks.map((task) => ({ json: task as unknown as IDataObject }));
}
