import { DateTime } from 'luxon';

import { booleanOf, InputError, numberOf, optionalText, requireOneOf, requirePositiveNumber, requireText, timeRange } from '../../nodes/common/input';

/** Runs fn and returns the InputError it throws (fails the test if it throws nothing or something else). */
function inputErrorOf(fn: () => unknown): InputError {
	let caught: unknown;
	try {
		fn();
	} catch (error) {
		caught = error;
	}
	expect(caught).toBeInstanceOf(InputError);
	return caught as InputError;
}

const INSTANCE_ID = /^r-[a-z0-9]+$/;

describe('requireText', () => {
	it('returns the trimmed text', () => {
		expect(requireText('  r-bp1zxszhcgatnx  ', 'Instance ID')).toBe('r-bp1zxszhcgatnx');
	});

	it('accepts numbers as their decimal text', () => {
		expect(requireText(8491111, 'Task ID')).toBe('8491111');
		expect(requireText(0, 'Task ID')).toBe('0');
	});

	it('checks the pattern against the trimmed text', () => {
		expect(requireText(' r-abc123 ', 'Instance ID', INSTANCE_ID)).toBe('r-abc123');
	});

	it.each([
		['empty', ''],
		['blank', '  \t '],
		['undefined', undefined],
		['null', null],
	])('rejects %s input, naming the parameter', (_label, value) => {
		const error = inputErrorOf(() => requireText(value, 'Instance ID', INSTANCE_ID, 'r-bp1zxszhcgatnx'));
		expect(error.parameter).toBe('Instance ID');
		expect(error.message).toBe('Instance ID is empty');
		expect(error.hint).toBe('For example: r-bp1zxszhcgatnx');
	});

	// An expression that returned the wrong type says so, rather than "is empty" (or a default taking its place).
	it.each([
		['an object', { id: 'r-1' }, 'an object'],
		['a list', ['r-abc123'], 'a list'],
		['a boolean', true, 'boolean true'],
	])('rejects %s, naming the parameter and what it got', (_label, value, got) => {
		const error = inputErrorOf(() => requireText(value, 'Instance ID', INSTANCE_ID, 'r-bp1zxszhcgatnx'));
		expect(error.parameter).toBe('Instance ID');
		expect(error.message).toBe(`Instance ID must be text, not ${got}`);
	});

	it('has no hint without an example', () => {
		expect(inputErrorOf(() => requireText('', 'Region')).hint).toBeUndefined();
	});

	it('rejects text not matching the pattern, quoting it', () => {
		const error = inputErrorOf(() => requireText(' i-123 ', 'Instance ID', INSTANCE_ID, 'r-bp1zxszhcgatnx'));
		expect(error.parameter).toBe('Instance ID');
		expect(error.message).toBe('Instance ID "i-123" is not valid');
		expect(error.hint).toBe('Expected something like r-bp1zxszhcgatnx');
		expect(error.name).toBe('InputError');
	});
});

describe('optionalText', () => {
	it('returns trimmed text, numbers as text, and undefined for nothing', () => {
		expect(optionalText(' a ', 'X')).toBe('a');
		expect(optionalText(5, 'X')).toBe('5');
		expect(optionalText('   ', 'X')).toBeUndefined();
		expect(optionalText(undefined, 'X')).toBeUndefined();
		expect(optionalText(null, 'X')).toBeUndefined();
		expect(() => optionalText(['1'], 'Backup Job ID')).toThrow(/^Backup Job ID must be text, not a list$/);
	});
});

describe('requireOneOf', () => {
	const sizes = [30, 50, 100, 200, 300] as const;

	it('returns the allowed value itself, matching numbers given as text', () => {
		expect(requireOneOf(50, sizes, 'Page Size')).toBe(50);
		expect(requireOneOf('100', sizes, 'Page Size')).toBe(100);
		expect(typeof requireOneOf('100', sizes, 'Page Size')).toBe('number');
	});

	it('matches strings exactly (case-sensitive)', () => {
		expect(requireOneOf('cluster', ['standard', 'cluster'], 'Architecture')).toBe('cluster');
		const error = inputErrorOf(() => requireOneOf('Cluster', ['standard', 'cluster'], 'Architecture'));
		expect(error.parameter).toBe('Architecture');
	});

	it('rejects other values, listing the accepted ones', () => {
		const error = inputErrorOf(() => requireOneOf(40, sizes, 'Page Size'));
		expect(error.parameter).toBe('Page Size');
		expect(error.message).toBe('Page Size 40 is not accepted');
		expect(error.hint).toBe('Use one of: 30, 50, 100, 200, 300');
	});

	it('rejects undefined and empty values', () => {
		expect(inputErrorOf(() => requireOneOf(undefined, sizes, 'Page Size')).message).toBe('Page Size undefined is not accepted');
		expect(inputErrorOf(() => requireOneOf('', sizes, 'Page Size')).message).toBe('Page Size "" is not accepted');
	});
});

