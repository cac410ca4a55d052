import type { INodeProperties } from 'n8n-workflow';

import { executeWith, listOperation } from '../../../common/operations';
import { listProperties } from '../../../common/parameters';
import { BACKUP_PAGE_SIZES } from '../../transport/provider';
import { ucloudNode } from '../shared';

const show = { resource: ['backup'], operation: ['list'] };

/**
 * DescribeURedisBackup has no time or state filter: the node applies Start Time, End Time and Status to what it
 * lists, before Limit counts (common/backups.ts).
 */
export const description: INodeProperties[] = listProperties(show, BACKUP_PAGE_SIZES, 7);

export const execute = executeWith(listOperation, ucloudNode);
