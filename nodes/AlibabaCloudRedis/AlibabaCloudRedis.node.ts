import {
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	NodeConnectionTypes,
} from 'n8n-workflow';

import * as createBackup from './actions/backup/create.operation';
import * as downloadBackup from './actions/backup/download.operation';
import * as getBackup from './actions/backup/get.operation';
import * as getDownloadUrl from './actions/backup/getDownloadUrl.operation';
import * as listBackups from './actions/backup/list.operation';
import * as getTask from './actions/backupTask/get.operation';
import * as waitForTask from './actions/backupTask/waitUntilFinished.operation';
import { router } from './actions/router';
import { instanceProperty, instanceTypeProperty, regionProperty } from './actions/shared';
import { searchInstances } from './methods/listSearch';

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
		credentials: [{ name: 'alibabaCloudApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				default: 'backup',
				options: [
					{ name: 'Backup', value: 'backup' },
					{ name: 'Backup Task', value: 'backupTask' },
				],
			},
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
						description: 'Start a manual backup and output its backup job ID',
					},
					{
						name: 'Download',
						value: 'download',
						action: 'Download a backup',
						description: 'Download the backup file(s) as binary data',
					},
					{
						name: 'Get',
						value: 'get',
						action: 'Get a backup',
						description: 'Get one backup or cluster backup set by ID',
					},
					{
						name: 'Get Download URL',
						value: 'getDownloadUrl',
						action: 'Get download URL of a backup',
						description: 'Get the public and internal URL of every file of a backup',
					},
					{
						name: 'List',
						value: 'list',
						action: 'List backups',
						description: 'List the backups of an instance in a time range',
					},
				],
			},
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
						action: 'Get backup tasks',
						description: 'Get the state of backup tasks of an instance',
					},
					{
						name: 'Wait Until Finished',
						value: 'waitUntilFinished',
						action: 'Wait until a backup task is finished',
						description: 'Poll a backup task until it is finished, fails or the time limit passes',
					},
				],
			},
			{ ...instanceProperty },
			{ ...regionProperty },
			// Instance Type matters to the backup operations that read backups and to Wait Until Finished (which looks
			// up the task's backup); Backup → Create and Backup Task → Get do not use it. One definition per resource,
			// because `operation: ['get']` alone would also match Backup Task → Get.
			{
				...instanceTypeProperty,
				displayOptions: {
					show: { resource: ['backup'], operation: ['list', 'get', 'getDownloadUrl', 'download'] },
				},
			},
			{
				...instanceTypeProperty,
				displayOptions: {
					show: { resource: ['backupTask'], operation: ['waitUntilFinished'] },
				},
			},
			...listBackups.description,
			...getBackup.description,
			...createBackup.description,
			...getDownloadUrl.description,
			...downloadBackup.description,
			...getTask.description,
			...waitForTask.description,
		],
	};

	methods = { listSearch: { searchInstances } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
