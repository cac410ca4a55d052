/**
 * The trigger's rules on their own, over a scripted cloud and a simulated clock: what the static data grows to over
 * weeks of backups, what a changed configuration does, and the rate limiter's spacing. The behaviour through n8n and
 * the emulator is test/workflows/triggers.test.ts.
 */
import type { Backup, BackupStatus } from '../../nodes/common/model';
import {
	configFingerprint,
	KEPT_MAX,
	loadState,
	pollBackupEvents,
	RUNNING_MAX,
	SEEN_MAX,
	type TriggerConfig,
	type WatchedEvent,
} from '../../nodes/common/backupEvents';
import type { BackupProvider } from '../../nodes/common/provider';
import { RateLimiter } from '../../nodes/common/rateLimit';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** A cloud that lists whatever the test put in `backups`, filtered by start time, newest first. */
function scriptedCloud(backups: Backup[]): BackupProvider & { requests: number } {
	const cloud = {
		id: 'alibaba' as const,
		label: 'Scripted',
		paging: 'pageNumber' as const,
		storage: { checksum: null },
		requestRate: { requests: 1_000_000, perMs: 1000, source: 'test' },
		requests: 0,
		async fetchBackupPage(
			query: { start: { toMillis(): number }; end: { toMillis(): number } },
			position: number,
			pageSize: number,
		) {
			cloud.requests++;
			const inRange = backups
				.filter((b) => {
					const t = Date.parse(b.startedAt as string);
					return t >= query.start.toMillis() && t <= query.end.toMillis();
				})
				.sort((a, b) => Date.parse(b.startedAt as string) - Date.parse(a.startedAt as string));
			return {
				items: inRange.slice((position - 1) * pageSize, position * pageSize),
				total: inRange.length,
			};
		},
		listTasks: async () => [],
		listJobTasks: async () => [],
		findJobBackup: async () => null,
		createBackup: async () => {
			throw new Error('not here');
		},
		searchInstances: async () => ({ instances: [] }),
		describeKind: () => '',
	};
	return cloud as unknown as BackupProvider & { requests: number };
}

function backup(id: number, startMs: number, status: BackupStatus): Backup {
	return {
		kind: 'backup',
		provider: 'alibaba',
		region: 'r',
		instanceId: 'i-1',
		backupId: String(id),
		status,
		providerStatus: status,
		mode: 'automatic',
		providerMode: null,
		startedAt: new Date(startMs).toISOString(),
		finishedAt: status === 'running' ? null : new Date(startMs + 60_000).toISOString(),
		sizeBytes: 1,
		files: [],
		taskId: null,
		locked: null,
		remark: null,
		raw: { BackupId: id, Padding: 'x'.repeat(200) },
	};
}

const ALL: WatchedEvent[] = [
	'backupStarted',
	'backupSucceeded',
	'backupFailed',
	'backupExpiredOrDeleted',
	'instanceStale',
];

