/** Unit and conformance tests; TypeScript is transpiled only (type checking is `npm run typecheck`). */
module.exports = {
  // Jest's node environment, with V8's code cache for modules every test file compiles again.
  testEnvironment: '<rootDir>/test/support/code-cache-environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
    // secretlint's rule preset is published as an ES module only: Node 20 requires it as it is,
    // jest needs it compiled to CommonJS first.
    '/node_modules/@secretlint/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@secretlint/)'],
  // A bound for a hung test only, never a statement about speed: on 2 cores shared with builds and
  // other runs (load averages of 45 seen) a test takes many times longer than on an idle machine.
  // Each wait inside a test ends on its condition, bounded by HUNG_MS (test/support/limits.ts).
  testTimeout: 600_000,
  // Jest's default on 2 cores is one worker; conformance tests mostly wait on real servers and
  // subprocesses, so two workers nearly halve the run.
  maxWorkers: 2,
  // Every temporary directory of the run lives in one, removed at the end (test/support/temporary-root.js).
  globalSetup: '<rootDir>/test/support/temporary-setup.js',
  globalTeardown: '<rootDir>/test/support/temporary-teardown.js',
};
