import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getOperation } from '../../../common/operations';
import { optionsCollection, requestTimeoutOption } from '../../../common/parameters';
import { apiOption, backupIdProperty, searchDaysProperty, tencentNode } from '../shared';

const show = { resource: ['backup'], operation: ['get'] };

export const description: INodeProperties[] = [
	{ ...backupIdProperty, displayOptions: { show } },
	optionsCollection(show, [apiOption, searchDaysProperty, requestTimeoutOption]),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return await getOperation.call(this, itemIndex, tencentNode);
}
