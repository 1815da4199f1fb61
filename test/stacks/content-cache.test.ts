/**
 * Derived data cached by content: an entry is used only when it is whole and made for the key
 * asked for; writes leave no partial file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentKey, pruneEntries, readEntry, writeEntry } from '../../stacks/content-cache';
import { tempDir } from '../support/cli';

test('an entry written under a key is read back under that key only', () => {
  const dir = path.join(tempDir(), 'renders');
  const key = contentKey(['chart', 'values: 1']);
  writeEntry(dir, key, '{"objects":[]}');
  expect(readEntry(dir, key)).toBe('{"objects":[]}');
  expect(readEntry(dir, contentKey(['chart', 'values: 2']))).toBeUndefined();
  expect(fs.readdirSync(dir)).toEqual([`${key}.json`]);
});

test('a changed input is another key', () => {
  expect(contentKey(['a', 'b'])).not.toBe(contentKey(['a', 'c']));
  expect(contentKey(['ab', 'c'])).not.toBe(contentKey(['a', 'bc']));
  expect(contentKey(['a', ['b']])).toBe(contentKey(['a', ['b']]));
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
