/**
 * Files named on the command line for output (`policy --output` and `--report`, `schema --out`,
 * `policy --docs --output`): checked before any work, written whole (a temporary file renamed over
 * the target), through a link to the file it leads to, and a write the system refuses is exit 2
 * naming the option, never a crash. Also the cache directory where none can be made.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitplane, tempDir } from '../support/cli';
import { testWithMirrors } from '../support/mirrors';

test('fails when --out names a file in a directory that does not exist: exit 2 naming the option, nothing written', () => {
  const dir = tempDir();
  const out = path.join(dir, 'missing', 'environment.schema.json');
  const r = gitplane(['schema', '--out', out]);
  expect(r).toMatchObject({ status: 2, stdout: '' });
  expect(r.stderr).toBe(`error: --out ${out}: the directory ${path.dirname(out)} does not exist. Create it, or give a file in an existing directory.\n`);
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('fails when --output names a directory', () => {
  const dir = tempDir();
  const r = gitplane(['schema', '--out', dir]);
  expect(r.status).toBe(2);
  expect(r.stderr).toBe(`error: --out ${dir}: ${dir} is a directory. Give a file name, e.g. ${path.join(dir, 'report.txt')}.\n`);
});

test('fails when the system refuses the write (a full disk: /dev/full): exit 2 naming the option and the reason', () => {
  const r = gitplane(['schema', '--out', '/dev/full']);
  expect(r.status).toBe(2);
  expect(r.stderr).toBe('error: --out /dev/full: cannot write /dev/full (ENOSPC: no space left on device). Give a file in a directory you may write to, on a disk with space.\n');
});

test('fails when a --report cannot be written: exit 2 before anything is synthesized or judged, no report written', () => {
  const dir = tempDir();
  const json = path.join(dir, 'gitplane.json');
  const sarif = path.join(dir, 'missing', 'gitplane.sarif');
  const r = gitplane(['policy', '--env', 'dev', '--output', json, '--report', `sarif=${sarif}`]);
  expect(r.status).toBe(2);
  expect(r.stderr).toBe(`error: --report sarif=${sarif}: the directory ${path.dirname(sarif)} does not exist. Create it, or give a file in an existing directory.\n`);
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('an existing file is replaced by a whole new one through the link that names it, keeping its mode; no temporary file is left', () => {
  const dir = tempDir();
  const target = path.join(dir, 'schema.json');
  fs.writeFileSync(target, 'an older schema, longer than nothing '.repeat(10_000), { mode: 0o640 });
  fs.chmodSync(target, 0o640);
  fs.symlinkSync('schema.json', path.join(dir, 'link.json'));
  const before = fs.statSync(target).ino;
  const r = gitplane(['schema', '--out', path.join(dir, 'link.json')]);
  expect(r).toMatchObject({ status: 0, stderr: '' });
  expect(fs.lstatSync(path.join(dir, 'link.json')).isSymbolicLink()).toBe(true);
  expect(fs.readFileSync(target, 'utf8')).toBe(gitplane(['schema']).stdout);
  expect(fs.statSync(target).mode & 0o777).toBe(0o640);
  // A new file renamed over the old one, not the old one rewritten: whoever reads it meanwhile reads it whole.
  expect(fs.statSync(target).ino).not.toBe(before);
  expect(fs.readdirSync(dir).sort()).toEqual(['link.json', 'schema.json']);
});

test('a device is written to, not replaced: --out /dev/null', () => {
  const r = gitplane(['schema', '--out', '/dev/null']);
  expect(r).toMatchObject({ status: 0, stdout: '', stderr: '' });
  expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
});

// Node's recursive mkdir never returns under /proc: every command that kept something in the cache hung there.
const UNMAKEABLE_CACHE = { XDG_CACHE_HOME: '/proc/gitplane-test-cache' };

test('a cache directory that cannot be made is only not used by what caches for speed: validate --dir ends, where it hung', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: a\ndata:\n  a: b\n');
  const r = gitplane(['validate', '--dir', dir], { env: UNMAKEABLE_CACHE });
  expect(r).toMatchObject({ status: 0, stdout: 'all objects valid\n' });
});

testWithMirrors(['charts'], 'fails when the cache directory cannot be made and a chart\'s defaults must be kept there: exit 2 naming it', () => {
  const r = gitplane(['policy', '--env', 'dev', '--output', '/dev/null'], { env: UNMAKEABLE_CACHE });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('error: /proc/gitplane-test-cache/gitplane: the cache directory cannot be written (ENOENT: no such file or directory). Set XDG_CACHE_HOME to a directory you may write to.\n');
});
