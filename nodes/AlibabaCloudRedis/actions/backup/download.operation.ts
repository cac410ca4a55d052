import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { CloudApiError } from '../../../common/errors';
import { downloadToBinary } from '../../../common/download';
import { requireOneOf, requirePositiveNumber, requireText } from '../../../common/input';
import { backupIdProperty, optionsCollection, searchDaysProperty } from '../shared';
import { backupOfItem } from './find';
import { fileItem } from './getDownloadUrl.operation';

const show = { resource: ['backup'], operation: ['download'] };
const MIB = 1024 * 1024;

export const description: INodeProperties[] = [
	{ ...backupIdProperty, displayOptions: { show } },
	{
		displayName: 'URL Type',
		name: 'urlType',
		type: 'options',
		default: 'public',
		displayOptions: { show },
		options: [
			{ name: 'Public', value: 'public', description: 'Works from anywhere with internet access' },
			{
				name: 'Internal',
				value: 'internal',
				description:
					'Only from an ECS instance in the same region and VPC; no internet traffic fees',
			},
		],
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show },
		hint: 'The name of the output binary field to put the file in',
	},
	optionsCollection(show, [
		searchDaysProperty,
		{
			displayName: 'Max File Size (MiB)',
			name: 'maxFileSizeMiB',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0 },
			description:
				"Refuse files larger than this before downloading them. 0 means no limit. n8n's database binary mode stores at most 512 MiB per file.",
		},
	]),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const urlType = requireOneOf(
		this.getNodeParameter('urlType', itemIndex, 'public'),
		['public', 'internal'] as const,
		'URL Type',
	);
	const binaryPropertyName = requireText(
		this.getNodeParameter('binaryPropertyName', itemIndex, 'data'),
		'Put Output File in Field',
		/^[A-Za-z0-9_.-]+$/,
		'data',
	);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const maxFileSizeMiB = Number(options.maxFileSizeMiB ?? 0);
	if (!Number.isFinite(maxFileSizeMiB) || maxFileSizeMiB < 0) {
		requirePositiveNumber(options.maxFileSizeMiB, 'Max File Size (MiB)');
	}

	const backup = await backupOfItem.call(this, itemIndex);
	const { backupId } = backup;
	if (backup.status !== 'succeeded') {
		throw new CloudApiError(
			`Backup ${backupId} is ${backup.status} (${backup.providerStatus ?? 'no status'}); only finished backups can be downloaded`,
			{
				provider: 'alibaba',
				kind: 'client',
				action: 'download',
			},
		);
	}
	const results: INodeExecutionData[] = [];
	for (const [index, file] of backup.files.entries()) {
		const url = urlType === 'internal' ? file.internalDownloadUrl : file.downloadUrl;
		if (!url) {
			throw new CloudApiError(
				`Backup ${backupId} has no ${urlType} download URL for file ${file.name ?? index}`,
				{
					provider: 'alibaba',
					kind: 'notFound',
					action: 'download',
				},
			);
		}
		const downloaded = await downloadToBinary(this, {
			url,
			fileName: file.name ?? `${backup.instanceId}_${backup.backupId}_${index}.rdb`,
			mimeType: 'application/octet-stream',
			expectedBytes: file.sizeBytes,
			maxBytes: Math.round(maxFileSizeMiB * MIB),
			provider: 'alibaba',
		});
		const json = fileItem(backup, file, index);
		json.downloadedBytes = downloaded.bytes;
		json.crc64 = downloaded.crc64;
		results.push({ json, binary: { [binaryPropertyName]: downloaded.binary } });
	}
	return results;
}
