import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as download from './download.operation';
import * as get from './get.operation';
import * as getDownloadUrl from './getDownloadUrl.operation';
import * as list from './list.operation';
import * as waitUntilFinished from './waitUntilFinished.operation';

export { create, download, get, getDownloadUrl, list, waitUntilFinished };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['backup'] } },
		default: 'list',
		options: [
			{
				name: 'Create',
				value: 'create',
				action: 'Create a backup',
				description: 'Start a manual backup and output its backup ID',
			},
			{
				name: 'Download',
				value: 'download',
				action: 'Download a backup',
				description:
					'Download the backup file as binary data, checked against its size and US3 ETag',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a backup',
				description: 'Get one backup by ID',
			},
			{
				name: 'Get Download URL',
				value: 'getDownloadUrl',
				action: 'Get download URL of a backup',
				description: 'Get the public and internal URL of the backup file',
			},
			{
				name: 'List',
				value: 'list',
				action: 'List backups',
				description: 'List the backups of an instance in a time range',
			},
			{
				name: 'Wait Until Finished',
				value: 'waitUntilFinished',
				action: 'Wait until a backup is finished',
				description: 'Poll a backup until it succeeds, fails or expires, or the time limit passes',
			},
		],
	},
	...list.description,
	...get.description,
	...create.description,
	...getDownloadUrl.description,
	...download.description,
	...waitUntilFinished.description,
];
