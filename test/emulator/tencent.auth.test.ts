import { createHash, createHmac } from 'crypto';

import { CloudEmulator, ManualClock } from '../../emulator';
import { legacyCall, responseOf, SECRET_ID, SECRET_KEY, STANDARD, tc3Call } from './tencent.helpers';

/** Signature checks of both Tencent APIs: each test breaks exactly one thing of a request signed with the SDK's code. */
describe('Tencent emulator authentication', () => {
	const clock = new ManualClock(Date.now());
	const emulator = new CloudEmulator({ clock });
	const tc = emulator.tencent;
	const now = () => Math.floor(clock.now() / 1000);

	beforeAll(() => emulator.start());
	afterAll(() => emulator.stop());
	afterEach(() => {
		tc.settings.clockSkewMs = 0;
	});

	const codeOf = async (call: ReturnType<typeof tc3Call>) => {
		const raw = await call;
		expect(raw.status).toBe(200);
		return responseOf(raw).Error?.Code;
	};

	describe('API 3.0 (TC3-HMAC-SHA256)', () => {
		it('accepts a correct POST and GET, every answer HTTP 200 with a RequestId', async () => {
			const post = await tc3Call(tc, { action: 'DescribeInstances', params: { Limit: 1 }, timestamp: now() });
			expect(post.status).toBe(200);
			expect(post.headers['content-type']).toBe('application/json');
			expect(responseOf(post)).toMatchObject({ TotalCount: 2, RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
			const get = await tc3Call(tc, { action: 'DescribeInstanceBackups', method: 'GET', params: { InstanceId: STANDARD, Status: [2] } });
			expect(responseOf(get).TotalCount).toBe(19);
			expect(tc.requests.at(-1)).toMatchObject({
				action: 'DescribeInstanceBackups',
				query: { InstanceId: STANDARD, 'Status.0': '2' },
				status: 200,
			});
		});

		it('signs the host without its port, as the SDK does: a signature over host:port is refused', async () => {
			// Sign.sign3 signs URL.hostname; a client that signs the Host header with its port gets SignatureFailure.
			const ts = now();
			const body = '{}';
			const canonical = [
				'POST',
				'/',
				'',
				`content-type:application/json\nhost:127.0.0.1:${tc.port}\n`,
				'content-type;host',
				createHash('sha256').update(body).digest('hex'),
			].join('\n');
			const date = new Date(ts * 1000).toISOString().slice(0, 10);
			const h = (k: string | Buffer, d: string) => createHmac('sha256', k).update(d).digest();
			const key = h(h(h(`TC3${SECRET_KEY}`, date), 'redis'), 'tc3_request');
			const signature = createHmac('sha256', key)
				.update(`TC3-HMAC-SHA256\n${ts}\n${date}/redis/tc3_request\n${createHash('sha256').update(canonical).digest('hex')}`)
				.digest('hex');
			const code = await codeOf(
				tc3Call(tc, {
					action: 'DescribeInstances',
					timestamp: ts,
					mutate: (headers) => {
						headers.Authorization = `TC3-HMAC-SHA256 Credential=${SECRET_ID}/${date}/redis/tc3_request, SignedHeaders=content-type;host, Signature=${signature}`;
					},
				}),
			);
			expect(code).toBe('AuthFailure.SignatureFailure');
		});

		it('accepts further signed headers (x-tc-action, as in Tencent\'s current worked example)', async () => {
			const ts = now();
			const body = '{"Limit":1}';
			const canonical = [
				'POST',
				'/',
				'',
				`content-type:application/json\nhost:127.0.0.1\nx-tc-action:describeinstances\n`,
				'content-type;host;x-tc-action',
				createHash('sha256').update(body).digest('hex'),
			].join('\n');
			const date = new Date(ts * 1000).toISOString().slice(0, 10);
			const h = (k: string | Buffer, d: string) => createHmac('sha256', k).update(d).digest();
			const key = h(h(h(`TC3${SECRET_KEY}`, date), 'redis'), 'tc3_request');
			const signature = createHmac('sha256', key)
				.update(`TC3-HMAC-SHA256\n${ts}\n${date}/redis/tc3_request\n${createHash('sha256').update(canonical).digest('hex')}`)
				.digest('hex');
			const res = await tc3Call(tc, {
				action: 'DescribeInstances',
				timestamp: ts,
				rawBody: body,
				mutate: (headers) => {
					headers.Authorization = `TC3-HMAC-SHA256 Credential=${SECRET_ID}/${date}/redis/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=${signature}`;
				},
			});
			expect(responseOf(res)).toMatchObject({ TotalCount: 2 });
		});

		it.each([
			['a wrong SecretKey', { secretKey: 'not-the-key' }, 'AuthFailure.SignatureFailure'],
			['an unknown AKID SecretId', { secretId: 'AKIDnobody00000000000000000EXAMPLE' }, 'AuthFailure.SecretIdNotFound'],
			['a SecretId that is no API key', { secretId: 'my-access-key' }, 'AuthFailure.InvalidSecretId'],
			['a timestamp 6 minutes old', { timestamp: Math.floor(Date.now() / 1000) - 360 }, 'AuthFailure.SignatureExpire'],
			['a timestamp 6 minutes ahead', { timestamp: Math.floor(Date.now() / 1000) + 360 }, 'AuthFailure.SignatureExpire'],
			['an unknown version', { version: '2017-03-12' }, 'NoSuchVersion'],
			['an unknown action', { action: 'DeleteInstance' }, 'InvalidAction'],
			['a token on a permanent key', { token: 'tok' }, 'AuthFailure.TokenFailure'],
		])('refuses %s', async (_what, change, code) => {
			clock.set(Date.now());
			expect(await codeOf(tc3Call(tc, { action: 'DescribeInstances', ...change }))).toBe(code);
		});

		it('refuses a body, a header or an Authorization changed after signing', async () => {
			const tampered = await codeOf(
				tc3Call(tc, {
					action: 'DescribeInstanceBackups',
					params: { InstanceId: STANDARD },
					mutate: (headers) => {
						headers['Content-Type'] = 'application/json; charset=utf-8';
					},
				}),
			);
			expect(tampered).toBe('AuthFailure.SignatureFailure');
			const body = await codeOf(
				tc3Call(tc, { action: 'DescribeInstances', params: { Limit: 1 }, sendBody: '{"Limit":2}' }),
			);
			expect(body).toBe('AuthFailure.SignatureFailure');
			const malformed = await codeOf(
				tc3Call(tc, { action: 'DescribeInstances', mutate: (headers) => (headers.Authorization = 'Bearer x') }),
			);
			expect(malformed).toBe('AuthFailure.InvalidAuthorization');
			const unsigned = await codeOf(
				tc3Call(tc, { action: 'DescribeInstances', mutate: (headers) => delete headers.Authorization }),
			);
			expect(unsigned).toBe('MissingParameter');
			const wrongService = await codeOf(
				tc3Call(tc, {
					action: 'DescribeInstances',
					mutate: (headers) => (headers.Authorization = headers.Authorization.replace('/redis/', '/cvm/')),
				}),
			);
			expect(wrongService).toBe('AuthFailure.SignatureFailure');
		});

		it('judges timestamps by the emulator clock with its skew (±5 minutes)', async () => {
			clock.set(Date.now());
			const ts = now();
			tc.settings.clockSkewMs = 4 * 60000;
			expect(await codeOf(tc3Call(tc, { action: 'DescribeInstances', timestamp: ts }))).toBeUndefined();
			tc.settings.clockSkewMs = -6 * 60000;
			const expired = await tc3Call(tc, { action: 'DescribeInstances', timestamp: ts });
			expect(responseOf(expired).Error).toMatchObject({ Code: 'AuthFailure.SignatureExpire', Message: expect.stringContaining(String(ts)) });
		});

		it('an account denied by CAM gets AuthFailure.UnauthorizedOperation for those actions only', async () => {
			tc.addAccount({ secretId: 'AKIDreadonly0000000000000000EXAMPLE', secretKey: 'ro', camDenied: ['ManualBackupInstance'] });
			const as = { secretId: 'AKIDreadonly0000000000000000EXAMPLE', secretKey: 'ro' };
			expect(await codeOf(tc3Call(tc, { action: 'DescribeInstances', ...as }))).toBeUndefined();
			const denied = await tc3Call(tc, { action: 'ManualBackupInstance', params: { InstanceId: STANDARD }, ...as });
			expect(responseOf(denied).Error).toMatchObject({
				Code: 'AuthFailure.UnauthorizedOperation',
				Message: expect.stringContaining('redis:ManualBackupInstance'),
			});
			expect(tc.requests.at(-1)).toMatchObject({ status: 200, code: 'AuthFailure.UnauthorizedOperation' });
		});

		it('checks parameters after authentication: MissingParameter, UnknownParameter, Region', async () => {
			expect(await codeOf(tc3Call(tc, { action: 'DescribeBackupUrl', params: { InstanceId: STANDARD } }))).toBe('MissingParameter');
			expect(await codeOf(tc3Call(tc, { action: 'DescribeInstances', params: { Nope: 1 } }))).toBe('UnknownParameter');
			expect(await codeOf(tc3Call(tc, { action: 'DescribeInstances', region: '' }))).toBe('MissingParameter');
			expect(await codeOf(tc3Call(tc, { action: 'DescribeInstances', region: 'xx-nowhere' }))).toBe('UnsupportedRegion');
			const other = await tc3Call(tc, { action: 'DescribeInstances', region: 'ap-beijing' });
			expect(responseOf(other).TotalCount).toBe(0);
		});
	});

	describe('legacy CRS API (API 2.0 signature)', () => {
		const legacyCode = async (call: ReturnType<typeof legacyCall>) => {
			const raw = await call;
			expect(raw.status).toBe(200);
			return raw.json().code as number;
		};
		const list = { limit: '10', offset: '0', redisId: STANDARD };

		it('accepts GET and POST, HmacSHA1 by default and HmacSHA256 when SignatureMethod says so', async () => {
			clock.set(Date.now());
			for (const method of ['GET', 'POST'] as const) {
				for (const signatureMethod of [undefined, 'HmacSHA1', 'HmacSHA256'] as const) {
					const raw = await legacyCall(tc, { action: 'GetRedisBackupList', params: list, method, signatureMethod });
					expect(raw.json()).toMatchObject({ code: 0, message: '', codeDesc: 'Success' });
				}
			}
		});

		it('refuses a wrong key (4100), an expired timestamp (4200), a replayed nonce (4500)', async () => {
			clock.set(Date.now());
			expect(await legacyCode(legacyCall(tc, { action: 'GetRedisBackupList', params: list, secretKey: 'wrong' }))).toBe(4100);
			expect(await legacyCode(legacyCall(tc, { action: 'GetRedisBackupList', params: list, secretId: 'AKIDnobody' }))).toBe(4100);
			expect(
				await legacyCode(legacyCall(tc, { action: 'GetRedisBackupList', params: list, timestamp: now() - 301 })),
			).toBe(4200);
			const timestamp = now();
			const first = legacyCall(tc, { action: 'GetRedisBackupList', params: list, timestamp, nonce: 4711 });
			expect(await legacyCode(first)).toBe(0);
			const replay = await legacyCall(tc, { action: 'GetRedisBackupList', params: list, timestamp, nonce: 4711 });
			expect(replay.json()).toMatchObject({ code: 4500, codeDesc: 'ReplayAttack' });
			// The same nonce with another timestamp is a new request.
			expect(await legacyCode(legacyCall(tc, { action: 'GetRedisBackupList', params: list, timestamp: timestamp + 1, nonce: 4711 }))).toBe(0);
		});

		it('signs the Host header as sent (with its port) and every parameter, raw and sorted', async () => {
			const tampered = await legacyCall(tc, {
				action: 'GetRedisBackupList',
				params: list,
				mutate: (params) => {
					params.limit = '11';
				},
			});
			expect(tampered.json()).toMatchObject({ code: 4100, codeDesc: 'AuthFailure' });
			expect(tc.requests.at(-1)).toMatchObject({ path: '/v2/index.php', action: 'GetRedisBackupList', code: '4100' });
			const withoutPort = await legacyCall(tc, { action: 'GetRedisBackupList', params: list, signedHost: '127.0.0.1' });
			expect(withoutPort.json()).toMatchObject({ code: 4100 });
		});

		it('missing common parameters (4000), unknown action (4000), CAM (4300), token', async () => {
			const noNonce = await legacyCall(tc, { action: 'GetRedisBackupList', params: list, mutate: (p) => delete p.Nonce });
			expect(noNonce.json()).toMatchObject({ code: 4000, codeDesc: 'MissingParameter' });
			expect(await legacyCode(legacyCall(tc, { action: 'DescribeRedis', params: list }))).toBe(4000);
			tc.addAccount({ secretId: 'AKIDnocam000000000000000000EXAMPLE', secretKey: 'nc', camDenied: true });
			expect(
				await legacyCode(legacyCall(tc, { action: 'GetRedisBackupList', params: list, secretId: 'AKIDnocam000000000000000000EXAMPLE', secretKey: 'nc' })),
			).toBe(4300);
			tc.addAccount({ secretId: 'AKIDsts000000000000000000000EXAMPLE', secretKey: 'st', token: 'tk' });
			const sts = { secretId: 'AKIDsts000000000000000000000EXAMPLE', secretKey: 'st' };
			expect(await legacyCode(legacyCall(tc, { action: 'GetRedisBackupList', params: list, ...sts }))).toBe(4100);
			expect(await legacyCode(legacyCall(tc, { action: 'GetRedisBackupList', params: list, ...sts, token: 'tk' }))).toBe(0);
		});
	});
});
