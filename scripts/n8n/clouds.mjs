// The clouds as the real-n8n checks (n8n-e2e.mjs, n8n-editor.mjs) see them: one row per cloud, so that adding a
// cloud is a row here (and its expectations), never a copy of a check. And the emulator (emulator/cli.ts, every
// cloud on its own port) started once for all of them, its endpoints and demo keys read from what it prints.

import path from 'node:path';

import { freePort, startChild, stopChild } from './proc.mjs';

/** The pack (the root package.json) every node type below belongs to. */
export const PACK_NAME = 'n8n-nodes-cloud-redis-backups';

/**
 * Per cloud:
 * - nodeType, credential (id and name as the examples reference them, type);
 * - emulator: how emulator/cli.ts announces this cloud's server (`endpoint`, the first line of its block) and the
 *   demo key lines that follow it (`keys`: credential field -> regex); `credentialData` makes the credential's data
 *   from them;
 * - secretField: the credential field the editor check makes wrong; wrongSecretWords: what the credential dialog
 *   must then show (the cloud's own words for a bad signature);
 * - crc64Header: the object store's CRC-64 header on a download (null: the store sends none);
 * - editor: the example workflow and node the editor check opens, the resources and operations the panel must list
 *   (backupTaskOperations null: no Backup Task resource), the emulator's demo instances the picker must list, and a
 *   search that narrows them to one;
 * - trigger (scripts/n8n/triggers.mjs): the polling trigger's node type, the demo instance the trigger check watches,
 *   the API actions a poll lists backups with (the emulator's request log names them so), and whether the cloud
 *   stops listing a failed backup (failedBackupUnlisted).
 */
