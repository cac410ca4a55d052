// The browser half of the editor check: Debian's Chromium driven by playwright-core, one page for the whole run
// (n8n 2.x locks a workflow to the tab that edits it, so a second page would open it read-only).

import fs from 'node:fs';
import path from 'node:path';

import { CLOUDS } from '../n8n/clouds.mjs';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];

// What each cloud's panel must list (resources, operations, the emulator's instances, a search): CLOUDS[id].editor
// in scripts/n8n/clouds.mjs.
// n8n 2.41 appends this to the resource and operation lists of every node whose credential has `authenticate`
// (LoadNodesAndCredentials.injectCustomApiCallOptions); it is n8n's, not ours.
export const CUSTOM_API_CALL = 'Custom API Call';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Compare an option list with what we declare, allowing n8n's trailing "Custom API Call". */
function compareOptions(actual, expected) {
	const ours = actual[actual.length - 1] === CUSTOM_API_CALL ? actual.slice(0, -1) : actual;
	return {
		ok: JSON.stringify(ours) === JSON.stringify(expected),
		customApiCall: ours.length !== actual.length,
	};
}

export class EditorCheck {
	constructor({ playwright, stack, artifactsDir, log }) {
		this.playwright = playwright;
		this.stack = stack;
		this.artifactsDir = artifactsDir;
		this.log = log;
		this.results = [];
		this.findings = [];
		this.screenshots = [];
		this.blockedRequests = [];
		this.consoleErrors = [];
		this.apiCalls = [];
	}

	record(name, status, detail) {
		this.results.push({ name, status, detail });
		this.log(`  [${status}] ${name}${detail ? `: ${detail}` : ''}`);
	}

	async check(name, fn) {
		const t = Date.now();
		try {
			const detail = await fn();
			this.record(name, 'PASS', `${detail ?? ''}${detail ? ' ' : ''}(${Date.now() - t} ms)`);
			return true;
		} catch (error) {
			this.record(
				name,
				'FAIL',
				String(error?.message ?? error)
					.split('\n')
					.slice(0, 6)
					.join(' | '),
			);
			await this.shot(
				`failure-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`,
				`state when "${name}" failed`,
			).catch(() => {});
			return false;
		}
	}

	async shot(name, what, options = {}) {
		const file = path.join(this.artifactsDir, `${name}.png`);
		await this.page.screenshot({ path: file, scale: 'css', ...options });
		this.screenshots.push({ file, what });
		return file;
	}

	async launch() {
		this.browser = await this.playwright.chromium.launch({
			executablePath: CHROMIUM,
			args: CHROMIUM_FLAGS,
			headless: true,
			timeout: 60000,
		});
		// A new context is a fresh, empty profile.
		this.context = await this.browser.newContext({
			viewport: { width: 1440, height: 900 },
			// Device pixels at 2x for the README image (scale: 'device'); the check's own screenshots use CSS pixels.
			deviceScaleFactor: 2,
			locale: 'en-US',
		});
		await this.context.addCookies([
			{
				name: this.stack.cookie.name,
				value: this.stack.cookie.value,
				domain: '127.0.0.1',
				path: '/',
				httpOnly: true,
			},
		]);
		await this.context.route('**/*', (route) => {
			const url = route.request().url();
			let host = '';
			try {
				const u = new URL(url);
				if (u.protocol === 'data:' || u.protocol === 'blob:') return route.continue();
				host = u.hostname;
			} catch {
				// unparsable: block
			}
			if (host === '127.0.0.1' || host === 'localhost') return route.continue();
			this.blockedRequests.push(url);
			return route.abort('blockedbyclient');
		});
		this.page = await this.context.newPage();
		this.page.setDefaultTimeout(30000);
		this.page.setDefaultNavigationTimeout(60000);
		this.page.on('console', (msg) => {
			if (msg.type() === 'error') this.consoleErrors.push(msg.text().slice(0, 300));
		});
		this.page.on('response', async (res) => {
			const url = res.url();
			if (
				!/\/rest\/(credentials\/test|dynamic-node-parameters\/resource-locator-results)/.test(url)
			)
				return;
			let body = '';
			try {
				body = await res.text();
			} catch {
				// navigation away
			}
			this.apiCalls.push({
				url,
				status: res.status(),
				request: res.request().postData() ?? '',
				body,
				at: Date.now(),
			});
		});
	}

