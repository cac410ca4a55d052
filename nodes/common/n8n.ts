/**
 * The thin n8n layer every provider's node shares: run an operation per input item, pair the items, honour
 * Continue On Fail, and turn our errors into n8n's with a message a person can act on.
 */
import {
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeProperties,
	type JsonObject,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import { CloudApiError, type CloudErrorKind } from './errors';
import { InputError } from './input';
import { PagingError } from './paginate';
import { WaiterAbortedError, WaiterFailureError, WaiterTimeoutError } from './waiter';

export interface ErrorHints {
	/** Advice per kind of cloud error, in the provider's terms. */
	describeKind: (kind: CloudErrorKind) => string;
}

function isN8nError(error: unknown): error is NodeApiError | NodeOperationError {
	return error instanceof NodeApiError || error instanceof NodeOperationError;
}

export function toNodeError(
	node: INode,
	error: unknown,
	itemIndex: number,
	hints: ErrorHints,
): NodeApiError | NodeOperationError {
	if (isN8nError(error)) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	if (
		error instanceof WaiterAbortedError ||
		(error instanceof CloudApiError && error.kind === 'cancelled')
	) {
		return new NodeOperationError(node, 'The execution was cancelled', { itemIndex });
	}
	if (error instanceof CloudApiError) {
		const d = error.details;
		const description = [
			d.requestId ? `Request ID: ${d.requestId}.` : '',
			d.hint ?? hints.describeKind(d.kind),
			d.recommend ? `See ${d.recommend}` : '',
		]
			.filter(Boolean)
			.join(' ');
		const response: JsonObject = {
			code: d.code ?? null,
			message: error.message,
			requestId: d.requestId ?? null,
			action: d.action ?? null,
			kind: d.kind,
		};
		const apiError = new NodeApiError(node, response, {
			message: error.message,
			description,
			httpCode: d.httpStatus !== undefined ? String(d.httpStatus) : undefined,
			itemIndex,
		});
		// NodeApiError swaps any message that mentions a Node.js error code (ECONNRESET, ETIMEDOUT, ...) for a
		// generic "connection closed, you can retry" text, which would drop which call failed and, for a create,
		// that it was deliberately not re-sent. Ours already says what happened: keep it.
		apiError.message = error.message;
		return apiError;
	}
	if (error instanceof InputError) {
		return new NodeOperationError(node, `${error.message} (item ${itemIndex})`, {
			itemIndex,
			description: error.hint ?? `Check the "${error.parameter}" parameter.`,
		});
	}
	if (error instanceof WaiterTimeoutError) {
		return new NodeOperationError(node, error.message, {
			itemIndex,
			description: 'Raise "Max Wait Time" in the options, or check the task in the cloud console.',
		});
	}
	if (error instanceof WaiterFailureError || error instanceof PagingError) {
		return new NodeOperationError(node, error.message, { itemIndex });
	}
	return new NodeOperationError(node, error instanceof Error ? error : String(error), {
		itemIndex,
	});
}

export interface OperationModule {
	description: INodeProperties[];
	/**
	 * Reads and checks one item's parameters without sending anything. When an operation has it, every item is
	 * prepared before the first one runs, so bad input in item 3 stops the node before item 1 changed the cloud.
	 */
	prepare?: (this: IExecuteFunctions, itemIndex: number) => Promise<unknown>;
	execute: (
		this: IExecuteFunctions,
		itemIndex: number,
		prepared?: unknown,
	) => Promise<INodeExecutionData[]>;
	/** For operations that change the cloud: what an item's output says was done (named if a later item fails). */
	describeDone?: (output: INodeExecutionData[]) => string | undefined;
}

/** The node's resources, each an object of its operations (the `op` export of `<Resource>.resource.ts`). */
export type Resources = Record<string, Record<string, OperationModule | unknown>>;

function isOperation(value: unknown): value is OperationModule {
	return (
		!!value &&
		typeof value === 'object' &&
		typeof (value as OperationModule).execute === 'function' &&
		Array.isArray((value as OperationModule).description)
	);
}

/** The operation the node's Resource and Operation parameters select; an n8n error when there is none. */
export function selectOperation(context: IExecuteFunctions, resources: Resources): OperationModule {
	const resource = context.getNodeParameter('resource', 0) as string;
	const operation = context.getNodeParameter('operation', 0) as string;
	const selected = Object.prototype.hasOwnProperty.call(resources, resource)
		? resources[resource][operation]
		: undefined;
	if (!isOperation(selected)) {
		throw new NodeOperationError(
			context.getNode(),
			`The operation "${operation}" of resource "${resource}" is not supported`,
			{ description: 'Pick the resource and operation again in the node panel.' },
		);
	}
	return selected;
}

function cancelled(context: IExecuteFunctions): boolean {
	return context.getExecutionCancelSignal()?.aborted === true;
}

/**
 * Runs the selected operation once per input item. Output items are paired with the input item they came from;
 * under Continue On Fail a failed item becomes `{ json: { error }, error, pairedItem }`, the shape n8n routes to
 * the error output. Operations with `prepare` have every item checked first. When an operation that changes the
 * cloud fails on a later item without Continue On Fail, the error names what earlier items already did.
 */
export async function runOperation(
	context: IExecuteFunctions,
	operation: OperationModule,
	hints: ErrorHints,
): Promise<INodeExecutionData[][]> {
	const items = context.getInputData();
	const output: INodeExecutionData[] = [];
	const failed = new Map<number, NodeApiError | NodeOperationError>();
	const prepared = new Map<number, unknown>();
	const done: string[] = [];

	const fail = (itemIndex: number, error: unknown) => {
		// Whatever a cancelled call rejected with (n8n's cancel reason need not be an Error), the item was cancelled.
		const nodeError = cancelled(context)
			? new NodeOperationError(context.getNode(), 'The execution was cancelled', { itemIndex })
			: toNodeError(context.getNode(), error, itemIndex, hints);
		if (!context.continueOnFail() || cancelled(context)) {
			if (done.length > 0) {
				nodeError.description = [
					nodeError.description,
					`Earlier items already did this, so do not simply run the node again: ${done.join('; ')}.`,
				]
					.filter(Boolean)
					.join(' ');
			}
			throw nodeError;
		}
		failed.set(itemIndex, nodeError);
	};

	if (operation.prepare) {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				prepared.set(itemIndex, await operation.prepare.call(context, itemIndex));
			} catch (error) {
				fail(itemIndex, error);
			}
		}
	}
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const refused = failed.get(itemIndex);
		if (refused) {
			output.push({
				json: { error: refused.message },
				error: refused,
				pairedItem: { item: itemIndex },
			});
			continue;
		}
		try {
			const results = await operation.execute.call(context, itemIndex, prepared.get(itemIndex));
			for (const result of results) output.push({ ...result, pairedItem: { item: itemIndex } });
			const summary = operation.describeDone?.(results);
			if (summary) done.push(`item ${itemIndex}: ${summary}`);
		} catch (error) {
			fail(itemIndex, error);
			const nodeError = failed.get(itemIndex) as NodeApiError | NodeOperationError;
			output.push({
				json: { error: nodeError.message },
				error: nodeError,
				pairedItem: { item: itemIndex },
			});
		}
	}
	return [output];
}
