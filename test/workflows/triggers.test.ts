/**
 * The backup triggers of the three clouds, polled the way an active n8n workflow polls them: n8n-core's real
 * PollContext, static data saved only when n8n would save it and handed to the next poll (each poll is a fresh
 * workflow object, as after a restart), against the emulator over HTTP. The clock is moved by faking Date only
 * (real timers keep running): the emulator, the signatures and the trigger all read the same moved clock.
 */
import type { ICredentialType, IDataObject, INode, INodeType } from 'n8n-workflow';

import { AlibabaCloudApi } from '../../credentials/AlibabaCloudApi.credentials';
import { TencentCloudApi } from '../../credentials/TencentCloudApi.credentials';
import { UCloudApi } from '../../credentials/UCloudApi.credentials';
import { CloudEmulator } from '../../emulator';
import { AlibabaCloudRedisTrigger } from '../../nodes/AlibabaCloudRedis/AlibabaCloudRedisTrigger.node';
import { TencentCloudRedisTrigger } from '../../nodes/TencentCloudRedis/TencentCloudRedisTrigger.node';
import { UCloudRedisTrigger } from '../../nodes/UCloudRedis/UCloudRedisTrigger.node';
import { type HarnessCredential, runPoll, runWorkflow } from '../harness';
import { testCredential as alibabaCredential } from './alibabaFixture';
import { testCredential as tencentCredential } from './tencentFixture';
import { testCredential as ucloudCredential } from './ucloudFixture';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** One step of an emulated backup (a backup takes 3 to 5 steps). */
const STEP_MS = MIN;
const BACKUP_MS = 6 * STEP_MS;

interface TriggerKit {
	cloud: string;
	typeName: string;
	nodeType: INodeType;
	credentialType: ICredentialType;
	credentialKey: string;
	credential(emulator: CloudEmulator): HarnessCredential;
	region: string;
	/** A demo instance of the seed, standard architecture. */
	instanceId: string;
	/** Starts a scheduled backup now, that ends (after BACKUP_MS at most) as `outcome` says. */
	startBackup(emulator: CloudEmulator, instanceId: string, outcome: 'success' | 'fail'): void;
	newestSuccessfulBackupId(emulator: CloudEmulator, instanceId: string): string;
	deleteBackup(emulator: CloudEmulator, backupId: string): void;
	addInstance(emulator: CloudEmulator, index: number): string;
}

