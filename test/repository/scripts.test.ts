/**
 * The repository's own shell scripts, the CI entry point and the tool installer, pass shellcheck
 * (the scripts gitplane ships are checked beside their constructs).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from '../support/cli';
import { describeWithTool } from '../support/tools';

describeWithTool('shellcheck', 'the repository scripts', (shellcheck) => {
  test.each(['.ci/run', 'tools/install.sh'])('%s passes shellcheck', (script) => {
    const r = spawnSync(shellcheck, ['--shell=bash', path.join(ROOT, script)], { encoding: 'utf8' });
    expect({ status: r.status, output: r.stdout + r.stderr }).toEqual({ status: 0, output: '' });
  });
});
