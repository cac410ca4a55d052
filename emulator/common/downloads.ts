import type { IncomingMessage, ServerResponse } from 'http';
import type { Socket } from 'net';
import type { Readable } from 'stream';

import { DOWNLOAD_ACTION, type FaultSpec } from './faults';
import { fileStream, type EmulatedFile } from './files';
import { receivedAt, sleep, untilClosed, type RangeMode, type RequestLogEntry } from './server';

/**
 * Serving backup files the way the clouds' object stores do (OSS, COS, US3 all speak the same HTTP), with the
 * download faults of the FaultQueue. A provider supplies its dialect (header names, XML error document) and its
 * own URL checks (signature, expiry); everything a downloader must survive lives here, once for every cloud.
 */

/** What a provider's object store calls things. */
export interface ObjectStoreDialect {
	/** Header naming the request id in every answer (x-oss-request-id, x-cos-request-id). */
	requestIdHeader: string;
	/** Header carrying the whole object's CRC-64/ECMA-182 in decimal (x-oss-hash-crc64ecma, x-cos-hash-crc64ecma);
	 * undefined for a store that sends none (US3). */
	crc64Header?: string;
	/** Further headers of an object answer (ETag, Last-Modified, Server, storage class...). */
	objectHeaders(file: EmulatedFile): Record<string, string>;
	/** The XML error document; `extra` are further elements in order (Key, Expires, ServerTime...). A store whose
	 * errors are not XML (US3 answers JSON) returns its own document and names its type in errorContentType. */
	errorXml(error: { code: string; message: string; requestId: string; key: string; extra: Record<string, string> }): string;
	/** Content-Type of the error documents (default application/xml). */
	errorContentType?: string;
	/** Code and message of a throttling answer with this status (429, 503). */
	throttleError(status: number): { code: string; message: string };
	/** Code and message of a 416. */
	invalidRange: { code: string; message: string };
}

export type RangePlan = { status: 200 | 206; start: number; end: number } | { status: 416 };

/**
 * What a GET with this Range header gets (see ProviderSettings.rangeRequests for the modes). Only one
 * `bytes=first-[last]` or `bytes=-suffix` range is honoured; another unit, several ranges, `bytes=-` or a last
 * byte before the first are not valid ranges and are ignored (RFC 9110 lets a server ignore them): 200, whole.
 */
export function planRange(header: string | undefined, size: number, mode: RangeMode): RangePlan {
	const whole: RangePlan = { status: 200, start: 0, end: size - 1 };
	if (header === undefined || mode === 'ignore') return whole;
	const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
	if (!match || (!match[1] && !match[2])) return whole;
	let start: number;
	let end: number;
	if (match[1]) {
		start = Number(match[1]);
		if (match[2] && Number(match[2]) < start) return whole;
		end = match[2] ? Number(match[2]) : size - 1;
	} else {
		const suffix = Number(match[2]);
		// OSS's default answers a suffix longer than the object (bytes=-2000 of 1000 bytes) with the whole object.
		if (mode === 'lenient' && suffix > size) return whole;
		start = Math.max(0, size - suffix);
		end = size - 1;
	}
	if (mode === 'lenient' && (start >= size || end >= size)) return whole;
	// A start past the end (also any range of an empty object, and bytes=-0) cannot be satisfied.
	if (start >= size) return { status: 416 };
	return { status: 206, start, end: Math.min(end, size - 1) };
}

/** Small pieces for 'slowBody', so the delay applies many times even to a small file. */
const SLOW_PIECE = 16 * 1024;

/** A Readable's async iterator may merge chunks; the slow mode needs them re-sliced to a fixed small size. */
async function* pieces(source: Readable, size: number): AsyncGenerator<Buffer> {
	for await (const raw of source) {
		const buf = raw as Buffer;
		for (let offset = 0; offset < buf.length; offset += size) yield buf.subarray(offset, offset + size);
	}
}

function waitDrainOrClose(res: ServerResponse): Promise<void> {
	return new Promise((resolve) => {
		const done = () => {
			res.off('drain', done);
			res.off('close', done);
			resolve();
		};
		res.once('drain', done);
		res.once('close', done);
	});
}

