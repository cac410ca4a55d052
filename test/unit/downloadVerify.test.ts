/**
 * The download engine's verification and sinks (nodes/common/download.ts) against a local HTTP server serving real
 * RDB files (the emulator's generator), through n8n's real httpRequest:
 * - `verify`: the RdbVerifier reads every byte exactly once, in order, beside the storage's CRC-64: across a resume
 *   (Range), a restart (a storage ignoring Range, a CRC mismatch on the wire) and a clean run alike; a file that says
 *   it is an RDB and is not valid fails as 'integrity' and is never stored; other bytes are named, not failed;
 * - `streamAndDiscard`: the same engine, nothing handed to n8n's store;
 * - `storeLimit`: a file larger than the destination can hold is refused before any request (the cloud's size) or
 *   before its body is read (Content-Length), and asked only once.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { IBinaryData, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { fileStream, type EmulatedFile } from '../../emulator/common/files';
import { crc64Checksum } from '../../nodes/common/checksums';
import { crc64 } from '../../nodes/common/crc64';
import {
	downloadToBinary,
	streamAndDiscard,
	type DownloadRequest,
	type StoreLimit,
} from '../../nodes/common/download';
import { CloudApiError } from '../../nodes/common/errors';
import { verifyRdb } from '../../nodes/common/rdb';
import { ensureN8nEnv, n8nCoreContainer } from '../harness/n8n-env';

interface OutboundHttpService {
	requests(): { request(options: IHttpRequestOptions): Promise<unknown> };
}
ensureN8nEnv();
const networkModulePath = require.resolve('@n8n/backend-network', {
	paths: [path.dirname(require.resolve('n8n-core'))],
});
// eslint-disable-next-line @typescript-eslint/no-require-imports -- n8n-core's nested copy, as the harness does for @n8n/di
const network = require(networkModulePath) as {
	OutboundHttp: abstract new (...args: never[]) => OutboundHttpService;
	binaryToBuffer: (body: Buffer | Readable) => Promise<Buffer>;
};
/** Exactly what n8n-core's `helpers.httpRequest` does. */
const n8nHttpRequest = async (options: IHttpRequestOptions) =>
	await n8nCoreContainer().get(network.OutboundHttp).requests().request(options);

// ---- Files and server -------------------------------------------------------------------------------------------

const CRC_HEADER = 'x-test-hash-crc64ecma';
const SIZE = 2 * 1024 * 1024 + 777;
const MODIFIED = Date.parse('2025-03-01T12:00:00Z');

async function bytesOf(file: EmulatedFile): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of fileStream(file)) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

interface Served {
	bytes: Buffer;
	crc: string;
}
const FILES: Record<string, Served> = {};

type Fault =
	| { kind: 'reset'; after: number }
	| { kind: 'ignoreRange' }
	| { kind: 'flip'; at: number }
	| { kind: 'noChecksum' };

let server: Server;
let origin: string;
let faults: Fault[] = [];
let log: Array<{ path: string; range?: string; status: number; bytesSent: number }> = [];
const sockets = new Set<Socket>();

async function writeBody(res: ServerResponse, body: Buffer): Promise<number> {
	let sent = 0;
	for (let offset = 0; offset < body.length; offset += 64 * 1024) {
		if (res.destroyed) return sent;
		const part = body.subarray(offset, offset + 64 * 1024);
		const ok = res.write(part);
		sent += part.length;
		if (!ok) await new Promise<void>((resolve) => {
			const done = () => {
				res.off('drain', done);
				res.off('close', done);
				resolve();
			};
			res.on('drain', done);
			res.on('close', done);
		});
	}
	return sent;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
	const url = new URL(req.url ?? '/', origin);
	const file = FILES[url.pathname];
	if (!file) {
		res.writeHead(404).end();
		return;
	}
	const fault = faults.shift();
	const entry = { path: url.pathname, range: req.headers.range, status: 0, bytesSent: 0 };
	log.push(entry);
	const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
	const ranged = range !== null && fault?.kind !== 'ignoreRange';
	const start = ranged ? Number(range[1]) : 0;
	let body = file.bytes.subarray(start);
	if (fault?.kind === 'flip') {
		body = Buffer.from(body);
		body[fault.at - start] ^= 0x01;
	}
	const headers: Record<string, string | number> = {
		'Content-Type': 'application/octet-stream',
		'Content-Length': body.length,
	};
	if (fault?.kind !== 'noChecksum') headers[CRC_HEADER] = file.crc;
	if (ranged) headers['Content-Range'] = `bytes ${start}-${file.bytes.length - 1}/${file.bytes.length}`;
	entry.status = ranged ? 206 : 200;
	res.writeHead(entry.status, headers);
	if (fault?.kind === 'reset') {
		entry.bytesSent = await writeBody(res, body.subarray(0, fault.after));
		await new Promise<void>((resolve) => res.write(Buffer.alloc(0), () => resolve()));
		res.socket?.destroy();
		return;
	}
	entry.bytesSent = await writeBody(res, body);
	res.end();
}

