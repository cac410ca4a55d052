/**
 * downloadToBinary against a real local HTTP server (written below: deterministic files with Content-Length, a
 * CRC-64 header and a US3-style ETag, Range support, and faults on demand), sent through n8n's real httpRequest (n8n-core's
 * OutboundHttp, what `helpers.httpRequest` calls), into two kinds of store that consume the stream as n8n's do:
 * - 'fs': `fs.promises.writeFile(tmp, stream)` (async iteration), temp file removed when the stream errors, then
 *   renamed: n8n's filesystem store (FsByteStore.write);
 * - 'events': n8n's own binaryToBuffer ('data'/'end'/'error'/'close' listeners): the database and S3 stores.
 * Every fault ends in one of two ways: the stored bytes equal the served file byte for byte, or the call fails
 * with the right kind and nothing is stored (no file, no temp file). A few cases also run through n8n's engine
 * (WorkflowExecute) with n8n's real prepareBinaryData and filesystem store.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IBinaryData,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { Us3Etag } from '../../emulator';
import { crc64Checksum } from '../../nodes/common/checksums';
import { crc64 } from '../../nodes/common/crc64';
import {
	DEFAULT_IDLE_TIMEOUT_MS,
	DEFAULT_RESPONSE_TIMEOUT_MS,
	downloadToBinary,
	ERROR_BODY_LIMIT,
	MAX_REDIRECTS,
	readErrorBodyStart,
	redactUrl,
	storageErrorKind,
	type DownloadRequest,
	type DownloadResult,
} from '../../nodes/common/download';
import { URL_REFRESH_MARGIN_MS, urlNeedsRefresh } from '../../nodes/common/downloadFiles';
import { CloudApiError } from '../../nodes/common/errors';
import type { RetryPolicy } from '../../nodes/common/retry';
import { US3_ETAG_CHECKSUM } from '../../nodes/UCloudRedis/transport/us3Etag';
import { cleanupBinaryDataStore, initBinaryDataStore, readBinary, runWorkflow } from '../harness';
import { ensureN8nEnv, n8nCoreContainer } from '../harness/n8n-env';

// ---- n8n's own HTTP client and stream reader (n8n-core's copies, from its DI container) -------------------------

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
/** Exactly what n8n-core's `helpers.httpRequest` does (request-helpers/factory.js). */
const n8nHttpRequest = async (options: IHttpRequestOptions) =>
	await n8nCoreContainer().get(network.OutboundHttp).requests().request(options);

// ---- The file and the server ------------------------------------------------------------------------------------

const CRC_HEADER = 'x-test-hash-crc64ecma';
const FILE_SIZE = 3 * 1024 * 1024 + 12_345;
/** Deterministic bytes (xorshift), so a mismatch can be located. */
function bytesOf(size: number, seed: number): Buffer {
	const bytes = Buffer.alloc(size);
	let x = seed;
	for (let i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		bytes[i] = x & 0xff;
	}
	return bytes;
}
const FILE = bytesOf(FILE_SIZE, 0x9e3779b9);
const FILE_CRC = crc64(FILE);
/** The emulator's US3 ETag (an implementation the node's shares no code with). */
function emulatorUs3Etag(data: Buffer): string {
	const etag = new Us3Etag();
	etag.update(data);
	return etag.digest();
}
/** A file of three US3 blocks, for the ETag-verified downloads (served at /bucket/big.rdb). */
const BIG_SIZE = 9 * 1024 * 1024 + 4_321;
const BIG = bytesOf(BIG_SIZE, 0x1b873593);

interface ServedFile {
	bytes: Buffer;
	crc: string;
	etag: string;
	/** What a storage whose object changed would send instead (same size). */
	changed: { crc: string; etag: string };
}
const served = (bytes: Buffer): ServedFile => {
	const other = Buffer.from(bytes);
	other[0] ^= 0xff;
	return {
		bytes,
		crc: crc64(bytes),
		etag: emulatorUs3Etag(bytes),
		changed: { crc: crc64(other), etag: emulatorUs3Etag(other) },
	};
};
const FILES: Record<string, ServedFile> = {
	'/bucket/backup.rdb': served(FILE),
	'/other/backup.rdb': served(FILE),
	'/bucket/big.rdb': served(BIG),
};
/** An ETag the node must not take for a US3 ETag, nor a CRC: an MD5 in hex (32 characters, valid Base64 too). */
const FOREIGN_ETAG = '"9e107d9d372bb6826bd81d3542a419d6"';
const WRITE_CHUNK = 64 * 1024;

