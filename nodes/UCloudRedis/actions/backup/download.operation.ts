import type { INodeProperties } from 'n8n-workflow';

import { executeWith, downloadOperation } from '../../../common/operations';
import { downloadProperties } from '../../../common/parameters';
import { backupIdProperty, ucloudNode } from '../shared';

const show = { resource: ['backup'], operation: ['download'] };

/**
 * US3 (UFile), where URedis keeps its backup files, sends an ETag of its own and no CRC-64: a download is checked by
 * its length (the size DescribeURedisBackup reported and the Content-Length) and by that ETag, computed while the
 * bytes stream (`checksumAlgorithm: "us3-etag"`; the provider's `storage.checksum`, transport/us3Etag.ts).
 */
export const description: INodeProperties[] = [
	{ ...backupIdProperty, displayOptions: { show } },
	...downloadProperties(show, []),
];

export const execute = executeWith(downloadOperation, ucloudNode);
