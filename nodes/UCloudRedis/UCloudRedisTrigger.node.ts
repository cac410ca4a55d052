import {
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
	NodeConnectionTypes,
} from 'n8n-workflow';

import { pollTrigger, type TriggerCloud, triggerProperties } from '../common/trigger';
import {
	INSTANCE_ID_EXAMPLE,
	INSTANCE_ID_PATTERN,
	instanceProperty,
	regionProperty,
} from './actions/shared';
import { searchInstances } from './methods/listSearch';
import { describeKind } from './transport/client';
import { createProvider, resolveRegion } from './transport/connect';

/** The backup list's largest page: fewest requests per instance and poll. */
const TRIGGER_PAGE_SIZE = 100;

const cloud: TriggerCloud = {
	provider: (context) => createProvider(context),
	region: async (context, value) => await resolveRegion(context, value),
	instanceIdPattern: INSTANCE_ID_PATTERN,
	instanceIdExample: INSTANCE_ID_EXAMPLE,
	pageSize: TRIGGER_PAGE_SIZE,
	describeKind,
};

export class UCloudRedisTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'UCloud Redis Backup Trigger',
		name: 'uCloudRedisTrigger',
		icon: {
			light: 'file:../../icons/ucloud.svg',
			dark: 'file:../../icons/ucloud.dark.svg',
		},
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["events"].join(", ") }}',
		description:
			'Starts the workflow when a UCloud URedis backup starts, succeeds, fails or goes away, or an instance goes too long without a good backup',
		defaults: { name: 'UCloud Redis Backup Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'uCloudApi', required: true }],
		properties: triggerProperties({ instanceProperty, regionProperty }),
	};

	methods = { listSearch: { searchInstances } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollTrigger(this, cloud);
	}
}