type Fault =
	| { kind: 'flip'; at: number }
	| { kind: 'reset'; after: number }
	| { kind: 'stall'; after: number }
	| { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
	| { kind: 'bigErrorBody'; status: number }
	| { kind: 'ignoreRange' }
	| { kind: 'wrongRangeStart' }
	| { kind: 'changedTotal' }
	| { kind: 'redirect'; location: string; status?: number }
	| { kind: 'slowHeaders'; ms: number }
	| { kind: 'dropBeforeHeaders' }
	| { kind: 'chunked'; bytes: number }
	| { kind: 'noChecksum' }
	/** Checksum headers that are not checksums of their algorithm (an ETag of another store's format). */
	| { kind: 'foreignChecksum' }
	/** The checksum headers of another object of the same size (the file was replaced), and a clean body. */
	| { kind: 'changedChecksum' };

interface LogEntry {
	path: string;
	query: string;
	range: string | undefined;
	acceptEncoding: string | undefined;
	status: number;
	fault?: Fault['kind'];
	/** When the server saw the response closed (ended or aborted by the client). */
	closedAt?: number;
}

let server: Server;
let origin: string;
/** Faults for the next requests to /file, one per request, in order; requests beyond them are served cleanly. */
let faults: Fault[] = [];
let log: LogEntry[] = [];
const sockets = new Set<Socket>();

const SIGNED_QUERY = 'Expires=1893456000&Signature=SECRETSIGNATURE';
const fileUrl = () => `${origin}/bucket/backup.rdb?${SIGNED_QUERY}`;

const OSS_SLOWDOWN =
	'<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>SlowDown</Code>\n  <Message>Please reduce your request rate.</Message>\n</Error>\n';
const OSS_EXPIRED =
	'<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>AccessDenied</Code>\n  <Message>Request has expired.</Message>\n</Error>\n';
const OSS_DENIED =
	'<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>AccessDenied</Code>\n  <Message>You have no right to access this object because of bucket acl.</Message>\n</Error>\n';

async function writeBody(res: ServerResponse, body: Buffer): Promise<void> {
	for (let offset = 0; offset < body.length; offset += WRITE_CHUNK) {
		if (res.destroyed) return;
		if (!res.write(body.subarray(offset, offset + WRITE_CHUNK))) {
			await new Promise<void>((resolve) => {
				const done = () => {
					res.off('drain', done);
					res.off('close', done);
					resolve();
				};
				res.on('drain', done);
				res.on('close', done);
			});
		}
	}
}

/** Writes `part` and resolves once it has been handed to the kernel. */
const flush = async (res: ServerResponse, part: Buffer) =>
	await new Promise<void>((resolve) => res.write(part, () => resolve()));

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
	const url = new URL(req.url ?? '/', origin);
	const file = FILES[url.pathname];
	if (file === undefined) {
		res.writeHead(404).end();
		return;
	}
	const size = file.bytes.length;
	const fault = faults.shift();
	const entry: LogEntry = {
		path: url.pathname,
		query: url.search,
		range: req.headers.range,
		acceptEncoding: req.headers['accept-encoding'],
		status: 0,
		fault: fault?.kind,
	};
	log.push(entry);
	res.once('close', () => (entry.closedAt = Date.now()));
	const reply = (status: number, headers: Record<string, string | number>) => {
		entry.status = status;
		res.writeHead(status, headers);
	};
	switch (fault?.kind) {
		case 'dropBeforeHeaders':
			req.socket.destroy();
			return;
		case 'slowHeaders':
			await new Promise((resolve) => setTimeout(resolve, fault.ms));
			break;
		case 'status':
			reply(fault.status, { 'Content-Type': 'application/xml', ...fault.headers });
			res.end(fault.body ?? '');
			return;
		case 'bigErrorBody':
			// 10 MiB of error body: a client that reads it all would be slow and wasteful.
			reply(fault.status, { 'Content-Type': 'text/plain', 'Content-Length': 10 * 1024 * 1024 });
			await writeBody(res, Buffer.alloc(10 * 1024 * 1024, 'x'));
			res.end();
			return;
		case 'redirect':
			reply(fault.status ?? 302, { Location: fault.location });
			res.end();
			return;
	}
	let start = 0;
	let total = size;
	const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
	const ranged = range !== null && fault?.kind !== 'ignoreRange';
	if (ranged) start = Number(range[1]);
	if (fault?.kind === 'wrongRangeStart') start = 0;
	if (fault?.kind === 'changedTotal') total = size + 1;
	if (start >= size) {
		reply(416, { 'Content-Range': `bytes */${size}` });
		res.end();
		return;
	}
	let body = file.bytes.subarray(start);
	if (fault?.kind === 'flip') {
		body = Buffer.from(body);
		body[fault.at - start] ^= 0x01;
	}
	const headers: Record<string, string | number> = {
		'Content-Type': 'application/octet-stream',
		'Accept-Ranges': 'bytes',
	};
	// Both checksums of the whole object, on a ranged answer too; the request's spec says which one is read.
	if (fault?.kind === 'foreignChecksum') {
		headers[CRC_HEADER] = 'not-a-crc';
		headers.ETag = FOREIGN_ETAG;
	} else if (fault?.kind === 'changedChecksum') {
		headers[CRC_HEADER] = file.changed.crc;
		headers.ETag = `"${file.changed.etag}"`;
	} else if (fault?.kind !== 'noChecksum') {
		headers[CRC_HEADER] = file.crc;
		headers.ETag = `"${file.etag}"`;
	}
	if (fault?.kind === 'chunked') {
		// No Content-Length: the end of the body is only known from the connection, cleanly ended here.
		reply(200, headers);
		await writeBody(res, body.subarray(0, fault.bytes));
		res.end();
		return;
	}
	headers['Content-Length'] = body.length;
	if (ranged) headers['Content-Range'] = `bytes ${start}-${size - 1}/${total}`;
	reply(ranged ? 206 : 200, headers);
	if (fault?.kind === 'reset' || fault?.kind === 'stall') {
		await writeBody(res, body.subarray(0, Math.max(0, fault.after - WRITE_CHUNK)));
		await flush(res, body.subarray(Math.max(0, fault.after - WRITE_CHUNK), fault.after));
		// reset: the connection closes mid-body; stall: it stays open and silent until the client gives up.
		if (fault.kind === 'reset') res.socket?.destroy();
		return;
	}
	await writeBody(res, body);
	res.end();
}

