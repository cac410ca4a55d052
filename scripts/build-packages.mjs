#!/usr/bin/env node
// Cut one publishable n8n community package per cloud out of this one source tree.
//
//   node scripts/build-packages.mjs [--cloud <id>]...
//
// For each cloud in packaging/clouds.json:
//   .build/packages/<name>/           copied sources (same relative layout), package.json, tsconfig.json,
//                                    eslint.config.mjs, README.md, LICENSE, and dist/ (compiled)
//   .build/tarballs/<name>-<version>.tgz   `npm pack` of it
//
// What goes in: the cloud's credential files and the *.node.ts files of its node folders (the entries), every
// file they reach through relative imports (this is how nodes/common and nodes/signing get in: only what is
// imported), each node's codex (<Name>.node.json) and __schema__ files, and the icons the files reference with
// 'file:...'. Files are COPIED, never edited, with one exception: the codex's "node" field names the package, so
// it is rewritten from the root package name to the cloud's package name.
//
// Only Node's own modules and the root's installed `typescript` and `@n8n/node-cli` (for its templates) are used.
// The package folders live inside the repository (.build/, a dot folder so that n8n-node build's icon copy skips it), so `tsc` and ESLint find the root node_modules by
// Node's usual walk up the directory tree; the packages need no node_modules of their own.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MANIFEST_PATH = path.join(ROOT, 'packaging', 'clouds.json');
export const BUILD_DIR = path.join(ROOT, '.build');
export const PACKAGES_DIR = path.join(BUILD_DIR, 'packages');
export const TARBALLS_DIR = path.join(BUILD_DIR, 'tarballs');

const requireFromRoot = createRequire(path.join(ROOT, 'package.json'));
// @n8n/node-cli exports only './eslint' (dist/configs/eslint.js); its templates sit next to it in dist/.
const NODE_CLI_DIST = path.resolve(
	path.dirname(requireFromRoot.resolve('@n8n/node-cli/eslint')),
	'..',
);
export const TEMPLATE_TSCONFIG = path.join(
	NODE_CLI_DIST,
	'template/templates/programmatic/example/template/tsconfig.json',
);
export const TEMPLATE_ESLINT_CONFIG = path.join(
	NODE_CLI_DIST,
	'template/templates/shared/default/eslint.config.mjs',
);

/** Bare imports n8n provides at runtime (the community lint's allow-list, `no-restricted-imports`). */
const RUNTIME_PROVIDED = new Set([
	'n8n-workflow',
	'lodash',
	'moment',
	'p-limit',
	'luxon',
	'zod',
	'crypto',
	'node:crypto',
	'@n8n/ai-node-sdk',
]);
/** Folders a package's code may come from; anything else (test/, emulator/, scripts/...) never ships. */
const SOURCE_ROOTS = ['credentials/', 'nodes/'];
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?n8n-nodes-[a-z0-9][a-z0-9._~-]*$/;

class BuildError extends Error {}
const fail = (message) => {
	throw new BuildError(message);
};

const toPosix = (p) => p.split(path.sep).join('/');
const rel = (abs) => toPosix(path.relative(ROOT, abs));
const abs = (relPath) => path.join(ROOT, ...relPath.split('/'));
const isFile = (p) => fs.existsSync(p) && fs.statSync(p).isFile();
const readJson = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));

function walk(dir) {
	const out = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) out.push(...walk(full));
		else if (entry.isFile()) out.push(full);
	}
	return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Manifest