describe('backup events over weeks of backups (scripted cloud, simulated clock)', () => {
	it.each([
		{ every: '20 minutes', steps: 4, expiriesSeen: false },
		{ every: '12 hours', steps: 144, expiriesSeen: true },
	])(
		'a backup every $every: each gives its events once, and the static data stays bounded however long it runs',
		async ({ steps, expiriesSeen }) => {
			let now = Date.UTC(2026, 0, 1);
			const backups: Backup[] = [];
			const cloud = scriptedCloud(backups);
			const config: TriggerConfig = {
				events: new Set(ALL),
				staleAfterMs: 26 * HOUR,
				pageSize: 100,
			};
			const env = {
				provider: cloud,
				clock: { now: () => now, sleep: async () => {} },
				budgetMs: 60_000,
			};
			const state = loadState(undefined, configFingerprint(['x']));
			const watched = [{ instanceId: 'i-1', region: 'r', variant: '' }];
			await pollBackupEvents(env, config, watched, state);
			const counts = new Map<string, number>();
			let id = 1;
			const sizes: number[] = [];
			// 30 days of backups (some fail), polled every 5 minutes; backups older than 7 days expire.
			for (let step = 0; step < (30 * DAY) / (5 * 60_000); step++) {
				now += 5 * 60_000;
				if (step % steps === 0)
					backups.push(backup(id++, now - 60_000, id % 9 === 0 ? 'failed' : 'succeeded'));
				for (let i = backups.length - 1; i >= 0; i--) {
					if (Date.parse(backups[i].startedAt as string) < now - 7 * DAY) backups.splice(i, 1);
				}
				const { events } = await pollBackupEvents(env, config, watched, state);
				for (const event of events) {
					const key = `${event.event}|${String(event.backupId ?? event.instanceId)}`;
					counts.set(key, (counts.get(key) ?? 0) + 1);
				}
				sizes.push(JSON.stringify(state).length);
			}
			const repeated = [...counts].filter(([, n]) => n > 1);
			expect(repeated).toEqual([]);
			const made = id - 1;
			const kinds = (event: string) =>
				[...counts.keys()].filter((k) => k.startsWith(`${event}|`)).length;
			expect(kinds('backupStarted')).toBe(made);
			expect(kinds('backupSucceeded') + kinds('backupFailed')).toBe(made);
			// Expiry is watched for the newest 20 successful backups: seen where 7 days hold fewer than that.
			if (expiriesSeen) expect(kinds('backupExpiredOrDeleted')).toBeGreaterThan(10);
			else expect(kinds('backupExpiredOrDeleted')).toBe(0);
			const st = state.instances['i-1'];
			expect(Object.keys(st.seen).length).toBeLessThanOrEqual(SEEN_MAX);
			expect(Object.keys(st.running).length).toBeLessThanOrEqual(RUNNING_MAX);
			expect(Object.keys(st.kept ?? {}).length).toBeLessThanOrEqual(KEPT_MAX);
			// Bounded: the last week's size is no larger than the first week's peak (nothing accumulates).
			const week = (7 * DAY) / (5 * 60_000);
			expect(Math.max(...sizes.slice(-week))).toBeLessThanOrEqual(
				Math.max(...sizes.slice(0, 2 * week)) + 64,
			);
			expect(Math.max(...sizes)).toBeLessThan(8 * 1024);
		},
	);

	it('a changed configuration starts over: the next poll records where things stand and emits nothing', async () => {
		const now = Date.UTC(2026, 0, 1);
		const backups = [backup(1, now - HOUR, 'failed')];
		const cloud = scriptedCloud(backups);
		const config: TriggerConfig = { events: new Set(ALL), staleAfterMs: 26 * HOUR, pageSize: 100 };
		const env = {
			provider: cloud,
			clock: { now: () => now, sleep: async () => {} },
			budgetMs: 60_000,
		};
		const watched = [{ instanceId: 'i-1', region: 'r', variant: '' }];
		const state = loadState(undefined, configFingerprint({ events: ['backupFailed'] }));
		await pollBackupEvents(env, config, watched, state);
		const reloaded = loadState(
			JSON.parse(JSON.stringify(state)),
			configFingerprint({ events: ['backupFailed'] }),
		);
		expect(reloaded.instances['i-1']).toBeDefined();
		const changed = loadState(
			JSON.parse(JSON.stringify(state)),
			configFingerprint({ events: ['backupStarted'] }),
		);
		expect(changed.instances).toEqual({});
		expect(loadState({ version: 0 }, 'x').instances).toEqual({});
		expect(loadState('garbage', 'x').instances).toEqual({});
	});
});

describe('RateLimiter', () => {
	it("spaces requests evenly at 90% of the rate, in call order, so no window of the rate's length holds more than the rate", async () => {
		let now = 0;
		// A host whose timers fire late, by up to 300 ms: the turns after a late one must not bunch up.
		let lateness = 0;
		const clock = {
			now: () => now,
			// Time passes while others run: the sleeper wakes after everything already scheduled.
			sleep: async (ms: number) => {
				await new Promise((resolve) => setImmediate(resolve));
				lateness = (lateness + 137) % 300;
				now += ms + lateness;
			},
		};
		const limiter = new RateLimiter({ requests: 20, perMs: 1000 }, clock);
		const starts: number[] = [];
		// Concurrent callers, as the trigger's workers are.
		await Promise.all(
			Array.from({ length: 4 }, async () => {
				for (let i = 0; i < 50; i++) {
					await limiter.take();
					starts.push(now);
				}
			}),
		);
		expect(starts).toHaveLength(200);
		for (let i = 1; i < starts.length; i++) {
			expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(1000 / 18 - 1e-9);
		}
		let peak = 0;
		for (let first = 0, last = 0; first < starts.length; first++) {
			while (last < starts.length && starts[last] < starts[first] + 1000) last++;
			peak = Math.max(peak, last - first);
		}
		expect(peak).toBeLessThanOrEqual(18);
		// Idle for a while: the next request goes at once.
		now += 10_000;
		const before = now;
		await limiter.take();
		expect(now).toBe(before);
	});

	it('refuses a rate that is not one', () => {
		const clock = { now: () => 0, sleep: async () => {} };
		expect(() => new RateLimiter({ requests: 0, perMs: 1000 }, clock)).toThrow(RangeError);
		expect(() => new RateLimiter({ requests: 5, perMs: -1 }, clock)).toThrow(RangeError);
	});
});