	async close() {
		await this.browser?.close().catch(() => {});
	}

	/** The option headlines of the select dropdown that is open now. */
	async openOptions(parameter) {
		const input = this.ndv.locator(`[data-test-id="parameter-input-${parameter}"]`);
		await input.click();
		const items = this.page
			.locator('[data-test-id="parameter-input-item"]')
			.filter({ visible: true });
		await items.first().waitFor({ state: 'visible', timeout: 10000 });
		await sleep(300); // the popper's opening transition
		return (await items.locator('.option-headline').allInnerTexts()).map((t) => t.trim());
	}

	async closeDropdowns() {
		await this.ndv.locator('[data-test-id="tab-params"]').click();
		await this.page
			.locator('[data-test-id="parameter-input-item"]')
			.filter({ visible: true })
			.first()
			.waitFor({ state: 'hidden', timeout: 5000 })
			.catch(() => {});
	}

	async pickOption(parameter, name) {
		await this.ndv.locator(`[data-test-id="parameter-input-${parameter}"]`).click();
		const item = this.page
			.locator('[data-test-id="parameter-input-item"]')
			.filter({ visible: true })
			.filter({ has: this.page.locator('.option-headline', { hasText: new RegExp(`^${name}$`) }) });
		await item.first().click();
		await this.page.waitForFunction(
			({ parameter, name }) => {
				const box = document.querySelector(`[data-test-id="parameter-input-${parameter}"]`);
				if (!box) return false;
				const input = box.querySelector('input');
				return (
					box.innerText.trim() === name || input?.value === name || input?.placeholder === name
				);
			},
			{ parameter, name },
			{ timeout: 10000 },
		);
	}

	async visibleInstanceItems() {
		return (
			await this.page.locator('[data-test-id="rlc-item"]').filter({ visible: true }).allInnerTexts()
		).map((t) => t.trim());
	}

	async waitForInstanceItems(predicate, timeoutMs, what) {
		const deadline = Date.now() + timeoutMs;
		let items = [];
		for (;;) {
			items = await this.visibleInstanceItems();
			if (predicate(items)) return items;
			if (Date.now() > deadline)
				throw new Error(`${what}; the list shows ${JSON.stringify(items)}`);
			await sleep(250);
		}
	}

