/**
 * What checking an object's schema found, kept between runs as stacks/content-cache.ts keeps
 * Helm's renders: keyed by the object's JSON, by what the CRD registry decides about its kind
 * (CrdRegistry.schemaKey) and by the code and packages that judge it (`codeKey`), so a changed
 * input is another entry, never a stale one. A pull request's check judges again only the objects
 * it changed, and for the rest loads no model of a built-in kind and no CRD's validator. An object
 * is named by the digest of its JSON, or of the JSON text it was parsed from when that is known
 * (stacks/json-source.ts: the documents of Helm's renders); one JSON does not give back exactly
 * (an undefined field, NaN) is judged every time.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentKey, pruneDaily, readEntry, writeEntry } from '../stacks/content-cache';
import { jsonExact } from '../stacks/json-exact';
import { jsonSourceDigest } from '../stacks/json-source';
import { Manifest } from '../stacks/objects';
import { FieldProblem } from './field-problem';

/** An object not checked for want of a schema, or the problems its schema found (none when valid). */
export type Outcome = { readonly unchecked: string; readonly message: string } | { readonly problems: readonly FieldProblem[] };

/** Changes when what an entry holds changes. */
const FORMAT = 'validation-outcome 1';

/** Outcomes kept in `dir`: `judge` runs only for an object whose outcome is not there yet. */
export function keptOutcomes(dir: string): (manifest: Manifest, schemaKey: string, judge: () => Outcome) => Outcome {
  pruneDaily(dir);
  return (manifest, schemaKey, judge) => {
    const json = jsonSourceDigest(manifest) ?? (jsonExact(manifest, true) ? jsonDigest(manifest) : undefined);
    if (json === undefined) return judge();
    const key = contentKey([FORMAT, codeKey(), schemaKey, json]);
    const kept = readEntry(dir, key);
    if (kept !== undefined) return JSON.parse(kept) as Outcome;
    const outcome = judge();
    writeEntry(dir, key, JSON.stringify(outcome));
    return outcome;
  };
}

/**
 * gitplane's modules an outcome depends on, from the root of its code: all that validation loads
 * is in the folders validation/ and stacks/ but one module, named here
 * (test/validation/kept-outcomes.test.ts checks that this stays so).
 */
export const JUDGING_CODE = ['validation', 'stacks', 'constructs/core/order'];

/** The sha256 of the object's JSON: JSON.stringify writes no lone surrogate, so its UTF-8 is exact and half the bytes of contentKey's UTF-16. */
function jsonDigest(manifest: Manifest): string {
  return createHash('sha256').update(JSON.stringify(manifest)).digest('hex');
}

let code: string | undefined;

/**
 * Everything an outcome depends on besides the object and its CRD: the Node.js release (its
 * regular expressions run the schemas' patterns), the packages holding the built-in kinds'
 * schemas and field lists, and the sources of JUDGING_CODE, as installed or checked out.
 */
function codeKey(): string {
  if (code === undefined) {
    const ext = path.extname(__filename);
    const root = path.join(__dirname, '..');
    const files = JUDGING_CODE.flatMap((part) => {
      const dir = path.join(root, part);
      if (fs.existsSync(`${dir}${ext}`)) return [`${dir}${ext}`];
      return fs
        .readdirSync(dir)
        .filter((name) => name.endsWith(ext) && !name.endsWith('.d.ts'))
        .sort()
        .map((name) => path.join(dir, name));
    });
    code = contentKey([process.version, packageVersions(), ...files.flatMap((file) => [path.relative(root, file), fs.readFileSync(file, 'utf8')])]);
  }
  return code;
}

/** `name@version` of kubernetes-models and every package it requires, of @kubernetes/client-node (its models) and of ajv (its error objects). */
export function packageVersions(): string[] {
  const found = new Map<string, string>();
  const visit = (name: string, from: string, withDependencies: boolean) => {
    const dir = packageDir(name, from);
    if (dir === undefined || found.has(dir)) return;
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string; dependencies?: Record<string, string> };
    found.set(dir, `${name}@${manifest.version}`);
    if (withDependencies) for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, dir, true);
  };
  visit('kubernetes-models', __dirname, true);
  visit('@kubernetes/client-node', __dirname, false);
  visit('ajv', __dirname, false);
  return [...found.values()].sort();
}

/** The directory of package `name` as `require` finds it from `from`: in the nearest node_modules that has it. */
function packageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}
