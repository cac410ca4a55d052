import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { requirePositiveNumber } from '../../../common/input';
import { backupIdProperty, createClient, instanceKind, itemContext, searchDaysProperty } from '../shared';
import { checkBackupId, findBackup } from './find';

const show = { resource: ['backup'], operation: ['get'] };

export const description: INodeProperties[] = [
	{ ...backupIdProperty, displayOptions: { show } },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [searchDaysProperty],
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const kind = instanceKind.call(this, itemIndex);
	const backupId = checkBackupId(kind, this.getNodeParameter('backupId', itemIndex));
	const context = await itemContext.call(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const searchDays = requirePositiveNumber(options.searchDays ?? 730, 'Search Back (Days)', { integer: true, max: 730 });
	const backup = await findBackup(createClient(this), kind, context, backupId, searchDays);
	return [{ json: backup as unknown as IDataObject }];
}
