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
import { instanceProperty, regionProperty, zoneProperty } from './actions/shared';
import { searchInstances } from './methods/listSearch';
import { describeKind } from './transport/client';

export class UCloudRedis implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'UCloud Redis Backup',
		name: 'uCloudRedis',
		icon: {
			light: 'file:../../icons/ucloud.svg',
			dark: 'file:../../icons/ucloud.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'List, create, wait for and download backups of UCloud URedis (master-replica Redis) instances',
		defaults: { name: 'UCloud Redis Backup' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'uCloudApi', required: true },
			{
				name: 's3CompatibleBucketApi',
				required: true,
				displayOptions: { show: { resource: ['backup'], operation: ['copyToObjectStorage'] } },
			},
		],
		properties: [
			resourceSelector([{ name: 'Backup', value: 'backup' }]),
			{ ...instanceProperty },
			{ ...regionProperty },
			zoneProperty(['create', 'getDownloadUrl', 'download', 'copyToObjectStorage', 'verify']),
			...backup.description,
		],
	};

	methods = { listSearch: { searchInstances } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runOperation(this, selectOperation(this, { backup }), { describeKind });
	}
}
