#!/usr/bin/env node
// Lint every per-cloud package emitted by scripts/build-packages.mjs the way n8n checks it, offline.
//
//   node scripts/lint-packages.mjs [--cloud <id>]... [--json <report.json>]
//
// Per package (.build/packages/<name>/ and .build/tarballs/<name>-<version>.tgz):
//   strict   `n8n-node lint`'s strict-mode check: n8n.strict is true and eslint.config.mjs is the node-cli
//            template, whitespace-normalised.
//   source   the scanner's source leg (@n8n/scan-community-package scanner.mjs): package.json +
//            {nodes,credentials}/**/*.{js,ts,json} with its ESLint config, allowInlineConfig: false.
//   tarball  the scanner's tarball leg: the .tgz unpacked to a temp folder, **/*.js + package.json, same config.
//   node-cli `n8n-node lint` itself: ESLint with the package's own eslint.config.mjs (node-cli's config:
//            typescript-eslint, import-x, @n8n/community-nodes, n8n-nodes-base) on the package folder.
// The scanner's provenance step (npm attestations, GitHub source download) needs the network and is skipped.
//
// The scanner's ESLint config comes from the scanner's own code when `@n8n/scan-community-package` can be found
// (root node_modules, or the scanner.mjs path in $N8N_SCANNER_MODULE); otherwise from a replica of its
// `buildScanConfig` built on the root's installed plugins. The report says which one ran.
// Exit code: 0 if no package has an error-level finding (warnings pass, as in the scanner), 1 otherwise.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import {
	loadManifest,
	PACKAGES_DIR,
	ROOT,
	TARBALLS_DIR,
	TEMPLATE_ESLINT_CONFIG,
} from './build-packages.mjs';

const requireFromRoot = createRequire(path.join(ROOT, 'package.json'));
const requireFromNodeCli = createRequire(requireFromRoot.resolve('@n8n/node-cli/eslint'));

/** What the scanner lints in the source checkout (scanner.mjs SOURCE_FILE_PATTERNS, 0.32.0). */
const SCANNER_SOURCE_PATTERNS = ['package.json', '{nodes,credentials}/**/*.{js,ts,json}'];
/** What the scanner lints in the unpacked tarball (scanner.mjs analyzePackageByName, 0.32.0). */
const SCANNER_TARBALL_PATTERNS = ['**/*.js', 'package.json'];
const SCANNER_IGNORE = ['node_modules/**', '**/package-lock.json'];

// ---------------------------------------------------------------------------------------------------------------
// The scanner's ESLint setup

/** Installed version of a package as `req` resolves it (works for packages whose "exports" hide package.json). */
function versionOf(req, name) {
	let dir = path.dirname(req.resolve(name));
	while (dir !== path.dirname(dir)) {
		const file = path.join(dir, 'package.json');
		if (fs.existsSync(file)) {
			const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
			if (pkg.name === name) return pkg.version;
		}
		dir = path.dirname(dir);
	}
	return 'unknown';
}

function findScanner() {
	const fromEnv = process.env.N8N_SCANNER_MODULE;
	if (fromEnv) {
		if (!fs.existsSync(fromEnv)) throw new Error(`N8N_SCANNER_MODULE=${fromEnv} does not exist`);
		return path.resolve(fromEnv);
	}
	try {
		return requireFromRoot.resolve('@n8n/scan-community-package/scanner/scanner.mjs');
	} catch {
		return null;
	}
}

/**
 * Returns { engine, ESLint, config, sourcePatterns, glob }: the ESLint class, flat config and file patterns the
 * scanner would use.
 */
