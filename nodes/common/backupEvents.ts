/**
 * The backup trigger's rules, written once against the provider contract: which backups of which instances
 * started, succeeded, failed or went away since the last poll, and which instances have gone too long without a
 * good backup; each event emitted once, although n8n may run a poll twice or late ("at least once").
 *
 * How exactly-once holds without a durable cursor: each instance keeps, in the trigger's static data, the time it
 * was last polled, the backups still running, and the events already emitted (keyed, pruned by age). A poll lists
 * back to the last poll minus an overlap (a backup appears in a list late, stamped with its start) and to the
 * oldest backup still running, and emits only what its keys say is new. The first poll of an instance (the
 * activation, a new instance, a changed configuration) records where things stand and emits nothing.
 *
 * Framework-free: the n8n side (nodes/common/trigger.ts) reads parameters, static data and the poll budget.
 */
import { DateTime } from 'luxon';

import { CLOCK_SKEW_MS, JOB_START_TOLERANCE_MS, listBackups } from './backups';
import { collectPages } from './paginate';
import type { Backup, BackupStatus, BackupTask, Provider } from './model';
import type { BackupProvider, InstancePage, InstanceRef } from './provider';
import { ActionLimiters, type LimiterClock } from './rateLimit';

/** What a user can ask the trigger for. */
export const WATCHED_EVENTS = [
	'backupStarted',
	'backupSucceeded',
	'backupFailed',
	'backupExpiredOrDeleted',
	'instanceStale',
] as const;
export type WatchedEvent = (typeof WATCHED_EVENTS)[number];

/** What an item's `event` says; `instanceStale` also brings `instanceFresh` when the instance recovers. */
export type BackupEventName = WatchedEvent | 'instanceFresh';

/** How far back each poll looks beyond the last one: a backup can show up in a list after its start. */
export const OVERLAP_MS = 60 * 60_000;
/** A backup seen running for longer than this is given up on (it is not tracked, and its end not reported). */
export const RUNNING_MAX_AGE_MS = 48 * 3600_000;
/**
 * A running backup that the cloud stops listing without an outcome has failed (some clouds list no failed
 * backups: the record just goes); after this long unlisted (two polls at n8n's shortest interval), so that a list
 * that lags a moment behind its task is not taken for a failure.
 */
export const VANISHED_AFTER_MS = 2 * 60_000;
/** How often (per instance) the trigger lists far enough back to see that a backup it knew has gone. */
export const GONE_CHECK_EVERY_MS = 60 * 60_000;
/** Successful backups tracked for "expired or deleted": the newest this many, per instance… */
export const KEPT_MAX = 20;
/** …and none older than this. */
export const KEPT_MAX_AGE_MS = 35 * 86400_000;
/** Bounds on what one instance keeps in static data, whatever the cloud lists. */
export const SEEN_MAX = 300;
export const RUNNING_MAX = 50;
/** Instances polled at once (the rate limiter, not this, keeps the request rate). */
export const CONCURRENCY = 4;
/** A poll stops starting instances when less than this share of its budget is left. */
export const BUDGET_RESERVE = 0.25;
/** "Fetch Test Event": how far back, how many instances, how many events. */
export const SAMPLE_DAYS = 7;
export const SAMPLE_INSTANCES = 10;
export const SAMPLE_EVENTS = 10;
/** Instances an instance search may return before the trigger refuses to watch them all. */
export const MAX_WATCHED_INSTANCES = 5000;

export interface TriggerConfig {
	events: ReadonlySet<WatchedEvent>;
	/** For `instanceStale`: how old the newest successful backup may be. */
	staleAfterMs: number;
	pageSize: number;
}

/** Which instances to watch: named ones (their variant found by the instance search), or every one of a region. */
export type InstanceSelection =
	| { mode: 'ids'; region: string; instanceIds: string[] }
	| { mode: 'region'; region: string };

/** A successful backup as kept in static data: [startMs, finishedMs, sizeBytes, mode]. */
type KeptBackup = [number, number | null, number | null, string];

