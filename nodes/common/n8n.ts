/**
 * The thin n8n layer every provider's node shares: run an operation per input item, pair the items, honour
 * Continue On Fail, and turn our errors into n8n's with a message a person can act on.
 */
import {
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type JsonObject,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import { CloudApiError, type CloudErrorKind } from './errors';
import { InputError } from './input';
import { PagingError } from './paginate';
import { WaiterAbortedError, WaiterFailureError, WaiterTimeoutError } from './waiter';

export type ItemOperation = (
	this: IExecuteFunctions,
	itemIndex: number,
) => Promise<INodeExecutionData[]>;

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
	if (
		error instanceof WaiterFailureError ||
		error instanceof PagingError ||
		error instanceof WaiterAbortedError
	) {
		return new NodeOperationError(node, error.message, { itemIndex });
	}
	return new NodeOperationError(node, error instanceof Error ? error : String(error), {
		itemIndex,
	});
}

/**
 * Runs `operation` once per input item. Output items are paired with the input item they came from; under
 * Continue On Fail a failed item becomes `{ json: { error }, error, pairedItem }`, the shape n8n routes to the
 * error output.
 */
export async function runPerItem(
	context: IExecuteFunctions,
	operation: ItemOperation,
	hints: ErrorHints,
): Promise<INodeExecutionData[][]> {
	const items = context.getInputData();
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const results = await operation.call(context, itemIndex);
			for (const result of results) output.push({ ...result, pairedItem: { item: itemIndex } });
		} catch (error) {
			const nodeError = toNodeError(context.getNode(), error, itemIndex, hints);
			if (context.continueOnFail() && !context.getExecutionCancelSignal()?.aborted) {
				output.push({
					json: { error: nodeError.message },
					error: nodeError,
					pairedItem: { item: itemIndex },
				});
				continue;
			}
			throw nodeError;
		}
	}
	return [output];
}