export function loadManifest() {
	const manifest = readJson(MANIFEST_PATH);
	const clouds = manifest.clouds ?? fail(`${rel(MANIFEST_PATH)}: no "clouds"`);
	const names = new Set();
	for (const [id, cloud] of Object.entries(clouds)) {
		const where = `${rel(MANIFEST_PATH)} clouds.${id}`;
		for (const key of ['packageName', 'description', 'keywords', 'nodes', 'icons']) {
			if (cloud[key] === undefined) fail(`${where}: "${key}" is missing`);
		}
		if (!PACKAGE_NAME.test(cloud.packageName))
			fail(`${where}: package name must be n8n-nodes-* or @scope/n8n-nodes-*`);
		if (names.has(cloud.packageName))
			fail(`${where}: package name ${cloud.packageName} used twice`);
		names.add(cloud.packageName);
		if (!cloud.description.trim()) fail(`${where}: empty description`);
		cloud.credentials ??= [];
		cloud.owns ??= [];
		for (const key of ['credentials', 'icons', 'owns']) {
			for (const f of cloud[key]) if (!isFile(abs(f))) fail(`${where}.${key}: ${f} does not exist`);
		}
		for (const folder of cloud.nodes) {
			if (!fs.existsSync(abs(folder)) || !fs.statSync(abs(folder)).isDirectory())
				fail(`${where}.nodes: ${folder} is not a folder`);
		}
	}
	manifest.shared ??= {};
	manifest.shared.files ??= [];
	for (const f of manifest.shared.files) {
		if (!isFile(abs(f))) fail(`${rel(MANIFEST_PATH)} shared.files: ${f} does not exist`);
	}
	return manifest;
}

/**
 * The source files a cloud owns outright: no other cloud's package may contain any of them. Files of the manifest's
 * `shared.files` (the bucket credential every cloud's node uses) belong to no cloud.
 */
function ownedFiles(cloud, shared = new Set()) {
	const owned = new Set([...cloud.credentials, ...cloud.icons, ...cloud.owns]);
	for (const folder of cloud.nodes) for (const f of walk(abs(folder))) owned.add(rel(f));
	for (const f of shared) owned.delete(f);
	return owned;
}

// ---------------------------------------------------------------------------------------------------------------
// Import closure

let ts;
function typescript() {
	ts ??= requireFromRoot('typescript');
	return ts;
}

function resolveRelative(fromFile, specifier) {
	const base = path.resolve(path.dirname(abs(fromFile)), specifier);
	const candidates = [
		base,
		`${base}.ts`,
		base.replace(/\.js$/, '.ts'),
		path.join(base, 'index.ts'),
	];
	const hit = candidates.find((c) => isFile(c) && !c.endsWith('.d.ts'));
	if (!hit) fail(`${fromFile}: cannot resolve import '${specifier}'`);
	return rel(hit);
}

/** Relative imports of one file (import, import type, export ... from, import(), require()) and its bare imports. */
function importsOf(file) {
	if (!file.endsWith('.ts')) return { relative: [], bare: [] };
	const text = fs.readFileSync(abs(file), 'utf8');
	const specs = typescript()
		.preProcessFile(text, true, true)
		.importedFiles.map((f) => f.fileName);
	return {
		relative: specs
			.filter((s) => s.startsWith('./') || s.startsWith('../'))
			.map((s) => resolveRelative(file, s)),
		bare: specs.filter((s) => !s.startsWith('.')),
	};
}

