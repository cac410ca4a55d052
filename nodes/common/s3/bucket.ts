/**
 * The S3-compatible bucket credential's rules, written once for the credential (which signs every request in its
 * `authenticate`, so the keys never reach node code) and for the node (which addresses the bucket): the Endpoint made
 * a base URL, the Region, the addressing style, and `signS3BucketRequest`, AWS Signature V4 over a request the node
 * built with S3's canonical encoding (nodes/common/s3/multipart.ts without keys) or the credential test's request.
 *
 * Pure apart from the clock: no n8n helpers, no network.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { CredentialConfigError, endpointForMessage, normalizeEndpoint } from '../credentials';
import {
	EMPTY_SHA256,
	SigV4InputError,
	sha256Hex,
	signS3Request,
	type S3AddressingStyle,
	type S3Credentials,
} from './sigv4';

/** The credential type's name, as the node declares it and asks n8n to sign with it. */
export const S3_BUCKET_CREDENTIAL_TYPE = 's3CompatibleBucketApi';
/** The credential as the n8n editor shows it, for messages. */
export const S3_BUCKET_CREDENTIAL_LABEL = 'S3-Compatible Bucket';
/** The region when none is given: AWS's default, and MinIO's. */
export const S3_DEFAULT_REGION = 'us-east-1';
export const S3_EXAMPLE_ENDPOINT = 'https://s3.amazonaws.com';

export interface S3BucketSettings {
	/** The Endpoint as a base URL (scheme, host, optional path; no trailing slash). */
	endpoint: string;
	region: string;
	forcePathStyle: boolean;
}

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : '';
}

/** What the credential says about where the bucket is; a CredentialConfigError when its Endpoint cannot be used. */
export function s3BucketSettings(credentials: ICredentialDataDecryptedObject): S3BucketSettings {
	const endpoint = text(credentials.endpoint);
	if (!endpoint) {
		throw new CredentialConfigError(
			`The Endpoint of the ${S3_BUCKET_CREDENTIAL_LABEL} credential is empty. Use the S3 endpoint of the bucket's region, such as ${S3_EXAMPLE_ENDPOINT}`,
		);
	}
	const region = text(credentials.region) || S3_DEFAULT_REGION;
	if (/[\s/]/.test(region)) {
		throw new CredentialConfigError(
			`The Region "${region}" of the ${S3_BUCKET_CREDENTIAL_LABEL} credential holds a space or "/"; use a region ID such as ${S3_DEFAULT_REGION}`,
		);
	}
	return {
		endpoint: normalizeEndpoint(endpoint, S3_BUCKET_CREDENTIAL_LABEL, S3_EXAMPLE_ENDPOINT),
		region,
		forcePathStyle: credentials.forcePathStyle === true || credentials.forcePathStyle === 'true',
	};
}

const IP_HOST = /^(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:.]+\])$/i;
const DNS_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * How a bucket is addressed, as the AWS SDKs choose: path style when the credential forces it, when the endpoint is
 * an IP address or `localhost`, or when the bucket's name cannot be a host name (upper case, `_`, `..`); else
 * virtual-hosted style (`https://<bucket>.<endpoint>/<key>`), which AWS prefers and some stores require.
 */
export function s3AddressingStyle(settings: S3BucketSettings, bucket: string): S3AddressingStyle {
	if (settings.forcePathStyle) return 'path';
	const { hostname } = new URL(settings.endpoint);
	if (IP_HOST.test(hostname) || hostname === 'localhost') return 'path';
	if (!DNS_BUCKET.test(bucket) || bucket.includes('..') || IP_HOST.test(bucket)) return 'path';
	return 'virtual';
}

/** Headers the signer writes (any value the request carries is replaced), except the payload hash, which is read. */
const SIGNER_HEADERS = new Set(['authorization', 'host', 'x-amz-date', 'x-amz-security-token']);

function decodePart(part: string): string | undefined {
	try {
		return decodeURIComponent(part);
	} catch {
		return undefined;
	}
}

/** The raw (decoded) parameters of a query string that is in S3's encoding. */
function queryOf(search: string): Record<string, string[]> {
	const query: Record<string, string[]> = {};
	for (const pair of search.replace(/^\?/, '').split('&')) {
		if (pair === '') continue;
		const at = pair.indexOf('=');
		const name = decodePart(at < 0 ? pair : pair.slice(0, at));
		const value = at < 0 ? '' : decodePart(pair.slice(at + 1));
		if (name === undefined || value === undefined) {
			throw new CredentialConfigError(
				`The S3 request's query string is not percent-encoded correctly ("${pair}")`,
			);
		}
		(query[name] ??= []).push(value);
	}
	return query;
}

