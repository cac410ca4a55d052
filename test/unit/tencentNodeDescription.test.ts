/**
 * What the Tencent node panel shows and how it is registered: the API option only where backups are read, the
 * region list (financial zones included, the credential's region by default), the instance locator, every operation
 * wired, the codex, the icons and the package's n8n section.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NodeHelpers, type INodeProperties } from 'n8n-workflow';

import { TencentCloudApi } from '../../credentials/TencentCloudApi.credentials';
import { TencentCloudRedis } from '../../nodes/TencentCloudRedis/TencentCloudRedis.node';
import * as backup from '../../nodes/TencentCloudRedis/actions/backup/Backup.resource';
import * as backupTask from '../../nodes/TencentCloudRedis/actions/backupTask/BackupTask.resource';
import { INSTANCE_ID_PATTERN, tencentNode } from '../../nodes/TencentCloudRedis/actions/shared';

const node = new TencentCloudRedis();
const { description } = node;
const root = path.join(__dirname, '..', '..');
const version = { typeVersion: 1 };

function shownOptions(resource: string, operation: string): string[] {
	const collections = description.properties.filter(
		(p) => p.name === 'options' && NodeHelpers.displayParameter({ resource, operation }, p, version, description),
	);
	return collections.flatMap((c) => (c.options as INodeProperties[]).map((o) => o.name));
}

describe('Tencent Cloud Redis Backup node', () => {
	it('is named, typed and registered as the issue asks', () => {
		expect(description.displayName).toBe('Tencent Cloud Redis Backup');
		expect(description.name).toBe('tencentCloudRedis');
		expect(description.credentials).toEqual([
			{ name: 'tencentCloudApi', required: true },
			{ name: 's3CompatibleBucketApi', required: true, displayOptions: { show: { resource: ['backup'], operation: ['copyToObjectStorage'] } } },
		]);
		expect(new TencentCloudApi().name).toBe('tencentCloudApi');
		const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
		expect(pkg.n8n.nodes).toContain('dist/nodes/TencentCloudRedis/TencentCloudRedis.node.js');
		expect(pkg.n8n.credentials).toContain('dist/credentials/TencentCloudApi.credentials.js');
		const codex = JSON.parse(readFileSync(path.join(root, 'nodes/TencentCloudRedis/TencentCloudRedis.node.json'), 'utf8')) as { node: string };
		expect(codex.node).toBe('n8n-nodes-cloud-redis-backups.tencentCloudRedis');
	});

	it('has light and dark icons of its own, on the node and the credential', () => {
		const icons = [description.icon, new TencentCloudApi().icon] as Array<{ light: string; dark: string }>;
		for (const icon of icons) {
			expect(icon.light).not.toBe(icon.dark);
			for (const file of [icon.light, icon.dark]) {
				const name = path.basename(file.replace(/^file:/, ''));
				const svg = readFileSync(path.join(root, 'icons', name), 'utf8');
				expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 64 64"/);
			}
		}
		expect(existsSync(path.join(root, 'icons/tencentCloud.svg'))).toBe(true);
	});

	it('wires every operation of the selector to a module with a description and an execute', () => {
		for (const [resource, module] of [['backup', backup], ['backupTask', backupTask]] as const) {
			const selector = module.description.find((p) => p.name === 'operation');
			const values = (selector?.options as Array<{ value: string }>).map((o) => o.value);
			expect(values.length).toBeGreaterThan(0);
			for (const value of values) {
				const op = (module as unknown as Record<string, { execute?: unknown; description?: unknown }>)[value];
				expect(typeof op.execute).toBe('function');
				expect(Array.isArray(op.description)).toBe(true);
			}
			expect(resource).toBeTruthy();
		}
		expect(Object.keys(backup).filter((k) => k !== 'description').sort()).toEqual(['copyToObjectStorage', 'create', 'download', 'get', 'getDownloadUrl', 'list', 'verify']);
		expect(Object.keys(backupTask).filter((k) => k !== 'description').sort()).toEqual(['get', 'waitUntilFinished']);
	});

	it.each([
		['backup', 'list', true],
		['backup', 'get', true],
		['backup', 'getDownloadUrl', true],
		['backup', 'download', true],
		['backup', 'verify', true],
		['backup', 'create', false],
		['backupTask', 'get', false],
		['backupTask', 'waitUntilFinished', false],
	])('%s → %s offers the API option: %p', (resource, operation, offered) => {
		expect(shownOptions(resource, operation).includes('api')).toBe(offered);
	});

	it('the API option is API 3.0 by default, or the legacy CRS API', () => {
		const api = description.properties
			.filter((p) => p.name === 'options')
			.flatMap((c) => c.options as INodeProperties[])
			.find((o) => o.name === 'api') as INodeProperties;
		expect(api.default).toBe('api3');
		expect((api.options as Array<{ name: string; value: string }>).map((o) => [o.name, o.value])).toEqual([
			['API 3.0', 'api3'],
			['Legacy CRS API', 'legacy'],
		]);
	});

	it("Create offers Remark and a retention up to 1825 days; lookups search 30 days by default, at most 1825", () => {
		expect(shownOptions('backup', 'create')).toEqual(['remark', 'retentionDays', 'requestTimeoutSeconds']);
		const searchDays = description.properties
			.filter((p) => p.name === 'options')
			.flatMap((c) => c.options as INodeProperties[])
			.find((o) => o.name === 'searchDays') as INodeProperties;
		expect(searchDays.default).toBe(30);
		expect(searchDays.typeOptions?.maxValue).toBe(1825);
		expect(tencentNode.retentionDays).toEqual({ min: 1, max: 1825 });
		expect(tencentNode.pageSizes.every((size) => size <= 100)).toBe(true);
	});

	it("offers Tencent's Redis regions, financial zones included, the credential's region by default", () => {
		const region = description.properties.find((p) => p.name === 'region') as INodeProperties;
		expect(region.type).toBe('options');
		expect(region.default).toBe('');
		expect(region.noDataExpression).toBeUndefined();
		const values = (region.options as Array<{ value: string }>).map((o) => o.value);
		expect(values[0]).toBe('');
		for (const id of ['ap-guangzhou', 'ap-shanghai', 'ap-beijing', 'ap-singapore', 'ap-shanghai-fsi', 'ap-shenzhen-fsi']) {
			expect(values).toContain(id);
		}
	});

	it('picks the instance from a list searched with DescribeInstances, or by ID', () => {
		const instance = description.properties.find((p) => p.name === 'instanceId') as INodeProperties;
		expect(instance.type).toBe('resourceLocator');
		expect(instance.modes?.map((m) => m.name)).toEqual(['list', 'id']);
		expect(instance.modes?.[0].typeOptions?.searchListMethod).toBe('searchInstances');
		expect(typeof node.methods.listSearch.searchInstances).toBe('function');
		expect(INSTANCE_ID_PATTERN.test('crs-5a4py64p')).toBe(true);
		expect(INSTANCE_ID_PATTERN.test('r-bp1zxszhcgatnx1234')).toBe(false);
	});

	it('asks for the Task ID on both Backup Task operations', () => {
		for (const operation of ['get', 'waitUntilFinished']) {
			const taskId = description.properties.filter(
				(p) => p.name === 'taskId' && NodeHelpers.displayParameter({ resource: 'backupTask', operation }, p, version, description),
			);
			expect(taskId).toHaveLength(1);
			expect(taskId[0].required).toBe(true);
		}
		expect(tencentNode.jobIdsOf('1210000')).toEqual(['1210000']);
		expect(() => tencentNode.jobIdsOf('12,13')).toThrow(/Task ID/);
		expect(() => tencentNode.jobIdsOf('0')).toThrow(/Task ID/);
	});
});