beforeAll(async () => {
	server = createServer((req, res) => {
		handle(req, res).catch((error: unknown) => {
			res.destroy(error as Error);
		});
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
	await cleanupBinaryDataStore();
});

beforeEach(() => {
	faults = [];
	log = [];
});

afterEach(() => {
	// A stalled response stays open on the server side until the client aborts; never across tests.
	for (const socket of sockets) socket.destroy();
});

// ---- Stores and contexts ----------------------------------------------------------------------------------------

type Consumer = 'fs' | 'events';

interface TestStore {
	consumer: Consumer;
	dir: string;
	/** Calls of prepareBinaryData. */
	calls: number;
	/** Bytes stored by the 'events' store (the fs store's are in `dir`). */
	buffers: Buffer[];
	/** How each call ended. */
	outcomes: Array<'stored' | 'failed'>;
}

async function newStore(consumer: Consumer): Promise<TestStore> {
	const dir = await mkdtemp(path.join(tmpdir(), 'download-test-'));
	stores.push(dir);
	return { consumer, dir, calls: 0, buffers: [], outcomes: [] };
}
const stores: string[] = [];
afterAll(async () => {
	for (const dir of stores) await rm(dir, { recursive: true, force: true });
});

/** prepareBinaryData as n8n's stores consume the stream (see the top of this file). */
function prepareBinaryData(store: TestStore) {
	return async (
		body: Buffer | Readable,
		fileName?: string,
		mimeType?: string,
	): Promise<IBinaryData> => {
		store.calls++;
		expect(body).toBeInstanceOf(Readable);
		const id = randomUUID();
		if (store.consumer === 'fs') {
			const tmp = path.join(store.dir, `${id}.tmp`);
			let written = false;
			try {
				await writeFile(tmp, body);
				written = true;
			} finally {
				// As FsByteStore: a stream that errors leaves no temp file behind.
				if (!written) {
					await rm(tmp, { force: true });
					store.outcomes.push('failed');
				}
			}
			const final = path.join(store.dir, id);
			await rename(tmp, final);
			store.outcomes.push('stored');
			return {
				id: `filesystem-v2:${id}`,
				data: 'filesystem-v2',
				fileName,
				mimeType: mimeType ?? 'application/octet-stream',
				bytes: (await stat(final)).size,
			} as IBinaryData;
		}
		let buffer: Buffer | undefined;
		try {
			buffer = await network.binaryToBuffer(body);
		} finally {
			if (buffer === undefined) store.outcomes.push('failed');
		}
		store.buffers.push(buffer);
		store.outcomes.push('stored');
		return {
			id: `database:${id}`,
			data: 'database',
			fileName,
			mimeType: mimeType ?? 'application/octet-stream',
			bytes: buffer.length,
		} as IBinaryData;
	};
}

/** What the store holds: every complete file, and any temp file left behind. */
async function storedFiles(store: TestStore): Promise<{ files: Buffer[]; temps: string[] }> {
	if (store.consumer === 'events') return { files: store.buffers, temps: [] };
	const names = await readdir(store.dir);
	const files = await Promise.all(
		names
			.filter((n) => !n.endsWith('.tmp'))
			.map(async (n) => await readFile(path.join(store.dir, n))),
	);
	return { files, temps: names.filter((n) => n.endsWith('.tmp')) };
}

async function expectStoredExactlyTheFile(store: TestStore): Promise<void> {
	const { files, temps } = await storedFiles(store);
	expect(temps).toEqual([]);
	expect(files).toHaveLength(1);
	expect(files[0].length).toBe(FILE_SIZE);
	expect(files[0].equals(FILE)).toBe(true);
}

async function expectNothingStored(store: TestStore): Promise<void> {
	const { files, temps } = await storedFiles(store);
	expect(temps).toEqual([]);
	expect(files).toEqual([]);
}

function contextFor(store: TestStore, cancel?: AbortSignal): IExecuteFunctions {
	return {
		helpers: {
			httpRequest: n8nHttpRequest,
			prepareBinaryData: prepareBinaryData(store),
		},
		getExecutionCancelSignal: () => cancel,
	} as unknown as IExecuteFunctions;
}

const FAST_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 2_000 };

const request = (overrides: Partial<DownloadRequest> = {}): DownloadRequest => ({
	url: fileUrl(),
	fileName: 'backup.rdb',
	mimeType: 'application/octet-stream',
	expectedBytes: FILE_SIZE,
	maxBytes: 0,
	provider: 'test',
	checksum: crc64Checksum(CRC_HEADER),
	retryPolicy: FAST_POLICY,
	random: () => 0.5,
	idleTimeoutMs: 5_000,
	responseTimeoutMs: 5_000,
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

async function waitFor(condition: () => boolean, ms = 1_000): Promise<void> {
	const until = Date.now() + ms;
	while (!condition() && Date.now() < until)
		await new Promise((resolve) => setTimeout(resolve, 10));
	expect(condition()).toBe(true);
}

/** Timers alive in this process (n8n's sleep uses setTimeout; a leaked idle wait would stay for its full length). */
const activeTimers = () =>
	process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;

function expectVerified(result: DownloadResult, attempts: number, resumes: number): void {
	expect(result.bytes).toBe(FILE_SIZE);
	expect(result.checksum).toEqual({
		algorithm: 'crc64ecma',
		expected: FILE_CRC,
		actual: FILE_CRC,
		verified: true,
	});
	expect({ attempts: result.attempts, resumes: result.resumes }).toEqual({ attempts, resumes });
}

/** No message may carry the presigned URL's signature. */
function expectNoSecret(error: CloudApiError): void {
	expect(error.message).not.toContain('SECRETSIGNATURE');
	expect(error.message).not.toContain('Expires=');
}

const CONSUMERS: Consumer[] = ['fs', 'events'];

// ---- Tests ------------------------------------------------------------------------------------------------------

describe.each(CONSUMERS)('downloadToBinary, store consuming by %s', (consumer) => {
	let store: TestStore;
	beforeEach(async () => {
		store = await newStore(consumer);
	});

	describe('a clean download', () => {
		it('stores the file byte for byte, verified against the storage CRC, in one request', async () => {
			const result = await downloadToBinary(contextFor(store), request());
			expectVerified(result, 1, 0);
			expect(result.binary.bytes).toBe(FILE_SIZE);
			await expectStoredExactlyTheFile(store);
			expect(log).toEqual([
				expect.objectContaining({ range: undefined, status: 200, acceptEncoding: 'identity' }),
			]);
		});

		it('is not verified when the storage sends no checksum (the CRC is still computed)', async () => {
			faults = [{ kind: 'noChecksum' }];
			const result = await downloadToBinary(contextFor(store), request());
			expect(result.checksum).toEqual({
				algorithm: 'crc64ecma',
				expected: null,
				actual: FILE_CRC,
				verified: false,
			});
			await expectStoredExactlyTheFile(store);
		});

		it('leaves no idle-timeout timer behind (one wait per chunk, each cleared when its chunk arrives)', async () => {
			const before = activeTimers();
			const result = await downloadToBinary(contextFor(store), request({ idleTimeoutMs: 60_000 }));
			expectVerified(result, 1, 0);
			// ~50 chunks went by; a leak would leave about that many 60 s timers.
			expect(activeTimers() - before).toBeLessThanOrEqual(2);
		});

		it('reads only the header its checksum spec names (provider-neutral)', async () => {
			const result = await downloadToBinary(
				contextFor(store),
				request({ checksum: crc64Checksum('x-other-hash-crc64ecma') }),
			);
			expect(result.checksum).toEqual({
				algorithm: 'crc64ecma',
				expected: null,
				actual: FILE_CRC,
				verified: false,
			});
		});

		it('without a checksum spec: checked by length only, no checksum computed or reported', async () => {
			const result = await downloadToBinary(contextFor(store), request({ checksum: undefined }));
			expect(result.checksum).toEqual({
				algorithm: null,
				expected: null,
				actual: null,
				verified: false,
			});
			await expectStoredExactlyTheFile(store);
		});

		it('a checksum header that is not a CRC-64 is not one of ours: stored, not verified, not an error', async () => {
			faults = [{ kind: 'foreignChecksum' }];
			const result = await downloadToBinary(contextFor(store), request());
			expect(result.checksum).toEqual({
				algorithm: 'crc64ecma',
				expected: null,
				actual: FILE_CRC,
				verified: false,
			});
			expect(result.attempts).toBe(1);
			await expectStoredExactlyTheFile(store);
		});

		it('works without a size from the cloud (the storage Content-Length is the total)', async () => {
			const result = await downloadToBinary(contextFor(store), request({ expectedBytes: null }));
			expectVerified(result, 1, 0);
			await expectStoredExactlyTheFile(store);
		});
	});

	describe('a corrupt body (one flipped byte)', () => {
		it('fails the store before the stream ends, then starts over with a fresh request and store call', async () => {
			faults = [{ kind: 'flip', at: 1_234_567 }];
			const result = await downloadToBinary(contextFor(store), request());
			expectVerified(result, 2, 0);
			await expectStoredExactlyTheFile(store);
			expect(store.outcomes).toEqual(['failed', 'stored']);
			expect(log.map((entry) => [entry.range, entry.status])).toEqual([
				[undefined, 200],
				[undefined, 200],
			]);
		});

		it('fails with kind integrity naming the file, expected and actual CRC, after the policy tries; nothing stored', async () => {
			faults = [
				{ kind: 'flip', at: 10 },
				{ kind: 'flip', at: 20 },
				{ kind: 'flip', at: FILE_SIZE - 1 },
			];
			const error = await failureOf(downloadToBinary(contextFor(store), request()));
			expect(error.kind).toBe('integrity');
			const flipped = Buffer.from(FILE);
			flipped[FILE_SIZE - 1] ^= 0x01;
			expect(error.message).toBe(
				`The download of backup.rdb failed after 3 tries; the last one: backup.rdb is corrupt: the CRC-64 checksum of the ${FILE_SIZE} bytes received is ${crc64(flipped)}, the storage service's ${CRC_HEADER} is ${FILE_CRC}`,
			);
			expect(error.details).toMatchObject({ provider: 'test', action: 'download' });
			expect(log).toHaveLength(3);
			expect(store.outcomes).toEqual(['failed', 'failed', 'failed']);
			await expectNothingStored(store);
		});

		it('says nothing about tries when there was only one', async () => {
			faults = [{ kind: 'flip', at: 10 }];
			const error = await failureOf(
				downloadToBinary(
					contextFor(store),
					request({ retryPolicy: { ...FAST_POLICY, maxAttempts: 1 } }),
				),
			);
			expect(error.kind).toBe('integrity');
			expect(error.message).toMatch(
				/^backup\.rdb is corrupt: the CRC-64 checksum of the \d+ bytes received is \d+, the storage/,
			);
			expect(error.message).not.toMatch(/tries|retr/);
			await expectNothingStored(store);
		});
	});

	describe('a body that breaks off is resumed with Range', () => {
		it('after a connection reset: asks for bytes=N- with N the bytes already received', async () => {
			const after = 1_000_003;
			faults = [{ kind: 'reset', after }];
			const result = await downloadToBinary(contextFor(store), request());
			expectVerified(result, 2, 1);
			await expectStoredExactlyTheFile(store);
			expect(store.calls).toBe(1);
			expect(log.map((entry) => [entry.range, entry.status])).toEqual([
				[undefined, 200],
				[`bytes=${after}-`, 206],
			]);
		});

		it('after a stall longer than the idle timeout: the response is aborted and resumed', async () => {
			const after = 500_001;
			faults = [{ kind: 'stall', after }];
			const started = Date.now();
			const result = await downloadToBinary(contextFor(store), request({ idleTimeoutMs: 300 }));
			expect(Date.now() - started).toBeGreaterThanOrEqual(290);
			// The stalled response was aborted by the client (its connection closed), not left hanging.
			expect(log[0].closedAt).toBeDefined();
			expectVerified(result, 2, 1);
			await expectStoredExactlyTheFile(store);
			expect(log.map((entry) => entry.range)).toEqual([undefined, `bytes=${after}-`]);
		});

		it('resumes several times within the policy, each from where the last one stopped', async () => {
			faults = [
				{ kind: 'reset', after: 700_000 },
				{ kind: 'reset', after: 1_500_000 - 700_000 },
			];
			const result = await downloadToBinary(contextFor(store), request());
			expectVerified(result, 3, 2);
			await expectStoredExactlyTheFile(store);
			expect(log.map((entry) => entry.range)).toEqual([
				undefined,
				'bytes=700000-',
				'bytes=1500000-',
			]);
		});

		it('after a body without Content-Length that ends short of the size the cloud reported', async () => {
			faults = [{ kind: 'chunked', bytes: 2_000_000 }];
			const result = await downloadToBinary(contextFor(store), request());
			expectVerified(result, 2, 1);
			await expectStoredExactlyTheFile(store);
			expect(log.map((entry) => entry.range)).toEqual([undefined, 'bytes=2000000-']);
		});

		it('gives up when the breaks outnumber the tries; nothing stored, the error names the last failure', async () => {
			faults = [
				{ kind: 'reset', after: 100_000 },
				{ kind: 'reset', after: 100_000 },
				{ kind: 'reset', after: 100_000 },
			];
			const error = await failureOf(downloadToBinary(contextFor(store), request()));
			expect(error.kind).toBe('network');
			expect(error.message).toMatch(
				/^The download of backup\.rdb failed after 3 tries; the last one: The download of backup\.rdb broke off after 300000 of \d+ bytes: /,
			);
			expect(log.map((entry) => entry.range)).toEqual([
				undefined,
				'bytes=100000-',
				'bytes=200000-',
			]);
			await expectNothingStored(store);
		});

		it('a server that ignores Range (200): the pass fails and the download starts over with that answer', async () => {
			const after = 800_000;
			faults = [{ kind: 'reset', after }, { kind: 'ignoreRange' }];
			const result = await downloadToBinary(contextFor(store), request());
			// Two requests: the broken one, and the Range request whose 200 became the new pass.
			expectVerified(result, 2, 0);
			expect(store.outcomes).toEqual(['failed', 'stored']);
			await expectStoredExactlyTheFile(store);
			expect(log.map((entry) => [entry.range, entry.status])).toEqual([
				[undefined, 200],
				[`bytes=${after}-`, 200],
			]);
		});

		it('a 206 that does not start at the byte asked for: starts over from byte 0 with a fresh request', async () => {
			faults = [{ kind: 'reset', after: 600_000 }, { kind: 'wrongRangeStart' }];
			const result = await downloadToBinary(contextFor(store), request());
			expectVerified(result, 3, 0);
			expect(store.outcomes).toEqual(['failed', 'stored']);
			await expectStoredExactlyTheFile(store);
			expect(log.map((entry) => [entry.range, entry.status])).toEqual([
				[undefined, 200],
				['bytes=600000-', 206],
				[undefined, 200],
			]);
		});

		it('a 206 whose total differs (the file changed): integrity, not retried, nothing stored', async () => {
			faults = [{ kind: 'reset', after: 600_000 }, { kind: 'changedTotal' }];
			const error = await failureOf(downloadToBinary(contextFor(store), request()));
			expect(error.kind).toBe('integrity');
			expect(error.message).toContain(
				`backup.rdb changed on the storage while it was being downloaded (its size went from ${FILE_SIZE} to ${FILE_SIZE + 1} bytes)`,
			);
			expect(log).toHaveLength(2);
			await expectNothingStored(store);
		});

		it('a 206 whose checksum header differs (the file changed): integrity, not retried, nothing stored', async () => {
			faults = [{ kind: 'reset', after: 600_000 }, { kind: 'changedChecksum' }];
			const error = await failureOf(downloadToBinary(contextFor(store), request()));
			expect(error.kind).toBe('integrity');
			expect(error.message).toContain(
				`backup.rdb changed on the storage while it was being downloaded (its ${CRC_HEADER} went from ${FILE_CRC} to ${FILES['/bucket/backup.rdb'].changed.crc})`,
			);
			expect(log.map((entry) => [entry.range, entry.status])).toEqual([
				[undefined, 200],
				['bytes=600000-', 206],
			]);
			await expectNothingStored(store);
		});
	});

	describe('throttling and server errors are retried like API calls', () => {
		it('429, then 503 SlowDown, then the file', async () => {
			faults = [
				{ kind: 'status', status: 429, headers: { 'Retry-After': '0' } },
				{ kind: 'status', status: 503, body: OSS_SLOWDOWN },
			];
			const result = await downloadToBinary(contextFor(store), request());
			expectVerified(result, 3, 0);
			expect(store.calls).toBe(1);
			await expectStoredExactlyTheFile(store);
		});

		it('honours Retry-After', async () => {
			faults = [
				{ kind: 'status', status: 503, body: OSS_SLOWDOWN, headers: { 'Retry-After': '1' } },
			];
			const started = Date.now();
			const result = await downloadToBinary(contextFor(store), request());
			expect(Date.now() - started).toBeGreaterThanOrEqual(950);
			expectVerified(result, 2, 0);
		});

		it('does not retry when Retry-After is longer than the policy allows, and says so', async () => {
			faults = [
				{ kind: 'status', status: 503, body: OSS_SLOWDOWN, headers: { 'Retry-After': '60' } },
			];
			const error = await failureOf(downloadToBinary(contextFor(store), request()));
			expect(error.kind).toBe('server');
			expect(error.message).toMatch(
				/asked to wait 60 s before retrying, longer than the 2 s this node waits/,
			);
			expect(error.message).not.toMatch(/after \d+ tries/);
			expect(log).toHaveLength(1);
			await expectNothingStored(store);
		});

		it('gives up after the policy tries on a storage that keeps answering 503 SlowDown', async () => {
			faults = Array.from(
				{ length: 3 },
				() => ({ kind: 'status', status: 503, body: OSS_SLOWDOWN }) as Fault,
			);
			const error = await failureOf(downloadToBinary(contextFor(store), request()));
			expect(error.kind).toBe('server');
			expect(error.details).toMatchObject({
				httpStatus: 503,
				code: 'SlowDown',
				action: 'download',
			});
			expect(error.message).toBe(
				`The download of backup.rdb failed after 3 tries; the last one: The storage service answered HTTP 503 (SlowDown) for ${origin}/bucket/backup.rdb`,
			);
			expectNoSecret(error);
			expect(log).toHaveLength(3);
			expect(store.calls).toBe(0);
		});

		it('a connection dropped before the response is retried', async () => {
			faults = [{ kind: 'dropBeforeHeaders' }];
			const result = await downloadToBinary(contextFor(store), request());
			expectVerified(result, 2, 0);
			await expectStoredExactlyTheFile(store);
		});

		it('response headers later than the response timeout: that try is abandoned and retried', async () => {
			faults = [{ kind: 'slowHeaders', ms: 1_000 }];
			const result = await downloadToBinary(contextFor(store), request({ responseTimeoutMs: 200 }));
			expectVerified(result, 2, 0);
			await expectStoredExactlyTheFile(store);
		});

		it('a refused connection is retried, then reported with the tries and the cause', async () => {
			const closed = createServer();
			await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
			const port = (closed.address() as AddressInfo).port;
			await new Promise((resolve) => closed.close(resolve));
			const error = await failureOf(
				downloadToBinary(
					contextFor(store),
					request({ url: `http://127.0.0.1:${port}/x.rdb?${SIGNED_QUERY}` }),
				),
			);
			expect(error.kind).toBe('network');
			expect(error.message).toMatch(
				new RegExp(
					`^The download of backup\\.rdb failed after 3 tries; the last one: Could not download backup\\.rdb from http://127\\.0\\.0\\.1:${port}/x\\.rdb: .*ECONNREFUSED`,
				),
			);
			expectNoSecret(error);
			expect(store.calls).toBe(0);
		});
	});

	describe('errors that are not retried', () => {
		it.each([
			[400, 'client'],
			[404, 'notFound'],
			[416, 'client'],
		] as const)('HTTP %i is %s, after one request', async (status, kind) => {
			faults = [{ kind: 'status', status, body: '<Error><Code>Something</Code></Error>' }];
			const error = await failureOf(downloadToBinary(contextFor(store), request()));
			expect(error.details).toMatchObject({
				kind,
				httpStatus: status,
				action: 'download',
				code: 'Something',
			});
			expect(error.message).toBe(
				`The storage service answered HTTP ${status} (Something) for ${origin}/bucket/backup.rdb`,
			);
			expect(log).toHaveLength(1);
			expect(store.calls).toBe(0);
		});

		it('an expired URL (403 "Request has expired") keeps its own error, with advice about fresh URLs', async () => {
			faults = [{ kind: 'status', status: 403, body: OSS_EXPIRED }];
			const error = await failureOf(downloadToBinary(contextFor(store), request()));
			expect(error.message).toBe('The download URL of backup.rdb has expired');
			expect(error.kind).toBe('auth');
			expect(error.details.hint).toMatch(/fresh/);
			expect(error.details.body).toBe(OSS_EXPIRED);
			expect(log).toHaveLength(1);
		});

		it('any other 403 is about the storage and the presigned URL, not the API credentials', async () => {
			faults = [{ kind: 'status', status: 403, body: OSS_DENIED }];
			const error = await failureOf(downloadToBinary(contextFor(store), request()));
			expect(error.kind).toBe('auth');
			expect(error.message).toBe(
				`The storage service answered HTTP 403 (AccessDenied) for ${origin}/bucket/backup.rdb`,
			);
			expect(error.details.hint).toMatch(/presigned download URL \(not your API credentials\)/);
			expect(log).toHaveLength(1);
		});

		it('reads at most ERROR_BODY_LIMIT of an error body', async () => {
			faults = [{ kind: 'bigErrorBody', status: 400 }];
			const error = await failureOf(downloadToBinary(contextFor(store), request()));
			expect(String(error.details.body)).toHaveLength(ERROR_BODY_LIMIT);
			expect(error.kind).toBe('client');
		});

		it('a Content-Length other than the size the cloud reported: integrity, before anything is stored', async () => {
			const error = await failureOf(
				downloadToBinary(contextFor(store), request({ expectedBytes: FILE_SIZE - 1 })),
			);
			expect(error.kind).toBe('integrity');
			expect(error.message).toBe(
				`backup.rdb: the storage service announced ${FILE_SIZE} bytes but the cloud reported ${FILE_SIZE - 1}`,
			);
			expect(store.calls).toBe(0);
			expect(log).toHaveLength(1);
		});

		it('fewer bytes on the storage than the cloud reported (416 to the resume): integrity; nothing stored', async () => {
			// No Content-Length, a clean end after the whole file: short of the size the cloud reported, so the rest is
			// asked for with Range, and the storage has nothing more.
			faults = [{ kind: 'chunked', bytes: FILE_SIZE }];
			const error = await failureOf(
				downloadToBinary(contextFor(store), request({ expectedBytes: FILE_SIZE + 100 })),
			);
			expect(error.kind).toBe('integrity');
			expect(error.message).toBe(
				`The download of backup.rdb failed after 2 tries; the last one: backup.rdb is shorter than expected: the storage service has no bytes after the first ${FILE_SIZE} (HTTP 416 to a Range request), fewer than the cloud reported`,
			);
			expect(log.map((entry) => [entry.range, entry.status])).toEqual([
				[undefined, 200],
				[`bytes=${FILE_SIZE}-`, 416],
			]);
			await expectNothingStored(store);
		});

		it('more bytes than the cloud reported (no Content-Length): integrity, thrown before the excess is stored', async () => {
			faults = [{ kind: 'chunked', bytes: FILE_SIZE }];
			const error = await failureOf(
				downloadToBinary(contextFor(store), request({ expectedBytes: FILE_SIZE - 10 })),
			);
			expect(error.kind).toBe('integrity');
			expect(error.message).toBe(
				`backup.rdb is longer than expected: more than ${FILE_SIZE - 10} bytes arrived (the size the cloud reported)`,
			);
			expect(log).toHaveLength(1);
			await expectNothingStored(store);
		});
	});

	describe('Max File Size', () => {
		it('refuses from the size the cloud reported, before any request', async () => {
			const error = await failureOf(
				downloadToBinary(contextFor(store), request({ maxBytes: 1024 * 1024 })),
			);
			expect(error.kind).toBe('client');
			expect(error.message).toBe(
				'backup.rdb is 3.0 MiB, above the limit of 1.0 MiB set in "Max File Size"',
			);
			expect(log).toHaveLength(0);
		});

		it('refuses from Content-Length when the cloud reported no size; nothing stored', async () => {
			const error = await failureOf(
				downloadToBinary(
					contextFor(store),
					request({ expectedBytes: null, maxBytes: 1024 * 1024 }),
				),
			);
			expect(error.message).toBe(
				'backup.rdb is 3.0 MiB, above the limit of 1.0 MiB set in "Max File Size"',
			);
			expect(store.calls).toBe(0);
		});

		it('stops a body without any announced size once it passes the limit; nothing stored', async () => {
			faults = [{ kind: 'chunked', bytes: FILE_SIZE }];
			const error = await failureOf(
				downloadToBinary(
					contextFor(store),
					request({ expectedBytes: null, maxBytes: 1024 * 1024 }),
				),
			);
			expect(error.message).toBe(
				'backup.rdb is more than 1.0 MiB, above the limit of 1.0 MiB set in "Max File Size"',
			);
			expect(error.kind).toBe('client');
			await expectNothingStored(store);
		});
	});

	describe('redirects and targets: http and https only', () => {
		it('follows an http redirect (checked hop by hop)', async () => {
			faults = [{ kind: 'redirect', location: `/other/backup.rdb?${SIGNED_QUERY}` }];
			const result = await downloadToBinary(contextFor(store), request());
			expectVerified(result, 1, 0);
			await expectStoredExactlyTheFile(store);
			expect(log.map((entry) => [entry.path, entry.status])).toEqual([
				['/bucket/backup.rdb', 302],
				['/other/backup.rdb', 200],
			]);
		});

		it.each([
			['file:', 'file:///etc/passwd'],
			['data:', 'data:application/octet-stream;base64,SGVsbG8='],
		])(
			'refuses a redirect to a %s URL, without echoing the signed query',
			async (protocol, location) => {
				faults = [{ kind: 'redirect', location, status: 307 }];
				const error = await failureOf(downloadToBinary(contextFor(store), request()));
				expect(error.kind).toBe('client');
				expect(error.message).toBe(
					`The storage service redirected the download of backup.rdb from ${origin}/bucket/backup.rdb to a ${protocol} URL; only http and https are downloaded`,
				);
				expectNoSecret(error);
				expect(error.message).not.toContain('passwd');
				expect(error.message).not.toContain('SGVsbG8');
				expect(log).toHaveLength(1);
				expect(store.calls).toBe(0);
			},
		);

		it(`stops after ${MAX_REDIRECTS} redirects`, async () => {
			faults = Array.from(
				{ length: 10 },
				() => ({ kind: 'redirect', location: `/other/backup.rdb?${SIGNED_QUERY}` }) as Fault,
			);
			const error = await failureOf(downloadToBinary(contextFor(store), request()));
			expect(error.kind).toBe('malformed');
			expect(error.message).toBe(
				`The storage service redirected the download of backup.rdb more than ${MAX_REDIRECTS} times`,
			);
			expect(log).toHaveLength(MAX_REDIRECTS + 1);
		});

		it.each([
			['file:///etc/passwd?Signature=SECRETSIGNATURE', 'file:'],
			['data:text/plain,Signature=SECRETSIGNATURE', 'data:'],
			['ftp://example.com/backup.rdb?Signature=SECRETSIGNATURE', 'ftp:'],
		])('refuses %s before sending anything', async (url, protocol) => {
			const httpRequest = jest.fn(n8nHttpRequest);
			const context = contextFor(store);
			(context.helpers as { httpRequest: unknown }).httpRequest = httpRequest;
			const error = await failureOf(downloadToBinary(context, request({ url })));
			expect(error.kind).toBe('client');
			expect(error.message).toBe(
				`The download URL of backup.rdb is not an http or https URL (${protocol}); only http and https are downloaded`,
			);
			expectNoSecret(error);
			expect(httpRequest).not.toHaveBeenCalled();
		});
	});

	describe('cancellation', () => {
		it('during a retry wait: ends at once with kind cancelled, nothing stored', async () => {
			faults = [
				{ kind: 'status', status: 503, body: OSS_SLOWDOWN, headers: { 'Retry-After': '10' } },
			];
			const cancel = new AbortController();
			const started = Date.now();
			setTimeout(() => cancel.abort(), 200);
			const error = await failureOf(
				downloadToBinary(
					contextFor(store, cancel.signal),
					request({ retryPolicy: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20_000 } }),
				),
			);
			expect(Date.now() - started).toBeLessThan(2_000);
			expect(error.message).toBe('The execution was cancelled');
			expect(error.details).toMatchObject({
				kind: 'cancelled',
				provider: 'test',
				action: 'download',
			});
			expect(log).toHaveLength(1);
			expect(store.calls).toBe(0);
		});

		it('during the body: the response is aborted at once, the store fails and keeps nothing', async () => {
			faults = [{ kind: 'stall', after: 1_000_000 }];
			const cancel = new AbortController();
			const started = Date.now();
			setTimeout(() => cancel.abort(), 300);
			const error = await failureOf(
				downloadToBinary(contextFor(store, cancel.signal), request({ idleTimeoutMs: 20_000 })),
			);
			expect(Date.now() - started).toBeLessThan(2_000);
			expect(error.message).toBe('The execution was cancelled');
			expect(error.kind).toBe('cancelled');
			// The request itself was aborted: the server saw its connection close, within moments of the cancel.
			await waitFor(() => log[0].closedAt !== undefined);
			expect(log[0].closedAt! - started).toBeLessThan(1_000);
			expect(store.outcomes).toEqual(['failed']);
			await expectNothingStored(store);
			expect(log).toHaveLength(1);
		});

		it('with a non-Error abort reason (as n8n may use): still "The execution was cancelled"', async () => {
			faults = [{ kind: 'stall', after: 200_000 }];
			const cancel = new AbortController();
			setTimeout(() => cancel.abort('user pressed Stop'), 200);
			const error = await failureOf(
				downloadToBinary(contextFor(store, cancel.signal), request({ idleTimeoutMs: 20_000 })),
			);
			expect(error.message).toBe('The execution was cancelled');
			await expectNothingStored(store);
		});

		it('already cancelled: sends nothing', async () => {
			const cancel = new AbortController();
			cancel.abort();
			const error = await failureOf(downloadToBinary(contextFor(store, cancel.signal), request()));
			expect(error.kind).toBe('cancelled');
			expect(log).toHaveLength(0);
		});
	});
});

/**
 * The same downloader with another provider's checksum: US3's ETag (UCloud), a hash of 4 MiB blocks sent quoted in
 * `ETag`, over a file of three blocks. What the CRC-64 tests above prove holds for any spec: computed while the bytes
 * stream, continued across a resume, compared at the end, a corrupt body refused before the store keeps it.
 */
describe.each(CONSUMERS)('downloadToBinary verified by a US3 ETag, store consuming by %s', (consumer) => {
	let store: TestStore;
	beforeEach(async () => {
		store = await newStore(consumer);
	});
	const big = FILES['/bucket/big.rdb'];
	const etagRequest = (overrides: Partial<DownloadRequest> = {}) =>
		request({
			url: `${origin}/bucket/big.rdb?${SIGNED_QUERY}`,
			expectedBytes: BIG_SIZE,
			checksum: US3_ETAG_CHECKSUM,
			...overrides,
		});
	const expectStoredBig = async () => {
		const { files, temps } = await storedFiles(store);
		expect(temps).toEqual([]);
		expect(files).toHaveLength(1);
		expect(files[0].equals(BIG)).toBe(true);
	};
	const verifiedBig = { algorithm: 'us3-etag', expected: big.etag, actual: big.etag, verified: true };

	it('a clean download is verified against the ETag, computed while streaming (unquoted)', async () => {
		const result = await downloadToBinary(contextFor(store), etagRequest());
		expect(result.checksum).toEqual(verifiedBig);
		expect({ bytes: result.bytes, attempts: result.attempts }).toEqual({ bytes: BIG_SIZE, attempts: 1 });
		await expectStoredBig();
	});

	it('a body cut off inside the second block is resumed with Range, the same hash continued', async () => {
		const after = 4 * 1024 * 1024 + 300_007;
		faults = [{ kind: 'reset', after }];
		const result = await downloadToBinary(contextFor(store), etagRequest());
		expect(result.checksum).toEqual(verifiedBig);
		expect({ attempts: result.attempts, resumes: result.resumes }).toEqual({ attempts: 2, resumes: 1 });
		expect(log.map((entry) => [entry.range, entry.status])).toEqual([
			[undefined, 200],
			[`bytes=${after}-`, 206],
		]);
		expect(store.calls).toBe(1);
		await expectStoredBig();
	});

	it('one flipped byte (right length, clean ETag): the store fails, the file is fetched again from the start', async () => {
		faults = [{ kind: 'flip', at: 8 * 1024 * 1024 + 5 }];
		const result = await downloadToBinary(contextFor(store), etagRequest());
		expect(result.checksum).toEqual(verifiedBig);
		expect(store.outcomes).toEqual(['failed', 'stored']);
		expect(log.map((entry) => [entry.range, entry.status])).toEqual([
			[undefined, 200],
			[undefined, 200],
		]);
		await expectStoredBig();
	});

	it('corruption on every try: integrity, naming both ETags; nothing stored', async () => {
		const at = 123_456;
		faults = [
			{ kind: 'flip', at },
			{ kind: 'flip', at },
			{ kind: 'flip', at },
		];
		const error = await failureOf(downloadToBinary(contextFor(store), etagRequest()));
		expect(error.kind).toBe('integrity');
		const flipped = Buffer.from(BIG);
		flipped[at] ^= 0x01;
		expect(error.message).toBe(
			`The download of backup.rdb failed after 3 tries; the last one: backup.rdb is corrupt: the US3 ETag checksum of the ${BIG_SIZE} bytes received is ${emulatorUs3Etag(flipped)}, the storage service's etag is ${big.etag}`,
		);
		expect(store.outcomes).toEqual(['failed', 'failed', 'failed']);
		await expectNothingStored(store);
	});

	it('an ETag that is not a US3 ETag (an MD5 in hex): stored, not verified, not an error', async () => {
		faults = [{ kind: 'foreignChecksum' }];
		const result = await downloadToBinary(contextFor(store), etagRequest());
		expect(result.checksum).toEqual({ algorithm: 'us3-etag', expected: null, actual: big.etag, verified: false });
		expect(result.attempts).toBe(1);
		await expectStoredBig();
	});

	it('no ETag: stored, not verified (the ETag is still computed)', async () => {
		faults = [{ kind: 'noChecksum' }];
		const result = await downloadToBinary(contextFor(store), etagRequest());
		expect(result.checksum).toEqual({ algorithm: 'us3-etag', expected: null, actual: big.etag, verified: false });
		await expectStoredBig();
	});

	it('a 206 with another ETag (the file changed): integrity, not retried, nothing stored', async () => {
		faults = [{ kind: 'reset', after: 5_000_000 }, { kind: 'changedChecksum' }];
		const error = await failureOf(downloadToBinary(contextFor(store), etagRequest()));
		expect(error.kind).toBe('integrity');
		expect(error.message).toContain(
			`backup.rdb changed on the storage while it was being downloaded (its etag went from ${big.etag} to ${big.changed.etag})`,
		);
		expect(log).toHaveLength(2);
		await expectNothingStored(store);
	});

	it('a 206 whose ETag is no longer a US3 ETag is a changed file too', async () => {
		faults = [{ kind: 'reset', after: 5_000_000 }, { kind: 'foreignChecksum' }];
		const error = await failureOf(downloadToBinary(contextFor(store), etagRequest()));
		expect(error.kind).toBe('integrity');
		expect(error.message).toContain(`(its etag went from ${big.etag} to ${FOREIGN_ETAG})`);
		await expectNothingStored(store);
	});
});

describe('the store refusing the file', () => {
	it("explains n8n's database-mode size limit", async () => {
		const context = {
			helpers: {
				httpRequest: n8nHttpRequest,
				prepareBinaryData: async (body: Readable) => {
					await network.binaryToBuffer(body);
					throw Object.assign(
						new Error('File is too large to be stored in the database (max 512 MiB)'),
						{
							name: 'FileTooLargeError',
						},
					);
				},
			},
			getExecutionCancelSignal: () => undefined,
		} as unknown as IExecuteFunctions;
		const error = await failureOf(downloadToBinary(context, request()));
		expect(error.kind).toBe('client');
		expect(error.message).toMatch(
			/^n8n could not store backup\.rdb: File is too large .*database binary mode .* N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE; use filesystem or S3/,
		);
		expect(log).toHaveLength(1);
	});
});

describe('defaults', () => {
	it('waits 60 s for response headers and 60 s for the next byte of a body', () => {
		expect(DEFAULT_RESPONSE_TIMEOUT_MS).toBe(60_000);
		expect(DEFAULT_IDLE_TIMEOUT_MS).toBe(60_000);
		expect(MAX_REDIRECTS).toBe(5);
	});
});

// ---- Through n8n's engine: real prepareBinaryData into n8n's filesystem store, real cancel signal ------------------

const TEST_NODE_TYPE = 'test.download';

class TestDownload implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Test Download',
		name: 'testDownload',
		usableAsTool: true,
		group: ['transform'],
		version: 1,
		description: 'downloadToBinary in a node',
		defaults: { name: 'Test Download' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'URL', name: 'url', type: 'string', default: '' },
			{ displayName: 'Idle', name: 'idleTimeoutMs', type: 'number', default: 5000 },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const result = await downloadToBinary(
			this,
			request({
				url: this.getNodeParameter('url', 0) as string,
				idleTimeoutMs: this.getNodeParameter('idleTimeoutMs', 0) as number,
			}),
		);
		const { binary, ...rest } = result;
		return [[{ json: { ...rest }, binary: { data: binary }, pairedItem: { item: 0 } }]];
	}
}

