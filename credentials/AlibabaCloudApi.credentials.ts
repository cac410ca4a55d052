import { randomBytes } from 'crypto';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { CredentialConfigError, headerValue, normalizeEndpoint } from '../nodes/common/credentials';
import { R_KVSTORE_CENTRAL_HOST, R_KVSTORE_ENDPOINT_MAP } from '../nodes/signing/alibabaEndpoints';
import { acsDate, signAcs3 } from '../nodes/signing/alibabaAcs3';

export const ALIBABA_DEFAULT_ENDPOINT = `https://${R_KVSTORE_CENTRAL_HOST}`;

/** The official SDK's endpoint for a region (its endpoint map), else the central endpoint. */
export function alibabaRegionalEndpoint(regionId?: string): string {
	const region = typeof regionId === 'string' ? regionId.trim() : '';
	const host =
		region && Object.prototype.hasOwnProperty.call(R_KVSTORE_ENDPOINT_MAP, region)
			? R_KVSTORE_ENDPOINT_MAP[region]
			: R_KVSTORE_CENTRAL_HOST;
	return `https://${host}`;
}

/** The credential's Endpoint (or a test request's base URL) made a base URL; see common/credentials.ts. */
export function normalizeAlibabaEndpoint(value: string): string {
	return normalizeEndpoint(value, 'Alibaba Cloud', ALIBABA_DEFAULT_ENDPOINT);
}

/**
 * The endpoint requests go to: the credential's Endpoint when set, else the official SDK's endpoint for the
 * request's region (`https://r-kvstore.aliyuncs.com` for most regions and when none is given).
 */
export function alibabaEndpoint(
	credentials: ICredentialDataDecryptedObject,
	regionId?: string,
): string {
	const override = typeof credentials.endpoint === 'string' ? credentials.endpoint.trim() : '';
	return override ? normalizeAlibabaEndpoint(override) : alibabaRegionalEndpoint(regionId);
}

function stringParams(qs: IHttpRequestOptions['qs']): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(qs ?? {})) {
		if (value === undefined || value === null) continue;
		out[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
	}
	return out;
}

/**
 * Signs one R-KVStore call (method V3, ACS3-HMAC-SHA256). The node names the action and version in the
 * `x-acs-action` / `x-acs-version` headers and the parameters in `qs`; the signed query string is put into the URL
 * as it was signed, so nothing downstream can re-encode it and break the signature.
 */
export async function signAlibabaRequest(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
	now: number = Date.now(),
	nonce: string = randomBytes(16).toString('hex'),
): Promise<IHttpRequestOptions> {
	const action = headerValue(requestOptions.headers, 'x-acs-action');
	const version = headerValue(requestOptions.headers, 'x-acs-version');
	if (!action || !version) {
		throw new CredentialConfigError(
			'An Alibaba Cloud request needs the x-acs-action and x-acs-version headers',
		);
	}
	const regionId = requestOptions.qs?.RegionId;
	const base = requestOptions.baseURL
		? normalizeAlibabaEndpoint(requestOptions.baseURL)
		: alibabaEndpoint(credentials, typeof regionId === 'string' ? regionId : undefined);
	// The request's path is resolved below the endpoint's own path (a proxy prefix stays in the URL and the signature).
	let url: URL | undefined;
	try {
		url = new URL((requestOptions.url || '/').replace(/^\/+/, ''), `${base}/`);
	} catch {
		url = undefined;
	}
	if (!url) {
		throw new CredentialConfigError(
			`Cannot build an Alibaba Cloud request URL from "${base}" and "${requestOptions.url}"`,
		);
	}
	const method = (requestOptions.method ?? 'POST').toUpperCase();
	const body = typeof requestOptions.body === 'string' ? requestOptions.body : '';
	const contentType = body ? headerValue(requestOptions.headers, 'content-type') : undefined;
	const query = {
		...Object.fromEntries(url.searchParams.entries()),
		...stringParams(requestOptions.qs),
	};

	const otherHeaders: Record<string, string> = {};
	for (const [key, value] of Object.entries(requestOptions.headers ?? {})) {
		const lower = key.toLowerCase();
		if (lower === 'x-acs-action' || lower === 'x-acs-version' || lower === 'content-type') continue;
		if (value !== undefined && value !== null) otherHeaders[key] = String(value);
	}

	const signed = signAcs3(
		{
			method,
			host: url.host,
			pathname: url.pathname,
			action,
			version,
			query,
			body,
			contentType,
			date: acsDate(now),
			nonce,
			headers: otherHeaders,
		},
		{
			accessKeyId: String(credentials.accessKeyId ?? '').trim(),
			// A secret pasted with a trailing newline or space: Alibaba secrets are letters and digits only.
			accessKeySecret: String(credentials.accessKeySecret ?? '').trim(),
			securityToken: String(credentials.securityToken ?? '').trim() || undefined,
		},
	);
	return {
		...requestOptions,
		method: method as IHttpRequestOptions['method'],
		baseURL: undefined,
		url: `${url.origin}${url.pathname}${signed.queryString ? `?${signed.queryString}` : ''}`,
		qs: undefined,
		headers: signed.headers,
		body: body || undefined,
	};
}