/** The request's URL: absolute as the node sends it, or relative to its base URL (the credential test's). */
function requestUrl(requestOptions: IHttpRequestOptions, settings: S3BucketSettings): URL {
	const target = requestOptions.url || '/';
	const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(target);
	const base =
		absolute || !requestOptions.baseURL
			? settings.endpoint
			: normalizeEndpoint(requestOptions.baseURL, S3_BUCKET_CREDENTIAL_LABEL, S3_EXAMPLE_ENDPOINT);
	let url: URL | undefined;
	try {
		url = absolute ? new URL(target) : new URL(target.replace(/^\/+/, ''), `${base}/`);
	} catch {
		url = undefined;
	}
	if (!url) {
		throw new CredentialConfigError(
			`Cannot build an S3 request URL from "${endpointForMessage(target)}"`,
		);
	}
	return url;
}

/**
 * Refuses to sign for any other place than the credential's Endpoint (path style) or a bucket below it
 * (virtual-hosted style: `<bucket>.<endpoint host>`): the keys sign requests for the store they belong to only.
 */
function checkBelongsToEndpoint(url: URL, settings: S3BucketSettings): void {
	const endpoint = new URL(settings.endpoint);
	const prefix = endpoint.pathname.replace(/\/+$/, '');
	const sameHost =
		url.host === endpoint.host ||
		(url.host.endsWith(`.${endpoint.host}`) && !IP_HOST.test(endpoint.hostname));
	const underPrefix = prefix === '' || url.pathname === prefix || url.pathname.startsWith(`${prefix}/`);
	if (url.protocol !== endpoint.protocol || !sameHost || !underPrefix) {
		throw new CredentialConfigError(
			`The ${S3_BUCKET_CREDENTIAL_LABEL} credential signs requests for its Endpoint ${settings.endpoint} only, not for ${url.origin}${url.pathname}`,
		);
	}
}

function headersOf(requestOptions: IHttpRequestOptions): {
	headers: Record<string, string>;
	payloadHash?: string;
} {
	const headers: Record<string, string> = {};
	let payloadHash: string | undefined;
	for (const [name, value] of Object.entries(requestOptions.headers ?? {})) {
		if (value === undefined || value === null) continue;
		const lower = name.toLowerCase();
		const textValue = Array.isArray(value) ? value.map(String).join(',') : String(value);
		if (lower === 'x-amz-content-sha256') payloadHash = textValue;
		else if (!SIGNER_HEADERS.has(lower)) headers[lower] = textValue;
	}
	return { headers, payloadHash };
}

function bodyHash(body: IHttpRequestOptions['body']): string {
	if (body === undefined || body === null || body === '') return EMPTY_SHA256;
	if (typeof body === 'string' || body instanceof Uint8Array) return sha256Hex(body);
	throw new CredentialConfigError(
		'An S3 request body must be bytes or text (with its SHA-256 in x-amz-content-sha256)',
	);
}

/**
 * The credential's `authenticate`: signs one S3 request with AWS Signature V4 (header `authorization`) and returns
 * it with the signed URL and headers, the query string in the URL exactly as signed (`qs` removed) so that nothing
 * downstream re-encodes it. The payload hash is the request's `x-amz-content-sha256` when it carries one (the node
 * hashes each part once), else the SHA-256 of its body. A request for another host than the credential's Endpoint,
 * or one that cannot be signed as it is, is refused with a CredentialConfigError: nothing is sent.
 */
export async function signS3BucketRequest(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
	now: Date = new Date(),
): Promise<IHttpRequestOptions> {
	const settings = s3BucketSettings(credentials);
	const url = requestUrl(requestOptions, settings);
	checkBelongsToEndpoint(url, settings);
	const method = (requestOptions.method ?? 'GET').toUpperCase();
	const query = queryOf(url.search);
	for (const [name, value] of Object.entries(requestOptions.qs ?? {})) {
		if (value === undefined || value === null) continue;
		(query[name] ??= []).push(typeof value === 'object' ? JSON.stringify(value) : String(value));
	}
	const { headers, payloadHash } = headersOf(requestOptions);
	const keys: S3Credentials = {
		accessKeyId: text(credentials.accessKeyId),
		secretAccessKey: text(credentials.secretAccessKey),
		sessionToken: text(credentials.sessionToken) || undefined,
	};
	let signed: ReturnType<typeof signS3Request> | undefined;
	let refused: unknown;
	try {
		signed = signS3Request(
			{
				method,
				host: url.host,
				path: url.pathname,
				query,
				headers,
				payloadHash: payloadHash ?? bodyHash(requestOptions.body),
			},
			{ credentials: keys, region: settings.region, date: now },
		);
	} catch (error) {
		refused = error;
	}
	if (!signed) {
		if (!(refused instanceof SigV4InputError)) throw refused;
		throw new CredentialConfigError(
			`The ${S3_BUCKET_CREDENTIAL_LABEL} credential cannot sign this request: ${refused.message}`,
		);
	}
	return {
		...requestOptions,
		method: method as IHttpRequestOptions['method'],
		baseURL: undefined,
		url: `${url.origin}${signed.pathAndQuery}`,
		qs: undefined,
		headers: signed.headers,
	};
}