export interface InstanceState {
	/** Our clock at the start of this instance's last complete poll. */
	polledMs: number;
	variant: string;
	zone?: string;
	region: string | null;
	/** Events already emitted: "<event letter>|<key>" -> the backup's start (ms), for pruning. */
	seen: Record<string, number>;
	/** Backups (or jobs) seen running. The next poll lists back to the oldest. */
	running: Record<string, RunningBackup>;
	/** The newest successful backup seen: ID and start (ms), or null when none was seen. */
	good: { id: string; startedMs: number; finishedMs: number | null } | null;
	stale: boolean;
	/** Successful backups tracked for "expired or deleted" (only when that event is watched). */
	kept?: Record<string, KeptBackup>;
	goneCheckedMs?: number;
}

export interface RunningBackup {
	startedMs: number;
	/** Our clock when a poll first found it no longer listed. */
	missingSinceMs?: number;
	/** The record as last seen, without `raw` and `files` (static data stays small): a vanished backup's item. */
	record: Record<string, unknown>;
}

export interface TriggerState {
	version: 1;
	/** The configuration the state was built under; another configuration starts over. */
	fingerprint: string;
	instances: Record<string, InstanceState>;
}

export interface BackupEventItem {
	event: BackupEventName;
	detectedAt: string;
	[key: string]: unknown;
}

export interface PollEnvironment {
	provider: BackupProvider;
	clock: LimiterClock;
	/** How long this poll may take (n8n's getPollBudgetMs). */
	budgetMs: number;
	warn?: (message: string) => void;
}

export interface PollResult {
	events: BackupEventItem[];
	/** Instances polled completely (baselines included), and those left for the next poll (budget). */
	polled: number;
	deferred: number;
	failures: Array<{ instanceId: string; error: unknown }>;
}

export function configFingerprint(parts: unknown): string {
	return JSON.stringify(parts);
}

/** The static data as stored, or a fresh state when it is missing, foreign or from another configuration. */
export function loadState(stored: unknown, fingerprint: string): TriggerState {
	const candidate = stored as Partial<TriggerState> | undefined;
	if (
		candidate &&
		candidate.version === 1 &&
		candidate.fingerprint === fingerprint &&
		candidate.instances &&
		typeof candidate.instances === 'object'
	) {
		return candidate as TriggerState;
	}
	return { version: 1, fingerprint, instances: {} };
}

/** Seen-set entries: a prefix per kind of event (an outcome is one event, whichever it was), then the key. */
const STARTED = 'S|';
const ENDED = 'D|';
const GONE = 'G|';
const PREFIX_LENGTH = 2;

/** One backup as the trigger sees it: a job's records grouped (a multi-node job lists one per node). */
interface Observation {
	key: string;
	status: BackupStatus;
	startedMs: number;
	record: Backup | BackupTask;
	backups: Backup[];
}

function startMsOf(record: { startedAt: string | null }): number | null {
	if (record.startedAt === null) return null;
	const ms = Date.parse(record.startedAt);
	return Number.isNaN(ms) ? null : ms;
}

function finishedMsOf(backup: Backup): number | null {
	if (backup.finishedAt === null) return null;
	const ms = Date.parse(backup.finishedAt);
	return Number.isNaN(ms) ? null : ms;
}

/** A job's records as one: failed if any failed, running while any runs, else succeeded. */
const STATUS_RANK: Record<BackupStatus, number> = {
	failed: 5,
	running: 4,
	pending: 3,
	unknown: 2,
	succeeded: 1,
	expired: 0,
	deleted: 0,
};

