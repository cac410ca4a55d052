/**
 * The UCloud credential's test (what n8n's "Test" button runs) against the emulator: its request, base URL resolved
 * as n8n resolves it, signed by `authenticate`, sent by n8n's HTTP helper; then its rules applied to the answer as
 * n8n's credential tester applies them (the first responseSuccessBody rule whose key holds its value fails the test
 * with its message). Also the instance picker in n8n-core's real LoadOptionsContext.
 */
import { UCloudApi } from '../../credentials/UCloudApi.credentials';
import { credentialTester } from './fixture';
import {
	GROUP_ID,
	IAM_DENIED,
	markRequests,
	OTHER_GROUP_ID,
	REGION,
	requestsSince,
	searchInstances,
	testCredential,
	UNKNOWN_PUBLIC_KEY,
	useEmulator,
	WRONG_PRIVATE_KEY,
} from './ucloudFixture';

const credentialTest = credentialTester(new UCloudApi(), testCredential);

describe('UCloud API credential test', () => {
	const emulator = useEmulator();

	it('passes with a good key, sending a signed DescribeURedisGroup (Limit 1) in the Default Region to the Endpoint', async () => {
		const mark = markRequests(emulator);
		expect(await credentialTest(emulator)).toBe('OK');
		const [request] = requestsSince(emulator, mark);
		expect(request).toMatchObject({ method: 'POST', action: 'DescribeURedisGroup', query: { Limit: '1', Offset: '0', Region: REGION } });
		expect(request.query).not.toHaveProperty('ProjectId');
	});

	it('words a wrong Private Key (171), an unknown Public Key (172), a denied sub-account (299) and an unknown project (292)', async () => {
		expect(await credentialTest(emulator, { privateKey: WRONG_PRIVATE_KEY })).toMatch(/^RetCode 171: Signature VerifyAC Error: .*Private Key is wrong/);
		expect(await credentialTest(emulator, { publicKey: UNKNOWN_PUBLIC_KEY })).toMatch(/^RetCode 172: User Not Exists: .*does not know this Public Key/);
		emulator.ucloud.addAccount({ ...IAM_DENIED, iamDenied: true });
		expect(await credentialTest(emulator, IAM_DENIED)).toMatch(/^RetCode 299: .*IAM/);
		expect(await credentialTest(emulator, { projectId: 'org-nosuch' })).toMatch(/^RetCode 292: the Project ID does not exist/);
	});

	it('sends the Project ID when set, and says when the endpoint is not UCloud', async () => {
		const mark = markRequests(emulator);
		expect(await credentialTest(emulator, { projectId: 'org-emulator' })).toBe('OK');
		expect(requestsSince(emulator, mark)[0].query.ProjectId).toBe('org-emulator');
		emulator.ucloud.faults.push({ action: 'DescribeURedisGroup', kind: 'answer', body: { Code: 'NotUCloud' } });
		expect(await credentialTest(emulator)).toMatch(/did not answer like UCloud/);
	});
});

describe('UCloud instance picker', () => {
	const emulator = useEmulator();
	beforeAll(() => {
		emulator.ucloud.addInstance({ groupId: 'uredis-payments1', region: REGION, zone: 'cn-bj2-02', name: 'payments-cache' });
		emulator.ucloud.addInstance({ groupId: 'uredis-shanghai1', region: 'cn-sh2', zone: 'cn-sh2-02', name: 'east-cache' });
		for (let i = 0; i < 52; i++) {
			emulator.ucloud.addInstance({ groupId: `uredis-bulk${String(i).padStart(4, '0')}`, region: REGION, zone: 'cn-bj2-03', name: `bulk-${i}` });
		}
	});

	it("lists the region's groups page by page, with a readable name", async () => {
		const first = await searchInstances(emulator);
		expect(first.results).toHaveLength(50);
		expect(first.paginationToken).toBe('50');
		const second = await searchInstances(emulator, undefined, first.paginationToken);
		const all = [...first.results, ...second.results];
		expect(all.map((r) => r.value)).toEqual(expect.arrayContaining([GROUP_ID, OTHER_GROUP_ID, 'uredis-payments1']));
		expect(all.map((r) => r.value)).not.toContain('uredis-shanghai1');
		expect(second.paginationToken).toBeUndefined();
		expect(all.find((r) => r.value === GROUP_ID)?.name).toMatch(/^demo-cache \(uredis-demo01, cn-bj2-04, 4 GB, Running\)$/);
	});

	it('searches names, looks a group ID up as such, and follows the Region parameter', async () => {
		expect((await searchInstances(emulator, 'payments')).results.map((r) => r.value)).toEqual(['uredis-payments1']);
		expect((await searchInstances(emulator, 'uredis-payments1')).results.map((r) => r.value)).toEqual(['uredis-payments1']);
		expect((await searchInstances(emulator, undefined, undefined, { region: 'cn-sh2' })).results.map((r) => r.value)).toEqual(['uredis-shanghai1']);
	});
});
