/**
 * What every cloud's credential type needs besides its signer: the Endpoint field made a base URL (and refused,
 * without echoing secrets, when it cannot be one), case-insensitive header lookup, and an error class the
 * clients recognise in n8n's wrapping errors, so "nothing was sent" is never reported as a network failure.
 * Credentials import this file; they never import a node's transport.
 */
import type { IHttpRequestOptions } from 'n8n-workflow';

import { findInCauses } from './errors';

/** The name survives n8n's wrapping (it copies causes, not classes), so it is what the clients look for. */
export const CREDENTIAL_CONFIG_ERROR = 'CredentialConfigError';

/** A credential refused to build a request (bad Endpoint, a request the node built wrongly): nothing was sent. */
export class CredentialConfigError extends Error {
	constructor(message: string) {
		super(message);
		this.name = CREDENTIAL_CONFIG_ERROR;
	}
}

/** The CredentialConfigError in an error or its causes (n8n wraps what `authenticate` throws in a NodeApiError). */
export function credentialConfigErrorOf(error: unknown): Error | undefined {
	return findInCauses(
		error,
		(candidate) =>
			candidate instanceof CredentialConfigError ||
			(candidate as { name?: unknown }).name === CREDENTIAL_CONFIG_ERROR,
	) as Error | undefined;
}

/** Why an Endpoint cannot be used as a base URL, or undefined when it can. */
function endpointProblem(text: string, url: URL | undefined): string | undefined {
	if (!text) return 'it is empty';
	if (!url) return 'it is not a URL';
	if (url.username || url.password) return 'it may not contain a user name or password';
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		return `only http and https are supported, not ${url.protocol.replace(/:$/, '')}`;
	}
	if (!url.hostname) return 'it has no host name';
	if (url.search || url.hash) return 'it may not have a query string or fragment';
	return undefined;
}

/**
 * The Endpoint as it may appear in an error: without user info (a password typed into the URL must not reach the
 * error, the saved execution or the log), and without a query string (it may carry a token).
 */
export function endpointForMessage(text: string): string {
	const withoutUserInfo = text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#@]*@/i, '$1');
	return withoutUserInfo.replace(/[?#].*$/, '');
}

/**
 * An Endpoint as typed in a credential, made a base URL: `https://` is added when no scheme is given, a path is
 * kept (a proxy prefix stays in the URL and the signature), trailing slashes are dropped. Anything that cannot be
 * an HTTP(S) base URL is refused with a CredentialConfigError that names the credential and the problem.
 */
export function normalizeEndpoint(value: string, credentialName: string, example: string): string {
	const text = value.trim();
	const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
	let url: URL | undefined;
	try {
		url = new URL(withScheme);
	} catch {
		url = undefined;
	}
	const problem = endpointProblem(text, url);
	if (problem || !url) {
		throw new CredentialConfigError(
			`The Endpoint "${endpointForMessage(text)}" of the ${credentialName} credential is not valid: ${problem ?? 'it is not a URL'}. Use a URL such as ${example}, or leave it empty`,
		);
	}
	return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** A request header by name, whatever its case; undefined when absent. */
export function headerValue(
	headers: IHttpRequestOptions['headers'] | Record<string, unknown> | undefined,
	name: string,
): string | undefined {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers ?? {})) {
		if (key.toLowerCase() !== wanted || value === undefined || value === null) continue;
		return Array.isArray(value) ? String(value[0]) : String(value);
	}
	return undefined;
}
