import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getDownloadUrlOperation } from '../../../common/operations';
import { optionsCollection, requestTimeoutOption } from '../../../common/parameters';
import { apiOption, backupIdProperty, searchDaysProperty, tencentNode } from '../shared';

const show = { resource: ['backup'], operation: ['getDownloadUrl'] };

export const description: INodeProperties[] = [
	{ ...backupIdProperty, displayOptions: { show } },
	optionsCollection(show, [apiOption, searchDaysProperty, requestTimeoutOption]),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return await getDownloadUrlOperation.call(this, itemIndex, tencentNode);
}