function observe(backups: Backup[], tasks: BackupTask[]): Observation[] {
	const byKey = new Map<string, Observation>();
	const add = (key: string, record: Backup | BackupTask, status: BackupStatus) => {
		const startedMs = startMsOf(record);
		// A record without a start cannot be placed in time, so it could never be pruned: it is not reported.
		if (startedMs === null) return;
		const existing = byKey.get(key);
		if (!existing) {
			byKey.set(key, {
				key,
				status,
				startedMs,
				record,
				backups: record.kind === 'backup' ? [record] : [],
			});
			return;
		}
		if (record.kind === 'backup') {
			existing.backups.push(record);
			// A backup record describes the job better than its task row.
			if (existing.record.kind !== 'backup') existing.record = record;
		}
		if (STATUS_RANK[status] > STATUS_RANK[existing.status]) existing.status = status;
		existing.startedMs = Math.min(existing.startedMs, startedMs);
	};
	for (const backup of backups) add(backup.taskId ?? backup.backupId, backup, backup.status);
	// Only running tasks: a finished job is reported by its backup record. A task no backup names (a cloud whose
	// backup sets carry no job ID) is the backup without a job ID that started with it, within the tolerance the
	// job rules use: it takes that backup's key, which stays the key once the task is no longer listed.
	const named = new Set(backups.map((backup) => backup.taskId).filter((id) => id !== null));
	const unnamed = backups.filter((backup) => backup.taskId === null);
	for (const task of tasks) {
		if (task.status !== 'running' && task.status !== 'pending') continue;
		let key = task.taskId;
		const taskStartMs = startMsOf(task);
		if (!named.has(task.taskId) && taskStartMs !== null) {
			const match = unnamed
				.map((backup) => ({
					backup,
					gap: Math.abs((startMsOf(backup) ?? Number.NaN) - taskStartMs),
				}))
				.filter(({ gap }) => gap <= JOB_START_TOLERANCE_MS)
				.sort((a, b) => a.gap - b.gap)[0];
			if (match) key = match.backup.backupId;
		}
		add(key, task, task.status);
	}
	return [...byKey.values()].sort((a, b) => a.startedMs - b.startedMs);
}

/** UTC ISO-8601 in whole seconds, like the times the clouds report. */
function iso(ms: number): string {
	return DateTime.fromMillis(ms, { zone: 'utc' })
		.startOf('second')
		.toISO({ suppressMilliseconds: true }) as string;
}

function item(record: object, event: BackupEventName, nowMs: number): BackupEventItem {
	return { ...record, event, detectedAt: iso(nowMs) };
}

/** Everything one instance needs to be listed, from its state or the selection. */
function refOf(
	instanceId: string,
	st: Pick<InstanceState, 'region' | 'variant' | 'zone'>,
): InstanceRef {
	return {
		region: st.region,
		instanceId,
		variant: st.variant,
		...(st.zone ? { zone: st.zone } : {}),
	};
}

/** The provider with every request it sends queued behind its action's rate limiter. */
export function rateLimited(provider: BackupProvider, limiters: ActionLimiters): BackupProvider {
	return Object.assign(Object.create(provider) as BackupProvider, {
		fetchBackupPage: async (...args: Parameters<BackupProvider['fetchBackupPage']>) =>
			await limiters.run('backups', async () => await provider.fetchBackupPage(...args)),
		listTasks: async (...args: Parameters<BackupProvider['listTasks']>) =>
			await limiters.run('tasks', async () => await provider.listTasks(...args)),
		searchInstances: async (...args: Parameters<BackupProvider['searchInstances']>) =>
			await limiters.run('instances', async () => await provider.searchInstances(...args)),
	});
}

export class InstanceNotFoundError extends Error {
	constructor(
		readonly instanceId: string,
		readonly region: string | null,
	) {
		super(
			`Instance ${instanceId} was not found${region ? ` in region ${region}` : ''}: check the instance ID and the region`,
		);
		this.name = 'InstanceNotFoundError';
	}
}

export interface WatchedInstance {
	instanceId: string;
	region: string | null;
	variant: string;
	zone?: string;
}

/**
 * The instances to poll. Named instances are looked up once by the instance search (it tells how each one's
 * backups are read); the answer is kept in the state. A region's instances are listed on every poll, page by
 * page, so new instances join and removed ones leave.
 */
export async function watchedInstances(
	provider: BackupProvider,
	selection: InstanceSelection,
	state: TriggerState,
): Promise<WatchedInstance[]> {
	if (selection.mode === 'region') {
		const found: WatchedInstance[] = [];
		let token: string | undefined;
		const tokens = new Set<string>();
		do {
			const page: InstancePage = await provider.searchInstances(selection.region, undefined, token);
			for (const choice of page.instances) {
				found.push({
					instanceId: choice.instanceId,
					region: selection.region,
					variant: choice.variant ?? '',
					...(choice.zone ? { zone: choice.zone } : {}),
				});
			}
			token = page.nextPageToken;
			// An API that ignores the page token would hand back the same page forever.
			if (token !== undefined) {
				if (tokens.has(token)) break;
				tokens.add(token);
			}
			if (found.length > MAX_WATCHED_INSTANCES) {
				throw new Error(
					`The region has more than ${MAX_WATCHED_INSTANCES} instances: watch a list of instances instead`,
				);
			}
		} while (token !== undefined);
		const unique = new Map(found.map((instance) => [instance.instanceId, instance]));
		return [...unique.values()];
	}
	const watched: WatchedInstance[] = [];
	for (const instanceId of selection.instanceIds) {
		const known = state.instances[instanceId];
		if (known) {
			watched.push({ instanceId, region: known.region, variant: known.variant, zone: known.zone });
			continue;
		}
		const page = await provider.searchInstances(selection.region, instanceId);
		const match = page.instances.find((choice) => choice.instanceId === instanceId);
		if (!match) throw new InstanceNotFoundError(instanceId, selection.region);
		watched.push({
			instanceId,
			region: selection.region,
			variant: match.variant ?? '',
			...(match.zone ? { zone: match.zone } : {}),
		});
	}
	return watched;
}