let rdb: Buffer;
let corrupt: Buffer;
let random: Buffer;

beforeAll(async () => {
	const base = { size: SIZE, lastModifiedMs: MODIFIED };
	rdb = await bytesOf({ ...base, key: 'k/good.rdb', name: 'good.rdb', seed: 'good' });
	corrupt = await bytesOf({ ...base, key: 'k/bad.rdb', name: 'bad.rdb', seed: 'good', content: 'corrupt-rdb' });
	random = await bytesOf({ ...base, key: 'k/random.rdb', name: 'random.rdb', seed: 'good', content: 'random' });
	for (const [name, bytes] of [['good', rdb], ['bad', corrupt], ['random', random]] as const) {
		FILES[`/bucket/${name}.rdb`] = { bytes, crc: crc64(bytes) };
	}
	server = createServer((req, res) => {
		handle(req, res).catch((error: unknown) => res.destroy(error as Error));
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	for (const socket of sockets) socket.destroy();
	await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
	faults = [];
	log = [];
});

// ---- Context: n8n's HTTP client, a store that buffers as n8n's database/S3 stores do -----------------------------

interface Store {
	calls: number;
	stored: Buffer[];
}

function contextFor(store: Store): IExecuteFunctions {
	return {
		helpers: {
			httpRequest: n8nHttpRequest,
			prepareBinaryData: async (body: Buffer | Readable, fileName?: string): Promise<IBinaryData> => {
				store.calls++;
				const buffer = await network.binaryToBuffer(body);
				store.stored.push(buffer);
				return { id: `database:${store.calls}`, data: 'database', fileName, mimeType: 'application/octet-stream', bytes: buffer.length } as IBinaryData;
			},
		},
		getExecutionCancelSignal: () => undefined,
	} as unknown as IExecuteFunctions;
}

const request = (name: string, overrides: Partial<DownloadRequest> = {}): DownloadRequest => ({
	url: `${origin}/bucket/${name}.rdb?Signature=SECRET`,
	fileName: `${name}.rdb`,
	mimeType: 'application/octet-stream',
	expectedBytes: SIZE,
	maxBytes: 0,
	provider: 'test',
	checksum: crc64Checksum(CRC_HEADER),
	retryPolicy: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 50 },
	random: () => 0.5,
	idleTimeoutMs: 5_000,
	responseTimeoutMs: 5_000,
	verify: true,
	...overrides,
});

async function failureOf(promise: Promise<unknown>): Promise<CloudApiError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(CloudApiError);
	return error as CloudApiError;
}

const VALID = { format: 'rdb', rdbVersion: 11, rdbChecksumOk: true, ok: true };

// ---- Tests ------------------------------------------------------------------------------------------------------

