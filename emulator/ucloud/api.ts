import type { EmulatedFile } from '../common/files';
import { Errors } from './errors';
import {
	UCLOUD_ZONES,
	type UCloudBackupOutcome,
	type UCloudBackupRecord,
	type UCloudGroupRecord,
	type UCloudStore,
} from './store';

/**
 * The URedis ("master-slave Redis", UMem product) actions, with the parameters and fields of UCloud's API pages
 * (docs.ucloud.cn/api/umem-api/..., source UCloudDoc-Team/api umem-api/*.md) and the official Go SDK's models
 * (ucloud-sdk-go services/umem). Parameters arrive flattened to strings (query, form or flattened JSON), as signed.
 */

export interface UCloudApiSettings {
	/** BackupType as "Manual"/"Auto" (documented, the default) or as the number the DescribeURedisBackup sample shows
	 * (1 for the user-named backups there: Manual 1, Auto 0). */
	backupTypeFormat: 'string' | 'number';
	/** BackupURL ends with "\n" as in the DescribeURedisBackupURL sample (BackupPath never does). */
	backupUrlTrailingNewline: boolean;
	/** DescribeURedisBackup without GroupId: the current page says GroupId is required unless RegionType is given
	 * (230 then); the older page lists every backup of the account. Default false (list them). */
	groupIdRequired: boolean;
	/** Manual backups a group may keep (not failed, not expired) before CreateURedisBackup answers 20208; null:
	 * no limit (the default; the console guide only says 3 are free). */
	manualBackupLimit: number | null;
}

export interface ApiContext {
	store: UCloudStore;
	now: number;
	params: Params;
	/** The project the request acts in (its ProjectId or the account's default). */
	projectId: string;
	settings: UCloudApiSettings;
	urls(file: EmulatedFile): { public: string; internal: string };
	takeOutcome(): UCloudBackupOutcome;
}

/** Request parameters as received and signed: flattened names, string values. */
export class Params {
	constructor(readonly raw: Readonly<Record<string, string>>) {}

	str(name: string): string | undefined {
		const value = this.raw[name];
		return value === undefined || value === '' ? undefined : value;
	}

	required(name: string): string {
		const value = this.str(name);
		if (value === undefined) throw Errors.missingParam(name);
		return value;
	}

	/** A non-negative integer (UCloud's int parameters), or the default. */
	int(name: string, fallback: number, min = 0): number {
		const text = this.str(name);
		if (text === undefined) return fallback;
		if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
			throw Errors.invalidParam(name, `an integer of at least ${min} expected, got ${text}`);
		}
		return Number(text);
	}

	bool(name: string): boolean | undefined {
		const text = this.str(name);
		if (text === undefined) return undefined;
		if (text !== 'true' && text !== 'false') throw Errors.invalidParam(name, `true or false expected, got ${text}`);
		return text === 'true';
	}
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** Region (required, known) and Zone (optional, in the region). */
function location(ctx: ApiContext): { region: string; zone?: string } {
	const region = ctx.params.required('Region');
	const zones = UCLOUD_ZONES[region] ?? [...ctx.store.groups.values()].filter((g) => g.region === region).map((g) => g.zone);
	if (zones.length === 0) throw Errors.invalidParam('Region', `unknown region ${region}`);
	const zone = ctx.params.str('Zone');
	if (zone !== undefined && !zones.includes(zone)) throw Errors.invalidParam('Zone', `${zone} is not a zone of ${region}`);
	return { region, zone };
}

function visibleGroup(ctx: ApiContext, region: string, group: UCloudGroupRecord | undefined): group is UCloudGroupRecord {
	return !!group && group.region === region && group.projectId === ctx.projectId;
}

/** A URedisBackupSet entry as DescribeURedisBackup writes it. */
export function backupItem(
	store: UCloudStore,
	now: number,
	settings: Pick<UCloudApiSettings, 'backupTypeFormat'>,
	b: UCloudBackupRecord,
): Record<string, unknown> {
	const group = store.requireGroup(b.groupId);
	const state = store.backupState(b, now);
	return {
		BackupId: b.backupId,
		Zone: group.zone,
		GroupId: group.groupId,
		GroupName: group.name,
		BackupName: b.name,
		BackupTime: seconds(b.startMs),
		// Nothing is stored while Backuping or after a failure.
		BackupSize: state === 'Success' || state === 'Expired' ? b.sizeBytes : 0,
		BackupType: settings.backupTypeFormat === 'number' ? (b.type === 'Manual' ? 1 : 0) : b.type,
		State: state,
		MemorySize: group.sizeGb,
		RedisVersion: group.version,
	};
}

function describeURedisBackup(ctx: ApiContext) {
	const { region, zone } = location(ctx);
	const offset = ctx.params.int('Offset', 0);
	const limit = ctx.params.int('Limit', 10, 1);
	const groupId = ctx.params.str('GroupId');
	const backupId = ctx.params.str('BackupId');
	if (ctx.settings.groupIdRequired && !groupId && !ctx.params.str('RegionType')) throw Errors.missingParam('GroupId');
	const matching = ctx.store.backups
		.filter((b) => {
			const group = ctx.store.group(b.groupId);
			return visibleGroup(ctx, region, group) && (!zone || group.zone === zone);
		})
		.filter((b) => (!groupId || b.groupId === groupId) && (!backupId || b.backupId === backupId))
		// Newest first; no time or state filter exists in this API.
		.sort((a, b) => b.startMs - a.startMs);
	return {
		TotalCount: matching.length,
		DataSet: matching.slice(offset, offset + limit).map((b) => backupItem(ctx.store, ctx.now, ctx.settings, b)),
	};
}

