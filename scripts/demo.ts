/**
 * `npm run demo`: the main job, with no cloud account. Starts the emulator on 127.0.0.1 and, for every cloud,
 * runs its example backup cycle (examples/<cloud>-backup-cycle.workflow.json: create a backup, wait until it is
 * finished, list, get the download URL, download) through n8n's execution engine, prints each node's items, and
 * checks every downloaded file against the bytes the emulator served. `npm run demo -- tencent` runs one cloud.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type {
	IConnections,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';

import { AlibabaCloudApi } from '../credentials/AlibabaCloudApi.credentials';
import { TencentCloudApi } from '../credentials/TencentCloudApi.credentials';
import { UCloudApi } from '../credentials/UCloudApi.credentials';
import {
	CloudEmulator,
	DEFAULT_ALIBABA_ACCOUNT,
	DEFAULT_TENCENT_ACCOUNT,
	DEFAULT_UCLOUD_ACCOUNT,
} from '../emulator';
import { AlibabaCloudRedis } from '../nodes/AlibabaCloudRedis/AlibabaCloudRedis.node';
import { TencentCloudRedis } from '../nodes/TencentCloudRedis/TencentCloudRedis.node';
import { UCloudRedis } from '../nodes/UCloudRedis/UCloudRedis.node';
import {
	binaryStream,
	cleanupBinaryDataStore,
	initBinaryDataStore,
	runWorkflow,
} from '../test/harness';

const PACKAGE = 'n8n-nodes-cloud-redis-backups';

/** What the demo needs of one cloud: its example, node, credential (as the example names it) and emulator server. */
interface DemoCloud {
	id: string;
	title: string;
	nodeType: string;
	node: () => INodeType;
	credentialType: ICredentialType;
	credential: (emulator: CloudEmulator) => {
		id: string;
		name: string;
		data: ICredentialDataDecryptedObject;
	};
	server: (emulator: CloudEmulator) => {
		endpoint: string;
		requests: unknown[];
		fileSha256(ref: string): Promise<string>;
	};
	/** How the emulator names the file a Download item holds (its file name, or the backup's ID). */
	fileRef: (item: IDataObject) => string;
}

const CLOUDS: DemoCloud[] = [
	{
		id: 'alibaba',
		title: 'Alibaba Cloud R-KVStore',
		nodeType: `${PACKAGE}.alibabaCloudRedis`,
		node: () => new AlibabaCloudRedis(),
		credentialType: new AlibabaCloudApi(),
		credential: (emulator) => ({
			id: 'alibaba-emulator',
			name: 'Alibaba Cloud (local emulator)',
			data: {
				...DEFAULT_ALIBABA_ACCOUNT,
				region: 'cn-hangzhou',
				endpoint: emulator.alibaba.endpoint,
			},
		}),
		server: (emulator) => emulator.alibaba,
		fileRef: (item) => String(item.name),
	},
	{
		id: 'tencent',
		title: 'Tencent Cloud Redis (API 3.0 and legacy CRS)',
		nodeType: `${PACKAGE}.tencentCloudRedis`,
		node: () => new TencentCloudRedis(),
		credentialType: new TencentCloudApi(),
		credential: (emulator) => ({
			id: 'tencent-emulator',
			name: 'Tencent Cloud (local emulator)',
			data: {
				secretId: DEFAULT_TENCENT_ACCOUNT.secretId,
				secretKey: DEFAULT_TENCENT_ACCOUNT.secretKey,
				region: 'ap-guangzhou',
				endpoint: emulator.tencent.endpoint,
			},
		}),
		server: (emulator) => emulator.tencent,
		fileRef: (item) => String(item.name),
	},
	{
		id: 'ucloud',
		title: 'UCloud URedis',
		nodeType: `${PACKAGE}.uCloudRedis`,
		node: () => new UCloudRedis(),
		credentialType: new UCloudApi(),
		credential: (emulator) => ({
			id: 'ucloud-emulator',
			name: 'UCloud (local emulator)',
			data: {
				publicKey: DEFAULT_UCLOUD_ACCOUNT.publicKey,
				privateKey: DEFAULT_UCLOUD_ACCOUNT.privateKey,
				region: 'cn-bj2',
				endpoint: emulator.ucloud.endpoint,
			},
		}),
		server: (emulator) => emulator.ucloud,
		// One file per URedis backup.
		fileRef: (item) => String(item.backupId),
	},
];

