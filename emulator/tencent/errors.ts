/**
 * Tencent Cloud errors, both dialects.
 *
 * API 3.0 answers every error with HTTP 200 and `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`; the
 * codes are Tencent's common ones (AuthFailure.*, RequestLimitExceeded, InternalError, InvalidParameter, ...) and
 * the Redis product's own (ResourceNotFound.InstanceNotExists, ResourceUnavailable.InstanceStatusAbnormal, ...), as
 * listed per action by the official SDKs (tencentcloud-sdk-go redis/v20180412 client.go and errors.go).
 *
 * The legacy CRS API (API 2.0, redis.api.qcloud.com/v2/index.php) answers `{"code": N, "message", "codeDesc"}`, also
 * with HTTP 200: the API 2.0 common codes (4000 invalid parameter ... 6000 internal error) and the CRS business
 * codes its pages document (11201 InvalidParameter, 10701 InstanceNotExists, 10711 BackupStatusAbnormal, 11213
 * BackupNotExists).
 */

/** An API 3.0 error. `httpStatus` is 200 as Tencent sends it; only a fault may ask for another. */
export class TencentError extends Error {
	constructor(
		readonly code: string,
		message: string,
		readonly httpStatus = 200,
	) {
		super(message);
	}
}

export function errorResponse(err: { code: string; message: string }, requestId: string) {
	return { Response: { Error: { Code: err.code, Message: err.message }, RequestId: requestId } };
}

const e = (code: string, message: string) => new TencentError(code, message);

export const Errors = {
	// Common error codes (API 3.0 "公共错误码").
	invalidAuthorization: (detail: string) =>
		e('AuthFailure.InvalidAuthorization', `Authorization in the request header is not in line with the Tencent Cloud standard. ${detail}`),
	signatureFailure: () =>
		e('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.'),
	signatureExpire: (timestamp: number | string, serverSeconds: number) =>
		e(
			'AuthFailure.SignatureExpire',
			`Signature expired. Timestamp and server time cannot differ by more than 5 minutes (request timestamp ${timestamp}, server time ${serverSeconds}).`,
		),
	secretIdNotFound: () =>
		e('AuthFailure.SecretIdNotFound', 'The SecretId is not found, please ensure that your SecretId is correct.'),
	invalidSecretId: () => e('AuthFailure.InvalidSecretId', 'Invalid key (not a TencentCloud API key type).'),
	tokenFailure: () => e('AuthFailure.TokenFailure', 'Token verification failed: the token is missing, invalid or expired.'),
	unauthorizedOperation: (action: string, region: string) =>
		e(
			'AuthFailure.UnauthorizedOperation',
			`you are not authorized to perform operation (redis:${action})\nresource (qcs::redis:${region}:uin/100000000001:instance/*) has no permission\n`,
		),
	requestLimitExceeded: () =>
		e(
			'RequestLimitExceeded',
			'Your current request times equals to `21` in a second, which exceeds the frequency limit `20` for a second. Please reduce the frequency of calls.',
		),
	internalError: () =>
		e('InternalError', 'An internal error has occurred. Retry your request, but if the problem persists, contact us.'),
	invalidAction: (action: string) => e('InvalidAction', `The requested action \`${action}\` does not exist.`),
	noSuchVersion: (version: string) =>
		e('NoSuchVersion', `The requested version \`${version}\` of service \`redis\` does not exist.`),
	unsupportedRegion: (region: string) => e('UnsupportedRegion', `The request is not supported in region \`${region}\`.`),
	missingParameter: (name: string) => e('MissingParameter', `The request is missing a required parameter \`${name}\`.`),
	unknownParameter: (name: string) => e('UnknownParameter', `The parameter \`${name}\` is not recognized.`),
	invalidParameter: (detail: string) => e('InvalidParameter', detail),
	invalidParameterValue: (detail: string) => e('InvalidParameterValue', detail),
	// Redis (2018-04-12) business codes.
	instanceNotExists: () => e('ResourceNotFound.InstanceNotExists', 'No Redis instance found by the specified serialId.'),
	backupNotExists: () => e('InvalidParameterValue.BackupNotExists', 'The backup does not exist.'),
	backupStatusInvalid: () =>
		e(
			'ResourceUnavailable.BackupStatusInvalid',
			'The backup status is invalid: it may still be in progress, expired or deleted.',
		),
	instanceStatusAbnormal: () =>
		e(
			'ResourceUnavailable.InstanceStatusAbnormal',
			'The Redis status is exceptional, and the corresponding process cannot be executed.',
		),
	instanceLocked: () => e('ResourceUnavailable.InstanceLockedError', 'Redis has been locked by another process.'),
	taskNotExists: (taskId: number) => e('InvalidParameterValue', `The task ${taskId} does not exist.`),
	noCamAuthed: () => e('UnauthorizedOperation.NoCAMAuthed', 'No CAM permissions.'),
};

