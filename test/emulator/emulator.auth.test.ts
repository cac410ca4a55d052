import { CloudEmulator, ManualClock } from '../../emulator';
import { acsDate, signedCall } from './helpers';

/** Requests signed by hand with the SDK's signer, then broken in one way each. */
describe('Alibaba emulator request authentication (ACS3-HMAC-SHA256)', () => {
	const clock = new ManualClock(Date.now());
	const emulator = new CloudEmulator({ clock });
	const ali = emulator.alibaba;

	beforeAll(() => emulator.start());
	afterAll(() => emulator.stop());

	it('accepts a correctly signed request', async () => {
		const res = await signedCall(ali, { action: 'DescribeRegions' });
		expect(res.status).toBe(200);
		expect(res.headers['content-type']).toBe('application/json;charset=utf-8');
	});

	it('rejects a tampered signature with SignatureDoesNotMatch and the server string to sign', async () => {
		const res = await signedCall(ali, {
			action: 'DescribeInstances',
			params: { RegionId: 'cn-hangzhou' },
			mutate: (_h, q) => {
				q.RegionId = 'cn-shanghai';
			},
		});
		expect(res.status).toBe(400);
		const body = res.json();
		expect(body).toMatchObject({ Code: 'SignatureDoesNotMatch', HostId: 'r-kvstore.aliyuncs.com' });
		expect(body.Message).toMatch(
			/^Specified signature is not matched with our calculation\. server string to sign is:ACS3-HMAC-SHA256\n[0-9a-f]{64}$/,
		);
		expect(body.RequestId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
		expect(body.Recommend).toContain('q=SignatureDoesNotMatch');
		expect(ali.requests.at(-1)).toMatchObject({ action: 'DescribeInstances', status: 400, code: 'SignatureDoesNotMatch' });
	});

	it('rejects a body that does not match x-acs-content-sha256', async () => {
		const res = await signedCall(ali, {
			action: 'DescribeBackupTasks',
			body: 'InstanceId=r-demostandard01',
			mutate: (h) => {
				h['content-type'] = 'application/x-www-form-urlencoded';
			},
		});
		expect(res.status).toBe(200);
		const forged = await signedCall(ali, {
			action: 'DescribeBackupTasks',
			body: 'InstanceId=r-demostandard01',
			mutate: (h) => {
				h['x-acs-content-sha256'] = '0'.repeat(64);
			},
		});
		expect(forged.status).toBe(400);
		expect(forged.json().Code).toBe('SignatureDoesNotMatch');
	});

	it('rejects a date more than 15 minutes away from the emulator clock', async () => {
		const stale = await signedCall(ali, { action: 'DescribeRegions', date: acsDate(clock.now() - 16 * 60000) });
		expect(stale.status).toBe(400);
		expect(stale.json()).toMatchObject({
			Code: 'InvalidTimeStamp.Expired',
			Message: 'Specified time stamp or date value is expired.',
		});
		const future = await signedCall(ali, { action: 'DescribeRegions', date: acsDate(clock.now() + 16 * 60000) });
		expect(future.json().Code).toBe('InvalidTimeStamp.Expired');
		const within = await signedCall(ali, { action: 'DescribeRegions', date: acsDate(clock.now() - 14 * 60000) });
		expect(within.status).toBe(200);
		const garbled = await signedCall(ali, { action: 'DescribeRegions', date: 'yesterday' });
		expect(garbled.json().Code).toBe('InvalidTimeStamp.Format');
	});

	it('rejects a reused nonce', async () => {
		const first = await signedCall(ali, { action: 'DescribeRegions', nonce: 'nonce-1' });
		expect(first.status).toBe(200);
		const replay = await signedCall(ali, { action: 'DescribeRegions', nonce: 'nonce-1' });
		expect(replay.status).toBe(400);
		expect(replay.json()).toMatchObject({
			Code: 'SignatureNonceUsed',
			Message: 'Specified signature nonce was used already.',
		});
	});

	it('rejects an unknown AccessKey ID with 404', async () => {
		const res = await signedCall(ali, { action: 'DescribeRegions', accessKeyId: 'nobody' });
		expect(res.status).toBe(404);
		expect(res.json()).toMatchObject({ Code: 'InvalidAccessKeyId.NotFound', Message: 'Specified access key is not found.' });
	});

	it('rejects missing or unsigned headers', async () => {
		const noAuth = await signedCall(ali, {
			action: 'DescribeRegions',
			mutate: (h) => {
				delete h.authorization;
			},
		});
		expect(noAuth.status).toBe(400);
		expect(noAuth.json().Code).toBe('MissingParameter');
		const noNonce = await signedCall(ali, {
			action: 'DescribeRegions',
			mutate: (h) => {
				delete h['x-acs-signature-nonce'];
			},
		});
		expect(noNonce.json()).toMatchObject({ Code: 'MissingParameter' });
		expect(noNonce.json().Message).toContain('x-acs-signature-nonce');
		const unsigned = await signedCall(ali, {
			action: 'DescribeRegions',
			mutate: (h) => {
				h['x-acs-extra'] = 'sneaky';
			},
		});
		expect(unsigned.json().Code).toBe('IncompleteSignature');
		const malformed = await signedCall(ali, {
			action: 'DescribeRegions',
			mutate: (h) => {
				h.authorization = 'ACS3-HMAC-SHA256 Signature=abc';
			},
		});
		expect(malformed.json().Code).toBe('IncompleteSignature');
	});

	it('rejects a wrong API version and an unknown action', async () => {
		const version = await signedCall(ali, { action: 'DescribeRegions', version: '2014-05-26' });
		expect(version.status).toBe(400);
		expect(version.json().Code).toBe('InvalidVersion');
		const action = await signedCall(ali, { action: 'DescribeNothing' });
		expect(action.status).toBe(404);
		expect(action.json()).toMatchObject({
			Code: 'InvalidAction.NotFound',
			Message: 'Specified api is not found, please check your url and method.',
		});
	});

	it('reads API parameters from a form body as well as the query', async () => {
		const res = await signedCall(ali, {
			action: 'DescribeInstances',
			body: 'RegionId=cn-hangzhou&InstanceIds=r-demostandard01',
		});
		expect(res.status).toBe(200);
		expect(res.json()).toMatchObject({ TotalCount: 1 });
	});
});
