import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as waitUntilFinished from './waitUntilFinished.operation';

export { get, waitUntilFinished };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['backupTask'] } },
		default: 'get',
		options: [
			{
				name: 'Get',
				value: 'get',
				action: 'Get a backup task',
				description: 'Get the state of a backup task by its ID',
			},
			{
				name: 'Wait Until Finished',
				value: 'waitUntilFinished',
				action: 'Wait until a backup task is finished',
				description: 'Poll a backup task until it is finished, fails or the time limit passes',
			},
		],
	},
	...get.description,
	...waitUntilFinished.description,
];