	/**
	 * (a) A cloud's node panel (the node `nodeName` of the cloud's example workflow): Resource / Operation by name,
	 * the Instance resource locator's list and its search, and the Backup Task operations where the cloud has that
	 * resource. Checks and screenshots are named after the cloud.
	 */
	async nodePanel(cloudId) {
		const { label, editor: EXPECTED } = CLOUDS[cloudId];
		const nodeName = EXPECTED.nodeName;
		const { baseUrl } = this.stack;
		const workflow = this.stack.workflows[cloudId];
		const node = workflow.nodes.find((n) => n.name === nodeName);
		if (!node) throw new Error(`no node "${nodeName}" in workflow ${workflow.id}`);
		const name = (what) => `${label}: ${what}`;
		const shot = (file, what) => this.shot(`${cloudId}-${file}`, `${label}: ${what}`);
		let ok = await this.check(name('node panel opens'), async () => {
			await this.page.goto(`${baseUrl}/workflow/${workflow.id}/${node.id}`, {
				waitUntil: 'domcontentloaded',
			});
			this.ndv = this.page.locator('[data-test-id="ndv"]');
			await this.ndv.waitFor({ state: 'visible', timeout: 60000 });
			await this.ndv
				.locator('[data-test-id="parameter-input-operation"]')
				.waitFor({ state: 'visible' });
			// Editable (not the read-only view n8n shows when another tab holds the workflow).
			await this.ndv
				.locator('[data-test-id="node-credentials-select"]')
				.waitFor({ state: 'visible', timeout: 20000 });
			const title = (
				await this.ndv.locator('[data-test-id="node-title-container"]').innerText()
			).trim();
			const credential = await this.ndv
				.locator('[data-test-id="node-credentials-select"] input')
				.inputValue()
				.catch(() => '');
			await shot('01-node-panel', `node panel of "${nodeName}" (${node.type})`);
			return `"${title}", credential "${credential || '?'}"`;
		});
		if (!ok) return;

		await this.check(name(`Resource dropdown lists ${EXPECTED.resources.join(', ')}`), async () => {
			const names = await this.openOptions('resource');
			await shot('02-resource-dropdown', 'Resource dropdown open');
			await this.closeDropdowns();
			const cmp = compareOptions(names, EXPECTED.resources);
			if (!cmp.ok) throw new Error(`got ${JSON.stringify(names)}`);
			if (cmp.customApiCall) this.noteCustomApiCall(`${label} Resource`);
			return JSON.stringify(names);
		});

		await this.check(
			name(`Operation dropdown (Backup) lists ${EXPECTED.backupOperations.join(', ')}`),
			async () => {
				const names = await this.openOptions('operation');
				await shot('03-operation-dropdown-backup', 'Operation dropdown open, resource Backup');
				await this.closeDropdowns();
				const cmp = compareOptions(names, EXPECTED.backupOperations);
				if (!cmp.ok) throw new Error(`got ${JSON.stringify(names)}`);
				if (cmp.customApiCall) this.noteCustomApiCall(`${label} Operation (Backup)`);
				return JSON.stringify(names);
			},
		);

		await this.check(name('Instance "From List" lists the emulator instances'), async () => {
			await this.ndv.locator('[data-test-id="rlc-mode-selector"]').click();
			const modes = this.page.locator('.el-select-dropdown__item').filter({ visible: true });
			await modes.first().waitFor({ state: 'visible', timeout: 10000 });
			const modeNames = (await modes.allInnerTexts()).map((t) => t.trim());
			await modes
				.filter({ hasText: /^From list$/i })
				.first()
				.click();
			const callsBefore = this.apiCalls.length;
			await this.ndv.locator('[data-test-id="rlc-input"]').click();
			const items = await this.waitForInstanceItems(
				(list) =>
					EXPECTED.instances.every((i) => list.some((t) => t.includes(i.name) && t.includes(i.id))),
				30000,
				`the instance list did not show ${EXPECTED.instances.map((i) => `${i.name} (${i.id})`).join(' and ')}`,
			);
			await sleep(300);
			await shot('04-instance-list', 'Instance resource locator, mode "From list", list open');
			const call = this.apiCalls
				.slice(callsBefore)
				.find((c) => c.url.includes('resource-locator-results'));
			return `modes ${JSON.stringify(modeNames)}; items ${JSON.stringify(items)}${call ? `; via ${new URL(call.url).pathname} (HTTP ${call.status})` : ''}`;
		});

		const { search: SEARCH } = EXPECTED;
		await this.check(name(`Instance search "${SEARCH.text}" narrows the list`), async () => {
			const callsBefore = this.apiCalls.length;
			const search = this.page
				.locator('[data-test-id="rlc-search"]')
				.filter({ visible: true })
				.first();
			await search.waitFor({ state: 'visible', timeout: 10000 });
			const field =
				(await search.evaluate((e) => e.tagName)) === 'INPUT' ? search : search.locator('input');
			await field.pressSequentially(SEARCH.text, { delay: 40 });
			const items = await this.waitForInstanceItems(
				(list) =>
					list.length > 0 &&
					list.every((t) => t.toLowerCase().includes(SEARCH.text)) &&
					list.some((t) => t.includes(SEARCH.name)),
				30000,
				`the search did not narrow the list to ${SEARCH.name}`,
			);
			await sleep(300);
			await shot('05-instance-search', `Instance list after typing "${SEARCH.text}"`);
			// The filter went to our node's searchInstances (server side), not only to the browser's own filter.
			const call = this.apiCalls
				.slice(callsBefore)
				.find(
					(c) =>
						c.url.includes('resource-locator-results') &&
						c.request.includes(`"filter":"${SEARCH.text}"`),
				);
			let where = 'filtered in the browser (no request with the filter seen)';
			if (call) {
				const body = call.body;
				where = `request filter "${SEARCH.text}" -> HTTP ${call.status}, answer has ${SEARCH.id}: ${body.includes(SEARCH.id)}, ${SEARCH.otherId}: ${body.includes(SEARCH.otherId)}`;
			}
			// Pick it: the locator then holds the cluster instance.
			await this.page
				.locator('[data-test-id="rlc-item"]')
				.filter({ visible: true })
				.filter({ hasText: SEARCH.name })
				.first()
				.click();
			await this.page.waitForFunction(
				({ id, name }) => {
					const el = document.querySelector(
						'[data-test-id="rlc-input"] input, input[data-test-id="rlc-input"]',
					);
					return el && (el.value.includes(id) || el.value.includes(name));
				},
				{ id: SEARCH.id, name: SEARCH.name },
				{ timeout: 10000 },
			);
			const value = await this.ndv
				.locator('[data-test-id="rlc-input"] input, input[data-test-id="rlc-input"]')
				.first()
				.inputValue();
			return `items ${JSON.stringify(items)}; ${where}; picked -> "${value}"`;
		});

		// A cloud without a task API (UCloud: Wait Until Finished polls the backup) has no Backup Task resource; the
		// Resource check above already proved that it lists none.
		if (!EXPECTED.backupTaskOperations) return;
		await this.check(
			name(`Operation dropdown (Backup Task) lists ${EXPECTED.backupTaskOperations.join(', ')}`),
			async () => {
				await this.pickOption('resource', 'Backup Task');
				const names = await this.openOptions('operation');
				await shot(
					'06-operation-dropdown-backup-task',
					'Operation dropdown open, resource Backup Task',
				);
				await this.closeDropdowns();
				const cmp = compareOptions(names, EXPECTED.backupTaskOperations);
				if (!cmp.ok) throw new Error(`got ${JSON.stringify(names)}`);
				if (cmp.customApiCall) this.noteCustomApiCall(`${label} Operation (Backup Task)`);
				return JSON.stringify(names);
			},
		);
	}

