// Build, pack and install our package into an n8n user folder the way n8n's community-package installer does
// (CommunityPackagesService.downloadPackage): the tarball unpacked into <user folder>/.n8n/nodes/node_modules/<name>
// (tar --strip-components=1), dev/peer/optional dependencies dropped from its package.json, the rest installed with
// scripts off, the package recorded in nodes/package.json. The same steps as scripts/n8n-e2e.mjs step 2, for
// scripts that need the pack installed without that script's checks around it (scripts/n8n-queue.mjs).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { describeFailure, run } from './proc.mjs';

const MIN = 60 * 1000;

/**
 * Returns { pkg, packed, tarball, packageDir, deps, steps: [{ name, ok, detail }] }; throws (with the steps so far
 * in `error.steps`) when a step fails.
 */
export async function buildPackInstall({ root, userFolder, workDir, nodeBin, logFile, echo = false }) {
	const steps = [];
	const step = (name, ok, detail) => {
		steps.push({ name, ok: !!ok, detail });
		if (!ok) {
			const e = new Error(`${name}: ${detail}`);
			e.steps = steps;
			throw e;
		}
	};
	const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
	const npmEnv = { ...process.env };
	const build = await run('npm', ['run', 'build'], { cwd: root, env: npmEnv, timeoutMs: 5 * MIN, logFile: logFile('build'), echo });
	step('npm run build', build.code === 0, `${describeFailure(build)}, ${(build.ms / 1000).toFixed(1)} s`);

	const packDir = path.join(workDir, 'pack');
	fs.mkdirSync(packDir, { recursive: true });
	const pack = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], { cwd: root, env: npmEnv, timeoutMs: 2 * MIN, logFile: logFile('pack') });
	let packed = null;
	try {
		packed = JSON.parse(pack.stdout)[0];
	} catch {
		// reported below
	}
	step('npm pack', pack.code === 0 && packed?.filename, packed ? `${packed.filename}, ${packed.entryCount} files, ${packed.size} bytes` : describeFailure(pack));
	const tarball = path.join(packDir, path.basename(packed.filename));
	const shipped = new Set(packed.files.map((f) => f.path));
	const missing = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])].filter((f) => !shipped.has(f));
	step('the tarball holds every file named in package.json "n8n"', missing.length === 0, missing.length ? `missing ${missing.join(', ')}` : `${pkg.n8n?.nodes?.length ?? 0} node(s), ${pkg.n8n?.credentials?.length ?? 0} credential(s)`);

	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const packageDir = path.join(nodesDir, 'node_modules', pkg.name);
	fs.mkdirSync(packageDir, { recursive: true });
	execFileSync('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1']);
	const installedJsonPath = path.join(packageDir, 'package.json');
	const { devDependencies, peerDependencies, optionalDependencies, ...installedJson } = JSON.parse(fs.readFileSync(installedJsonPath, 'utf8'));
	void devDependencies;
	void peerDependencies;
	void optionalDependencies;
	fs.writeFileSync(installedJsonPath, JSON.stringify(installedJson, null, 2));
	const deps = Object.keys(installedJson.dependencies ?? {});
	if (deps.length > 0) {
		const install = await run('npm', ['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false'], {
			cwd: packageDir,
			env: { ...process.env, PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH}` },
			timeoutMs: 2 * MIN,
			logFile: logFile('package-deps'),
		});
		step(`npm install of the package's dependencies (${deps.join(', ')})`, install.code === 0, describeFailure(install));
	}
	fs.writeFileSync(path.join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [pkg.name]: pkg.version } }, null, 2));
	step('unpacked into the user folder', true, `${path.relative(workDir, packageDir)}${deps.length ? '' : ' (no runtime dependencies)'}`);
	return { pkg, packed, tarball, packageDir, deps, steps };
}