async function scannerSetup() {
	const scannerPath = findScanner();
	if (scannerPath) {
		const requireFromScanner = createRequire(scannerPath);
		const scannerPkg = JSON.parse(
			fs.readFileSync(path.join(path.dirname(scannerPath), '..', 'package.json'), 'utf8'),
		);
		// scanner.mjs makes a temp dir with `tmp` when it is imported; let tmp remove it at exit.
		requireFromScanner('tmp').setGracefulCleanup();
		const scanner = await import(pathToFileURL(scannerPath).href);
		const { ESLint } = await import(pathToFileURL(requireFromScanner.resolve('eslint')).href);
		return {
			engine: `@n8n/scan-community-package@${scannerPkg.version} (its own buildScanConfig; @n8n/eslint-plugin-community-nodes@${versionOf(requireFromScanner, '@n8n/eslint-plugin-community-nodes')}, eslint@${versionOf(requireFromScanner, 'eslint')})`,
			ESLint,
			config: await scanner.buildScanConfig(),
			sourcePatterns: scanner.SOURCE_FILE_PATTERNS ?? SCANNER_SOURCE_PATTERNS,
			glob: requireFromScanner('fast-glob'),
		};
	}

	// Replica of scanner.mjs buildScanConfig (0.32.0), on the plugins node-cli uses.
	const { ESLint } = await import(pathToFileURL(requireFromNodeCli.resolve('eslint')).href);
	const { defineConfig } = await import(
		pathToFileURL(requireFromNodeCli.resolve('eslint/config')).href
	);
	const { n8nCommunityNodesPlugin } = await import(
		pathToFileURL(requireFromNodeCli.resolve('@n8n/eslint-plugin-community-nodes')).href
	);
	const n8nNodesPlugin = requireFromNodeCli('eslint-plugin-n8n-nodes-base');
	const parser = requireFromNodeCli('typescript-eslint').parser;
	const config = defineConfig(
		n8nCommunityNodesPlugin.configs.recommended,
		{ rules: { 'no-console': 'error' } },
		{ plugins: { 'n8n-nodes-base': n8nNodesPlugin } },
		{ files: ['package.json'], rules: { ...n8nNodesPlugin.configs.community.rules } },
		{
			files: ['**/credentials/**/*.ts'],
			rules: {
				...n8nNodesPlugin.configs.credentials.rules,
				'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
				'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
			},
		},
		{
			files: ['**/nodes/**/*.ts'],
			rules: {
				...n8nNodesPlugin.configs.nodes.rules,
				'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
				'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
				'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
			},
		},
		{ files: ['**/*.json'], languageOptions: { parser } },
		{ files: ['**/*.ts'], languageOptions: { parser } },
	);
	return {
		engine: `replica of scan-community-package 0.32.0 buildScanConfig (@n8n/eslint-plugin-community-nodes@${versionOf(requireFromNodeCli, '@n8n/eslint-plugin-community-nodes')} and eslint@${versionOf(requireFromNodeCli, 'eslint')} as node-cli resolves them; scanner not installed)`,
		ESLint,
		config,
		sourcePatterns: SCANNER_SOURCE_PATTERNS,
		glob: requireFromNodeCli('fast-glob'),
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Legs

function summarize(results, baseDir) {
	const findings = [];
	for (const r of results) {
		for (const m of r.messages) {
			findings.push({
				file: path.relative(baseDir, r.filePath).split(path.sep).join('/'),
				line: m.line ?? 0,
				column: m.column ?? 0,
				severity: m.severity === 2 ? 'error' : 'warning',
				rule: m.ruleId ?? (m.fatal ? 'parse-error' : 'eslint'),
				message: m.message,
			});
		}
	}
	return {
		files: results.length,
		errors: findings.filter((f) => f.severity === 'error').length,
		warnings: findings.filter((f) => f.severity === 'warning').length,
		findings,
	};
}

async function scannerLeg(setup, dir, patterns) {
	const eslint = new setup.ESLint({
		cwd: dir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: setup.config,
	});
	const files = setup.glob.sync(patterns, { cwd: dir, absolute: true, ignore: SCANNER_IGNORE });
	if (files.length === 0)
		return { files: 0, errors: 1, warnings: 0, findings: [noFiles(patterns)] };
	return summarize(await eslint.lintFiles(files), dir);
}

const noFiles = (patterns) => ({
	file: '.',
	line: 0,
	column: 0,
	severity: 'error',
	rule: 'lint-packages/no-files',
	message: `no files match ${patterns.join(', ')}`,
});

/** `n8n-node lint` = `eslint .` in the package folder with its own eslint.config.mjs. */
async function nodeCliLeg(pkgDir) {
	const { ESLint } = await import(pathToFileURL(requireFromNodeCli.resolve('eslint')).href);
	const eslint = new ESLint({ cwd: pkgDir });
	return summarize(await eslint.lintFiles(['.']), pkgDir);
}

function strictLeg(pkgDir, pkg) {
	const findings = [];
	const add = (message) =>
		findings.push({
			file: 'eslint.config.mjs',
			line: 0,
			column: 0,
			severity: 'error',
			rule: 'n8n-node/strict-mode',
			message,
		});
	if (pkg.n8n?.strict !== true) add('package.json n8n.strict is not true');
	const configPath = path.join(pkgDir, 'eslint.config.mjs');
	const normalise = (s) => s.replace(/\s+/g, ' ').trim();
	if (!fs.existsSync(configPath)) add('eslint.config.mjs not found');
	else if (
		normalise(fs.readFileSync(configPath, 'utf8')) !==
		normalise(fs.readFileSync(TEMPLATE_ESLINT_CONFIG, 'utf8'))
	)
		add('eslint.config.mjs has been modified from the node-cli template');
	return { files: 1, errors: findings.length, warnings: 0, findings };
}

/** A leg that cannot run (bad config, unparsable tarball) is an error of that package, not a crash of the run. */
async function guarded(leg) {
	try {
		return await leg();
	} catch (error) {
		const message = String(error?.message ?? error).split('\n')[0];
		return {
			files: 0,
			errors: 1,
			warnings: 0,
			findings: [
				{
					file: '.',
					line: 0,
					column: 0,
					severity: 'error',
					rule: 'lint-packages/leg-failed',
					message,
				},
			],
		};
	}
}

function unpack(tarball) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-packages-'));
	execFileSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1'], { stdio: 'pipe' });
	return dir;
}

export async function lintPackages(ids = [], log = console.log) {
	const manifest = loadManifest();
	const rootPkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
	const all = Object.keys(manifest.clouds);
	const selected = ids.length > 0 ? ids : all;
	for (const id of selected)
		if (!all.includes(id)) throw new Error(`unknown cloud "${id}" (known: ${all.join(', ')})`);

	// eslint-plugin-n8n-nodes-base switches into its own self-test mode when NODE_ENV is "test" (read when the
	// plugin is loaded): filename and trigger rules then expect its test fixtures' names and report false errors
	// on real code. Jest sets NODE_ENV=test; n8n's scanner and `n8n-node lint` never run that way.
	if (process.env.NODE_ENV === 'test') {
		log(
			'NODE_ENV=test unset for the lint (eslint-plugin-n8n-nodes-base would run in its self-test mode)',
		);
		delete process.env.NODE_ENV;
	}

	const setup = await scannerSetup();
	log(`scanner config: ${setup.engine}`);
	const report = { engine: setup.engine, packages: [] };

	for (const id of selected) {
		const name = manifest.clouds[id].packageName;
		const pkgDir = path.join(PACKAGES_DIR, name);
		const tarball = path.join(
			TARBALLS_DIR,
			`${name.replace(/^@/, '').replace('/', '-')}-${rootPkg.version}.tgz`,
		);
		const entry = { cloud: id, name, legs: {} };
		report.packages.push(entry);
		if (!fs.existsSync(path.join(pkgDir, 'package.json')) || !fs.existsSync(tarball)) {
			entry.legs.build = {
				files: 0,
				errors: 1,
				warnings: 0,
				findings: [
					{
						file: '.',
						line: 0,
						column: 0,
						severity: 'error',
						rule: 'lint-packages/not-built',
						message: `${path.relative(ROOT, pkgDir)} or ${path.relative(ROOT, tarball)} is missing: run scripts/build-packages.mjs first`,
					},
				],
			};
		} else {
			const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
			entry.legs.strict = strictLeg(pkgDir, pkg);
			entry.legs.source = await guarded(() => scannerLeg(setup, pkgDir, setup.sourcePatterns));
			entry.legs.tarball = await guarded(async () => {
				const unpacked = unpack(tarball);
				try {
					return await scannerLeg(setup, unpacked, SCANNER_TARBALL_PATTERNS);
				} finally {
					fs.rmSync(unpacked, { recursive: true, force: true });
				}
			});
			entry.legs['node-cli'] = await guarded(() => nodeCliLeg(pkgDir));
		}
		entry.errors = Object.values(entry.legs).reduce((n, l) => n + l.errors, 0);
		entry.warnings = Object.values(entry.legs).reduce((n, l) => n + l.warnings, 0);

		log(`\n${name} (${id}): ${entry.errors} error(s), ${entry.warnings} warning(s)`);
		for (const [leg, r] of Object.entries(entry.legs)) {
			log(
				`  ${leg.padEnd(8)} ${String(r.files).padStart(3)} file(s)  ${r.errors} error(s)  ${r.warnings} warning(s)`,
			);
			for (const f of r.findings) {
				log(`    ${f.severity.padEnd(7)} ${f.file}:${f.line}:${f.column}  ${f.rule}  ${f.message}`);
			}
		}
	}
	report.errors = report.packages.reduce((n, p) => n + p.errors, 0);
	report.warnings = report.packages.reduce((n, p) => n + p.warnings, 0);
	log(
		`\n${report.packages.length} package(s): ${report.errors} error(s), ${report.warnings} warning(s)`,
	);
	return report;
}

function parseArgs(argv) {
	const ids = [];
	let json = null;
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--cloud' && argv[i + 1]) ids.push(argv[++i]);
		else if (argv[i] === '--json' && argv[i + 1]) json = argv[++i];
		else
			throw new Error(
				`unknown argument ${argv[i]} (usage: lint-packages.mjs [--cloud <id>]... [--json <file>])`,
			);
	}
	return { ids, json };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	try {
		const { ids, json } = parseArgs(process.argv.slice(2));
		const report = await lintPackages(ids);
		if (json) fs.writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
		process.exitCode = report.errors > 0 ? 1 : 0;
	} catch (error) {
		console.error(`lint-packages: ${error.stack ?? error}`);
		process.exitCode = 2;
	}
}
