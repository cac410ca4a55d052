import { randomUUID } from 'node:crypto';
import {
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	PollContext,
	WorkflowExecute,
} from 'n8n-core';
import { NodeHelpers, UnexpectedError, Workflow } from 'n8n-workflow';
import type {
	ExecutionBaseError,
	ExecutionStatus,
	ICredentialType,
	IConnections,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IPinData,
	IRun,
	IRunData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
} from 'n8n-workflow';

import { BUILTIN_NODE_TYPES } from './builtin-nodes';
import { HarnessCredentialsHelper } from './credentials-helper';
import type { HarnessCredential } from './credentials-helper';
import { ensureN8nEnv } from './n8n-env';

export type { HarnessCredential } from './credentials-helper';
export { HarnessCredentialsHelper } from './credentials-helper';
export {
	initBinaryDataStore,
	readBinary,
	binaryStream,
	cleanupBinaryDataStore,
} from './binary-data';

export interface RunWorkflowOptions {
	workflow: {
		nodes: INode[];
		connections: IConnections;
		settings?: IWorkflowSettings;
		staticData?: IDataObject;
		/** Pinned node output, as in the editor; e.g. items for the Manual Trigger to "emit". */
		pinData?: IPinData;
	};
	/** Key = full type name used in the workflow JSON. manualTrigger and noOp are built in. */
	nodeTypes: Record<string, INodeType | IVersionedNodeType>;
	credentialTypes: ICredentialType[];
	/** Matched to `node.credentials[type]` by id, else by name. */
	credentials?: HarnessCredential[];
	/** Aborting it stops the execution like the editor's Stop button. */
	signal?: AbortSignal;
	startNodeName?: string;
}

export interface RunWorkflowResult {
	/**
	 * The status n8n records (from the workflowExecuteAfter hook). After a cancel this is 'canceled'
	 * even though the engine's own final IRun (`run.status`) says 'error' when the running node
	 * threw on the abort signal — n8n persists the former.
	 */
	status: ExecutionStatus;
	runData: IRunData;
	/**
	 * Execution-level error (`resultData.error`): the failing node's error. After a cancel: the error
	 * the running node threw on the abort, else ManualExecutionCancelledError.
	 */
	error?: ExecutionBaseError | Error;
	/** Items `nodeName` produced on `outputIndex` in run `runIndex`; throws if it never ran. */
	output(nodeName: string, outputIndex?: number, runIndex?: number): INodeExecutionData[];
	/** The error a node's run ended with (not continueOnFail items, which are output). */
	nodeError(nodeName: string): Error | undefined;
	/** The engine's final IRun, for anything else. */
	run: IRun;
	/** Whether the run changed the workflow's static data (n8n's `__dataChanged`: it would save it). */
	staticDataChanged: boolean;
}

class HarnessNodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType | IVersionedNodeType>) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types[nodeType];
		if (!type) {
			throw new UnexpectedError(
				`Unknown node type "${nodeType}"; known: ${Object.keys(this.types).join(', ')}`,
			);
		}
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

const unsupported = (what: string) => () => {
	throw new UnexpectedError(`${what} is not supported by the test harness`);
};

function additionalDataFor(
	hooks: ExecutionLifecycleHooks,
	executionId: string,
	workflowId: string,
	opts: Pick<RunWorkflowOptions, 'credentialTypes' | 'credentials'>,
): IWorkflowExecuteAdditionalData {
	return {
		hooks,
		executionId,
		workflowId,
		credentialsHelper: new HarnessCredentialsHelper(opts.credentialTypes, opts.credentials ?? []),
		externalSecretsProxy: new ExternalSecretsProxy(),
		variables: {},
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formBaseUrl: 'http://localhost:5678/form',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		formTestBaseUrl: 'http://localhost:5678/form-test',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		mcpBaseUrl: 'http://localhost:5678/mcp',
		mcpTestBaseUrl: 'http://localhost:5678/mcp-test',
		logAiEvent: () => {},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		executeWorkflow: unsupported('Executing sub-workflows'),
		startRunnerTask: unsupported('Task runners (Code node)'),
	};
}

/**
 * Runs a workflow through n8n-core's real WorkflowExecute, in 'manual' mode (as "Execute workflow"
 * in the editor does), with in-memory credentials and real HTTP.
 */
