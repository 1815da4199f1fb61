/**
 * Derived data cached by content: an entry is used only when it is whole and made for the key
 * asked for; writes leave no partial file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentKey, pruneDaily, pruneEntries, readBytes, readEntry, writeEntry } from '../../stacks/content-cache';
import { tempDir } from '../support/cli';

test('an entry written under a key is read back under that key only', () => {
  const dir = path.join(tempDir(), 'renders');
  const key = contentKey(['chart', 'values: 1']);
  writeEntry(dir, key, '{"objects":[]}');
  expect(readEntry(dir, key)).toBe('{"objects":[]}');
  expect(readEntry(dir, contentKey(['chart', 'values: 2']))).toBeUndefined();
  expect(fs.readdirSync(dir)).toEqual([`${key}.json`]);
});

test('an entry of bytes is read back as the same bytes, and a text entry as its UTF-8 bytes', () => {
  const dir = tempDir();
  const key = contentKey(['code cache']);
  const bytes = Buffer.from([0xc0, 0xde, 0x0a, 0x00, 0xff, 0x0a]);
  writeEntry(dir, key, bytes);
  expect(readBytes(dir, key)).toEqual(bytes);
  const text = contentKey(['text']);
  writeEntry(dir, text, 'grüße\n');
  expect(readBytes(dir, text)).toEqual(Buffer.from('grüße\n'));
  expect(readEntry(dir, text)).toBe('grüße\n');
});

test('fails to read an entry of bytes when one byte was changed', () => {
  const dir = tempDir();
  const key = contentKey(['code cache']);
  writeEntry(dir, key, Buffer.from([1, 2, 3, 4]));
  const file = path.join(dir, `${key}.json`);
  const whole = fs.readFileSync(file);
  whole[whole.length - 1] ^= 0xff;
  fs.writeFileSync(file, whole);
  expect(readBytes(dir, key)).toBeUndefined();
});

test('a changed input is another key', () => {
  expect(contentKey(['a', 'b'])).not.toBe(contentKey(['a', 'c']));
  expect(contentKey(['ab', 'c'])).not.toBe(contentKey(['a', 'bc']));
  expect(contentKey(['a', ['b']])).toBe(contentKey(['a', ['b']]));
  expect(contentKey(['["b"]'])).not.toBe(contentKey([['b']]));
  expect(contentKey(['1'])).not.toBe(contentKey([1]));
  expect(contentKey([''])).not.toBe(contentKey([]));
  // A lone surrogate and the replacement character UTF-8 would write for it.
  expect(contentKey(['crd \ud800'])).not.toBe(contentKey(['crd \ufffd']));
});

test('fails to read (and so recomputes) when the entry is truncated', () => {
  const dir = tempDir();
  const key = contentKey(['truncated']);
  writeEntry(dir, key, JSON.stringify({ objects: [{ kind: 'ConfigMap' }] }));
  const file = path.join(dir, `${key}.json`);
  const whole = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, whole.slice(0, whole.length - 5));
  expect(readEntry(dir, key)).toBeUndefined();
  fs.writeFileSync(file, whole.slice(0, whole.indexOf('\n')));
  expect(readEntry(dir, key)).toBeUndefined();
  writeEntry(dir, key, 'again');
  expect(readEntry(dir, key)).toBe('again');
});

test('fails to read when the body was edited or the entry belongs to another key', () => {
  const dir = tempDir();
  const key = contentKey(['one']);
  const other = contentKey(['other']);
  writeEntry(dir, key, '{"replicas":1}');
  const file = path.join(dir, `${key}.json`);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"replicas":1', '"replicas":2'));
  expect(readEntry(dir, key)).toBeUndefined();
  writeEntry(dir, other, '{"replicas":1}');
  fs.copyFileSync(path.join(dir, `${other}.json`), file);
  expect(readEntry(dir, key)).toBeUndefined();
});

test('a cache that cannot be written costs only the work: no error, no entry, no temporary file', () => {
  const parent = tempDir();
  const blocked = path.join(parent, 'file');
  fs.writeFileSync(blocked, 'not a directory');
  expect(() => writeEntry(blocked, contentKey(['x']), 'body')).not.toThrow();
  expect(readEntry(blocked, contentKey(['x']))).toBeUndefined();
  expect(fs.readdirSync(parent)).toEqual(['file']);
});

test('entries unused for two weeks are pruned; reading an entry keeps it', () => {
  const dir = tempDir();
  const [used, unused, recent] = ['used', 'unused', 'recent'].map((k) => contentKey([k]));
  for (const key of [used, unused, recent]) writeEntry(dir, key, key);
  const old = new Date(Date.now() - 15 * 86_400_000);
  for (const key of [used, unused]) fs.utimesSync(path.join(dir, `${key}.json`), old, old);
  fs.writeFileSync(path.join(dir, `${unused}.json.4242.tmp`), 'left by a killed writer');
  fs.utimesSync(path.join(dir, `${unused}.json.4242.tmp`), old, old);
  expect(readEntry(dir, used)).toBe(used);
  pruneEntries(dir);
  expect(fs.readdirSync(dir).sort()).toEqual([`${used}.json`, `${recent}.json`].sort());
  expect(() => pruneEntries(path.join(dir, 'missing'))).not.toThrow();
});

test('reading an entry marks it used at most once a day: one marked hours ago keeps its time, one marked days ago is marked again', () => {
  const dir = tempDir();
  const [recent, stale] = ['recent', 'stale'].map((k) => contentKey([k]));
  for (const key of [recent, stale]) writeEntry(dir, key, key);
  const mtime = (key: string) => fs.statSync(path.join(dir, `${key}.json`)).mtimeMs;
  fs.utimesSync(path.join(dir, `${recent}.json`), new Date(Date.now() - 20 * 3_600_000), new Date(Date.now() - 20 * 3_600_000));
  fs.utimesSync(path.join(dir, `${stale}.json`), new Date(Date.now() - 2 * 86_400_000), new Date(Date.now() - 2 * 86_400_000));
  const marked = mtime(recent);
  expect([readEntry(dir, recent), readEntry(dir, stale)]).toEqual([recent, stale]);
  expect(mtime(recent)).toBe(marked);
  expect(Date.now() - mtime(stale)).toBeLessThan(3_600_000);
});

test('files this release does not name (another gitplane version\'s entries in a shared cache) are pruned as entries are: kept while used within two weeks, removed when unused for longer', () => {
  const dir = tempDir();
  const key = contentKey(['current']);
  writeEntry(dir, key, 'module.exports = () => true;');
  const [inUse, unused] = ['0a1b2c3d4e5f60718293a4b5c6d7e8f901234567', 'f0e1d2c3b4a5968778695a4b3c2d1e0f98765432'];
  for (const name of [`${inUse}.js`, `${inUse}.js.v8`, `${key}.json.4242.tmp`, `${unused}.js`, `${unused}.js.v8`]) fs.writeFileSync(path.join(dir, name), 'written by another gitplane version');
  const weeksAgo = new Date(Date.now() - 15 * 86_400_000);
  for (const name of [`${unused}.js`, `${unused}.js.v8`]) fs.utimesSync(path.join(dir, name), weeksAgo, weeksAgo);
  fs.mkdirSync(path.join(dir, 'nested'));
  pruneEntries(dir);
  expect(fs.readdirSync(dir).sort()).toEqual([`${inUse}.js`, `${inUse}.js.v8`, `${key}.json`, `${key}.json.4242.tmp`, 'nested']);
});

describe('pruneDaily', () => {
  const DAY = 86_400_000;
  /** A file `name` in `dir` unused for fifteen days. */
  function unused(dir: string, name: string): void {
    fs.writeFileSync(path.join(dir, name), 'an earlier format');
    const weeksAgo = new Date(Date.now() - 15 * DAY);
    fs.utimesSync(path.join(dir, name), weeksAgo, weeksAgo);
  }

  /** A cache directory holding a file of an earlier format unused for two weeks, last pruned `ago` milliseconds ago (never, when undefined). */
  function cache(ago: number | undefined): string {
    const dir = tempDir();
    unused(dir, '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567.js');
    if (ago !== undefined) {
      fs.writeFileSync(path.join(dir, 'pruned'), '');
      const then = new Date(Date.now() - ago);
      fs.utimesSync(path.join(dir, 'pruned'), then, then);
    }
    return dir;
  }

  test('prunes a directory never pruned, and records when', () => {
    const dir = cache(undefined);
    pruneDaily(dir);
    expect(fs.readdirSync(dir)).toEqual(['pruned']);
    expect(Date.now() - fs.statSync(path.join(dir, 'pruned')).mtimeMs).toBeLessThan(DAY);
  });

  test('prunes a directory last pruned more than a day ago', () => {
    const dir = cache(DAY + 60_000);
    pruneDaily(dir);
    expect(fs.readdirSync(dir)).toEqual(['pruned']);
    expect(Date.now() - fs.statSync(path.join(dir, 'pruned')).mtimeMs).toBeLessThan(DAY);
  });

  test('leaves a directory pruned within the day as it is, and looks at a directory once per process', () => {
    const recent = cache(3_600_000);
    pruneDaily(recent);
    expect(fs.readdirSync(recent).sort()).toEqual(['0a1b2c3d4e5f60718293a4b5c6d7e8f901234567.js', 'pruned']);
    const twice = cache(undefined);
    pruneDaily(twice);
    unused(twice, 'left.js');
    fs.rmSync(path.join(twice, 'pruned'));
    pruneDaily(twice);
    expect(fs.readdirSync(twice)).toEqual(['left.js']);
  });

  test('a directory that does not exist is not made', () => {
    const missing = path.join(tempDir(), 'missing');
    expect(() => pruneDaily(missing)).not.toThrow();
    expect(fs.existsSync(missing)).toBe(false);
  });
});
