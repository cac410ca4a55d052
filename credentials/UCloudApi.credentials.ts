import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { CredentialConfigError, normalizeEndpoint } from '../nodes/common/credentials';
import { signUCloud, type UCloudParams } from '../nodes/signing/ucloud';

/** UCloud's API endpoint, as its SDKs default to (one host for every region: the Region parameter routes). */
export const UCLOUD_DEFAULT_ENDPOINT = 'https://api.ucloud.cn';
export const UCLOUD_DEFAULT_REGION = 'cn-bj2';

/** The credential's Endpoint (or a test request's base URL) made a base URL; see common/credentials.ts. */
export function normalizeUCloudEndpoint(value: string): string {
	return normalizeEndpoint(value, 'UCloud', UCLOUD_DEFAULT_ENDPOINT);
}

/** The base URL requests go to: the credential's Endpoint when set, else UCloud's API endpoint. */
export function ucloudEndpoint(credentials: ICredentialDataDecryptedObject): string {
	const override = typeof credentials.endpoint === 'string' ? credentials.endpoint.trim() : '';
	return override ? normalizeUCloudEndpoint(override) : UCLOUD_DEFAULT_ENDPOINT;
}

/** The credential test's base URL, as an n8n expression: what `ucloudEndpoint` gives. */
export const UCLOUD_TEST_BASE_URL = `={{ (String($credentials.endpoint || "").trim() || "${UCLOUD_DEFAULT_ENDPOINT}").replace(/\\/+$/, "") }}`;

/** Headers `authenticate` sets itself; every other header the node sent (accept, …) is passed on. */
const OWN_HEADERS = new Set(['content-type', 'content-length', 'host']);

function otherHeaders(headers: IHttpRequestOptions['headers']): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(headers ?? {})) {
		if (OWN_HEADERS.has(key.toLowerCase())) continue;
		if (value !== undefined && value !== null) out[key] = String(value);
	}
	return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return !!value && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** The request's parameters: its `body` (an object) and its `qs`, unset values left out. */
