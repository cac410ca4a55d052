/**
 * What the UCloud node panel shows and how it is registered: one resource (Backup) with Wait Until Finished among its
 * operations (URedis has no task API), the region and zone lists, the group locator, Backup Name checked as UCloud
 * documents it, no options that do not apply to UCloud (Search Back, retention, API), the codex, the icons and the
 * package's n8n section.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NodeHelpers, type INodeProperties } from 'n8n-workflow';

import { UCloudApi } from '../../credentials/UCloudApi.credentials';
import { InputError } from '../../nodes/common/input';
import * as backup from '../../nodes/UCloudRedis/actions/backup/Backup.resource';
import {
	BACKUP_NAME_PATTERN,
	INSTANCE_ID_PATTERN,
	UCLOUD_REGIONS,
	UCLOUD_ZONES,
	backupNameOf,
	ucloudNode,
} from '../../nodes/UCloudRedis/actions/shared';
import { resolveZone } from '../../nodes/UCloudRedis/transport/connect';
import { UCloudRedis } from '../../nodes/UCloudRedis/UCloudRedis.node';

const node = new UCloudRedis();
const { description } = node;
const root = path.join(__dirname, '..', '..');
const version = { typeVersion: 1 };

function shown(resource: string, operation: string, extra: Record<string, unknown> = {}): string[] {
	return description.properties
		.filter((p) => NodeHelpers.displayParameter({ resource, operation, ...extra }, p, version, description))
		.map((p) => p.name);
}

function shownOptions(resource: string, operation: string): string[] {
	const collections = description.properties.filter(
		(p) => p.name === 'options' && NodeHelpers.displayParameter({ resource, operation }, p, version, description),
	);
	return collections.flatMap((c) => (c.options as INodeProperties[]).map((o) => o.name));
}

describe('UCloud Redis Backup node', () => {
	it('is named, typed and registered as the issue asks', () => {
		expect(description.displayName).toBe('UCloud Redis Backup');
		expect(description.name).toBe('uCloudRedis');
		expect(description.credentials).toEqual([
			{ name: 'uCloudApi', required: true },
			{ name: 's3CompatibleBucketApi', required: true, displayOptions: { show: { resource: ['backup'], operation: ['copyToObjectStorage'] } } },
		]);
		expect(new UCloudApi().name).toBe('uCloudApi');
		const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
		expect(pkg.n8n.nodes).toContain('dist/nodes/UCloudRedis/UCloudRedis.node.js');
		expect(pkg.n8n.credentials).toContain('dist/credentials/UCloudApi.credentials.js');
		const codex = JSON.parse(readFileSync(path.join(root, 'nodes/UCloudRedis/UCloudRedis.node.json'), 'utf8')) as {
			node: string;
			resources: { primaryDocumentation: Array<{ url: string }> };
		};
		expect(codex.node).toBe('n8n-nodes-cloud-redis-backups.uCloudRedis');
		expect(codex.resources.primaryDocumentation[0].url).toMatch(/#ucloud-redis-backup-node$/);
	});

	it('has light and dark icons of its own, on the node and the credential', () => {
		const icons = [description.icon, new UCloudApi().icon] as Array<{ light: string; dark: string }>;
		for (const icon of icons) {
			expect(icon.light).not.toBe(icon.dark);
			for (const file of [icon.light, icon.dark]) {
				const name = path.basename(file.replace(/^file:/, ''));
				expect(name).toMatch(/^ucloud(\.dark)?\.svg$/);
				const svg = readFileSync(path.join(root, 'icons', name), 'utf8');
				expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 64 64"/);
			}
		}
		expect(existsSync(path.join(root, 'icons/ucloud.dark.svg'))).toBe(true);
	});

	it('has one resource, Backup, whose every operation is wired to a module with a description and an execute', () => {
		const resource = description.properties.find((p) => p.name === 'resource') as INodeProperties;
		expect((resource.options as Array<{ value: string }>).map((o) => o.value)).toEqual(['backup']);
		const selector = backup.description.find((p) => p.name === 'operation') as INodeProperties;
		const values = (selector.options as Array<{ value: string }>).map((o) => o.value);
		expect(values).toEqual(['copyToObjectStorage', 'create', 'download', 'get', 'getDownloadUrl', 'list', 'verify', 'waitUntilFinished']);
		for (const value of values) {
			const op = (backup as unknown as Record<string, { execute?: unknown; description?: unknown }>)[value];
			expect(typeof op.execute).toBe('function');
			expect(Array.isArray(op.description)).toBe(true);
		}
		expect(typeof backup.create.prepare).toBe('function');
		expect(typeof backup.create.describeDone).toBe('function');
	});

	it.each([
		['list', ['instanceId', 'region', 'startTime', 'endTime', 'statuses', 'returnAll', 'limit', 'options']],
		['get', ['instanceId', 'region', 'backupId', 'options']],
		['create', ['instanceId', 'region', 'zone', 'backupName', 'options']],
		['getDownloadUrl', ['instanceId', 'region', 'zone', 'backupId', 'options']],
		['download', ['instanceId', 'region', 'zone', 'backupId', 'urlType', 'binaryPropertyName', 'options']],
		['verify', ['instanceId', 'region', 'zone', 'backupId', 'urlType', 'options']],
		['waitUntilFinished', ['instanceId', 'region', 'backupId', 'options']],
	])('Backup → %s shows %p', (operation, names) => {
		expect(shown('backup', operation, { returnAll: false }).sort()).toEqual(['resource', 'operation', ...names].sort());
	});

	it('offers no option UCloud has no use for: Search Back, retention, remark, API', () => {
		for (const operation of ['list', 'get', 'create', 'getDownloadUrl', 'download', 'verify', 'waitUntilFinished']) {
			const options = shownOptions('backup', operation);
			for (const absent of ['searchDays', 'retentionDays', 'remark', 'api']) expect(options).not.toContain(absent);
		}
		expect(shownOptions('backup', 'create')).toEqual(['requestTimeoutSeconds']);
		expect(shownOptions('backup', 'waitUntilFinished')).toEqual([
			'backoff',
			'includeBackup',
			'maxPollIntervalSeconds',
			'maxWaitMinutes',
			'pollIntervalSeconds',
			'requestTimeoutSeconds',
		]);
		expect(ucloudNode.pageSizes).toEqual([100, 50, 20, 10]);
	});

	it('Backup Name defaults to a valid name by expression and is checked as UCloud documents (6-63 of A-Z a-z 0-9 - _)', () => {
		const name = description.properties.find((p) => p.name === 'backupName') as INodeProperties;
		expect(name.required).toBe(true);
		expect(String(name.default)).toMatch(/^=\{\{.*\$now.*\}\}$/);
		for (const ok of ['n8n-20261120-030000', 'abcdef', 'a'.repeat(63), 'Backup_2026-11']) {
			expect(BACKUP_NAME_PATTERN.test(ok)).toBe(true);
			expect(backupNameOf(ok)).toBe(ok);
		}
		for (const bad of ['abcde', 'a'.repeat(64), 'has space', 'dot.name', '备份备份备份', '']) {
			expect(() => backupNameOf(bad)).toThrow(InputError);
		}
		expect(() => backupNameOf('short')).toThrow(/Backup Name "short" is not valid/);
	});

	it('Wait Until Finished reads the Backup ID: the job is the backup', () => {
		expect(ucloudNode.jobIdParameter).toBe('backupId');
		expect(ucloudNode.jobIdsOf('24149c99-4df6-4b5a-99b4-8ab1ca2d7aaa')).toEqual(['24149c99-4df6-4b5a-99b4-8ab1ca2d7aaa']);
		expect(() => ucloudNode.jobIdsOf('')).toThrow(/Backup ID is empty/);
		expect(() => ucloudNode.jobIdsOf('a,b')).toThrow(/Backup ID "a,b" is not valid/);
	});

	it("offers UCloud's regions (the credential's by default) and zones as lists, expressions allowed", () => {
		const region = description.properties.find((p) => p.name === 'region') as INodeProperties;
		expect(region).toMatchObject({ type: 'options', default: '' });
		expect(region.noDataExpression).toBeUndefined();
		const values = (region.options as Array<{ value: string }>).map((o) => o.value);
		expect(values[0]).toBe('');
		for (const id of ['cn-bj2', 'cn-sh2', 'cn-gd', 'hk', 'sg', 'us-ca', 'jpn-tky', 'ge-fra']) expect(values).toContain(id);
		const names = UCLOUD_REGIONS.map((r) => r.name);
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
		const zone = description.properties.find((p) => p.name === 'zone') as INodeProperties;
		expect(zone).toMatchObject({ type: 'options', default: '' });
		expect(zone.noDataExpression).toBeUndefined();
		// Every zone belongs to a listed region.
		for (const id of UCLOUD_ZONES) expect(UCLOUD_REGIONS.some((r) => id.startsWith(`${r.value}-`))).toBe(true);
	});

	it('checks a Zone against its Region', () => {
		expect(resolveZone('', 'cn-bj2')).toBeUndefined();
		expect(resolveZone(' cn-bj2-02 ', 'cn-bj2')).toBe('cn-bj2-02');
		expect(resolveZone('hk-01', 'hk')).toBe('hk-01');
		expect(() => resolveZone('cn-sh2-01', 'cn-bj2')).toThrow('Zone "cn-sh2-01" is not a zone of region cn-bj2');
		expect(() => resolveZone('cn-bj2', 'cn-bj2')).toThrow(/Zone "cn-bj2" is not valid/);
		expect(() => resolveZone(['cn-bj2-02'], 'cn-bj2')).toThrow(/Zone must be text/);
	});

	it('picks the instance (group) from a list searched with DescribeURedisGroup, or by ID', () => {
		const instance = description.properties.find((p) => p.name === 'instanceId') as INodeProperties;
		expect(instance.type).toBe('resourceLocator');
		expect(instance.modes?.map((m) => m.name)).toEqual(['list', 'id']);
		expect(instance.modes?.[0].typeOptions?.searchListMethod).toBe('searchInstances');
		expect(typeof node.methods.listSearch.searchInstances).toBe('function');
		expect(INSTANCE_ID_PATTERN.test('uredis-2cwmyb')).toBe(true);
		expect(INSTANCE_ID_PATTERN.test('crs-5a4py64p')).toBe(false);
		expect(INSTANCE_ID_PATTERN.test('umem-abcd')).toBe(false);
	});
});
