/**
 * The size guard: where n8n keeps binary data in its database (queue mode's default), it buffers the whole file and
 * refuses it above N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (512 MiB by default) only after that. Download knows the
 * file's size first (the cloud's record) and refuses it before sending a single download request, naming the limit,
 * the size and the way out. The mode is n8n's real BinaryDataService switched to `database` (test/harness:
 * useDatabaseBinaryMode, a stand-in for n8n's DatabaseManager); the cloud reports a file of 600 MiB (a fuzzed list
 * answer) while the storage holds a small one, so a download that was not refused fails on the size mismatch.
 */
import { useDatabaseBinaryMode, type DatabaseModeStore } from '../harness/binary-data';
import { CLOUDS } from './clouds';
import {
	errorKindOf,
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	pushFault,
	requestsSince,
	runCloudNode,
	useCloudEmulator,
	type BackupFixture,
	type CloudKit,
} from './kit';

const MIB = 1024 * 1024;
const REPORTED = 600 * MIB;

describe.each(CLOUDS)('%s: Download refuses, before downloading, a file n8n\'s binary store cannot hold', (_label, kit) => {
	const emulator = useCloudEmulator(kit);
	const download = kit.actions.download;
	let backup: BackupFixture;
	let database: { store: DatabaseModeStore; restore: () => Promise<void> } | undefined;
	beforeAll(async () => {
		backup = await kit.addStandardBackup(emulator, 32 * 1024);
	});
	afterEach(async () => {
		await database?.restore();
		database = undefined;
		delete process.env.N8N_BLOCK_ENV_ACCESS_IN_NODE;
	});

	/** The cloud reports `size` bytes for the backup's file on the next list (or file) call. */
	const reportSize = (k: CloudKit, size: number) =>
		pushFault(k, emulator, {
			kind: 'answer',
			action: k.actions.fileSizes ?? k.actions.list.standard,
			body: k.fuzz.listWithFileSize(emulator, backup, size),
		});

	it('database mode, n8n\'s default limit: refused with the limit, the size and the way out; nothing requested or buffered', async () => {
		database = await useDatabaseBinaryMode();
		reportSize(kit, REPORTED);
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(errorKindOf(error)).toBe('client');
		expect(error.message).toBe(
			`${backup.files[0].name} is 600.0 MiB (${REPORTED} bytes), more than the 512.0 MiB that n8n's database binary mode (the queue-mode default) stores per file (N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE, n8n's default: the node cannot read this instance's setting), so it was not downloaded`,
		);
		expect(error.description).toMatch(/Backup → Copy to Object Storage/);
		expect(error.description).toMatch(/N8N_DEFAULT_BINARY_DATA_MODE=filesystem/);
		expect(error.description).toMatch(/"Max File Size \(MiB\)"/);
		expect(error.description ?? '').not.toContain(kit.apiAdvice('client'));
		expect(requestsSince(kit, emulator, mark, download)).toEqual([]);
		// The only thing the store ever got is the node's empty probe of the mode.
		expect(database.store.maxBufferedBytes).toBe(0);
		expect(database.store.rows).toEqual([{ fileId: expect.any(String), fileName: 'binary-mode-probe', size: 0 }]);
	});

	it('database mode with the limit readable ($env allowed): that limit is the one applied and named', async () => {
		process.env.N8N_BLOCK_ENV_ACCESS_IN_NODE = 'false';
		database = await useDatabaseBinaryMode(20);
		reportSize(kit, 24 * MIB);
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup), { onError: 'continueErrorOutput' });
		const [failed] = result.output(NODE_NAME, 1);
		expect(failed.binary).toBeUndefined();
		expect(failed.json.error).toMatch(
			/is 24\.0 MiB \(25165824 bytes\), more than the 20\.0 MiB that n8n's database binary mode .*\(N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE = 20\), so it was not downloaded$/,
		);
		expect(requestsSince(kit, emulator, mark, download)).toEqual([]);
		expect(database.store.maxBufferedBytes).toBe(0);
	});

	it('"Max File Size" set by the user replaces the guess (a higher database limit): the download is attempted', async () => {
		database = await useDatabaseBinaryMode();
		reportSize(kit, REPORTED);
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup, { options: { maxFileSizeMiB: 1024 } }));
		const error = nodeErrorOf(result);
		// Not refused in advance: the storage's answer (a small file) contradicts the reported size.
		expect(errorKindOf(error)).toBe('integrity');
		expect(requestsSince(kit, emulator, mark, download)).toHaveLength(1);
		expect(database.store.rows).toEqual([]);
	});

	it('database mode, a small file: stored as before, the mode never probed', async () => {
		database = await useDatabaseBinaryMode();
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		expect(result.status).toBe('success');
		expect(database.store.rows).toEqual([{ fileId: expect.any(String), fileName: backup.files[0].name, size: 32 * 1024 }]);
	});

	it('filesystem mode (no limit of its own): the same file is not refused in advance', async () => {
		reportSize(kit, REPORTED);
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		expect(errorKindOf(nodeErrorOf(result))).toBe('integrity');
		expect(requestsSince(kit, emulator, mark, download)).toHaveLength(1);
	});

	it('Backup → Verify stores nothing, so it is never refused for the store\'s limit', async () => {
		database = await useDatabaseBinaryMode();
		reportSize(kit, REPORTED);
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup, { operation: 'verify' }));
		expect(errorKindOf(nodeErrorOf(result))).toBe('integrity');
		expect(requestsSince(kit, emulator, mark, download)).toHaveLength(1);
		expect(database.store.rows).toEqual([]);
	});
});
