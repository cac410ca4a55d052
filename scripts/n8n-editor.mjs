#!/usr/bin/env node
// Editor check: our package in a real n8n 2.41.1 editor, driven by Debian's Chromium through playwright-core.
//
//   node scripts/n8n-editor.mjs [--keep-tmp]
//
// 1. Debian's Chromium (/usr/bin/chromium; installed with apt-get when missing and we are root; never a
//    Playwright browser download) and playwright-core (a devDependency; the check stops if it is missing).
// 2. n8n 2.41.1 + Node 24 from the cache (scripts/n8n/install.mjs), `npm run build` + `npm pack` unpacked into a
//    fresh $N8N_USER_FOLDER/.n8n/nodes/node_modules, the emulator (every cloud) on free ports, per cloud an emulator
//    credential + example workflow imported with n8n's CLI, `n8n start` on 127.0.0.1, owner set up over REST, login
//    cookie.
// 3. In the browser, for every cloud of scripts/n8n/clouds.mjs (Alibaba, Tencent, UCloud): the node panel
//    (Resource/Operation by name, the Instance list from the emulator and its search), then the credential modal
//    (test OK; a wrong secret fails and shows the cloud's words for it). The README image is Alibaba's panel.
// 4. Screenshots in .artifacts/n8n-editor/, a PASS/FAIL report (also report.json there), exit 1 on any failure.
//
// --keep-tmp: keep the temporary user folder (N8N_EDITOR_KEEP_TMP=1 does the same).
// Env: N8N_EDITOR_TIMEOUT_MS (whole run, default 15 min), N8N_E2E_CACHE (n8n cache folder).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CLOUD_IDS } from './n8n/clouds.mjs';
import { ensureN8n } from './n8n/install.mjs';
import { installExitHandlers, killAllChildren, run } from './n8n/proc.mjs';
import { CHROMIUM, EditorCheck } from './n8n-editor/browser.mjs';
import { startStack } from './n8n-editor/stack.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const artifactsDir = path.join(repoRoot, '.artifacts', 'n8n-editor');
const readmeImage = path.join(repoRoot, 'docs', 'images', 'node-panel.png');
const cacheDir =
	process.env.N8N_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-cloud-redis-backups');
/** The cloud whose node panel is the README image (docs/images/node-panel.png). */
const README_IMAGE_CLOUD = 'alibaba';
const PLAYWRIGHT_CORE_VERSION = '1.65.1';
if (process.argv.includes('--keep-tmp')) process.env.N8N_EDITOR_KEEP_TMP = '1';
const totalTimeoutMs = Number(process.env.N8N_EDITOR_TIMEOUT_MS || 15 * 60 * 1000);

const log = (...a) => console.log(...a);
const started = Date.now();
const timings = {};
let stack;
let check;

function loadPlaywright() {
	const require = createRequire(path.join(repoRoot, 'package.json'));
	let pkgFile;
	try {
		pkgFile = require.resolve('playwright-core/package.json');
	} catch {
		throw new Error(
			`playwright-core is not installed. Add it as a dev dependency: npm install --save-dev playwright-core@${PLAYWRIGHT_CORE_VERSION} ` +
				"(it never downloads a browser; this check uses Debian's /usr/bin/chromium).",
		);
	}
	const version = JSON.parse(fs.readFileSync(pkgFile, 'utf8')).version;
	return { playwright: require('playwright-core'), version, where: path.dirname(pkgFile) };
}

