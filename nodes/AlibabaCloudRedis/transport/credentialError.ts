/**
 * An error of the Alibaba credential itself (an Endpoint that is not a URL, a request the node built wrongly):
 * nothing was sent. The client recognises it (by class or name, also when n8n wraps it) and reports it as a
 * 'client' error, never as a network failure that may or may not have reached the cloud.
 */
export const ALIBABA_CREDENTIAL_ERROR = 'AlibabaCredentialError';

export class AlibabaCredentialError extends Error {
	constructor(message: string) {
		super(message);
		this.name = ALIBABA_CREDENTIAL_ERROR;
	}
}

/** The AlibabaCredentialError in an error or its causes (n8n wraps what authenticate throws in a NodeApiError). */
export function alibabaCredentialErrorOf(error: unknown): Error | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		if (
			current instanceof AlibabaCredentialError ||
			(current as { name?: unknown }).name === ALIBABA_CREDENTIAL_ERROR
		) {
			return current as Error;
		}
		current = (current as { cause?: unknown }).cause ?? (current as { error?: unknown }).error;
	}
	return undefined;
}