interface Listing {
	backups: Backup[];
	tasks: BackupTask[];
}

async function listSince(
	provider: BackupProvider,
	instance: InstanceRef,
	fromMs: number,
	nowMs: number,
	config: TriggerConfig,
): Promise<Listing> {
	const backups = await collectPages(
		listBackups(provider, {
			instance,
			start: DateTime.fromMillis(fromMs, { zone: 'utc' }),
			// The cloud's clock may run ahead of ours: its newest backup can start "in our future".
			end: DateTime.fromMillis(nowMs + CLOCK_SKEW_MS, { zone: 'utc' }),
			pageSize: config.pageSize,
		}),
	);
	const tasks =
		provider.listsRunningBackups === false ? await provider.listTasks(instance, {}) : [];
	return { backups, tasks };
}

function runningOf(obs: Observation): RunningBackup {
	const record: Record<string, unknown> = { ...obs.record };
	delete record.raw;
	delete record.files;
	return { startedMs: obs.startedMs, record };
}

function isRunning(status: BackupStatus): boolean {
	return status === 'running' || status === 'pending';
}

function keptOf(backup: Backup, startedMs: number): KeptBackup {
	return [startedMs, finishedMsOf(backup), backup.sizeBytes, backup.mode];
}

/** What is left of a backup the cloud no longer lists: the model's fields from what was kept. */
function goneItem(
	provider: Provider,
	instance: InstanceRef,
	backupId: string,
	kept: KeptBackup,
): Record<string, unknown> {
	return {
		kind: 'backup',
		provider,
		region: instance.region,
		instanceId: instance.instanceId,
		backupId,
		status: 'deleted',
		providerStatus: null,
		mode: kept[3],
		providerMode: null,
		startedAt: iso(kept[0]),
		finishedAt: kept[1] === null ? null : iso(kept[1]),
		sizeBytes: kept[2],
		files: [],
		taskId: null,
		locked: null,
		remark: null,
		raw: {},
		/** The backup was not reported as expired or deleted: it stopped being listed. */
		noLongerListed: true,
	};
}

function freshnessItem(
	provider: Provider,
	instance: InstanceRef,
	st: InstanceState,
	config: TriggerConfig,
	nowMs: number,
): BackupEventItem {
	const good = st.good;
	return {
		kind: 'instanceFreshness',
		event: st.stale ? 'instanceStale' : 'instanceFresh',
		detectedAt: iso(nowMs),
		provider,
		region: instance.region,
		instanceId: instance.instanceId,
		staleAfterHours: config.staleAfterMs / 3600_000,
		lastSuccessfulBackup: good
			? {
					backupId: good.id,
					startedAt: iso(good.startedMs),
					finishedAt: good.finishedMs === null ? null : iso(good.finishedMs),
				}
			: null,
		hoursSinceLastSuccessfulBackup: good
			? Math.round(((nowMs - good.startedMs) / 3600_000) * 100) / 100
			: null,
	};
}

function isStale(st: Pick<InstanceState, 'good'>, config: TriggerConfig, nowMs: number): boolean {
	return st.good === null || nowMs - st.good.startedMs > config.staleAfterMs;
}

function noteGood(st: InstanceState, backup: Backup, startedMs: number): void {
	if (st.good === null || startedMs > st.good.startedMs) {
		st.good = { id: backup.backupId, startedMs, finishedMs: finishedMsOf(backup) };
	}
}

