import { randomUUID } from 'crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';

import { FaultQueue } from './faults';

/** One line of the request log tests assert on. */
export interface RequestLogEntry {
	/** Real wall-clock time (Date.now(), epoch ms) the request arrived, its headers read: never the emulator clock,
	 * which tests freeze or move, so requests per action per second can be counted whatever the ManualClock does
	 * (see ProviderServer.peakRequestRate). */
	receivedAtMs: number;
	method: string;
	path: string;
	/** The API action as the client named it (Alibaba x-acs-action or Action, Tencent X-TC-Action or the legacy
	 * Action, UCloud Action; '' when none), or 'Download' for a file. */
	action: string;
	query: Record<string, string>;
	headers: IncomingHttpHeaders;
	/** The status answered; 0 when no answer was sent (reset, silent). */
	status: number;
	code?: string;
	/** A fault that was applied to this request, if any. */
	fault?: string;
	/** Downloads: the Range header as received (absent when none was sent), so a test can assert a resume. */
	range?: string;
	/** Downloads: the Content-Range answered (`bytes N-M/total` on a 206, `bytes *\/total` on a 416). */
	contentRange?: string;
	/** Downloads: body bytes written so far; the entry is logged when the headers go out and this grows while
	 * the body streams, so a test can watch a stalled or cut download. */
	bytesSent?: number;
}

/** How an object store answers a Range header (see planRange in downloads.ts). */
export type RangeMode = 'standard' | 'lenient' | 'ignore';

/** Settings every provider emulator has; tests may change them at runtime (emulator.<provider>.settings). */
export interface ProviderSettings {
	/** How far the cloud's clock runs ahead of (+) or behind (-) the clock the emulator was given. Every time the
	 * cloud reports or judges by (backup and task times, signature windows, URL expiry) is on the skewed clock. */
	clockSkewMs: number;
	/** 'standard' (default): RFC 9110 ranges, 206, end clamped, 416 `bytes *\/size` when the start is past the end
	 * of the object, as COS does and OSS with `x-oss-range-behavior: standard`. 'lenient': OSS's default, any range
	 * not inside the object gets 200 and the whole object. 'ignore': a server that does not do ranges at all. */
	rangeRequests: RangeMode;
}

export const DEFAULT_PROVIDER_SETTINGS: ProviderSettings = { clockSkewMs: 0, rangeRequests: 'standard' };

/** Upper-case UUID, the shape of Alibaba's RequestId (e.g. C009DA42-3B19-5B81-963D-1509DE2408DD). */
export const newRequestId = (): string => randomUUID().toUpperCase();

/** When each request in progress arrived (wall clock), recorded by ProviderServer as the request event fires. */
const arrivals = new WeakMap<IncomingMessage, number>();

/** The real time (Date.now()) this request arrived, for its log entry's receivedAtMs. */
export function receivedAt(req: IncomingMessage): number {
	return arrivals.get(req) ?? Date.now();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves when the response's connection is gone: the client went away, or close() destroyed it. */
export function untilClosed(res: ServerResponse): Promise<void> {
	if (res.destroyed || res.closed) return Promise.resolve();
	return new Promise((resolve) => res.once('close', () => resolve()));
}

export function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				reject(new Error('request body too large'));
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

/**
 * What every provider emulator shares: one HTTP server on its own port, a request log, a fault queue.
 * A provider (Alibaba now; Tencent and UCloud later) only implements handle().
 */
export abstract class ProviderServer {
	readonly requests: RequestLogEntry[] = [];
	readonly faults = new FaultQueue();
	private server?: Server;
	private address?: AddressInfo;

	constructor(readonly providerName: string) {}

	protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

	/** `http://127.0.0.1:<port>`; throws before start(). */
	get endpoint(): string {
		if (!this.address) throw new Error(`${this.providerName} emulator is not started`);
		const host = this.address.family === 'IPv6' ? `[${this.address.address}]` : this.address.address;
		return `http://${host}:${this.address.port}`;
	}

	get port(): number {
		if (!this.address) throw new Error(`${this.providerName} emulator is not started`);
		return this.address.port;
	}

	async listen(host: string, port: number): Promise<void> {
		const server = createServer((req, res) => {
			arrivals.set(req, Date.now());
			this.handle(req, res).catch((err: Error) => {
				// A bug in the emulator must show up in the test that triggered it, not hang it.
				if (!res.headersSent) {
					res.writeHead(500, { 'Content-Type': 'text/plain' });
					res.end(`emulator error: ${err.stack ?? err.message}`);
				} else {
					res.destroy(err);
				}
			});
		});
		// Keep-alive sockets are reused by SDKs; the server must not keep the test process alive after stop().
		// close() destroys every connection, also those a 'stall' or 'silent' fault holds open on purpose.
		server.keepAliveTimeout = 5000;
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, host, () => {
				server.off('error', reject);
				resolve();
			});
		});
		this.server = server;
		this.address = server.address() as AddressInfo;
	}

	async close(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		await new Promise<void>((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
	}

	protected log(entry: RequestLogEntry): void {
		this.requests.push(entry);
	}

	/**
	 * The most requests of each action (downloads under 'Download') that arrived, by receivedAtMs, within any window
	 * of `windowMs` (default 1000) wall-clock milliseconds: a sliding window [t, t + windowMs), so stricter than a
	 * cloud counting per calendar second. Only entries from index `since` of the log on (a mark taken before the
	 * phase under test). A test checks e.g. `peakRequestRate().DescribeInstanceBackups <= 20`.
	 */
	peakRequestRate(opts: { windowMs?: number; since?: number } = {}): Record<string, number> {
		const windowMs = opts.windowMs ?? 1000;
		const times = new Map<string, number[]>();
		for (const entry of this.requests.slice(opts.since ?? 0)) {
			const list = times.get(entry.action) ?? [];
			list.push(entry.receivedAtMs);
			times.set(entry.action, list);
		}
		const peaks: Record<string, number> = {};
		for (const [action, list] of times) {
			list.sort((a, b) => a - b);
			let peak = 0;
			for (let first = 0, last = 0; first < list.length; first++) {
				while (last < list.length && list[last] < list[first] + windowMs) last++;
				peak = Math.max(peak, last - first);
			}
			peaks[action] = peak;
		}
		return peaks;
	}
}
