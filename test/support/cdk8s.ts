/**
 * cdk8s Apps for tests. cdk8s's `Testing.app()` makes a directory in $TMPDIR for every App
 * (`cdk8s.outdir.*`), which nothing removes; `testApp()` makes none. Its output directory is inside
 * the run's temporary directory (test/support/temporary-setup.js), and is written only when a test
 * synthesizes the App to disk, which the constructs' tests never do: they read `chart.toJson()`.
 * test/support/temporary-teardown.js fails a run that leaves a `cdk8s.outdir.*` directory.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdk8s';

export function testApp(): App {
  return new App({ outdir: path.join(os.tmpdir(), 'cdk8s-test-app') });
}
