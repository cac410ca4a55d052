import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { createProvider, resolveRegion } from '../transport/connect';

/** The instance picker: the URedis groups of the node's region, filtered by ID or name, page by page. */
export async function searchInstances(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const region = await resolveRegion(this, this.getCurrentNodeParameter('region'));
	const page = await createProvider(this).searchInstances(
		region,
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
}
