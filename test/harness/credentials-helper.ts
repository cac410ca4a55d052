import {
	ICredentials,
	ICredentialsHelper,
	NodeHelpers,
	UnexpectedError,
	UserError,
	getCredentialOwnRequestAllowedDomains,
	isExpression,
} from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	ICredentialsEncrypted,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	IRequestOptionsSimplified,
	Workflow,
} from 'n8n-workflow';

/** A stored credential, as the n8n database would hold it (but unencrypted). */
export interface HarnessCredential {
	type: string;
	data: ICredentialDataDecryptedObject;
	id?: string;
	name?: string;
}

/** In-memory stand-in for n8n's `Credentials` entity; "encryption" is a JSON copy. */
class PlainCredentials extends ICredentials {
	constructor(private readonly stored: HarnessCredential) {
		super({ id: stored.id ?? null, name: stored.name ?? stored.type }, stored.type);
	}
	async getData() {
		return structuredClone(this.stored.data);
	}
	getDataToSave(): ICredentialsEncrypted {
		return {
			id: this.id,
			name: this.name,
			type: this.type,
			data: JSON.stringify(this.stored.data),
		};
	}
	async setData(data: ICredentialDataDecryptedObject) {
		this.stored.data = structuredClone(data);
	}
	async updateData(toUpdate: ICredentialDataDecryptedObject, toDelete: string[] = []) {
		Object.assign(this.stored.data, structuredClone(toUpdate));
		for (const key of toDelete) delete this.stored.data[key];
	}
}

/**
 * Mirrors the behaviour of n8n's CLI `CredentialsHelper` (packages/cli/src/credentials-helper.ts)
 * that a node can observe, minus DB/encryption/overwrites/external secrets/dynamic credentials,
 * expression resolution inside credential fields and the built-in OAuth types (n8n-nodes-base).
 * Written from its behaviour, not copied (n8n's code is under the Sustainable Use License).
 */
export class HarnessCredentialsHelper extends ICredentialsHelper {
	private readonly types = new Map<string, ICredentialType>();

	constructor(
		credentialTypes: ICredentialType[],
		// Kept by reference: preAuthentication "persists" refreshed tokens here, like n8n's DB write.
		private readonly stored: HarnessCredential[],
	) {
		super();
		for (const type of credentialTypes) this.types.set(type.name, type);
	}

	private getType(name: string): ICredentialType {
		const type = this.types.get(name);
		if (!type)
			throw new UnexpectedError(`Unknown credential type "${name}" (pass it in credentialTypes)`);
		return type;
	}

	private find(nodeCredentials: INodeCredentialsDetails, type: string): HarnessCredential {
		const found =
			this.stored.find(
				(c) => c.type === type && nodeCredentials.id && c.id === nodeCredentials.id,
			) ??
			this.stored.find(
				(c) => c.type === type && c.name !== undefined && c.name === nodeCredentials.name,
			);
		if (!found) {
			throw new UserError(
				`Credential with ID "${nodeCredentials.id ?? ''}" / name "${nodeCredentials.name}" of type "${type}" does not exist`,
			);
		}
		return found;
	}

