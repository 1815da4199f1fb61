/**
 * What checking objects' schemas found, kept between runs as stacks/content-cache.ts keeps Helm's
 * renders: an entry for each list of objects judged together (an environment's own objects, one
 * chart's render), keyed by each object's JSON, by what the CRD registry decides about its kind
 * (CrdRegistry.schemaKey) and by the code and packages that judge it (`codeKey`), so a changed
 * input is another entry, never a stale one. A pull request's check judges again only the lists
 * its change touched, and for the rest loads no model of a built-in kind and no CRD's validator;
 * one entry per list, not per object, because writing hundreds of small files cost a first run
 * more than the check itself. An object is named by the digest of its JSON, or of the JSON text it
 * was parsed from when that is known (stacks/json-source.ts: the documents of Helm's renders); one
 * JSON does not give back exactly (an undefined field, NaN) is judged every time.
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
const FORMAT = 'validation-outcomes 1';

/**
 * Outcomes kept in `dir`, one entry for each list of objects judged together (an environment's
 * objects, a chart's render): `judge` runs for the objects of a list not judged before, and for
 * every object that is not named by a digest.
 */
export function keptOutcomes(dir: string): (items: readonly { manifest: Manifest; schemaKey: string }[], judge: (manifest: Manifest) => Outcome) => Outcome[] {
  pruneDaily(dir);
  return (items, judge) => {
    const digests = items.map(({ manifest }) => jsonSourceDigest(manifest) ?? (jsonExact(manifest, true) ? jsonDigest(manifest) : undefined));
    const outcomes = items.map(({ manifest }, i) => (digests[i] === undefined ? judge(manifest) : undefined));
    const named = digests.flatMap((digest, i) => (digest === undefined ? [] : [i]));
    if (named.length === 0) return outcomes as Outcome[];
    const key = contentKey([FORMAT, codeKey(), ...named.flatMap((i) => [items[i].schemaKey, digests[i]!])]);
    const text = readEntry(dir, key);
    let kept = text === undefined ? undefined : (JSON.parse(text) as Outcome[]);
    if (kept?.length !== named.length) {
      kept = named.map((i) => judge(items[i].manifest));
      writeEntry(dir, key, JSON.stringify(kept));
    }
    named.forEach((i, n) => (outcomes[i] = kept[n]));
    return outcomes as Outcome[];
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
    // Each source's bytes, hashed as read (no decoding), after its name and length.
    const sources = createHash('sha256');
    for (const file of files) {
      const bytes = fs.readFileSync(file);
      sources.update(`${path.relative(root, file)}\0${bytes.length}\0`).update(bytes);
    }
    code = contentKey([process.version, packageVersions(), sources.digest('hex')]);
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
