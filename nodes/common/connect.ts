/**
 * A cloud's client bound to an n8n context (an execution, the instance picker or a poll), the region a request
 * goes to, and the instance picker: what each cloud's transport/connect.ts and methods/listSearch.ts share.
 */
import {
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type INodeListSearchResult,
	type IPollFunctions,
	sleep,
} from 'n8n-workflow';

import { requireText, textOf } from './input';
import type { BackupProvider } from './provider';
import type { ClientOptions } from './transport';

export type ConnectContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

/**
 * Sending through n8n's HTTP helpers with the credential's `authenticate` (proxy, TLS and redaction come with it),
 * n8n's cancellable sleep, and the execution's cancel signal where the context has one (the picker has none).
 */
export function bindSend(
	context: ConnectContext,
	credentialType: string,
	timeoutMs?: number,
): ClientOptions {
	const signal =
		'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
	return {
		send: async (options) =>
			await context.helpers.httpRequestWithAuthentication.call(context, credentialType, options),
		sleep,
		signal,
		timeoutMs,
	};
}

export interface RegionRule {
	credentialType: string;
	pattern: RegExp;
	example: string;
	/** The credential's region field as its errors name it. */
	credentialField: string;
}

/** The node's Region parameter, else the credential's default region; either is checked against `rule.pattern`. */
export async function regionOf(
	context: ConnectContext,
	nodeRegion: unknown,
	rule: RegionRule,
): Promise<string> {
	const explicit = textOf(nodeRegion, 'Region');
	if (explicit) return requireText(explicit, 'Region', rule.pattern, rule.example);
	const credentials = await context.getCredentials(rule.credentialType);
	return requireText(credentials.region, rule.credentialField, rule.pattern, rule.example);
}

/**
 * The instance picker (`methods.listSearch`): the cloud's instances in the node's region, filtered by ID or name,
 * page by page.
 */
export function instanceSearch(
	provider: (context: ILoadOptionsFunctions) => BackupProvider,
	region: (context: ILoadOptionsFunctions, nodeRegion: unknown) => Promise<string>,
) {
	return async function searchInstances(
		this: ILoadOptionsFunctions,
		filter?: string,
		paginationToken?: string,
	): Promise<INodeListSearchResult> {
		const nodeRegion = await region(this, this.getCurrentNodeParameter('region'));
		const page = await provider(this).searchInstances(
			nodeRegion,
			filter?.trim() || undefined,
			paginationToken,
		);
		return {
			results: page.instances.map((instance) => ({
				name: instance.label,
				value: instance.instanceId,
				url: instance.url,
			})),
			paginationToken: page.nextPageToken,
		};
	};
}