function requestParams(requestOptions: IHttpRequestOptions): Record<string, unknown> {
	const { body, qs } = requestOptions;
	if (body !== undefined && body !== null && body !== '' && !isRecord(body)) {
		throw new CredentialConfigError(
			'A UCloud request takes its parameters as an object (the body the node sends), not as text',
		);
	}
	const params: Record<string, unknown> = {};
	for (const source of [body, qs]) {
		if (!isRecord(source)) continue;
		for (const [key, value] of Object.entries(source)) {
			if (value !== undefined && value !== null) params[key] = value;
		}
	}
	return params;
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** The signed parameters as a form body, in the signer's (sorted) order. */
function formBody(params: Record<string, string>): string {
	const form = new URLSearchParams();
	for (const [key, value] of Object.entries(params)) form.append(key, value);
	return form.toString();
}

/**
 * Signs one UCloud call. What the node sends, and what becomes of it:
 * - The node sends `POST /` with the call's parameters as an object in `body`: `Action` and the action's own
 *   parameters (`Region`, `GroupId`, `Limit`, …), nested objects and lists as values; `qs`, if any, is merged in.
 * - `authenticate` adds `Region` (the credential's Default Region) and `ProjectId` (the credential's Project ID, where
 *   set) when the request has none, and `PublicKey`; flattens nested parameters as UCloud's SDKs do (`Key.N` from 0,
 *   `Key.Sub`, booleans as true/false) and signs them all with UCloud's signature (SHA-1 over the parameters sorted
 *   by name, each name followed by its value, then the private key: `nodes/signing/ucloud.ts`).
 * - It returns `POST <endpoint>/` with the signed parameters (PublicKey and Signature among them) as an
 *   `application/x-www-form-urlencoded` body, as UCloud's Go and Python SDKs send them. The endpoint is the
 *   credential's Endpoint, else https://api.ucloud.cn (one host for every region). A signed request is final: `qs`
 *   and `baseURL` are removed so that nothing downstream re-encodes what was signed.
 */
export async function signUCloudRequest(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const params = requestParams(requestOptions);
	if (typeof params.Action !== 'string' || params.Action.trim() === '') {
		throw new CredentialConfigError('A UCloud request needs the Action parameter');
	}
	const base = requestOptions.baseURL
		? normalizeUCloudEndpoint(requestOptions.baseURL)
		: ucloudEndpoint(credentials);
	const relative = requestOptions.url || '/';
	let url: URL | undefined;
	try {
		// The request's path is resolved below the endpoint's own path (a proxy prefix stays in the URL).
		url = new URL(relative.replace(/^\/+/, ''), `${base}/`);
	} catch {
		url = undefined;
	}
	if (!url) {
		throw new CredentialConfigError(
			`Cannot build a UCloud request URL from "${base}" and "${relative}"`,
		);
	}

	// A query in the request's URL is sent in the signed form too, not left unsigned in the URL.
	for (const [key, value] of url.searchParams) if (!(key in params)) params[key] = value;
	const region = text(credentials.region);
	if ((params.Region === undefined || params.Region === '') && region) params.Region = region;
	const projectId = text(credentials.projectId);
	if ((params.ProjectId === undefined || params.ProjectId === '') && projectId)
		params.ProjectId = projectId;
	// The signer sets these: a value the node sent would only be overwritten.
	delete params.PublicKey;
	delete params.Signature;

	let signed: { params: Record<string, string> } | undefined;
	try {
		signed = signUCloud(params as UCloudParams, {
			// Keys pasted with a trailing newline or space: UCloud's keys have none.
			publicKey: text(credentials.publicKey),
			privateKey: text(credentials.privateKey),
		});
	} catch (error) {
		throw new CredentialConfigError(
			`The UCloud request could not be signed: ${error instanceof Error ? error.message : String(error)}`,
		);
	}
	return {
		...requestOptions,
		method: 'POST',
		baseURL: undefined,
		url: `${url.origin}${url.pathname}`,
		qs: undefined,
		headers: {
			...otherHeaders(requestOptions.headers),
			'Content-Type': 'application/x-www-form-urlencoded',
		},
		body: formBody(signed.params),
	};
}

/**
 * UCloud's RetCodes for a failed credential test, in the words the credential dialog shows. UCloud answers errors
 * with HTTP 200 and `{"RetCode": n, "Message": "..."}`.
 */
export const UCLOUD_TEST_ERRORS: Array<[number, string]> = [
	[
		171,
		'Signature VerifyAC Error: UCloud computed a different signature, so the Private Key is wrong (or belongs to another Public Key)',
	],
	[172, 'User Not Exists: UCloud does not know this Public Key (deleted, disabled or mistyped)'],
	[
		299,
		'this key (a sub-account) may not call DescribeURedisGroup: grant it UMem access in UCloud IAM, and fill in the Project ID',
	],
	[
		292,
		'the Project ID does not exist for this account: check it, or empty it to use the default project',
	],
	[100, 'UCloud says a parameter is missing: a sub-account must fill in the Project ID'],
	[
		230,
		'UCloud refused a parameter: check the Default Region (for example cn-bj2) and the Project ID',
	],
	[150, 'URedis is not available in the Default Region; check the region'],
	[161, 'the endpoint does not know DescribeURedisGroup: check the Endpoint field'],
];

export class UCloudApi implements ICredentialType {
	name = 'uCloudApi';

	displayName = 'UCloud API';

	icon: Icon = {
		light: 'file:../icons/ucloud.svg',
		dark: 'file:../icons/ucloud.dark.svg',
	};

	documentationUrl =
		'https://github.com/cloud-redis-backups/n8n-nodes-cloud-redis-backups#ucloud-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Public Key',
			name: 'publicKey',
			type: 'string',
			default: '',
			required: true,
			description: 'The public key of an API key (UCloud console, API keys)',
		},
		{
			displayName: 'Private Key',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Default Region',
			name: 'region',
			type: 'string',
			default: UCLOUD_DEFAULT_REGION,
			required: true,
			description: 'Region used when a node does not set one, for example cn-bj2, cn-sh2, hk or sg',
		},
		{
			displayName: 'Project ID',
			name: 'projectId',
			type: 'string',
			default: '',
			placeholder: 'org-xxxxxx',
			description:
				"The project the instances belong to. Empty means the account's default project; a sub-account's key must set it.",
		},
		{
			displayName: 'Endpoint',
			name: 'endpoint',
			type: 'string',
			default: '',
			placeholder: UCLOUD_DEFAULT_ENDPOINT,
			description:
				"Leave empty to use UCloud's API endpoint (https://api.ucloud.cn, for every region). Set a proxy or the local emulator here; https:// is added when no scheme is given, and a path is kept.",
		},
	];

	authenticate = signUCloudRequest;

	/**
	 * DescribeURedisGroup with Limit 1 in the Default Region, a cheap signed call. UCloud answers errors with HTTP 200
	 * and a RetCode, which n8n's tester would take for a success: the rules below word the codes, and the last one
	 * catches an answer that is not UCloud's (no RetCode at all). Another non-zero RetCode passes the test; running a
	 * node then shows it.
	 */
	test: ICredentialTestRequest = {
		request: {
			baseURL: UCLOUD_TEST_BASE_URL,
			url: '/',
			method: 'POST',
			headers: { accept: 'application/json' },
			body: { Action: 'DescribeURedisGroup', Offset: 0, Limit: 1 },
			ignoreHttpStatusErrors: true,
		},
		rules: [
			...UCLOUD_TEST_ERRORS.map(([code, message]) => ({
				type: 'responseSuccessBody' as const,
				properties: { key: 'RetCode', value: code, message: `RetCode ${code}: ${message}` },
			})),
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'RetCode',
					value: undefined,
					message:
						'The endpoint did not answer like UCloud (no RetCode): check the Endpoint field, then run a node to see the full error',
				},
			},
		],
	};
}
