// The per-cloud packages: `scripts/build-packages.mjs` cuts one npm package per cloud out of this source tree,
// `scripts/lint-packages.mjs` lints each the way n8n's scanner and `n8n-node lint` do. This test runs both and
// checks the tarballs independently of the build script's own bookkeeping: the expected file list comes from a
// separate (regex) walk of the relative imports, the package.json contract from n8n's rules, and the node is
// loaded from the unpacked tarball with only what n8n provides at runtime (n8n-workflow, luxon) resolvable.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const BUILD_TIMEOUT_MS = 180_000;

interface CloudEntry {
	packageName: string;
	credentials?: string[];
	nodes: string[];
	icons: string[];
	owns?: string[];
}

interface LintLeg {
	files: number;
	errors: number;
	warnings: number;
	findings: Array<{ severity: string; rule: string; file: string; message: string }>;
}

interface LintReport {
	engine: string;
	errors: number;
	packages: Array<{
		cloud: string;
		name: string;
		errors: number;
		warnings: number;
		legs: Record<string, LintLeg>;
	}>;
}

interface LoadedPackage {
	nodes: Array<{
		file: string;
		exportName: string;
		className: string;
		descriptionName: string;
		credentials: string[];
	}>;
	credentials: Array<{ file: string; exportName: string; className: string; name: string }>;
}

/**
 * What each cloud's package must be, written out here rather than read from packaging/clouds.json: the manifest
 * must list exactly these clouds, and each package must load with this node and credential, ship these signers and
 * say these words in its keywords. `foreign` are names that belong to this cloud alone (its node type, credential
 * type, signer modules and API words): no other cloud's package may contain them, in a file path or in its code.
 */
const CLOUDS: Record<
	string,
	{
		packageName: string;
		nodeType: string;
		credentialType: string;
		signers: string[];
		keywords: string[];
		foreign: RegExp;
	}
> = {
	alibaba: {
		packageName: 'n8n-nodes-alibaba-cloud-redis-backup',
		nodeType: 'alibabaCloudRedis',
		credentialType: 'alibabaCloudApi',
		signers: ['nodes/signing/alibabaAcs3.ts', 'nodes/signing/alibabaEndpoints.ts'],
		keywords: ['redis', 'backup', 'alibaba-cloud', 'aliyun'],
		foreign:
			/alibabaCloudApi|alibabaCloudRedis|alibabaAcs3|alibabaEndpoints|AlibabaCloud|ACS3-HMAC|r-kvstore|aliyuncs/i,
	},
	tencent: {
		packageName: 'n8n-nodes-tencent-cloud-redis-backup',
		nodeType: 'tencentCloudRedis',
		credentialType: 'tencentCloudApi',
		signers: ['nodes/signing/tencentTc3.ts', 'nodes/signing/tencentLegacy.ts'],
		keywords: ['redis', 'backup', 'tencent-cloud', 'qcloud'],
		foreign:
			/tencentCloudApi|tencentCloudRedis|tencentTc3|tencentLegacy|TencentCloud|TC3-HMAC|tencentcloudapi|qcloud/i,
	},
	ucloud: {
		packageName: 'n8n-nodes-ucloud-redis-backup',
		nodeType: 'uCloudRedis',
		credentialType: 'uCloudApi',
		signers: ['nodes/signing/ucloud.ts'],
		keywords: ['redis', 'backup', 'ucloud', 'uredis'],
		// Not the bare word "ucloud": the shared model lists every provider's id ('alibaba', 'tencent', 'ucloud').
		foreign:
			/uCloudApi|uCloudRedis|signing\/ucloud|ucloud(\.dark)?\.svg|api\.ucloud\.cn|URedis|\bUFile\b|\bUS3\b/i,
	},
};

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
const toPosix = (p: string) => p.split(path.sep).join('/');