/** The byte at `index` of `part` inverted (on a copy: the keystream chunk is not ours to change). */
function flipped(part: Buffer, index: number): Buffer {
	if (index < 0 || index >= part.length) return part;
	const copy = Buffer.from(part);
	copy[index] ^= 0xff;
	return copy;
}

/** A connection dropped with nothing sent: a TCP RST if asked (the client reads ECONNRESET), else a close. */
function dropConnection(socket: Socket, rst: boolean | undefined): void {
	if (rst) socket.resetAndDestroy();
	else socket.destroy();
}

export interface DownloadExchangeOptions {
	fault?: FaultSpec;
	requestId: string;
	/** Object key, for the error documents. */
	key: string;
	dialect: ObjectStoreDialect;
	log(entry: RequestLogEntry): void;
}

export interface ServeObjectOptions {
	/** Whole-object CRC-64 to send (also on 206s, as OSS and COS do), or undefined to omit the header. */
	crc64?: string;
	ranges: RangeMode;
}

/**
 * One download request. The provider calls, in order: beforeChecks() (faults that hit before the store looks at
 * the URL: a gateway's throttling, a reset, a redirect), its own URL checks with fail(), errorFault(), serve().
 * Every request is logged exactly once, when its status is known, with the Range header received.
 */
export class DownloadExchange {
	private readonly base: Omit<RequestLogEntry, 'status'>;

	constructor(
		private readonly req: IncomingMessage,
		private readonly res: ServerResponse,
		url: URL,
		private readonly opts: DownloadExchangeOptions,
	) {
		this.base = {
			receivedAtMs: receivedAt(req),
			method: req.method ?? 'GET',
			path: url.pathname,
			action: DOWNLOAD_ACTION,
			query: Object.fromEntries(url.searchParams),
			headers: req.headers,
			fault: opts.fault?.kind,
		};
		if (req.headers.range !== undefined) this.base.range = req.headers.range;
	}

	/** The fault this request drew from the queue, if any (for provider-specific kinds such as 'expiredUrl'). */
	get fault(): FaultSpec | undefined {
		return this.opts.fault;
	}

	private record(status: number, extra: Partial<RequestLogEntry> = {}): RequestLogEntry {
		const entry: RequestLogEntry = { ...this.base, status, ...extra };
		this.opts.log(entry);
		return entry;
	}

