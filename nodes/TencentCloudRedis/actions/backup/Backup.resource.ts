import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as download from './download.operation';
import * as get from './get.operation';
import * as getDownloadUrl from './getDownloadUrl.operation';
import * as list from './list.operation';

export { create, download, get, getDownloadUrl, list };

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
				description: 'Start a manual backup and output its task ID',
			},
			{
				name: 'Download',
				value: 'download',
				action: 'Download a backup',
				description:
					'Download the backup file(s) as binary data, checked against the cloud checksum',
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
				description: 'Get the public and internal URL of every file (shard) of a backup',
			},
			{
				name: 'List',
				value: 'list',
				action: 'List backups',
				description: 'List the backups of an instance in a time range',
			},
		],
	},
	...list.description,
	...get.description,
	...create.description,
	...getDownloadUrl.description,
	...download.description,
];
