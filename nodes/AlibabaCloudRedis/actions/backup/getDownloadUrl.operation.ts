import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { Backup, BackupFile } from '../../../common/model';
import { backupIdProperty, optionsCollection, searchDaysProperty } from '../shared';
import { backupOfItem } from './find';

const show = { resource: ['backup'], operation: ['getDownloadUrl'] };

export const description: INodeProperties[] = [
	{ ...backupIdProperty, displayOptions: { show } },
	optionsCollection(show, [searchDaysProperty]),
];

/** One output item per file: what a "download each file" loop needs, with the backup it belongs to. */
export function fileItem(backup: Backup, file: BackupFile, index: number): IDataObject {
	return {
		provider: backup.provider,
		region: backup.region,
		instanceId: backup.instanceId,
		backupId: backup.backupId,
		backupStatus: backup.status,
		fileIndex: index,
		fileCount: backup.files.length,
		...file,
	} as unknown as IDataObject;
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const backup = await backupOfItem.call(this, itemIndex);
	return backup.files.map((file, index) => ({ json: fileItem(backup, file, index) }));
}
