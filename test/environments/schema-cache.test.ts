/**
 * The environment schema's validator is compiled once per content and then loaded from its cache
 * entry (ajv's standalone code), and the loaded one judges as the compiled one does: the same
 * errors, the same defaults filled in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { ROOT, tempDir } from '../support/cli';

type Environment = typeof import('../../stacks/environment');

/** The environment loader and schema as a new process has them (no validator compiled or loaded yet). */
function fresh(): { environment: Environment; schema: object } {
  let loaded!: { environment: Environment; schema: object };
  jest.isolateModules(() => {
    loaded = { environment: jest.requireActual('../../stacks/environment'), schema: jest.requireActual('../../environments/schema').EnvironmentSchema };
  });
  return loaded;
}

/** What `run` returns, with ajv (its compiler) failing to load meanwhile. */
function withoutCompiler<T>(run: () => T): T {
  jest.doMock('ajv', () => {
    throw new Error('ajv was loaded to compile the environment schema');
  });
  try {
    return run();
  } finally {
    jest.dontMock('ajv');
  }
}

const DEV = parse(fs.readFileSync(path.join(ROOT, 'environments', 'dev.yaml'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** dev.yaml's data, changed by `change`. */
function dev(change: (d: Record<string, any>) => void = () => undefined): Record<string, unknown> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const d = structuredClone(DEV);
  change(d);
  return d;
}

const INPUTS: [string, Record<string, unknown>][] = [
  ['a valid file, whose defaults are filled in', dev()],
  ['an unknown field', dev((d) => (d.cluster.nodez = 1))],
  ['a wrong type', dev((d) => (d.cluster.nodes = 'three'))],
  ['a missing field', dev((d) => delete d.gitops)],
  ['a value outside the enum', dev((d) => (d.tier = 'qa'))],
  ['a value that breaks a format of gitplane (a duration)', dev((d) => (d.components.nats.streams[0].maxAge = '1 day'))],
  ['many problems at once', dev((d) => Object.assign(d, { name: 7, tier: null, extra: true }))],
];

/**
 * What `validate` says of each input: its verdict, its errors as JSON (what the loader's messages
 * read; the compiled schema's TypeBox symbols are not JSON) and the data as it left it.
 */
function judged(validate: ValidateFunction) {
  return INPUTS.map(([what, input]) => {
    const data = structuredClone(input);
    return { what, valid: validate(data), errors: JSON.parse(JSON.stringify(validate.errors ?? null)) as unknown, data };
  });
}

test('the validator loaded from the cache entry judges as the compiled one does, without loading ajv\'s compiler', () => {
  const dir = tempDir();
  const first = fresh();
  const compiled = first.environment.validatorOf(first.schema, dir);
  expect(fs.readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(1);
  const second = fresh();
  const loaded = withoutCompiler(() => second.environment.validatorOf(second.schema, dir));
  const [byCompiled, byLoaded] = [judged(compiled), judged(loaded)];
  expect(byCompiled.map((j) => [j.what, j.valid])).toEqual(INPUTS.map(([what], i) => [what, i === 0]));
  expect(byCompiled[0].data).not.toEqual(DEV);
  expect(byLoaded).toEqual(byCompiled);
});

test('the cache is pruned once a day of entries and of files of an earlier format unused for two weeks', () => {
  const dir = tempDir();
  const stale = [`${'e'.repeat(64)}.json`, '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567.js'];
  for (const name of stale) fs.writeFileSync(path.join(dir, name), 'left by an earlier schema or gitplane');
  const weeksAgo = new Date(Date.now() - 15 * 86_400_000);
  for (const name of stale) fs.utimesSync(path.join(dir, name), weeksAgo, weeksAgo);
  const first = fresh();
  first.environment.validatorOf(first.schema, dir);
  expect(fs.readdirSync(dir).filter((f) => stale.includes(f))).toEqual([]);
  expect(fs.readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(1);
});

test('fails when the cache entry was truncated: the schema is compiled again and the entry rewritten', () => {
  const dir = tempDir();
  const first = fresh();
  const compiled = first.environment.validatorOf(first.schema, dir);
  const entry = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.json'))!);
  const intact = fs.readFileSync(entry, 'utf8');
  fs.writeFileSync(entry, intact.slice(0, intact.length / 2));
  const second = fresh();
  expect(judged(second.environment.validatorOf(second.schema, dir))).toEqual(judged(compiled));
  expect(fs.readFileSync(entry, 'utf8')).toBe(intact);
});
