/**
 * What a test that needs the offline mirrors does: runs with them; without them, fails when the run
 * asked for them (GITPLANE_REQUIRE_MIRRORS=1, set by .ci/run exactly when it found them) and is
 * skipped otherwise, so that skipping never hides a mirror CI was given.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, SHARED_DIR } from './cli';
import { mirrorDecision, mirrorNote, missingMirrors, SKIPPED_MARK, withoutMirrorWarnings } from './mirrors';

const REQUIRED = { GITPLANE_REQUIRE_MIRRORS: '1' };

test('runs when no mirror is missing, whether or not the run requires them', () => {
  expect(mirrorDecision([], {})).toBe('run');
  expect(mirrorDecision([], REQUIRED)).toBe('run');
});

test('fails when a mirror is missing and the run requires the mirrors', () => {
  expect(mirrorDecision(['charts'], REQUIRED)).toBe('fail');
  expect(mirrorDecision(['schemas', 'charts'], REQUIRED)).toBe('fail');
});

test('skips when a mirror is missing and the run does not require them; only "1" requires them', () => {
  expect(mirrorDecision(['schemas'], {})).toBe('skip');
  expect(mirrorDecision(['schemas'], { GITPLANE_REQUIRE_MIRRORS: '' })).toBe('skip');
  expect(mirrorDecision(['schemas'], { GITPLANE_REQUIRE_MIRRORS: 'true' })).toBe('skip');
});

test('a mirror is missing when the file that marks it is not there: crds/ of the schemas, index.yaml of the charts', () => {
  const present = (files: string[]) => (file: string) => files.includes(file);
  const crds = path.join(SHARED_DIR, 'schemas', 'crds');
  const index = path.join(SHARED_DIR, 'charts', 'index.yaml');
  expect(missingMirrors(['schemas', 'charts'], present([crds, index]))).toEqual([]);
  expect(missingMirrors(['schemas', 'charts'], present([crds]))).toEqual(['charts']);
  expect(missingMirrors(['schemas', 'charts'], present([index]))).toEqual(['schemas']);
  expect(missingMirrors(['charts'], present([]))).toEqual(['charts']);
});

test('the note names what is missing, where it was looked for, and how to get it, on one line', () => {
  expect(mirrorNote(['schemas', 'charts'])).toBe(
    `the offline mirror of the pinned charts' CRDs and default values (GITPLANE_SCHEMA_MIRROR; not at ${path.join(SHARED_DIR, 'schemas', 'crds')}) and of the pinned chart archives (GITPLANE_CHART_MIRROR; not at ${path.join(SHARED_DIR, 'charts', 'index.yaml')}) is missing: run "bash .ci/run" with network (it fetches them with "gitplane schemas pull"), or set GITPLANE_SHARED_DIR to a directory holding schemas/ and charts/.`,
  );
});

test('only the warnings of a missing mirror are taken out of a command\'s stderr', () => {
  const stderr = [
    'warning: not schema-checked (no CRD or chart defaults available): longhorn.io/v1beta2 RecurringJob (1). Run "gitplane schemas pull".',
    'warning: the offline mirror /nowhere/schemas (schemas.mirror in gitplane.yaml) does not exist. Create it or change the setting.',
    'warning: not rendered, so not judged: the chart nack 0.34.0 of application nats (1).',
    'error: something else.',
    '',
  ].join('\n');
  expect(withoutMirrorWarnings(stderr, [])).toBe(stderr);
  expect(withoutMirrorWarnings(stderr, ['charts']).split('\n')).toEqual([expect.stringMatching(/^warning: not schema-checked/), expect.stringMatching(/^warning: the offline mirror/), 'error: something else.', '']);
  expect(withoutMirrorWarnings(stderr, ['schemas', 'charts'])).toBe('error: something else.\n');
});

test('.ci/run counts the skipped tests by the mark their titles carry', () => {
  expect(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')).toContain(`a.fullName.includes("${SKIPPED_MARK}")`);
});