const rootPkg = readJson<{ name: string; version: string }>(path.join(ROOT, 'package.json'));
const manifest = readJson<{ clouds: Record<string, CloudEntry>; shared?: { files?: string[] } }>(
	path.join(ROOT, 'packaging', 'clouds.json'),
);
const clouds = manifest.clouds;

/**
 * What every cloud's package ships besides its own credential: the S3-compatible bucket credential of Backup → Copy
 * to Object Storage (with its icons), written out here too. It belongs to no cloud.
 */
const SHARED_CREDENTIAL = {
	file: 'credentials/S3CompatibleBucketApi.credentials.ts',
	type: 's3CompatibleBucketApi',
	icons: ['icons/s3Bucket.svg', 'icons/s3Bucket.dark.svg'],
};

function walk(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
		const full = path.join(dir, e.name);
		return e.isDirectory() ? walk(full) : [full];
	});
}

/** Relative imports by regex: an independent second opinion on the build script's TypeScript-based walk. */
const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function importClosure(entries: string[]): string[] {
	const seen = new Set<string>();
	const queue = [...entries];
	while (queue.length > 0) {
		const file = queue.shift() as string;
		if (seen.has(file)) continue;
		seen.add(file);
		const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
		for (const m of text.matchAll(IMPORT_RE)) {
			const base = path.resolve(path.dirname(path.join(ROOT, file)), m[1]);
			const hit = [`${base}.ts`, path.join(base, 'index.ts'), base].find(
				(c) => fs.existsSync(c) && fs.statSync(c).isFile(),
			);
			if (!hit) throw new Error(`${file}: cannot resolve ${m[1]}`);
			queue.push(toPosix(path.relative(ROOT, hit)));
		}
	}
	return [...seen].sort();
}

function nodeEntries(cloud: CloudEntry): string[] {
	return cloud.nodes.flatMap((folder) =>
		walk(path.join(ROOT, folder))
			.map((f) => toPosix(path.relative(ROOT, f)))
			.filter((f) => f.endsWith('.node.ts')),
	);
}

function expectedFiles(cloud: CloudEntry): string[] {
	const entries = [...(cloud.credentials ?? []), ...nodeEntries(cloud)];
	const files = new Set(['package.json', 'README.md', 'LICENSE']);
	for (const f of importClosure(entries)) {
		const base = `dist/${f.replace(/\.ts$/, '')}`;
		for (const ext of ['.js', '.d.ts', '.js.map']) files.add(base + ext);
	}
	for (const node of nodeEntries(cloud)) {
		const codex = node.replace(/\.ts$/, '.json');
		if (fs.existsSync(path.join(ROOT, codex))) files.add(`dist/${codex}`);
	}
	for (const icon of cloud.icons) files.add(`dist/${icon}`);
	return [...files].sort();
}

/** Files of other clouds (their node folders, credentials, icons, owned shared files), as they would ship. */
function otherCloudsDistFiles(id: string): Set<string> {
	const out = new Set<string>();
	for (const [otherId, other] of Object.entries(clouds)) {
		if (otherId === id) continue;
		const owned = [
			...(other.credentials ?? []),
			...other.icons,
			...(other.owns ?? []),
			...other.nodes.flatMap((folder) =>
				walk(path.join(ROOT, folder)).map((f) => toPosix(path.relative(ROOT, f))),
			),
		].filter((f) => f !== SHARED_CREDENTIAL.file && !SHARED_CREDENTIAL.icons.includes(f));
		for (const f of owned) {
			const base = `dist/${f.replace(/\.ts$/, '')}`;
			for (const candidate of [`dist/${f}`, `${base}.js`, `${base}.d.ts`, `${base}.js.map`])
				out.add(candidate);
		}
	}
	return out;
}

function tarballOf(name: string): string {
	return path.join(
		ROOT,
		'.build',
		'tarballs',
		`${name.replace(/^@/, '').replace('/', '-')}-${rootPkg.version}.tgz`,
	);
}