describe('verify while downloading into the store', () => {
	it('the served files are what they claim (a valid RDB, one whose trailer is wrong, random bytes)', () => {
		expect(verifyRdb(rdb)).toMatchObject(VALID);
		expect(verifyRdb(corrupt)).toMatchObject({ format: 'rdb', ok: false, rdbChecksumOk: false });
		expect(verifyRdb(random)).toMatchObject({ format: 'unknown', ok: true });
	});

	it('a clean download: the RDB and the storage CRC verified in one pass, the file stored', async () => {
		const store: Store = { calls: 0, stored: [] };
		const result = await downloadToBinary(contextFor(store), request('good'));
		expect(result.verification).toMatchObject(VALID);
		expect(result.verification?.detail).toMatch(/RDB version 11 .*CRC-64 [0-9a-f]{16} verified/);
		expect(result.checksum.verified).toBe(true);
		expect(result.durationMs).toBeGreaterThanOrEqual(0);
		expect(store.stored).toHaveLength(1);
		expect(store.stored[0].equals(rdb)).toBe(true);
	});

	it('without verify: no verdict, the same bytes stored', async () => {
		const store: Store = { calls: 0, stored: [] };
		const result = await downloadToBinary(contextFor(store), request('good', { verify: false }));
		expect(result.verification).toBeNull();
		expect(store.stored[0].equals(rdb)).toBe(true);
	});

	it('a body cut mid-way is resumed (Range) and the verifier continues where it was: still valid', async () => {
		faults = [{ kind: 'reset', after: 700_000 }];
		const store: Store = { calls: 0, stored: [] };
		const result = await downloadToBinary(contextFor(store), request('good'));
		expect(log.map((e) => e.status)).toEqual([200, 206]);
		expect(log[1].range).toMatch(/^bytes=\d+-$/);
		expect(Number(/\d+/.exec(log[1].range!)![0])).toBeGreaterThan(0);
		expect({ attempts: result.attempts, resumes: result.resumes }).toEqual({ attempts: 2, resumes: 1 });
		expect(result.verification).toMatchObject(VALID);
		expect(store.stored[0].equals(rdb)).toBe(true);
	});

	it('a cut body where the storage ignores Range starts over with a fresh verifier: still valid, not fed twice', async () => {
		faults = [{ kind: 'reset', after: 700_000 }, { kind: 'ignoreRange' }];
		const store: Store = { calls: 0, stored: [] };
		const result = await downloadToBinary(contextFor(store), request('good'));
		expect(log.map((e) => e.status)).toEqual([200, 200]);
		expect(result.verification).toMatchObject(VALID);
		expect(store.calls).toBe(2);
		expect(store.stored).toHaveLength(1);
		expect(store.stored[0].equals(rdb)).toBe(true);
	});

	it('a byte flipped on the wire fails the storage CRC first, the file is fetched again and verifies', async () => {
		faults = [{ kind: 'flip', at: 1_000_000 }];
		const store: Store = { calls: 0, stored: [] };
		const result = await downloadToBinary(contextFor(store), request('good'));
		expect(log).toHaveLength(2);
		expect(result.verification).toMatchObject(VALID);
		expect(store.stored[0].equals(rdb)).toBe(true);
	});

	it('an RDB whose own CRC-64 fails while the storage CRC matches: an integrity error, not retried, nothing stored', async () => {
		const store: Store = { calls: 0, stored: [] };
		const error = await failureOf(downloadToBinary(contextFor(store), request('bad')));
		expect(error.kind).toBe('integrity');
		expect(error.message).toMatch(/^bad\.rdb failed verification: An RDB version 11 file .* whose CRC-64 does not match/);
		expect(error.message).toMatch(/match the storage's CRC-64 checksum, so the backup file itself is damaged/);
		expect(error.details.hint).toMatch(/Do not rely on this backup/);
		expect(error.message).not.toContain('SECRET');
		expect(log).toHaveLength(1);
		expect(store.stored).toEqual([]);
	});

	it('the same without a storage checksum: the message says the bytes could not be compared', async () => {
		faults = [{ kind: 'noChecksum' }];
		const store: Store = { calls: 0, stored: [] };
		const error = await failureOf(downloadToBinary(contextFor(store), request('bad')));
		expect(error.kind).toBe('integrity');
		expect(error.message).toMatch(/sent no checksum/);
		expect(store.stored).toEqual([]);
	});

	it('bytes that are not an RDB are named unknown and stored', async () => {
		const store: Store = { calls: 0, stored: [] };
		const result = await downloadToBinary(contextFor(store), request('random'));
		expect(result.verification).toMatchObject({ format: 'unknown', rdbVersion: null, rdbChecksumOk: null, ok: true });
		expect(store.stored[0].equals(random)).toBe(true);
	});
});

describe('streamAndDiscard', () => {
	it('streams and verifies every byte through the same engine (a resume included) and stores nothing', async () => {
		faults = [{ kind: 'reset', after: 300_000 }];
		const store: Store = { calls: 0, stored: [] };
		const result = await streamAndDiscard(contextFor(store), request('good'));
		expect(result).not.toHaveProperty('binary');
		expect(result).not.toHaveProperty('output');
		expect(result.bytes).toBe(SIZE);
		expect(result.checksum.verified).toBe(true);
		expect(result.verification).toMatchObject(VALID);
		expect(result.resumes).toBe(1);
		expect(store.calls).toBe(0);
	});

	it('a corrupt RDB fails as it does when stored', async () => {
		const store: Store = { calls: 0, stored: [] };
		const error = await failureOf(streamAndDiscard(contextFor(store), request('bad')));
		expect(error.kind).toBe('integrity');
		expect(error.message).toMatch(/failed verification/);
		expect(store.calls).toBe(0);
	});

	it('ignores Max File Size and the store limit: nothing is stored', async () => {
		const asked: number[] = [];
		const result = await streamAndDiscard(
			contextFor({ calls: 0, stored: [] }),
			request('good', { maxBytes: 1, storeLimit: async (size) => (asked.push(size), LIMIT_1MIB) }),
		);
		expect(result.bytes).toBe(SIZE);
		expect(asked).toEqual([]);
	});
});

const LIMIT_1MIB: StoreLimit = {
	bytes: 1024 * 1024,
	store: "that the test's store holds per file",
	hint: 'Use something else.',
};

describe('storeLimit', () => {
	it('the cloud reported the size: refused before any request, the limit and the way out named', async () => {
		const asked: number[] = [];
		const store: Store = { calls: 0, stored: [] };
		const error = await failureOf(
			downloadToBinary(contextFor(store), request('good', { storeLimit: async (size) => (asked.push(size), LIMIT_1MIB) })),
		);
		expect(error.kind).toBe('client');
		expect(error.message).toBe(
			`good.rdb is 2.0 MiB (${SIZE} bytes), more than the 1.0 MiB that the test's store holds per file, so it was not downloaded`,
		);
		expect(error.details.hint).toBe('Use something else.');
		expect(asked).toEqual([SIZE]);
		expect(log).toEqual([]);
		expect(store.calls).toBe(0);
	});

	it('the cloud did not: refused on the first answer\'s Content-Length, before the body is read or stored', async () => {
		const asked: number[] = [];
		const store: Store = { calls: 0, stored: [] };
		const error = await failureOf(
			downloadToBinary(
				contextFor(store),
				request('good', { expectedBytes: null, storeLimit: async (size) => (asked.push(size), LIMIT_1MIB) }),
			),
		);
		expect(error.message).toMatch(/more than the 1\.0 MiB that the test's store holds per file/);
		expect(asked).toEqual([SIZE]);
		expect(log).toHaveLength(1);
		expect(store.calls).toBe(0);
	});

	it('a file within the limit (or no limit) is downloaded, the limit asked once', async () => {
		const asked: number[] = [];
		const store: Store = { calls: 0, stored: [] };
		faults = [{ kind: 'ignoreRange' }];
		const result = await downloadToBinary(
			contextFor(store),
			request('good', { storeLimit: async (size) => (asked.push(size), { ...LIMIT_1MIB, bytes: SIZE }) }),
		);
		expect(result.bytes).toBe(SIZE);
		expect(asked).toEqual([SIZE]);
		const none = await downloadToBinary(contextFor(store), request('good', { expectedBytes: null, storeLimit: async () => null }));
		expect(none.bytes).toBe(SIZE);
	});
});
