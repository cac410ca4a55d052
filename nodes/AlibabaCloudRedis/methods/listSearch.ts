import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { resolveRegion, createClient } from '../actions/shared';
import { INSTANCE_PAGE_SIZE, searchInstances as describeInstances } from '../transport/api';

/** The instance picker: DescribeInstances in the node's region, filtered by ID or name, page by page. */
export async function searchInstances(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const region = await resolveRegion(this, this.getCurrentNodeParameter('region'));
	const pageNumber = paginationToken ? Number(paginationToken) : 1;
	const { instances, total } = await describeInstances(
		createClient(this),
		region,
		filter?.trim() || undefined,
		pageNumber,
	);
	const more =
		total !== null
			? pageNumber * INSTANCE_PAGE_SIZE < total
			: instances.length === INSTANCE_PAGE_SIZE;
	return {
		results: instances.map((instance) => ({
			name: `${instance.name} (${instance.instanceId}${instance.architecture ? `, ${instance.architecture}` : ''})`,
			value: instance.instanceId,
			url: `https://kvstore.console.aliyun.com/Redis/instance/${region}/${instance.instanceId}`,
		})),
		paginationToken: more ? String(pageNumber + 1) : undefined,
	};
}
