/** Unit and conformance tests; TypeScript is transpiled only (type checking is `npm run typecheck`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 60000,
  // Jest's default on 2 cores is one worker; conformance tests mostly wait on real servers and
  // subprocesses, so two workers nearly halve the run.
  maxWorkers: 2,
};
