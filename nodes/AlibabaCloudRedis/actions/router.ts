import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { type ItemOperation, runPerItem } from '../../common/n8n';
import { describeKind } from '../transport/client';
import * as createBackup from './backup/create.operation';
import * as downloadBackup from './backup/download.operation';
import * as getBackup from './backup/get.operation';
import * as getDownloadUrl from './backup/getDownloadUrl.operation';
import * as listBackups from './backup/list.operation';
import * as getTask from './backupTask/get.operation';
import * as waitForTask from './backupTask/waitUntilFinished.operation';

export const operations: Record<string, Record<string, { execute: ItemOperation }>> = {
	backup: {
		list: listBackups,
		get: getBackup,
		create: createBackup,
		getDownloadUrl,
		download: downloadBackup,
	},
	backupTask: {
		get: getTask,
		waitUntilFinished: waitForTask,
	},
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const selected = operations[resource]?.[operation];
	if (!selected)
		throw new Error(`The operation "${operation}" of resource "${resource}" is not supported`);
	return await runPerItem(this, selected.execute, { describeKind });
}