const ICON_REF = /["'`]file:([^"'`]+)["'`]/g;

/** Icons referenced with 'file:...' from a source file or codex, as repository paths. */
function iconRefsOf(file) {
	const text = fs.readFileSync(abs(file), 'utf8');
	const refs = [];
	for (const m of text.matchAll(ICON_REF)) {
		const target = path.resolve(path.dirname(abs(file)), m[1]);
		if (!isFile(target)) fail(`${file}: icon 'file:${m[1]}' does not exist`);
		refs.push(rel(target));
	}
	return refs;
}

/**
 * Everything a cloud's package contains, as repository-relative paths:
 * sources (closure of the entries), codex and schema JSON, icons, plus what the build needs to know.
 */
export function planCloud(id, manifest) {
	const cloud = manifest.clouds[id];
	const nodeEntries = cloud.nodes.flatMap((folder) =>
		walk(abs(folder))
			.map(rel)
			.filter((f) => f.endsWith('.node.ts'))
			.sort(),
	);
	if (nodeEntries.length === 0) fail(`clouds.${id}: no *.node.ts in ${cloud.nodes.join(', ')}`);
	const entries = [...cloud.credentials, ...nodeEntries];

	const sources = new Set();
	const bareImports = new Map(); // module -> first file importing it
	const queue = [...entries];
	let importsPackageJson = false;
	while (queue.length > 0) {
		const file = queue.shift();
		if (sources.has(file)) continue;
		if (file === 'package.json') {
			// The package's own package.json (tsc emits it into dist/ because the template includes it).
			importsPackageJson = true;
			continue;
		}
		if (!SOURCE_ROOTS.some((r) => file.startsWith(r)))
			fail(
				`clouds.${id}: ${file} is imported by the package but lies outside ${SOURCE_ROOTS.join(', ')}`,
			);
		sources.add(file);
		const { relative, bare } = importsOf(file);
		queue.push(...relative);
		for (const b of bare) if (!bareImports.has(b)) bareImports.set(b, file);
	}

	const anchors = readmeAnchors();
	for (const [what, anchor] of Object.entries(cloud.readmeSections ?? {})) {
		if (!anchors.has(anchor))
			fail(`clouds.${id}.readmeSections.${what}: README.md has no heading #${anchor}`);
	}

	const notProvided = [...bareImports].filter(([m]) => !RUNTIME_PROVIDED.has(moduleName(m)));
	if (notProvided.length > 0) {
		fail(
			`clouds.${id}: imports that n8n does not provide at runtime (a package may have no dependencies): ` +
				notProvided.map(([m, f]) => `'${m}' in ${f}`).join(', '),
		);
	}

	const codex = [];
	const schemas = [];
	for (const entry of nodeEntries) {
		const codexFile = entry.replace(/\.ts$/, '.json');
		if (isFile(abs(codexFile))) codex.push(codexFile);
	}
	for (const folder of cloud.nodes) {
		for (const f of walk(abs(folder)).map(rel)) {
			if (/\/__schema__\/.*\.json$/.test(f)) schemas.push(f);
		}
	}

	const referencedIcons = new Set([...sources, ...codex].flatMap(iconRefsOf));
	const listed = new Set(cloud.icons);
	const unlisted = [...referencedIcons].filter((i) => !listed.has(i));
	const unused = [...listed].filter((i) => !referencedIcons.has(i));
	if (unlisted.length > 0)
		fail(`clouds.${id}: icons referenced but not listed in "icons": ${unlisted.join(', ')}`);
	if (unused.length > 0)
		fail(
			`clouds.${id}: icons listed but referenced by no node or credential: ${unused.join(', ')}`,
		);

	const files = [...sources, ...codex, ...schemas, ...cloud.icons].sort();

	// A package must never contain another cloud's code.
	const shared = new Set(manifest.shared?.files ?? []);
	for (const [otherId, other] of Object.entries(manifest.clouds)) {
		if (otherId === id) continue;
		const owned = ownedFiles(other, shared);
		const leaked = files.filter((f) => owned.has(f));
		if (leaked.length > 0)
			fail(`clouds.${id}: would contain files of cloud "${otherId}": ${leaked.join(', ')}`);
	}

	return {
		id,
		cloud,
		nodeEntries,
		credentialEntries: [...cloud.credentials],
		sources: [...sources].sort(),
		codex,
		schemas,
		icons: [...cloud.icons].sort(),
		files,
		bareImports: [...bareImports.keys()].sort(),
		importsPackageJson,
	};
}

function moduleName(specifier) {
	return specifier.startsWith('@')
		? specifier.split('/').slice(0, 2).join('/')
		: specifier.split('/')[0];
}