/** The catalogue entry of a code (entries without parameters only), so an `error` fault naming a code gets its message. */
export function catalogueError(code: string): TencentError | undefined {
	for (const make of Object.values(Errors)) {
		if (make.length !== 0) continue;
		const error = (make as () => TencentError)();
		if (error.code === code) return error;
	}
	return undefined;
}

// ---- Legacy API (API 2.0) ---------------------------------------------------------------------------------------

export class LegacyError extends Error {
	constructor(
		readonly code: number,
		readonly codeDesc: string,
		message: string,
	) {
		super(message);
	}
}

export function legacyErrorBody(err: LegacyError) {
	return { code: err.code, message: err.message, codeDesc: err.codeDesc };
}

const l = (code: number, codeDesc: string, message: string) => new LegacyError(code, codeDesc, message);

export const LegacyErrors = {
	// API 2.0 common codes.
	invalidParameter: (detail: string) => l(4000, 'InvalidParameter', detail),
	missingParameter: (name: string) => l(4000, 'MissingParameter', `(100001)缺少参数错误: ${name} is required`),
	unknownAction: (action: string) => l(4000, 'InvalidAction', `(100002)The action ${action} does not exist`),
	authFailure: (detail: string) => l(4100, 'AuthFailure', `鉴权失败 (authentication failed): ${detail}`),
	expired: () => l(4200, 'RequestExpired', '请求过期 (the request expired: Timestamp differs from the server time by more than 5 minutes)'),
	accessDenied: (action: string) => l(4300, 'AccessDenied', `拒绝访问 (access denied): no CAM permission for redis:${action}`),
	quotaExceeded: () => l(4400, 'LimitExceeded', '超过配额 (request quota exceeded, please reduce the frequency of calls)'),
	replayAttack: () => l(4500, 'ReplayAttack', '重放攻击 (replay attack: this Nonce and Timestamp were already used)'),
	internalError: () => l(6000, 'InternalError', '服务器内部错误 (internal server error)'),
	// CRS business codes (GetRedisBackupList, GetBackupDownloadUrl).
	businessParameter: (detail: string) => l(11201, 'InvalidParameter', detail),
	instanceNotExists: () => l(10701, 'InstanceNotExists', '没有找到 serialId 对应的实例 (no instance found for this redisId)'),
	backupStatusAbnormal: () => l(10711, 'BackupStatusAbnormal', '备份状态异常，暂不能执行该操作 (the backup status does not allow this)'),
	backupNotExists: () => l(11213, 'BackupNotExists', '根据 backupId，没有找到实例对应的备份 (no backup of the instance with this backupId)'),
};

/** A legacy error for an injected `error` fault: a numeric code or a known codeDesc; anything else is 5100. */
export function legacyFaultError(code: string | undefined, message: string | undefined): LegacyError {
	if (code === undefined) return l(11201, 'InvalidParameter', message ?? 'Injected error from the emulator fault queue.');
	const known = Object.values(LegacyErrors)
		.map((make) => (make as (arg: string) => LegacyError)('x'))
		.find((err) => String(err.code) === code || err.codeDesc === code);
	if (known) return l(known.code, known.codeDesc, message ?? known.message);
	if (/^\d+$/.test(code)) return l(Number(code), 'InjectedError', message ?? 'Injected error from the emulator fault queue.');
	return l(5100, code, message ?? 'Injected error from the emulator fault queue.');
}
