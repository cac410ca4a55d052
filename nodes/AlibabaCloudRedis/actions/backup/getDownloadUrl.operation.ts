import type { INodeProperties } from 'n8n-workflow';

import { executeWith, getDownloadUrlOperation } from '../../../common/operations';
import { optionsCollection, requestTimeoutOption } from '../../../common/parameters';
import { alibabaNode, backupIdProperty, searchDaysProperty } from '../shared';

const show = { resource: ['backup'], operation: ['getDownloadUrl'] };

export const description: INodeProperties[] = [
	{ ...backupIdProperty, displayOptions: { show } },
	optionsCollection(show, [searchDaysProperty, requestTimeoutOption]),
];

export const execute = executeWith(getDownloadUrlOperation, alibabaNode);
