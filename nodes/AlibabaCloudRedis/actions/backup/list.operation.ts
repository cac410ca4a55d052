import type { INodeProperties } from 'n8n-workflow';

import { executeWith, listOperation } from '../../../common/operations';
import { listProperties } from '../../../common/parameters';
import { BACKUP_PAGE_SIZES } from '../../transport/provider';
import { alibabaNode } from '../shared';

const show = { resource: ['backup'], operation: ['list'] };

export const description: INodeProperties[] = listProperties(show, BACKUP_PAGE_SIZES);

export const execute = executeWith(listOperation, alibabaNode);