function keep(st: InstanceState, backup: Backup, startedMs: number, nowMs: number): void {
	const kept = (st.kept ??= {});
	if (nowMs - startedMs > KEPT_MAX_AGE_MS) return;
	kept[backup.backupId] = keptOf(backup, startedMs);
	const ids = Object.keys(kept);
	if (ids.length > KEPT_MAX) {
		ids.sort((a, b) => kept[a][0] - kept[b][0]);
		for (const id of ids.slice(0, ids.length - KEPT_MAX)) delete kept[id];
	}
}

/** The first poll of an instance: where it stands (running backups, the newest good one), no events. */
async function baseline(
	provider: BackupProvider,
	watched: WatchedInstance,
	config: TriggerConfig,
	nowMs: number,
): Promise<InstanceState> {
	const st: InstanceState = {
		polledMs: nowMs,
		region: watched.region,
		variant: watched.variant,
		...(watched.zone ? { zone: watched.zone } : {}),
		seen: {},
		running: {},
		good: null,
		stale: false,
	};
	const lookBackMs = Math.max(
		OVERLAP_MS,
		config.events.has('instanceStale') ? config.staleAfterMs : 0,
		config.events.has('backupExpiredOrDeleted') ? KEPT_MAX_AGE_MS : 0,
	);
	const listing = await listSince(
		provider,
		refOf(watched.instanceId, st),
		nowMs - lookBackMs,
		nowMs,
		config,
	);
	for (const obs of observe(listing.backups, listing.tasks)) {
		st.seen[`${STARTED}${obs.key}`] = obs.startedMs;
		if (isRunning(obs.status)) st.running[obs.key] = runningOf(obs);
		else if (obs.status === 'succeeded' || obs.status === 'failed')
			st.seen[`${ENDED}${obs.key}`] = obs.startedMs;
		for (const backup of obs.backups) {
			const startedMs = startMsOf(backup);
			if (startedMs === null || backup.status !== 'succeeded') continue;
			noteGood(st, backup, startedMs);
			if (config.events.has('backupExpiredOrDeleted')) keep(st, backup, startedMs, nowMs);
		}
	}
	if (config.events.has('backupExpiredOrDeleted')) st.goneCheckedMs = nowMs;
	st.stale = isStale(st, config, nowMs);
	prune(st, nowMs);
	return st;
}

function prune(st: InstanceState, nowMs: number): void {
	for (const [key, running] of Object.entries(st.running)) {
		if (nowMs - running.startedMs > RUNNING_MAX_AGE_MS) delete st.running[key];
	}
	capByAge(st.running, RUNNING_MAX, (running) => running.startedMs);
	const horizon = st.polledMs - OVERLAP_MS;
	for (const [entry, startedMs] of Object.entries(st.seen)) {
		const key = entry.slice(PREFIX_LENGTH);
		// A key can come back only while it is in the lookback window or still running.
		if (startedMs < horizon && !(key in st.running)) delete st.seen[entry];
	}
	capByAge(st.seen, SEEN_MAX, (startedMs) => startedMs);
}

function capByAge<T>(map: Record<string, T>, max: number, ageOf: (value: T) => number): void {
	const keys = Object.keys(map);
	if (keys.length <= max) return;
	keys.sort((a, b) => ageOf(map[a]) - ageOf(map[b]));
	for (const key of keys.slice(0, keys.length - max)) delete map[key];
}

