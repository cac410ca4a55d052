/**
 * Nothing secret reaches what n8n keeps of a run (run data, items, errors, descriptions): not a password typed into
 * the credential's Endpoint, not the credential's secret key, whether the signature is refused or the download
 * succeeds.
 */
import { CLOUDS } from './clouds';
import {
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	requestsSince,
	runCloudNode,
	runText,
	storageChecksumOf,
	useCloudEmulator,
	type BackupFixture,
} from './kit';

const PASSWORD = 'S3cr3tPw';

describe.each(CLOUDS)('%s: nothing secret in the run data', (_label, kit) => {
	const emulator = useCloudEmulator(kit);
	let backup: BackupFixture;
	beforeAll(async () => {
		backup = await kit.addStandardBackup(emulator, 16 * 1024);
	});

	const secretsOf = (overrides?: Record<string, string>): string[] => {
		const { data } = kit.credential.forEmulator(emulator, overrides);
		return kit.credential.secretFields.map((field) => String(data[field] ?? '')).filter((value) => value.length >= 6);
	};

	it.each([
		['List', () => kit.params.list(kit.instances.standard, { limit: 1 })],
		['Create', () => kit.params.create(kit.instances.standard)],
		['Download', () => kit.params.download(backup)],
	])('%s: an Endpoint with a password in it is refused, nothing is sent, and the password appears nowhere', async (_op, parameters) => {
		const endpoint = `https://user:${PASSWORD}@127.0.0.1:${kit.emulator.server(emulator).port}`;
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, parameters(), { credential: kit.credential.endpointOverride(endpoint) });
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toMatch(/Endpoint/);
		expect(`${error.message} ${error.description ?? ''}`).not.toContain(PASSWORD);
		expect(runText(result)).not.toContain(PASSWORD);
		expect(requestsSince(kit, emulator, mark)).toHaveLength(0);
	});

	it('a wrong secret: the signature is refused, and neither that secret nor the right one appears in the run', async () => {
		const [field] = kit.credential.secretFields;
		const wrong = 'Wr0ngSecretValue9x7';
		const result = await runCloudNode(kit, emulator, kit.params.list(kit.instances.standard, { limit: 1 }), {
			credential: { [field]: wrong },
		});
		expect(result.status).toBe('error');
		const text = runText(result);
		expect(text).not.toContain(wrong);
		for (const secret of secretsOf()) expect(text).not.toContain(secret);
		const error = nodeErrorOf(result);
		expect(error.description).toContain(kit.apiAdvice('auth'));
	});

	it('a wrong secret under Continue On Fail: the error item carries no secret either', async () => {
		const [field] = kit.credential.secretFields;
		const wrong = 'Wr0ngSecretValue9x7';
		const result = await runCloudNode(kit, emulator, kit.params.list(kit.instances.standard, { limit: 1 }), {
			credential: { [field]: wrong },
			onError: 'continueRegularOutput',
		});
		const items = result.output(NODE_NAME);
		expect(items).toHaveLength(1);
		expect(items[0].json.error).toBeDefined();
		expect(runText(result)).not.toContain(wrong);
	});

	it('a successful download: the credential\'s secret appears nowhere in the run', async () => {
		const result = await runCloudNode(kit, emulator, kit.params.download(backup));
		expect(result.status).toBe('success');
		expect(result.output(NODE_NAME)).toHaveLength(1);
		const secrets = secretsOf();
		expect(secrets.length).toBeGreaterThan(0);
		const text = runText(result);
		// It is the run: the backup and its bytes' checksum are in it.
		expect(text).toContain(backup.backupId);
		expect(text).toContain(storageChecksumOf(backup.files[0]).value);
		for (const secret of secrets) expect(text).not.toContain(secret);
	});
});
