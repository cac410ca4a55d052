import type { INodeProperties } from 'n8n-workflow';

import {
	copyToObjectStorageOperation,
	copyToObjectStorageProperties,
} from '../../../common/copyToObjectStorage';
import { executeWith } from '../../../common/operations';
import { backupIdProperty, ucloudNode } from '../shared';

const show = { resource: ['backup'], operation: ['copyToObjectStorage'] };

/** The file is checked as Download checks it: its length and US3's own ETag, computed while the bytes stream. */
export const description: INodeProperties[] = [
	{ ...backupIdProperty, displayOptions: { show } },
	...copyToObjectStorageProperties(show, []),
];

export const execute = executeWith(copyToObjectStorageOperation, ucloudNode);
