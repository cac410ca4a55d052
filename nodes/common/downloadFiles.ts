/**
 * Download every file of a backup (one per shard for a cluster backup) into n8n's binary store, for any cloud:
 * only a succeeded backup whose every file succeeded, URLs refreshed before they expire, each file streamed,
 * retried, resumed and checked by `download.ts` (its length, and the checksum the provider's storage sends:
 * `provider.storage.checksum`; with `verify`, the RDB itself: common/rdb.ts). Backup → Verify streams them the same
 * way and keeps nothing (`verifyBackupFiles`).
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { BackupLookup } from './backups';
import {
	downloadToBinary,
	streamAndDiscard,
	type DownloadRequest,
	type DownloadResult,
	type StreamedFile,
} from './download';
import { CloudApiError } from './errors';
import { type Backup, type BackupFile, safeFileName } from './model';
import type { DownloadSettings, StreamSettings } from './parameters';
import type { BackupProvider } from './provider';

/** A presigned URL expiring within this margin (or already expired) is replaced by a fresh one before use. */
export const URL_REFRESH_MARGIN_MS = 5 * 60_000;

/** Whether a file's URLs expire within the margin; unknown expiry means no. */
export function urlNeedsRefresh(expiresAt: string | null, nowMs: number): boolean {
	if (!expiresAt) return false;
	const expiresMs = Date.parse(expiresAt);
	return !Number.isNaN(expiresMs) && expiresMs - nowMs <= URL_REFRESH_MARGIN_MS;
}

/** The same file in a freshly fetched copy of the backup: by file ID, else by position. */
export function sameFile(
	provider: BackupProvider,
	backup: Backup,
	file: BackupFile,
	index: number,
): BackupFile {
	const found =
		file.fileId !== null
			? backup.files.find((candidate) => candidate.fileId === file.fileId)
			: backup.files[index];
	if (!found) {
		throw new CloudApiError(
			`File ${file.name ?? index} of backup ${backup.backupId} is no longer listed by ${provider.label}`,
			{ provider: provider.id, kind: 'notFound', action: 'download' },
		);
	}
	return found;
}

/** Refuses, before anything is downloaded, a backup that is not a complete, successful one. */
export function checkDownloadable(provider: BackupProvider, backup: Backup): void {
	const { backupId } = backup;
	// A cluster backup is only as good as its worst shard: a set with a failed shard cannot be restored. Checked
	// first: it is why such a set's own status is failed, and names the shards.
	const broken = backup.files.filter((file) => file.status === 'failed');
	if (broken.length > 0) {
		const names = broken
			.map(
				(file) => `${file.nodeId ?? file.name ?? file.fileId} (${file.providerStatus ?? 'failed'})`,
			)
			.join(', ');
		throw new CloudApiError(
			`Backup ${backupId} is incomplete: ${broken.length} of its ${backup.files.length} files failed: ${names}`,
			{
				provider: provider.id,
				kind: 'client',
				action: 'download',
				hint: 'A backup set with a failed shard cannot be restored; download another backup or create a new one.',
			},
		);
	}
	if (backup.status !== 'succeeded') {
		throw new CloudApiError(
			`Backup ${backupId} is ${backup.status} (${backup.providerStatus ?? 'no status'}); only finished backups can be downloaded`,
			{ provider: provider.id, kind: 'client', action: 'download' },
		);
	}
	if (backup.files.length === 0) {
		throw new CloudApiError(
			`Backup ${backupId} of ${backup.instanceId} succeeded but ${provider.label} lists no file to download for it`,
			{
				provider: provider.id,
				kind: 'notFound',
				action: 'download',
				hint: `Check the backup in the ${provider.label} console (it may have been deleted or be incomplete), or download another backup.`,
			},
		);
	}
}

export interface DownloadedFile<R extends StreamedFile = DownloadResult> {
	backup: Backup;
	file: BackupFile;
	index: number;
	result: R;
}

/**
 * Downloads each file into n8n's binary store. `storeLimit`: what the store can hold (common/binaryStore.ts), asked
 * when a file's size is known, before its body is read.
 */
export async function downloadBackupFiles(
	context: IExecuteFunctions,
	provider: BackupProvider,
	lookup: BackupLookup,
	settings: DownloadSettings,
	storeLimit?: DownloadRequest['storeLimit'],
): Promise<DownloadedFile[]> {
	return await eachBackupFile(provider, lookup, settings, async (request) =>
		await downloadToBinary(context, { ...request, maxBytes: settings.maxBytes, storeLimit }),
	);
}

/** Streams each file through the checks and the RdbVerifier, keeping nothing (Backup → Verify). */
export async function verifyBackupFiles(
	context: IExecuteFunctions,
	provider: BackupProvider,
	lookup: BackupLookup,
	settings: StreamSettings,
): Promise<Array<DownloadedFile<StreamedFile>>> {
	return await eachBackupFile(provider, lookup, settings, async (request) =>
		await streamAndDiscard(context, { ...request, verify: true }),
	);
}

/**
 * The rules for every file of a downloadable backup (URL refresh, URL type), one `stream` call per file, in order;
 * `stream` is also told which file of which backup it is (Copy to Object Storage names its object after them).
 */
export async function eachBackupFile<R extends StreamedFile>(
	provider: BackupProvider,
	lookup: BackupLookup,
	settings: StreamSettings,
	stream: (
		request: DownloadRequest,
		target: { backup: Backup; file: BackupFile; index: number },
	) => Promise<R>,
): Promise<Array<DownloadedFile<R>>> {
	let { backup } = lookup;
	checkDownloadable(provider, backup);
	const downloaded: Array<DownloadedFile<R>> = [];
	const fileCount = backup.files.length;
	for (let index = 0; index < fileCount; index++) {
		let file = backup.files[index];
		// Presigned URLs expire: one about to (or already) expired is replaced by a fresh one before the download.
		if (urlNeedsRefresh(file.expiresAt, Date.now())) {
			backup = await lookup.refetch();
			checkDownloadable(provider, backup);
			file = sameFile(provider, backup, file, index);
		}
		const url = settings.urlType === 'internal' ? file.internalDownloadUrl : file.downloadUrl;
		if (!url) {
			throw new CloudApiError(
				`Backup ${backup.backupId} has no ${settings.urlType} download URL for file ${file.name ?? index}`,
				{ provider: provider.id, kind: 'notFound', action: 'download' },
			);
		}
		const result = await stream(
			{
				url,
				fileName: safeFileName(file.name, `${backup.instanceId}_${backup.backupId}_${index}.rdb`),
				mimeType: 'application/octet-stream',
				expectedBytes: file.sizeBytes,
				maxBytes: 0,
				provider: provider.id,
				checksum: provider.storage.checksum ?? undefined,
				idleTimeoutMs: settings.idleTimeoutMs,
				responseTimeoutMs: settings.requestTimeoutMs,
				verify: settings.verify,
			},
			{ backup, file, index },
		);
		downloaded.push({ backup, file, index, result });
	}
	return downloaded;
}
