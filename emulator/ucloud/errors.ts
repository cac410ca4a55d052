/**
 * UCloud API errors. Every answer is HTTP 200 JSON; an error is `{"Action": "<Action>Response", "RetCode": n,
 * "Message": "..."}` with RetCode != 0 (docs.ucloud.cn/api/summary/public, "公共响应" and "错误码说明").
 *
 * The common codes are the public table of that page (UCloudDoc-Team/api summary/public.md, unchanged since 2023):
 * 110 API timeout (60 s), 130 API gateway or authentication service abnormal, 150 service unavailable, 153 API request
 * throttled, 160 missing Action, 161 Action does not exist, 170 missing signature, 171 signature error, 172 user does
 * not exist, 174 token does not exist, 292 project does not exist, 293 zone permission error, 294 access IP refused,
 * 295 security lock check failed, 299 IAM permission check failed. The messages of 160/161/171 are the ones the
 * official SDKs' tests show ("Missing Action", "Action [Test] not found", "签名错误").
 *
 * Parameter errors are not in the public table: 230 ("Params [X] not available"), the code UCloud's product APIs
 * answer for a missing or unusable parameter (terraform-provider-ucloud treats DescribeUDBInstance's 230 as "not
 * found"). The URedis business codes are UMem's table (UCloudDoc-Team/api umem-api/error_code.md): 20202 getting
 * information failed, 20203 creation failed (retry later), 20208 backup count over the limit.
 */
export class UCloudError extends Error {
	constructor(
		readonly retCode: number,
		message: string,
		/** HTTP status: 200 as UCloud sends every answer; only a fault may ask for another. */
		readonly httpStatus = 200,
	) {
		super(message);
	}
}

/** The error body; `Action` is `<Action>Response`, left out when the request named no Action at all. */
export function errorBody(err: UCloudError, action: string | undefined): Record<string, unknown> {
	return {
		...(action ? { Action: `${action}Response` } : {}),
		RetCode: err.retCode,
		Message: err.message,
	};
}

const e = (retCode: number, message: string) => new UCloudError(retCode, message);

export const Errors = {
	timeout: () => e(110, 'API response timeout (60 seconds)'),
	gatewayAbnormal: () => e(130, 'API gateway or authentication service abnormal'),
	serviceUnavailable: () => e(150, 'Service is currently unavailable, we are working hard to recover, please try again later'),
	throttled: () => e(153, 'API request is rate limited'),
	missingAction: () => e(160, 'Missing Action'),
	actionNotFound: (action: string) => e(161, `Action [${action}] not found`),
	missingSignature: () => e(170, 'Missing signature'),
	signatureError: () => e(171, '签名错误 (signature error)'),
	userNotFound: () => e(172, 'User not exist'),
	tokenNotFound: () => e(174, 'Token not exist'),
	projectNotFound: (projectId: string) => e(292, `Project [${projectId}] not exist`),
	iamDenied: (action: string) => e(299, `IAM permission check failed: no permission for umem:${action}`),
	missingParam: (name: string) => e(230, `Missing params [${name}]`),
	invalidParam: (name: string, detail = '') => e(230, `Params [${name}] not available${detail ? `: ${detail}` : ''}`),
	// UMem business codes.
	getInfoFailed: (detail: string) => e(20202, `获取信息失败，请稍后重试。(${detail})`),
	createFailed: (detail: string) => e(20203, `创建失败，请稍后重试。(${detail})`),
	backupLimit: () => e(20208, '您的备份数量已超出限制，请联系技术支持或提交工单。(backup count over the limit)'),
};

/** The catalogue entry of a RetCode (entries without required arguments), so an `error` fault naming a code gets
 * its message. */
export function catalogueError(retCode: number): UCloudError | undefined {
	for (const make of Object.values(Errors)) {
		const error = (make as (arg: string) => UCloudError)('X');
		if (error.retCode === retCode) return error;
	}
	return undefined;
}