/** What a person wants to see of an item: the model without the raw record and without signed URLs. */
function summary(item: INodeExecutionData): IDataObject {
	const { files, backup, ...rest } = item.json as IDataObject & {
		files?: IDataObject[];
		backup?: IDataObject;
	};
	const out: IDataObject = { ...rest };
	delete out.raw;
	for (const key of ['downloadUrl', 'internalDownloadUrl']) {
		if (typeof out[key] === 'string') out[key] = String(out[key]).split('?')[0] + '?…';
	}
	if (files) out.files = `${files.length} file(s)`;
	if (backup)
		out.backup = `${String(backup.backupId)} (${String(backup.status)}, ${String(backup.sizeBytes)} bytes)`;
	for (const [name, binary] of Object.entries(item.binary ?? {})) {
		out[`binary.${name}`] =
			`${binary.fileName} ${binary.mimeType} ${binary.bytes ?? binary.fileSize} bytes`;
	}
	return out;
}

async function sha256Of(stream: NodeJS.ReadableStream): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of stream) hash.update(chunk as Buffer);
	return hash.digest('hex');
}

/** Runs one cloud's backup cycle; returns the number of problems (0 = all good). */
async function runCloud(cloud: DemoCloud, emulator: CloudEmulator): Promise<number> {
	const server = cloud.server(emulator);
	const file = path.join(__dirname, '..', 'examples', `${cloud.id}-backup-cycle.workflow.json`);
	const workflow = JSON.parse(readFileSync(file, 'utf8')) as {
		name: string;
		nodes: INode[];
		connections: IConnections;
	};
	const credential = cloud.credential(emulator);
	console.log(
		`\n════ ${cloud.title}: emulator at ${server.endpoint} (key ${String(credential.data.accessKeyId ?? credential.data.secretId ?? credential.data.publicKey)})`,
	);
	console.log(`Workflow: ${workflow.name}\n`);
	const started = Date.now();
	const before = server.requests.length;
	const result = await runWorkflow({
		workflow: { nodes: workflow.nodes, connections: workflow.connections },
		nodeTypes: { [cloud.nodeType]: cloud.node() },
		credentialTypes: [cloud.credentialType],
		credentials: [{ ...credential, type: cloud.credentialType.name }],
	});
	for (const node of workflow.nodes) {
		if (!result.runData[node.name]) continue;
		const items = result.output(node.name);
		console.log(`── ${node.name}: ${items.length} item(s)`);
		for (const item of items.slice(0, 3)) console.log(JSON.stringify(summary(item), null, 2));
		if (items.length > 3) console.log(`… and ${items.length - 3} more`);
	}
	if (result.status !== 'success') {
		console.error(
			`\nThe workflow ended with status ${result.status}: ${result.error?.message ?? ''}`,
		);
		return 1;
	}
	let problems = 0;
	const downloads = result.output('Download Backup').filter((item) => item.binary?.data);
	if (downloads.length === 0) {
		console.error('\nNo file was downloaded.');
		problems++;
	}
	for (const item of downloads) {
		const binary = item.binary!.data;
		const stored = await sha256Of(await binaryStream(binary));
		const served = await server.fileSha256(cloud.fileRef(item.json));
		const ok = stored === served;
		if (!ok) problems++;
		console.log(
			`\n${binary.fileName}: sha256 ${stored} ${ok ? 'matches' : 'DOES NOT MATCH'} the bytes the emulator served`,
		);
	}
	console.log(
		`${cloud.title}: done in ${((Date.now() - started) / 1000).toFixed(1)} s, ${server.requests.length - before} signed API and download requests.`,
	);
	return problems;
}

async function main(): Promise<number> {
	const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
	const unknown = wanted.filter((id) => !CLOUDS.some((c) => c.id === id));
	if (unknown.length > 0) {
		console.error(
			`Unknown cloud ${unknown.join(', ')}; choose from ${CLOUDS.map((c) => c.id).join(', ')}`,
		);
		return 2;
	}
	await initBinaryDataStore();
	const emulator = new CloudEmulator({
		alibabaSettings: { taskStepMs: 400 },
		tencentSettings: { taskStepMs: 400 },
		ucloudSettings: { backupStepMs: 400 },
	});
	await emulator.start();
	try {
		let problems = 0;
		for (const cloud of CLOUDS) {
			if (wanted.length === 0 || wanted.includes(cloud.id))
				problems += await runCloud(cloud, emulator);
		}
		console.log(problems === 0 ? '\nEvery cloud: all good.' : `\n${problems} problem(s).`);
		return problems === 0 ? 0 : 1;
	} finally {
		await emulator.stop();
		await cleanupBinaryDataStore();
	}
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
