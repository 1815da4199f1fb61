/** Unit and conformance tests; TypeScript is transpiled only (type checking is `npm run typecheck`). */
const os = require('node:os');

/** swc's options for a file of the given syntax, compiled to CommonJS with a source map for stack traces. */
function swc(syntax) {
  return { jsc: { parser: { syntax }, target: 'es2022' }, module: { type: 'commonjs' }, sourceMaps: 'inline', swcrc: false };
}

module.exports = {
  // Jest's node environment, with V8's code cache for modules every test file compiles again.
  testEnvironment: '<rootDir>/test/support/code-cache-environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Transpiled only, by swc (docs/performance.md, "Transpiling for jest"): TypeScript as
  // tsconfig.json compiles it (ES2022, class fields defined), and secretlint's rule preset, an ES
  // module only, which Node 20 requires as it is and jest needs as CommonJS.
  transform: {
    '^.+\\.ts$': ['@swc/jest', swc('typescript')],
    '/node_modules/@secretlint/.+\\.js$': ['@swc/jest', swc('ecmascript')],
  },
  transformIgnorePatterns: ['/node_modules/(?!@secretlint/)'],
  // A bound for a hung test only, never a statement about speed: on 2 cores shared with builds and
  // other runs (load averages of 45 seen) a test takes many times longer than on an idle machine.
  // Each wait inside a test ends on its condition, bounded by HUNG_MS (test/support/limits.ts).
  testTimeout: 600_000,
  // One worker per core, at least two, and no more than one per 2 GiB of memory. Jest's default
  // keeps a core for itself (one worker on two cores), but the run is bound by CPU: the workers',
  // and that of the servers, tools and gitplane commands they start (docs/performance.md, "Tenth
  // pass"); two workers on two cores nearly halve it. A worker with the servers it starts takes up
  // to 2.7 GB (the Argo CD sync), so memory, not cores, bounds a large machine with little of it.
  maxWorkers: Math.max(2, Math.min(os.availableParallelism(), Math.floor(os.totalmem() / 2 ** 31))),
  // Every temporary directory of the run lives in one, removed at the end (test/support/temporary-root.js).
  globalSetup: '<rootDir>/test/support/temporary-setup.js',
  globalTeardown: '<rootDir>/test/support/temporary-teardown.js',
};
