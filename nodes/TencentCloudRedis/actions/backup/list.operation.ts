import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { listOperation } from '../../../common/operations';
import { listProperties } from '../../../common/parameters';
import { BACKUP_PAGE_SIZES } from '../../transport/provider';
import { apiOption, tencentNode } from '../shared';

const show = { resource: ['backup'], operation: ['list'] };

export const description: INodeProperties[] = listProperties(show, BACKUP_PAGE_SIZES, 7, [
	apiOption,
]);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return await listOperation.call(this, itemIndex, tencentNode);
}