function tarList(tarball: string): string[] {
	return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
		.split('\n')
		.filter((l) => l && !l.endsWith('/'))
		.map((l) => l.replace(/^package\//, ''))
		.sort();
}

/**
 * Load every node and credential of the unpacked package in a fresh Node process, as n8n does
 * (`require(file)[<name up to the first dot>]`, then `new X()`), with NODE_PATH holding only what n8n provides.
 */
function loadInChild(pkgDir: string, n8nProvided: string): LoadedPackage {
	const script = `
		const path = require('path');
		const pkg = require(path.join(process.argv[1], 'package.json'));
		const load = (rel) => {
			const exportName = path.basename(rel).split('.')[0];
			const Cls = require(path.join(process.argv[1], rel))[exportName];
			if (typeof Cls !== 'function') throw new Error(rel + ' does not export a class named ' + exportName);
			return { file: rel, exportName, className: Cls.name, instance: new Cls() };
		};
		const nodes = (pkg.n8n.nodes || []).map((rel) => {
			const { instance, ...rest } = load(rel);
			return { ...rest, descriptionName: instance.description.name,
				credentials: (instance.description.credentials || []).map((c) => c.name) };
		});
		const credentials = (pkg.n8n.credentials || []).map((rel) => {
			const { instance, ...rest } = load(rel);
			return { ...rest, name: instance.name };
		});
		process.stdout.write(JSON.stringify({ nodes, credentials }));
	`;
	const out = execFileSync(process.execPath, ['-e', script, pkgDir], {
		encoding: 'utf8',
		cwd: pkgDir,
		env: { PATH: process.env.PATH ?? '', NODE_PATH: n8nProvided },
	});
	return JSON.parse(out) as LoadedPackage;
}

describe('per-cloud packages', () => {
	let lint: LintReport;
	let buildOutput = '';
	let lintOutput = '';
	let scratch = '';
	let n8nProvided = '';

	beforeAll(() => {
		// Jest sets NODE_ENV=test, which switches eslint-plugin-n8n-nodes-base into its self-test mode; the
		// scripts run as in a shell (lint-packages.mjs also unsets it itself).
		const env = { ...process.env };
		delete env.NODE_ENV;
		// The scratch folder first: when the build fails, nothing may be unpacked relative to the repository.
		scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'packages-test-'));
		buildOutput = execFileSync(
			process.execPath,
			[path.join(ROOT, 'scripts', 'build-packages.mjs')],
			{
				cwd: ROOT,
				encoding: 'utf8',
				env,
			},
		);
		const reportFile = path.join(scratch, 'lint.json');
		try {
			lintOutput = execFileSync(
				process.execPath,
				[path.join(ROOT, 'scripts', 'lint-packages.mjs'), '--json', reportFile],
				{ cwd: ROOT, encoding: 'utf8', env },
			);
		} catch (error) {
			// Non-zero exit on lint errors: keep the report, the assertions below say what failed.
			lintOutput = String((error as { stdout?: string }).stdout ?? error);
		}
		lint = readJson<LintReport>(reportFile);

		// What n8n puts on NODE_PATH for community packages, reduced to what our nodes may use.
		n8nProvided = path.join(scratch, 'n8n-provided');
		fs.mkdirSync(n8nProvided);
		for (const m of ['n8n-workflow', 'luxon']) {
			fs.symlinkSync(path.join(ROOT, 'node_modules', m), path.join(n8nProvided, m), 'dir');
		}
	}, BUILD_TIMEOUT_MS);

	afterAll(() => {
		if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
	});

	it('the manifest lists exactly the expected clouds, each with its n8n package name', () => {
		expect(Object.keys(clouds).sort()).toEqual(Object.keys(CLOUDS).sort());
		for (const [id, cloud] of Object.entries(clouds)) {
			expect(cloud.packageName).toMatch(/^(@[a-z0-9-]+\/)?n8n-nodes-/);
			expect(cloud.packageName).toBe(CLOUDS[id]?.packageName);
		}
		expect(buildOutput).toMatch(new RegExp(`built ${Object.keys(CLOUDS).length} package`));
	});

	it('the shared files are exactly the bucket credential and its icons', () => {
		expect([...(manifest.shared?.files ?? [])].sort()).toEqual(
			[SHARED_CREDENTIAL.file, ...SHARED_CREDENTIAL.icons].sort(),
		);
	});

	it("every node and credential of the pack is in exactly one cloud's package (the bucket credential in all)", () => {
		const pack = readJson<{ n8n: { nodes: string[]; credentials: string[] } }>(
			path.join(ROOT, 'package.json'),
		).n8n;
		const shared = `dist/${SHARED_CREDENTIAL.file.replace(/\.ts$/, '.js')}`;
		const owners = (distFile: string) =>
			Object.entries(clouds)
				.filter(([, cloud]) =>
					[...(cloud.credentials ?? []), ...nodeEntries(cloud)].some(
						(f) => `dist/${f.replace(/\.ts$/, '.js')}` === distFile,
					),
				)
				.map(([id]) => id);
		for (const f of [...pack.nodes, ...pack.credentials])
			expect([f, owners(f).length]).toEqual([f, f === shared ? Object.keys(clouds).length : 1]);
	});

	describe.each(Object.entries(clouds))('%s', (id, cloud) => {
		const tarball = tarballOf(cloud.packageName);
		let files: string[];
		let unpacked: string;
		let pkg: Record<string, unknown> & {
			n8n: { n8nNodesApiVersion: number; strict: boolean; nodes: string[]; credentials?: string[] };
		};

		beforeAll(() => {
			if (!buildOutput) throw new Error('build-packages.mjs did not run: nothing to unpack');
			files = tarList(tarball);
			unpacked = path.join(scratch, cloud.packageName);
			fs.mkdirSync(unpacked, { recursive: true });
			execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
			pkg = readJson(path.join(unpacked, 'package.json'));
		});

		it('ships exactly its node, credential, codex, icons and the shared modules they import', () => {
			expect(files).toEqual(expectedFiles(cloud));
			expect(
				files.filter((f) =>
					/(^|\/)(test|tests|__tests__|emulator|bench|examples|scripts)\//.test(f),
				),
			).toEqual([]);
			expect(files.filter((f) => /\.(test|spec)\.|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual(
				[],
			);
			const foreign = otherCloudsDistFiles(id);
			expect(files.filter((f) => foreign.has(f))).toEqual([]);
			// Its own signers are in, and nothing named after another cloud (independently of the manifest's lists).
			for (const signer of CLOUDS[id].signers) {
				expect(files).toContain(`dist/${signer.replace(/\.ts$/, '.js')}`);
			}
			for (const [otherId, other] of Object.entries(CLOUDS)) {
				if (otherId === id) continue;
				expect([otherId, files.filter((f) => other.foreign.test(f))]).toEqual([otherId, []]);
			}
			// Shared code comes in only when imported: every shipped common/signing module is in the closure.
			const entries = [...(cloud.credentials ?? []), ...nodeEntries(cloud)];
			const closure = new Set(importClosure(entries));
			for (const f of files.filter((x) => /^dist\/nodes\/(common|signing)\/.*\.js$/.test(x))) {
				expect(closure).toContain(f.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
			}
		});

		it("contains no other cloud's node, credential, signer or API names in its code", () => {
			const code = files.filter((f) => /\.(js|json)$/.test(f) && f !== 'package.json');
			for (const [otherId, other] of Object.entries(CLOUDS)) {
				if (otherId === id) continue;
				const hits = code.filter((f) =>
					other.foreign.test(fs.readFileSync(path.join(unpacked, f), 'utf8')),
				);
				expect([otherId, hits]).toEqual([otherId, []]);
			}
		});

		it('has a package.json that meets the community-package contract', () => {
			expect(pkg.name).toBe(cloud.packageName);
			expect(pkg.keywords).toEqual(expect.arrayContaining(CLOUDS[id].keywords));
			expect(pkg.name).toMatch(/^(@[a-z0-9-]+\/)?n8n-nodes-[a-z0-9-]+$/);
			expect(pkg.version).toBe(rootPkg.version);
			expect(pkg.license).toBe('MIT');
			expect(typeof pkg.description).toBe('string');
			expect(pkg.keywords).toContain('n8n-community-node-package');
			expect(
				pkg.dependencies === undefined || Object.keys(pkg.dependencies as object).length === 0,
			).toBe(true);
			expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
			expect(pkg.files).toEqual(['dist']);
			expect(pkg.overrides).toBeUndefined();
			expect(pkg.type).toBeUndefined();
			const lifecycle = [
				'preinstall',
				'install',
				'postinstall',
				'prepare',
				'prepublish',
				'prepack',
				'postpack',
				'preuninstall',
				'uninstall',
				'postuninstall',
			];
			expect(
				Object.keys((pkg.scripts as object | undefined) ?? {}).filter((s) => lifecycle.includes(s)),
			).toEqual([]);
			expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
			expect(pkg.n8n.strict).toBe(true);
			expect(pkg.n8n.nodes.length).toBeGreaterThan(0);
			for (const p of [...pkg.n8n.nodes, ...(pkg.n8n.credentials ?? [])]) {
				expect(p).toMatch(/^dist\/.*\.js$/);
				expect(files).toContain(p);
			}
			expect(fs.readFileSync(path.join(unpacked, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
		});

		it('loads in a bare Node process as n8n loads it, with only n8n-workflow and luxon available', () => {
			const loaded = loadInChild(unpacked, n8nProvided);
			expect(loaded.nodes).toHaveLength(pkg.n8n.nodes.length);
			const credentialNames = loaded.credentials.map((c) => c.name);
			for (const node of loaded.nodes) {
				expect(node.className).toBe(node.exportName);
				const codexFile = path.join(unpacked, node.file.replace(/\.js$/, '.json'));
				const codex = readJson<{ node: string }>(codexFile);
				expect(codex.node).toBe(`${cloud.packageName}.${node.descriptionName}`);
				// The node's credentials are in this package (no credential of another package, no other cloud).
				for (const c of node.credentials) expect(credentialNames).toContain(c);
			}
			for (const credential of loaded.credentials)
				expect(credential.className).toBe(credential.exportName);
			// The cloud's node and its backup trigger.
			expect(loaded.nodes.map((n) => n.descriptionName).sort()).toEqual([
				CLOUDS[id].nodeType,
				`${CLOUDS[id].nodeType}Trigger`,
			]);
			expect(credentialNames).toEqual([CLOUDS[id].credentialType, SHARED_CREDENTIAL.type]);
			// The node: its cloud's credential, and the bucket's for Copy to Object Storage; the trigger: its cloud's.
			for (const node of loaded.nodes) {
				expect(node.credentials).toEqual(
					node.descriptionName.endsWith('Trigger')
						? [CLOUDS[id].credentialType]
						: [CLOUDS[id].credentialType, SHARED_CREDENTIAL.type],
				);
			}
		});

		it('passes the scanner lint (source and tarball), n8n-node lint and its strict check with 0 errors', () => {
			const report = lint.packages.find((p) => p.cloud === id);
			expect(report).toBeDefined();
			const errors = Object.entries(report?.legs ?? {}).flatMap(([leg, r]) =>
				r.findings
					.filter((f) => f.severity === 'error')
					.map((f) => `${leg}: ${f.file} ${f.rule} ${f.message}`),
			);
			expect({ errors, output: errors.length ? lintOutput : '' }).toEqual({
				errors: [],
				output: '',
			});
			expect(Object.keys(report?.legs ?? {}).sort()).toEqual([
				'node-cli',
				'source',
				'strict',
				'tarball',
			]);
			for (const leg of ['source', 'tarball', 'node-cli'])
				expect(report?.legs[leg].files).toBeGreaterThan(1);
		});
	});
});