/** The files `npm pack` must ship for a plan: nothing more, nothing less. */
export function expectedTarballFiles(plan) {
	const files = new Set(['package.json', 'README.md', 'LICENSE']);
	for (const f of plan.sources) {
		if (f.endsWith('.json')) {
			files.add(`dist/${f}`);
			continue;
		}
		const base = `dist/${f.replace(/\.ts$/, '')}`;
		for (const ext of ['.js', '.d.ts', '.js.map']) files.add(base + ext);
	}
	for (const f of [...plan.codex, ...plan.schemas, ...plan.icons]) files.add(`dist/${f}`);
	if (plan.importsPackageJson) files.add('dist/package.json');
	return [...files].sort();
}

// ---------------------------------------------------------------------------------------------------------------
// Package files

export function packageJsonFor(plan, rootPkg) {
	const { cloud } = plan;
	const repoUrl =
		typeof rootPkg.repository === 'string' ? rootPkg.repository : rootPkg.repository?.url;
	const webUrl = (repoUrl ?? '').replace(/^git\+/, '').replace(/\.git$/, '');
	const keywords = [...new Set(['n8n-community-node-package', ...cloud.keywords])];
	const devDependencies = {};
	const rootDev = rootPkg.devDependencies ?? {};
	const wantDev = ['@n8n/node-cli', 'eslint', 'typescript'];
	for (const m of plan.bareImports.map(moduleName)) {
		if (m === 'crypto' || m.startsWith('node:')) continue;
		wantDev.push(m, `@types/${m.replace(/^@/, '').replace('/', '__')}`);
	}
	if (plan.bareImports.some((m) => m === 'crypto' || m.startsWith('node:')))
		wantDev.push('@types/node');
	for (const m of [...new Set(wantDev)].sort()) if (rootDev[m]) devDependencies[m] = rootDev[m];

	return {
		name: cloud.packageName,
		version: rootPkg.version,
		description: cloud.description,
		license: 'MIT',
		homepage: cloud.readmeSections?.node
			? `${webUrl}#${cloud.readmeSections.node}`
			: rootPkg.homepage,
		keywords,
		author: rootPkg.author,
		repository: {
			type: 'git',
			url: repoUrl,
			directory: toPosix(path.relative(ROOT, path.join(PACKAGES_DIR, cloud.packageName))),
		},
		...(rootPkg.engines ? { engines: rootPkg.engines } : {}),
		scripts: {
			build: 'n8n-node build',
			lint: 'n8n-node lint',
		},
		files: ['dist'],
		n8n: {
			n8nNodesApiVersion: 1,
			strict: true,
			credentials: plan.credentialEntries.map((f) => `dist/${f.replace(/\.ts$/, '.js')}`),
			nodes: plan.nodeEntries.map((f) => `dist/${f.replace(/\.ts$/, '.js')}`),
		},
		devDependencies,
		peerDependencies: {
			'n8n-workflow': '*',
		},
	};
}

function readmeFor(plan, rootPkg, pkg) {
	const { cloud } = plan;
	const web = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
	const section = (anchor) => `${web}#${anchor}`;
	const lines = [
		`# ${pkg.name}`,
		'',
		`${cloud.description}`,
		'',
		`This is the ${cloud.displayName ?? plan.id} part of [${rootPkg.name}](${web}), published on its own so that it`,
		'can be installed and verified as an n8n community package that integrates one service. It is built from the',
		'same source tree; the documentation lives in the main README:',
		'',
	];
	if (cloud.readmeSections?.node)
		lines.push(
			`- [The node: operations, options and output](${section(cloud.readmeSections.node)})`,
		);
	if (cloud.readmeSections?.credential)
		lines.push(
			`- [The credential: how to create an access key and which permissions it needs](${section(cloud.readmeSections.credential)})`,
		);
	lines.push(
		`- [The output contract shared by every cloud](${section('the-output-contract')})`,
		'',
		'## Installation',
		'',
		`In n8n: **Settings → Community Nodes → Install**, enter \`${pkg.name}\`. See n8n's`,
		'[community nodes installation guide](https://docs.n8n.io/integrations/community-nodes/installation/).',
		'',
		'## Contents',
		'',
		...plan.nodeEntries.map((f) => `- node \`${path.basename(f, '.node.ts')}\``),
		...plan.credentialEntries.map((f) => `- credential \`${path.basename(f, '.credentials.ts')}\``),
		'',
		`No runtime dependencies: everything comes from n8n (${list(plan.bareImports.filter((m) => !isNodeBuiltin(m)))})` +
			(plan.bareImports.some(isNodeBuiltin)
				? ` or Node.js (${list(plan.bareImports.filter(isNodeBuiltin))}).`
				: '.'),
		'',
		'## License',
		'',
		'[MIT](LICENSE)',
		'',
	);
	return lines.join('\n');
}

