import type { INodeProperties } from 'n8n-workflow';

import { executeWith, verifyOperation } from '../../../common/operations';
import { verifyProperties } from '../../../common/parameters';
import { backupIdProperty, ucloudNode } from '../shared';

const show = { resource: ['backup'], operation: ['verify'] };

/** Streams the backup file from US3 through its size, its US3 ETag and the RDB check; stores nothing. */
export const description: INodeProperties[] = [
	{ ...backupIdProperty, displayOptions: { show } },
	...verifyProperties(show, []),
];

export const execute = executeWith(verifyOperation, ucloudNode);