async function runThroughEngine(
	parameters: { url: string; idleTimeoutMs?: number },
	signal?: AbortSignal,
) {
	const node = (name: string, type: string, extra: Partial<INode> = {}): INode => ({
		id: name,
		name,
		type,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		...extra,
	});
	return await runWorkflow({
		workflow: {
			nodes: [
				node('Manual', 'n8n-nodes-base.manualTrigger'),
				node('Download', TEST_NODE_TYPE, { parameters }),
			],
			connections: {
				Manual: { main: [[{ node: 'Download', type: NodeConnectionTypes.Main, index: 0 }]] },
			},
		},
		nodeTypes: { [TEST_NODE_TYPE]: new TestDownload() },
		credentialTypes: [],
		signal,
	});
}

/** Every file under n8n's binary store folder (temp files included), but its `.metadata` sidecars. */
async function filesUnder(dir: string): Promise<string[]> {
	const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
	return entries
		.filter((entry) => entry.isFile() && !entry.name.endsWith('.metadata'))
		.map((entry) => path.join(entry.parentPath ?? '', entry.name));
}

describe("through n8n's engine and its filesystem binary store", () => {
	let storeDir: string;
	beforeAll(async () => {
		storeDir = await initBinaryDataStore();
	});

	it('stores the verified file on disk (read back byte for byte)', async () => {
		const before = (await filesUnder(storeDir)).length;
		const result = await runThroughEngine({ url: fileUrl() });
		expect(result.status).toBe('success');
		const [item] = result.output('Download');
		expect(item.json).toMatchObject({
			bytes: FILE_SIZE,
			attempts: 1,
			resumes: 0,
			checksum: { verified: true },
		});
		expect(item.binary?.data.id).toMatch(/^filesystem/);
		expect((await readBinary(item.binary!.data)).equals(FILE)).toBe(true);
		expect((await filesUnder(storeDir)).length).toBe(before + 1);
	});

	it('a flipped byte, then a reset: starts over once, resumes once, stores the exact file and only it', async () => {
		const before = (await filesUnder(storeDir)).length;
		faults = [
			{ kind: 'flip', at: 42 },
			{ kind: 'reset', after: 2_000_000 },
		];
		const result = await runThroughEngine({ url: fileUrl() });
		expect(result.status).toBe('success');
		const [item] = result.output('Download');
		expect(item.json).toMatchObject({
			bytes: FILE_SIZE,
			attempts: 3,
			resumes: 1,
			checksum: { verified: true },
		});
		expect((await readBinary(item.binary!.data)).equals(FILE)).toBe(true);
		expect(log.map((entry) => entry.range)).toEqual([undefined, undefined, 'bytes=2000000-']);
		// The corrupt pass left nothing behind: one new file.
		const added = (await filesUnder(storeDir)).length - before;
		expect(added).toBe(1);
	});

	it('cancelled during the body (Stop): the execution is canceled, nothing left in the store', async () => {
		const before = await filesUnder(storeDir);
		faults = [{ kind: 'stall', after: 1_000_000 }];
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 400);
		const started = Date.now();
		const result = await runThroughEngine(
			{ url: fileUrl(), idleTimeoutMs: 20_000 },
			controller.signal,
		);
		expect(Date.now() - started).toBeLessThan(3_000);
		expect(result.status).toBe('canceled');
		expect(result.nodeError('Download')?.message).toBe('The execution was cancelled');
		expect(await filesUnder(storeDir)).toEqual(before);
	});
});