async function ensureChromium() {
	if (fs.existsSync(CHROMIUM)) return { installed: false };
	if (process.getuid?.() !== 0) {
		throw new Error(
			`${CHROMIUM} is missing; install Debian's Chromium: sudo apt-get update && sudo apt-get install -y chromium`,
		);
	}
	log(`  ${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const logFile = path.join(artifactsDir, 'apt.log');
	const update = await run('apt-get', ['update'], {
		env,
		timeoutMs: 10 * 60 * 1000,
		logFile,
		label: 'apt-get update',
	});
	if (update.code !== 0)
		throw new Error(`apt-get update failed (exit ${update.code ?? update.signal}); see ${logFile}`);
	const install = await run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
		env,
		timeoutMs: 20 * 60 * 1000,
		logFile,
		label: 'apt-get install chromium',
	});
	if (install.code !== 0 || !fs.existsSync(CHROMIUM)) {
		throw new Error(
			`apt-get install -y chromium failed (exit ${install.code ?? install.signal}); see ${logFile}`,
		);
	}
	return { installed: true };
}

function chromiumVersion() {
	const res = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 30000 });
	return (res.stdout || '').trim().split('\n').pop() || '?';
}

function printReport(error) {
	const results = check?.results ?? [];
	const failed = results.filter((r) => r.status === 'FAIL');
	const ok = !error && failed.length === 0 && results.length > 0;
	const lines = ['', '== n8n editor check =='];
	for (const r of results)
		lines.push(`${r.status.padEnd(9)} ${r.name}${r.detail ? `\n          ${r.detail}` : ''}`);
	if (error) lines.push(`FAIL      setup: ${error.message}`);
	if (check?.findings.length) {
		lines.push('', 'Findings about n8n with our node:');
		for (const f of check.findings) lines.push(`  - ${f.text}`);
	}
	if (check?.screenshots.length) {
		lines.push('', 'Screenshots:');
		for (const s of check.screenshots)
			lines.push(`  ${path.relative(repoRoot, s.file)}  ${s.what}`);
	}
	if (check) {
		lines.push(
			'',
			`Requests to other hosts aborted: ${check.blockedRequests.length}${check.blockedRequests.length ? ` (${[...new Set(check.blockedRequests.map((u) => new URL(u).host))].join(', ')})` : ''}`,
			`Browser console errors: ${check.consoleErrors.length}`,
		);
	}
	lines.push(
		'',
		`Timings (ms): ${JSON.stringify(timings)}`,
		`Logs: ${path.relative(repoRoot, artifactsDir)}/*.log`,
		'',
	);
	lines.push(
		ok
			? `PASS (${results.filter((r) => r.status === 'PASS').length} checks)`
			: `FAIL (${failed.length} failed${error ? ', setup error' : ''})`,
	);
	console.log(lines.join('\n'));
	try {
		fs.writeFileSync(
			path.join(artifactsDir, 'report.json'),
			`${JSON.stringify(
				{
					ok,
					error: error?.message,
					results,
					findings: check?.findings ?? [],
					screenshots: (check?.screenshots ?? []).map((s) => ({
						...s,
						file: path.relative(repoRoot, s.file),
					})),
					wrongSecret: check?.wrongSecret,
					credentialFields: check?.credentialFields,
					blockedRequests: check?.blockedRequests ?? [],
					consoleErrors: check?.consoleErrors ?? [],
					timings,
				},
				null,
				2,
			)}\n`,
		);
	} catch {
		// report.json is a convenience
	}
	return ok;
}

async function cleanup() {
	const t = Date.now();
	await check?.close();
	await stack?.stop();
	timings.cleanup = Date.now() - t;
	if (stack?.timings.stopMs !== undefined) timings.stopN8nAndEmulator = stack.timings.stopMs;
}

async function main() {
	fs.rmSync(artifactsDir, { recursive: true, force: true });
	fs.mkdirSync(artifactsDir, { recursive: true });

	let t = Date.now();
	const pw = loadPlaywright();
	const chromium = await ensureChromium();
	timings.chromium = Date.now() - t;
	log(
		`playwright-core ${pw.version} (${path.relative(repoRoot, pw.where)}); ${chromiumVersion()}${chromium.installed ? ' (installed now)' : ''}`,
	);

	t = Date.now();
	const n8n = await ensureN8n(cacheDir, { logFile: path.join(artifactsDir, 'install.log') });
	timings.ensureN8n = Date.now() - t;
	log(
		`n8n ${n8n.n8nVersion} on Node ${n8n.nodeVersion} (${n8n.cached ? 'cached' : 'installed now'})`,
	);

	log('Starting the stack:');
	t = Date.now();
	stack = await startStack({ repoRoot, n8n, log, logDir: artifactsDir });
	timings.stack = Date.now() - t;
	Object.assign(
		timings,
		Object.fromEntries(Object.entries(stack.timings).map(([k, v]) => [`stack.${k}`, v])),
	);

	log('Browser checks:');
	check = new EditorCheck({ playwright: pw.playwright, stack, artifactsDir, log });
	t = Date.now();
	await check.launch();
	timings.browserLaunch = Date.now() - t;

	for (const cloudId of CLOUD_IDS) {
		t = Date.now();
		await check.nodePanel(cloudId);
		timings[`${cloudId}.nodePanel`] = Date.now() - t;
		// The README image: re-open the instance list in the Backup resource view for a clean picture.
		if (cloudId === README_IMAGE_CLOUD) {
			try {
				const img = await readmeShot(check);
				if (img) log(`  README image: ${path.relative(repoRoot, img.file)} (${img.bytes} bytes)`);
			} catch (error) {
				log(`  (README image not taken: ${error.message.split('\n')[0]})`);
			}
		}

		t = Date.now();
		await check.credential(cloudId, {
			wrongSecret: 'wrong-secret-from-editor-check',
		});
		timings[`${cloudId}.credential`] = Date.now() - t;
	}
}

/** Resource back to Backup / Create, instance list open: the picture for the README. */
async function readmeShot(c) {
	if (!c.ndv || !(await c.ndv.isVisible().catch(() => false))) return null;
	await c.pickOption('resource', 'Backup');
	await c.pickOption('operation', 'Create');
	await c.ndv.locator('[data-test-id="rlc-input"]').click();
	const search = c.page.locator('[data-test-id="rlc-search"]').filter({ visible: true }).first();
	if (await search.isVisible().catch(() => false)) await search.fill('');
	await c.page
		.locator('[data-test-id="rlc-item"]')
		.filter({ visible: true })
		.nth(1)
		.waitFor({ state: 'visible', timeout: 30000 });
	await new Promise((r) => setTimeout(r, 400));
	const img = await c.readmeImage(readmeImage);
	await c.closeDropdowns();
	if (img && img.bytes > 300 * 1024)
		throw new Error(`${readmeImage} is ${img.bytes} bytes (limit 300 KB)`);
	return img;
}

installExitHandlers(() => {
	if (stack?.workDir && !process.env.N8N_EDITOR_KEEP_TMP)
		fs.rmSync(stack.workDir, { recursive: true, force: true });
});

const watchdog = setTimeout(() => {
	console.error(
		`\nFAIL: the editor check did not finish within ${totalTimeoutMs} ms; stopping everything.`,
	);
	killAllChildren();
	if (stack?.workDir && !process.env.N8N_EDITOR_KEEP_TMP)
		fs.rmSync(stack.workDir, { recursive: true, force: true });
	process.exit(1);
}, totalTimeoutMs);

let setupError;
try {
	await main();
} catch (error) {
	setupError = error;
} finally {
	await cleanup().catch((e) => log(`cleanup: ${e.message}`));
}
timings.total = Date.now() - started;
const ok = printReport(setupError);
clearTimeout(watchdog);
process.exit(ok ? 0 : 1);
