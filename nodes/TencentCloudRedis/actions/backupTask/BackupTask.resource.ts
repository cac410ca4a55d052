import type { INodeProperties } from 'n8n-workflow';

import { operationSelector, waitForTaskOperation } from '../../../common/parameters';
import * as get from './get.operation';
import * as waitUntilFinished from './waitUntilFinished.operation';

export { get, waitUntilFinished };

export const description: INodeProperties[] = [
	operationSelector('backupTask', 'get', [
		{
			name: 'Get',
			value: 'get',
			action: 'Get a backup task',
			description: 'Get the state of a backup task by its ID',
		},
		waitForTaskOperation,
	]),
	...get.description,
	...waitUntilFinished.description,
];