const isNodeBuiltin = (m) => m === 'crypto' || m.startsWith('node:');
const list = (mods) => mods.map((m) => `\`${m}\``).join(', ');

/** GitHub's heading anchors, enough for our README's headings. */
function readmeAnchors() {
	const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
	const anchors = new Set();
	let fenced = false;
	for (const line of readme.split('\n')) {
		if (line.startsWith('```')) fenced = !fenced;
		const m = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
		if (m)
			anchors.add(
				m[1]
					.trim()
					.toLowerCase()
					.replace(/[^\p{L}\p{N}\s_-]/gu, '')
					.replace(/\s/g, '-'),
			);
	}
	return anchors;
}

function rewriteCodex(text, rootName, pkgName) {
	const codex = JSON.parse(text);
	if (typeof codex.node !== 'string') return text;
	const [prefix, ...rest] = codex.node.split('.');
	if (prefix !== rootName) return text;
	return text.replace(JSON.stringify(codex.node), JSON.stringify([pkgName, ...rest].join('.')));
}

// ---------------------------------------------------------------------------------------------------------------
// Build

function run(cmd, args, options) {
	try {
		return execFileSync(cmd, args, {
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
			...options,
		});
	} catch (error) {
		const out = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
		fail(
			`${cmd} ${args.join(' ')} failed (exit ${error.status}) in ${options?.cwd ?? ROOT}\n${out}`,
		);
	}
}

