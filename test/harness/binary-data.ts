import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { BINARY_ENCODING } from 'n8n-workflow';
import type { IBinaryData } from 'n8n-workflow';
import { BinaryDataConfig, BinaryDataService } from 'n8n-core';

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