	noteCustomApiCall(where) {
		const key = 'custom-api-call';
		let f = this.findings.find((x) => x.key === key);
		if (!f) {
			f = { key, where: [], text: '' };
			this.findings.push(f);
		}
		f.where.push(where);
		f.text =
			`n8n 2.41 appends "${CUSTOM_API_CALL}" to the ${f.where.join(', ')} list(s): our credential has \`authenticate\`, ` +
			'so LoadNodesAndCredentials.injectCustomApiCallOptions() adds it to every resource/operation option list.';
	}

	/**
	 * The README image: the parameters column (tabs down to the options) with the instance list open, at twice the
	 * pixel density for sharp text, cropped.
	 */
	async readmeImage(file) {
		const params = await this.ndv.locator('[data-test-id="node-parameters"]').boundingBox();
		const tabs = await this.ndv.locator('[data-test-id="tab-params"]').boundingBox();
		if (!params || !tabs) return null;
		const x = Math.max(0, params.x - 16);
		const y = Math.max(0, tabs.y - 8);
		const clip = {
			x,
			y,
			width: Math.min(params.width + 32, 1440 - x),
			height: Math.min(470, 900 - y),
		};
		fs.mkdirSync(path.dirname(file), { recursive: true });
		await this.page.screenshot({ path: file, clip, scale: 'device' });
		return { file, bytes: fs.statSync(file).size, clip };
	}

