/**
 * `npm run bench -- [--sizes 256,1024] [--runs 3] [--only download,copy] [--no-sha] [--dir <path>]`: how close the
 * Alibaba node's Backup → Download and Backup → Copy to Object Storage get to plain Node, in throughput and in
 * memory, on one local emulator (serving real RDB files) in one process, in one run.
 *
 * Six variants per size, in two groups, each measured against its group's plain-Node baseline:
 * - download group:
 *   - A "plain download": Node's `http.get` of the backup's presigned URL piped into `fs.createWriteStream`;
 *   - "Download, Verify off" / "Download, Verify on": Manual Trigger → Items → Alibaba Cloud Redis Backup
 *     (Backup → Download) through n8n-core's real WorkflowExecute into n8n's filesystem binary store. Both check the
 *     storage's CRC-64 (x-oss-hash-crc64ecma, always on); Verify on also reads the file as an RDB (header, version,
 *     the RDB's own CRC-64/Jones trailer);
 * - copy group, into a local S3 server (s3rver from npm, in a child process, storing on the same file system):
 *   - B "plain download + upload": `http.get` of the URL cut into 16 MiB parts, each sent with the AWS SDK's
 *     UploadPartCommand, one in flight, then CompleteMultipartUpload (lib/s3.ts's plainCopy);
 *   - "Copy, Verify off" / "Copy, Verify on": Backup → Copy to Object Storage through n8n's engine, with the
 *     S3-Compatible Bucket credential, default options (16 MiB parts).
 *
 * Per size and run, the variants go group by group, baseline first, and in the reverse order on every other run
 * (ABBA), so neither side always goes first. process.memoryUsage() is sampled every 50 ms during each run; "growth"
 * is the peak minus the value just before the run. CPU time of this process (the node, n8n, the emulator), of the
 * S3 server's process and of everything else on the machine (/proc/stat) is counted per run, to show which one is
 * busy and whether another job was competing for the cores. Run with `NODE_OPTIONS=--expose-gc` to
 * collect garbage before each run. Every run is checked after its timed window (sizes, what the item says, exactly
 * one download request, the object's ETag read back, sha256 of the stored file or object against the emulator's
 * bytes for sizes up to 1 GiB unless --no-sha), so a fast but wrong transfer cannot pass. Times are never asserted:
 * the exit code is non-zero only when a transfer is wrong or fails.
 */
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { S3Client } from '@aws-sdk/client-s3';
import { BinaryDataService } from 'n8n-core';
import type { IBinaryData, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { AlibabaCloudApi } from '../credentials/AlibabaCloudApi.credentials';
import { S3CompatibleBucketApi } from '../credentials/S3CompatibleBucketApi.credentials';
import { CloudEmulator } from '../emulator';
import { fileContentDefaults, setFileContentDefaults } from '../emulator/common/files';
import { AlibabaCloudRedis } from '../nodes/AlibabaCloudRedis/AlibabaCloudRedis.node';
import { Crc64 } from '../nodes/common/crc64';
import { Crc64Jones } from '../nodes/common/rdb';
import { binaryStream, cleanupBinaryDataStore, initBinaryDataStore } from '../test/harness';
import { n8nCoreContainer } from '../test/harness/n8n-env';
import {
	ALIBABA_NODE_TYPE,
	instanceRef,
	NODE_NAME,
	REGION,
	runAlibabaNode,
	testCredential,
} from '../test/workflows/alibabaFixture';
import { runNodeChain, type ChainSetup } from '../test/workflows/fixture';
import {
	cpuShare,
	gc,
	hashRate,
	max,
	mbps,
	measure,
	median,
	mib,
	MIB,
	othersCpuSeconds,
	plainDownload,
	runLine,
	type RunResult,
	sha256Of,
	sizeLabel,
	table,
} from './lib/measure';
import {
	deleteObject,
	plainCopy,
	readBack,
	S3_REGION,
	S3RVER_KEYS,
	s3Client,
	startS3rver,
	type S3rverHandle,
} from './lib/s3';

/** sha256 is checked up to this size (hashing a multi-GiB file twice per run would dominate the wall time). */
const SHA_MAX_BYTES = 1024 * MIB;
const INSTANCE_ID = 'r-benchdownload01';
const BUCKET = 'bench-backups';
/** Copy to Object Storage's default part size, which the plain copy uses too. */
const PART_SIZE = 16 * MIB;
const WARMUP_BYTES = 1024;
const WARMUP_RUNS = 3;
/** Peak RSS growth every variant must stay within (printed, never enforced by the exit code). */
const TARGET_RSS_GROWTH_BYTES = 64 * MIB;
/** A run during which everything else on the machine used this share of a core or more is flagged as contended. */
const CONTENDED_SHARE = 0.2;
/** Set on Ctrl-C: the runs then fail (their connections closed), which is no wrong result to report. */
let interrupted = false;

// ---------------------------------------------------------------------------------------------------------------
// Command line

type Group = 'download' | 'copy';
const GROUPS: Group[] = ['download', 'copy'];

interface Options {
	sizesMiB: number[];
	runs: number;
	sha: boolean;
	groups: Group[];
	/** Parent of the temp folder holding the baseline's files, n8n's binary store and the S3 server's store. */
	dir: string;
}

const USAGE = `Usage: npm run bench -- [--sizes 256,1024] [--runs 3] [--only download,copy] [--no-sha] [--dir <path>]
  --sizes  comma-separated file sizes in MiB (default 256,1024)
  --runs   runs of every variant per size, alternated ABBA (default 3)
  --only   the groups to run: download (plain download, Download with Verify off and on), copy (plain download +
           upload, Copy to Object Storage with Verify off and on); default both
  --no-sha skip the sha256 checks of stored files and objects (sizes are always checked;
           sha256 is only ever checked up to 1024 MiB)
  --dir    where to create the temp folder for every variant's files (default ${tmpdir()});
           e.g. the disk n8n's N8N_BINARY_DATA_STORAGE_PATH is on
Set NODE_OPTIONS=--expose-gc to collect garbage before each run.`;

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
	const options: Options = {
		sizesMiB: [256, 1024],
		runs: 3,
		sha: true,
		groups: [...GROUPS],
		dir: tmpdir(),
	};
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split(/=(.*)/s, 2);
		const value = () => {
			const v = inline ?? argv[++i];
			if (v === undefined) throw new UsageError(`${flag} needs a value\n\n${USAGE}`);
			return v;
		};
		const list = () =>
			value()
				.split(',')
				.map((s) => s.trim())
				.filter(Boolean);
		switch (flag) {
			case '--sizes':
				options.sizesMiB = list().map((s) => {
					const n = Number(s);
					if (!Number.isFinite(n) || n <= 0 || Math.round(n * MIB) < 1)
						throw new UsageError(`--sizes: "${s}" is not a size in MiB`);
					return n;
				});
				if (options.sizesMiB.length === 0) throw new UsageError('--sizes: no size given');
				break;
			case '--runs': {
				const n = Number(value());
				if (!Number.isInteger(n) || n < 1)
					throw new UsageError('--runs must be a whole number >= 1');
				options.runs = n;
				break;
			}
			case '--only': {
				const groups = list();
				for (const g of groups)
					if (!(GROUPS as string[]).includes(g))
						throw new UsageError(`--only: "${g}" is not one of ${GROUPS.join(', ')}`);
				if (groups.length === 0) throw new UsageError('--only: no group given');
				options.groups = GROUPS.filter((g) => groups.includes(g));
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
// What every run is given

interface Target {
	sizeBytes: number;
	backupId: string;
	url: string;
	/** The CRC-64 the emulator sends in x-oss-hash-crc64ecma: the node must have verified the file against it. */
	crc64: string;
	/** Whether this run's stored bytes are hashed and compared with the emulator's (set per size). */
	sha: boolean;
	/** The sha256 of the emulator's bytes, computed once per size when first asked for. */
	expectedSha: () => Promise<string>;
}

interface Bench {
	emulator: CloudEmulator;
	workDir: string;
	s3?: { server: S3rverHandle; client: S3Client; setup: ChainSetup };
}

const redact = (url: string) => {
	const u = new URL(url);
	return `${u.origin}${u.pathname}`;
};

const expectedParts = (sizeBytes: number) => Math.max(1, Math.ceil(sizeBytes / PART_SIZE));

async function checkSha(who: string, target: Target, stored: () => Promise<string>): Promise<void> {
	if (!target.sha) return;
	const [actual, expected] = await Promise.all([stored(), target.expectedSha()]);
	if (actual !== expected)
		throw new Error(`${who}: sha256 of the stored bytes ${actual} != emulator's ${expected}`);
}

/** The node's item: the storage's CRC-64 checked; with Verify, the RDB read; without, no RDB fields at all. */
function checkItem(who: string, json: IDataObject, target: Target, verify: boolean): void {
	const { checksumAlgorithm, checksumVerified, checksum, expectedChecksum, downloadAttempts } =
		json;
	if (
		checksumAlgorithm !== 'crc64ecma' ||
		checksumVerified !== true ||
		checksum !== target.crc64 ||
		expectedChecksum !== target.crc64
	) {
		throw new Error(
			`${who}: checksum not verified (checksumAlgorithm ${String(checksumAlgorithm)}, checksumVerified ${String(checksumVerified)}, checksum ${String(checksum)}, expectedChecksum ${String(expectedChecksum)}, emulator CRC-64 ${target.crc64})`,
		);
	}
	if (downloadAttempts !== 1)
		throw new Error(`${who}: ${String(downloadAttempts)} download attempts, expected 1`);
	if (verify) {
		const { format, rdbVersion, rdbChecksumOk, cloudChecksumOk } = json;
		if (
			format !== 'rdb' ||
			rdbVersion !== fileContentDefaults.rdbVersion ||
			rdbChecksumOk !== true ||
			cloudChecksumOk !== true
		) {
			throw new Error(
				`${who}: the RDB was not verified (format ${String(format)}, rdbVersion ${String(rdbVersion)}, rdbChecksumOk ${String(rdbChecksumOk)}, cloudChecksumOk ${String(cloudChecksumOk)}; expected rdb ${fileContentDefaults.rdbVersion}, true, true)`,
			);
		}
	} else if ('rdbVersion' in json || 'format' in json) {
		throw new Error(
			`${who}: Verify is off but the item has RDB fields (format ${String(json.format)}, rdbVersion ${String(json.rdbVersion)})`,
		);
	}
}

function checkOneDownload(who: string, bench: Bench, mark: number): void {
	const downloads = bench.emulator.alibaba.requests
		.slice(mark)
		.filter((r) => r.action === 'Download');
	if (downloads.length !== 1)
		throw new Error(`${who}: ${downloads.length} download requests, expected exactly 1`);
}

function oneItem(
	who: string,
	result: Awaited<ReturnType<typeof runAlibabaNode>> | undefined,
): INodeExecutionData {
	if (!result || result.status !== 'success') {
		throw new Error(
			`${who}: the workflow ended with status ${result?.status}: ${result?.error?.message ?? 'no error'}`,
		);
	}
	const items = result.output(NODE_NAME);
	if (items.length !== 1) throw new Error(`${who}: expected 1 item, got ${items.length}`);
	return items[0];
}

// ---------------------------------------------------------------------------------------------------------------
// The variants

/** A: http.get piped to a file. */
async function runPlainDownload(bench: Bench, target: Target, run: string): Promise<RunResult> {
	const who = 'plain download';
	const dest = path.join(bench.workDir, `plain-${run}.rdb`);
	let received = 0;
	try {
		const result = await measure(async () => {
			received = await plainDownload(target.url, dest);
		});
		const onDisk = (await stat(dest)).size;
		if (received !== target.sizeBytes || onDisk !== target.sizeBytes) {
			throw new Error(
				`${who}: received ${received} B, ${onDisk} B on disk, expected ${target.sizeBytes} B`,
			);
		}
		await checkSha(who, target, () => sha256Of(createReadStream(dest)));
		return result;
	} finally {
		await rm(dest, { force: true });
	}
}

/** Backup → Download through n8n's engine into the filesystem store; checked, then its stored file is deleted. */
async function runDownload(bench: Bench, target: Target, verify: boolean): Promise<RunResult> {
	const who = `Download, Verify ${verify ? 'on' : 'off'}`;
	const mark = bench.emulator.alibaba.requests.length;
	let result: Awaited<ReturnType<typeof runAlibabaNode>> | undefined;
	const timing = await measure(async () => {
		result = await runAlibabaNode(bench.emulator, {
			resource: 'backup',
			operation: 'download',
			instanceType: 'standard',
			instanceId: instanceRef(INSTANCE_ID),
			backupId: target.backupId,
			options: { verify },
		});
	});
	const item = oneItem(who, result);
	const binary: IBinaryData | undefined = item.binary?.data;
	if (!binary) throw new Error(`${who}: the item has no binary "data"`);
	const service = n8nCoreContainer().get(BinaryDataService);
	const storedPath = binary.id ? service.getPath(binary.id) : undefined;
	try {
		if (!storedPath)
			throw new Error(
				`${who}: the binary is not in the filesystem store (no id): it was buffered in memory`,
			);
		const onDisk = (await stat(storedPath)).size;
		const { downloadedBytes, downloadUrl } = item.json;
		if (
			binary.bytes !== target.sizeBytes ||
			onDisk !== target.sizeBytes ||
			downloadedBytes !== target.sizeBytes
		) {
			throw new Error(
				`${who}: binary.bytes ${binary.bytes}, ${onDisk} B on disk, downloadedBytes ${String(downloadedBytes)}, expected ${target.sizeBytes} B`,
			);
		}
		checkItem(who, item.json, target, verify);
		if (typeof downloadUrl !== 'string' || redact(downloadUrl) !== redact(target.url)) {
			throw new Error(
				`${who}: downloaded ${String(downloadUrl).split('?')[0]}, the baseline ${redact(target.url)}`,
			);
		}
		checkOneDownload(who, bench, mark);
		await checkSha(who, target, async () => await sha256Of(await binaryStream(binary)));
	} finally {
		if (storedPath) await rm(storedPath, { force: true });
	}
	return timing;
}

/** What the plain copy's CompleteMultipartUpload took, per size: the S3 server's own share of the wall time. */
const completeSeconds = new Map<number, number[]>();

/** B: http.get into a multipart upload with the AWS SDK; the object is read back, checked and deleted. */
async function runPlainCopy(bench: Bench, target: Target, run: string): Promise<RunResult> {
	const who = 'plain download + upload';
	const { server, client } = bench.s3!;
	const key = `plain/${target.backupId}/${run}.rdb`;
	let copied: Awaited<ReturnType<typeof plainCopy>> | undefined;
	try {
		const timing = await measure(async () => {
			copied = await plainCopy(client, target.url, BUCKET, key, PART_SIZE);
		}, server.cpuSeconds);
		if (copied!.bytes !== target.sizeBytes || copied!.parts !== expectedParts(target.sizeBytes)) {
			throw new Error(
				`${who}: copied ${copied!.bytes} B in ${copied!.parts} parts, expected ${target.sizeBytes} B in ${expectedParts(target.sizeBytes)}`,
			);
		}
		const stored = await readBack(client, BUCKET, key, target.sha);
		if (stored.size !== target.sizeBytes || stored.etag !== copied!.etag) {
			throw new Error(
				`${who}: the object has ${stored.size} B and ETag ${stored.etag}, expected ${target.sizeBytes} B and ${copied!.etag}`,
			);
		}
		await checkSha(who, target, async () => stored.sha256!);
		completeSeconds.set(target.sizeBytes, [
			...(completeSeconds.get(target.sizeBytes) ?? []),
			copied!.completeSeconds,
		]);
		return timing;
	} finally {
		await deleteObject(client, BUCKET, key).catch(() => undefined);
	}
}

/** Backup → Copy to Object Storage through n8n's engine; the object is read back from the S3 server, then deleted. */
async function runCopy(
	bench: Bench,
	target: Target,
	verify: boolean,
	run: string,
): Promise<RunResult> {
	const who = `Copy, Verify ${verify ? 'on' : 'off'}`;
	const { server, client, setup } = bench.s3!;
	const key = `n8n/${target.backupId}/verify-${verify ? 'on' : 'off'}-${run}.rdb`;
	const mark = bench.emulator.alibaba.requests.length;
	let result: Awaited<ReturnType<typeof runNodeChain>> | undefined;
	try {
		const timing = await measure(async () => {
			result = await runNodeChain(setup, [
				{
					name: NODE_NAME,
					parameters: {
						resource: 'backup',
						operation: 'copyToObjectStorage',
						instanceType: 'standard',
						instanceId: instanceRef(INSTANCE_ID),
						backupId: target.backupId,
						bucket: BUCKET,
						objectKey: key,
						options: { verify },
					},
				},
			]);
		}, server.cpuSeconds);
		const item = oneItem(who, result);
		if (item.binary && Object.keys(item.binary).length > 0)
			throw new Error(`${who}: the item has binary data; nothing should pass through n8n's store`);
		const { json } = item;
		const parts = expectedParts(target.sizeBytes);
		if (
			json.bucket !== BUCKET ||
			json.key !== key ||
			json.size !== target.sizeBytes ||
			json.parts !== parts ||
			json.multipart !== parts > 1
		) {
			throw new Error(
				`${who}: the item says ${String(json.bucket)}/${String(json.key)}, ${String(json.size)} B, ${String(json.parts)} parts, multipart ${String(json.multipart)}; expected ${BUCKET}/${key}, ${target.sizeBytes} B, ${parts} parts`,
			);
		}
		checkItem(who, json, target, verify);
		checkOneDownload(who, bench, mark);
		const stored = await readBack(client, BUCKET, key, target.sha);
		if (stored.size !== target.sizeBytes || stored.etag !== json.etag) {
			throw new Error(
				`${who}: the object has ${stored.size} B and ETag ${stored.etag}, the item says ${target.sizeBytes} B and ${String(json.etag)}`,
			);
		}
		await checkSha(who, target, async () => stored.sha256!);
		return timing;
	} finally {
		await deleteObject(client, BUCKET, key).catch(() => undefined);
	}
}

type VariantId =
	| 'plainDownload'
	| 'download'
	| 'downloadVerify'
	| 'plainCopy'
	| 'copy'
	| 'copyVerify';

interface Variant {
	id: VariantId;
	label: string;
	group: Group;
	/** The variant this one's throughput is a ratio of, and the least ratio the issue asks for. */
	versus?: { baseline: VariantId; target: number };
	run(bench: Bench, target: Target, run: string): Promise<RunResult>;
}

const VARIANTS: Variant[] = [
	{ id: 'plainDownload', label: 'A plain download', group: 'download', run: runPlainDownload },
	{
		id: 'download',
		label: 'Download, Verify off',
		group: 'download',
		versus: { baseline: 'plainDownload', target: 0.9 },
		run: (bench, target) => runDownload(bench, target, false),
	},
	{
		id: 'downloadVerify',
		label: 'Download, Verify on',
		group: 'download',
		versus: { baseline: 'plainDownload', target: 0.7 },
		run: (bench, target) => runDownload(bench, target, true),
	},
	{ id: 'plainCopy', label: 'B plain download+upload', group: 'copy', run: runPlainCopy },
	{
		id: 'copy',
		label: 'Copy, Verify off',
		group: 'copy',
		versus: { baseline: 'plainCopy', target: 0.5 },
		run: (bench, target, run) => runCopy(bench, target, false, run),
	},
	{
		id: 'copyVerify',
		label: 'Copy, Verify on',
		group: 'copy',
		versus: { baseline: 'plainCopy', target: 0.5 },
		run: (bench, target, run) => runCopy(bench, target, true, run),
	},
];
const BASELINE_LETTER: Partial<Record<VariantId, string>> = { plainDownload: 'A', plainCopy: 'B' };

// ---------------------------------------------------------------------------------------------------------------

type SizeResult = { sizeBytes: number; checked: string; runs: Map<VariantId, RunResult[]> };

function report(results: SizeResult[], variants: Variant[], options: Options): void {
	const rate = (xs: number[]) =>
		`${median(xs).toFixed(1)}${xs.length > 1 ? ` (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})` : ''}`;
	const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
	const targetLines: string[] = [];
	const rows: string[][] = [];
	for (const r of results) {
		const speeds = (id: VariantId) => r.runs.get(id)!.map((x) => mbps(r.sizeBytes, x));
		for (const v of variants) {
			const runs = r.runs.get(v.id)!;
			const rss = max(runs.map((x) => x.memory.rssBytes));
			const heap = max(runs.map((x) => x.memory.heapBytes));
			const buffers = max(runs.map((x) => x.memory.buffersBytes));
			const seconds = runs.reduce((s, x) => s + x.seconds, 0);
			const cpu = runs.reduce((s, x) => s + x.cpuSeconds, 0);
			const s3cpu = runs.every((x) => x.otherCpuSeconds !== undefined)
				? runs.reduce((s, x) => s + x.otherCpuSeconds!, 0)
				: undefined;
			const others = runs.every((x) => x.machine)
				? runs.reduce((s, x) => s + othersCpuSeconds(x)!, 0)
				: undefined;
			let ratio = '-';
			if (v.versus) {
				const value = median(speeds(v.id)) / median(speeds(v.versus.baseline));
				const ok = value >= v.versus.target;
				ratio = `${value.toFixed(2)}x ${BASELINE_LETTER[v.versus.baseline]} (>=${v.versus.target.toFixed(1)} ${ok ? 'met' : 'NOT met'})`;
				targetLines.push(
					`  ${sizeLabel(r.sizeBytes).padStart(9)}  ${v.label.padEnd(22)}  ${value.toFixed(2)}x of ${BASELINE_LETTER[v.versus.baseline]} >= ${v.versus.target.toFixed(2)}x: ${verdict(ok)}`,
				);
			}
			const rssOk = rss <= TARGET_RSS_GROWTH_BYTES;
			rows.push([
				sizeLabel(r.sizeBytes),
				v.label,
				rate(speeds(v.id)),
				ratio,
				`${mib(rss)}${rssOk ? '' : ' (NOT met)'}`,
				mib(heap),
				mib(buffers),
				cpuShare(cpu, seconds),
				s3cpu === undefined ? '-' : cpuShare(s3cpu, seconds),
				others === undefined ? '-' : cpuShare(others, seconds),
				r.checked,
			]);
		}
	}
	console.log(
		`\nResults (median MB/s, (min-max) over ${options.runs} run(s), 1 MB = 10^6 B, timed end to end; ratio = median / median of the baseline; ` +
			`RSS, heap and buffers (arrayBuffers): worst peak growth; CPU: % of one core used by this process (node + n8n + emulator), by the S3 server, and by everything else on the machine)`,
	);
	console.log(
		table(
			[
				'size',
				'variant',
				'MB/s',
				'ratio (target)',
				`RSS (<=${(TARGET_RSS_GROWTH_BYTES / MIB).toFixed(0)} MiB)`,
				'heap',
				'buffers',
				'CPU',
				'S3 CPU',
				'others',
				'checked',
			],
			rows,
		),
	);
	const worstRss = max(
		results.flatMap((r) =>
			variants.map((v) => max(r.runs.get(v.id)!.map((x) => x.memory.rssBytes))),
		),
	);
	console.log('\nTargets:');
	for (const line of targetLines) console.log(line);
	console.log(
		`  peak RSS growth <= ${mib(TARGET_RSS_GROWTH_BYTES)} for every variant at every size: ${verdict(worstRss <= TARGET_RSS_GROWTH_BYTES)} (worst ${mib(worstRss)})`,
	);
	const contended = results.flatMap((r) =>
		variants.flatMap((v) =>
			r.runs
				.get(v.id)!
				.map((x, i) => ({
					share: (othersCpuSeconds(x) ?? 0) / x.seconds,
					what: `${sizeLabel(r.sizeBytes)} ${v.label} run ${i + 1}`,
				}))
				.filter((x) => x.share >= CONTENDED_SHARE),
		),
	);
	if (contended.length > 0) {
		console.log(
			`  WARNING: other processes used ${Math.round(100 * CONTENDED_SHARE)}% of a core or more during ${contended.length} run(s) (${contended
				.map((x) => `${x.what}: ${Math.round(100 * x.share)}%`)
				.join(
					'; ',
				)}): the ratios that involve them measure the other job as much as the node; run again on a quiet machine, or with more --runs.`,
		);
	}
}

/**
 * Where the copy's time goes, and whether the S3 server sets its pace: B against A (the upload's cost on top of the
 * same download), the server's CPU, and B's CompleteMultipartUpload, where s3rver reads every part back and writes
 * the object (with an MD5 of it) while the client waits. B and Copy pay the same server, so where it is the
 * bottleneck Copy/B compares the node with a slow server, and the download group is the tighter measure.
 */
function s3Diagnosis(results: SizeResult[]): void {
	console.log(
		'\nThe local S3 server (s3rver: JS, one process, writes each part to disk with its MD5, then at Complete re-reads the parts into the object, MD5 again):',
	);
	for (const r of results) {
		const runs = (id: VariantId) => r.runs.get(id);
		const share = (id: VariantId) => {
			const xs = runs(id)!;
			return xs.reduce((s, x) => s + x.otherCpuSeconds!, 0) / xs.reduce((s, x) => s + x.seconds, 0);
		};
		const plainSeconds = median(runs('plainCopy')!.map((x) => x.seconds));
		const complete = median(completeSeconds.get(r.sizeBytes) ?? [0]);
		const plainDownload = runs('plainDownload');
		const uploadCost = plainDownload
			? plainSeconds / median(plainDownload.map((x) => x.seconds))
			: undefined;
		const bottleneck =
			share('plainCopy') >= 0.85 ||
			complete / plainSeconds >= 0.2 ||
			(uploadCost !== undefined && uploadCost >= 1.5);
		console.log(
			`  ${sizeLabel(r.sizeBytes)}: ` +
				(uploadCost !== undefined
					? `B takes ${uploadCost.toFixed(2)}x the time of A (the same download, plus the upload); `
					: '') +
				`s3rver busy ${Math.round(100 * share('plainCopy'))}% of a core during B, ${Math.round(100 * share('copy'))}% / ${Math.round(100 * share('copyVerify'))}% during Copy (Verify off / on); ` +
				`B's CompleteMultipartUpload took ${complete.toFixed(1)} s of its ${plainSeconds.toFixed(1)} s (${Math.round((100 * complete) / plainSeconds)}%)` +
				(bottleneck
					? ': the local S3 server is the bottleneck of B and Copy alike, so Copy/B says little beyond the 0.5x target; the download group measures the node more tightly.'
					: '.'),
		);
	}
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
	const options = parseArgs(process.argv.slice(2));
	const sizes = options.sizesMiB.map((m) => Math.round(m * MIB));
	const variants = VARIANTS.filter((v) => options.groups.includes(v.group));
	// Real RDB files, whatever EMULATOR_FILE_CONTENT says: Verify must find one to read.
	setFileContentDefaults({ content: 'rdb' });

	const workDir = await mkdtemp(path.join(options.dir, 'n8n-download-bench-'));
	const emulator = new CloudEmulator({ seed: false, alibabaSettings: { urlTtlMs: 24 * 3600_000 } });
	const bench: Bench = { emulator, workDir };
	// One clean-up, awaited by whoever asks (the signal handler and main's finally may both).
	let cleaning: Promise<void> | undefined;
	const cleanup = () =>
		(cleaning ??= (async () => {
			await bench.s3?.server.close().catch(() => undefined);
			bench.s3?.client.destroy();
			await emulator.stop().catch(() => undefined);
			await cleanupBinaryDataStore().catch(() => undefined);
			await rm(workDir, { recursive: true, force: true });
		})());
	const onSignal = (signal: NodeJS.Signals) => {
		interrupted = true;
		console.error(`\n${signal}: cleaning up`);
		void cleanup().finally(() => process.exit(130));
	};
	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);

	try {
		// Every variant writes into the same temp folder, so onto the same file system.
		const storeDir = await initBinaryDataStore(path.join(workDir, 'n8n-binary-store'));
		await emulator.start();
		if (options.groups.includes('copy')) {
			const s3Dir = path.join(workDir, 's3rver');
			await mkdir(s3Dir);
			const server = await startS3rver(s3Dir, BUCKET);
			bench.s3 = {
				server,
				client: s3Client(server.endpoint),
				setup: {
					nodeType: ALIBABA_NODE_TYPE,
					node: new AlibabaCloudRedis(),
					nodeIdPrefix: 'alibaba',
					credentialTypes: [new AlibabaCloudApi(), new S3CompatibleBucketApi()],
					credential: testCredential(emulator),
					moreCredentials: [
						{
							id: 'bucket-1',
							name: 's3rver',
							type: 's3CompatibleBucketApi',
							data: {
								endpoint: server.endpoint,
								region: S3_REGION,
								...S3RVER_KEYS,
								forcePathStyle: true,
							},
						},
					],
				},
			};
		}
		console.log(
			`Download and copy benchmark: node ${process.version}, ${process.platform}/${process.arch}, gc ${gc ? 'exposed (collected before each run)' : 'not exposed (set NODE_OPTIONS=--expose-gc for steadier memory numbers)'}`,
		);
		console.log(
			`Emulator ${emulator.alibaba.endpoint} (RDB files, version ${fileContentDefaults.rdbVersion}); temp files, n8n binary store and S3 store under ${workDir}`,
		);
		if (bench.s3)
			console.log(
				`S3 server: s3rver (@20minutes/s3rver) at ${bench.s3.server.endpoint}, process ${bench.s3.server.pid}; part size ${PART_SIZE / MIB} MiB for B and Copy`,
			);
		const rates = {
			'CRC-64/ECMA (storage checksum, always)': hashRate(() => new Crc64()),
			'CRC-64/Jones (RDB trailer, Verify)': hashRate(() => new Crc64Jones()),
			'SHA-256 (S3 payload signing)': hashRate(() => createHash('sha256')),
		};
		console.log(
			`Alone on one core here, 1 MiB chunks: ${Object.entries(rates)
				.map(([k, v]) => `${k} ${v.toFixed(0)} MB/s`)
				.join('; ')}`,
		);
		console.log(
			`Sizes ${sizes.map(sizeLabel).join(', ')}; variants ${variants.map((v) => v.label).join(', ')}; ${options.runs} run(s) each, ABBA; sha256 check ${options.sha ? `on (sizes <= ${sizeLabel(SHA_MAX_BYTES)})` : 'off (--no-sha)'}`,
		);

		emulator.alibaba.addInstance({
			instanceId: INSTANCE_ID,
			regionId: REGION,
			architecture: 'standard',
		});
		const now = Date.now();
		const targetOf = async (sizeBytes: number, index: number, sha: boolean): Promise<Target> => {
			const record = emulator.alibaba.addBackup({
				instanceId: INSTANCE_ID,
				startMs: now - (index + 1) * 3600_000,
				sizeBytes,
			});
			// Computed up front so that no run pays for the x-oss-hash-crc64ecma header the emulator sends (and so
			// that the emulator sends it for files of any size).
			const crc64 = await emulator.alibaba.fileCrc64(record.backupId);
			let expectedSha: Promise<string> | undefined;
			return {
				sizeBytes,
				backupId: String(record.backupId),
				url: emulator.alibaba.downloadUrls(emulator.alibaba.file(record.backupId)).public,
				crc64,
				sha: sha && sizeBytes <= SHA_MAX_BYTES,
				expectedSha: () => (expectedSha ??= emulator.alibaba.fileSha256(record.backupId)),
			};
		};

		// Warm-up on a tiny backup: loads n8n-core, the node and the SDK, JITs every path, measures the fixed cost.
		const tiny = await targetOf(WARMUP_BYTES, 0, true);
		const fixed = new Map<VariantId, number[]>();
		for (let i = 0; i < WARMUP_RUNS; i++) {
			for (const v of variants)
				fixed.set(v.id, [
					...(fixed.get(v.id) ?? []),
					(await v.run(bench, tiny, `warmup-${i}`)).seconds,
				]);
		}
		console.log(
			`Fixed cost per run (${sizeLabel(WARMUP_BYTES)} backup, median of ${WARMUP_RUNS}): ${variants.map((v) => `${v.label} ${(median(fixed.get(v.id)!) * 1000).toFixed(0)} ms`).join(', ')}\n`,
		);

		const results: SizeResult[] = [];
		for (const [index, sizeBytes] of sizes.entries()) {
			const setupStarted = performance.now();
			const target = await targetOf(sizeBytes, index + 1, options.sha);
			console.log(
				`${sizeLabel(sizeBytes)}: backup ${target.backupId} ready in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`,
			);
			const result: SizeResult = {
				sizeBytes,
				checked: '',
				runs: new Map(variants.map((v) => [v.id, []])),
			};
			for (let run = 0; run < options.runs; run++) {
				const label = `run ${run + 1}/${options.runs}`;
				const order = run % 2 === 0 ? variants : [...variants].reverse();
				for (const v of order) {
					const r = await v.run(bench, target, `${index}-${run}`);
					result.runs.get(v.id)!.push(r);
					console.log(runLine(sizeBytes, label, v.label, r));
				}
			}
			result.checked = `size${target.sha ? '+sha256' : ''} x${options.runs}`;
			results.push(result);
		}

		report(results, variants, options);
		if (bench.s3) s3Diagnosis(results);
		console.log(
			`\nEvery run checked (${
				!options.sha || results.every((r) => r.sizeBytes > SHA_MAX_BYTES)
					? 'size'
					: results.every((r) => r.sizeBytes <= SHA_MAX_BYTES)
						? 'size + sha256'
						: `size; sha256 up to ${sizeLabel(SHA_MAX_BYTES)}`
			}; the node's items against the storage's CRC-64, and with Verify the RDB version and trailer; objects read back from the S3 server with their ETag), then deleted; binary store ${storeDir}.`,
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
		if (interrupted) process.exit(130);
		if (error instanceof UsageError) console.error(error.message);
		else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
		process.exit(1);
	},
);
