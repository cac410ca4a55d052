/**
 * The emulator as the n8n end-to-end check (scripts/n8n-e2e.mjs) runs it: emulator/cli.ts's server, plus what the
 * examples need to have something to show, seeded on top of the demo data:
 * - a FAILED backup of r-demostandard01 two hours ago, so "failed backups of the last day" finds one (the demo
 *   seed's failures are days old).
 * Prints `listening on <endpoint>` when ready; SIGTERM / SIGINT stop it.
 *
 *   ts-node --transpile-only --prefer-ts-exts -P tsconfig.test.json scripts/n8n/emulator.ts --port 8787 --step-ms 300
 */
import { CloudEmulator } from '../../emulator';

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
	const emulator = new CloudEmulator({
		host: arg('host') ?? '127.0.0.1',
		alibabaPort: Number(arg('port') ?? 0),
		alibabaSettings: { taskStepMs: Number(arg('step-ms') ?? 300) },
	});
	const now = Date.now();
	const failed = emulator.alibaba.addBackup({
		instanceId: 'r-demostandard01',
		startMs: now - 2 * 3600000,
		durationMs: 75000,
		sizeBytes: 524288,
		status: 'Failed',
		mode: 'Automated',
	});
	await emulator.start();
	console.log(`seeded failed backup ${failed.backupId} of r-demostandard01`);
	console.log(`listening on ${emulator.alibaba.endpoint}`);
	const shutdown = (): void => {
		emulator.stop().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.once('SIGINT', shutdown);
	process.once('SIGTERM', shutdown);
}

main().catch((err: Error) => {
	console.error(err.stack ?? err.message);
	process.exit(1);
});
