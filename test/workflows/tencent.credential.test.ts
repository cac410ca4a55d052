/**
 * The Tencent credential's test (what n8n's "Test" button runs) against the emulator: its request, base URL resolved
 * as n8n resolves it, signed by `authenticate`, sent by n8n's HTTP helper; then its rules applied to the answer as
 * n8n's credential tester applies them (the first responseSuccessBody rule whose key holds its value fails the test
 * with its message). Also the instance picker in n8n-core's real LoadOptionsContext.
 */
import { TencentCloudApi } from '../../credentials/TencentCloudApi.credentials';
import { credentialTester } from './fixture';
import {
	CLUSTER_ID,
	markRequests,
	REGION,
	requestsSince,
	searchInstances,
	STANDARD_ID,
	testCredential,
	useEmulator,
	NO_CAM,
	UNKNOWN_ID,
	WRONG_KEY,
} from './tencentFixture';

const credentialTest = credentialTester(new TencentCloudApi(), testCredential);

describe('Tencent Cloud API credential test', () => {
	const emulator = useEmulator();

	it('passes with a good key, sending DescribeInstances with Limit 1 to the Endpoint', async () => {
		const mark = markRequests(emulator);
		expect(await credentialTest(emulator)).toBe('OK');
		const [request] = requestsSince(emulator, mark);
		expect(request).toMatchObject({ action: 'DescribeInstances', query: { Limit: '1' } });
		expect(request.headers['x-tc-region']).toBe(REGION);
	});

	it('words a wrong SecretKey, an unknown SecretId, clock skew and a missing CAM permission', async () => {
		expect(await credentialTest(emulator, { secretKey: WRONG_KEY })).toMatch(/^AuthFailure\.SignatureFailure: .*SecretKey is wrong/);
		expect(await credentialTest(emulator, { secretId: UNKNOWN_ID })).toMatch(/^AuthFailure\.SecretIdNotFound: .*does not know this SecretId/);
		emulator.tencent.settings.clockSkewMs = 10 * 60_000;
		expect(await credentialTest(emulator)).toMatch(/^AuthFailure\.SignatureExpire: .*clock/);
		emulator.tencent.settings.clockSkewMs = 0;
		emulator.tencent.addAccount({ ...NO_CAM, camDenied: true });
		expect(await credentialTest(emulator, NO_CAM)).toMatch(
			/^AuthFailure\.UnauthorizedOperation: .*CAM/,
		);
	});
});

describe('Tencent instance picker', () => {
	const emulator = useEmulator();
	beforeAll(() => {
		emulator.tencent.addInstance({ instanceId: 'crs-payments1', region: REGION, architecture: 'standard', name: 'payments-cache' });
		emulator.tencent.addInstance({ instanceId: 'crs-shanghai1', region: 'ap-shanghai', architecture: 'standard', name: 'east-cache' });
		for (let i = 0; i < 52; i++) {
			emulator.tencent.addInstance({ instanceId: `crs-bulk${String(i).padStart(4, '0')}`, region: REGION, architecture: 'standard', name: `bulk-${i}` });
		}
	});

	it("lists the region's instances page by page, with a readable name and a console link", async () => {
		const first = await searchInstances(emulator);
		expect(first.results).toHaveLength(50);
		expect(first.paginationToken).toBe('50');
		const second = await searchInstances(emulator, undefined, first.paginationToken);
		const all = [...first.results, ...second.results].map((r) => r.value);
		expect(all).toEqual(expect.arrayContaining([STANDARD_ID, CLUSTER_ID, 'crs-payments1']));
		expect(all).not.toContain('crs-shanghai1');
		expect(second.paginationToken).toBeUndefined();
		const standard = [...first.results, ...second.results].find((r) => r.value === STANDARD_ID);
		expect(standard?.name).toBe(`demo-standard (${STANDARD_ID}, standalone)`);
		expect(standard?.url).toMatch(/^https:\/\/console\.cloud\.tencent\.com\/redis\/instance\/manage\?ins=crs-demostd01/);
	});

	it('searches names, looks an instance ID up as such, and follows the Region parameter', async () => {
		expect((await searchInstances(emulator, 'payments')).results.map((r) => r.value)).toEqual(['crs-payments1']);
		expect((await searchInstances(emulator, 'crs-payments1')).results.map((r) => r.value)).toEqual(['crs-payments1']);
		expect((await searchInstances(emulator, undefined, undefined, { region: 'ap-shanghai' })).results.map((r) => r.value)).toEqual(['crs-shanghai1']);
	});
});
