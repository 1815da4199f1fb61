/**
 * Removes the run's temporary directory (temporary-setup.js), and fails the run when a test left
 * cdk8s output directories in it: `Testing.app()` from cdk8s makes one for every App, which outside
 * a jest run (or in a run stopped before this) stays in $TMPDIR for good.
 */
const fs = require('node:fs');

/** The prefix of the directories cdk8s's `Testing.app()` makes in $TMPDIR. */
const CDK8S_OUTDIR = 'cdk8s.outdir.';

module.exports = () => {
  const dir = process.env.GITPLANE_TEST_TMPDIR;
  if (!dir) return;
  const left = fs.readdirSync(dir).filter((name) => name.startsWith(CDK8S_OUTDIR));
  fs.rmSync(dir, { recursive: true, force: true });
  if (left.length > 0) {
    throw new Error(
      `The tests left ${left.length} cdk8s output director${left.length === 1 ? 'y' : 'ies'} (${CDK8S_OUTDIR}*) in the temporary directory: cdk8s's Testing.app() makes one for every App. Use testApp() from test/support/cdk8s.ts instead.`,
    );
  }
};
