/**
 * One temporary directory per `jest` run, made the workers' TMPDIR (they and every process they
 * start inherit it) and removed by temporary-teardown.js when the run ends. A worker jest stops
 * without an exit leaves its temporary directories behind; inside this one they go too. Other
 * runs on the machine have their own.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitplane-run-'));
  // Passable like /tmp, for the tests that run a command as another user; each temporary
  // directory inside is the user's own (0700).
  fs.chmodSync(dir, 0o755);
  process.env.GITPLANE_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
  // The Go programs the tests run (etcd, kube-apiserver, Argo CD, promtool, Helm, NATS, ...) live for
  // one test file at most, and the run has memory to spare: letting their heap grow to five times
  // the live data before a collection instead of twice (Go's GOGC=100) takes 13 to 19 % off their
  // CPU (docs/performance.md, "The test suite"). A GOGC given to the run is kept.
  process.env.GOGC ??= '400';
};
