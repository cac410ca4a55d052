import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { CloudApiError } from '../../../common/errors';
import { downloadToBinary } from '../../../common/download';
import { requireOneOf, requirePositiveNumber, requireText } from '../../../common/input';
import { type Backup, type BackupFile, safeFileName } from '../../../common/model';
import { backupIdProperty, optionsCollection, searchDaysProperty } from '../shared';
import { backupLookupOfItem } from './find';
import { fileItem } from './getDownloadUrl.operation';

const show = { resource: ['backup'], operation: ['download'] };
const MIB = 1024 * 1024;

/** OSS sends the object's CRC-64/ECMA (decimal) in this header; it goes into the item as `crc64`. */
export const OSS_CHECKSUM_HEADER = 'x-oss-hash-crc64ecma';

/** A presigned URL expiring within this margin (or already expired) is replaced by a fresh one before use. */
export const URL_REFRESH_MARGIN_MS = 5 * 60_000;

/** Whether a file's URLs expire within the margin; unknown expiry means no. */
export function urlNeedsRefresh(expiresAt: string | null, nowMs: number): boolean {
	if (!expiresAt) return false;
	const expiresMs = Date.parse(expiresAt);
	return !Number.isNaN(expiresMs) && expiresMs - nowMs <= URL_REFRESH_MARGIN_MS;
}

/** The same file in a freshly fetched copy of the backup: by file ID, else by position. */
function sameFile(backup: Backup, file: BackupFile, index: number): BackupFile {
	const found =
		file.fileId !== null
			? backup.files.find((candidate) => candidate.fileId === file.fileId)
			: backup.files[index];
	if (!found) {
		throw new CloudApiError(
			`File ${file.name ?? index} of backup ${backup.backupId} is no longer listed by the cloud`,
			{ provider: 'alibaba', kind: 'notFound', action: 'download' },
		);
	}
	return found;
}

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

	const lookup = await backupLookupOfItem.call(this, itemIndex);
	let backup = lookup.backup;
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
	if (backup.files.length === 0) {
		throw new CloudApiError(
			`Backup ${backupId} of ${backup.instanceId} succeeded but the cloud lists no file to download for it`,
			{
				provider: 'alibaba',
				kind: 'notFound',
				action: 'download',
				hint: 'Check the backup in the Alibaba Cloud console (it may have been deleted or be incomplete), or download another backup.',
			},
		);
	}
	const results: INodeExecutionData[] = [];
	const fileCount = backup.files.length;
	for (let index = 0; index < fileCount; index++) {
		let file = backup.files[index];
		// Presigned URLs expire: one about to (or already) expired is replaced by a fresh one before the download.
		if (urlNeedsRefresh(file.expiresAt, Date.now())) {
			backup = await lookup.refetch();
			file = sameFile(backup, file, index);
		}
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
			fileName: safeFileName(file.name, `${backup.instanceId}_${backup.backupId}_${index}.rdb`),
			mimeType: 'application/octet-stream',
			expectedBytes: file.sizeBytes,
			maxBytes: Math.round(maxFileSizeMiB * MIB),
			provider: 'alibaba',
			checksumHeader: OSS_CHECKSUM_HEADER,
		});
		const json = fileItem(backup, file, index);
		json.downloadedBytes = downloaded.bytes;
		json.crc64 = downloaded.checksum;
		results.push({ json, binary: { [binaryPropertyName]: downloaded.binary } });
	}
	return results;
}
