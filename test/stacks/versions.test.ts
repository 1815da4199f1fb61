/**
 * environments/versions.yaml is edited by hand and by Renovate's pull requests: every value is a
 * string whatever it looks like, and a pin of another shape is refused with the file, line and
 * field, never read as something else.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../stacks/errors';
import { buildEnvironment } from '../../stacks/pipeline';
import { projectApps } from '../../stacks/platform';
import { loadSettings } from '../../stacks/settings';
import { pinnedVersions, readVersions, versionLabel } from '../../stacks/versions';
import { variant } from '../support/environments';
import { ALIAS_BOMB, ALIAS_BOMB_PROBLEM } from '../support/alias-bomb';
import { ROOT } from '../support/cli';

const FILE = 'environments/versions.yaml';
const shipped = fs.readFileSync(path.join(ROOT, FILE), 'utf8');
const read = (text: string) => readVersions(text, () => FILE);

function problemsOf(text: string): string[] {
  try {
    read(text);
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error('expected the pins to be refused');
}

/** The shipped file with `from` replaced by `to` (which must be found). */
function edited(from: string | RegExp, to: string): string {
  const text = shipped.replace(from, to);
  expect(text).not.toBe(shipped);
  return text;
}

test('the shipped pins are read as they are written', () => {
  const pins = read(shipped);
  expect(pins).toEqual(pinnedVersions());
  expect(pins.images.preflight).toEqual({ repository: 'docker.io/library/busybox', tag: '1.37.0' });
  expect(pins.charts.longhorn).toEqual({ repoURL: 'https://charts.longhorn.io', chart: 'longhorn', version: '1.12.1' });
});

test('a tag or version that YAML would read as a number is read as written: 1.40 stays "1.40", not 1.4', () => {
  const pins = read(edited('tag: 1.37.0', 'tag: 1.40').replace('version: 1.12.1', 'version: 1.10'));
  expect(pins.images.preflight.tag).toBe('1.40');
  expect(pins.charts.longhorn.version).toBe('1.10');
});

test.each([
  ['a tag is empty', edited('tag: 1.37.0', 'tag:'), [`${FILE}:29:9: images.preflight.tag must be a non-empty string (it is empty). Fix the pin.`]],
  ['a tag is a list', edited('tag: 1.37.0', 'tag: [1, 2]'), [`${FILE}:29:10: images.preflight.tag must be a non-empty string (found a list). Fix the pin.`]],
  [
    'a tag is not a tag',
    edited('tag: 1.37.0', 'tag: "-x y"'),
    [`${FILE}:29:10: images.preflight.tag is "-x y". An image tag is up to 128 letters, digits, "_", "." and "-", not starting with "." or "-", optionally followed by @sha256:<64 hex digits>; e.g. 2.14.2-alpine.`],
  ],
  ['an image has no repository', edited('    repository: docker.io/library/busybox\n', ''), [`${FILE}:28:5: images.preflight.repository must be a non-empty string (it is missing). Fix the pin.`]],
  [
    'a repository is not lower case',
    edited('docker.io/library/busybox', 'docker.io/library/BusyBox'),
    [`${FILE}:28:17: images.preflight.repository is "docker.io/library/BusyBox". It must be an image repository such as docker.io/library/nats: lower-case names separated by "/", after an optional registry host.`],
  ],
  ['a pin has a field gitplane does not read', edited('    tag: 1.37.0\n', '    tag: 1.37.0\n    digest: sha256:0\n'), [`${FILE}:30:5: images.preflight.digest is not a field of a pin (known: repository, tag). Remove it or fix its name.`]],
  ['a chart version names a path', edited('version: 1.12.1', 'version: ../x'), [`${FILE}:42:14: charts.longhorn.version is "../x". It must be a chart version such as 1.12.1, with no path separator.`]],
  ['a chart pin is a string', edited(/ {2}nack:\n(?: {4}.*\n){3}/, '  nack: 0.34.0\n'), [`${FILE}:47:9: charts.nack must be a map with repoURL, chart, version (found "0.34.0"). Fix the entry.`]],
  [
    'a section is misspelt',
    edited(/^images:$/m, 'image:'),
    [`${FILE}:4:1: "image" is not a section of the pins (known: images, charts). Remove it or fix its name.`, `${FILE}:4:1: images must be a map of pins by key (it is missing). Fix the section.`],
  ],
  ['the file is not a map', 'pins', [`${FILE}:1:1: the file must be a map with the sections images and charts. Fix the file.`]],
  ['the file is not valid YAML', edited('charts:', 'charts: ['), [`${FILE}:36:14: the file is not valid YAML: Nested mappings are not allowed in compact mappings. Fix the syntax.`]],
  ['its aliases expand past the limit', `${ALIAS_BOMB}images: {}\ncharts: {}\n`, [`${FILE}: ${ALIAS_BOMB_PROBLEM}`]],
])('fails when %s', (_, text, expected) => {
  expect(problemsOf(text)).toEqual(expected);
});

const DIGEST = `sha256:${'0'.repeat(64)}`;

test('a pin may carry the digest Renovate pins after its tag; the version label is the tag alone', () => {
  const pins = read(edited('tag: 1.37.0', `tag: 1.37.0@${DIGEST}`));
  expect(pins.images.preflight.tag).toBe(`1.37.0@${DIGEST}`);
  expect(versionLabel(pins, 'preflight')).toBe('1.37.0');
  expect(problemsOf(edited('tag: 1.37.0', `tag: "@${DIGEST}"`))).toEqual([`${FILE}:29:10: images.preflight.tag is "@${DIGEST}". Give the tag before the digest (2.14.2-alpine@sha256:...): Renovate follows the tag.`]);
});

test('a tag that cannot be a label value gives no version label rather than one the API server refuses', () => {
  const pins = read(edited('tag: 1.37.0', `tag: ${'1'.repeat(64)}`));
  expect(versionLabel(pins, 'preflight')).toBeUndefined();
  expect(versionLabel(pins, 'no-such-image')).toBeUndefined();
});

test('an environment that overrides a tag with a digest runs that image, and its objects keep a version label the API server accepts', () => {
  const spec = variant('dev', (s) => {
    (s.versions as Record<string, string>).nats = `2.14.2-alpine@${DIGEST}`;
  });
  const b = buildEnvironment(spec, loadSettings(), projectApps());
  expect(b.problems.filter((p) => !p.unchecked)).toEqual([]);
  const nats = b.output.objects.find((o) => o.manifest.kind === 'StatefulSet' && o.manifest.metadata.name === 'nats')!.manifest as any;
  expect(nats.spec.template.spec.containers.map((c: { image: string }) => c.image)).toContain(`docker.io/library/nats:2.14.2-alpine@${DIGEST}`);
  expect(nats.metadata.labels['app.kubernetes.io/version']).toBe('2.14.2-alpine');
});
