/**
 * The pins as the CLI reads them, in a copy of this repository whose environments/versions.yaml
 * a test edits as a Renovate pull request would: a bumped tag that looks like a number deploys
 * that tag, and a pin gitplane cannot read stops the command with exit 2 before it writes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { copyOfRepository, gitplane, tempDir } from '../support/cli';

const project = copyOfRepository(tempDir('gitplane-versions-'));
const pins = path.join(project, 'environments', 'versions.yaml');
const shipped = fs.readFileSync(pins, 'utf8');

/** `gitplane synth --env dev --out OUT` in the copy, with its pins file replaced by `text`. */
function synthWith(text: string, out: string) {
  fs.writeFileSync(pins, text);
  return gitplane(['synth', '--env', 'dev', '--out', out], { project });
}

/** Every image the synthesized objects under `dir` run. */
function images(dir: string): string[] {
  const found = new Set<string>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const file = path.join(d, e.name);
      if (e.isDirectory()) walk(file);
      else if (file.endsWith('.yaml')) for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) JSON.stringify(doc.toJS(), (k, v) => (k === 'image' && found.add(v), v));
    }
  };
  walk(dir);
  return [...found];
}

test('a bumped tag that YAML would read as a number (tag: 1.40) deploys that tag, not 1.4', () => {
  const out = path.join(tempDir(), 'out');
  const r = synthWith(shipped.replace('tag: 1.37.0', 'tag: 1.40'), out);
  expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
  const busybox = images(out).filter((i) => i.startsWith('docker.io/library/busybox:'));
  expect(busybox.length).toBeGreaterThan(0);
  expect(new Set(busybox)).toEqual(new Set(['docker.io/library/busybox:1.40']));
});

test('fails when a pin cannot be read: exit 2 naming the file, line and field, and nothing written', () => {
  const out = path.join(tempDir(), 'out');
  const r = synthWith(shipped.replace('tag: 1.37.0', 'tag: "-x y"'), out);
  expect(r).toEqual({
    status: 2,
    stdout: '',
    stderr:
      'error: environments/versions.yaml:29:10: images.preflight.tag is "-x y". An image tag is up to 128 letters, digits, "_", "." and "-", not starting with "." or "-", optionally followed by @sha256:<64 hex digits>; e.g. 2.14.2-alpine.\n',
  });
  expect(fs.existsSync(out)).toBe(false);
});
