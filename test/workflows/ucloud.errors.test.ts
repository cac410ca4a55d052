/**
 * UCloud's errors through n8n's engine: the RetCode and Message in the node error, UCloud's advice (keys, project,
 * IAM) in its description, rate limiting and server errors retried for reads, an unreadable answer retried, an
 * Endpoint that cannot be used refused before anything is sent, Continue On Fail.
 */
import {
	GROUP_ID,
	IAM_DENIED,
	instanceRef,
	markRequests,
	NODE_NAME,
	nodeErrorOf,
	requestsSince,
	runUCloudNode,
	UNKNOWN_PUBLIC_KEY,
	useEmulator,
	WRONG_PRIVATE_KEY,
} from './ucloudFixture';

const list = (extra: Record<string, unknown> = {}) => ({ resource: 'backup', operation: 'list', instanceId: instanceRef(GROUP_ID), returnAll: true, ...extra });

describe('UCloud errors', () => {
	const emulator = useEmulator();

	it('a wrong Private Key: RetCode 171 and what to fix, not retried', async () => {
		const mark = markRequests(emulator);
		const error = nodeErrorOf(await runUCloudNode(emulator, list(), { credential: { privateKey: WRONG_PRIVATE_KEY } }));
		expect(error.message).toMatch(/^UCloud rejected DescribeURedisBackup: .* \(RetCode 171\)$/);
		expect(error.description).toMatch(/^Signature VerifyAC Error: UCloud computed a different signature, so the Private Key is wrong/);
		expect(requestsSince(emulator, mark)).toHaveLength(1);
	});

	it('an unknown Public Key: RetCode 172', async () => {
		const error = nodeErrorOf(await runUCloudNode(emulator, list(), { credential: { publicKey: UNKNOWN_PUBLIC_KEY } }));
		expect(error.message).toMatch(/\(RetCode 172\)$/);
		expect(error.description).toMatch(/does not know this Public Key/);
	});

	it('a sub-account without URedis permissions (299) and a Project ID that does not exist (292)', async () => {
		emulator.ucloud.addAccount({ ...IAM_DENIED, iamDenied: true });
		const denied = nodeErrorOf(await runUCloudNode(emulator, list(), { credential: IAM_DENIED }));
		expect(denied.message).toMatch(/\(RetCode 299\)$/);
		expect(denied.description).toMatch(/UCloud IAM.*Project ID/);
		const project = nodeErrorOf(await runUCloudNode(emulator, list(), { credential: { projectId: 'org-nosuch' } }));
		expect(project.message).toMatch(/\(RetCode 292\)$/);
		expect(project.description).toMatch(/Project ID of the credential does not exist/);
	});

	it('sends the Project ID of the credential with every call', async () => {
		const mark = markRequests(emulator);
		const error = nodeErrorOf(await runUCloudNode(emulator, list(), { credential: { projectId: 'org-nosuch' } }));
		expect(error).toBeDefined();
		expect(requestsSince(emulator, mark, 'DescribeURedisBackup')[0].query.ProjectId).toBe('org-nosuch');
	});

	it('an unknown instance lists nothing and is not found on Get', async () => {
		const empty = await runUCloudNode(emulator, { ...list(), instanceId: instanceRef('uredis-missing1') });
		expect(empty.output(NODE_NAME)).toHaveLength(0);
		const get = await runUCloudNode(emulator, { resource: 'backup', operation: 'get', instanceId: instanceRef('uredis-missing1'), backupId: 'abc' });
		expect(nodeErrorOf(get).message).toBe('Backup abc was not found on instance uredis-missing1');
	});

	it('retries rate limiting (153), a server error (150) and an unreadable answer of a read', async () => {
		emulator.ucloud.faults.push({ action: 'DescribeURedisBackup', kind: 'throttle' });
		emulator.ucloud.faults.push({ action: 'DescribeURedisBackup', kind: 'serverError' });
		emulator.ucloud.faults.push({ action: 'DescribeURedisBackup', kind: 'malformedJson' });
		const mark = markRequests(emulator);
		const result = await runUCloudNode(emulator, list());
		expect(result.error).toBeUndefined();
		expect(result.output(NODE_NAME).length).toBeGreaterThan(0);
		expect(requestsSince(emulator, mark, 'DescribeURedisBackup')).toHaveLength(4);
	});

	it('gives up on a read after the retries with the last error and its advice', async () => {
		emulator.ucloud.faults.push({ action: 'DescribeURedisBackup', kind: 'throttle', times: 4 });
		const error = nodeErrorOf(await runUCloudNode(emulator, list()));
		expect(error.message).toMatch(/\(RetCode 153\)$/);
		expect(error.description).toMatch(/rate of API calls.*retried/);
	});

	it('an Endpoint with a password in it is refused without echoing it, nothing sent', async () => {
		const mark = markRequests(emulator);
		const error = nodeErrorOf(await runUCloudNode(emulator, list(), { credential: { endpoint: 'https://user:hunter2@proxy.example.com' } }));
		expect(error.message).toMatch(/^DescribeURedisBackup was not sent: The Endpoint .* of the UCloud credential is not valid: it may not contain a user name or password/);
		expect(error.message).not.toContain('hunter2');
		expect(requestsSince(emulator, mark)).toHaveLength(0);
	});

	it('under Continue On Fail, a failed item is an error item and the others go on', async () => {
		const result = await runUCloudNode(
			emulator,
			{ resource: 'backup', operation: 'get', instanceId: instanceRef(GROUP_ID), backupId: '={{ $json.id }}' },
			{ onError: 'continueRegularOutput', items: [{ id: 'nope' }, { id: emulator.ucloud.store.backups.find((b) => b.groupId === GROUP_ID)!.backupId }] },
		);
		expect(result.error).toBeUndefined();
		const items = result.output(NODE_NAME);
		expect(items[0].json.error).toBe(`Backup nope was not found on instance ${GROUP_ID}`);
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(items[1].json).toMatchObject({ kind: 'backup', provider: 'ucloud' });
		expect(items[1].pairedItem).toEqual({ item: 1 });
	});
});
