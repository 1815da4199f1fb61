/**
 * The offline mirrors some tests read, and what such a test does when they are absent.
 *
 * `schemas`: the pinned charts' CRDs and default values (SHARED_DIR/schemas, what gitplane.yaml's
 * schemas.mirror and GITPLANE_SCHEMA_MIRROR name); `charts`: an offline Helm repository of the
 * pinned chart archives (SHARED_DIR/charts, GITPLANE_CHART_MIRROR). A test that needs one runs
 * when it is present. When it is absent, the test fails if the run asked for the mirrors
 * (`GITPLANE_REQUIRE_MIRRORS=1`, which .ci/run sets exactly when it found or fetched them), and
 * is skipped with a note saying what is missing otherwise (a clone with no mirror beside it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SHARED_DIR } from './cli';

export type Mirror = 'schemas' | 'charts';

const SCHEMA_MIRROR = path.join(SHARED_DIR, 'schemas');
const CHART_MIRROR = path.join(SHARED_DIR, 'charts');

const WHAT: Record<Mirror, { what: string; variable: string; marker: string }> = {
  schemas: { what: 'the pinned charts\' CRDs and default values', variable: 'GITPLANE_SCHEMA_MIRROR', marker: path.join(SCHEMA_MIRROR, 'crds') },
  charts: { what: 'the pinned chart archives', variable: 'GITPLANE_CHART_MIRROR', marker: path.join(CHART_MIRROR, 'index.yaml') },
};

/** The mirrors of `needs` that are not there. */
export function missingMirrors(needs: readonly Mirror[], exists: (file: string) => boolean = fs.existsSync): Mirror[] {
  return needs.filter((mirror) => !exists(WHAT[mirror].marker));
}

/** Run when nothing is missing; otherwise fail when the run requires the mirrors, else skip. */
export function mirrorDecision(missing: readonly Mirror[], env: NodeJS.ProcessEnv = process.env): 'run' | 'fail' | 'skip' {
  if (missing.length === 0) return 'run';
  return env.GITPLANE_REQUIRE_MIRRORS === '1' ? 'fail' : 'skip';
}

/** One line naming what is missing, where it was looked for, and how to get it. */
export function mirrorNote(missing: readonly Mirror[]): string {
  const parts = missing.map((mirror) => `${WHAT[mirror].what} (${WHAT[mirror].variable}; not at ${WHAT[mirror].marker})`);
  return `the offline mirror of ${parts.join(' and of ')} is missing: run "bash .ci/run" with network (it fetches them with "gitplane schemas pull"), or set GITPLANE_SHARED_DIR to a directory holding schemas/ and charts/.`;
}

/** The warnings of synth, validate and policy about what a missing mirror left unchecked, by the mirror. */
const WARNINGS: Record<Mirror, RegExp[]> = {
  schemas: [/^warning: not schema-checked \(no CRD or chart defaults available\): /, /^warning: the offline mirror .* does not exist\. Create it or change the setting\.$/],
  charts: [/^warning: not rendered, so not judged: /],
};

/**
 * A command's stderr without the warnings it prints because a mirror is missing (what
 * test/cli/schemas.test.ts checks word for word): exactly as printed when the mirrors are there.
 */
export function withoutMirrorWarnings(stderr: string, missing: readonly Mirror[] = missingMirrors(['schemas', 'charts'])): string {
  const expected = missing.flatMap((mirror) => WARNINGS[mirror]);
  return stderr
    .split('\n')
    .filter((line) => !expected.some((warning) => warning.test(line)))
    .join('\n');
}

/** Ends the title of a test or block skipped for want of a mirror: .ci/run counts them by it. */
export const SKIPPED_MARK = '[skipped: no offline mirror]';

/** The notes this test file printed: each once, however many tests it skips. */
const noted = new Set<string>();

function decide(needs: readonly Mirror[]): 'run' | 'fail' | 'skip' {
  const missing = missingMirrors(needs);
  const decision = mirrorDecision(missing);
  const note = mirrorNote(missing);
  if (decision === 'skip' && !noted.has(note)) {
    noted.add(note);
    // eslint-disable-next-line no-console
    console.warn(`skipping the tests marked ${SKIPPED_MARK}: ${note}`);
  }
  return decision;
}

function failing(needs: readonly Mirror[]): () => never {
  return () => {
    throw new Error(`${mirrorNote(missingMirrors(needs))} (GITPLANE_REQUIRE_MIRRORS=1 makes this an error.)`);
  };
}

/** `describe` when the mirrors are there; otherwise a skipped block, or a failing one when the run requires them. */
export function describeWithMirrors(needs: readonly Mirror[], title: string, fn: () => void): void {
  const decision = decide(needs);
  if (decision === 'run') describe(title, fn);
  else if (decision === 'fail') describe(title, () => test('the offline mirrors are present', failing(needs)));
  else describe.skip(`${title} ${SKIPPED_MARK}`, fn);
}

/** `test` when the mirrors are there; otherwise a skipped test, or a failing one when the run requires them. */
export function testWithMirrors(needs: readonly Mirror[], title: string, fn: jest.ProvidesCallback, timeout?: number): void {
  const decision = decide(needs);
  if (decision === 'run') test(title, fn, timeout);
  else if (decision === 'fail') test(title, failing(needs));
  else test.skip(`${title} ${SKIPPED_MARK}`, fn);
}

/** `testWithMirrors` once per case, `%s` in the title replaced by the case, as `test.each` does. */
export function testEachWithMirrors<T>(needs: readonly Mirror[], cases: readonly T[], title: string, fn: (c: T) => void | Promise<unknown>, timeout?: number): void {
  for (const c of cases) testWithMirrors(needs, title.replace('%s', String(c)), (() => fn(c)) as jest.ProvidesCallback, timeout);
}
