import type { INodeProperties } from 'n8n-workflow';

import { executeWith, waitOperation } from '../../../common/operations';
import { waitOptions } from '../../../common/parameters';
import { taskIdProperty, tencentNode } from '../shared';

const show = { resource: ['backupTask'], operation: ['waitUntilFinished'] };

export const description: INodeProperties[] = [
	{ ...taskIdProperty, displayOptions: { show } },
	waitOptions(show),
];

export const execute = executeWith(waitOperation, tencentNode);
