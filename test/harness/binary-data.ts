import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { BINARY_ENCODING } from 'n8n-workflow';
import type { IBinaryData } from 'n8n-workflow';
import { BinaryDataConfig, BinaryDataService, FileTooLargeError } from 'n8n-core';

import { ensureN8nEnv, n8nCoreContainer } from './n8n-env';

let store: { dir: string; ownedByHarness: boolean } | undefined;

/**
 * Puts n8n-core's BinaryDataService into `filesystem` mode under `dir` (default: a temp folder),
 * so `prepareBinaryData(stream, …)` streams to disk as in a regular n8n instance.
 *
 * Until `init()` runs, BinaryDataService has no manager at all and `store()` silently falls back to
 * buffering the whole body in memory as base64 (n8n-core dist/binary-data/binary-data.service.js,
 * `store` → `binaryToBuffer`) — the behaviour we want our tests to rule out. Idempotent: later calls
 * return the first directory.
 */
export async function initBinaryDataStore(dir?: string): Promise<string> {
	if (store) return store.dir;
	const env = ensureN8nEnv();
	const target = dir ?? path.join(env.root, 'storage');
	// Env first (read by the @Config classes when first built) …
	process.env.N8N_DEFAULT_BINARY_DATA_MODE = 'filesystem';
	process.env.N8N_BINARY_DATA_STORAGE_PATH = target;
	await mkdir(target, { recursive: true });
	const container = n8nCoreContainer();
	// … and the config object too, in case something built it before us with other values:
	// BinaryDataService.init() reads mode and path from this very object.
	Object.assign(container.get(BinaryDataConfig), { mode: 'filesystem', localStoragePath: target });
	await container.get(BinaryDataService).init();
	store = { dir: target, ownedByHarness: dir === undefined };
	return target;
}

/** Reads a binary produced by a node back into memory (small files; use binaryStream for large). */
export async function readBinary(binary: IBinaryData): Promise<Buffer> {
	return await n8nCoreContainer().get(BinaryDataService).getAsBuffer(binary);
}

/** Streams a binary back from the store, e.g. to hash a large download without buffering it. */
export async function binaryStream(binary: IBinaryData): Promise<NodeJS.ReadableStream> {
	if (!binary.id) {
		// In-memory ("default" mode) binaries carry their bytes as base64 in `data`.
		return Readable.from([Buffer.from(binary.data, BINARY_ENCODING)]);
	}
	return await n8nCoreContainer().get(BinaryDataService).getAsStream(binary.id);
}

/**
 * Deletes what the harness created: its default store and its temp n8n user folder. A directory
 * the caller passed to initBinaryDataStore() belongs to the caller and is left alone.
 */
export async function cleanupBinaryDataStore(): Promise<void> {
	const env = ensureN8nEnv();
	if (store?.ownedByHarness) await rm(store.dir, { recursive: true, force: true });
	if (env.created) await rm(env.root, { recursive: true, force: true });
	// BinaryDataService stays initialised; FsByteStore re-creates directories on the next write.
	store = undefined;
}

/** What the database-mode stand-in was given. */
export interface DatabaseModeStore {
	/** Every file stored (the node's 0-byte mode probe included), as n8n's DatabaseManager would insert a row. */
	rows: Array<{ fileId: string; fileName?: string; size: number }>;
	/** The largest body any store call buffered (refused ones included): 0 means nothing was ever buffered. */
	maxBufferedBytes: number;
	/** Calls refused with n8n's FileTooLargeError. */
	refused: number;
}

/**
 * Puts n8n-core's BinaryDataService into `database` mode, as `N8N_DEFAULT_BINARY_DATA_MODE=database` does (and queue
 * mode by default), with N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE = `maxFileSizeMiB` in the environment and the config.
 * n8n's DatabaseManager lives in the `n8n` package and needs its database, so a stand-in does what its `store` does
 * (n8n 2.41 dist/binary-data/database.manager.js): buffer the whole stream (n8n's binaryToBuffer), refuse it with
 * FileTooLargeError above the limit, else keep it. Needs initBinaryDataStore() first; returns what was stored and a
 * `restore()` back to filesystem mode.
 */
export async function useDatabaseBinaryMode(
	maxFileSizeMiB = 512,
): Promise<{ store: DatabaseModeStore; restore: () => Promise<void> }> {
	const dir = await initBinaryDataStore();
	const container = n8nCoreContainer();
	const config = container.get(BinaryDataConfig);
	const service = container.get(BinaryDataService);
	const saved = {
		mode: process.env.N8N_DEFAULT_BINARY_DATA_MODE,
		max: process.env.N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE,
	};
	process.env.N8N_DEFAULT_BINARY_DATA_MODE = 'database';
	process.env.N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE = String(maxFileSizeMiB);
	const store: DatabaseModeStore = { rows: [], maxBufferedBytes: 0, refused: 0 };
	const kept = new Map<string, Buffer>();
	const standIn = {
		init: async () => {},
		async store(_location: unknown, bufferOrStream: Buffer | Readable, metadata: { fileName?: string }) {
			const buffer = Buffer.isBuffer(bufferOrStream) ? bufferOrStream : await bufferOf(bufferOrStream);
			store.maxBufferedBytes = Math.max(store.maxBufferedBytes, buffer.length);
			const fileId = `db-${store.rows.length + store.refused + 1}`;
			const fileSizeMb = buffer.length / (1024 * 1024);
			if (fileSizeMb > config.dbMaxFileSize) {
				store.refused++;
				throw new FileTooLargeError({ fileSizeMb, maxFileSizeMb: config.dbMaxFileSize, fileId, fileName: metadata.fileName });
			}
			kept.set(fileId, buffer);
			store.rows.push({ fileId, fileName: metadata.fileName, size: buffer.length });
			return { fileId, fileSize: buffer.length };
		},
		getPath: (fileId: string) => `database://${fileId}`,
		getAsBuffer: async (fileId: string) => kept.get(fileId) ?? Buffer.alloc(0),
		getAsStream: async (fileId: string) => Readable.from([kept.get(fileId) ?? Buffer.alloc(0)]),
		getMetadata: async (fileId: string) => ({ fileSize: kept.get(fileId)?.length ?? 0 }),
		deleteMany: async () => {},
	};
	service.setManager('database', standIn as unknown as Parameters<BinaryDataService['setManager']>[1]);
	Object.assign(config, { mode: 'database', dbMaxFileSize: maxFileSizeMiB });
	await service.init();
	return {
		store,
		restore: async () => {
			for (const [name, value] of [
				['N8N_DEFAULT_BINARY_DATA_MODE', saved.mode],
				['N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE', saved.max],
			] as const) {
				if (value === undefined) delete process.env[name];
				else process.env[name] = value;
			}
			Object.assign(config, { mode: 'filesystem', localStoragePath: dir, dbMaxFileSize: 512 });
			await service.init();
		},
	};
}

/** n8n's binaryToBuffer (n8n-core's copy of @n8n/backend-network), as the database store buffers. */
async function bufferOf(stream: Readable): Promise<Buffer> {
	const modulePath = require.resolve('@n8n/backend-network', { paths: [path.dirname(require.resolve('n8n-core'))] });
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- n8n-core's nested copy
	const network = require(modulePath) as { binaryToBuffer: (body: Readable) => Promise<Buffer> };
	return await network.binaryToBuffer(stream);
}
