import { randomUUID } from 'crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';

import { FaultQueue } from './faults';

/** One line of the request log tests assert on. */
export interface RequestLogEntry {
	method: string;
	path: string;
	action: string;
	query: Record<string, string>;
	headers: IncomingHttpHeaders;
	status: number;
	code?: string;
	/** A fault that was applied to this request, if any. */
	fault?: string;
}

/** Upper-case UUID, the shape of Alibaba's RequestId (e.g. C009DA42-3B19-5B81-963D-1509DE2408DD). */
export const newRequestId = (): string => randomUUID().toUpperCase();

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
}