export const CLOUDS = {
	alibaba: {
		label: 'Alibaba',
		nodeType: 'alibabaCloudRedis',
		credential: { id: 'alibaba-emulator', name: 'Alibaba Cloud (local emulator)', type: 'alibabaCloudApi' },
		emulator: {
			endpoint: /^Alibaba Cloud .*listening on (http:\/\/\S+)/,
			keys: { accessKeyId: /^\s+AccessKey ID:\s+(\S+)/, accessKeySecret: /^\s+AccessKey Secret:\s+(\S+)/ },
		},
		credentialData: ({ endpoint, keys }) => ({ ...keys, securityToken: '', region: 'cn-hangzhou', endpoint }),
		secretField: 'accessKeySecret',
		wrongSecretWords: /SignatureDoesNotMatch|signature is not matched/i,
		crc64Header: 'x-oss-hash-crc64ecma',
		editor: {
			workflowFile: 'alibaba-backup-cycle.workflow.json',
			workflowId: 'AlibabaEditorUi1',
			nodeName: 'Create Backup',
			resources: ['Backup', 'Backup Task'],
			backupOperations: ['Copy to Object Storage', 'Create', 'Download', 'Get', 'Get Download URL', 'List', 'Verify'],
			backupTaskOperations: ['Get', 'Wait Until Finished'],
			instances: [
				{ name: 'demo-standard', id: 'r-demostandard01' },
				{ name: 'demo-cluster', id: 'r-democluster01' },
			],
			search: { text: 'cluster', name: 'demo-cluster', id: 'r-democluster01', otherId: 'r-demostandard01' },
		},
		trigger: { nodeType: 'alibabaCloudRedisTrigger', instanceId: 'r-demostandard01', listActions: ['DescribeBackups', 'DescribeBackupTasks'] },
	},
	tencent: {
		label: 'Tencent',
		nodeType: 'tencentCloudRedis',
		credential: { id: 'tencent-emulator', name: 'Tencent Cloud (local emulator)', type: 'tencentCloudApi' },
		emulator: {
			endpoint: /^Tencent Cloud .* on (http:\/\/\S+)/,
			keys: { secretId: /^\s+SecretId:\s+(\S+)/, secretKey: /^\s+SecretKey:\s+(\S+)/ },
		},
		credentialData: ({ endpoint, keys }) => ({ ...keys, sessionToken: '', region: 'ap-guangzhou', endpoint }),
		secretField: 'secretKey',
		// TencentCloudApi.credentials.ts words AuthFailure.SignatureFailure as "...: the SecretKey is wrong".
		wrongSecretWords: /AuthFailure\.SignatureFailure/,
		crc64Header: 'x-cos-hash-crc64ecma',
		editor: {
			workflowFile: 'tencent-backup-cycle.workflow.json',
			workflowId: 'TencentEditorUi1',
			nodeName: 'Create Backup',
			resources: ['Backup', 'Backup Task'],
			backupOperations: ['Copy to Object Storage', 'Create', 'Download', 'Get', 'Get Download URL', 'List', 'Verify'],
			backupTaskOperations: ['Get', 'Wait Until Finished'],
			instances: [
				{ name: 'demo-standard', id: 'crs-demostd01' },
				{ name: 'demo-cluster', id: 'crs-democls01' },
			],
			search: { text: 'cluster', name: 'demo-cluster', id: 'crs-democls01', otherId: 'crs-demostd01' },
		},
		// A failed backup is no longer listed (as on Tencent; emulator/tencent/store.ts): the trigger reports it failed
		// only once it has been unlisted for its VANISHED_AFTER_MS (nodes/common/backupEvents.ts).
		trigger: { nodeType: 'tencentCloudRedisTrigger', instanceId: 'crs-demostd01', listActions: ['DescribeInstanceBackups'], failedBackupUnlisted: true },
	},
	ucloud: {
		label: 'UCloud',
		nodeType: 'uCloudRedis',
		credential: { id: 'ucloud-emulator', name: 'UCloud (local emulator)', type: 'uCloudApi' },
		emulator: {
			endpoint: /^UCloud URedis emulator .* on (http:\/\/\S+)/,
			keys: { publicKey: /^\s+PublicKey:\s+(\S+)/, privateKey: /^\s+PrivateKey:\s+(\S+)/ },
		},
		// The emulator's seed is in cn-bj2; an empty Project ID is the account's default project.
		credentialData: ({ endpoint, keys }) => ({ ...keys, region: 'cn-bj2', projectId: '', endpoint }),
		secretField: 'privateKey',
		// UCloudApi.credentials.ts words RetCode 171 as "RetCode 171: Signature VerifyAC Error: ... the Private Key is wrong".
		wrongSecretWords: /RetCode 171: Signature VerifyAC Error/,
		// UFile (US3) sends no CRC-64: downloads are compared by size and SHA-256 only.
		crc64Header: null,
		editor: {
			workflowFile: 'ucloud-backup-cycle.workflow.json',
			workflowId: 'UCloudEditorUi1',
			nodeName: 'Create Backup',
			// URedis has no task API: Wait Until Finished is a Backup operation, and there is no Backup Task resource.
			resources: ['Backup'],
			backupOperations: ['Copy to Object Storage', 'Create', 'Download', 'Get', 'Get Download URL', 'List', 'Verify', 'Wait Until Finished'],
			backupTaskOperations: null,
			instances: [
				{ name: 'demo-cache', id: 'uredis-demo01' },
				{ name: 'demo-sessions', id: 'uredis-demo02' },
			],
			search: { text: 'sessions', name: 'demo-sessions', id: 'uredis-demo02', otherId: 'uredis-demo01' },
		},
		trigger: { nodeType: 'uCloudRedisTrigger', instanceId: 'uredis-demo01', listActions: ['DescribeURedisBackup'] },
	},
};

export const CLOUD_IDS = Object.keys(CLOUDS);

/** The credentials file `n8n import:credentials` takes: one emulator credential per cloud. */
export function emulatorCredentials(emulator, { wrongSecretFor } = {}) {
	return CLOUD_IDS.map((id) => {
		const cloud = CLOUDS[id];
		const data = cloud.credentialData(emulator.clouds[id]);
		if (wrongSecretFor === id) data[cloud.secretField] = `${data[cloud.secretField]}-wrong`;
		return { ...cloud.credential, data };
	});
}

