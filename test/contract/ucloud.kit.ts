/**
 * UCloud (URedis, master-slave Redis of UMem, backups on US3) as a contract kit: its node and credential, its
 * emulator server, its seed instances (cn-bj2: uredis-demo01 in cn-bj2-04, uredis-demo02 in cn-bj2-05), its actions
 * and wire shapes. Reuses the workflow tests' UCloud fixture where it fits (instance locator, test credential, IDs).
 *
 * Where UCloud differs from the other clouds:
 * - Every call is a signed form POST answered HTTP 200 `{Action, RetCode, Message}`; the wrong-state error is RetCode
 *   20203 ("创建失败", e.g. a backup of the group still running), with HTTP 200.
 * - No task API: CreateURedisBackup answers the new backup's ID, which the node outputs as the task ID too, and Wait
 *   Until Finished (under the Backup resource, reading `backupId`) polls DescribeURedisBackup by that ID: the
 *   "tasks" action is the backup list, and the emulator's "tasks" are its backups.
 * - A URedis backup is one RDB file (master-slave: no shards), so there is no cluster instance, and no cluster tests.
 * - The list records carry no files or URLs (DescribeURedisBackupURL gives the one URL), but the file's size is the
 *   list record's BackupSize: the "reported file size" fuzz answers the list itself (no `actions.fileSizes`).
 * - UCloud refuses a second backup of a group while one is Backuping (20203): a contract test that starts two
 *   backups in one run starts the second on uredis-demo02 (`instances.another`), and `reset` lets a backup an earlier
 *   test left running finish, so no test meets another's backup.
 * - UCloud's signature has no timestamp (no clock window, no replay check): a skewed UCloud clock can only show in the
 *   times it reports (BackupTime, the URLs' Expires), and `setClockSkew` puts all of the skew there.
 * - CreateURedisBackup takes no retention, so the kit has no `retentionDays` and the retention input cases do not run.
 * - US3 sends no CRC-64, only its own ETag (the SHA-1-based US3 hash): a download is verified against that ETag (the
 *   files' `checksum`).
 */
import type { INodeParameters } from 'n8n-workflow';

import { UCloudApi } from '../../credentials/UCloudApi.credentials';
import type { CloudEmulator, EmulatedFile } from '../../emulator';
import { UCloudRedis } from '../../nodes/UCloudRedis/UCloudRedis.node';
import { describeKind } from '../../nodes/UCloudRedis/transport/client';
import { GROUP_ID, instanceRef, OTHER_GROUP_ID, REGION, testCredential, UCLOUD_NODE_TYPE } from '../workflows/ucloudFixture';
import type { BackupFixture, CloudKit, FileFixture, InstanceFixture } from './kit';

const standard: InstanceFixture = {
	variant: 'standard',
	instanceId: GROUP_ID,
	region: REGION,
	parameters: { instanceId: instanceRef(GROUP_ID) },
};

const another: InstanceFixture = {
	variant: 'standard',
	instanceId: OTHER_GROUP_ID,
	region: REGION,
	parameters: { instanceId: instanceRef(OTHER_GROUP_ID) },
};

/** Wait Until Finished polls every second (the node refuses faster polling) and gives up after a minute. */
const WAIT_OPTIONS = { pollIntervalSeconds: 1, maxPollIntervalSeconds: 1, maxWaitMinutes: 1 };

/** How the node names US3's ETag as a download's checksum algorithm. */
const US3_ETAG_ALGORITHM = 'us3-etag';

/** UMem's "创建失败" (creation failed): the group is not Running, or a backup of it is still Backuping. */
const WRONG_STATE_CODE = '20203';

async function bytesOf(emulator: CloudEmulator, file: EmulatedFile): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of emulator.ucloud.fileStream(file.key)) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

async function fileFixture(emulator: CloudEmulator, file: EmulatedFile): Promise<FileFixture> {
	const urls = emulator.ucloud.downloadUrls(file);
	const path = new URL(urls.public).pathname;
	return {
		// The name the file has in its URL (`<BackupName>-<BackupId>`, as in DescribeURedisBackupURL's sample).
		name: decodeURIComponent(path.split('/').filter(Boolean).at(-1) ?? file.name),
		key: file.key,
		size: file.size,
		bytes: await bytesOf(emulator, file),
		crc64: await emulator.ucloud.fileCrc64(file.key),
		// US3 sends no CRC-64: its ETag (its own SHA-1-based hash, without the quotes) is what a download is checked by.
		checksum: { algorithm: US3_ETAG_ALGORITHM, value: await emulator.ucloud.fileEtag(file.key) },
		path,
		// The intranet URL (InnerBackupPath): another path on the emulator, the same object.
		alternateUrl: urls.internal,
	};
}

/** Merges `extra` into `base`, the Options collection key by key. */
function withExtra(base: INodeParameters, extra: INodeParameters = {}): INodeParameters {
	const options = { ...((base.options as INodeParameters | undefined) ?? {}), ...((extra.options as INodeParameters | undefined) ?? {}) };
	const merged: INodeParameters = { ...base, ...extra };
	if (Object.keys(options).length > 0) merged.options = options;
	return merged;
}

/** A successful answer as UCloud wraps it. */
function answer(action: string, fields: Record<string, unknown>): Record<string, unknown> {
	return { Action: `${action}Response`, RetCode: 0, ...fields };
}

/** A DescribeURedisBackup answer with these DataSet entries. */
function backupList(records: unknown[]): Record<string, unknown> {
	return answer('DescribeURedisBackup', { TotalCount: records.length, DataSet: records });
}

/** The backup's URedisBackupSet record exactly as DescribeURedisBackup writes it now. */
const wireRecord = (emulator: CloudEmulator, backup: BackupFixture) => emulator.ucloud.wireBackup(backup.backupId);

