import {
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeConnectionTypes,
} from 'n8n-workflow';

import { runOperation, selectOperation } from '../common/n8n';
import { resourceSelector } from '../common/parameters';
import * as backup from './actions/backup/Backup.resource';
import * as backupTask from './actions/backupTask/BackupTask.resource';
import { instanceProperty, instanceTypeProperty, regionProperty } from './actions/shared';
import { searchInstances } from './methods/listSearch';
import { describeKind } from './transport/client';

export class AlibabaCloudRedis implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Alibaba Cloud Redis Backup',
		name: 'alibabaCloudRedis',
		icon: {
			light: 'file:../../icons/alibabaCloud.svg',
			dark: 'file:../../icons/alibabaCloud.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'List, create, wait for and download backups of ApsaraDB for Redis / Tair instances',
		defaults: { name: 'Alibaba Cloud Redis Backup' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'alibabaCloudApi', required: true },
			{
				name: 's3CompatibleBucketApi',
				required: true,
				displayOptions: { show: { resource: ['backup'], operation: ['copyToObjectStorage'] } },
			},
		],
		properties: [
			resourceSelector([
				{ name: 'Backup', value: 'backup' },
				{ name: 'Backup Task', value: 'backupTask' },
			]),
			{ ...instanceProperty },
			{ ...regionProperty },
			// Instance Type matters to the backup operations that read backups and to Wait Until Finished (which looks
			// up the task's backup); Backup → Create and Backup Task → Get do not use it. One definition per resource,
			// because `operation: ['get']` alone would also match Backup Task → Get.
			{
				...instanceTypeProperty,
				displayOptions: {
					show: {
						resource: ['backup'],
						operation: ['list', 'get', 'getDownloadUrl', 'download', 'copyToObjectStorage', 'verify'],
					},
				},
			},
			{
				...instanceTypeProperty,
				displayOptions: {
					show: { resource: ['backupTask'], operation: ['waitUntilFinished'] },
				},
			},
			...backup.description,
			...backupTask.description,
		],
	};

	methods = { listSearch: { searchInstances } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runOperation(this, selectOperation(this, { backup, backupTask }), {
			describeKind,
		});
	}
}
