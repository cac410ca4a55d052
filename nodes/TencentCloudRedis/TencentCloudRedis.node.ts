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
import { instanceProperty, regionProperty } from './actions/shared';
import { searchInstances } from './methods/listSearch';
import { describeKind } from './transport/client';

export class TencentCloudRedis implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tencent Cloud Redis Backup',
		name: 'tencentCloudRedis',
		icon: {
			light: 'file:../../icons/tencentCloud.svg',
			dark: 'file:../../icons/tencentCloud.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'List, create, wait for and download backups of TencentDB for Redis instances',
		defaults: { name: 'Tencent Cloud Redis Backup' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'tencentCloudApi', required: true },
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
