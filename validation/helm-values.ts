/**
 * Checks the Helm values gitplane generates against the pinned chart: every key must exist in
 * the chart's default values (Helm silently ignores a misspelt key), and the merged values must
 * satisfy the chart's `values.schema.json` where it ships one.
 *
 * Defaults are read from `<dir>/<chart>-<version>.yaml` and `<dir>/<chart>-<version>.schema.json`
 * in the first of the directories (settings.helmValuesDirs: the project's schemas/, pulled charts,
 * the offline mirror) that has them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { contentKey, pruneDaily, readEntry, writeEntry } from '../stacks/content-cache';
import { isMap } from '../stacks/objects';
import { closest } from '../stacks/spelling';
import { loadStandalone, standaloneCode } from '../stacks/standalone-validator';
import type { ValidationProblem } from './index';
import { SCHEMA_FIX } from './unchecked';

export interface HelmValuesInput {
  /** Chart name and pinned version, as the files in the defaults directory are named. */
  readonly chart: string;
  readonly version: string;
  readonly values: Record<string, unknown>;
  /** Dotted paths below which any key is accepted. */
  readonly openKeys?: readonly string[];
  /** File the values are written to, for messages. */
  readonly file: string;
}

type Tree = Record<string, unknown>;

/** `<chart>-<version>.yaml` in the first directory that has it. */
export function chartDefaultsFile(dirs: readonly string[], chart: string, version: string): string | undefined {
  return dirs.map((dir) => path.join(dir, `${chart}-${version}.yaml`)).find((file) => fs.existsSync(file));
}

/** Problems with one chart's values; none when every key is known and the schema holds. */
export function checkHelmValues(input: HelmValuesInput, dirs: readonly string[], cache?: string): ValidationProblem[] {
  const object = `chart ${input.chart} ${input.version}`;
  const problem = (message: string): ValidationProblem => ({ file: input.file, object, message });
  // A release that sets no values takes the chart's defaults; there is no key to misspell.
  if (Object.keys(input.values).length === 0) return [];
  const file = chartDefaultsFile(dirs, input.chart, input.version);
  if (!file) {
    const unchecked = `the values of chart ${input.chart} ${input.version}`;
    const where = dirs.length > 0 ? dirs.join(', ') : 'no directory';
    return [{ ...problem(`${unchecked} were not checked: no default values in ${where} (looked for ${input.chart}-${input.version}.yaml). ${SCHEMA_FIX}`), unchecked }];
  }
  if (cache !== undefined) pruneDaily(cache);
  const base = file.slice(0, -'.yaml'.length);
  const defaults = chartDefaults(file, cache);
  const problems: ValidationProblem[] = [];
  const open = new Set(input.openKeys ?? []);
  const walk = (values: Tree, known: Tree, at: string[]) => {
    for (const [key, value] of Object.entries(values)) {
      const here = [...at, key];
      const dotted = here.join('.');
      if (open.has(dotted)) continue;
      if (!(key in known)) {
        const hint = closest(key, Object.keys(known));
        const parent = at.length > 0 ? at.join('.') : 'the top level';
        problems.push(problem(`${dotted}: ${input.chart} ${input.version} has no value "${key}" under ${parent}${hint ? `. Did you mean "${hint}"?` : '.'} Helm would ignore it silently; fix the key in the values gitplane generates.`));
        continue;
      }
      const defaultValue = known[key];
      // An empty default map ({}, e.g. nodeSelector or podAnnotations) takes any keys.
      if (isMap(value) && isMap(defaultValue) && Object.keys(defaultValue).length > 0) walk(value, defaultValue, here);
    }
  };
  walk(input.values, defaults, []);

  const validate = chartSchema(`${base}.schema.json`, cache);
  if (validate) {
    if (!validate(merge(defaults, input.values))) {
      for (const e of validate.errors ?? []) {
        const where = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(values)';
        problems.push(problem(`${where}: ${e.message ?? 'does not match'} (values.schema.json of ${input.chart} ${input.version}). Fix the value gitplane generates.`));
      }
    }
  }
  return problems;
}

/** Values as Helm merges them: maps merge key by key, everything else replaces the default. */
function merge(defaults: unknown, values: unknown): unknown {
  if (!isMap(defaults) || !isMap(values)) return values;
  const out: Tree = { ...defaults };
  for (const [k, v] of Object.entries(values)) out[k] = merge(defaults[k], v);
  return out;
}

/*
 * A chart's defaults and schema are the same for every environment and release that uses it;
 * parsing the defaults (thousands of lines for kube-prometheus-stack) and compiling the schema
 * took most of a multi-environment run's Helm check. Each is done once per process and, given a
 * cache directory, once per content: the parsed defaults are cached as JSON and the compiled
 * schema as ajv's standalone code, keyed by the digest of the file's text
 * (stacks/content-cache.ts), pruned once a day (pruneDaily).
 */
const defaultsByFile = new Map<string, Tree>();
const schemaByFile = new Map<string, ValidateFunction | undefined>();

function chartDefaults(file: string, cache: string | undefined): Tree {
  let defaults = defaultsByFile.get(file);
  if (!defaults) {
    const text = fs.readFileSync(file, 'utf8');
    const key = contentKey(['chart-defaults 1', text]);
    const cached = cache === undefined ? undefined : readEntry(cache, key);
    if (cached !== undefined) defaults = JSON.parse(cached) as Tree;
    else {
      defaults = (parse(text) ?? {}) as Tree;
      if (cache !== undefined) writeEntry(cache, key, JSON.stringify(defaults));
    }
    defaultsByFile.set(file, defaults);
  }
  return defaults;
}

function chartSchema(file: string, cache: string | undefined): ValidateFunction | undefined {
  if (!schemaByFile.has(file)) {
    let validate: ValidateFunction | undefined;
    if (fs.existsSync(file)) {
      const text = fs.readFileSync(file, 'utf8');
      const key = contentKey(['chart-schema 1', text]);
      const cached = cache === undefined ? undefined : readEntry(cache, key);
      if (cached !== undefined) validate = loadStandalone(cached);
      else {
        const schema = JSON.parse(text) as { $schema?: string };
        // Loaded here: validating manifests alone (validate --dir) needs no chart schema.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const Compiler = (String(schema.$schema ?? '').includes('2020-12') ? require('ajv/dist/2020') : require('ajv')) as typeof import('ajv');
        const ajv = new Compiler.default({ strict: false, allErrors: true, code: { source: true } });
        validate = ajv.compile(schema);
        if (cache !== undefined) {
          writeEntry(cache, key, standaloneCode(ajv, validate));
        }
      }
    }
    schemaByFile.set(file, validate);
  }
  return schemaByFile.get(file);
}
