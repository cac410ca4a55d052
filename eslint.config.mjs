import { config } from '@n8n/node-cli/eslint';

// n8n's own community-node config, unchanged for the code that ships (nodes/, credentials/, package.json).
// The tests, the emulator, the benchmarks and the scripts never ship: they run HTTP servers and touch the
// file system, so the Cloud-only import/global restrictions and no-console do not apply to them.
export default [
	...config,
	{
		files: ['test/**/*.ts', 'emulator/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
		rules: {
			'@n8n/community-nodes/no-restricted-imports': 'off',
			'@n8n/community-nodes/no-restricted-globals': 'off',
			'no-console': 'off',
		},
	},
];