export function buildCloud(id, manifest, rootPkg, log = console.log) {
	const plan = planCloud(id, manifest);
	const pkgDir = path.join(PACKAGES_DIR, plan.cloud.packageName);
	if (!path.resolve(pkgDir).startsWith(ROOT + path.sep))
		fail(`${pkgDir} must be inside the repository`);
	fs.rmSync(pkgDir, { recursive: true, force: true });
	fs.mkdirSync(pkgDir, { recursive: true });

	for (const f of plan.files) {
		const dest = path.join(pkgDir, ...f.split('/'));
		fs.mkdirSync(path.dirname(dest), { recursive: true });
		if (plan.codex.includes(f)) {
			fs.writeFileSync(
				dest,
				rewriteCodex(fs.readFileSync(abs(f), 'utf8'), rootPkg.name, plan.cloud.packageName),
			);
		} else {
			fs.copyFileSync(abs(f), dest);
		}
	}

	const pkg = packageJsonFor(plan, rootPkg);
	fs.writeFileSync(path.join(pkgDir, 'package.json'), `${JSON.stringify(pkg, null, '\t')}\n`);
	fs.copyFileSync(TEMPLATE_TSCONFIG, path.join(pkgDir, 'tsconfig.json'));
	fs.copyFileSync(TEMPLATE_ESLINT_CONFIG, path.join(pkgDir, 'eslint.config.mjs'));
	fs.writeFileSync(path.join(pkgDir, 'README.md'), readmeFor(plan, rootPkg, pkg));
	fs.copyFileSync(path.join(ROOT, 'LICENSE'), path.join(pkgDir, 'LICENSE'));

	// Compile as `n8n-node build` does: tsc with the template tsconfig, then copy icons and __schema__ JSON.
	// (--incremental false: no tsconfig.tsbuildinfo in dist; the build always starts from an empty dist.)
	const tsc = requireFromRoot.resolve('typescript/bin/tsc');
	run(process.execPath, [tsc, '-p', path.join(pkgDir, 'tsconfig.json'), '--incremental', 'false'], {
		cwd: pkgDir,
	});
	const distDir = path.join(pkgDir, 'dist');
	for (const f of walk(pkgDir).map((p) => toPosix(path.relative(pkgDir, p)))) {
		if (f.startsWith('dist/') || f.startsWith('node_modules/')) continue;
		if (/\.(png|svg)$/.test(f) || /(^|\/)__schema__\/.*\.json$/.test(f)) {
			const dest = path.join(distDir, ...f.split('/'));
			fs.mkdirSync(path.dirname(dest), { recursive: true });
			fs.copyFileSync(path.join(pkgDir, ...f.split('/')), dest);
		}
	}
	// tsc emits package.json into dist because the template includes it (to pin rootDir); n8n never reads it.
	if (!plan.importsPackageJson) fs.rmSync(path.join(distDir, 'package.json'), { force: true });

	// Pack.
	fs.mkdirSync(TARBALLS_DIR, { recursive: true });
	const tarballName = `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`;
	fs.rmSync(path.join(TARBALLS_DIR, tarballName), { force: true });
	const packed = JSON.parse(
		run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', TARBALLS_DIR], {
			cwd: pkgDir,
		}),
	)[0];
	const tarball = path.join(TARBALLS_DIR, packed.filename);
	if (!isFile(tarball)) fail(`npm pack did not write ${tarball}`);

	const shipped = packed.files.map((f) => f.path).sort();
	const expected = expectedTarballFiles(plan);
	const extra = shipped.filter((f) => !expected.includes(f));
	const missing = expected.filter((f) => !shipped.includes(f));
	if (extra.length > 0 || missing.length > 0) {
		fail(
			`${pkg.name}: tarball content differs from the plan` +
				(extra.length ? `\n  unexpected: ${extra.join(', ')}` : '') +
				(missing.length ? `\n  missing: ${missing.join(', ')}` : ''),
		);
	}
	for (const p of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
		if (!shipped.includes(p))
			fail(`${pkg.name}: n8n section names ${p}, which is not in the tarball`);
	}

	log(
		`${pkg.name}@${pkg.version}: ${plan.sources.length} source files ` +
			`(${plan.nodeEntries.length} node, ${plan.credentialEntries.length} credential), ` +
			`${plan.icons.length} icons, ${plan.codex.length} codex -> ${rel(tarball)} ` +
			`(${shipped.length} files, ${packed.size} bytes)`,
	);
	return { id, plan, pkgDir, tarball, packageJson: pkg, files: shipped };
}

export function buildAll(ids, log = console.log) {
	const manifest = loadManifest();
	const rootPkg = readJson(path.join(ROOT, 'package.json'));
	if (!isFile(path.join(ROOT, 'LICENSE'))) fail('LICENSE is missing at the repository root');
	const all = Object.keys(manifest.clouds);
	const selected = ids.length > 0 ? ids : all;
	for (const id of selected)
		if (!all.includes(id)) fail(`unknown cloud "${id}" (known: ${all.join(', ')})`);
	// Plan every cloud first: a manifest mistake in one cloud fails before anything is written.
	for (const id of all) planCloud(id, manifest);
	return selected.map((id) => buildCloud(id, manifest, rootPkg, log));
}

function parseArgs(argv) {
	const ids = [];
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--cloud' && argv[i + 1]) ids.push(argv[++i]);
		else if (argv[i].startsWith('--cloud=')) ids.push(argv[i].slice('--cloud='.length));
		else fail(`unknown argument ${argv[i]} (usage: build-packages.mjs [--cloud <id>]...)`);
	}
	return ids;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	try {
		const started = Date.now();
		const built = buildAll(parseArgs(process.argv.slice(2)));
		console.log(
			`built ${built.length} package(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
		);
	} catch (error) {
		if (error instanceof BuildError) {
			console.error(`build-packages: ${error.message}`);
			process.exit(1);
		}
		throw error;
	}
}