export async function runWorkflow(opts: RunWorkflowOptions): Promise<RunWorkflowResult> {
	ensureN8nEnv();
	const nodeTypes = new HarnessNodeTypes({ ...BUILTIN_NODE_TYPES, ...opts.nodeTypes });
	// Workflow fills parameter defaults into node.parameters in place: keep the caller's JSON intact.
	const { nodes, connections, settings = {}, staticData, pinData } = structuredClone(opts.workflow);
	for (const node of nodes) nodeTypes.getByName(node.type); // fail early and clearly on a typo
	const workflowId = 'harness-workflow';
	const workflow = new Workflow({
		id: workflowId,
		name: 'Harness',
		nodes,
		connections,
		active: false,
		nodeTypes,
		settings,
		staticData,
	});

	const executionId = randomUUID();
	const workflowData: IWorkflowBase = {
		id: workflowId,
		name: 'Harness',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes,
		connections,
		settings,
		staticData,
	};
	// workflowExecuteAfter delivers the IRun that n8n records. On cancel it fires at once with
	// status 'canceled' and is NOT fired again when the engine winds down (workflow-execute.js
	// setupCancellation / processSuccessExecution), so its status is the one n8n would show.
	const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData);
	let recorded: IRun | undefined;
	hooks.addHandler('workflowExecuteAfter', (run) => {
		recorded ??= run;
	});

	const additionalData = additionalDataFor(hooks, executionId, workflowId, opts);

	const startNode =
		opts.startNodeName === undefined
			? undefined
			: (workflow.getNode(opts.startNodeName) ?? undefined);
	if (opts.startNodeName !== undefined && !startNode) {
		throw new UnexpectedError(`Start node "${opts.startNodeName}" is not in the workflow`);
	}
	// run() returns a PCancelable. cancel() marks the execution canceled and aborts the
	// WorkflowExecute's private AbortController — the signal every node context hands out through
	// getExecutionCancelSignal() (and httpRequestWithAuthentication passes on to axios).
	const execution = new WorkflowExecute(additionalData, 'manual').run({
		workflow,
		startNode,
		pinData,
	});
	const onAbort = () => execution.cancel();
	if (opts.signal?.aborted) onAbort();
	opts.signal?.addEventListener('abort', onAbort, { once: true });
	let final: IRun;
	try {
		// The engine's own result arrives once the running node has given up, so a node that ignores
		// the cancel signal keeps the test waiting — which is the bug such a test should expose.
		final = await execution;
	} finally {
		opts.signal?.removeEventListener('abort', onAbort);
	}
	const { runData } = final.data.resultData;
	const error = asError(final.data.resultData.error);

	return {
		status: (recorded ?? final).status,
		runData,
		error,
		run: final,
		staticDataChanged: workflow.staticData.__dataChanged === true,
		output(nodeName, outputIndex = 0, runIndex = 0) {
			const task = runData[nodeName]?.[runIndex];
			if (!task) {
				const ran = Object.keys(runData).join(', ') || 'none';
				throw new Error(
					`Node "${nodeName}" has no run #${runIndex} (nodes that ran: ${ran}; error: ${error?.message ?? 'none'})`,
				);
			}
			return task.data?.main?.[outputIndex] ?? [];
		},
		nodeError(nodeName) {
			return asError(runData[nodeName]?.find((task) => task.error !== undefined)?.error);
		},
	};
}

/**
 * The engine keeps node and execution errors as plain copies, `{ ...error, message, stack }`
 * (n8n-core workflow-execute.js reportNodeExecutionError / processSuccessExecution), so they are not
 * `instanceof Error` any more and have no `name`. Give them an Error prototype back; the own fields
 * (httpCode, description, node, …) are kept. Items' `error` (continueOnFail) stay the real objects.
 */
function asError(error: ExecutionBaseError | undefined): ExecutionBaseError | Error | undefined {
	if (error === undefined || error instanceof Error) return error;
	return Object.assign(Object.create(Error.prototype) as Error, error);
}

export interface RunPollOptions {
	/** The trigger node (its parameters and credentials). */
	node: INode;
	nodeTypes: Record<string, INodeType | IVersionedNodeType>;
	credentialTypes: ICredentialType[];
	credentials?: HarnessCredential[];
	/** The workflow's static data as n8n last saved it (undefined: a workflow never polled). */
	staticData?: IDataObject;
	/** What `getPollBudgetMs()` answers (n8n's default: 5 minutes). */
	budgetMs?: number;
}

export interface RunPollResult {
	/** What `poll()` returned: null when there was nothing new. */
	items: INodeExecutionData[] | null;
	/**
	 * The static data n8n would save after this poll: a copy of the workflow's static data when the poll changed it
	 * (n8n saves it only then: `__dataChanged`), else the data it started from.
	 */
	staticData: IDataObject | undefined;
	changed: boolean;
}

/**
 * One poll of an active workflow's polling trigger, as n8n's ActiveWorkflowManager runs it: n8n-core's real
 * PollContext (mode 'trigger'), the workflow's static data behind n8n's change-tracking proxy, saved only when the
 * poll changed it. Polls are independent calls, like polls of a real n8n (or of a restarted one): state passes
 * between them only through the returned static data.
 */
export async function runPoll(opts: RunPollOptions): Promise<RunPollResult> {
	ensureN8nEnv();
	const nodeTypes = new HarnessNodeTypes({ ...BUILTIN_NODE_TYPES, ...opts.nodeTypes });
	const node = structuredClone(opts.node);
	const workflowId = 'harness-poll-workflow';
	const workflow = new Workflow({
		id: workflowId,
		name: 'Harness poll',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes,
		settings: {},
		staticData: opts.staticData === undefined ? undefined : structuredClone(opts.staticData),
	});
	const executionId = randomUUID();
	const workflowData: IWorkflowBase = {
		id: workflowId,
		name: 'Harness poll',
		active: true,
		isArchived: false,
		activeVersionId: null,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes: [node],
		connections: {},
		settings: {},
	};
	const hooks = new ExecutionLifecycleHooks('trigger', executionId, workflowData);
	const additionalData = additionalDataFor(hooks, executionId, workflowId, opts);
	const workflowNode = workflow.getNode(node.name);
	if (!workflowNode) throw new UnexpectedError(`Node "${node.name}" is not in the workflow`);
	const budgetMs = opts.budgetMs ?? 5 * 60_000;
	const context = new PollContext(
		workflow,
		workflowNode,
		additionalData,
		'trigger',
		'activate',
		() => {},
		(error) => {
			throw error;
		},
		undefined,
		undefined,
		undefined,
		() => budgetMs,
	);
	const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	if (!nodeType.poll) throw new UnexpectedError(`${node.type} is not a polling trigger`);
	const result = await nodeType.poll.call(context);
	const changed = workflow.staticData.__dataChanged === true;
	const saved = changed
		? (JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject)
		: opts.staticData;
	if (saved) delete saved.__dataChanged;
	return { items: result?.[0] ?? null, staticData: saved, changed };
}
