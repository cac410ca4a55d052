/**
 * What the benchmarks share: timing a run while sampling the process's memory and CPU, plain-Node transfers to
 * measure against, hashing, and the formatting of sizes, rates and tables.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';

export const MIB = 1024 * 1024;
export const MB = 1e6;
export const SAMPLE_MS = 50;

export const gc = (globalThis as { gc?: () => void }).gc;

// ---------------------------------------------------------------------------------------------------------------
// Measuring

export interface MemoryGrowth {
	rssBytes: number;
	heapBytes: number;
	/** Peak growth of process.memoryUsage().arrayBuffers: Buffers, which live outside the V8 heap. */
	buffersBytes: number;
	peakRssBytes: number;
	samples: number;
	/** Longest time between two samples: how long the event loop was busy at a stretch. */
	maxGapMs: number;
}

/** Peak RSS and heapUsed above the values just before start(), sampled every SAMPLE_MS. */
export class MemorySampler {
	private baseRss = 0;
	private baseHeap = 0;
	private baseBuffers = 0;
	private peakRss = 0;
	private peakHeap = 0;
	private peakBuffers = 0;
	private samples = 0;
	private last = 0;
	private maxGap = 0;
	private timer: NodeJS.Timeout | undefined;

	start(): void {
		const base = process.memoryUsage();
		this.baseRss = this.peakRss = base.rss;
		this.baseHeap = this.peakHeap = base.heapUsed;
		this.baseBuffers = this.peakBuffers = base.arrayBuffers;
		this.samples = 0;
		this.maxGap = 0;
		this.last = performance.now();
		this.timer = setInterval(() => this.sample(), SAMPLE_MS);
	}

	private sample(): void {
		const now = performance.now();
		this.maxGap = Math.max(this.maxGap, now - this.last);
		this.last = now;
		const { rss, heapUsed, arrayBuffers } = process.memoryUsage();
		this.peakRss = Math.max(this.peakRss, rss);
		this.peakHeap = Math.max(this.peakHeap, heapUsed);
		this.peakBuffers = Math.max(this.peakBuffers, arrayBuffers);
		this.samples++;
	}

	stop(): MemoryGrowth {
		clearInterval(this.timer);
		this.sample();
		return {
			rssBytes: this.peakRss - this.baseRss,
			heapBytes: this.peakHeap - this.baseHeap,
			buffersBytes: this.peakBuffers - this.baseBuffers,
			peakRssBytes: this.peakRss,
			samples: this.samples,
			maxGapMs: this.maxGap,
		};
	}
}

export interface RunResult {
	seconds: number;
	memory: MemoryGrowth;
	/** CPU seconds (user + system) this process used during the run: the benchmark's side and the emulator's. */
	cpuSeconds: number;
	/** CPU seconds of another process during the run (the S3 server's), when `measure` was given a way to read it. */
	otherCpuSeconds?: number;
	/** The whole machine during the run (Linux, /proc/stat): CPU seconds busy, and stolen by the hypervisor. */
	machine?: { busySeconds: number; stealSeconds: number };
}

/** /proc/stat's first line: busy and stolen CPU seconds of the whole machine so far (undefined off Linux). */
function machineCpu(): { busy: number; steal: number } | undefined {
	try {
		const fields = readFileSync('/proc/stat', 'utf8')
			.split('\n', 1)[0]
			.trim()
			.split(/\s+/)
			.slice(1)
			.map(Number);
		// user nice system idle iowait irq softirq steal ...; USER_HZ is 100 on every Linux n8n runs on.
		const [user, nice, system, , , irq, softirq, steal] = fields;
		return { busy: (user + nice + system + irq + softirq) / 100, steal: (steal ?? 0) / 100 };
	} catch {
		return undefined;
	}
}

/** CPU used during a run by whatever is neither this process nor the S3 server, in seconds (never below 0). */
export const othersCpuSeconds = (r: RunResult) =>
	r.machine
		? Math.max(0, r.machine.busySeconds - r.cpuSeconds - (r.otherCpuSeconds ?? 0))
		: undefined;

