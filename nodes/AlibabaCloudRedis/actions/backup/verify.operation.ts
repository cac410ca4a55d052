import type { INodeProperties } from 'n8n-workflow';

import { executeWith, verifyOperation } from '../../../common/operations';
import { verifyProperties } from '../../../common/parameters';
import { alibabaNode, backupIdProperty, searchDaysProperty } from '../shared';

const show = { resource: ['backup'], operation: ['verify'] };

/** Streams each file of the backup from OSS through its CRC-64 and the RDB check; stores nothing. */
export const description: INodeProperties[] = [
	{ ...backupIdProperty, displayOptions: { show } },
	...verifyProperties(show, [searchDaysProperty]),
];

export const execute = executeWith(verifyOperation, alibabaNode);
