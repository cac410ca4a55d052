import type { INodeProperties } from 'n8n-workflow';

import {
	copyToObjectStorageOperation,
	copyToObjectStorageProperties,
} from '../../../common/copyToObjectStorage';
import { executeWith } from '../../../common/operations';
import { alibabaNode, backupIdProperty, searchDaysProperty } from '../shared';

const show = { resource: ['backup'], operation: ['copyToObjectStorage'] };

export const description: INodeProperties[] = [
	{ ...backupIdProperty, displayOptions: { show } },
	...copyToObjectStorageProperties(show, [searchDaysProperty]),
];

export const execute = executeWith(copyToObjectStorageOperation, alibabaNode);
