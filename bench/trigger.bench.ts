/**
 * `npm run bench:trigger -- [--instances 200] [--clouds tencent,alibaba,ucloud]`: what one backup trigger watching
 * every instance of a region costs, per cloud, on the local emulator: requests per poll, the peak request rate per
 * API action (any 1-second window, wall clock, counted at the emulator) against the cloud's documented rate, the
 * poll's duration, and the size of the static data n8n stores. Polls run through n8n-core's real PollContext (the
 * test harness's runPoll). Nothing is asserted on time: the exit code is non-zero only when a poll emits a wrong or
 * duplicate event, or a rate is exceeded.
 *
 * Per cloud: poll 1 (activation: every instance baselined), a backup started on one instance, poll 2 (its Started
 * event), the backup's end, poll 3 (its Succeeded event), poll 4 (nothing again).
 */
import { performance } from 'node:perf_hooks';
import type { ICredentialType, IDataObject, INode, INodeType } from 'n8n-workflow';

import { AlibabaCloudApi } from '../credentials/AlibabaCloudApi.credentials';
import { TencentCloudApi } from '../credentials/TencentCloudApi.credentials';
import { UCloudApi } from '../credentials/UCloudApi.credentials';
import { CloudEmulator } from '../emulator';
import { AlibabaCloudRedisTrigger } from '../nodes/AlibabaCloudRedis/AlibabaCloudRedisTrigger.node';
import { TencentCloudRedisTrigger } from '../nodes/TencentCloudRedis/TencentCloudRedisTrigger.node';
import { UCloudRedisTrigger } from '../nodes/UCloudRedis/UCloudRedisTrigger.node';
import { runPoll } from '../test/harness';
import { testCredential as alibabaCredential } from '../test/workflows/alibabaFixture';
import { testCredential as tencentCredential } from '../test/workflows/tencentFixture';
import { testCredential as ucloudCredential } from '../test/workflows/ucloudFixture';

const STEP_MS = 1000;

interface Cloud {
	id: 'alibaba' | 'tencent' | 'ucloud';
	typeName: string;
	nodeType: INodeType;
	credentialType: ICredentialType;
	credentialKey: string;
	server: (
		emulator: CloudEmulator,
	) => CloudEmulator['tencent'] | CloudEmulator['alibaba'] | CloudEmulator['ucloud'];
	credential: (emulator: CloudEmulator) => ReturnType<typeof tencentCredential>;
	count: (emulator: CloudEmulator) => number;
	addInstance: (emulator: CloudEmulator, index: number) => string;
	startBackup: (emulator: CloudEmulator, instanceId: string) => void;
	rate: { requests: number; perMs: number };
}

const CLOUDS: Cloud[] = [
	{
		id: 'tencent',
		typeName: 'n8n-nodes-cloud-redis-backups.tencentCloudRedisTrigger',
		nodeType: new TencentCloudRedisTrigger(),
		credentialType: new TencentCloudApi(),
		credentialKey: 'tencentCloudApi',
		server: (e) => e.tencent,
		credential: (e) => tencentCredential(e),
		count: (e) =>
			[...e.tencent.store.instances.values()].filter((i) => i.region === 'ap-guangzhou').length,
		addInstance: (e, i) => {
			const id = `crs-bench${String(i).padStart(4, '0')}`;
			e.tencent.addInstance({ instanceId: id, region: 'ap-guangzhou', architecture: 'standard' });
			return id;
		},
		startBackup: (e, id) =>
			void e.tencent.startBackupTask({ instanceId: id, backupType: 'automatic' }),
		rate: { requests: 20, perMs: 1000 },
	},
	{
		id: 'ucloud',
		typeName: 'n8n-nodes-cloud-redis-backups.uCloudRedisTrigger',
		nodeType: new UCloudRedisTrigger(),
		credentialType: new UCloudApi(),
		credentialKey: 'uCloudApi',
		server: (e) => e.ucloud,
		credential: (e) => ucloudCredential(e) as unknown as ReturnType<typeof tencentCredential>,
		count: (e) => [...e.ucloud.store.groups.values()].filter((g) => g.region === 'cn-bj2').length,
		addInstance: (e, i) => {
			const id = `uredis-bench${String(i).padStart(4, '0')}`;
			e.ucloud.addInstance({ groupId: id, region: 'cn-bj2', zone: 'cn-bj2-04' });
			return id;
		},
		startBackup: (e, id) => void e.ucloud.startBackup({ groupId: id, type: 'Auto' }),
		rate: { requests: 10, perMs: 1000 },
	},
	{
		id: 'alibaba',
		typeName: 'n8n-nodes-cloud-redis-backups.alibabaCloudRedisTrigger',
		nodeType: new AlibabaCloudRedisTrigger(),
		credentialType: new AlibabaCloudApi(),
		credentialKey: 'alibabaCloudApi',
		server: (e) => e.alibaba,
		credential: (e) => alibabaCredential(e) as unknown as ReturnType<typeof tencentCredential>,
		count: (e) =>
			[...e.alibaba.store.instances.values()].filter((i) => i.regionId === 'cn-hangzhou').length,
		addInstance: (e, i) => {
			const id = `r-bench${String(i).padStart(4, '0')}`;
			e.alibaba.addInstance({ instanceId: id, regionId: 'cn-hangzhou', architecture: 'standard' });
			return id;
		},
		startBackup: (e, id) => void e.alibaba.startBackupTask({ instanceId: id, mode: 'Automated' }),
		rate: { requests: 200, perMs: 60_000 },
	},
];

