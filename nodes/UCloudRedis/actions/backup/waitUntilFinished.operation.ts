import type { INodeProperties } from 'n8n-workflow';

import { executeWith, waitOperation } from '../../../common/operations';
import { waitOptions } from '../../../common/parameters';
import { backupIdProperty, ucloudNode } from '../shared';

const show = { resource: ['backup'], operation: ['waitUntilFinished'] };

/**
 * URedis has no task API: the shared wait (common/waitForJob.ts) polls the backup's own State until Success, Error
 * or Expired, with the same options, deadline and cancellation as the other clouds' task waits.
 */
export const description: INodeProperties[] = [
	{
		...backupIdProperty,
		description: 'The backup to wait for (backupId of Backup → Create)',
		displayOptions: { show },
	},
	waitOptions(show),
];

export const execute = executeWith(waitOperation, ucloudNode);
