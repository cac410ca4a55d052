/**
 * `npm run demo`: the main job, with no cloud account. Starts the emulator on 127.0.0.1, runs the example
 * workflow examples/alibaba-backup-cycle.workflow.json (create a backup, wait until it is finished, list, get the
 * download URL, download) through n8n's execution engine, prints each node's items, and checks the downloaded
 * file against the bytes the emulator served.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IConnections, IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { AlibabaCloudApi } from '../credentials/AlibabaCloudApi.credentials';
import { CloudEmulator, DEFAULT_ALIBABA_ACCOUNT } from '../emulator';
import { AlibabaCloudRedis } from '../nodes/AlibabaCloudRedis/AlibabaCloudRedis.node';
import {
	binaryStream,
	cleanupBinaryDataStore,
	initBinaryDataStore,
	runWorkflow,
} from '../test/harness';

const WORKFLOW = path.join(__dirname, '..', 'examples', 'alibaba-backup-cycle.workflow.json');

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

async function main(): Promise<number> {
	await initBinaryDataStore();
	const emulator = new CloudEmulator({ alibabaSettings: { taskStepMs: 400 } });
	await emulator.start();
	console.log(
		`Emulator: Alibaba R-KVStore at ${emulator.alibaba.endpoint} (AccessKey ${DEFAULT_ALIBABA_ACCOUNT.accessKeyId})`,
	);
	try {
		const workflow = JSON.parse(readFileSync(WORKFLOW, 'utf8')) as {
			name: string;
			nodes: INode[];
			connections: IConnections;
		};
		console.log(`Workflow: ${workflow.name}\n`);
		const started = Date.now();
		const result = await runWorkflow({
			workflow: { nodes: workflow.nodes, connections: workflow.connections },
			nodeTypes: { 'n8n-nodes-cloud-redis-backups.alibabaCloudRedis': new AlibabaCloudRedis() },
			credentialTypes: [new AlibabaCloudApi()],
			credentials: [
				{
					id: 'alibaba-emulator',
					name: 'Alibaba Cloud (local emulator)',
					type: 'alibabaCloudApi',
					data: {
						...DEFAULT_ALIBABA_ACCOUNT,
						region: 'cn-hangzhou',
						endpoint: emulator.alibaba.endpoint,
					},
				},
			],
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
		let mismatches = 0;
		for (const item of result.output('Download Backup')) {
			const binary = item.binary?.data;
			if (!binary) continue;
			const stored = await sha256Of(await binaryStream(binary));
			const served = await emulator.alibaba.fileSha256(String(item.json.name));
			const ok = stored === served;
			if (!ok) mismatches++;
			console.log(
				`\n${binary.fileName}: sha256 ${stored} ${ok ? 'matches' : 'DOES NOT MATCH'} the bytes the emulator served`,
			);
		}
		console.log(
			`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s: ${emulator.alibaba.requests.length} signed API and download requests.`,
		);
		return mismatches === 0 ? 0 : 1;
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