/** A later poll of an instance: the events since the last one, and the state moved on. */
async function pollInstance(
	provider: BackupProvider,
	instance: InstanceRef,
	prior: InstanceState,
	config: TriggerConfig,
	nowMs: number,
): Promise<{ state: InstanceState; events: BackupEventItem[] }> {
	// Work on a copy: a poll that fails half-way leaves the stored state as it was.
	const st: InstanceState = structuredClone(prior);
	const watchGone = config.events.has('backupExpiredOrDeleted');
	const keptIds = Object.keys(st.kept ?? {});
	const goneCheckDue =
		watchGone &&
		keptIds.length > 0 &&
		nowMs - (st.goneCheckedMs ?? Number.NEGATIVE_INFINITY) >= GONE_CHECK_EVERY_MS;
	let fromMs = Math.min(
		st.polledMs - OVERLAP_MS,
		...Object.values(st.running).map((running) => running.startedMs),
	);
	if (goneCheckDue)
		fromMs = Math.min(
			fromMs,
			...keptIds.map((id) => (st.kept as Record<string, KeptBackup>)[id][0]),
		);
	const listing = await listSince(provider, instance, fromMs, nowMs, config);

	const events: BackupEventItem[] = [];
	const emit = (name: BackupEventName, record: object) => {
		if (config.events.has(name as WatchedEvent)) events.push(item(record, name, nowMs));
	};
	const eligibleFrom = st.polledMs - OVERLAP_MS;
	const listed = new Set<string>();
	const observed = new Set<string>();
	for (const obs of observe(listing.backups, listing.tasks)) {
		observed.add(obs.key);
		for (const backup of obs.backups) {
			listed.add(backup.backupId);
			const startedMs = startMsOf(backup);
			if (startedMs === null) continue;
			if (backup.status === 'succeeded') {
				noteGood(st, backup, startedMs);
				if (watchGone) keep(st, backup, startedMs, nowMs);
			} else if (
				(backup.status === 'expired' || backup.status === 'deleted') &&
				st.kept?.[backup.backupId]
			) {
				if (!st.seen[`${GONE}${backup.backupId}`]) {
					st.seen[`${GONE}${backup.backupId}`] = startedMs;
					emit('backupExpiredOrDeleted', backup);
				}
				delete st.kept[backup.backupId];
			}
		}
		const tracked = obs.key in st.running;
		if (!tracked && obs.startedMs < eligibleFrom) continue;
		if (obs.status === 'expired' || obs.status === 'deleted' || obs.status === 'unknown') continue;
		if (!st.seen[`${STARTED}${obs.key}`]) {
			st.seen[`${STARTED}${obs.key}`] = obs.startedMs;
			emit('backupStarted', obs.record);
		}
		if (isRunning(obs.status)) {
			st.running[obs.key] = runningOf(obs);
			continue;
		}
		delete st.running[obs.key];
		if (!st.seen[`${ENDED}${obs.key}`]) {
			st.seen[`${ENDED}${obs.key}`] = obs.startedMs;
			emit(obs.status === 'failed' ? 'backupFailed' : 'backupSucceeded', obs.record);
		}
	}
	// Running backups no longer listed at all (the list reached back to their start): failed, once it has lasted.
	for (const [key, running] of Object.entries(st.running)) {
		if (observed.has(key)) continue;
		running.missingSinceMs ??= nowMs;
		if (nowMs - running.missingSinceMs < VANISHED_AFTER_MS) continue;
		delete st.running[key];
		if (st.seen[`${ENDED}${key}`]) continue;
		st.seen[`${ENDED}${key}`] = running.startedMs;
		emit('backupFailed', {
			...running.record,
			status: 'failed',
			providerStatus: null,
			noLongerListed: true,
		});
	}
	if (goneCheckDue && st.kept) {
		for (const id of keptIds) {
			const kept = st.kept[id];
			if (!kept || listed.has(id)) continue;
			delete st.kept[id];
			if (st.seen[`${GONE}${id}`]) continue;
			st.seen[`${GONE}${id}`] = kept[0];
			emit('backupExpiredOrDeleted', goneItem(provider.id, instance, id, kept));
		}
		st.goneCheckedMs = nowMs;
	}
	if (st.kept) {
		for (const [id, kept] of Object.entries(st.kept)) {
			if (nowMs - kept[0] > KEPT_MAX_AGE_MS) delete st.kept[id];
		}
	}
	const staleNow = isStale(st, config, nowMs);
	if (staleNow !== st.stale) {
		st.stale = staleNow;
		if (config.events.has('instanceStale'))
			events.push(freshnessItem(provider.id, instance, st, config, nowMs));
	}
	st.polledMs = nowMs;
	prune(st, nowMs);
	return { state: st, events };
}

/**
 * One poll over every watched instance: the longest-unpolled first, a few at a time, each request under the
 * cloud's rate, until the budget's reserve is reached (the rest go first next time). An instance whose poll
 * fails keeps its state (its events come next time); the caller decides what a failure means.
 */
