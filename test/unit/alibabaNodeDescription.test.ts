/**
 * What the node panel shows: Instance Type only where an operation uses it (the backup operations that read
 * backups, and Wait Until Finished), never on Backup → Create or Backup Task → Get.
 */
import { NodeHelpers, type INodeParameters } from 'n8n-workflow';

import { AlibabaCloudRedis } from '../../nodes/AlibabaCloudRedis/AlibabaCloudRedis.node';

const description = new AlibabaCloudRedis().description;
const node = { typeVersion: 1 };

/** The parameters n8n keeps for these values: only the displayed ones (as the editor and the engine resolve them). */
function displayed(resource: string, operation: string): INodeParameters {
	return NodeHelpers.getNodeParameters(description.properties, { resource, operation }, true, false, node, description) ?? {};
}

function instanceTypeShown(resource: string, operation: string): boolean {
	return description.properties
		.filter((property) => property.name === 'instanceType')
		.some((property) => NodeHelpers.displayParameter({ resource, operation }, property, node, description));
}

describe('Instance Type parameter', () => {
	it.each([
		['backup', 'list', true],
		['backup', 'get', true],
		['backup', 'getDownloadUrl', true],
		['backup', 'download', true],
		['backup', 'verify', true],
		['backup', 'copyToObjectStorage', true],
		['backup', 'create', false],
		['backupTask', 'waitUntilFinished', true],
		['backupTask', 'get', false],
	])('%s → %s: shown %p', (resource, operation, shown) => {
		expect(instanceTypeShown(resource, operation)).toBe(shown);
		expect('instanceType' in displayed(resource, operation)).toBe(shown);
	});

	it('keeps the same name, options and default in every definition (one parameter for the workflow JSON)', () => {
		const definitions = description.properties.filter((property) => property.name === 'instanceType');
		expect(definitions.length).toBeGreaterThanOrEqual(1);
		for (const definition of definitions) {
			expect(definition.default).toBe('standard');
			expect((definition.options as Array<{ value: string }>).map((o) => o.value)).toEqual(['standard', 'cluster']);
		}
	});
});