	/** An XML error answer (HEAD gets the headers only, as from OSS). */
	fail(status: number, code: string, message: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}): void {
		const { requestId, key, dialect } = this.opts;
		const xml = dialect.errorXml({ code, message, requestId, key, extra });
		this.res.writeHead(status, {
			'Content-Type': dialect.errorContentType ?? 'application/xml',
			'Content-Length': Buffer.byteLength(xml),
			[dialect.requestIdHeader]: requestId,
			...headers,
		});
		this.res.end(this.req.method === 'HEAD' ? undefined : xml);
		this.record(status, { code, ...(headers['Content-Range'] ? { contentRange: headers['Content-Range'] } : {}) });
	}

	/** Faults that strike before the URL is even checked. True when the request has been dealt with. */
	async beforeChecks(): Promise<boolean> {
		const { fault, dialect, requestId } = this.opts;
		if (!fault) return false;
		if (fault.delayMs && fault.kind !== 'slowBody') await sleep(fault.delayMs);
		switch (fault.kind) {
			case 'reset':
				// Before any header: the client gets no status at all.
				this.record(0);
				dropConnection(this.req.socket, fault.rst);
				return true;
			case 'silent':
				// Accepted, never answered: only the client's own timeout (or close() of the emulator) ends it.
				this.record(0);
				await untilClosed(this.res);
				return true;
			case 'throttle': {
				const status = fault.status ?? 429;
				const known = dialect.throttleError(status);
				const headers: Record<string, string> =
					fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
				this.fail(status, fault.code ?? known.code, fault.message ?? known.message, {}, headers);
				return true;
			}
			case 'redirect': {
				// A hijacked DNS name, a captive portal or a misconfigured CDN; a downloader must not follow it blindly.
				const status = fault.status ?? 302;
				this.res.writeHead(status, {
					Location: fault.location ?? 'file:///etc/passwd',
					'Content-Length': 0,
					[dialect.requestIdHeader]: requestId,
				});
				this.res.end();
				this.record(status);
				return true;
			}
			default:
				return false;
		}
	}

	/** 'error' / 'serverError' faults, answered after the URL checks passed. True when the request was answered. */
	errorFault(): boolean {
		const { fault } = this.opts;
		if (fault?.kind !== 'error' && fault?.kind !== 'serverError') return false;
		const status = fault.status ?? 503;
		this.fail(status, fault.code ?? (status >= 500 ? 'InternalError' : 'AccessDenied'), fault.message ?? 'Please try again.');
		return true;
	}

	/** The object (or the part the Range asks for), with the body faults: slowBody, truncatedBody, stall, corruptBody. */
	async serve(file: EmulatedFile, opts: ServeObjectOptions): Promise<void> {
		const { req, res } = this;
		const { fault, dialect, requestId } = this.opts;
		const plan = planRange(req.headers.range, file.size, opts.ranges);
		if (plan.status === 416) {
			const { code, message } = dialect.invalidRange;
			this.fail(416, code, message, {}, { 'Content-Range': `bytes */${file.size}` });
			return;
		}
		const length = plan.end - plan.start + 1;
		const headers: Record<string, string | number> = {
			'Content-Type': 'application/octet-stream',
			'Content-Length': length,
			...dialect.objectHeaders(file),
			[dialect.requestIdHeader]: requestId,
		};
		// A server that ignores ranges does not advertise them either.
		if (opts.ranges !== 'ignore') headers['Accept-Ranges'] = 'bytes';
		// The whole object's CRC on a ranged read too: the client checks it after reassembling the file.
		if (opts.crc64 !== undefined && dialect.crc64Header) headers[dialect.crc64Header] = opts.crc64;
		const contentRange = plan.status === 206 ? `bytes ${plan.start}-${plan.end}/${file.size}` : undefined;
		if (contentRange) headers['Content-Range'] = contentRange;
		res.writeHead(plan.status, headers);
		const entry = this.record(plan.status, { ...(contentRange ? { contentRange } : {}), bytesSent: 0 });
		if (req.method === 'HEAD') {
			res.end();
			return;
		}

		const kind = fault?.kind;
		// Cut and stall points are never the whole body: with every byte announced delivered, the client would see
		// a complete answer and the fault would not bite.
		const stopAt =
			kind === 'truncatedBody' || kind === 'stall'
				? Math.max(0, Math.min(fault?.afterBytes ?? Math.floor(length / 2), length - 1))
				: length;
		const corruptAt = kind === 'corruptBody' ? (fault?.offset ?? plan.start + Math.floor(length / 2)) : undefined;
		const slowMs = kind === 'slowBody' ? (fault?.delayMs ?? 50) : 0;
		const source = fileStream(file, plan.start, plan.end);
		let sent = 0;
		try {
			for await (const chunk of pieces(source, slowMs ? SLOW_PIECE : Infinity)) {
				if (res.destroyed || sent >= stopAt) break;
				let part = chunk.subarray(0, stopAt - sent);
				if (corruptAt !== undefined) part = flipped(part, corruptAt - (plan.start + sent));
				const flowing = res.write(part);
				sent += part.length;
				entry.bytesSent = sent;
				if (!flowing) await waitDrainOrClose(res);
				if (slowMs && sent < stopAt) await sleep(slowMs);
			}
		} finally {
			source.destroy();
		}
		if (res.destroyed) return;
		if (kind === 'truncatedBody') {
			// Content-Length announced the full size; the connection ends after the bytes already written (end then
			// destroy, so they do reach the client), and the client sees a premature close.
			res.flushHeaders();
			res.socket?.destroySoon();
		} else if (kind === 'stall') {
			// Headers and the first bytes, then silence on an open connection until the client gives up.
			res.flushHeaders();
			await untilClosed(res);
		} else {
			res.end();
		}
	}
}
