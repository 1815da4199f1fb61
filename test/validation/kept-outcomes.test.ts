/**
 * Outcomes of schema checks kept between runs (validation/kept-outcomes.ts): a run that finds
 * them reports what a run without them reports, a changed CRD or object is judged again, an
 * object JSON does not give back exactly is never kept, and a warm `gitplane validate` loads no
 * model of a built-in kind.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { parseJsonSource } from '../../stacks/json-source';
import { Manifest } from '../../stacks/objects';
import { CrdRegistry, Validator } from '../../validation';
import { JUDGING_CODE, packageVersions } from '../../validation/kept-outcomes';
import { BIN, gitplaneArgv, ROOT, tempDir } from '../support/cli';

const widgetCrd = (size: Record<string, unknown>) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    names: { kind: 'Widget', plural: 'widgets' },
    scope: 'Namespaced',
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: size } } } } } }],
  },
});

function crdDir(size: Record<string, unknown>): string {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'widgets.yaml'), stringify(widgetCrd(size)));
  return dir;
}

const objects: Manifest[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'valid', namespace: 'demo' }, data: { a: 'b' } },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'typo', namespace: 'demo' }, spec: { replica: 2, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'x:1' }] } } } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'wrong-type', namespace: 'demo' }, spec: { ports: [{ port: 'eighty' }] } },
  { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'demo' }, spec: { size: 'large' } },
  { apiVersion: 'unknown.example.org/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'demo' } },
];

const located = (list: Manifest[]) => list.map((manifest, i) => ({ manifest, file: `f${i}.yaml` }));

test('a validator finding kept outcomes reports what one judging every object reports, and keeps one entry for the objects it judged together', () => {
  const crds = crdDir({ type: 'integer' });
  const keep = tempDir();
  const judged = new Validator(new CrdRegistry([crds], tempDir())).validate(located(objects));
  // Every kind of outcome is among them: valid, unknown field, wrong type, a CRD's schema, no schema.
  expect(judged.map((p) => p.object)).toEqual(['Deployment/demo/typo', 'Service/demo/wrong-type', 'Widget/demo/w', 'Gadget/demo/g']);
  expect(judged.filter((p) => p.unchecked)).toHaveLength(1);
  expect(new Validator(new CrdRegistry([crds], tempDir()), keep).validate(located(objects))).toEqual(judged);
  expect(fs.readdirSync(keep).filter((f) => f.endsWith('.json'))).toHaveLength(1);
  // Read back by a validator of its own, as the next command would.
  expect(new Validator(new CrdRegistry([crds], tempDir()), keep).validate(located(objects))).toEqual(judged);
  expect(fs.readdirSync(keep).filter((f) => f.endsWith('.json'))).toHaveLength(1);
  // In another order, the same problems in that order: another list, another entry.
  expect(new Validator(new CrdRegistry([crds], tempDir()), keep).validate(located([...objects].reverse())).map((p) => p.object)).toEqual(judged.map((p) => p.object).reverse());
});

test('an outcome is kept for the CRD it was judged against: another schema for the kind judges the object again', () => {
  const keep = tempDir();
  const widget = objects.filter((o) => o.kind === 'Widget');
  const strict = new Validator(new CrdRegistry([crdDir({ type: 'integer' })], tempDir()), keep).validate(located(widget));
  expect(strict.map((p) => p.message)).toEqual([expect.stringContaining('spec.size: must be integer')]);
  expect(new Validator(new CrdRegistry([crdDir({ type: 'string' })], tempDir()), keep).validate(located(widget))).toEqual([]);
  // A CRD directory with none for the group: the object goes unchecked, not judged as before.
  expect(new Validator(new CrdRegistry([tempDir()], tempDir()), keep).validate(located(widget)).map((p) => p.unchecked)).toEqual(['example.com/v1 Widget']);
});

test('a changed object is judged again, and an object JSON does not give back exactly is judged every time and never kept', () => {
  const keep = tempDir();
  const crds = tempDir();
  const validator = () => new Validator(new CrdRegistry([crds], tempDir()), keep);
  const port = (value: unknown): Manifest => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'demo' }, spec: { ports: [{ port: value }] } });
  expect(validator().validate(located([port(80)]))).toEqual([]);
  expect(validator().validate(located([port('eighty')]))).toHaveLength(1);
  const entries = fs.readdirSync(keep).filter((f) => f.endsWith('.json')).length;
  // NaN is written as null by JSON, which is another object's outcome: the two must not share one.
  const nan = validator().validate(located([port(NaN)])).map((p) => p.message);
  const nil = validator().validate(located([port(null)])).map((p) => p.message);
  expect(nan).not.toEqual(nil);
  expect(validator().validate(located([port(NaN)])).map((p) => p.message)).toEqual(nan);
  expect(fs.readdirSync(keep).filter((f) => f.endsWith('.json'))).toHaveLength(entries + 1);
});

test('a document parsed from JSON text is named by the digest of that text, so even one JSON would not give back exactly is kept', () => {
  const keep = tempDir();
  const crds = tempDir();
  const validator = () => new Validator(new CrdRegistry([crds], tempDir()), keep);
  // -0: JSON.stringify writes 0, so the object itself is never kept; its text names it exactly.
  const text = '{"apiVersion":"v1","kind":"Service","metadata":{"name":"s","namespace":"demo"},"spec":{"ports":[{"port":-0}]}}';
  expect(validator().validate(located([JSON.parse(text) as Manifest]))).toEqual([]);
  expect(fs.readdirSync(keep).filter((f) => f.endsWith('.json'))).toHaveLength(0);
  expect(validator().validate(located([parseJsonSource(text) as Manifest]))).toEqual([]);
  expect(validator().validate(located([parseJsonSource(text) as Manifest]))).toEqual([]);
  expect(fs.readdirSync(keep).filter((f) => f.endsWith('.json'))).toHaveLength(1);
});

test('the code outcomes are keyed by holds every gitplane module validation loads, and the packages it reads schemas from', () => {
  const list = path.join(tempDir(), 'loaded.json');
  const script = `require('./validation'); require('node:fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(Object.keys(require.cache)));`;
  const r = spawnSync(process.execPath, ['-r', './bin/register.js', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const own = (JSON.parse(fs.readFileSync(list, 'utf8')) as string[]).map((f) => path.relative(ROOT, f)).filter((f) => !f.startsWith('node_modules') && !f.startsWith('..'));
  const judging = (f: string) => JUDGING_CODE.some((part) => f === `${part}.ts` || (path.dirname(f) === part && f.endsWith('.ts')));
  expect(own.filter((f) => !judging(f) && f !== path.join('bin', 'register.js'))).toEqual([]);
  expect(own).toContain(path.join('validation', 'core.ts'));
  // And the packages whose schemas and words it uses, with what kubernetes-models requires.
  expect(packageVersions()).toEqual(expect.arrayContaining([expect.stringMatching(/^kubernetes-models@/), expect.stringMatching(/^@kubernetes-models\/validate@/), expect.stringMatching(/^@kubernetes\/client-node@/), expect.stringMatching(/^ajv@/)]));
});

test('gitplane validate reports the same with its outcomes kept, and then loads no model of a built-in kind', () => {
  const env = { ...process.env, XDG_CACHE_HOME: tempDir() };
  const run = () => {
    const report = path.join(tempDir(), 'loaded.json');
    const preload = path.join(path.dirname(report), 'loaded.js');
    fs.writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify(Object.keys(require.cache))));\n`);
    const r = spawnSync(process.execPath, ['-r', preload, ...gitplaneArgv(['validate', '--env', 'dev'], BIN)], { cwd: ROOT, encoding: 'utf8', env });
    const models = (JSON.parse(fs.readFileSync(report, 'utf8')) as string[]).filter((f) => f.includes(`${path.sep}kubernetes-models${path.sep}`));
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, models: models.length };
  };
  const first = run();
  expect(first.models).toBeGreaterThan(0);
  expect(fs.readdirSync(path.join(env.XDG_CACHE_HOME, 'gitplane', 'validated')).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(0);
  const second = run();
  expect({ ...second, models: 0 }).toEqual({ ...first, models: 0 });
  expect(second.models).toBe(0);
});