// ---- The small helpers other modules use -----------------------------------------------------------------------

describe('storageErrorKind', () => {
	it.each([
		[400, 'client'],
		[401, 'auth'],
		[403, 'auth'],
		[404, 'notFound'],
		[409, 'client'],
		[416, 'client'],
		[429, 'throttled'],
		[500, 'server'],
		[503, 'server'],
		[302, 'malformed'],
	] as const)('HTTP %i is %s', (status, kind) => {
		expect(storageErrorKind(status)).toBe(kind);
	});
});

describe('redactUrl', () => {
	it('keeps origin and path of http(s) URLs, never the query', () => {
		expect(redactUrl('https://bucket.example.com/dir/file.rdb?Expires=1&Signature=secret')).toBe(
			'https://bucket.example.com/dir/file.rdb',
		);
	});

	it('names only the scheme of other URLs', () => {
		expect(redactUrl('data:text/plain,secret')).toBe('(a data: URL)');
		expect(redactUrl('file:///etc/passwd')).toBe('(a file: URL)');
		expect(redactUrl('not a url')).toBe('(invalid URL)');
	});
});

describe('readErrorBodyStart', () => {
	it('returns a short body whole', async () => {
		expect(await readErrorBodyStart(Readable.from([Buffer.from('abc'), Buffer.from('def')]))).toBe(
			'abcdef',
		);
	});

	it('cuts at the limit', async () => {
		expect(await readErrorBodyStart(Readable.from([Buffer.from('abcdef')]), 4)).toBe('abcd');
		expect(await readErrorBodyStart('abcdef', 3)).toBe('abc');
	});

	it('reads at most ~2 KB and destroys the stream instead of reading the rest', async () => {
		let pulled = 0;
		const CHUNK = Buffer.alloc(512, 'x');
		const body = Readable.from(
			(function* () {
				for (let i = 0; i < 20_480; i++) {
					pulled++;
					yield CHUNK;
				}
			})(),
		);
		expect(await readErrorBodyStart(body)).toHaveLength(ERROR_BODY_LIMIT);
		expect(pulled).toBeLessThan(16);
		expect(body.destroyed).toBe(true);
	});

	it('keeps what was read when the body breaks off', async () => {
		const broken = new Readable({ read() {} });
		broken.push(Buffer.from('partial'));
		setTimeout(() => broken.destroy(new Error('socket hang up')), 10);
		expect(await readErrorBodyStart(broken)).toBe('partial');
	});

	it('returns an empty string for a missing body', async () => {
		expect(await readErrorBodyStart(undefined)).toBe('');
		expect(await readErrorBodyStart(null)).toBe('');
	});
});

describe('urlNeedsRefresh (when to fetch fresh presigned URLs before a download)', () => {
	const now = Date.UTC(2026, 10, 23, 12, 0, 0);
	const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

	it('is 5 minutes', () => {
		expect(URL_REFRESH_MARGIN_MS).toBe(300_000);
	});

	it.each([
		['already expired', -60_000, true],
		['expiring now', 0, true],
		['expiring in 4 minutes', 4 * 60_000, true],
		['expiring in exactly 5 minutes', 5 * 60_000, true],
		['expiring in 6 minutes', 6 * 60_000, false],
		['expiring in an hour', 3_600_000, false],
	])('%s -> %p', (_label, inMs, expected) => {
		expect(urlNeedsRefresh(iso(now + inMs), now)).toBe(expected);
	});

	it('an unknown or unreadable expiry does not trigger a refresh', () => {
		expect(urlNeedsRefresh(null, now)).toBe(false);
		expect(urlNeedsRefresh('soon', now)).toBe(false);
	});
});
