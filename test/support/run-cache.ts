/**
 * Deterministic work shared between the test files of one jest run. The first file to need a
 * value computes it and stores it as JSON in the run's temporary directory
 * (test/support/temporary-setup.js), under the digest of everything it is made from besides the
 * code; the others read it back, whatever order jest runs them in. The code cannot change during
 * a run, and the directory goes with the run. Outside a jest run every value is computed.
 */
import * as path from 'node:path';
import { contentKey, readEntry, writeEntry } from '../../stacks/content-cache';

const DIR = process.env.GITPLANE_TEST_TMPDIR && path.join(process.env.GITPLANE_TEST_TMPDIR, 'shared');

/** The value made from `inputs`: `make()` once per run, its JSON (`T` must round-trip through JSON) read back after. */
export function sharedInRun<T>(inputs: readonly unknown[], make: () => T): T {
  if (!DIR) return make();
  const key = contentKey(inputs);
  const stored = readEntry(DIR, key);
  if (stored !== undefined) return JSON.parse(stored) as T;
  const value = make();
  writeEntry(DIR, key, JSON.stringify(value));
  return value;
}
