/**
 * `npm run bench -- [--sizes 256,1024] [--runs 3] [--no-sha]`: how close the Alibaba node's Backup → Download gets
 * to a plain download, in throughput and in memory, on one local emulator in one process.
 *
 * - baseline: Node's `http.get` of the backup's presigned URL, piped into `fs.createWriteStream` — the best a
 *   download can do here (same emulator, same process, same file system);
 * - subject: Manual Trigger → Items → Alibaba Cloud Redis Backup (Backup → Download) through n8n-core's real
 *   WorkflowExecute, into n8n's filesystem binary store, with the CRC-64 verification on (the emulator sends
 *   x-oss-hash-crc64ecma for every size; each run must report checksumVerified with the emulator's CRC). Timed end
 *   to end: engine, the DescribeBackups lookup that yields the URL, the download and the store's final rename. The
 *   fixed part of that is printed apart (measured on a 1 KiB backup), so small sizes can be read correctly.
 *
 * Per size, `--runs` pairs alternate ABBA (baseline/subject, then subject/baseline, …) so neither side always
 * goes first. process.memoryUsage() is sampled every 50 ms during each run; "growth" is the peak minus the value
 * just before the run. Run with `NODE_OPTIONS=--expose-gc` to collect garbage before each run (steadier
 * numbers); without it the benchmark still runs and says so. Every subject run is checked (stored size in the
 * item and on disk, exactly one download request, and sha256 via binaryStream against the emulator's bytes for
 * sizes up to 1 GiB unless --no-sha), so a fast but wrong download cannot pass. Times are never asserted: the
 * exit code is non-zero only when a download is wrong or fails.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { BinaryDataService } from 'n8n-core';
import type { IBinaryData } from 'n8n-workflow';

import { CloudEmulator } from '../emulator';
import { Crc64 } from '../nodes/common/crc64';
import { binaryStream, cleanupBinaryDataStore, initBinaryDataStore } from '../test/harness';
import { n8nCoreContainer } from '../test/harness/n8n-env';
import { instanceRef, NODE_NAME, REGION, runAlibabaNode } from '../test/workflows/alibabaFixture';

const MIB = 1024 * 1024;
const MB = 1e6;
const SAMPLE_MS = 50;
/** sha256 is checked up to this size (hashing a multi-GiB file twice per run would dominate the wall time). */
const SHA_MAX_BYTES = 1024 * MIB;
const INSTANCE_ID = 'r-benchdownload01';
const WARMUP_BYTES = 1024;
const WARMUP_RUNS = 3;
/** Targets the summary checks (printed, never enforced by the exit code). */
const TARGET_RATIO = 0.7;
const TARGET_RSS_GROWTH_BYTES = 64 * MIB;

const gc = (globalThis as { gc?: () => void }).gc;

// ---------------------------------------------------------------------------------------------------------------
// Command line

interface Options {
	sizesMiB: number[];
	runs: number;
	sha: boolean;
	/** Parent of the temp folder holding the baseline's files and n8n's binary store. */
	dir: string;
}