	/**
	 * (b) A cloud's credential modal (its emulator credential): test OK, then a wrong secret in the cloud's secret
	 * field must fail with the cloud's own words for a bad signature.
	 */
	async credential(cloudId, { wrongSecret }) {
		const { label, credential: cred, secretField, wrongSecretWords } = CLOUDS[cloudId];
		const credentialName = cred.name;
		const name = (what) => `${label}: ${what}`;
		const shot = (file, what) => this.shot(`${cloudId}-${file}`, `${label}: ${what}`);
		const { baseUrl } = this.stack;
		const dialog = this.page.locator('[data-test-id="credential-edit-dialog"]');
		const success = dialog.locator('[data-test-id="credentials-config-container-test-success"]');
		let ok = await this.check(name('credential modal opens from the Credentials page'), async () => {
			await this.page.goto(`${baseUrl}/home/credentials`, { waitUntil: 'domcontentloaded' });
			const card = this.page
				.locator('[data-test-id="resources-list-item"]')
				.filter({ hasText: credentialName })
				.first();
			await card.waitFor({ state: 'visible', timeout: 60000 });
			await card.locator('[data-test-id="card-content"]').click();
			await dialog.waitFor({ state: 'visible', timeout: 20000 });
			await dialog
				.locator(`[data-test-id="parameter-input-${secretField}"]`)
				.waitFor({ state: 'visible' });
			const labels = (
				await dialog
					.locator('[data-test-id="credential-connection-parameter"] label.n8n-input-label')
					.filter({ visible: true })
					.allInnerTexts()
			)
				.map((t) =>
					t
						.split('\n')[0]
						.replace(/\s*\*\s*$/, '')
						.trim(),
				)
				.filter(Boolean);
			(this.credentialFields ??= {})[cloudId] = labels;
			if (
				labels.includes('Allowed HTTP Request Domains') &&
				!this.findings.some((f) => f.key === 'allowed-http-request-domains')
			) {
				this.findings.push({
					key: 'allowed-http-request-domains',
					text:
						'n8n 2.41 adds "Allowed HTTP Request Domains" (All / Specific Domains / None) to the credential form: ' +
						'our credentials have `authenticate` (n8n-workflow injectDomainRestrictionFields; a credential can opt out ' +
						'with `hideDomainRestrictionFields: true`).',
				});
			}
			return `fields ${JSON.stringify(labels)}`;
		});
		if (!ok) return;

		ok = await this.check(name('credential test: "Connection tested successfully"'), async () => {
			// n8n tests a saved credential when the modal opens; press Retry to test it again, explicitly.
			await success.waitFor({ state: 'visible', timeout: 30000 });
			const callsBefore = this.apiCalls.length;
			await success.getByRole('button', { name: /Retry/ }).click();
			const call = await this.waitForTestCall(callsBefore);
			await success.waitFor({ state: 'visible', timeout: 30000 });
			// The button shows a spinner while retesting; wait for its label to come back before the picture.
			await success
				.getByRole('button', { name: /^Retry$/ })
				.waitFor({ state: 'visible', timeout: 15000 });
			await this.page.waitForFunction(
				(el) =>
					!!el &&
					!el.querySelector('button[disabled], button[aria-busy="true"]') &&
					/Retry/.test(el.innerText),
				await success.elementHandle(),
				{ timeout: 15000 },
			);
			await sleep(600);
			const text = (await success.innerText()).replace(/\s+/g, ' ').trim();
			if (!text.includes('Connection tested successfully'))
				throw new Error(`the banner says "${text}"`);
			await shot('07-credential-test-ok', 'credential modal after Retry: Connection tested successfully');
			return `banner "${text}"; POST /rest/credentials/test -> ${call.body.slice(0, 120)}`;
		});
		if (!ok) return;

		await this.check(name('credential test with a wrong secret fails and shows why'), async () => {
			const secret = dialog.locator(`[data-test-id="parameter-input-${secretField}"] input`);
			await secret.fill(wrongSecret);
			const callsBefore = this.apiCalls.length;
			// Save tests the credential again (the modal has no separate Test button in 2.41).
			await this.page.locator('[data-test-id="credential-save-button"]').click();
			const call = await this.waitForTestCall(callsBefore);
			const banner = dialog
				.locator('.el-tag--danger')
				.filter({ hasText: /Couldn.t connect with these settings/ })
				.first();
			await banner.waitFor({ state: 'visible', timeout: 30000 });
			await shot(
				'08-credential-test-wrong-secret',
				'credential modal after saving a wrong secret (details collapsed)',
			);
			const more = dialog.getByText('More details', { exact: true });
			if (await more.isVisible().catch(() => false)) await more.click();
			await sleep(500);
			const text = (await banner.innerText()).replace(/\s+/g, ' ').trim();
			await shot(
				'09-credential-test-wrong-secret-details',
				'credential modal after saving a wrong secret, "More details" open',
			);
			let serverMessage = '';
			try {
				serverMessage = JSON.parse(call.body).data?.message ?? '';
			} catch {
				serverMessage = call.body;
			}
			(this.wrongSecret ??= {})[cloudId] = { banner: text, testAnswer: call.body };
			if (wrongSecretWords.test(text)) return `banner "${text}"`;
			// n8n's credential tester shows only the HTTP status text for a non-2xx answer (and takes Tencent's and
			// UCloud's HTTP 200 error answers for a success); our credentials' tests word the cloud's error code through
			// their rules, so the code must be visible here.
			throw new Error(
				`the modal shows "${text}", not the cloud's words ${wrongSecretWords} (test answer ${serverMessage})`,
			);
		});
	}

	async waitForTestCall(callsBefore, timeoutMs = 30000) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const call = this.apiCalls
				.slice(callsBefore)
				.find((c) => c.url.includes('/rest/credentials/test'));
			if (call) return call;
			if (Date.now() > deadline) throw new Error('no POST /rest/credentials/test was made');
			await sleep(200);
		}
	}
}
