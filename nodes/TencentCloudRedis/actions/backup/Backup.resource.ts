import type { INodeProperties } from 'n8n-workflow';

import { backupOperations, operationSelector } from '../../../common/parameters';
import * as copyToObjectStorage from './copyToObjectStorage.operation';
import * as create from './create.operation';
import * as download from './download.operation';
import * as get from './get.operation';
import * as getDownloadUrl from './getDownloadUrl.operation';
import * as list from './list.operation';
import * as verify from './verify.operation';

export { copyToObjectStorage, create, download, get, getDownloadUrl, list, verify };

export const description: INodeProperties[] = [
	operationSelector(
		'backup',
		'list',
		backupOperations({
			create: 'Start a manual backup and output its task ID',
			download: 'Download the backup file(s) as binary data, checked against the cloud checksum',
			get: 'Get one backup by ID',
			getDownloadUrl: 'Get the public and internal URL of every file (shard) of a backup',
			verify: 'Stream each file of the backup through the cloud checksum and the RDB check without storing it',
		}),
	),
	...list.description,
	...get.description,
	...create.description,
	...getDownloadUrl.description,
	...download.description,
	...verify.description,
	...copyToObjectStorage.description,
];