const KITS: TriggerKit[] = [
	{
		cloud: 'alibaba',
		typeName: 'n8n-nodes-cloud-redis-backups.alibabaCloudRedisTrigger',
		nodeType: new AlibabaCloudRedisTrigger(),
		credentialType: new AlibabaCloudApi(),
		credentialKey: 'alibabaCloudApi',
		credential: (emulator) => alibabaCredential(emulator),
		region: 'cn-hangzhou',
		instanceId: 'r-demostandard01',
		startBackup: (emulator, instanceId, outcome) =>
			void emulator.alibaba.startBackupTask({ instanceId, mode: 'Automated', outcome }),
		newestSuccessfulBackupId: (emulator, instanceId) => {
			emulator.alibaba.store.sync();
			const good = emulator.alibaba.store.backups
				.filter((b) => b.instanceId === instanceId && b.status === 'Success')
				.sort((a, b) => b.startMs - a.startMs);
			return String(good[0].backupId);
		},
		deleteBackup: (emulator, backupId) => void emulator.alibaba.deleteBackup(backupId),
		addInstance: (emulator, index) => {
			const instanceId = `r-trig${String(index).padStart(4, '0')}`;
			emulator.alibaba.addInstance({
				instanceId,
				regionId: 'cn-hangzhou',
				architecture: 'standard',
			});
			return instanceId;
		},
	},
	{
		cloud: 'tencent',
		typeName: 'n8n-nodes-cloud-redis-backups.tencentCloudRedisTrigger',
		nodeType: new TencentCloudRedisTrigger(),
		credentialType: new TencentCloudApi(),
		credentialKey: 'tencentCloudApi',
		credential: (emulator) => tencentCredential(emulator),
		region: 'ap-guangzhou',
		instanceId: 'crs-demostd01',
		startBackup: (emulator, instanceId, outcome) =>
			void emulator.tencent.startBackupTask({
				instanceId,
				backupType: 'automatic',
				outcome: outcome === 'success' ? 'succeed' : 'failed',
			}),
		newestSuccessfulBackupId: (emulator, instanceId) => {
			const good = emulator.tencent.store.backups
				.filter((b) => b.instanceId === instanceId && !b.inProgress && b.expiredMs === undefined)
				.sort((a, b) => b.startMs - a.startMs);
			return good[0].backupId;
		},
		deleteBackup: (emulator, backupId) => void emulator.tencent.deleteBackup(backupId),
		addInstance: (emulator, index) => {
			const instanceId = `crs-trig${String(index).padStart(4, '0')}`;
			emulator.tencent.addInstance({
				instanceId,
				region: 'ap-guangzhou',
				architecture: 'standard',
			});
			return instanceId;
		},
	},
	{
		cloud: 'ucloud',
		typeName: 'n8n-nodes-cloud-redis-backups.uCloudRedisTrigger',
		nodeType: new UCloudRedisTrigger(),
		credentialType: new UCloudApi(),
		credentialKey: 'uCloudApi',
		credential: (emulator) => ucloudCredential(emulator),
		region: 'cn-bj2',
		instanceId: 'uredis-demo01',
		startBackup: (emulator, instanceId, outcome) =>
			void emulator.ucloud.startBackup({
				groupId: instanceId,
				type: 'Auto',
				outcome: outcome === 'success' ? 'success' : 'error',
			}),
		newestSuccessfulBackupId: (emulator, instanceId) => {
			const good = emulator.ucloud.store.backups
				.filter(
					(b) =>
						b.groupId === instanceId &&
						!b.failed &&
						b.doneMs === undefined &&
						b.expireMs === undefined,
				)
				.sort((a, b) => b.startMs - a.startMs);
			return good[0].backupId;
		},
		deleteBackup: (emulator, backupId) => void emulator.ucloud.deleteBackup(backupId),
		addInstance: (emulator, index) => {
			const instanceId = `uredis-trig${String(index).padStart(4, '0')}`;
			emulator.ucloud.addInstance({ groupId: instanceId, region: 'cn-bj2', zone: 'cn-bj2-04' });
			return instanceId;
		},
	},
];

/** Real timers, a fake Date that runs on from where a test sets it. */
function fakeDate(startMs: number): void {
	jest.useFakeTimers({
		doNotFake: [
			'nextTick',
			'setImmediate',
			'clearImmediate',
			'setTimeout',
			'clearTimeout',
			'setInterval',
			'clearInterval',
			'queueMicrotask',
			'hrtime',
			'performance',
		],
		advanceTimers: true,
		now: startMs,
	});
}

function advance(ms: number): void {
	jest.setSystemTime(Date.now() + ms);
}

type Events = Array<{ event: string; key: string }>;

