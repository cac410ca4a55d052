/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		// Type errors are caught by `npm run typecheck`; transpiling alone keeps the suite fast.
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
	testTimeout: 30000,
	// Most of the suite's time is spent waiting (poll intervals of at least 1 s, retry backoff, emulator tasks that
	// take real time), not computing: three workers on two cores cut the run from ~160 s to ~60 s.
	maxWorkers: 3,
};
