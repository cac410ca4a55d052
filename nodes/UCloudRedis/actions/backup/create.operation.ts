import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { createOperation, createWith, type PreparedCreate } from '../../../common/operations';
import { optionsCollection, requestTimeoutOption } from '../../../common/parameters';
import { ucloudNode } from '../shared';

const show = { resource: ['backup'], operation: ['create'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Backup Name',
		name: 'backupName',
		type: 'string',
		default: "={{ 'n8n-' + $now.toUTC().toFormat('yyyyMMdd-HHmmss') }}",
		required: true,
		displayOptions: { show },
		description:
			'Name of the backup (BackupName): 6 to 63 characters, letters, digits, "-" and "_" only, as UCloud requires',
	},
	optionsCollection(show, [requestTimeoutOption]),
];

/** Every item is checked (its Backup Name too) before the first backup is started. */
export const { prepare } = createWith(ucloudNode);

/**
 * CreateURedisBackup, sent once. URedis has no task API: the output is the job as a task whose ID is the new
 * backup's ID, with `backupId` and `backupName` beside it (what Backup → Wait Until Finished takes).
 */
export async function execute(
	this: IExecuteFunctions,
	_itemIndex: number,
	prepared?: unknown,
): Promise<INodeExecutionData[]> {
	const { options } = prepared as PreparedCreate;
	const output = await createOperation.call(this, prepared as PreparedCreate, ucloudNode);
	return output.map((item) => ({
		...item,
		json: {
			...item.json,
			backupId: item.json.taskId,
			backupName: options.name ?? null,
		} as IDataObject,
	}));
}

/** Named in the error when a later item fails, so a re-run does not start these backups again. */
export function describeDone(output: INodeExecutionData[]): string | undefined {
	const started = output
		.map((item) => item.json as { instanceId?: unknown; backupId?: unknown })
		.filter((json) => typeof json.backupId === 'string' && json.backupId !== '')
		.map((json) => `backup ${String(json.backupId)} on ${String(json.instanceId)}`);
	return started.length > 0 ? `started ${started.join(', ')}` : undefined;
}
