/**
 * What n8n's binary data store of this process can hold, so that Download refuses a file it cannot store BEFORE
 * downloading it (n8n's own refusal comes only after the whole file was buffered in memory).
 *
 * n8n 2.41 (n8n-core `BinaryDataConfig`, n8n `DatabaseManager`): the mode is N8N_DEFAULT_BINARY_DATA_MODE, else
 * `database` in queue mode and `filesystem` in regular mode. `filesystem` streams to disk (no limit); `database`
 * buffers the whole file and refuses it above N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE MiB (default 512, at most
 * 1024); `s3` and `azure` buffer it too but have no limit of their own; `default` (in memory, no manager) buffers it
 * and keeps it as base64 text, which Node cannot make longer than 2^29 - 24 characters (about 384 MiB of file).
 *
 * How a node can know: node code may not read the process environment (n8n's community lint and the verification scanner
 * refuse the `process` global), and `$env` in expressions is blocked by default in n8n 2.x
 * (N8N_BLOCK_ENV_ACCESS_IN_NODE is on unless set to `false`). What every mode does tell is the ID of what it stores:
 * `prepareBinaryData` returns `id: "<mode>:<file id>"` (`filesystem-v2`, `database`, `s3`, `azure`; no ID in memory
 * mode). So the mode is read from storing an empty probe (0 bytes, attached to no item, removed with the execution's
 * other binary data), once per node run and only when a file is big enough for a limit to matter. The database
 * limit is read from `$env` where the instance allows it, else n8n's default is assumed; the node's "Max File Size"
 * option, when set, replaces the whole guess.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { formatBytes, type StoreLimit } from './download';

const MIB = 1024 * 1024;

/** n8n's default N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE, in MiB. */
export const DATABASE_MODE_DEFAULT_MAX_MIB = 512;
/** The largest N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE n8n accepts, in MiB. */
export const DATABASE_MODE_MAX_MIB = 1024;
/** The largest file whose base64 text fits in one V8 string (2^29 - 24 characters): in-memory mode's limit. */
export const MEMORY_MODE_MAX_BYTES = Math.floor((2 ** 29 - 24) / 4) * 3;
/**
 * Files up to this size are stored without asking the mode: buffering them costs little, and n8n's own refusal (if
 * an instance's database limit is set this low) is still explained by the node.
 */
export const STORE_CHECK_MIN_BYTES = 16 * MIB;

export const DATABASE_MODE_ENV = 'N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE';

/** n8n's binary data mode in this process, as the store names it (`filesystem`, `database`, `s3`, `azure`, `default`). */
export interface BinaryStore {
	mode: string;
	/** The largest file the mode stores, null when it has no limit of its own. */
	limit: StoreLimit | null;
}

const WAY_OUT =
	"Use Backup → Copy to Object Storage, which streams the file to a bucket without n8n's binary store, or store n8n's binary data on disk (N8N_DEFAULT_BINARY_DATA_MODE=filesystem; regular mode) or in S3 (s3 mode).";

/** The store's mode from the ID of what it stored. */
export function modeOfBinaryId(id: string | undefined): string {
	if (!id) return 'default';
	const mode = id.slice(0, Math.max(0, id.indexOf(':'))) || 'unknown';
	return mode === 'filesystem-v2' ? 'filesystem' : mode;
}

/** N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE as `$env` shows it, or undefined (blocked, unset or not a size). */
function databaseLimitMiBOf(context: IExecuteFunctions, itemIndex: number): number | undefined {
	let value: unknown;
	try {
		value = context.evaluateExpression(`{{ $env.${DATABASE_MODE_ENV} }}`, itemIndex);
	} catch {
		// $env is blocked (N8N_BLOCK_ENV_ACCESS_IN_NODE), or expressions cannot be evaluated here.
		return undefined;
	}
	const text =
		typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
	const mib = Number(text);
	return mib > 0 && mib <= DATABASE_MODE_MAX_MIB ? mib : undefined;
}

/** What a mode cannot hold (null: no limit of its own). */
export function limitOfMode(mode: string, databaseLimitMiB?: number): StoreLimit | null {
	if (mode === 'database') {
		const mib = databaseLimitMiB ?? DATABASE_MODE_DEFAULT_MAX_MIB;
		const source =
			databaseLimitMiB === undefined
				? `${DATABASE_MODE_ENV}, n8n's default: the node cannot read this instance's setting`
				: `${DATABASE_MODE_ENV} = ${mib}`;
		return {
			bytes: Math.floor(mib * MIB),
			store: `that n8n's database binary mode (the queue-mode default) stores per file (${source})`,
			hint: `${WAY_OUT} If this n8n's ${DATABASE_MODE_ENV} is higher (at most ${DATABASE_MODE_MAX_MIB}), set the "Max File Size (MiB)" option to it.`,
		};
	}
	if (mode === 'default') {
		return {
			bytes: MEMORY_MODE_MAX_BYTES,
			store: `that n8n's in-memory binary mode ("default": base64 text in the item) holds per file (about ${formatBytes(MEMORY_MODE_MAX_BYTES)}: Node's longest string)`,
			hint: WAY_OUT,
		};
	}
	return null;
}

const stores = new WeakMap<object, Promise<BinaryStore | null>>();

/**
 * The binary store of this node run (probed once: see the top of this file), or null when it cannot be told (the
 * probe failed): then nothing is refused in advance.
 */
export async function binaryStoreOf(
	context: IExecuteFunctions,
	itemIndex: number,
): Promise<BinaryStore | null> {
	let store = stores.get(context);
	if (!store) {
		store = (async () => {
			try {
				const probe = await context.helpers.prepareBinaryData(
					Buffer.alloc(0),
					'binary-mode-probe',
					'application/octet-stream',
				);
				const mode = modeOfBinaryId(probe.id);
				return {
					mode,
					limit: limitOfMode(
						mode,
						mode === 'database' ? databaseLimitMiBOf(context, itemIndex) : undefined,
					),
				};
			} catch (error) {
				context.logger?.debug?.(
					`Could not tell n8n's binary data mode (${error instanceof Error ? error.message : String(error)}); files are not checked against its limit before downloading`,
				);
				return null;
			}
		})();
		stores.set(context, store);
	}
	return await store;
}

/**
 * A Download's `storeLimit`: files above STORE_CHECK_MIN_BYTES are checked against what this node run's binary
 * store can hold.
 */
export function binaryStoreLimit(
	context: IExecuteFunctions,
	itemIndex: number,
): (sizeBytes: number) => Promise<StoreLimit | null> {
	return async (sizeBytes) =>
		sizeBytes > STORE_CHECK_MIN_BYTES
			? ((await binaryStoreOf(context, itemIndex))?.limit ?? null)
			: null;
}
