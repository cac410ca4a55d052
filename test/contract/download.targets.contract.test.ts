/**
 * Where a download may go, and what counts as a downloadable backup: a redirect is followed only to http(s) (never
 * to file: or data:), and a backup set with a failed shard is not a success, whatever the cloud says of the set.
 */
import { CLOUDS } from './clouds';
import {
	binaryOf,
	binaryStoreDir,
	filesIn,
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	pushFault,
	requestsSince,
	runCloudNode,
	storedBytes,
	useCloudEmulator,
	verifiedDownloadFields,
	type BackupFixture,
} from './kit';

describe.each(CLOUDS)('%s: download redirects', (_label, kit) => {
	const emulator = useCloudEmulator(kit);
	const download = kit.actions.download;
	let backup: BackupFixture;
	beforeAll(async () => {
		backup = await kit.addStandardBackup(emulator, 16 * 1024);
	});

	it.each([['file:///etc/passwd'], ['data:text/plain,hi']])('a redirect to %s is refused: an error, nothing fetched or stored', async (location) => {
		const storeDir = await binaryStoreDir();
		const storedBefore = await filesIn(storeDir);
		pushFault(kit, emulator, { kind: 'redirect', action: download, location });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup), { onError: 'continueRegularOutput' });
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		expect(items[0].binary).toBeUndefined();
		const message = String(items[0].json.error);
		expect(message).toContain(new URL(location).protocol);
		expect(message).not.toContain('root:');
		// Only the redirecting request reached the storage; the node did not retry its way around the refusal.
		expect(requestsSince(kit, emulator, mark, download).map((r) => [r.path, r.status])).toEqual([[backup.files[0].path, 302]]);
		expect(await filesIn(storeDir)).toEqual(storedBefore);
	});

	it('a redirect to file: without Continue On Fail fails the node', async () => {
		pushFault(kit, emulator, { kind: 'redirect', action: download, location: 'file:///etc/passwd' });
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		expect(result.status).toBe('error');
		expect(nodeErrorOf(result).message).toMatch(/file:/);
		expect(result.runData[NODE_NAME][0].data).toBeUndefined();
	});

	it.each([[301], [302], [307]])('a %s redirect to another http URL of the same file is followed, and the file stored', async (status) => {
		const [file] = backup.files;
		pushFault(kit, emulator, { kind: 'redirect', action: download, status, location: file.alternateUrl });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		expect(result.status).toBe('success');
		const [item] = result.output(NODE_NAME);
		expect((await storedBytes(binaryOf(item))).equals(file.bytes)).toBe(true);
		expect(item.json).toMatchObject(verifiedDownloadFields(file));
		expect(requestsSince(kit, emulator, mark, download).map((r) => [r.path, r.status])).toEqual([
			[file.path, status],
			[new URL(file.alternateUrl).pathname, 200],
		]);
	});
});

describe.each(CLOUDS)('%s: a backup set with a failed shard', (_label, kit) => {
	const emulator = useCloudEmulator(kit);
	const maybe = kit.instances.cluster ? it : it.skip;
	let backup: BackupFixture;
	beforeAll(async () => {
		if (!kit.instances.cluster) return;
		backup = await kit.addClusterBackup!(emulator, [16 * 1024, 16 * 1024]);
		kit.failShard!(emulator, backup, 1);
	});

	maybe('Download is an error item with no binary, and nothing is downloaded', async () => {
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(backup), { onError: 'continueErrorOutput' });
		expect(result.output(NODE_NAME, 0)).toHaveLength(0);
		const errors = result.output(NODE_NAME, 1);
		expect(errors).toHaveLength(1);
		expect(errors[0].binary).toBeUndefined();
		expect(String(errors[0].json.error)).toContain(backup.backupId);
		expect(String(errors[0].json.error)).toMatch(/fail/i);
		expect(requestsSince(kit, emulator, mark, kit.actions.download)).toHaveLength(0);
	});

	maybe('a failed shard that still lists a working URL: Download is still an error, nothing downloaded', async () => {
		const listed = await kit.addClusterBackup!(emulator, [16 * 1024, 16 * 1024]);
		kit.failShard!(emulator, listed, 0, { keepFile: true });
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, kit.params.download(listed), { onError: 'continueErrorOutput' });
		expect(result.output(NODE_NAME, 0)).toHaveLength(0);
		const errors = result.output(NODE_NAME, 1);
		expect(errors).toHaveLength(1);
		expect(errors[0].binary).toBeUndefined();
		expect(requestsSince(kit, emulator, mark, kit.actions.download)).toHaveLength(0);
	});

	maybe('Download without Continue On Fail fails the node', async () => {
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		expect(result.status).toBe('error');
		expect(result.runData[NODE_NAME][0].data).toBeUndefined();
	});

	maybe('Get shows the set as failed, and the shard as failed', async () => {
		const result = await runCloudNode(kit, emulator, kit.params.get(backup));
		expect(result.status).toBe('success');
		const [item] = result.output(NODE_NAME);
		expect(item.json).toMatchObject({ backupId: backup.backupId, status: 'failed' });
		const files = item.json.files as Array<{ status: string }>;
		expect(files.map((f) => f.status)).toEqual(['succeeded', 'failed']);
	});

	// Only where the list records carry the shards (a cloud whose list gives no files reveals a failed shard on
	// Get, Get Download URL and Download, all tested above).
	const whereListHasFiles = kit.instances.cluster && kit.listCarriesFiles ? it : it.skip;
	whereListHasFiles('List shows the set as failed, and a Status filter "succeeded" leaves it out', async () => {
		const all = await runCloudNode(kit, emulator, kit.params.list(backup.instance, { returnAll: true }));
		const listed = all.output(NODE_NAME).find((item) => item.json.backupId === backup.backupId);
		expect(listed?.json.status).toBe('failed');
		const succeeded = await runCloudNode(kit, emulator, kit.params.list(backup.instance, { returnAll: true, statuses: ['succeeded'] }));
		expect(succeeded.output(NODE_NAME).map((item) => item.json.backupId)).not.toContain(backup.backupId);
	});
});