function arg(name: string, fallback: string): string {
	const at = process.argv.indexOf(`--${name}`);
	return at > 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

async function main(): Promise<void> {
	const instances = Number(arg('instances', '200'));
	const wanted = arg('clouds', 'tencent,ucloud,alibaba').split(',');
	let failed = false;
	const rows: string[] = [];
	for (const cloud of CLOUDS.filter((c) => wanted.includes(c.id))) {
		const emulator = new CloudEmulator({
			alibabaSettings: { taskStepMs: STEP_MS },
			tencentSettings: { taskStepMs: STEP_MS },
			ucloudSettings: { backupStepMs: STEP_MS },
		});
		await emulator.start();
		try {
			const server = cloud.server(emulator);
			const added: string[] = [];
			for (let i = 0; cloud.count(emulator) < instances; i++)
				added.push(cloud.addInstance(emulator, i));
			const credential = cloud.credential(emulator);
			const node: INode = {
				id: 'bench',
				name: 'Trigger',
				type: cloud.typeName,
				typeVersion: 1,
				position: [0, 0],
				parameters: { events: ['backupStarted', 'backupSucceeded'], watch: 'region' },
				credentials: { [cloud.credentialKey]: { id: credential.id, name: credential.name } },
			};
			let staticData: IDataObject | undefined;
			const events: string[] = [];
			const poll = async (label: string) => {
				const mark = server.requests.length;
				const started = performance.now();
				const result = await runPoll({
					node,
					nodeTypes: { [cloud.typeName]: cloud.nodeType },
					credentialTypes: [cloud.credentialType],
					credentials: [credential],
					staticData,
				});
				const seconds = (performance.now() - started) / 1000;
				staticData = result.staticData;
				for (const { json } of result.items ?? [])
					events.push(`${String(json.event)} ${String(json.instanceId)}`);
				const peak = server.peakRequestRate({ since: mark, windowMs: cloud.rate.perMs });
				const requests = server.requests.length - mark;
				const bytes = JSON.stringify(staticData ?? {}).length;
				const peakText = Object.entries(peak)
					.map(([action, n]) => `${action} ${n}`)
					.join(', ');
				const over = Object.values(peak).some((n) => n > cloud.rate.requests);
				if (over) failed = true;
				rows.push(
					`${cloud.id.padEnd(8)} ${label.padEnd(11)} ${String(requests).padStart(5)} req ${seconds.toFixed(1).padStart(6)} s  peak per ${cloud.rate.perMs / 1000} s: ${peakText || '-'} (limit ${cloud.rate.requests})${over ? ' EXCEEDED' : ''}  static data ${bytes} B`,
				);
			};
			await poll('activation');
			const victim = added[Math.floor(added.length / 2)] ?? added[0];
			cloud.startBackup(emulator, victim);
			await new Promise((resolve) => setTimeout(resolve, STEP_MS * 1.5));
			await poll('started');
			// Past the backup's end.
			await new Promise((resolve) => setTimeout(resolve, STEP_MS * 6));
			await poll('ended');
			await poll('again');
			const expected = [`backupStarted ${victim}`, `backupSucceeded ${victim}`];
			const ok = JSON.stringify(events) === JSON.stringify(expected);
			rows.push(
				`${cloud.id.padEnd(8)} events: ${events.join('; ') || 'none'}${ok ? '' : `  WRONG (expected ${expected.join('; ')})`}`,
			);
			if (!ok) failed = true;
		} finally {
			await emulator.stop();
		}
	}
	process.stdout.write(`${rows.join('\n')}\n`);
	if (failed) process.exitCode = 1;
}

void main();