/** Alibaba's authentication error codes, in the words the credential test shows. */
const ALIBABA_TEST_ERRORS: Array<[string, string]> = [
	[
		'SignatureDoesNotMatch',
		'Alibaba Cloud computed a different signature: the AccessKey Secret is wrong',
	],
	[
		'IncompleteSignature',
		'Alibaba Cloud could not read the signature: check the AccessKey ID and Secret for stray characters',
	],
	['InvalidAccessKeyId.NotFound', 'Alibaba Cloud does not know this AccessKey ID'],
	[
		'InvalidAccessKeyId.Inactive',
		'this AccessKey is disabled; enable it or create a new one in the RAM console',
	],
	['InvalidAccessKeyId', 'the AccessKey ID is not valid'],
	[
		'InvalidTimeStamp.Expired',
		"the n8n server's clock is more than 15 minutes off; set its time (NTP)",
	],
	['SignatureNonceUsed', 'the request was seen twice; test again'],
	['MissingSecurityToken', 'this is an STS AccessKey: fill in the Security Token'],
	['InvalidSecurityToken.Expired', 'the STS Security Token has expired; get a new one'],
	['InvalidSecurityToken.Malformed', 'the Security Token is not valid'],
	['InvalidSecurityToken.MismatchWithAccessKey', 'the Security Token belongs to another AccessKey'],
	[
		'Forbidden.RAM',
		'the RAM user may not call kvstore:DescribeRegions; attach the policy from the README',
	],
	[
		'Forbidden.NoPermission',
		'the RAM user may not call kvstore:DescribeRegions; attach the policy from the README',
	],
	[
		'NoPermission',
		'the RAM user may not call kvstore:DescribeRegions; attach the policy from the README',
	],
	['Throttling.User', 'Alibaba Cloud is rate-limiting this AccessKey; test again in a minute'],
];

export class AlibabaCloudApi implements ICredentialType {
	name = 'alibabaCloudApi';

	displayName = 'Alibaba Cloud API';

	icon: Icon = {
		light: 'file:../icons/alibabaCloud.svg',
		dark: 'file:../icons/alibabaCloud.dark.svg',
	};

	documentationUrl =
		'https://github.com/cloud-redis-backups/n8n-nodes-cloud-redis-backups#alibaba-cloud-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'AccessKey ID',
			name: 'accessKeyId',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'AccessKey Secret',
			name: 'accessKeySecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Security Token',
			name: 'securityToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'STS security token, only for temporary credentials (AccessKey IDs that start with STS.)',
		},
		{
			displayName: 'Default Region',
			name: 'region',
			type: 'string',
			default: 'cn-hangzhou',
			required: true,
			description:
				'Region ID used when a node does not set one, for example cn-hangzhou or ap-southeast-1',
		},
		{
			displayName: 'Endpoint',
			name: 'endpoint',
			type: 'string',
			default: '',
			placeholder: 'https://r-kvstore.aliyuncs.com',
			description:
				"Leave empty to use the public endpoint of each request's region, as Alibaba's SDK does (https://r-kvstore.aliyuncs.com for most regions). Set a VPC endpoint, a proxy or the local emulator here; https:// is added when no scheme is given, and a path is kept.",
		},
	];

	authenticate = signAlibabaRequest;

	/**
	 * DescribeRegions, the cheapest signed call. n8n's credential tester reports any non-2xx answer only by its
	 * HTTP status text ("Bad Request"), so the request keeps the answer (ignoreHttpStatusErrors) and the rules
	 * below turn Alibaba's error codes into words; the last rule catches any other answer without a region list.
	 */
	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{ ($credentials.endpoint || "${ALIBABA_DEFAULT_ENDPOINT}").replace(/\\/+$/, "") }}`,
			url: '/',
			method: 'POST',
			qs: { AcceptLanguage: 'en-US' },
			headers: {
				'x-acs-action': 'DescribeRegions',
				'x-acs-version': '2015-01-01',
				accept: 'application/json',
			},
			ignoreHttpStatusErrors: true,
		},
		rules: [
			...ALIBABA_TEST_ERRORS.map(([code, message]) => ({
				type: 'responseSuccessBody' as const,
				properties: { key: 'Code', value: code, message: `${code}: ${message}` },
			})),
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'RegionIds',
					value: undefined,
					message:
						'The endpoint did not answer with a region list: check the Endpoint field, then run a node to see the full error',
				},
			},
		],
	};
}