const USAGE = `Usage: npm run bench -- [--sizes 256,1024] [--runs 3] [--no-sha] [--dir <path>]
  --sizes  comma-separated file sizes in MiB (default 256,1024)
  --runs   baseline/subject pairs per size, alternated ABBA (default 3)
  --no-sha skip the sha256 check of the subject's stored file (sizes are always checked;
           sha256 is only ever checked up to 1024 MiB)
  --dir    where to create the temp folder for both sides' files (default ${tmpdir()});
           e.g. the disk n8n's N8N_BINARY_DATA_STORAGE_PATH is on
Set NODE_OPTIONS=--expose-gc to collect garbage before each run.`;

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
	const options: Options = { sizesMiB: [256, 1024], runs: 3, sha: true, dir: tmpdir() };
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split(/=(.*)/s, 2);
		const value = () => {
			const v = inline ?? argv[++i];
			if (v === undefined) throw new UsageError(`${flag} needs a value\n\n${USAGE}`);
			return v;
		};
		switch (flag) {
			case '--sizes':
				options.sizesMiB = value()
					.split(',')
					.map((s) => s.trim())
					.filter(Boolean)
					.map((s) => {
						const n = Number(s);
						if (!Number.isFinite(n) || n <= 0 || Math.round(n * MIB) < 1) throw new UsageError(`--sizes: "${s}" is not a size in MiB`);
						return n;
					});
				if (options.sizesMiB.length === 0) throw new UsageError('--sizes: no size given');
				break;
			case '--runs': {
				const n = Number(value());
				if (!Number.isInteger(n) || n < 1) throw new UsageError('--runs must be a whole number >= 1');
				options.runs = n;
				break;
			}
			case '--dir':
				options.dir = path.resolve(value());
				break;
			case '--no-sha':
				options.sha = false;
				break;
			case '--help':
			case '-h':
				console.log(USAGE);
				process.exit(0);
				break;
			default:
				throw new UsageError(`unknown argument "${argv[i]}"\n\n${USAGE}`);
		}
	}
	return options;
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring

interface MemoryGrowth {
	rssBytes: number;
	heapBytes: number;
	peakRssBytes: number;
	samples: number;
	/** Longest time between two samples: how long the event loop was busy at a stretch. */
	maxGapMs: number;
}

/** Peak RSS and heapUsed above the values just before start(), sampled every SAMPLE_MS. */
class MemorySampler {
	private baseRss = 0;
	private baseHeap = 0;
	private peakRss = 0;
	private peakHeap = 0;
	private samples = 0;
	private last = 0;
	private maxGap = 0;
	private timer: NodeJS.Timeout | undefined;

	start(): void {
		const base = process.memoryUsage();
		this.baseRss = this.peakRss = base.rss;
		this.baseHeap = this.peakHeap = base.heapUsed;
		this.samples = 0;
		this.maxGap = 0;
		this.last = performance.now();
		this.timer = setInterval(() => this.sample(), SAMPLE_MS);
	}

	private sample(): void {
		const now = performance.now();
		this.maxGap = Math.max(this.maxGap, now - this.last);
		this.last = now;
		const { rss, heapUsed } = process.memoryUsage();
		this.peakRss = Math.max(this.peakRss, rss);
		this.peakHeap = Math.max(this.peakHeap, heapUsed);
		this.samples++;
	}

	stop(): MemoryGrowth {
		clearInterval(this.timer);
		this.sample();
		return {
			rssBytes: this.peakRss - this.baseRss,
			heapBytes: this.peakHeap - this.baseHeap,
			peakRssBytes: this.peakRss,
			samples: this.samples,
			maxGapMs: this.maxGap,
		};
	}
}

interface RunResult {
	seconds: number;
	memory: MemoryGrowth;
}

async function settle(): Promise<void> {
	if (gc) {
		gc();
		gc();
	}
	await new Promise((resolve) => setTimeout(resolve, 20));
}

async function measure(work: () => Promise<void>): Promise<RunResult> {
	await settle();
	const sampler = new MemorySampler();
	sampler.start();
	const started = performance.now();
	let seconds = 0;
	let memory: MemoryGrowth;
	try {
		await work();
		seconds = (performance.now() - started) / 1000;
	} finally {
		memory = sampler.stop();
	}
	return { seconds, memory };
}

// ---------------------------------------------------------------------------------------------------------------
// The two contenders

/** Baseline: http.get piped to a file; resolves with the bytes written. */
async function plainDownload(url: string, dest: string): Promise<number> {
	const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
		http.get(url, resolve).on('error', reject);
	});
	if (response.statusCode !== 200) {
		response.resume();
		throw new Error(`baseline: HTTP ${response.statusCode} for ${url.split('?')[0]}`);
	}
	let bytes = 0;
	response.on('data', (chunk: Buffer) => (bytes += chunk.length));
	await pipeline(response, createWriteStream(dest));
	return bytes;
}

interface Target {
	sizeBytes: number;
	backupId: string;
	url: string;
	crc64: string;
}

