import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { backupIdProperty, optionsCollection, searchDaysProperty } from '../shared';
import { backupOfItem } from './find';

const show = { resource: ['backup'], operation: ['get'] };

export const description: INodeProperties[] = [
	{ ...backupIdProperty, displayOptions: { show } },
	optionsCollection(show, [searchDaysProperty]),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const backup = await backupOfItem.call(this, itemIndex);
	return [{ json: backup as unknown as IDataObject }];
}
