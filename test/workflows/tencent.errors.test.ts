/**
 * Tencent's errors through n8n's engine: the code, the message and the RequestId in the node error, Tencent's advice
 * (clock, CAM, keys) in its description, throttling and internal errors retried for reads, both APIs.
 */
import {
	instanceRef,
	markRequests,
	nodeErrorOf,
	NODE_NAME,
	requestsSince,
	runTencentNode,
	STANDARD_ID,
	useEmulator,
	DENY_BACKUPS,
	WRONG_KEY,
} from './tencentFixture';

const list = (extra: Record<string, unknown> = {}) => ({ resource: 'backup', operation: 'list', instanceId: instanceRef(STANDARD_ID), returnAll: true, ...extra });
const legacy = { options: { api: 'legacy' } };

describe('Tencent errors', () => {
	const emulator = useEmulator();

	it('a wrong SecretKey: the code, the RequestId and what to fix', async () => {
		const error = nodeErrorOf(await runTencentNode(emulator, list(), { credential: { secretKey: WRONG_KEY } }));
		expect(error.message).toMatch(/^Tencent Cloud rejected DescribeInstanceBackups: .*\(AuthFailure\.SignatureFailure\)$/);
		expect(error.description).toMatch(/^Request ID: [0-9a-f-]{36}\. Tencent Cloud computed a different signature: the SecretKey is wrong/);
	});

	it('a clock more than 5 minutes off is named as such, on both APIs', async () => {
		emulator.tencent.settings.clockSkewMs = -10 * 60_000;
		const api3 = nodeErrorOf(await runTencentNode(emulator, list()));
		expect(api3.message).toMatch(/\(AuthFailure\.SignatureExpire\)$/);
		expect(api3.description).toMatch(/5 minutes off .*clock.*NTP/);
		const old = nodeErrorOf(await runTencentNode(emulator, list(legacy)));
		expect(old.message).toMatch(/^Tencent Cloud \(legacy CRS API\) rejected GetRedisBackupList: .*\(code 4200, RequestExpired\)$/);
		expect(old.description).toMatch(/clock/);
	});

	it('a missing CAM permission points to the policy', async () => {
		emulator.tencent.addAccount({ ...DENY_BACKUPS, camDenied: ['DescribeInstanceBackups'] });
		const error = nodeErrorOf(await runTencentNode(emulator, list(), { credential: DENY_BACKUPS }));
		expect(error.message).toMatch(/\(AuthFailure\.UnauthorizedOperation\)$/);
		expect(error.description).toMatch(/CAM.*policy from the README/);
	});

	it('an unknown instance is not found, on both APIs', async () => {
		const params = (extra = {}) => ({ ...list(extra), instanceId: instanceRef('crs-missing1') });
		expect(nodeErrorOf(await runTencentNode(emulator, params())).message).toMatch(/\(ResourceNotFound\.InstanceNotExists\)$/);
		expect(nodeErrorOf(await runTencentNode(emulator, params(legacy))).message).toMatch(/\(code 10701, InstanceNotExists\)$/);
	});

	it('retries RequestLimitExceeded and InternalError of a read, on both APIs', async () => {
		emulator.tencent.faults.push({ action: 'DescribeInstanceBackups', kind: 'throttle', times: 2 });
		emulator.tencent.faults.push({ action: 'DescribeInstanceBackups', kind: 'serverError' });
		const mark = markRequests(emulator);
		const result = await runTencentNode(emulator, list());
		expect(result.error).toBeUndefined();
		expect(result.output(NODE_NAME).length).toBeGreaterThan(0);
		expect(requestsSince(emulator, mark, 'DescribeInstanceBackups')).toHaveLength(4);
		emulator.tencent.faults.push({ action: 'GetRedisBackupList', kind: 'error', code: '4400' });
		expect((await runTencentNode(emulator, list(legacy))).error).toBeUndefined();
	});

	it('an Endpoint with a password in it is refused without echoing it, nothing sent', async () => {
		const mark = markRequests(emulator);
		const error = nodeErrorOf(await runTencentNode(emulator, list(), { credential: { endpoint: 'https://user:hunter2@proxy.example.com' } }));
		expect(error.message).toMatch(/^DescribeInstanceBackups was not sent: The Endpoint .* of the Tencent Cloud credential is not valid: it may not contain a user name or password/);
		expect(error.message).not.toContain('hunter2');
		expect(requestsSince(emulator, mark)).toHaveLength(0);
	});
});
