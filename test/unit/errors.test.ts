import { CloudApiError, isAmbiguous, networkErrorCode, type CloudErrorKind } from '../../nodes/common/errors';

const withCode = (code: string, message = 'request failed') => Object.assign(new Error(message), { code });

describe('networkErrorCode', () => {
	it.each([
		'ECONNRESET',
		'ECONNREFUSED',
		'ECONNABORTED',
		'ETIMEDOUT',
		'EPIPE',
		'ENOTFOUND',
		'EAI_AGAIN',
		'EHOSTUNREACH',
		'ENETUNREACH',
		'ERR_SOCKET_CONNECTION_TIMEOUT',
		'UND_ERR_SOCKET',
	])('recognises %s on the error itself', (code) => {
		expect(networkErrorCode(withCode(code))).toBe(code);
	});

	it('finds the code through a cause chain (fetch / undici style)', () => {
		const error = new TypeError('fetch failed', { cause: withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1') });
		expect(networkErrorCode(error)).toBe('ECONNREFUSED');
	});

	it('finds the code through an `error` property (request-promise style)', () => {
		const error = { name: 'RequestError', message: 'Error: connect', error: withCode('ETIMEDOUT', 'connect') };
		expect(networkErrorCode(error)).toBe('ETIMEDOUT');
	});

	it('follows a mixed cause/error chain several levels deep', () => {
		const root = withCode('EAI_AGAIN', 'getaddrinfo');
		const error = { message: 'outer', cause: { message: 'middle', error: { message: 'inner', cause: root } } };
		expect(networkErrorCode(error)).toBe('EAI_AGAIN');
	});

	it('skips non-network codes on the way down', () => {
		const error = Object.assign(new Error('Request failed'), { code: 'ERR_BAD_RESPONSE', cause: withCode('EPIPE') });
		expect(networkErrorCode(error)).toBe('EPIPE');
	});

	it('prefers `cause` over `error` when both are present', () => {
		const error = { message: 'outer', cause: withCode('ECONNRESET'), error: withCode('ENOTFOUND') };
		expect(networkErrorCode(error)).toBe('ECONNRESET');
	});

	it.each(['socket hang up', 'read ECONNRESET', 'The operation was aborted', 'Socket Hang Up'])(
		'reads a reset from the message %p when there is no code',
		(message) => {
			expect(networkErrorCode(new Error(message))).toBe('ECONNRESET');
		},
	);

	it('gives up after five levels', () => {
		let error: Record<string, unknown> = withCode('ECONNRESET') as unknown as Record<string, unknown>;
		for (let i = 0; i < 5; i++) error = { message: `level ${i}`, cause: error };
		expect(networkErrorCode(error)).toBeUndefined();
		// Four wrappers are still within reach.
		expect(networkErrorCode((error as { cause: unknown }).cause)).toBe('ECONNRESET');
	});

	it('does not loop forever on a cyclic cause chain', () => {
		const error: { message: string; cause?: unknown } = { message: 'loop' };
		error.cause = error;
		expect(networkErrorCode(error)).toBeUndefined();
	});

	it.each([
		['undefined', undefined],
		['null', null],
		['a string', 'ECONNRESET'],
		['a number', 42],
		['an HTTP error', Object.assign(new Error('Request failed with status code 500'), { code: 'ERR_BAD_RESPONSE' })],
		['an unrelated code', withCode('ENOENT', 'no such file')],
		['a numeric code', { code: 104, message: 'reset' }],
	])('returns undefined for %s', (_label, error) => {
		expect(networkErrorCode(error)).toBeUndefined();
	});
});

describe('CloudApiError', () => {
	it('keeps its details and exposes the kind', () => {
		const error = new CloudApiError('Nope', { provider: 'alibaba', kind: 'auth', code: 'SignatureDoesNotMatch', httpStatus: 400 });
		expect(error).toBeInstanceOf(Error);
		expect(error.name).toBe('CloudApiError');
		expect(error.message).toBe('Nope');
		expect(error.kind).toBe('auth');
		expect(error.details).toEqual({ provider: 'alibaba', kind: 'auth', code: 'SignatureDoesNotMatch', httpStatus: 400 });
	});
});

describe('isAmbiguous', () => {
	it.each([
		['server', true],
		['network', true],
		['malformed', true],
		['throttled', false],
		['auth', false],
		['notFound', false],
		['client', false],
	] as Array<[CloudErrorKind, boolean]>)('%s -> %p', (kind, expected) => {
		expect(isAmbiguous(new CloudApiError('x', { provider: 'p', kind }))).toBe(expected);
	});
});
