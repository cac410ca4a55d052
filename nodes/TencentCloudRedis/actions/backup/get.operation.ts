import type { INodeProperties } from 'n8n-workflow';

import { executeWith, getOperation } from '../../../common/operations';
import { optionsCollection, requestTimeoutOption } from '../../../common/parameters';
import { apiOption, backupIdProperty, searchDaysProperty, tencentNode } from '../shared';

const show = { resource: ['backup'], operation: ['get'] };

export const description: INodeProperties[] = [
	{ ...backupIdProperty, displayOptions: { show } },
	optionsCollection(show, [apiOption, searchDaysProperty, requestTimeoutOption]),
];

export const execute = executeWith(getOperation, tencentNode);
