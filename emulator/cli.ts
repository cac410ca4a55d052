/**
 * `npm run emulator [-- --host 0.0.0.0 --port 8787 --step-ms 10000 --clock-skew-ms 600000 --range-requests ignore]`:
 * run the emulator on a fixed port for the demo or for pointing a real n8n at it (credentials: endpoint override).
 * Env: EMULATOR_HOST, EMULATOR_ALIBABA_PORT, EMULATOR_TASK_STEP_MS, EMULATOR_CLOCK_SKEW_MS, EMULATOR_RANGE_REQUESTS.
 * Ctrl-C stops it.
 */
import { CloudEmulator, DEFAULT_ALIBABA_ACCOUNT, type RangeMode } from './index';

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
	const host = arg('host') ?? process.env.EMULATOR_HOST ?? '127.0.0.1';
	const port = Number(arg('port') ?? process.env.EMULATOR_ALIBABA_PORT ?? 8787);
	const stepMs = Number(arg('step-ms') ?? process.env.EMULATOR_TASK_STEP_MS ?? 10000);
	const clockSkewMs = Number(arg('clock-skew-ms') ?? process.env.EMULATOR_CLOCK_SKEW_MS ?? 0);
	const rangeRequests = (arg('range-requests') ?? process.env.EMULATOR_RANGE_REQUESTS ?? 'standard') as RangeMode;
	if (!['standard', 'lenient', 'ignore'].includes(rangeRequests)) {
		throw new Error(`--range-requests must be standard, lenient or ignore, not ${rangeRequests}`);
	}
	const emulator = new CloudEmulator({
		host,
		alibabaPort: port,
		alibabaSettings: { taskStepMs: stepMs, clockSkewMs, rangeRequests },
	});
	await emulator.start();
	const { accessKeyId, accessKeySecret } = DEFAULT_ALIBABA_ACCOUNT;
	console.log(`Alibaba Cloud R-KVStore emulator listening on ${emulator.alibaba.endpoint}`);
	console.log(`  AccessKey ID:     ${accessKeyId}`);
	console.log(`  AccessKey Secret: ${accessKeySecret}`);
	console.log(`  Endpoint override for the credential: ${emulator.alibaba.endpoint}`);
	console.log('  Seeded: r-demostandard01 (standard, 45 backups), r-democluster01 (cluster, 2 shards) in cn-hangzhou');
	if (clockSkewMs) console.log(`  The cloud clock runs ${clockSkewMs} ms off the host clock.`);
	if (rangeRequests !== 'standard') console.log(`  Range requests: ${rangeRequests}.`);
	console.log(`  Backup tasks advance one state every ${stepMs} ms. Press Ctrl-C to stop.`);
	const shutdown = () => {
		emulator.stop().then(
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