async function runBaseline(target: Target, dir: string, run: string): Promise<RunResult> {
	const dest = path.join(dir, `baseline-${run}.rdb`);
	let received = 0;
	try {
		const result = await measure(async () => {
			received = await plainDownload(target.url, dest);
		});
		const onDisk = (await stat(dest)).size;
		if (received !== target.sizeBytes || onDisk !== target.sizeBytes) {
			throw new Error(`baseline: received ${received} B, ${onDisk} B on disk, expected ${target.sizeBytes} B`);
		}
		return result;
	} finally {
		await rm(dest, { force: true });
	}
}

interface SubjectCheck {
	sha: boolean;
	expectedSha: () => Promise<string>;
	/** The CRC-64 the emulator sends in x-oss-hash-crc64ecma: the node must have verified the file against it. */
	crc64: string;
}

/** MB/s of the node's CRC-64 over 256 MiB in 1 MiB chunks (best of 3): the ceiling it puts on a verified download. */
function crc64Rate(): number {
	const chunk = Buffer.alloc(MIB);
	for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
	let best = 0;
	for (let round = 0; round < 3; round++) {
		const crc = new Crc64();
		const started = performance.now();
		for (let i = 0; i < 256; i++) crc.update(chunk);
		crc.digest();
		best = Math.max(best, (256 * MIB) / MB / ((performance.now() - started) / 1000));
	}
	return best;
}

async function sha256Of(stream: NodeJS.ReadableStream): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of stream) hash.update(chunk as Buffer);
	return hash.digest('hex');
}

const redact = (url: string) => {
	const u = new URL(url);
	return `${u.origin}${u.pathname}`;
};