describe('requirePositiveNumber', () => {
	it('accepts positive numbers and numeric strings', () => {
		expect(requirePositiveNumber(5, 'Limit')).toBe(5);
		expect(requirePositiveNumber(0.5, 'Poll Interval')).toBe(0.5);
		expect(requirePositiveNumber(' 7 ', 'Limit')).toBe(7);
		expect(requirePositiveNumber('2.5', 'Hours')).toBe(2.5);
	});

	it.each([
		['zero', 0],
		['negative', -1],
		['NaN', NaN],
		['Infinity', Infinity],
		['empty string', ''],
		['blank string', '  '],
		['words', 'ten'],
		['undefined', undefined],
		['null', null],
		['boolean', true],
	])('rejects %s, naming the parameter', (_label, value) => {
		const error = inputErrorOf(() => requirePositiveNumber(value, 'Limit'));
		expect(error.parameter).toBe('Limit');
		expect(error.message).toMatch(/^Limit must be a number greater than 0, not /);
	});

	it('with integer: true rejects fractions and says "whole"', () => {
		expect(requirePositiveNumber(3, 'Retention Days', { integer: true })).toBe(3);
		const error = inputErrorOf(() => requirePositiveNumber(2.5, 'Retention Days', { integer: true }));
		expect(error.message).toBe('Retention Days must be a whole number greater than 0, not 2.5');
	});

	it('enforces max, inclusively', () => {
		expect(requirePositiveNumber(730, 'Retention Days', { integer: true, max: 730 })).toBe(730);
		const error = inputErrorOf(() => requirePositiveNumber('731', 'Retention Days', { integer: true, max: 730 }));
		expect(error.parameter).toBe('Retention Days');
		expect(error.message).toBe('Retention Days must be at most 730, not 731');
	});
});

