/**
 * common/binaryStore.ts: how a node tells n8n's binary data mode (the ID of an empty probe it stores) and what that
 * mode can hold, without `process.env` (refused in node code by n8n's lint and scanner).
 */
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import {
	binaryStoreLimit,
	binaryStoreOf,
	DATABASE_MODE_DEFAULT_MAX_MIB,
	limitOfMode,
	MEMORY_MODE_MAX_BYTES,
	modeOfBinaryId,
	STORE_CHECK_MIN_BYTES,
} from '../../nodes/common/binaryStore';

const MIB = 1024 * 1024;

function contextWith(
	id: string | undefined | Error,
	env: () => unknown = () => {
		throw new Error('access to env vars denied');
	},
) {
	const probes: Array<{ size: number; fileName?: string }> = [];
	const context = {
		helpers: {
			prepareBinaryData: async (body: Buffer, fileName?: string): Promise<IBinaryData> => {
				probes.push({ size: body.length, fileName });
				if (id instanceof Error) throw id;
				return { id, data: id?.split(':')[0] ?? '', mimeType: 'application/octet-stream' } as IBinaryData;
			},
		},
		evaluateExpression: (expression: string) => {
			expect(expression).toBe('{{ $env.N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE }}');
			return env();
		},
	} as unknown as IExecuteFunctions;
	return { context, probes };
}

describe('modeOfBinaryId', () => {
	it.each([
		['filesystem-v2:workflows/1/executions/2/binary_data/abc', 'filesystem'],
		['filesystem:abc', 'filesystem'],
		['database:0b7c', 'database'],
		['s3:workflows/1/x', 's3'],
		['azure:x', 'azure'],
		[undefined, 'default'],
		['', 'default'],
		['no-colon', 'unknown'],
	])('%p -> %s', (id, mode) => {
		expect(modeOfBinaryId(id)).toBe(mode);
	});
});

describe('limitOfMode', () => {
	it('database: n8n\'s default 512 MiB unless the instance\'s value is known', () => {
		expect(limitOfMode('database')?.bytes).toBe(512 * MIB);
		expect(limitOfMode('database')?.store).toMatch(/n8n's default: the node cannot read/);
		expect(limitOfMode('database', 100)).toMatchObject({ bytes: 100 * MIB, store: expect.stringMatching(/= 100\)$/) });
		expect(limitOfMode('database')?.hint).toMatch(/Copy to Object Storage.*filesystem.*Max File Size/s);
	});

	it('in-memory ("default"): the longest base64 string Node can hold, about 384 MiB of file', () => {
		expect(MEMORY_MODE_MAX_BYTES).toBe(402_653_166);
		expect(Math.ceil(MEMORY_MODE_MAX_BYTES / 3) * 4).toBeLessThanOrEqual(2 ** 29 - 24);
		expect(limitOfMode('default')?.bytes).toBe(MEMORY_MODE_MAX_BYTES);
	});

	it('filesystem, s3 and azure have no limit of their own', () => {
		for (const mode of ['filesystem', 's3', 'azure', 'unknown']) expect(limitOfMode(mode)).toBeNull();
	});
});

describe('binaryStoreOf', () => {
	it('probes once per node run with an empty file, and reads the mode from its ID', async () => {
		const { context, probes } = contextWith('database:1');
		const first = await binaryStoreOf(context, 0);
		const second = await binaryStoreOf(context, 3);
		expect(first).toEqual({ mode: 'database', limit: expect.objectContaining({ bytes: DATABASE_MODE_DEFAULT_MAX_MIB * MIB }) });
		expect(second).toBe(first);
		expect(probes).toEqual([{ size: 0, fileName: 'binary-mode-probe' }]);
	});

	it('reads N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE through $env where allowed; anything else falls back to 512', async () => {
		for (const [value, mib] of [
			['20', 20],
			[1024, 1024],
			['1025', 512],
			['', 512],
			[undefined, 512],
			['12abc', 512],
			['0', 512],
		] as const) {
			const { context } = contextWith('database:1', () => value);
			expect((await binaryStoreOf(context, 0))?.limit?.bytes).toBe(mib * MIB);
		}
	});

	it('filesystem mode: no limit, $env never read', async () => {
		const { context } = contextWith('filesystem-v2:x', () => {
			throw new Error('must not be read');
		});
		expect(await binaryStoreOf(context, 0)).toEqual({ mode: 'filesystem', limit: null });
	});

	it('a probe that fails: unknown, nothing refused in advance', async () => {
		const { context } = contextWith(new Error('database is down'));
		expect(await binaryStoreOf(context, 0)).toBeNull();
		expect(await binaryStoreLimit(context, 0)(600 * MIB)).toBeNull();
	});
});

describe('binaryStoreLimit', () => {
	it('does not probe for files up to STORE_CHECK_MIN_BYTES', async () => {
		const { context, probes } = contextWith('database:1');
		const limit = binaryStoreLimit(context, 0);
		expect(await limit(STORE_CHECK_MIN_BYTES)).toBeNull();
		expect(probes).toEqual([]);
		expect((await limit(STORE_CHECK_MIN_BYTES + 1))?.bytes).toBe(512 * MIB);
		expect(probes).toHaveLength(1);
	});
});