export async function settle(): Promise<void> {
	if (gc) {
		gc();
		gc();
	}
	await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Times `work` after a GC, sampling memory and counting CPU; `otherCpu` reads another process's CPU seconds. */
export async function measure(
	work: () => Promise<void>,
	otherCpu?: () => Promise<number>,
): Promise<RunResult> {
	await settle();
	const otherBefore = otherCpu ? await otherCpu() : 0;
	const sampler = new MemorySampler();
	sampler.start();
	const cpuBefore = process.cpuUsage();
	const machineBefore = machineCpu();
	const started = performance.now();
	let seconds = 0;
	let memory: MemoryGrowth;
	let cpu: NodeJS.CpuUsage;
	try {
		await work();
		seconds = (performance.now() - started) / 1000;
	} finally {
		cpu = process.cpuUsage(cpuBefore);
		memory = sampler.stop();
	}
	const machineAfter = machineCpu();
	const result: RunResult = { seconds, memory, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
	if (machineBefore && machineAfter) {
		result.machine = {
			busySeconds: machineAfter.busy - machineBefore.busy,
			stealSeconds: machineAfter.steal - machineBefore.steal,
		};
	}
	if (otherCpu) result.otherCpuSeconds = (await otherCpu()) - otherBefore;
	return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Plain Node: what the benchmarks measure against

/** The answer to a GET of `url`, which must be 200. */
export async function httpGet(url: string, who: string): Promise<http.IncomingMessage> {
	const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
		http.get(url, resolve).on('error', reject);
	});
	if (response.statusCode !== 200) {
		response.resume();
		throw new Error(`${who}: HTTP ${response.statusCode} for ${url.split('?')[0]}`);
	}
	return response;
}

/** http.get piped to a file; resolves with the bytes written. */
export async function plainDownload(url: string, dest: string): Promise<number> {
	const response = await httpGet(url, 'plain download');
	let bytes = 0;
	response.on('data', (chunk: Buffer) => (bytes += chunk.length));
	await pipeline(response, createWriteStream(dest));
	return bytes;
}

export async function sha256Of(
	stream: NodeJS.ReadableStream | AsyncIterable<Uint8Array>,
): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of stream) hash.update(chunk as Buffer);
	return hash.digest('hex');
}

/** MB/s of `update` over 256 MiB fed in 1 MiB chunks (best of 3): the ceiling a hash puts on a stream it reads. */
export function hashRate(make: () => { update(data: Uint8Array): unknown }): number {
	const chunk = Buffer.alloc(MIB);
	for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
	let best = 0;
	for (let round = 0; round < 3; round++) {
		const hasher = make();
		const started = performance.now();
		for (let i = 0; i < 256; i++) hasher.update(chunk);
		best = Math.max(best, (256 * MIB) / MB / ((performance.now() - started) / 1000));
	}
	return best;
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting

export const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const mid = Math.floor(s.length / 2);
	return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
export const max = (xs: number[]) => Math.max(...xs);
export const mbps = (bytes: number, r: RunResult) => bytes / MB / r.seconds;
export const mib = (bytes: number) =>
	`${bytes < 0 ? '-' : '+'}${(Math.abs(bytes) / MIB).toFixed(1)} MiB`;
export const sizeLabel = (bytes: number) =>
	bytes >= MIB ? `${+(bytes / MIB).toFixed(2)} MiB` : `${bytes} B`;
/** CPU seconds per wall second, as a percentage of one core. */
export const cpuShare = (cpuSeconds: number, seconds: number) =>
	`${Math.round((100 * cpuSeconds) / seconds)}%`;

export function table(header: string[], rows: string[][]): string {
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const line = (cells: string[]) =>
		cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
	return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function runLine(size: number, label: string, variant: string, r: RunResult): string {
	return (
		`  ${sizeLabel(size).padStart(9)}  ${label}  ${variant.padEnd(22)}  ${mbps(size, r).toFixed(1).padStart(7)} MB/s  ${r.seconds
			.toFixed(2)
			.padStart(
				7,
			)} s  RSS ${mib(r.memory.rssBytes).padStart(10)} (peak ${(r.memory.peakRssBytes / MIB).toFixed(0)} MiB)` +
		`  heap ${mib(r.memory.heapBytes).padStart(9)}  buffers ${mib(r.memory.buffersBytes).padStart(9)}  CPU ${cpuShare(r.cpuSeconds, r.seconds)}` +
		(r.otherCpuSeconds !== undefined
			? `, S3 server ${cpuShare(r.otherCpuSeconds, r.seconds)}`
			: '') +
		(r.machine
			? `, others ${cpuShare(othersCpuSeconds(r)!, r.seconds)}, steal ${cpuShare(r.machine.stealSeconds, r.seconds)}`
			: '') +
		`  max gap ${r.memory.maxGapMs.toFixed(0)} ms`
	);
}
