import type { INodeProperties } from 'n8n-workflow';

import { backupOperations, operationSelector } from '../../../common/parameters';
import * as copyToObjectStorage from './copyToObjectStorage.operation';
import * as create from './create.operation';
import * as download from './download.operation';
import * as get from './get.operation';
import * as getDownloadUrl from './getDownloadUrl.operation';
import * as list from './list.operation';
import * as verify from './verify.operation';
import * as waitUntilFinished from './waitUntilFinished.operation';

export { copyToObjectStorage, create, download, get, getDownloadUrl, list, verify, waitUntilFinished };

export const description: INodeProperties[] = [
	operationSelector('backup', 'list', [
		...backupOperations({
			create: 'Start a manual backup and output its backup ID',
			download: 'Download the backup file as binary data, checked against its size and US3 ETag',
			get: 'Get one backup by ID',
			getDownloadUrl: 'Get the public and internal URL of the backup file',
			verify: 'Stream the backup file through its size, US3 ETag and the RDB check without storing it',
		}),
		{
			name: 'Wait Until Finished',
			value: 'waitUntilFinished',
			action: 'Wait until a backup is finished',
			description: 'Poll a backup until it succeeds, fails or expires, or the time limit passes',
		},
	]),
	...list.description,
	...get.description,
	...create.description,
	...getDownloadUrl.description,
	...download.description,
	...verify.description,
	...copyToObjectStorage.description,
	...waitUntilFinished.description,
];
