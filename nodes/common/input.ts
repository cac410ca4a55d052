/**
 * Checks on what the user typed, made before any request is sent. Each error names the parameter as the node
 * panel shows it; the item index is added where the error is turned into an n8n error.
 */
import type { DateTime } from 'luxon';

import { parseUserTime, UTC } from './time';

export class InputError extends Error {
	constructor(
		readonly parameter: string,
		message: string,
		readonly hint?: string,
	) {
		super(message);
		this.name = 'InputError';
	}
}

export function requireText(
	value: unknown,
	parameter: string,
	pattern?: RegExp,
	example?: string,
): string {
	const textValue = textOf(value, parameter);
	if (!textValue)
		throw new InputError(
			parameter,
			`${parameter} is empty`,
			example ? `For example: ${example}` : undefined,
		);
	if (pattern && !pattern.test(textValue)) {
		throw new InputError(
			parameter,
			`${parameter} "${textValue}" is not valid`,
			example ? `Expected something like ${example}` : undefined,
		);
	}
	return textValue;
}

export function optionalText(value: unknown, parameter: string): string | undefined {
	return textOf(value, parameter) || undefined;
}

export function requireOneOf<T extends string | number>(
	value: unknown,
	allowed: readonly T[],
	parameter: string,
): T {
	// Only a string or a number can be a choice: String(["internal"]) is "internal", but a list is not a choice.
	const comparable = typeof value === 'string' || typeof value === 'number';
	const match = comparable ? allowed.find((option) => String(option) === String(value)) : undefined;
	if (match === undefined) {
		throw new InputError(
			parameter,
			`${parameter} ${JSON.stringify(value)} is not accepted`,
			`Use one of: ${allowed.join(', ')}`,
		);
	}
	return match;
}

export function requirePositiveNumber(
	value: unknown,
	parameter: string,
	{ integer = false, max }: { integer?: boolean; max?: number } = {},
): number {
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
		throw new InputError(
			parameter,
			`${parameter} must be a ${integer ? 'whole ' : ''}number greater than 0, not ${JSON.stringify(value)}`,
		);
	}
	if (max !== undefined && n > max)
		throw new InputError(parameter, `${parameter} must be at most ${max}, not ${n}`);
	return n;
}

export interface TimeRange {
	start: DateTime;
	end: DateTime;
}

export interface TimeRangeOptions {
	/**
	 * Zone a value without one is read in: n8n's date picker gives wall-clock times such as `2026-11-20T00:00:00`,
	 * meant in the workflow's timezone (`this.getTimezone()`). Values with an offset or `Z` keep theirs. Default UTC.
	 */
	zone?: string;
	names?: { start: string; end: string };
}

/** A value as an error message shows it: text quoted, anything else by its type (never "[object Object]"). */
function shown(value: unknown): string {
	return typeof value === 'string' ? `"${value}"` : describeType(value);
}

const isEmpty = (value: unknown) => value === '' || value === undefined || value === null;

/** Start and end from the node's date pickers; empty ones default to `defaultDays` ago and now. */
export function timeRange(
	startValue: unknown,
	endValue: unknown,
	now: DateTime,
	defaultDays: number,
	{ zone = UTC, names = { start: 'Start Time', end: 'End Time' } }: TimeRangeOptions = {},
): TimeRange {
	const end = isEmpty(endValue) ? now : parseUserTime(endValue, zone);
	if (!end)
		throw new InputError(
			names.end,
			`${names.end} ${shown(endValue)} is not a date and time`,
			'Use an ISO-8601 time such as 2026-11-20T00:00:00Z',
		);
	const start = isEmpty(startValue)
		? end.minus({ days: defaultDays })
		: parseUserTime(startValue, zone);
	if (!start)
		throw new InputError(
			names.start,
			`${names.start} ${shown(startValue)} is not a date and time`,
			'Use an ISO-8601 time such as 2026-11-20T00:00:00Z',
		);
	if (start >= end) {
		throw new InputError(
			names.start,
			`${names.start} (${start.toISO()}) must be before ${names.end} (${end.toISO()})`,
		);
	}
	return { start, end };
}

function describeType(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (value === null) return 'null';
	if (typeof value === 'object') return 'an object';
	return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Text from an expression: strings and numbers only. An array, object or boolean (an expression that returned
 * the wrong thing) is an error naming the parameter, never read as empty and replaced by a default.
 */
export function textOf(value: unknown, parameter: string): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	throw new InputError(
		parameter,
		`${parameter} must be text, not ${describeType(value)}`,
		'Check the expression of this parameter',
	);
}

/**
 * A boolean parameter read as n8n's own type validation reads one (`tryToParseBoolean`): true/false in any case,
 * 1/0 as numbers or text. Anything else ("no", "off", a list) is an error naming the parameter.
 */
export function booleanOf(value: unknown, parameter: string, defaultValue: boolean): boolean {
	if (value === undefined || value === null || value === '') return defaultValue;
	if (typeof value === 'boolean') return value;
	const text = typeof value === 'string' ? value.trim().toLowerCase() : value;
	if (text === 'true' || text === 1 || text === '1') return true;
	if (text === 'false' || text === 0 || text === '0') return false;
	throw new InputError(
		parameter,
		`${parameter} must be true or false, not ${describeType(value)}`,
		'Use true or false (or 1 / 0)',
	);
}

/**
 * A number parameter within [min, max]; text holding a number is accepted (expressions), anything else (a list,
 * an object, an empty string where no default applies) is an error naming the parameter.
 */
export function numberOf(
	value: unknown,
	parameter: string,
	{
		min,
		max,
		integer = false,
		defaultValue,
		unit = '',
	}: { min: number; max?: number; integer?: boolean; defaultValue?: number; unit?: string },
): number {
	if ((value === undefined || value === null || value === '') && defaultValue !== undefined)
		return defaultValue;
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	const suffix = unit ? ` ${unit}` : '';
	if (typeof n !== 'number' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
		throw new InputError(
			parameter,
			`${parameter} must be a ${integer ? 'whole ' : ''}number, not ${describeType(value)}`,
		);
	}
	if (n < min || (max !== undefined && n > max)) {
		throw new InputError(
			parameter,
			`${parameter} must be ${max === undefined ? `at least ${min}${suffix}` : `between ${min} and ${max}${suffix}`}, not ${n}`,
		);
	}
	return n;
}
