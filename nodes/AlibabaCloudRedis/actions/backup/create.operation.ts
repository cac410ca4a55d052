import type { INodeProperties } from 'n8n-workflow';

import { createWith } from '../../../common/operations';
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

export const { prepare, execute, describeDone } = createWith(alibabaNode);
