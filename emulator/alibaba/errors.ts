/**
 * Alibaba Cloud POP errors as the R-KVStore endpoint answers them: HTTP status + JSON
 * {RequestId, HostId, Code, Message, Recommend}. Codes and messages are those of Alibaba's public docs and of real
 * responses quoted in public code (see the emulator report); where the docs are silent the choice is noted.
 */
export class AlibabaError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
	) {
		super(message);
	}
}

export const HOST_ID = 'r-kvstore.aliyuncs.com';

export function errorBody(err: { code: string; message: string }, requestId: string) {
	return {
		RequestId: requestId,
		HostId: HOST_ID,
		Code: err.code,
		Message: err.message,
		Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(err.code)}&product=R-kvstore&requestId=${requestId}`,
	};
}

export const Errors = {
	missingParameter: (name: string) =>
		new AlibabaError(
			400,
			'MissingParameter',
			`The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
		),
	invalidParameter: (name: string) =>
		new AlibabaError(400, 'InvalidParameter', `The specified parameter "${name}" is not valid.`),
	incompleteSignature: (detail: string) =>
		new AlibabaError(400, 'IncompleteSignature', `The request signature does not conform to Aliyun standards. ${detail}`),
	signatureDoesNotMatch: (stringToSign: string) =>
		new AlibabaError(
			400,
			'SignatureDoesNotMatch',
			`Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`,
		),
	accessKeyNotFound: () => new AlibabaError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.'),
	timestampFormat: () =>
		new AlibabaError(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.'),
	timestampExpired: () =>
		new AlibabaError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.'),
	nonceUsed: () => new AlibabaError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.'),
	missingSecurityToken: () => new AlibabaError(400, 'MissingSecurityToken', 'SecurityToken is mandatory for this action.'),
	securityTokenMismatch: () =>
		new AlibabaError(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'Specified SecurityToken mismatch with the AccessKey.'),
	invalidVersion: () => new AlibabaError(400, 'InvalidVersion', 'Specified parameter Version is not valid.'),
	actionNotFound: () =>
		new AlibabaError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.'),
	instanceNotFound: () =>
		new AlibabaError(404, 'InvalidInstanceId.NotFound', 'The InstanceId provided does not exist in our records.'),
	// The DescribeBackups error table (R-kvstore 2015-01-01).
	startTimeMalformed: () =>
		new AlibabaError(400, 'InvalidStartTime.Malformed', 'The Specified parameter StartTime is not valid.'),
	endTimeMalformed: () => new AlibabaError(400, 'InvalidEndTime.Malformed', 'The Specified parameter EndTime is not valid.'),
	timeRange: () =>
		new AlibabaError(400, 'InvalidStartTimeAndEndTime.Malformed', 'The end time must be greater than the start time.'),
	pageSize: () => new AlibabaError(400, 'InvalidPageSize.Malformed', 'The specified parameter PageSize is not valid.'),
	pageNumber: () =>
		new AlibabaError(400, 'InvalidPageNumber.Malformed', 'The specified parameter PageNumber is not valid.'),
	// From the R-KVStore error table: an action (CreateBackup among them) on an instance not in the running state.
	incorrectInstanceState: () =>
		new AlibabaError(403, 'IncorrectDBInstanceState', 'Current DB instance state does not support this operation.'),
	throttled: () => new AlibabaError(400, 'Throttling.User', 'Request was denied due to user flow control.'),
	serviceUnavailable: () =>
		new AlibabaError(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.'),
	internalError: () =>
		new AlibabaError(
			500,
			'InternalError',
			'The request processing has failed due to some unknown error, exception or failure.',
		),
};

/**
 * The catalogue entry for a code (only entries without parameters), so an injected `error` fault that names just
 * a code answers with Alibaba's status and message for it.
 */
export function catalogueError(code: string): AlibabaError | undefined {
	for (const make of Object.values(Errors)) {
		if (make.length !== 0) continue;
		const error = (make as () => AlibabaError)();
		if (error.code === code) return error;
	}
	return undefined;
}
