import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Process-level setup n8n-core expects from the n8n CLI, done once, lazily.
 *
 * n8n-core's services are singletons in an `@n8n/di` Container and read their configuration from
 * `process.env` when they are first constructed (`@Config` classes). Several of them, reached from
 * a plain workflow run (ExecutionContextService → Cipher → InstanceSettings), write
 * `$N8N_USER_FOLDER/.n8n/config` with a fresh encryption key, and BinaryDataConfig fixes its mode
 * and storage path at construction. So the variables must be set before the first `Container.get`,
 * and we point them at a throw-away folder instead of the developer's home (removed again by
 * cleanupBinaryDataStore()).
 */
let state: { root: string; created: boolean } | undefined;

export function ensureN8nEnv(): { root: string; created: boolean } {
	if (state) return state;
	const created = process.env.N8N_USER_FOLDER === undefined;
	const root = process.env.N8N_USER_FOLDER ?? mkdtempSync(path.join(tmpdir(), 'n8n-harness-'));
	process.env.N8N_USER_FOLDER = root;
	// Don't chmod/complain about the settings file of a temp folder.
	process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS ??= 'false';
	// Regular (non-queue) n8n defaults to filesystem already; be explicit so nothing depends on it.
	process.env.N8N_DEFAULT_BINARY_DATA_MODE ??= 'filesystem';
	process.env.N8N_BINARY_DATA_STORAGE_PATH ??= path.join(root, 'storage');
	// ErrorReporter logs every node error with its stack; the errors are in the run result anyway.
	// Run with N8N_LOG_LEVEL=debug to see n8n's own logging.
	process.env.N8N_LOG_LEVEL ??= 'silent';
	state = { root, created };
	return state;
}

/** The part of `@n8n/di`'s Container the harness uses. */
export interface DiContainer {
	get<T>(type: abstract new (...args: never[]) => T): T;
}

let container: DiContainer | undefined;

/**
 * n8n-core's Container, NOT the one `import '@n8n/di'` gives us: n8n-core 2.41.1 depends on
 * `@n8n/di@0.17.0`, installed nested at node_modules/n8n-core/node_modules/@n8n/di, while the hoisted
 * node_modules/@n8n/di is 0.16.0 (pulled in by @n8n/node-cli). Each copy keeps its own instance map,
 * so a service fetched from the hoisted copy would be a second, never-used BinaryDataService.
 * We resolve the package from n8n-core's directory and load it with the ambient `require`, so that
 * under Jest it comes from the same module registry as n8n-core itself.
 */
export function n8nCoreContainer(): DiContainer {
	if (!container) {
		ensureN8nEnv();
		const diPath = require.resolve('@n8n/di', {
			paths: [path.dirname(require.resolve('n8n-core'))],
		});
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above: must share Jest's registry
		container = (require(diPath) as { Container: DiContainer }).Container;
	}
	return container;
}
