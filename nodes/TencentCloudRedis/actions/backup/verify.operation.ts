import type { INodeProperties } from 'n8n-workflow';

import { executeWith, verifyOperation } from '../../../common/operations';
import { verifyProperties } from '../../../common/parameters';
import { apiOption, backupIdProperty, searchDaysProperty, tencentNode } from '../shared';

const show = { resource: ['backup'], operation: ['verify'] };

/** Streams each file of the backup from COS through its CRC-64 and the RDB check; stores nothing. */
export const description: INodeProperties[] = [
	{ ...backupIdProperty, displayOptions: { show } },
	...verifyProperties(show, [apiOption, searchDaysProperty]),
];

export const execute = executeWith(verifyOperation, tencentNode);
