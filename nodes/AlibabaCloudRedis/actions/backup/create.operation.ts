import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { requirePositiveNumber } from '../../../common/input';
import { createBackup } from '../../transport/api';
import { createClient, itemContext, optionsCollection } from '../shared';

const show = { resource: ['backup'], operation: ['create'] };

export const description: INodeProperties[] = [
	optionsCollection(show, [
		{
			displayName: 'Retention Period (Days)',
			name: 'retentionDays',
			type: 'number',
			default: 7,
			typeOptions: { minValue: 7, maxValue: 730 },
			description:
				'How long Alibaba keeps this manual backup (7 to 730 days). Unset keeps the instance policy.',
		},
	]),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const context = await itemContext.call(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const retentionDays =
		options.retentionDays === undefined
			? undefined
			: requirePositiveNumber(options.retentionDays, 'Retention Period (Days)', {
					integer: true,
					max: 730,
				});
	const task = await createBackup(createClient(this), context, retentionDays);
	return [{ json: task as unknown as IDataObject }];
}
