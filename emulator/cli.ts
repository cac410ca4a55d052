/**
 * `npm run emulator [-- --host 0.0.0.0 --port 8787 --tencent-port 8788 --ucloud-port 8789 --step-ms 10000
 * --clock-skew-ms 600000 --range-requests ignore --control [--control-port 8790]]`: run the emulator on fixed ports
 * for the demo or for pointing a real n8n at it (credentials: endpoint override). Env: EMULATOR_HOST,
 * EMULATOR_ALIBABA_PORT, EMULATOR_TENCENT_PORT, EMULATOR_UCLOUD_PORT, EMULATOR_TASK_STEP_MS, EMULATOR_CLOCK_SKEW_MS,
 * EMULATOR_RANGE_REQUESTS. Step, skew and Range mode apply to every cloud. `--control` also serves the control
 * endpoint (control.ts: start backups that succeed or fail, on 127.0.0.1 only, any free port unless
 * `--control-port`). Ctrl-C stops it.
 */
import {
	CloudEmulator,
	DEFAULT_ALIBABA_ACCOUNT,
	DEFAULT_TENCENT_ACCOUNT,
	DEFAULT_UCLOUD_ACCOUNT,
	TENCENT_LEGACY_PATH,
	type RangeMode,
} from './index';
import { startControlServer, type ControlServer } from './control';

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
	const host = arg('host') ?? process.env.EMULATOR_HOST ?? '127.0.0.1';
	const port = Number(arg('port') ?? process.env.EMULATOR_ALIBABA_PORT ?? 8787);
	const tencentPort = Number(arg('tencent-port') ?? process.env.EMULATOR_TENCENT_PORT ?? 8788);
	const ucloudPort = Number(arg('ucloud-port') ?? process.env.EMULATOR_UCLOUD_PORT ?? 8789);
	const stepMs = Number(arg('step-ms') ?? process.env.EMULATOR_TASK_STEP_MS ?? 10000);
	const clockSkewMs = Number(arg('clock-skew-ms') ?? process.env.EMULATOR_CLOCK_SKEW_MS ?? 0);
	const rangeRequests = (arg('range-requests') ?? process.env.EMULATOR_RANGE_REQUESTS ?? 'standard') as RangeMode;
	if (!['standard', 'lenient', 'ignore'].includes(rangeRequests)) {
		throw new Error(`--range-requests must be standard, lenient or ignore, not ${rangeRequests}`);
	}
	const start = async (tencentPortToUse: number, ucloudPortToUse: number): Promise<CloudEmulator> => {
		const emulator = new CloudEmulator({
			host,
			alibabaPort: port,
			tencentPort: tencentPortToUse,
			ucloudPort: ucloudPortToUse,
			alibabaSettings: { taskStepMs: stepMs, clockSkewMs, rangeRequests },
			tencentSettings: { taskStepMs: stepMs, clockSkewMs, rangeRequests },
			ucloudSettings: { backupStepMs: stepMs, clockSkewMs, rangeRequests },
		});
		await emulator.start().catch(async (err: NodeJS.ErrnoException) => {
			await emulator.stop();
			return await Promise.reject(err);
		});
		return emulator;
	};
	// Scripts that only pass --port (the real-n8n runs) must not fail because 8788 or 8789 is taken: without an
	// explicit Tencent (UCloud) port, a busy 8788 (8789) falls back to any free port (printed below).
	const tencentPortGiven = arg('tencent-port') !== undefined || process.env.EMULATOR_TENCENT_PORT !== undefined;
	const ucloudPortGiven = arg('ucloud-port') !== undefined || process.env.EMULATOR_UCLOUD_PORT !== undefined;
	const startWithFallback = async (tencentPortToUse: number, ucloudPortToUse: number): Promise<CloudEmulator> =>
		await start(tencentPortToUse, ucloudPortToUse).catch(async (err: NodeJS.ErrnoException & { port?: number }) => {
			if (err.code !== 'EADDRINUSE') return await Promise.reject(err);
			if (!tencentPortGiven && tencentPortToUse !== 0 && err.port === tencentPortToUse) {
				return await startWithFallback(0, ucloudPortToUse);
			}
			if (!ucloudPortGiven && ucloudPortToUse !== 0 && err.port === ucloudPortToUse) {
				return await startWithFallback(tencentPortToUse, 0);
			}
			return await Promise.reject(err);
		});
	const emulator = await startWithFallback(tencentPort, ucloudPort);
	const { accessKeyId, accessKeySecret } = DEFAULT_ALIBABA_ACCOUNT;
	console.log(`Alibaba Cloud R-KVStore emulator listening on ${emulator.alibaba.endpoint}`);
	console.log(`  AccessKey ID:     ${accessKeyId}`);
	console.log(`  AccessKey Secret: ${accessKeySecret}`);
	console.log(`  Endpoint override for the credential: ${emulator.alibaba.endpoint}`);
	console.log('  Seeded: r-demostandard01 (standard, 45 backups), r-democluster01 (cluster, 2 shards) in cn-hangzhou');
	const { secretId, secretKey } = DEFAULT_TENCENT_ACCOUNT;
	console.log(`Tencent Cloud Redis emulator (API 3.0 2018-04-12 and the legacy CRS API) on ${emulator.tencent.endpoint}`);
	console.log(`  SecretId:  ${secretId}`);
	console.log(`  SecretKey: ${secretKey}`);
	console.log(`  Endpoint override for the credential: ${emulator.tencent.endpoint} (legacy API: ${TENCENT_LEGACY_PATH})`);
	console.log('  Seeded: crs-demostd01 (standard, 22 backups, 3 expired), crs-democls01 (cluster, 3 shards) in ap-guangzhou');
	const { publicKey, privateKey } = DEFAULT_UCLOUD_ACCOUNT;
	console.log(`UCloud URedis emulator (master-slave Redis backups, US3 downloads) on ${emulator.ucloud.endpoint}`);
	console.log(`  PublicKey:  ${publicKey}`);
	console.log(`  PrivateKey: ${privateKey}`);
	console.log(`  Endpoint override for the credential: ${emulator.ucloud.endpoint}`);
	console.log('  Seeded: uredis-demo01 (20 backups, 1 Error, 1 Expired), uredis-demo02 (4 backups) in cn-bj2, project org-emulator');
	if (clockSkewMs) console.log(`  The cloud clock runs ${clockSkewMs} ms off the host clock.`);
	if (rangeRequests !== 'standard') console.log(`  Range requests: ${rangeRequests}.`);
	let control: ControlServer | undefined;
	if (process.argv.includes('--control')) {
		// Loopback only, whatever --host says: it has no authentication.
		control = await startControlServer(emulator, '127.0.0.1', Number(arg('control-port') ?? 0));
		console.log(`Control endpoint on ${control.url} (POST /backups, GET /backups, GET /requests)`);
	}
	console.log(`Backup tasks advance one state every ${stepMs} ms. Press Ctrl-C to stop.`);
	const shutdown = () => {
		Promise.all([emulator.stop(), control?.close()]).then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.once('SIGINT', shutdown);
	process.once('SIGTERM', shutdown);
}

main().catch((err: Error) => {
	console.error(err.message);
	process.exit(1);
});
