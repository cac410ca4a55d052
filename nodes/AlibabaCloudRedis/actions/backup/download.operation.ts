import type { INodeProperties } from 'n8n-workflow';

import { executeWith, downloadOperation } from '../../../common/operations';
import { downloadProperties } from '../../../common/parameters';
import { alibabaNode, backupIdProperty, searchDaysProperty } from '../shared';

const show = { resource: ['backup'], operation: ['download'] };

export const description: INodeProperties[] = [
	{ ...backupIdProperty, displayOptions: { show } },
	...downloadProperties(show, [searchDaysProperty]),
];

export const execute = executeWith(downloadOperation, alibabaNode);
