/**
 * The instance picker (listSearch.searchInstances) run in n8n-core's real LoadOptionsContext, the context the
 * editor uses for a "From List" resource locator: credentials come from the harness's credentials helper, the
 * request is signed by the credential's authenticate and sent by n8n's own request helper to the emulator.
 */
import {
	CLUSTER_ID,
	markRequests,
	REGION,
	requestsSince,
	searchInstances,
	STANDARD_ID,
	useEmulator,
} from './alibabaFixture';

const BULK = 52;

describe('instance picker (listSearch.searchInstances)', () => {
	const emulator = useEmulator();

	beforeAll(() => {
		emulator.alibaba.addInstance({ instanceId: 'r-payments00001', regionId: REGION, architecture: 'standard', name: 'payments-cache' });
		emulator.alibaba.addInstance({ instanceId: 'r-beijing000001', regionId: 'cn-beijing', architecture: 'cluster', name: 'north-cache' });
		for (let i = 0; i < BULK; i++) {
			emulator.alibaba.addInstance({
				instanceId: `r-bulk${String(i).padStart(8, '0')}`,
				regionId: REGION,
				architecture: 'standard',
				name: `bulk-${i}`,
			});
		}
	});

	it("lists the instances of the credential's region, with a readable name and a console link", async () => {
		const mark = markRequests(emulator);
		const result = await searchInstances(emulator);
		const values = result.results.map((r) => r.value);
		expect(values).toEqual(expect.arrayContaining([STANDARD_ID, CLUSTER_ID, 'r-payments00001']));
		expect(values).not.toContain('r-beijing000001');
		expect(result.results.find((r) => r.value === STANDARD_ID)).toEqual({
			name: `demo-standard (${STANDARD_ID}, standard)`,
			value: STANDARD_ID,
			url: `https://kvstore.console.aliyun.com/Redis/instance/${REGION}/${STANDARD_ID}`,
		});
		expect(result.results.find((r) => r.value === CLUSTER_ID)!.name).toBe(`demo-cluster (${CLUSTER_ID}, cluster)`);
		const [request] = requestsSince(emulator, mark, 'DescribeInstances');
		expect(request.status).toBe(200);
		expect(request.query).toMatchObject({ RegionId: REGION, PageNumber: '1', PageSize: '50' });
		expect(request.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=emulator-ak,/);
	});

	it('pages: 55 instances give a full first page and a pagination token for the rest', async () => {
		const first = await searchInstances(emulator);
		expect(first.results).toHaveLength(50);
		expect(first.paginationToken).toBe('2');
		const second = await searchInstances(emulator, undefined, first.paginationToken);
		expect(second.paginationToken).toBeUndefined();
		const all = [...first.results, ...second.results].map((r) => r.value);
		expect(all).toHaveLength(BULK + 3);
		expect(new Set(all).size).toBe(all.length);
	});

	it('the filter narrows by name', async () => {
		const mark = markRequests(emulator);
		const result = await searchInstances(emulator, 'payments');
		expect(result.results.map((r) => r.value)).toEqual(['r-payments00001']);
		expect(result.paginationToken).toBeUndefined();
		expect(requestsSince(emulator, mark, 'DescribeInstances')[0].query.SearchKey).toBe('payments');
	});

	it('the filter narrows by instance ID (trimmed)', async () => {
		const result = await searchInstances(emulator, `  ${CLUSTER_ID} `);
		expect(result.results.map((r) => r.value)).toEqual([CLUSTER_ID]);
	});

	it('a filter that matches nothing gives no results', async () => {
		const result = await searchInstances(emulator, 'no-such-thing');
		expect(result).toEqual({ results: [], paginationToken: undefined });
	});

	it("uses the node's Region parameter over the credential's default", async () => {
		const result = await searchInstances(emulator, undefined, undefined, { region: 'cn-beijing' });
		expect(result.results.map((r) => r.value)).toEqual(['r-beijing000001']);
	});

	it('a wrong secret is reported with the cloud code', async () => {
		await expect(searchInstances(emulator, undefined, undefined, {}, { accessKeySecret: 'wrong' })).rejects.toThrow(
			/SignatureDoesNotMatch/,
		);
	});
});
