/**
 * Expressions that return the wrong type: each is refused with a clear error naming the parameter and the item,
 * before any request; never read as empty, never replaced by a default, never a crash. Values n8n itself reads as
 * booleans ("false", 0) are read the same way.
 */
import type { INodeParameters } from 'n8n-workflow';

import { CLOUDS } from './clouds';
import { markRequests, NODE_NAME, nodeErrorOf, requestsSince, runCloudNode, useCloudEmulator, type CloudKit } from './kit';

interface InputCase {
	what: string;
	parameters: (kit: CloudKit) => INodeParameters;
	/** The parameter the error must name (as the panel shows it). */
	label: (kit: CloudKit) => string;
}

/** A retention the node must refuse: below the minimum where that leaves room, else above the maximum. */
const outOfRange = ({ min, max }: { min: number; max: number }) => (min > 3 ? 3 : max + 1);

const backupOf = (kit: CloudKit) => ({ instance: kit.instances.standard, backupId: '1', files: [] });

const regionCases = (value: string, what: string): InputCase[] => [
	{
		what: `Region ${what} (List)`,
		parameters: (kit) => kit.params.list(kit.instances.standard, { [kit.region!.parameter]: value }),
		label: (kit) => kit.region!.label,
	},
	{
		what: `Region ${what} (Create)`,
		parameters: (kit) => kit.params.create(kit.instances.standard, { [kit.region!.parameter]: value }),
		label: (kit) => kit.region!.label,
	},
];

const CASES: InputCase[] = [
	...regionCases('={{ ["cn-hangzhou"] }}', 'as a list'),
	...regionCases('={{ {a:1} }}', 'as an object'),
	...[
		['a list', '={{ [123, 456] }}'],
		['an object', '={{ { id: 123 } }}'],
		['a boolean', '={{ true }}'],
	].map(
		([what, value]): InputCase => ({
			what: `Task (job) ID as ${what}`,
			parameters: (kit) => kit.params.wait(kit.instances.standard, value),
			label: (kit) => kit.labels.taskId,
		}),
	),
	{
		what: 'Return All "no"',
		parameters: (kit) => kit.params.list(kit.instances.standard, { returnAll: '={{ "no" }}' }),
		label: () => 'Return All',
	},
	{
		what: 'Backoff "no"',
		parameters: (kit) => kit.params.wait(kit.instances.standard, '123', { options: { backoff: '={{ "no" }}' } }),
		label: () => 'Backoff',
	},
	{
		what: 'Include Backup "no"',
		parameters: (kit) => kit.params.wait(kit.instances.standard, '123', { options: { includeBackup: '={{ "no" }}' } }),
		label: () => 'Include Backup',
	},
	{
		what: 'Max File Size as a list',
		parameters: (kit) => kit.params.download(backupOf(kit), { options: { maxFileSizeMiB: '={{ [] }}' } }),
		label: () => 'Max File Size (MiB)',
	},
	{
		what: 'a Retention Period out of range',
		parameters: (kit) =>
			kit.params.create(kit.instances.standard, {
				options: { retentionDays: outOfRange(kit.retentionDays!) },
			}),
		label: (kit) => kit.labels.retentionDays!,
	},
	{
		what: 'a Retention Period out of range (by expression)',
		parameters: (kit) =>
			kit.params.create(kit.instances.standard, {
				options: { retentionDays: `={{ ${outOfRange(kit.retentionDays!)} }}` },
			}),
		label: (kit) => kit.labels.retentionDays!,
	},
	{
		what: 'URL Type as a list',
		parameters: (kit) => kit.params.download(backupOf(kit), { urlType: '={{ ["internal"] }}' }),
		label: () => 'URL Type',
	},
	{
		what: 'Page Size as a list',
		parameters: (kit) => kit.params.list(kit.instances.standard, { options: { pageSize: '={{ [50] }}' } }),
		label: () => 'Page Size',
	},
	{
		what: 'Start Time as an object',
		parameters: (kit) => kit.params.list(kit.instances.standard, { startTime: '={{ { day: 1 } }}' }),
		label: () => 'Start Time',
	},
	{
		what: 'Limit as a boolean',
		parameters: (kit) => kit.params.list(kit.instances.standard, { limit: '={{ true }}' }),
		label: () => 'Limit',
	},
	{
		what: 'Request Timeout as a list',
		parameters: (kit) => kit.params.list(kit.instances.standard, { options: { requestTimeoutSeconds: '={{ [5] }}' } }),
		label: () => 'Request Timeout (Seconds)',
	},
	{
		what: 'a Poll Interval of 0.5 s',
		parameters: (kit) => kit.params.wait(kit.instances.standard, '123', { options: { pollIntervalSeconds: 0.5 } }),
		label: () => 'Poll Interval (Seconds)',
	},
];

describe.each(CLOUDS)('%s: expression values of the wrong type', (_label, kit) => {
	const emulator = useCloudEmulator(kit);

	// Region cases where the node has a Region parameter; retention cases where Create takes a retention.
	const applicable = CASES.filter(
		(c) =>
			(kit.region !== undefined || !c.what.startsWith('Region')) &&
			(kit.retentionDays !== undefined || !c.what.includes('Retention Period')),
	);

	it.each(applicable.map((c) => [c.what, c]))('%s: a clear error naming the parameter and the item, no request', async (_what, c) => {
		const mark = markRequests(kit, emulator);
		const result = await runCloudNode(kit, emulator, c.parameters(kit));
		expect(result.status).toBe('error');
		const error = nodeErrorOf(result);
		expect(error.message).toContain(c.label(kit));
		expect(error.message).toContain('(item 0)');
		expect(error.message).not.toMatch(/Cannot read properties|is not a function|\[object Object\]/);
		expect(requestsSince(kit, emulator, mark)).toHaveLength(0);
	});

	it.each([
		['"false"', '={{ "false" }}'],
		['0', '={{ 0 }}'],
		['false', '={{ false }}'],
	])('Return All %s is false: Limit applies', async (_what, value) => {
		const result = await runCloudNode(kit, emulator, kit.params.list(kit.instances.standard, { returnAll: value, limit: 2 }));
		expect(result.status).toBe('success');
		expect(result.output(NODE_NAME)).toHaveLength(2);
	});

	it('Return All "true" is true: more than Limit', async () => {
		const result = await runCloudNode(kit, emulator, kit.params.list(kit.instances.standard, { returnAll: '={{ "true" }}', limit: 2 }));
		expect(result.status).toBe('success');
		expect(result.output(NODE_NAME).length).toBeGreaterThan(2);
	});
});
