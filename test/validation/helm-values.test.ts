import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentKey, readEntry, writeEntry } from '../../stacks/content-cache';
import { loadSettings } from '../../stacks/settings';
import { checkHelmValues } from '../../validation';
import { tempDir } from '../support/cli';
import { testWithMirrors } from '../support/mirrors';

const dirs = loadSettings().helmValuesDirs;
const check = (chart: string, version: string, values: Record<string, unknown>, openKeys?: string[]) =>
  checkHelmValues({ chart, version, values, openKeys, file: 'dev/values/x.yaml' }, dirs).map((p) => p.message);

testWithMirrors(['schemas'], 'keys that exist in the chart defaults pass, and empty default maps take any key', () => {
  expect(check('longhorn', '1.12.1', { persistence: { defaultClassReplicaCount: 2 }, longhornManager: { nodeSelector: { 'kubernetes.io/arch': 'arm64' } } })).toEqual([]);
});

testWithMirrors(['schemas'], 'fails when a values key is misspelt, naming the path and the nearest key', () => {
  expect(check('longhorn', '1.12.1', { persistance: { defaultClassReplicaCount: 2 } })).toEqual([
    'persistance: longhorn 1.12.1 has no value "persistance" under the top level. Did you mean "persistence"? Helm would ignore it silently; fix the key in the values gitplane generates.',
  ]);
});

testWithMirrors(['schemas'], 'paths declared open accept keys the defaults do not list', () => {
  const values = { configs: { cm: { 'resource.customizations.health.argoproj.io_Application': 'hs = {}' } } };
  expect(check('argo-cd', '10.1.1', values)).toHaveLength(1);
  expect(check('argo-cd', '10.1.1', values, ['configs.cm'])).toEqual([]);
});

testWithMirrors(['schemas'], 'fails when a value breaks the chart\'s values.schema.json', () => {
  expect(check('external-secrets', '2.9.0', { replicaCount: 'two' })).toEqual([
    'replicaCount: must be integer (values.schema.json of external-secrets 2.9.0). Fix the value gitplane generates.',
  ]);
  expect(check('external-secrets', '2.9.0', { replicaCount: 2 })).toEqual([]);
});

test('values of a chart whose defaults are in no directory are reported unchecked, with the fix', () => {
  const empty = tempDir();
  const problems = checkHelmValues({ chart: 'longhorn', version: '9.9.9', values: { persistence: { defaultClass: true } }, file: 'x' }, [empty]);
  expect(problems).toEqual([
    expect.objectContaining({ unchecked: 'the values of chart longhorn 9.9.9', message: expect.stringContaining(`no default values in ${empty} (looked for longhorn-9.9.9.yaml). Run "gitplane schemas pull"`) }),
  ]);
  expect(fs.existsSync(path.join(empty, 'longhorn-9.9.9.yaml'))).toBe(false);
});

testWithMirrors(['schemas'], 'the first directory that has a chart\'s defaults is used', () => {
  const first = tempDir();
  fs.writeFileSync(path.join(first, 'longhorn-1.12.1.yaml'), 'persistence:\n  defaultClassReplicaCount: 3\n');
  expect(checkHelmValues({ chart: 'longhorn', version: '1.12.1', values: { persistence: { defaultClass: true } }, file: 'x' }, [first, ...dirs])).toHaveLength(1);
  expect(checkHelmValues({ chart: 'longhorn', version: '1.12.1', values: { persistence: { defaultClass: true } }, file: 'x' }, [tempDir(), ...dirs])).toEqual([]);
});

test('a release that sets no values needs no defaults file: there is no key to check', () => {
  expect(checkHelmValues({ chart: 'nack', version: '0.34.0', values: {}, file: 'x' }, [tempDir()])).toEqual([]);
});

testWithMirrors(['schemas'], 'defaults and the compiled values schema are cached by content, and a tampered entry is never used', () => {
  const cache = tempDir();
  const source = (ext: string) => fs.readFileSync(dirs.map((d) => path.join(d, `external-secrets-2.9.0${ext}`)).find((f) => fs.existsSync(f))!, 'utf8');
  // Each copy is a file this process has not read: only the cache on disk can spare the work.
  const copy = () => {
    const dir = tempDir();
    for (const ext of ['.yaml', '.schema.json']) fs.writeFileSync(path.join(dir, `external-secrets-2.9.0${ext}`), source(ext));
    return [dir];
  };
  const checkIn = (at: string[], values: Record<string, unknown>) => checkHelmValues({ chart: 'external-secrets', version: '2.9.0', values, file: 'x' }, at, cache).map((p) => p.message);
  const wrong = ['replicaCount: must be integer (values.schema.json of external-secrets 2.9.0). Fix the value gitplane generates.'];
  expect(checkIn(copy(), { replicaCount: 'two' })).toEqual(wrong);
  const entries = fs.readdirSync(cache).filter((f) => f.endsWith('.json')).map((f) => path.join(cache, f));
  expect(entries).toHaveLength(2);
  expect(checkIn(copy(), { replicaCount: 'two' })).toEqual(wrong);
  expect(checkIn(copy(), { replicaCount: 2, replicaCont: 2 })).toEqual([expect.stringContaining('replicaCont: external-secrets 2.9.0 has no value "replicaCont"')]);
  // An entry whose body no longer matches its digest: a validator that accepts anything.
  const schemaEntry = entries.find((f) => fs.readFileSync(f, 'utf8').includes('module.exports'))!;
  const text = fs.readFileSync(schemaEntry, 'utf8');
  fs.writeFileSync(schemaEntry, `${text.slice(0, text.indexOf('\n'))}\nmodule.exports = () => true;`);
  expect(checkIn(copy(), { replicaCount: 'two' })).toEqual(wrong);
});

test('the values cache is pruned once a day: a file of an earlier format unused for two weeks goes, an entry in use stays', () => {
  const defaults = tempDir();
  fs.writeFileSync(path.join(defaults, 'demo-1.0.0.yaml'), 'replicas: 1\n');
  const cache = tempDir();
  const earlier = path.join(cache, '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567.js');
  fs.writeFileSync(earlier, 'left by an earlier gitplane');
  const weeksAgo = new Date(Date.now() - 15 * 86_400_000);
  fs.utimesSync(earlier, weeksAgo, weeksAgo);
  const key = contentKey(['a values schema read today']);
  writeEntry(cache, key, 'module.exports = () => true;');
  expect(checkHelmValues({ chart: 'demo', version: '1.0.0', values: { replicas: 2 }, file: 'x' }, [defaults], cache)).toEqual([]);
  expect(fs.existsSync(earlier)).toBe(false);
  expect(readEntry(cache, key)).toBe('module.exports = () => true;');
});