/** Backups an earlier test left Backuping end now, as they would have (so a create does not meet them: 20203). */
function settleRunningBackups(emulator: CloudEmulator): void {
	const now = emulator.ucloud.clock.now();
	for (const backup of emulator.ucloud.store.backups) {
		if (backup.doneMs !== undefined && backup.doneMs > now) backup.doneMs = now;
	}
	emulator.ucloud.store.sync();
}

export const ucloudKit: CloudKit = {
	id: 'ucloud',
	label: 'UCloud',

	node: { type: UCLOUD_NODE_TYPE, create: () => new UCloudRedis() },

	credential: {
		type: 'uCloudApi',
		types: [new UCloudApi()],
		forEmulator: (emulator, overrides = {}) => testCredential(emulator, overrides),
		secretFields: ['privateKey'],
		endpointOverride: (url) => ({ endpoint: url }),
	},

	emulator: {
		// A backup is Backuping for three backupStepMs.
		options: ({ taskStepMs }) => ({ ucloudSettings: taskStepMs === undefined ? {} : { backupStepMs: taskStepMs } }),
		server: (emulator) => emulator.ucloud,
		reset: (emulator) => {
			emulator.ucloud.faults.clear();
			emulator.ucloud.nextBackupOutcomes.length = 0;
			emulator.ucloud.settings.clockSkewMs = 0;
			emulator.ucloud.settings.rangeRequests = 'standard';
			settleRunningBackups(emulator);
		},
	},

	actions: {
		// One list action (URedis has no cluster variant).
		list: { standard: 'DescribeURedisBackup', cluster: 'DescribeURedisBackup' },
		create: 'CreateURedisBackup',
		// No task API: Wait Until Finished polls the backup itself.
		tasks: 'DescribeURedisBackup',
		download: 'Download',
		// No fileSizes: the size a download is checked against is the list record's BackupSize.
	},

	listCarriesFiles: false,

	instances: { standard, another },

	addStandardBackup: async (emulator, sizeBytes) => {
		const record = emulator.ucloud.addBackup({
			groupId: GROUP_ID,
			startMs: emulator.ucloud.clock.now() - 3_600_000,
			sizeBytes,
			type: 'Manual',
		});
		if (!record.file) throw new Error(`backup ${record.backupId} has no file`);
		return { instance: standard, backupId: record.backupId, files: [await fileFixture(emulator, record.file)] };
	},

	startBackupTask: (emulator, instance) => emulator.ucloud.startBackup({ groupId: instance.instanceId }).backupId,

	// Every backup (the "task" of a backup is the backup), in the order they were made.
	taskIds: (emulator) => emulator.ucloud.store.backups.map((backup) => backup.backupId),

	// No clock window in UCloud's signature: the skew is in the times UCloud reports (BackupTime, URL Expires).
	setClockSkew: (emulator, ms) => {
		emulator.ucloud.settings.clockSkewMs = ms;
	},

	setRangeMode: (emulator, mode) => {
		emulator.ucloud.settings.rangeRequests = mode;
	},

	wrongState: {
		code: WRONG_STATE_CODE,
		// UCloud answers every API error with HTTP 200.
		httpStatus: 200,
		// The emulator's catalogue brings UMem's message for the code.
		fault: (action, times = 1) => ({ kind: 'error', action, code: WRONG_STATE_CODE, times }),
	},

	apiAdvice: describeKind,

	fuzz: {
		listWithNullEntry: (emulator, backup) => backupList([null, wireRecord(emulator, backup)]),
		listRecordWithoutId: (emulator, backup) => {
			const record = wireRecord(emulator, backup);
			delete record.BackupId;
			return backupList([record]);
		},
		// BackupTime is UNIX seconds.
		listWithEpochMillis: (emulator, backup) => {
			const record = wireRecord(emulator, backup);
			record.BackupTime = Number(record.BackupTime) * 1000;
			return backupList([record]);
		},
		// The size a download is checked against is the list record's BackupSize (its URL comes from
		// DescribeURedisBackupURL, unfaulted: fresh and working).
		listWithFileSize: (emulator, backup, sizeBytes) => backupList([{ ...wireRecord(emulator, backup), BackupSize: sizeBytes }]),
		createWithoutTaskId: () => answer('CreateURedisBackup', {}),
	},

	params: {
		list: (instance, extra) => withExtra({ resource: 'backup', operation: 'list', ...instance.parameters }, extra),
		get: (backup, extra) =>
			withExtra({ resource: 'backup', operation: 'get', ...backup.instance.parameters, backupId: backup.backupId }, extra),
		getDownloadUrl: (backup, extra) =>
			withExtra(
				{ resource: 'backup', operation: 'getDownloadUrl', ...backup.instance.parameters, backupId: backup.backupId },
				extra,
			),
		download: (backup, extra) =>
			withExtra({ resource: 'backup', operation: 'download', ...backup.instance.parameters, backupId: backup.backupId }, extra),
		// Backup Name left at its default (n8n-<UTC time>), as a user would.
		create: (instance, extra) => withExtra({ resource: 'backup', operation: 'create', ...instance.parameters }, extra),
		// Wait Until Finished is under Backup and takes the backup ID (what Create outputs as backupId and taskId).
		wait: (instance, taskId, extra) =>
			withExtra(
				{
					resource: 'backup',
					operation: 'waitUntilFinished',
					...instance.parameters,
					backupId: taskId,
					options: { ...WAIT_OPTIONS },
				},
				extra,
			),
	},

	instanceByExpression: (expression) => ({ instanceId: instanceRef(expression) }),
	invalidInstanceId: 'bad id',

	labels: { instance: 'Instance', taskId: 'Backup ID' },
	region: { parameter: 'region', label: 'Region' },
};