describe('timeRange', () => {
	const now = DateTime.fromISO('2026-11-20T12:00:00Z', { zone: 'utc' });

	it('defaults to the last N days up to now when both are empty', () => {
		for (const empty of ['', undefined, null]) {
			const range = timeRange(empty, empty, now, 7);
			expect(range.end.toISO()).toBe('2026-11-20T12:00:00.000Z');
			expect(range.start.toISO()).toBe('2026-11-13T12:00:00.000Z');
		}
	});

	it('counts the default start back from a given end', () => {
		const range = timeRange('', '2026-01-10T00:00:00Z', now, 3);
		expect(range.start.toISO()).toBe('2026-01-07T00:00:00.000Z');
		expect(range.end.toISO()).toBe('2026-01-10T00:00:00.000Z');
	});

	it('reads both ends in any accepted form', () => {
		const range = timeRange(new Date(Date.UTC(2026, 10, 1)), DateTime.fromISO('2026-11-02T08:00:00+08:00'), now, 7);
		expect(range.start.toISO()).toBe('2026-11-01T00:00:00.000Z');
		expect(range.end.toISO()).toBe('2026-11-02T00:00:00.000Z');
	});

	it('reads a zone-less start as UTC when no zone is given', () => {
		expect(timeRange('2026-11-19T00:00:00', '', now, 7).start.toISO()).toBe('2026-11-19T00:00:00.000Z');
	});

	it("reads zone-less values (n8n's date picker) in the given zone, the workflow's timezone", () => {
		const range = timeRange('2026-11-19T00:00:00', '2026-11-20T00:00:00', now, 7, { zone: 'Asia/Shanghai' });
		expect(range.start.toISO()).toBe('2026-11-18T16:00:00.000Z');
		expect(range.end.toISO()).toBe('2026-11-19T16:00:00.000Z');
		const newYork = timeRange('2026-11-19 00:00:00', '', now, 7, { zone: 'America/New_York' });
		expect(newYork.start.toISO()).toBe('2026-11-19T05:00:00.000Z');
	});

	it('keeps an explicit Z or offset whatever the zone', () => {
		const range = timeRange('2026-11-19T00:00:00Z', '2026-11-19T18:00:00+08:00', now, 7, { zone: 'Asia/Shanghai' });
		expect(range.start.toISO()).toBe('2026-11-19T00:00:00.000Z');
		expect(range.end.toISO()).toBe('2026-11-19T10:00:00.000Z');
	});

	it("rejects an end before the start, naming 'Start Time'", () => {
		const error = inputErrorOf(() => timeRange('2026-11-20T00:00:00Z', '2026-11-19T00:00:00Z', now, 7));
		expect(error.parameter).toBe('Start Time');
		expect(error.message).toBe(
			'Start Time (2026-11-20T00:00:00.000Z) must be before End Time (2026-11-19T00:00:00.000Z)',
		);
	});

	it('rejects a start equal to the end', () => {
		expect(inputErrorOf(() => timeRange('2026-11-19T00:00:00Z', '2026-11-19T00:00:00Z', now, 7)).parameter).toBe('Start Time');
	});

	it('rejects a start after the default end (now)', () => {
		expect(inputErrorOf(() => timeRange('2026-12-01T00:00:00Z', '', now, 7)).parameter).toBe('Start Time');
	});

	it('names the start when the start is not a date', () => {
		const error = inputErrorOf(() => timeRange('last week', '', now, 7));
		expect(error.parameter).toBe('Start Time');
		expect(error.message).toBe('Start Time "last week" is not a date and time');
		expect(error.hint).toMatch(/ISO-8601/);
	});

	it('names the end when the end is not a date (checked first)', () => {
		const error = inputErrorOf(() => timeRange('nonsense', 'tomorrow', now, 7));
		expect(error.parameter).toBe('End Time');
		expect(error.message).toBe('End Time "tomorrow" is not a date and time');
	});

	it('uses the caller-supplied parameter names', () => {
		const names = { start: 'From', end: 'To' };
		expect(inputErrorOf(() => timeRange('x', '', now, 7, { names })).parameter).toBe('From');
		expect(inputErrorOf(() => timeRange('', 'x', now, 7, { names })).parameter).toBe('To');
		expect(inputErrorOf(() => timeRange('2026-11-20T00:00:00Z', '2026-11-19T00:00:00Z', now, 7, { names })).message).toMatch(
			/^From \(.*\) must be before To \(/,
		);
	});
});

describe('booleanOf (as n8n\'s own type validation reads booleans)', () => {
	it.each([
		[true, true],
		[false, false],
		['true', true],
		['FALSE', false],
		[' false ', false],
		[1, true],
		[0, false],
		['1', true],
		['0', false],
	])('reads %p as %p', (value, expected) => {
		expect(booleanOf(value, 'Return All', !expected)).toBe(expected);
	});

	it.each([undefined, null, ''])('gives the default for %p', (value) => {
		expect(booleanOf(value, 'Return All', true)).toBe(true);
		expect(booleanOf(value, 'Return All', false)).toBe(false);
	});

	it.each([['no'], ['off'], ['yes'], [2], [['false']], [{}]])('refuses %p, naming the parameter', (value) => {
		const error = inputErrorOf(() => booleanOf(value, 'Include Backup', true));
		expect(error.parameter).toBe('Include Backup');
		expect(error.message).toMatch(/^Include Backup must be true or false, not /);
	});
});

describe('numberOf', () => {
	it('reads numbers and numeric text within the bounds; the default only for nothing', () => {
		expect(numberOf(5, 'X', { min: 1 })).toBe(5);
		expect(numberOf(' 7 ', 'X', { min: 1 })).toBe(7);
		expect(numberOf(undefined, 'X', { min: 1, defaultValue: 3 })).toBe(3);
		expect(numberOf('', 'X', { min: 1, defaultValue: 3 })).toBe(3);
	});

	it.each([
		['a list (Number([]) would be 0: no limit)', [], /must be a whole number, not a list/],
		['an object', {}, /must be a whole number, not an object/],
		['text', 'ten', /must be a whole number, not string "ten"/],
		['below the minimum', 6, /must be between 7 and 730 days, not 6/],
		['above the maximum', 731, /must be between 7 and 730 days, not 731/],
		['a fraction where whole days are wanted', 7.5, /must be a whole number/],
	])('refuses %s', (_label, value, message) => {
		const error = inputErrorOf(() => numberOf(value, 'Retention Period (Days)', { min: 7, max: 730, integer: true, unit: 'days' }));
		expect(error.parameter).toBe('Retention Period (Days)');
		expect(error.message).toMatch(message);
	});
});
