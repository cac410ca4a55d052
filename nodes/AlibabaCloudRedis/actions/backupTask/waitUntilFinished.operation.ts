import type { INodeProperties } from 'n8n-workflow';

import { executeWith, waitOperation } from '../../../common/operations';
import { waitOptions } from '../../../common/parameters';
import { alibabaNode } from '../shared';

const show = { resource: ['backupTask'], operation: ['waitUntilFinished'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Backup Job ID',
		name: 'taskId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show },
		placeholder: 'e.g. 1162****',
		description: 'The ID returned by Backup → Create (taskId)',
	},
	waitOptions(show),
];

export const execute = executeWith(waitOperation, alibabaNode);