/** BackupName: "范围[6-63],只能包含英文、数字以及符号-和_" (6 to 63 letters, digits, - and _). */
export const BACKUP_NAME = /^[A-Za-z0-9_-]{6,63}$/;

function createURedisBackup(ctx: ApiContext) {
	const { region, zone } = location(ctx);
	const groupId = ctx.params.required('GroupId');
	const name = ctx.params.required('BackupName');
	if (!BACKUP_NAME.test(name)) {
		throw Errors.invalidParam('BackupName', '6 to 63 characters: letters, digits, - and _ only');
	}
	const group = ctx.store.group(groupId);
	if (!visibleGroup(ctx, region, group)) throw Errors.invalidParam('GroupId', `no URedis group ${groupId} in ${region}`);
	if (zone !== undefined && zone !== group.zone) throw Errors.invalidParam('Zone', `${groupId} is in ${group.zone}`);
	if (group.state !== 'Running') throw Errors.createFailed(`the group is ${group.state}, not Running`);
	const running = ctx.store.backups.find((b) => b.groupId === groupId && ctx.store.backupState(b, ctx.now) === 'Backuping');
	if (running) throw Errors.createFailed(`backup ${running.backupId} of this group is still in progress`);
	const limit = ctx.settings.manualBackupLimit;
	if (limit !== null && ctx.store.manualBackupCount(groupId, ctx.now) >= limit) throw Errors.backupLimit();
	const backup = ctx.store.startBackup({ groupId, name, outcome: ctx.takeOutcome() });
	return { BackupId: backup.backupId };
}

/** DescribeURedisBackupURL's answer fields for a backup (also for a test's fuzzed answers). */
export function backupUrlAnswer(
	urls: { public: string; internal: string },
	settings: Pick<UCloudApiSettings, 'backupUrlTrailingNewline'>,
): Record<string, unknown> {
	return {
		// Deprecated ("即将下线,请使用BackupPath"); the sample's value ends with a newline.
		BackupURL: settings.backupUrlTrailingNewline ? `${urls.public}\n` : urls.public,
		BackupPath: urls.public,
		InnerBackupPath: urls.internal,
	};
}

function describeURedisBackupURL(ctx: ApiContext) {
	const { region } = location(ctx);
	const backupId = ctx.params.required('BackupId');
	const groupId = ctx.params.str('GroupId');
	ctx.params.bool('RegionFlag');
	ctx.params.bool('IsCrossRegion');
	const backup = ctx.store.backup(backupId);
	if (!backup || !visibleGroup(ctx, region, ctx.store.group(backup.groupId)) || (groupId && backup.groupId !== groupId)) {
		throw Errors.invalidParam('BackupId', `no backup ${backupId}${groupId ? ` of ${groupId}` : ''} in ${region}`);
	}
	const state = ctx.store.backupState(backup, ctx.now);
	if (state !== 'Success' || !backup.file) throw Errors.getInfoFailed(`backup ${backupId} is ${state}: no file to download`);
	return backupUrlAnswer(ctx.urls(backup.file), ctx.settings);
}

/** A URedisGroupSet entry as DescribeURedisGroup writes it. */
export function groupItem(g: UCloudGroupRecord): Record<string, unknown> {
	return {
		GroupId: g.groupId,
		Name: g.name,
		GroupName: g.name,
		Zone: g.zone,
		SlaveZone: g.slaveZone,
		State: g.state,
		Size: g.sizeGb,
		MemorySize: g.sizeGb,
		UsedSize: g.usedSizeMb,
		Protocol: 'redis',
		Version: g.version,
		Type: 'double',
		Role: 'master',
		HighAvailability: 'enable',
		CreateTime: seconds(g.createdMs),
		ModifyTime: seconds(g.modifiedMs),
		ExpireTime: seconds(g.expireMs),
		ChargeType: g.chargeType,
		AutoBackup: g.autoBackup,
		BackupTime: g.backupHour,
		RewriteTime: 4,
		ConfigId: g.configId,
		VirtualIP: g.virtualIp,
		Port: g.port,
		VPCId: g.vpcId,
		SubnetId: g.subnetId,
		Tag: 'Default',
		IsHighPerformance: false,
		SSLEnable: false,
		UDACEnable: false,
	};
}

function describeURedisGroup(ctx: ApiContext) {
	const { region, zone } = location(ctx);
	const offset = ctx.params.int('Offset', 0);
	const limit = ctx.params.int('Limit', 20, 1);
	const groupId = ctx.params.str('GroupId');
	const matching = [...ctx.store.groups.values()]
		.filter((g) => visibleGroup(ctx, region, g) && (!zone || g.zone === zone) && (!groupId || g.groupId === groupId))
		.sort((a, b) => b.createdMs - a.createdMs);
	return { TotalCount: matching.length, DataSet: matching.slice(offset, offset + limit).map(groupItem) };
}

export const ACTIONS: Readonly<Record<string, (ctx: ApiContext) => Record<string, unknown>>> = {
	DescribeURedisBackup: describeURedisBackup,
	CreateURedisBackup: createURedisBackup,
	DescribeURedisBackupURL: describeURedisBackupURL,
	DescribeURedisGroup: describeURedisGroup,
};
