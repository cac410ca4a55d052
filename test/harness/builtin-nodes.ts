import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
} from 'n8n-workflow';

/**
 * Minimal look-alikes of the two n8n-nodes-base nodes our example workflows use. n8n-nodes-base is
 * not a dependency (it is huge and Sustainable-Use licensed), so these are written from the nodes'
 * observable behaviour under their real type names, letting workflow JSON exported from n8n run.
 */

const base = {
	version: 1,
	defaults: {},
	properties: [],
} satisfies Partial<INodeTypeDescription>;

/** 'n8n-nodes-base.manualTrigger': a trigger that, when run manually, emits one empty item. */
export class ManualTrigger implements INodeType {
	description: INodeTypeDescription = {
		...base,
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		description: 'Runs the flow on clicking a button in n8n',
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
	};

	// Like the real node: a trigger (not an execute node), so the engine takes its manual-trigger
	// path (TriggersAndPollers.runTriggerFunction → manualTriggerFunction → emit).
	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const manualTriggerFunction = async () => {
			this.emit([this.helpers.returnJsonArray([{}])]);
		};
		return { manualTriggerFunction };
	}
}

/** 'n8n-nodes-base.noOp': passes its input items through unchanged. */
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool -- test double; the real NoOp isn't a tool either
export class NoOp implements INodeType {
	description: INodeTypeDescription = {
		...base,
		displayName: 'No Operation, do nothing',
		name: 'noOp',
		group: ['organization'],
		description: 'No Operation',
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

export const BUILTIN_NODE_TYPES: Record<string, INodeType> = {
	'n8n-nodes-base.manualTrigger': new ManualTrigger(),
	'n8n-nodes-base.noOp': new NoOp(),
};
