import type { INodeProperties } from 'n8n-workflow';

import { backupOperations, operationSelector } from '../../../common/parameters';
import * as create from './create.operation';
import * as download from './download.operation';
import * as get from './get.operation';
import * as getDownloadUrl from './getDownloadUrl.operation';
import * as list from './list.operation';

export { create, download, get, getDownloadUrl, list };

export const description: INodeProperties[] = [
	operationSelector(
		'backup',
		'list',
		backupOperations({
			create: 'Start a manual backup and output its backup job ID',
			download: 'Download the backup file(s) as binary data, checked against the cloud checksum',
			get: 'Get one backup or cluster backup set by ID',
			getDownloadUrl: 'Get the public and internal URL of every file of a backup',
		}),
	),
	...list.description,
	...get.description,
	...create.description,
	...getDownloadUrl.description,
	...download.description,
];
