import { createHash } from 'crypto';

import { CloudEmulator, ManualClock, ucloudFlattenParams, ucloudSignature, ucloudStringToSign } from '../../emulator';
import { httpRequest } from './helpers';
import {
	DEMO,
	DOC_SK,
	EXAMPLE_PUBLIC_KEY,
	PRIVATE_KEY,
	PUBLIC_KEY,
	REGION,
	sign,
	ucloud,
	ucloudCall,
	type Json,
} from './ucloud.helpers';

/**
 * UCloud's signature (SHA-1 over sorted name+value pairs and the private key), checked against UCloud's published
 * examples, and the gateway's order of checks: 160 Action, 170 Signature, 172 PublicKey, 171 signature, 161 Action
 * known, 292 ProjectId, 299 IAM.
 */
describe('UCloud emulator authentication', () => {
	const clock = new ManualClock(Date.parse('2024-03-10T12:00:00Z'));
	const emulator = new CloudEmulator({ clock });
	const uc = emulator.ucloud;

	beforeAll(async () => {
		await emulator.start();
		uc.addAccount({ publicKey: EXAMPLE_PUBLIC_KEY, privateKey: DOC_SK });
		uc.addAccount({ publicKey: 'sub-account-public-key', privateKey: 'sub-account-private-key', iamDenied: ['CreateURedisBackup'] });
		uc.addAccount({ publicKey: 'denied-public-key', privateKey: 'denied-private-key', iamDenied: true });
		uc.addAccount({ publicKey: 'projects-public-key', privateKey: 'projects-private-key', projects: ['org-default', 'org-other'] });
	});
	afterAll(() => emulator.stop());
	afterEach(() => uc.faults.clear());

	describe("UCloud's published signature examples", () => {
		const current = { Action: 'DescribeUHostInstance', Region: 'cn-bj2', Limit: 10, PublicKey: EXAMPLE_PUBLIC_KEY };
		// docs.ucloud.cn/api/summary/signature (and summary/public: the same request as a POST JSON).
		const CURRENT_SIGNATURE = 'cba5cf5ec4d4233d206b1b54951e3787350a642f';
		// The same page in 2019 (UCloudDoc-Team/api history): CreateUHostInstance, "CPU" sorted before "ChargeType".
		const v2019 = {
			Action: 'CreateUHostInstance',
			Region: 'cn-bj2',
			Zone: 'cn-bj2-04',
			ImageId: 'f43736e1-65a5-4bea-ad2e-8a46e18883c2',
			CPU: 2,
			Memory: 2048,
			DiskSpace: 10,
			LoginMode: 'Password',
			Password: 'VUNsb3VkLmNu',
			Name: 'Host01',
			ChargeType: 'Month',
			Quantity: 1,
			PublicKey: EXAMPLE_PUBLIC_KEY,
		};

		it('the emulator computes the published string to sign and signatures', () => {
			expect(ucloudStringToSign(ucloudFlattenParams(current), DOC_SK)).toBe(
				'ActionDescribeUHostInstanceLimit10PublicKeyucloudsomeone@example.com1296235120854146120Regioncn-bj2' +
					'46f09bb9fab4f12dfc160dae12273d5332b5debe',
			);
			expect(ucloudSignature(ucloudFlattenParams(current), DOC_SK)).toBe(CURRENT_SIGNATURE);
			expect(ucloudStringToSign(ucloudFlattenParams(v2019), DOC_SK)).toBe(
				'ActionCreateUHostInstanceCPU2ChargeTypeMonthDiskSpace10ImageIdf43736e1-65a5-4bea-ad2e-8a46e18883c2' +
					'LoginModePasswordMemory2048NameHost01PasswordVUNsb3VkLmNuPublicKeyucloudsomeone@example.com1296235120854146120' +
					'Quantity1Regioncn-bj2Zonecn-bj2-0446f09bb9fab4f12dfc160dae12273d5332b5debe',
			);
			expect(ucloudSignature(ucloudFlattenParams(v2019), DOC_SK)).toBe('4f9ef5df2abab2c6fccd1e9515cb7e2df8c6bb65');
			// Mirrors of the page with other example keys: docs.tnqacloud.com and docs.scloud.sg.
			const mirror = { ...current, PublicKey: 'someone@example.com1296235120854146120' };
			expect(ucloudSignature(ucloudFlattenParams(mirror), DOC_SK)).toBe('4201919d267504385deb93af19e0197870fed36b');
			const scloud = { ...current, Region: 'vn-sng', PublicKey: 'john.doe@example.com1296235120854146120' };
			expect(ucloudSignature(ucloudFlattenParams(scloud), DOC_SK)).toBe('52fc1191f026532c9100946c6a863a90d5f766ed');
			// The test helper's independent signer agrees.
			expect(sign(current, DOC_SK)).toBe(CURRENT_SIGNATURE);
			expect(sign(v2019, DOC_SK)).toBe('4f9ef5df2abab2c6fccd1e9515cb7e2df8c6bb65');
		});

		it('accepts the published request over the wire (GET, POST JSON, POST form): only the Action is not URedis', async () => {
			const query = new URLSearchParams({ ...current, Limit: '10', Signature: CURRENT_SIGNATURE }).toString();
			const viaGet = (await httpRequest(`${uc.endpoint}/?${query}`)).json();
			// 161 comes after the signature check: the signature was accepted.
			expect(viaGet).toEqual({ Action: 'DescribeUHostInstanceResponse', RetCode: 161, Message: 'Action [DescribeUHostInstance] not found' });
			const viaJson = await httpRequest(`${uc.endpoint}/`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				// The curl body of summary/public: Limit as a JSON number.
				body: JSON.stringify({ ...current, Signature: CURRENT_SIGNATURE }),
			});
			expect(viaJson.status).toBe(200);
			expect(viaJson.json()).toMatchObject({ RetCode: 161 });
			const form = new URLSearchParams({ ...v2019, CPU: '2', Memory: '2048', DiskSpace: '10', Quantity: '1' });
			form.set('Signature', '4f9ef5df2abab2c6fccd1e9515cb7e2df8c6bb65');
			const viaForm = await httpRequest(`${uc.endpoint}/`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				body: form.toString(),
			});
			expect(viaForm.json()).toMatchObject({ Action: 'CreateUHostInstanceResponse', RetCode: 161 });
			// One character off: 171.
			const tampered = new URLSearchParams({ ...current, Limit: '10', Signature: CURRENT_SIGNATURE.replace(/^c/, 'd') });
			expect((await httpRequest(`${uc.endpoint}/?${tampered.toString()}`)).json()).toMatchObject({ RetCode: 171 });
		});
	});

	describe('order of checks and error codes', () => {
		it('answers a URedis call signed with the default account', async () => {
			const res = await ucloud(uc, 'DescribeURedisGroup', {}, {});
			expect(res).toMatchObject({ Action: 'DescribeURedisGroupResponse', RetCode: 0, TotalCount: 2 });
			expect(uc.requests.at(-1)).toMatchObject({ method: 'POST', path: '/', action: 'DescribeURedisGroup', status: 200 });
			expect(uc.requests.at(-1)?.code).toBeUndefined();
		});

		it('wrong private key: 171; unknown public key: 172; missing Signature: 170; missing Action: 160', async () => {
			const wrongKey = await ucloud(uc, 'DescribeURedisBackup', {}, { privateKey: 'not-the-private-key' });
			expect(wrongKey).toEqual({ Action: 'DescribeURedisBackupResponse', RetCode: 171, Message: expect.stringContaining('签名错误') });
			expect(uc.requests.at(-1)).toMatchObject({ action: 'DescribeURedisBackup', status: 200, code: '171' });
			const unknown = await ucloud(uc, 'DescribeURedisBackup', {}, { publicKey: 'nobody@example.com', privateKey: 'whatever' });
			expect(unknown).toMatchObject({ RetCode: 172, Message: 'User not exist' });
			const noPublicKey = await ucloud(uc, 'DescribeURedisBackup', {}, { mutate: (p) => delete p.PublicKey });
			expect(noPublicKey).toMatchObject({ RetCode: 172 });
			const unsigned = await ucloud(uc, 'DescribeURedisBackup', {}, { mutate: (p) => delete p.Signature });
			expect(unsigned).toMatchObject({ RetCode: 170, Message: 'Missing signature' });
			const noAction = await ucloud(uc, undefined as unknown as string, {}, {});
			expect(noAction).toEqual({ RetCode: 160, Message: 'Missing Action' });
			expect(uc.requests.at(-1)).toMatchObject({ action: '', code: '160' });
			// Any changed parameter breaks the signature.
			const changed = await ucloud(uc, 'DescribeURedisBackup', { Limit: 5 }, { mutate: (p) => (p.Limit = 6) });
			expect(changed.RetCode).toBe(171);
		});

		it('unknown Action after a good signature: 161; an unknown Action with a bad signature: 171', async () => {
			expect(await ucloud(uc, 'DeleteURedisBackup')).toEqual({
				Action: 'DeleteURedisBackupResponse',
				RetCode: 161,
				Message: 'Action [DeleteURedisBackup] not found',
			});
			expect((await ucloud(uc, 'DeleteURedisBackup', {}, { privateKey: 'x' })).RetCode).toBe(171);
		});

		it('ProjectId: the default project when absent, 292 for one the account does not have', async () => {
			const other = { publicKey: 'projects-public-key', privateKey: 'projects-private-key' };
			// The demo data is in the default account's project; this account's default project is empty.
			expect((await ucloud(uc, 'DescribeURedisGroup', {}, other)).TotalCount).toBe(0);
			expect((await ucloud(uc, 'DescribeURedisGroup', { ProjectId: 'org-other' }, other)).RetCode).toBe(0);
			expect(await ucloud(uc, 'DescribeURedisGroup', { ProjectId: 'org-missing' }, other)).toMatchObject({
				RetCode: 292,
				Message: 'Project [org-missing] not exist',
			});
			expect((await ucloud(uc, 'DescribeURedisGroup', { ProjectId: 'org-emulator' })).TotalCount).toBe(2);
		});

		it('IAM: 299 for the actions an account is denied, only those', async () => {
			const sub = { publicKey: 'sub-account-public-key', privateKey: 'sub-account-private-key' };
			const create = await ucloud(uc, 'CreateURedisBackup', { GroupId: DEMO, BackupName: 'iam-test' }, sub);
			expect(create).toMatchObject({ Action: 'CreateURedisBackupResponse', RetCode: 299, Message: expect.stringContaining('IAM') });
			expect((await ucloud(uc, 'DescribeURedisGroup', {}, sub)).RetCode).toBe(0);
			const denied = { publicKey: 'denied-public-key', privateKey: 'denied-private-key' };
			expect((await ucloud(uc, 'DescribeURedisGroup', {}, denied)).RetCode).toBe(299);
			// IAM comes after the signature: a wrong key is still 171.
			expect((await ucloud(uc, 'DescribeURedisGroup', {}, { ...denied, privateKey: 'x' })).RetCode).toBe(171);
		});

		it('no timestamp: a signed request stays valid whatever the clock says (no replay window)', async () => {
			const first = await ucloudCall(uc, { action: 'DescribeURedisGroup', as: 'get' });
			expect(first.json().RetCode).toBe(0);
			// The logged query of a GET is every parameter sent, Signature included.
			const params = uc.requests.at(-1)?.query as Record<string, string>;
			expect(params.Signature).toMatch(/^[0-9a-f]{40}$/);
			clock.advance(400 * 86400000);
			uc.settings.clockSkewMs = -3600000;
			const again = await httpRequest(`${uc.endpoint}/?${new URLSearchParams(params).toString()}`);
			expect(again.json().RetCode).toBe(0);
			clock.advance(-400 * 86400000);
			uc.settings.clockSkewMs = 0;
		});
	});

	describe('what is signed', () => {
		it('JSON bodies: nested arrays and objects flattened as Key.N / Key.Sub, booleans true/false, numbers as written', async () => {
			const params = {
				Limit: 10,
				Offset: 0,
				Tags: ['a', 'b'],
				Filter: { Name: 'x', Enabled: true, Ratio: 1.5 },
				Items: [{ Key: 'k', Value: 'v' }],
			};
			const res = await ucloud(uc, 'DescribeURedisGroup', params);
			expect(res.RetCode).toBe(0);
			expect(uc.requests.at(-1)?.query).toMatchObject({
				'Tags.0': 'a',
				'Tags.1': 'b',
				'Filter.Name': 'x',
				'Filter.Enabled': 'true',
				'Filter.Ratio': '1.5',
				'Items.0.Key': 'k',
				Limit: '10',
			});
			// The same parameters as a form (the SDKs' form encoding) and as a GET.
			expect((await ucloud(uc, 'DescribeURedisGroup', params, { as: 'form' })).RetCode).toBe(0);
			expect((await ucloud(uc, 'DescribeURedisGroup', params, { as: 'get' })).RetCode).toBe(0);
			// A flag signed as "True" (not UCloud's spelling) no longer matches what the JSON boolean signs as.
			const wrongBool = await httpRequest(`${uc.endpoint}/`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({
					Action: 'DescribeURedisGroup',
					Region: REGION,
					RegionFlag: true,
					PublicKey: PUBLIC_KEY,
					Signature: createHash('sha1')
						.update(`ActionDescribeURedisGroupPublicKey${PUBLIC_KEY}RegionFlagTrueRegion${REGION}${PRIVATE_KEY}`)
						.digest('hex'),
				}),
			});
			expect(wrongBool.json().RetCode).toBe(171);
		});

		it('POST with ?Action= in the URL (the Go SDK) signs the body; the Action may come from either', async () => {
			const both = await ucloud(uc, 'DescribeURedisGroup', {}, { query: 'Action=DescribeURedisGroup' });
			expect(both.RetCode).toBe(0);
			// Action only in the query, signed together with the body.
			const res = await ucloudCall(uc, {
				action: 'DescribeURedisGroup',
				mutate: (p) => delete p.Action,
				query: 'Action=DescribeURedisGroup',
			});
			expect((res.json() as Json).RetCode).toBe(0);
			expect(uc.requests.at(-1)).toMatchObject({ action: 'DescribeURedisGroup' });
		});
	});
});
