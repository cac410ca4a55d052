import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { downloadOperation } from '../../../common/operations';
import { downloadProperties } from '../../../common/parameters';
import { apiOption, backupIdProperty, searchDaysProperty, tencentNode } from '../shared';

const show = { resource: ['backup'], operation: ['download'] };

export const description: INodeProperties[] = [
	{ ...backupIdProperty, displayOptions: { show } },
	...downloadProperties(show, [apiOption, searchDaysProperty]),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return await downloadOperation.call(this, itemIndex, tencentNode);
}