/** The cloud whose emulator server a URL points at, or null. */
export function cloudOfUrl(emulator, url) {
	if (typeof url !== 'string') return null;
	return CLOUD_IDS.find((id) => url.startsWith(`${emulator.clouds[id].endpoint}/`)) ?? null;
}

/**
 * Read emulator/cli.ts's banner: per cloud, its endpoint line and the key lines after it. Returns a line handler
 * and the parsed state ({ clouds: { <id>: { endpoint, keys } }, complete }).
 */
export function bannerParser() {
	const state = { clouds: {}, complete: false };
	let current = null;
	const onLine = (line) => {
		for (const id of CLOUD_IDS) {
			const m = CLOUDS[id].emulator.endpoint.exec(line);
			if (m) {
				current = id;
				state.clouds[id] = { endpoint: m[1].replace(/\/+$/, ''), keys: {} };
				return;
			}
		}
		if (current) {
			for (const [field, re] of Object.entries(CLOUDS[current].emulator.keys)) {
				const m = re.exec(line);
				if (m) state.clouds[current].keys[field] = m[1];
			}
		}
		state.complete = CLOUD_IDS.every(
			(id) => state.clouds[id] && Object.keys(CLOUDS[id].emulator.keys).every((f) => state.clouds[id].keys[f]),
		);
	};
	return { onLine, state };
}

/**
 * emulator/cli.ts through ts-node: the Alibaba server on `port` (a free one by default), every other cloud on any
 * free port (`--tencent-port 0 --ucloud-port 0`), tasks (UCloud: backups) advancing every `stepMs`. Resolves with
 * { child, clouds: { <id>: { endpoint, keys } }, controlUrl, logFile } once every cloud's endpoint and keys were
 * printed. `control: true` also serves the emulator's control endpoint (emulator/control.ts; `controlUrl`, else
 * null). Tries up to three ports; throws when it never comes up.
 */
export async function startEmulator({ repoRoot, stepMs, logFile, timeoutMs = 90000, host = '127.0.0.1', control = false, say = () => {} }) {
	const tsNode = path.join(repoRoot, 'node_modules', 'ts-node', 'dist', 'bin.js');
	let lastOutcome = '';
	for (let attempt = 1; attempt <= 3; attempt++) {
		const port = await freePort();
		const file = typeof logFile === 'function' ? logFile(port) : logFile;
		const banner = bannerParser();
		let resolveReady;
		const ready = new Promise((r) => {
			resolveReady = r;
		});
		const args = [tsNode, '--transpile-only', '--prefer-ts-exts', '-P', 'tsconfig.test.json', 'emulator/cli.ts'];
		args.push('--host', host, '--port', String(port), '--tencent-port', '0', '--ucloud-port', '0');
		if (stepMs !== undefined) args.push('--step-ms', String(stepMs));
		if (control) args.push('--control');
		let controlUrl = null;
		const child = startChild(process.execPath, args, {
			cwd: repoRoot,
			env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.test.json' },
			logFile: file,
			onLine: (line) => {
				banner.onLine(line);
				const c = /^Control endpoint on (http:\/\/\S+)/.exec(line);
				if (c) controlUrl = c[1];
				// The last line of the banner: everything above it has been printed.
				if (banner.state.complete && /^Backup tasks advance/.test(line)) resolveReady('ready');
			},
		});
		child.once('exit', (code, signal) => resolveReady(`exited (${code ?? signal})`));
		const timer = new Promise((r) => setTimeout(() => r('timeout'), timeoutMs));
		const outcome = await Promise.race([ready, timer]);
		if (outcome === 'ready' && control && !controlUrl) {
			await stopChild(child);
			throw new Error('the emulator printed no "Control endpoint on" line although --control was given');
		}
		if (outcome === 'ready') return { child, clouds: banner.state.clouds, controlUrl, port, logFile: file };
		await stopChild(child);
		lastOutcome = outcome;
		say(`  emulator on port ${port}: ${outcome}${attempt < 3 ? ', trying another port' : ''}`);
	}
	throw new Error(`the emulator did not start (${lastOutcome})`);
}