/** Subject: the node's Download operation through n8n's engine; checked, then its stored file is deleted. */
async function runSubject(emulator: CloudEmulator, target: Target, check: SubjectCheck): Promise<RunResult> {
	const mark = emulator.alibaba.requests.length;
	let result: Awaited<ReturnType<typeof runAlibabaNode>> | undefined;
	const timing = await measure(async () => {
		result = await runAlibabaNode(emulator, {
			resource: 'backup',
			operation: 'download',
			instanceType: 'standard',
			instanceId: instanceRef(INSTANCE_ID),
			backupId: target.backupId,
			options: {},
		});
	});
	if (!result || result.status !== 'success') {
		throw new Error(`subject: the workflow ended with status ${result?.status}: ${result?.error?.message ?? 'no error'}`);
	}
	const items = result.output(NODE_NAME);
	const binary: IBinaryData | undefined = items[0]?.binary?.data;
	if (items.length !== 1 || !binary) throw new Error(`subject: expected 1 item with binary "data", got ${items.length} item(s)`);
	const service = n8nCoreContainer().get(BinaryDataService);
	const storedPath = binary.id ? service.getPath(binary.id) : undefined;
	try {
		if (!storedPath) throw new Error('subject: the binary is not in the filesystem store (no id): it was buffered in memory');
		const onDisk = (await stat(storedPath)).size;
		const { downloadedBytes, downloadUrl, checksumAlgorithm, checksumVerified, checksum, expectedChecksum, downloadAttempts } =
			items[0].json;
		if (binary.bytes !== target.sizeBytes || onDisk !== target.sizeBytes || downloadedBytes !== target.sizeBytes) {
			throw new Error(
				`subject: binary.bytes ${binary.bytes}, ${onDisk} B on disk, downloadedBytes ${String(downloadedBytes)}, expected ${target.sizeBytes} B`,
			);
		}
		// The run must have paid for the CRC: the storage header was there and the node checked the bytes against it.
		if (
			checksumAlgorithm !== 'crc64ecma' ||
			checksumVerified !== true ||
			checksum !== check.crc64 ||
			expectedChecksum !== check.crc64
		) {
			throw new Error(
				`subject: checksum not verified (checksumAlgorithm ${String(checksumAlgorithm)}, checksumVerified ${String(checksumVerified)}, checksum ${String(checksum)}, expectedChecksum ${String(expectedChecksum)}, emulator CRC-64 ${check.crc64})`,
			);
		}
		if (downloadAttempts !== 1) throw new Error(`subject: ${String(downloadAttempts)} download attempts, expected 1`);
		if (typeof downloadUrl !== 'string' || redact(downloadUrl) !== redact(target.url)) {
			throw new Error(`subject: downloaded ${String(downloadUrl).split('?')[0]}, the baseline ${redact(target.url)}`);
		}
		const downloads = emulator.alibaba.requests.slice(mark).filter((r) => r.action === 'Download');
		if (downloads.length !== 1) throw new Error(`subject: ${downloads.length} download requests, expected exactly 1`);
		if (check.sha && target.sizeBytes <= SHA_MAX_BYTES) {
			const [stored, expected] = await Promise.all([sha256Of(await binaryStream(binary)), check.expectedSha()]);
			if (stored !== expected) throw new Error(`subject: sha256 of the stored file ${stored} != emulator's ${expected}`);
		}
	} finally {
		if (storedPath) await rm(storedPath, { force: true });
	}
	return timing;
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const mid = Math.floor(s.length / 2);
	return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const max = (xs: number[]) => Math.max(...xs);
const mbps = (bytes: number, r: RunResult) => bytes / MB / r.seconds;
const mib = (bytes: number) => `${bytes < 0 ? '-' : '+'}${(Math.abs(bytes) / MIB).toFixed(1)} MiB`;
const sizeLabel = (bytes: number) => (bytes >= MIB ? `${+(bytes / MIB).toFixed(2)} MiB` : `${bytes} B`);
/** subject/baseline of a memory growth; a ratio against (nearly) nothing says nothing, the delta does. */
const memRatio = (subject: number, baseline: number) => (baseline >= MIB / 2 ? `${(subject / baseline).toFixed(2)}x` : 'n/a');

function table(header: string[], rows: string[][]): string {
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
	return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function runLine(size: number, label: string, kind: string, r: RunResult): string {
	return (
		`  ${sizeLabel(size).padStart(9)}  ${label}  ${kind.padEnd(8)}  ${mbps(size, r).toFixed(1).padStart(8)} MB/s  ${r.seconds
			.toFixed(3)
			.padStart(7)} s  RSS ${mib(r.memory.rssBytes).padStart(10)} (peak ${(r.memory.peakRssBytes / MIB).toFixed(0)} MiB)` +
		`  heap ${mib(r.memory.heapBytes).padStart(10)}  ${r.memory.samples} samples, max gap ${r.memory.maxGapMs.toFixed(0)} ms`
	);
}

interface SizeResult {
	sizeBytes: number;
	baseline: RunResult[];
	subject: RunResult[];
	verified: string;
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
	const options = parseArgs(process.argv.slice(2));
	const sizes = options.sizesMiB.map((m) => Math.round(m * MIB));

	const workDir = await mkdtemp(path.join(options.dir, 'n8n-download-bench-'));
	const emulator = new CloudEmulator({ seed: false, alibabaSettings: { urlTtlMs: 24 * 3600_000 } });
	let cleaned = false;
	const cleanup = async () => {
		if (cleaned) return;
		cleaned = true;
		await emulator.stop().catch(() => undefined);
		await cleanupBinaryDataStore().catch(() => undefined);
		await rm(workDir, { recursive: true, force: true });
	};
	const onSignal = (signal: NodeJS.Signals) => {
		console.error(`\n${signal}: cleaning up`);
		void cleanup().finally(() => process.exit(130));
	};
	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);

	try {
		// Both contenders write into the same temp folder, so onto the same file system.
		const storeDir = await initBinaryDataStore(path.join(workDir, 'n8n-binary-store'));
		await emulator.start();
		console.log(
			`Download benchmark: node ${process.version}, ${process.platform}/${process.arch}, gc ${gc ? 'exposed (collected before each run)' : 'not exposed (set NODE_OPTIONS=--expose-gc for steadier memory numbers)'}`,
		);
		console.log(`Emulator ${emulator.alibaba.endpoint}; temp files and n8n binary store under ${workDir}`);
		const crcRate = crc64Rate();
		console.log(
			`CRC-64 alone (the node's implementation, 1 MiB chunks): ${crcRate.toFixed(0)} MB/s on one core here; a download that verifies it cannot go faster`,
		);
		console.log(
			`Sizes ${sizes.map(sizeLabel).join(', ')}; ${options.runs} run(s) each side, ABBA; sha256 check ${options.sha ? `on (sizes <= ${sizeLabel(SHA_MAX_BYTES)})` : 'off (--no-sha)'}`,
		);

		emulator.alibaba.addInstance({ instanceId: INSTANCE_ID, regionId: REGION, architecture: 'standard' });
		const now = Date.now();
		const targetOf = async (sizeBytes: number, index: number): Promise<Target> => {
			const record = emulator.alibaba.addBackup({ instanceId: INSTANCE_ID, startMs: now - (index + 1) * 3600_000, sizeBytes });
			// Computed up front so that no run pays for the x-oss-hash-crc64ecma header the emulator sends (and so
			// that the emulator sends it for files of any size).
			const crc64 = await emulator.alibaba.fileCrc64(record.backupId);
			return {
				sizeBytes,
				backupId: String(record.backupId),
				url: emulator.alibaba.downloadUrls(emulator.alibaba.file(record.backupId)).public,
				crc64,
			};
		};

		// Warm-up on a tiny backup: loads n8n-core and the node, JITs both paths, and measures the fixed cost per run.
		const tiny = await targetOf(WARMUP_BYTES, 0);
		const tinyCheck: SubjectCheck = {
			sha: true,
			expectedSha: () => emulator.alibaba.fileSha256(Number(tiny.backupId)),
			crc64: tiny.crc64,
		};
		const fixed = { baseline: [] as number[], subject: [] as number[] };
		for (let i = 0; i < WARMUP_RUNS; i++) {
			fixed.baseline.push((await runBaseline(tiny, workDir, `warmup-${i}`)).seconds);
			fixed.subject.push((await runSubject(emulator, tiny, tinyCheck)).seconds);
		}
		const fixedMs = { baseline: median(fixed.baseline) * 1000, subject: median(fixed.subject) * 1000 };
		console.log(
			`Fixed cost per run (${sizeLabel(WARMUP_BYTES)} backup, median of ${WARMUP_RUNS}): baseline ${fixedMs.baseline.toFixed(1)} ms, subject ${fixedMs.subject.toFixed(1)} ms (engine + DescribeBackups + store)\n`,
		);

		const results: SizeResult[] = [];
		for (const [index, sizeBytes] of sizes.entries()) {
			const setupStarted = performance.now();
			const target = await targetOf(sizeBytes, index + 1);
			let expectedSha: Promise<string> | undefined;
			const check: SubjectCheck = {
				sha: options.sha,
				expectedSha: () => (expectedSha ??= emulator.alibaba.fileSha256(Number(target.backupId))),
				crc64: target.crc64,
			};
			console.log(`${sizeLabel(sizeBytes)}: backup ${target.backupId} ready in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);
			const result: SizeResult = { sizeBytes, baseline: [], subject: [], verified: '' };
			for (let run = 0; run < options.runs; run++) {
				const label = `run ${run + 1}/${options.runs}`;
				const order = run % 2 === 0 ? (['baseline', 'subject'] as const) : (['subject', 'baseline'] as const);
				for (const kind of order) {
					const r =
						kind === 'baseline'
							? await runBaseline(target, workDir, `${index}-${run}`)
							: await runSubject(emulator, target, check);
					result[kind].push(r);
					console.log(runLine(sizeBytes, label, kind, r));
				}
			}
			result.verified = `size${options.sha && sizeBytes <= SHA_MAX_BYTES ? '+sha256' : ''} x${options.runs}`;
			results.push(result);
		}

		// -------------------------------------------------------------------------------------------------------
		const speed = results.map((r) => {
			const base = r.baseline.map((x) => mbps(r.sizeBytes, x));
			const subj = r.subject.map((x) => mbps(r.sizeBytes, x));
			return { base, subj, ratio: median(subj) / median(base) };
		});
		/** Median, and the min-max spread when there are several runs: how far to trust the ratio. */
		const rate = (xs: number[]) =>
			`${median(xs).toFixed(1)}${xs.length > 1 ? ` (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})` : ''}`;
		const memory = results.map((r) => ({
			rssBase: max(r.baseline.map((x) => x.memory.rssBytes)),
			rssSubj: max(r.subject.map((x) => x.memory.rssBytes)),
			heapBase: max(r.baseline.map((x) => x.memory.heapBytes)),
			heapSubj: max(r.subject.map((x) => x.memory.heapBytes)),
		}));

		console.log('\nThroughput (median MB/s (min-max), 1 MB = 10^6 B; subject timed end to end, fixed cost included)');
		console.log(
			table(
				['size', 'runs', 'baseline MB/s', 'subject MB/s', 'subject/baseline', 'verified'],
				results.map((r, i) => [
					sizeLabel(r.sizeBytes),
					String(options.runs),
					rate(speed[i].base),
					rate(speed[i].subj),
					`${speed[i].ratio.toFixed(2)}x`,
					r.verified,
				]),
			),
		);
		console.log(`\nMemory (peak growth during a run, worst of the runs; sampled every ${SAMPLE_MS} ms)`);
		console.log(
			table(
				['size', 'RSS baseline', 'RSS subject', 'ratio', 'delta', 'heap baseline', 'heap subject', 'ratio', 'delta'],
				results.map((r, i) => {
					const m = memory[i];
					return [
						sizeLabel(r.sizeBytes),
						mib(m.rssBase),
						mib(m.rssSubj),
						memRatio(m.rssSubj, m.rssBase),
						mib(m.rssSubj - m.rssBase),
						mib(m.heapBase),
						mib(m.heapSubj),
						memRatio(m.heapSubj, m.heapBase),
						mib(m.heapSubj - m.heapBase),
					];
				}),
			),
		);
		console.log(`\nBinary store ${storeDir}: every stored file checked, then deleted.`);
		console.log(
			`\nSummary: subject/baseline throughput ${results.map((r, i) => `${speed[i].ratio.toFixed(2)}x @ ${sizeLabel(r.sizeBytes)}`).join(', ')}; ` +
				`worst peak RSS growth subject ${mib(max(memory.map((m) => m.rssSubj)))} vs baseline ${mib(max(memory.map((m) => m.rssBase)))}, ` +
				`heap ${mib(max(memory.map((m) => m.heapSubj)))} vs ${mib(max(memory.map((m) => m.heapBase)))}; ` +
				`all ${results.length * options.runs} subject downloads verified (${
					!options.sha || results.every((r) => r.sizeBytes > SHA_MAX_BYTES)
						? 'size'
						: results.every((r) => r.sizeBytes <= SHA_MAX_BYTES)
							? 'size + sha256'
							: `size; sha256 up to ${sizeLabel(SHA_MAX_BYTES)}`
				}; the node checked each against the storage's CRC-64).`,
		);
		const worstRatio = Math.min(...speed.map((x) => x.ratio));
		const worstRss = max(memory.map((m) => m.rssSubj));
		const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
		console.log(
			`Targets: throughput >= ${TARGET_RATIO.toFixed(2)}x of the baseline: ${verdict(worstRatio >= TARGET_RATIO)} (worst ${worstRatio.toFixed(2)}x); ` +
				`subject peak RSS growth <= ${mib(TARGET_RSS_GROWTH_BYTES)}: ${verdict(worstRss <= TARGET_RSS_GROWTH_BYTES)} (worst ${mib(worstRss)}). ` +
				`CRC-64 alone on this CPU: ${crcRate.toFixed(0)} MB/s.`,
		);
	} finally {
		await cleanup();
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		if (error instanceof UsageError) console.error(error.message);
		else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
		process.exit(1);
	},
);
