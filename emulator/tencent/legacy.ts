import type { EmulatedFile } from '../common/files';
import { LegacyErrors } from './errors';
import { beijingTime, parseBeijingTime, type TencentStore } from './store';

/**
 * The legacy CRS API (API 2.0, `redis.api.qcloud.com/v2/index.php`): GetRedisBackupList and GetBackupDownloadUrl,
 * as their (hidden, no longer updated) pages describe them. Parameter names are lower camel case; answers are
 * `{code: 0, message: "", codeDesc: "Success", ...}`.
 */

export interface LegacyContext {
	store: TencentStore;
	now: number;
	params: Record<string, string>;
	/** The common parameter Region. */
	region: string;
	urls(file: EmulatedFile, ttlMs: number): { public: string; internal: string };
	urlTtlMs: number;
}

const DAY = 86400000;
/** "Currently, backups can only be retained for 7 days, so you can just query the backups for the last 7 days". */
const LEGACY_WINDOW_MS = 7 * DAY;

function required(ctx: LegacyContext, name: string): string {
	const value = ctx.params[name];
	if (value === undefined || value === '') throw LegacyErrors.businessParameter(`(11201)${name} is required`);
	return value;
}

function nonNegativeInt(ctx: LegacyContext, name: string): number {
	const text = required(ctx, name);
	if (!/^\d{1,9}$/.test(text)) throw LegacyErrors.businessParameter(`(11201)${name} must be a non-negative integer`);
	return Number(text);
}

function findInstance(ctx: LegacyContext) {
	const instance = ctx.store.instance(required(ctx, 'redisId'));
	if (!instance || instance.region !== ctx.region) throw LegacyErrors.instanceNotExists();
	return instance;
}

function time(ctx: LegacyContext, name: string): number | undefined {
	const text = ctx.params[name];
	if (text === undefined || text === '') return undefined;
	const ms = parseBeijingTime(text);
	if (ms === undefined) throw LegacyErrors.businessParameter(`(11201)${name} must be a time such as 2017-02-08 16:46:34`);
	return ms;
}

function getRedisBackupList(ctx: LegacyContext) {
	const limit = nonNegativeInt(ctx, 'limit');
	// An item offset ("to query the 40 records between 110 and 149, set offset = 110 and limit = 40").
	const offset = nonNegativeInt(ctx, 'offset');
	if (limit < 1) throw LegacyErrors.businessParameter('(11201)limit must be at least 1');
	const instance = findInstance(ctx);
	const begin = time(ctx, 'beginTime');
	const end = time(ctx, 'endTime');
	const matching = ctx.store.backups
		.filter((b) => b.instanceId === instance.instanceId && b.startMs >= ctx.now - LEGACY_WINDOW_MS)
		.filter((b) => (begin === undefined || b.startMs >= begin) && (end === undefined || b.startMs <= end))
		.sort((a, b) => b.startMs - a.startMs);
	return {
		totalCount: matching.length,
		data: {
			redisBackupSet: matching.slice(offset, offset + limit).map((b) => ({
				startTime: beijingTime(b.startMs),
				backupId: b.backupId,
				backupType: b.backupType === 'manual' ? 'manualBackupInstance' : 'systemBackupInstance',
				status: ctx.store.backupStatus(b, ctx.now),
				remark: b.remark,
				locked: b.locked ? 1 : 0,
			})),
		},
	};
}

function getBackupDownloadUrl(ctx: LegacyContext) {
	const instance = findInstance(ctx);
	const backupId = required(ctx, 'backupId');
	const backup = ctx.store.backups.find((b) => b.backupId === backupId && b.instanceId === instance.instanceId);
	if (!backup) throw LegacyErrors.backupNotExists();
	const status = ctx.store.backupStatus(backup, ctx.now);
	if (status !== 2 && status !== 3 && status !== 4) throw LegacyErrors.backupStatusAbnormal();
	// One address pair per backup: the legacy API predates cluster backups and names only the first file.
	const file = backup.shards.find((s) => s.file && !s.failed)?.file;
	if (!file) throw LegacyErrors.backupStatusAbnormal();
	const urls = ctx.urls(file, ctx.urlTtlMs);
	return { data: { intranet: urls.internal, extranet: urls.public } };
}

export const LEGACY_ACTIONS: Readonly<Record<string, (ctx: LegacyContext) => Record<string, unknown>>> = {
	GetRedisBackupList: getRedisBackupList,
	GetBackupDownloadUrl: getBackupDownloadUrl,
};