export async function pollBackupEvents(
	env: PollEnvironment,
	config: TriggerConfig,
	watched: WatchedInstance[],
	state: TriggerState,
): Promise<PollResult> {
	const startedMs = env.clock.now();
	const deadline = startedMs + env.budgetMs * (1 - BUDGET_RESERVE);
	const watchedIds = new Set(watched.map((instance) => instance.instanceId));
	// Instances no longer watched (removed from the region, or from the list) leave the state.
	for (const id of Object.keys(state.instances))
		if (!watchedIds.has(id)) delete state.instances[id];
	const queue = [...watched].sort(
		(a, b) =>
			(state.instances[a.instanceId]?.polledMs ?? Number.NEGATIVE_INFINITY) -
			(state.instances[b.instanceId]?.polledMs ?? Number.NEGATIVE_INFINITY),
	);
	const perInstance = new Map<string, BackupEventItem[]>();
	const failures: PollResult['failures'] = [];
	let polled = 0;
	const worker = async () => {
		for (let next = queue.shift(); next; next = queue.shift()) {
			if (env.clock.now() >= deadline) {
				queue.unshift(next);
				return;
			}
			const nowMs = env.clock.now();
			try {
				const prior = state.instances[next.instanceId];
				if (!prior) {
					state.instances[next.instanceId] = await baseline(env.provider, next, config, nowMs);
				} else {
					const { state: after, events } = await pollInstance(
						env.provider,
						refOf(next.instanceId, {
							...prior,
							region: next.region,
							variant: next.variant,
							zone: next.zone ?? prior.zone,
						}),
						prior,
						config,
						nowMs,
					);
					state.instances[next.instanceId] = after;
					perInstance.set(next.instanceId, events);
				}
				polled++;
			} catch (error) {
				failures.push({ instanceId: next.instanceId, error });
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
	// In the order the instances were given, each instance's events in the order they happened.
	const events = watched.flatMap((instance) => perInstance.get(instance.instanceId) ?? []);
	if (queue.length > 0) {
		env.warn?.(
			`Polled ${polled} of ${watched.length} instances within the poll's time budget; the other ${queue.length} are polled first next time`,
		);
	}
	return { events, polled, deferred: queue.length, failures };
}

/**
 * "Fetch Test Event": recent real events of the watched instances, newest first, from what the cloud lists now;
 * the state is neither read nor written (the cursor does not move).
 */
export async function sampleBackupEvents(
	env: PollEnvironment,
	config: TriggerConfig,
	watched: WatchedInstance[],
): Promise<BackupEventItem[]> {
	const nowMs = env.clock.now();
	const events: Array<{ atMs: number; item: BackupEventItem }> = [];
	for (const instance of watched.slice(0, SAMPLE_INSTANCES)) {
		const ref = refOf(instance.instanceId, instance);
		const lookBackMs = Math.max(
			SAMPLE_DAYS * 86400_000,
			config.events.has('instanceStale') ? config.staleAfterMs : 0,
		);
		const listing = await listSince(env.provider, ref, nowMs - lookBackMs, nowMs, config);
		const st: InstanceState = {
			polledMs: nowMs,
			region: instance.region,
			variant: instance.variant,
			seen: {},
			running: {},
			good: null,
			stale: false,
		};
		for (const obs of observe(listing.backups, listing.tasks)) {
			const name: BackupEventName | null = isRunning(obs.status)
				? 'backupStarted'
				: obs.status === 'succeeded'
					? 'backupSucceeded'
					: obs.status === 'failed'
						? 'backupFailed'
						: obs.status === 'expired' || obs.status === 'deleted'
							? 'backupExpiredOrDeleted'
							: null;
			if (name && config.events.has(name as WatchedEvent)) {
				events.push({ atMs: obs.startedMs, item: item(obs.record, name, nowMs) });
			}
			for (const backup of obs.backups) {
				const startedMs = startMsOf(backup);
				if (startedMs !== null && backup.status === 'succeeded') noteGood(st, backup, startedMs);
			}
		}
		if (config.events.has('instanceStale')) {
			st.stale = isStale(st, config, nowMs);
			if (st.stale)
				events.push({ atMs: nowMs, item: freshnessItem(env.provider.id, ref, st, config, nowMs) });
		}
	}
	events.sort((a, b) => b.atMs - a.atMs);
	return events.slice(0, SAMPLE_EVENTS).map((entry) => entry.item);
}
