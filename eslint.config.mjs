import { config } from '@n8n/node-cli/eslint';

// n8n's own community-node config, unchanged for the code that ships (nodes/, credentials/, package.json).
// The tests, the emulator, the benchmarks and the scripts never ship: they run HTTP servers and touch the
// file system, so the Cloud-only import/global restrictions and no-console do not apply to them.
export default [
	...config,
	// .build/ holds the per-cloud packages cut from this tree (scripts/build-packages.mjs); each is linted on its own,
	// with its own config, by scripts/lint-packages.mjs.
	{ ignores: ['.build/'] },
	{
		files: ['test/**/*.ts', 'emulator/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
		rules: {
			'@n8n/community-nodes/no-restricted-imports': 'off',
			'@n8n/community-nodes/no-restricted-globals': 'off',
			// test/packaging runs the packaging scripts, tar and a bare Node process (child_process).
			'@n8n/community-nodes/no-dangerous-functions': 'off',
			'no-console': 'off',
		},
	},
];
