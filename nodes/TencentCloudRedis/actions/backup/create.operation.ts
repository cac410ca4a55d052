import type { INodeProperties } from 'n8n-workflow';

import { createWith } from '../../../common/operations';
import { optionsCollection, requestTimeoutOption } from '../../../common/parameters';
import { tencentNode } from '../shared';

const show = { resource: ['backup'], operation: ['create'] };

export const description: INodeProperties[] = [
	optionsCollection(show, [
		{
			displayName: 'Remark',
			name: 'remark',
			type: 'string',
			default: '',
			description: 'A note stored with the backup (shown as its remark)',
		},
		{
			displayName: 'Retention Period (Days)',
			name: 'retentionDays',
			type: 'number',
			default: 7,
			typeOptions: { minValue: 1, maxValue: 1825 },
			description:
				'How long Tencent keeps this manual backup (StorageDays, up to 1825 days; more than 7 days needs a ticket with Tencent). Unset keeps the retention of the automatic backups.',
		},
		requestTimeoutOption,
	]),
];

export const { prepare, execute, describeDone } = createWith(tencentNode);
