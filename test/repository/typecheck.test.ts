/**
 * The repository type-checks: `npm run typecheck` (tsc over the sources, tests and bench) as one of
 * the suite's files, so that tsc, which uses one core, runs beside the other worker's tests rather
 * than before them all (docs/performance.md, "Ninth pass").
 */
import { spawnSync } from 'node:child_process';
import { ROOT } from '../support/cli';

test('npm run typecheck reports no error', () => {
  const r = spawnSync('npm', ['run', '--silent', 'typecheck'], { cwd: ROOT, encoding: 'utf8' });
  expect({ status: r.status, output: r.stdout + r.stderr }).toEqual({ status: 0, output: '' });
});