describe.each(KITS)('$cloud backup trigger', (kit) => {
	let emulator: CloudEmulator;

	beforeEach(async () => {
		fakeDate(Date.UTC(2026, 10, 20, 8, 0, 0));
		emulator = new CloudEmulator({
			alibabaSettings: { taskStepMs: STEP_MS },
			tencentSettings: { taskStepMs: STEP_MS },
			ucloudSettings: { backupStepMs: STEP_MS },
		});
		await emulator.start();
	});

	afterEach(async () => {
		await emulator.stop();
		jest.useRealTimers();
	});

	const node = (parameters: IDataObject): INode => {
		const credential = kit.credential(emulator);
		return {
			id: 'trigger-1',
			name: 'Backup Trigger',
			type: kit.typeName,
			typeVersion: 1,
			position: [0, 0],
			parameters: {
				watch: 'instance',
				instanceId: { __rl: true, mode: 'id', value: kit.instanceId },
				...parameters,
			} as INode['parameters'],
			credentials: {
				[kit.credentialKey]: { id: credential.id ?? null, name: credential.name ?? '' },
			},
		};
	};

	/** A poller that carries the saved static data from poll to poll, as n8n does. */
	const poller = (parameters: IDataObject, budgetMs?: number) => {
		let staticData: IDataObject | undefined;
		const poll = async () => {
			const result = await runPoll({
				node: node(parameters),
				nodeTypes: { [kit.typeName]: kit.nodeType },
				credentialTypes: [kit.credentialType],
				credentials: [kit.credential(emulator)],
				staticData,
				budgetMs,
			});
			staticData = result.staticData;
			return result;
		};
		return {
			poll,
			/** The events of one poll as [event, key] pairs (a backup's key: its task ID, else its backup ID). */
			events: async (): Promise<Events> => {
				const { items } = await poll();
				return (items ?? []).map(({ json }) => ({
					event: String(json.event),
					key: String(
						json.kind === 'instanceFreshness' ? json.instanceId : (json.taskId ?? json.backupId),
					),
				}));
			},
			get staticData() {
				return staticData;
			},
			set staticData(value) {
				staticData = value;
			},
		};
	};

	it('activation records where things stand and emits nothing; a backup started then failed gives both events, once each', async () => {
		const trigger = poller({ events: ['backupStarted', 'backupSucceeded', 'backupFailed'] });
		const first = await trigger.poll();
		expect(first.items).toBeNull();
		expect(first.changed).toBe(true);
		expect(await trigger.events()).toEqual([]);

		kit.startBackup(emulator, kit.instanceId, 'fail');
		advance(STEP_MS + 1000);
		const started = await trigger.events();
		expect(started.map((e) => e.event)).toEqual(['backupStarted']);
		// n8n polls again (a repeated or overlapping schedule): nothing new.
		expect(await trigger.events()).toEqual([]);

		advance(BACKUP_MS);
		let ended = await trigger.events();
		// A cloud that lists no failed backups only stops listing it: that is a failure once it has lasted.
		if (ended.length === 0) {
			advance(6 * MIN);
			ended = await trigger.events();
		}
		expect(ended).toEqual([{ event: 'backupFailed', key: started[0].key }]);
		advance(2 * MIN);
		expect(await trigger.events()).toEqual([]);
	});

	it('a backup that starts and succeeds between polls gives started then succeeded in one poll; later polls and a late poll repeat nothing', async () => {
		const trigger = poller({ events: ['backupStarted', 'backupSucceeded', 'backupFailed'] });
		expect((await trigger.poll()).items).toBeNull();
		kit.startBackup(emulator, kit.instanceId, 'success');
		advance(BACKUP_MS);
		const events = await trigger.events();
		expect(events.map((e) => e.event)).toEqual(['backupStarted', 'backupSucceeded']);
		expect(events[0].key).toBe(events[1].key);
		expect(await trigger.events()).toEqual([]);
		// n8n was down for three hours: the next poll still looks back to the last one, and repeats nothing.
		advance(3 * HOUR);
		kit.startBackup(emulator, kit.instanceId, 'success');
		advance(BACKUP_MS);
		const late = await trigger.events();
		expect(late.map((e) => e.event)).toEqual(['backupStarted', 'backupSucceeded']);
		expect(late[0].key).not.toBe(events[0].key);
	});

	it('only the chosen events are emitted, as the one backup model plus event and detectedAt', async () => {
		const trigger = poller({ events: ['backupSucceeded'] });
		await trigger.poll();
		kit.startBackup(emulator, kit.instanceId, 'success');
		advance(BACKUP_MS);
		const { items } = await trigger.poll();
		expect(items).toHaveLength(1);
		const json = items![0].json;
		expect(json).toMatchObject({
			kind: 'backup',
			provider: kit.cloud,
			instanceId: kit.instanceId,
			status: 'succeeded',
			event: 'backupSucceeded',
		});
		expect(json.backupId).toEqual(expect.stringMatching(/\S/));
		expect(json.detectedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
		expect(json.raw).toEqual(expect.any(Object));
	});

	it('a poll run twice from the same saved state emits the same events both times (n8n keeps whichever run it saved), and none after', async () => {
		const trigger = poller({ events: ['backupSucceeded'] });
		await trigger.poll();
		kit.startBackup(emulator, kit.instanceId, 'success');
		advance(BACKUP_MS);
		const saved = trigger.staticData;
		const once = await trigger.events();
		trigger.staticData = saved;
		const twice = await trigger.events();
		expect(twice).toEqual(once);
		expect(once).toHaveLength(1);
		expect(await trigger.events()).toEqual([]);
	});

	it('freshness: stale once when the newest good backup is older than the limit, fresh once when a good backup arrives', async () => {
		kit.startBackup(emulator, kit.instanceId, 'success');
		advance(BACKUP_MS);
		const trigger = poller({ events: ['instanceStale'], staleAfterHours: 2 });
		expect((await trigger.poll()).items).toBeNull();
		advance(HOUR);
		expect(await trigger.events()).toEqual([]);
		advance(HOUR + MIN);
		const { items } = await trigger.poll();
		expect(items).toHaveLength(1);
		expect(items![0].json).toMatchObject({
			kind: 'instanceFreshness',
			event: 'instanceStale',
			instanceId: kit.instanceId,
			staleAfterHours: 2,
			lastSuccessfulBackup: { backupId: expect.stringMatching(/\S/) },
		});
		expect(items![0].json.hoursSinceLastSuccessfulBackup).toBeGreaterThan(2);
		advance(10 * MIN);
		expect(await trigger.events()).toEqual([]);
		kit.startBackup(emulator, kit.instanceId, 'success');
		advance(BACKUP_MS);
		expect(await trigger.events()).toEqual([{ event: 'instanceFresh', key: kit.instanceId }]);
		expect(await trigger.events()).toEqual([]);
	});

	it('a successful backup the trigger knew that goes away gives "expired or deleted" once', async () => {
		const trigger = poller({ events: ['backupExpiredOrDeleted'] });
		await trigger.poll();
		const backupId = kit.newestSuccessfulBackupId(emulator, kit.instanceId);
		kit.deleteBackup(emulator, backupId);
		const gone: unknown[] = [];
		for (let i = 0; i < 3; i++) {
			advance(HOUR + MIN);
			const { items } = await trigger.poll();
			for (const { json } of items ?? []) {
				expect(json).toMatchObject({
					kind: 'backup',
					event: 'backupExpiredOrDeleted',
					instanceId: kit.instanceId,
				});
				gone.push(json.backupId);
			}
		}
		// The seeded backups of a week ago may expire meanwhile too (each cloud keeps them 7 days): each one once.
		expect(gone.filter((id) => id === backupId)).toHaveLength(1);
		expect(new Set(gone).size).toBe(gone.length);
	});

	it('"Fetch Test Event" (manual mode, through WorkflowExecute) returns recent real events and leaves the state alone', async () => {
		const credential = kit.credential(emulator);
		const result = await runWorkflow({
			workflow: {
				nodes: [node({ events: ['backupSucceeded', 'backupFailed'] })],
				connections: {},
			},
			nodeTypes: { [kit.typeName]: kit.nodeType },
			credentialTypes: [kit.credentialType],
			credentials: [credential],
		});
		expect(result.error).toBeUndefined();
		const items = result.output('Backup Trigger');
		expect(items.length).toBeGreaterThan(0);
		expect(items.length).toBeLessThanOrEqual(10);
		for (const { json } of items) {
			expect(['backupSucceeded', 'backupFailed']).toContain(json.event);
			expect(json.instanceId).toBe(kit.instanceId);
		}
		// The cursor did not move: nothing for n8n to save, and an active poll afterwards still starts with its baseline.
		expect(result.staticDataChanged).toBe(false);
		const trigger = poller({ events: ['backupSucceeded', 'backupFailed'] });
		expect((await trigger.poll()).items).toBeNull();
	});

	it('bad parameters give clear errors that name the parameter', async () => {
		await expect(
			runPoll({
				node: node({ events: ['backupFailed'], watch: 'list', instanceIds: ' , ' }),
				nodeTypes: { [kit.typeName]: kit.nodeType },
				credentialTypes: [kit.credentialType],
				credentials: [kit.credential(emulator)],
			}),
		).rejects.toThrow(/Instance IDs/);
		await expect(
			runPoll({
				node: node({ events: [] }),
				nodeTypes: { [kit.typeName]: kit.nodeType },
				credentialTypes: [kit.credentialType],
				credentials: [kit.credential(emulator)],
			}),
		).rejects.toThrow(/Events/);
		const unknown = kit.addInstance(emulator, 9999).replace('9999', '8888');
		await expect(
			runPoll({
				node: node({ events: ['backupFailed'], watch: 'list', instanceIds: unknown }),
				nodeTypes: { [kit.typeName]: kit.nodeType },
				credentialTypes: [kit.credentialType],
				credentials: [kit.credential(emulator)],
			}),
		).rejects.toThrow(new RegExp(`${unknown} was not found`));
	});

	it('watching a list of instances: each instance has its own cursor, events come from the right one', async () => {
		const other = kit.addInstance(emulator, 1);
		const trigger = poller({
			events: ['backupFailed', 'backupSucceeded'],
			watch: 'list',
			instanceIds: `${kit.instanceId}, ${other}`,
		});
		await trigger.poll();
		kit.startBackup(emulator, other, 'success');
		advance(BACKUP_MS);
		const { items } = await trigger.poll();
		expect((items ?? []).map((i) => [i.json.event, i.json.instanceId])).toEqual([
			['backupSucceeded', other],
		]);
	});
});

describe('every instance of a region, 200 instances (Tencent: 20 requests per second per action)', () => {
	const kit = KITS[1];
	let emulator: CloudEmulator;

	beforeAll(async () => {
		fakeDate(Date.UTC(2026, 10, 20, 8, 0, 0));
		emulator = new CloudEmulator({ tencentSettings: { taskStepMs: STEP_MS } });
		await emulator.start();
	});

	afterAll(async () => {
		await emulator.stop();
		jest.useRealTimers();
	});

	it('polls every instance under the rate, and a failure on one of them is emitted once', async () => {
		const seeded = emulator.tencent.store.instances.size;
		const added: string[] = [];
		for (let i = 0; added.length + seeded < 200; i++) added.push(kit.addInstance(emulator, i));
		const credential = kit.credential(emulator);
		const trigger: INode = {
			id: 'trigger-1',
			name: 'Backup Trigger',
			type: kit.typeName,
			typeVersion: 1,
			position: [0, 0],
			parameters: { events: ['backupStarted', 'backupFailed'], watch: 'region' },
			credentials: {
				[kit.credentialKey]: { id: credential.id ?? null, name: credential.name ?? '' },
			},
		};
		const poll = async (staticData?: IDataObject) =>
			await runPoll({
				node: trigger,
				nodeTypes: { [kit.typeName]: kit.nodeType },
				credentialTypes: [kit.credentialType],
				credentials: [credential],
				staticData,
			});

		const mark = emulator.tencent.requests.length;
		const first = await poll();
		expect(first.items).toBeNull();
		const nodeData = first.staticData?.['node:Backup Trigger'] as {
			backupEvents: { instances: object };
		};
		const state = nodeData.backupEvents;
		expect(Object.keys(state.instances)).toHaveLength(200);
		const peak = emulator.tencent.peakRequestRate({ since: mark, windowMs: 1000 });
		const listed = emulator.tencent.requests
			.slice(mark)
			.filter((r) => r.action === 'DescribeInstanceBackups').length;
		expect(listed).toBe(200);
		expect(peak.DescribeInstanceBackups).toBeLessThanOrEqual(20);
		expect(peak.DescribeInstances).toBeLessThanOrEqual(20);
		expect(emulator.tencent.requests.slice(mark).filter((r) => r.status !== 200)).toEqual([]);

		const victim = added[150];
		kit.startBackup(emulator, victim, 'fail');
		advance(STEP_MS + 1000);
		const second = await poll(first.staticData);
		expect((second.items ?? []).map((i) => [i.json.event, i.json.instanceId])).toEqual([
			['backupStarted', victim],
		]);
		advance(BACKUP_MS + 6 * MIN);
		const third = await poll(second.staticData);
		advance(6 * MIN);
		const fourth = await poll(third.staticData);
		const after = [...(third.items ?? []), ...(fourth.items ?? [])];
		expect(after.map((i) => [i.json.event, i.json.instanceId])).toEqual([['backupFailed', victim]]);
	}, 180_000);

	it('a short poll budget: each poll stops early, the longest-unpolled instances go first, none is starved or repeated', async () => {
		const credential = kit.credential(emulator);
		const trigger: INode = {
			id: 'trigger-2',
			name: 'Budget Trigger',
			type: kit.typeName,
			typeVersion: 1,
			position: [0, 0],
			parameters: { events: ['backupSucceeded'], watch: 'region' },
			credentials: {
				[kit.credentialKey]: { id: credential.id ?? null, name: credential.name ?? '' },
			},
		};
		let staticData: IDataObject | undefined;
		const counts: number[] = [];
		for (let poll = 0; poll < 20; poll++) {
			const result = await runPoll({
				node: trigger,
				nodeTypes: { [kit.typeName]: kit.nodeType },
				credentialTypes: [kit.credentialType],
				credentials: [credential],
				staticData,
				budgetMs: 4000,
			});
			expect(result.items).toBeNull();
			staticData = result.staticData;
			const nodeData = staticData?.['node:Budget Trigger'] as {
				backupEvents: { instances: object };
			};
			counts.push(Object.keys(nodeData.backupEvents.instances).length);
			if (counts[counts.length - 1] === 200) break;
		}
		// Every poll baselined some more instances (a budget of 4 s at 18 requests/s: a few dozen), until all 200.
		expect(counts[0]).toBeGreaterThan(0);
		expect(counts[0]).toBeLessThan(200);
		expect(counts[counts.length - 1]).toBe(200);
		for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThan(counts[i - 1]);
		// Then one more poll sees a success on the instance that was baselined last, once.
		const last = [...emulator.tencent.store.instances.keys()].pop() as string;
		kit.startBackup(emulator, last, 'success');
		advance(BACKUP_MS);
		const seen: unknown[] = [];
		for (let poll = 0; poll < 8; poll++) {
			const result = await runPoll({
				node: trigger,
				nodeTypes: { [kit.typeName]: kit.nodeType },
				credentialTypes: [kit.credentialType],
				credentials: [credential],
				staticData,
				budgetMs: 4000,
			});
			staticData = result.staticData;
			for (const { json } of result.items ?? []) seen.push([json.event, json.instanceId]);
		}
		expect(seen).toEqual([['backupSucceeded', last]]);
	}, 240_000);
});

describe('Alibaba cloud-native cluster instances (backup sets carry no job ID)', () => {
	const kit = KITS[0];
	let emulator: CloudEmulator;

	beforeEach(async () => {
		fakeDate(Date.UTC(2026, 10, 20, 8, 0, 0));
		emulator = new CloudEmulator({ alibabaSettings: { taskStepMs: STEP_MS } });
		await emulator.start();
	});

	afterEach(async () => {
		await emulator.stop();
		jest.useRealTimers();
	});

	it.each(['success', 'fail'] as const)(
		'a %s backup: its task and its set are one backup, started once and ended once (no false failure)',
		async (outcome) => {
			const credential = kit.credential(emulator);
			const trigger: INode = {
				id: 'trigger-3',
				name: 'Cluster Trigger',
				type: kit.typeName,
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					events: ['backupStarted', 'backupSucceeded', 'backupFailed'],
					watch: 'instance',
					instanceId: { __rl: true, mode: 'id', value: 'r-democluster01' },
				},
				credentials: {
					[kit.credentialKey]: { id: credential.id ?? null, name: credential.name ?? '' },
				},
			};
			let staticData: IDataObject | undefined;
			const all: string[] = [];
			const poll = async () => {
				const result = await runPoll({
					node: trigger,
					nodeTypes: { [kit.typeName]: kit.nodeType },
					credentialTypes: [kit.credentialType],
					credentials: [credential],
					staticData,
				});
				staticData = result.staticData;
				for (const { json } of result.items ?? [])
					all.push(`${String(json.event)}:${String(json.kind)}`);
			};
			await poll();
			kit.startBackup(emulator, 'r-democluster01', outcome);
			for (let minute = 0; minute < 20; minute++) {
				advance(MIN);
				await poll();
			}
			expect(all.map((e) => e.split(':')[0])).toEqual([
				'backupStarted',
				outcome === 'success' ? 'backupSucceeded' : 'backupFailed',
			]);
		},
	);
});