	getParentTypes(name: string): string[] {
		const direct = this.types.get(name)?.extends ?? [];
		return direct.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		const type = this.types.get(credentialType);
		if (!type?.restrictToSupportedNodes) return true;
		// The loader stores short node names; nodeType arrives fully qualified ("pkg.name").
		return (type.supportedNodes ?? []).some((n) => nodeType === n || nodeType.endsWith(`.${n}`));
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.getType(typeName);
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (authenticate?.type === 'generic') {
			if (!workflow || !node) {
				throw new UnexpectedError(
					'Workflow and node are required for declarative credential authentication',
				);
			}
			// Same as n8n: each of headers/qs/body/auth gets key → value, both possibly `={{$credentials.x}}`.
			const resolve = (value: string) => {
				if (!isExpression(value)) return value;
				const resolved = workflow.expression.getSimpleParameterValue(
					node,
					value,
					'internal',
					{ $credentials: credentials },
					undefined,
					'',
				);
				return resolved ? String(resolved) : '';
			};
			requestOptions.headers ??= {};
			const target = requestOptions as unknown as Record<string, Record<string, string>>;
			for (const [section, entries] of Object.entries(authenticate.properties)) {
				for (const [key, value] of Object.entries(entries as Record<string, string>)) {
					target[section] ??= {};
					target[section][resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.getType(typeName);
		// n8n only pre-authenticates types with a hidden `expirable` property, when it is empty or the
		// previous request got a 401 (credentialsExpired).
		const expirable = type.properties.find(
			(p) => p.type === 'hidden' && p.typeOptions?.expirable === true,
		);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;

		const output = (await type.preAuthentication.call(
			restrictToCredentialDomains(helpers, credentials),
			credentials,
		)) as ICredentialDataDecryptedObject;
		if (output[expirable.name] === undefined || !node.credentials) return undefined;

		// Persist the token (not the fields stored as expressions), as n8n writes it back to its DB.
		const nodeCredentials = node.credentials[type.name];
		const record = this.find(nodeCredentials, type.name);
		for (const [key, value] of Object.entries(output)) {
			if (key === expirable.name || !isExpression(record.data[key]))
				record.data[key] = structuredClone(value);
		}
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.getType(typeName);
		if (typeof type.preAuthentication !== 'function') return undefined;
		const output = await type.preAuthentication.call(
			restrictToCredentialDomains(helpers, credentials),
			credentials,
		);
		return (output as ICredentialDataDecryptedObject) ?? undefined;
	}

	async getCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentials> {
		return new PlainCredentials(this.find(nodeCredentials, type));
	}

	async getDecrypted(
		_additionalData: unknown,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		_mode: unknown,
		_executeData?: unknown,
		raw?: boolean,
	): Promise<ICredentialDataDecryptedObject> {
		// A fresh copy per call, like decrypting from the DB: nodes may mutate what they get.
		const original = structuredClone(this.find(nodeCredentials, type).data);
		if (raw === true) return original;
		// n8n fills missing fields from the type's property defaults (getNodeParameters), which drops
		// everything not declared as a property, then puts back the few undeclared fields it knows.
		const data = (NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			original as INodeParameters,
			true,
			false,
			null,
			null,
		) ?? {}) as ICredentialDataDecryptedObject;
		for (const key of ['oauthTokenData', 'allowedHttpRequestDomains', 'allowedDomains']) {
			if (data[key] === undefined && original[key] !== undefined) data[key] = original[key];
		}
		return data;
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	) {
		this.find(nodeCredentials, type).data = structuredClone(data);
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	) {
		this.find(nodeCredentials, type).data.oauthTokenData = structuredClone(data.oauthTokenData);
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = this.getType(type);
		if (credentialType.extends === undefined) return credentialType.properties;
		// Parents first, then the type's own properties override them.
		const combined: INodeProperties[] = [];
		for (const parent of credentialType.extends) {
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, credentialType.properties);
		return combined;
	}
}

/** n8n only lets a preAuthentication hook call `httpRequest`, limited to the credential's allowed domains. */
function restrictToCredentialDomains(
	helpers: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): IHttpRequestHelper {
	return {
		helpers: {
			httpRequest: async (options: IHttpRequestOptions) => {
				const allowedDomains = getCredentialOwnRequestAllowedDomains(credentials);
				if (allowedDomains === undefined) return await helpers.helpers.httpRequest(options);
				if (options.allowedDomains !== undefined) {
					throw new UserError(
						'This credential restricts requests to specific domains; a preAuthentication request cannot set its own.',
					);
				}
				return await helpers.helpers.httpRequest({ ...options, allowedDomains });
			},
		},
	};
}
