import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import {
	createOperation,
	describeCreated,
	type PreparedCreate,
	prepareCreate,
} from '../../../common/operations';
import { optionsCollection, requestTimeoutOption } from '../../../common/parameters';
import { alibabaNode } from '../shared';

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
		requestTimeoutOption,
	]),
];

/** Every item is checked before the first backup is started (see common/n8n.ts runOperation). */
export async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<PreparedCreate> {
	return await prepareCreate.call(this, itemIndex, alibabaNode);
}

export async function execute(
	this: IExecuteFunctions,
	_itemIndex: number,
	prepared?: unknown,
): Promise<INodeExecutionData[]> {
	return await createOperation.call(this, prepared as PreparedCreate, alibabaNode);
}

export const describeDone = describeCreated;
