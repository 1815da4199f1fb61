/**
 * Validation of custom resources against their CustomResourceDefinition's `openAPIV3Schema`,
 * the way the API server's strict field validation does: unknown fields are rejected unless the
 * schema preserves them (`x-kubernetes-preserve-unknown-fields`), int-or-string fields take
 * either, and `nullable` fields take null.
 *
 * CRDs are read from directories (a setting: users point it at their own cluster's CRDs). Each
 * file is parsed and checked once, and the index of the CRDs it holds (group, kind and where in
 * the file) cached on disk by the digest of its bytes, so a run reads each file and an index
 * entry but parses nothing it parsed before; a schema is parsed and compiled only when an object
 * needs it, and the compiled validator is cached on disk by the CRD text's hash, because parsing and compiling
 * the large upstream CRDs (Argo CD's Application alone is over 1 MB) dominated a cold run; V8's
 * compiled code for each cached validator is cached beside it. Both are entries of
 * stacks/content-cache.ts: written atomically and used only when their digest checks, so an
 * edited or truncated entry is compiled again, never run; pruned once a day of the validators of
 * CRDs no longer read (unused for two weeks) and of files of earlier cache formats.
 */

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { LineCounter, Node, parseAllDocuments, parseDocument, stringify } from 'yaml';
import { contentKey, pruneDaily, readBytes, readEntry, writeEntry } from '../stacks/content-cache';
import { InputError } from '../stacks/errors';
import { isMap, Manifest } from '../stacks/objects';
import { displayPath, PACKAGE_ROOT } from '../stacks/paths';
import { standaloneCode } from '../stacks/standalone-validator';
import { Crd as CrdItem, crdProblem } from '../stacks/crd-import';
import { describeValue } from '../stacks/describe-value';
import { documentValue, syntaxProblem } from '../stacks/yaml-value';
import { ajvProblems, FieldProblem } from './field-problem';
import { filesUnder } from '../stacks/out-of-bounds';

const CACHE_DIR = path.join(PACKAGE_ROOT, 'node_modules', '.cache', 'gitplane', 'crd');
/**
 * Where the CRD files' indexes are cached, whatever directory a registry's validators are cached
 * in: an index is keyed by the file's bytes alone, and a registry with a cache of its own (a
 * test's) would otherwise parse every CRD again (1.6 s of CPU for the mirror's 8.5 MB).
 */
const INDEX_DIR = path.join(CACHE_DIR, 'index');
const CACHE_VERSION = 'crd-validator 3';
const INDEX_VERSION = 'crd-index 1';

type Schema = Record<string, unknown>;

interface CrdVersion {
  name: string;
  served?: boolean;
  schema?: { openAPIV3Schema?: Schema };
}
interface Crd {
  kind: string;
  spec: { group: string; names: { kind: string }; scope: 'Namespaced' | 'Cluster'; versions: CrdVersion[] };
}

export interface CustomKind {
  scope: 'Namespaced' | 'Cluster';
  validate: ValidateFunction;
}

/** One CRD of a file's index: its group and kind, and its text (a `kind: List` item, written as a document of its own) or where it is in the file's bytes. */
interface IndexedCrd {
  group: string;
  kind: string;
  text?: string;
  bytes?: [start: number, end: number];
}

export class CrdRegistry {
  private readonly sources = new Map<string, { file: string; bytes: Buffer; crd: IndexedCrd }>();
  private readonly groups = new Set<string>();
  private readonly compiled = new Map<string, CustomKind | null>();
  private readonly schemaKeys = new Map<string, string>();
  /** Made on the first validator not in the cache: a run whose validators are all cached never loads ajv. */
  private ajvInstance?: Ajv;

  /**
   * Indexes every CRD in the YAML files under `dirs` (recursively), the first definition of a
   * group and kind winning, so `dirs` is in order of precedence. A file may also be a `kind: List`
   * of CRDs, as `kubectl get crd -o yaml` prints them. A file that is not valid YAML, a document
   * that is not a Kubernetes object, and a CRD without the fields validation needs are input
   * errors naming the file, the line and the field; objects of other kinds are skipped, as
   * kubeconform's CRD converter skips them, so an operator's release manifest can serve as it
   * is. Compiled validators are cached in `cacheDir`, the files' indexes in INDEX_DIR.
   */
  constructor(
    public readonly dirs: readonly string[],
    private readonly cacheDir: string = CACHE_DIR,
  ) {
    pruneDaily(cacheDir);
    pruneDaily(INDEX_DIR);
    const problems: string[] = [];
    for (const dir of dirs) {
      for (const file of crdFiles(dir)) {
        const bytes = fs.readFileSync(file);
        const key = contentKey([INDEX_VERSION, createHash('sha256').update(bytes).digest('hex')]);
        const cached = readEntry(INDEX_DIR, key);
        let index: IndexedCrd[];
        if (cached !== undefined) {
          index = JSON.parse(cached) as IndexedCrd[];
        } else {
          const read = indexCrds(bytes, file);
          if ('problems' in read) {
            problems.push(...read.problems);
            continue;
          }
          index = read.crds;
          writeEntry(INDEX_DIR, key, JSON.stringify(index));
        }
        for (const crd of index) {
          this.groups.add(crd.group);
          if (!this.sources.has(`${crd.group}/${crd.kind}`)) this.sources.set(`${crd.group}/${crd.kind}`, { file, bytes, crd });
        }
      }
    }
    if (problems.length > 0) throw new InputError(problems);
  }

  /** Whether any indexed CRD belongs to the API group `group`. */
  hasGroup(group: string): boolean {
    return this.groups.has(group);
  }

  /**
   * The digest of what this registry decides about an object of `group` and `kind`: the
   * directories it searched (messages name them), whether a CRD belongs to the group, and the
   * text of the CRD defining the kind. Outcomes kept between runs are keyed by it
   * (validation/kept-outcomes.ts).
   */
  schemaKey(group: string, kind: string): string {
    const id = `${group}/${kind}`;
    let key = this.schemaKeys.get(id);
    if (key === undefined) {
      const found = this.sources.get(id);
      key = contentKey([this.dirs, this.groups.has(group), found ? crdText(found) : '']);
      this.schemaKeys.set(id, key);
    }
    return key;
  }

  get size(): number {
    return this.sources.size;
  }

  /** The compiled validator of a served apiVersion and kind, or null when no CRD defines it. */
  lookup(apiVersion: string, kind: string): CustomKind | null {
    const key = `${apiVersion}/${kind}`;
    let found = this.compiled.get(key);
    if (found === undefined) {
      found = this.compile(apiVersion, kind);
      this.compiled.set(key, found);
    }
    return found;
  }

  private compile(apiVersion: string, kind: string): CustomKind | null {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const found = this.sources.get(`${group}/${kind}`);
    if (!found) return null;
    const source = { file: found.file, text: crdText(found) };
    const key = contentKey([CACHE_VERSION, apiVersion, kind, source.text]);
    const cached = loadCompiled(this.cacheDir, key) as (ValidateFunction & { scope: CustomKind['scope'] | null }) | undefined;
    if (cached) return cached.scope ? { scope: cached.scope, validate: cached } : null;
    const compiled = this.compileSource(source, apiVersion, version, kind);
    writeEntry(this.cacheDir, key, compiled ? `${standaloneCode(this.ajv(), compiled.validate)}\nmodule.exports.scope = ${JSON.stringify(compiled.scope)};\n` : 'module.exports = () => false;\nmodule.exports.scope = null;\n');
    return compiled;
  }

  private compileSource({ file, text }: { file: string; text: string }, apiVersion: string, version: string, kind: string): CustomKind | null {
    // The file's index holds only CRDs with the fields read here (crdProblem).
    const { value: crd } = documentValue(parseDocument(text)) as { value: Crd };
    const served = crd.spec.versions.find((v) => v.name === version && v.served !== false);
    const schema = served?.schema?.openAPIV3Schema;
    if (!schema) return null;
    const root = strict(structuredClone(schema));
    const properties = (root.properties ?? {}) as Record<string, Schema>;
    // metadata is checked as a built-in ObjectMeta; apiVersion and kind are fixed here.
    properties.metadata = { type: 'object' };
    properties.apiVersion = { const: apiVersion };
    properties.kind = { const: kind };
    root.properties = properties;
    root.additionalProperties = false;
    let validate: ValidateFunction;
    try {
      validate = this.ajv().compile(shareRepeated(root));
    } catch (e) {
      throw new InputError([`${displayPath(file)}: the openAPIV3Schema of ${kind} ${version} is not a schema gitplane can check against: ${(e as Error).message.split('\n')[0]}. ${FIX_CRD_FILE}`]);
    }
    return { scope: crd.spec.scope, validate };
  }

  private ajv(): Ajv {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { default: AjvClass } = require('ajv') as typeof import('ajv');
    this.ajvInstance ??= new AjvClass({ allErrors: true, strict: false, validateFormats: false, code: { source: true } });
    return this.ajvInstance;
  }
}

/** A CRD's text: its own (a `kind: List` item) or its part of the file's bytes. */
function crdText({ crd, bytes }: { crd: IndexedCrd; bytes: Buffer }): string {
  return crd.text ?? bytes.toString('utf8', ...(crd.bytes as [number, number]));
}

/**
 * The validator cached under `key` in `dir`, or undefined when there is no intact entry; loaded
 * with V8's code cache for it (the entry `<key>.v8`) when there is one: the generated code of a
 * large CRD costs V8 more to compile than validating a whole environment (all 27 of gitplane's
 * validators: about 1 s of CPU to load and first run, 0.17 s from the code cache). Node 20 has no
 * `module.enableCompileCache`, so the module is wrapped and run as Node runs a CommonJS file. A
 * missing or rejected code cache (another Node version) is written when the process exits, so that
 * it holds the functions V8 compiled lazily while validating.
 */
function loadCompiled(dir: string, key: string): unknown {
  const id = path.join(dir, key);
  if (loadedValidators.has(id)) return loadedValidators.get(id);
  const code = readEntry(dir, key);
  if (code === undefined) return undefined;
  // The code cache is kept as bytes (earlier, base64 text under `<key>.v8`): ApplicationSet's alone is 9 MB.
  const codeCacheKey = `${key}.v8code`;
  const cachedData = readBytes(dir, codeCacheKey);
  const script = new vm.Script(`(function (exports, require, module) {${code}\n})`, { filename: `${id}.json`, cachedData });
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (exports: unknown, req: NodeJS.Require, module: { exports: unknown }) => void)(module.exports, require, module);
  if (!cachedData || script.cachedDataRejected) {
    if (pendingCodeCaches.length === 0) {
      process.once('exit', () => pendingCodeCaches.forEach((p) => writeEntry(p.dir, p.key, p.script.createCachedData())));
    }
    pendingCodeCaches.push({ dir, key: codeCacheKey, script });
  }
  loadedValidators.set(id, module.exports);
  return module.exports;
}

/** Validators loaded by this process, by cache entry: each is loaded once, as `require` would. */
const loadedValidators = new Map<string, unknown>();
const pendingCodeCaches: { dir: string; key: string; script: vm.Script }[] = [];

/**
 * CRD patterns are Go regular expressions; some begin with the inline flag `(?i)` (the
 * PrometheusRule CRD's `partial_response_strategy`), which JavaScript has only as the `i` flag.
 * The cached validators are plain code, so the flag is spelt out: each letter becomes `[xX]`.
 */
export function goPattern(pattern: string): string {
  const m = /^(\^?)\(\?i\)/.exec(pattern);
  if (!m) return pattern;
  let out = m[1];
  let inClass = false;
  const rest = pattern.slice(m[0].length);
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === '\\') {
      out += c + (rest[i + 1] ?? '');
      i++;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else if (c === ']') {
      inClass = false;
      out += c;
    } else if (/[a-z]/i.test(c)) {
      const pair = `${c.toLowerCase()}${c.toUpperCase()}`;
      out += inClass ? pair : `[${pair}]`;
    } else {
      out += c;
    }
  }
  return out;
}

/** Rewrites a structural schema so that ajv enforces what the API server enforces. */
function strict(schema: Schema): Schema {
  if (schema['x-kubernetes-int-or-string'] === true) {
    delete schema.type;
    schema.anyOf = [{ type: 'integer' }, { type: 'string' }, ...(schema.nullable === true ? [{ type: 'null' }] : [])];
  }
  if (schema.nullable === true && typeof schema.type === 'string') schema.type = [schema.type, 'null'];
  // A schema without a type takes null already; ajv refuses `nullable` without one.
  if (schema.type === undefined) delete schema.nullable;
  // OpenAPI 3.0 (a CRD's schema) makes a bound exclusive with a boolean; JSON Schema with the bound itself.
  for (const [bound, exclusive] of [['minimum', 'exclusiveMinimum'], ['maximum', 'exclusiveMaximum']]) {
    if (typeof schema[exclusive] !== 'boolean') continue;
    if (schema[exclusive] === true && typeof schema[bound] === 'number') {
      schema[exclusive] = schema[bound];
      delete schema[bound];
    } else {
      delete schema[exclusive];
    }
  }
  if (typeof schema.pattern === 'string') schema.pattern = goPattern(schema.pattern);
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (properties) {
    for (const child of Object.values(properties)) strict(child);
    if (schema.additionalProperties === undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
      schema.additionalProperties = false;
    }
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') strict(schema.additionalProperties as Schema);
  if (schema.items && typeof schema.items === 'object') strict(schema.items as Schema);
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = schema[key];
    if (Array.isArray(list)) list.forEach((s) => strict(s as Schema));
  }
  return schema;
}

/** Subschemas this large (as JSON) or larger are shared when they repeat. */
const SHARED_MIN_CHARS = 1000;

/**
 * The schema with each subschema that repeats word for word (of SHARED_MIN_CHARS or more) kept
 * once under `definitions` and referred to by `$ref` wherever it was. CRDs repeat large parts of
 * their schema: ApplicationSet's generators hold the Application template 24 times and the list
 * of generators twice, and ajv writes code for every place a subschema is, not for every
 * subschema: 7 MB of code for ApplicationSet, 0.3 MB shared (compiled in 0.16 s instead of 2.5 s,
 * and loaded that much faster from the cache). A `$ref` alone in its schema is the schema it
 * names, so objects are judged, and their problems reported, as before.
 */
export function shareRepeated(root: Schema): Schema {
  const texts = new Map<Schema, string>();
  const counts = new Map<string, number>();
  const count = (schema: Schema): void => {
    for (const [, , child] of subschemas(schema)) count(child);
    const text = JSON.stringify(schema);
    texts.set(schema, text);
    counts.set(text, (counts.get(text) ?? 0) + 1);
  };
  count(root);
  const definitions: Record<string, Schema> = {};
  const names = new Map<string, string>();
  const share = (schema: Schema): void => {
    for (const [holder, key, child] of subschemas(schema)) {
      const text = texts.get(child) as string;
      if (text.length < SHARED_MIN_CHARS || (counts.get(text) ?? 0) < 2) {
        share(child);
        continue;
      }
      let name = names.get(text);
      if (name === undefined) {
        name = `shared${names.size}`;
        names.set(text, name);
        definitions[name] = child;
        share(child);
      }
      (holder as Record<string | number, unknown>)[key] = { $ref: `#/definitions/${name}` };
    }
  };
  share(root);
  return names.size === 0 ? root : { ...root, definitions };
}

/** The subschemas directly under `schema`, each with the object or array holding it and its key there. */
function* subschemas(schema: Schema): Generator<[holder: object, key: string | number, child: Schema]> {
  for (const key of ['properties', 'patternProperties']) {
    const map = schema[key];
    if (isMap(map)) for (const name of Object.keys(map)) if (isMap(map[name])) yield [map, name, map[name]];
  }
  for (const key of ['items', 'additionalProperties', 'not']) if (isMap(schema[key])) yield [schema, key, schema[key]];
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = schema[key];
    if (Array.isArray(list)) for (let i = 0; i < list.length; i++) if (isMap(list[i])) yield [list, i, list[i]];
  }
}

const FIX_CRD_FILE = 'Fix the file or remove it from the CRD directories.';

/**
 * The CRDs of a file of a CRD directory (`bytes`, read from `file`), or its problems, each
 * naming the file, line and column: YAML that does not parse, aliases past the limit,
 * a document that is not a Kubernetes object (no kind), a CRD without the fields validation
 * reads (stacks/crd-import.ts crdProblem). Documents of other kinds are skipped. A `kind: List`
 * (or CustomResourceDefinitionList) is read item by item, each CRD written back as a document
 * of its own, without the status and metadata a cluster adds.
 */
function indexCrds(bytes: Buffer, file: string): { crds: IndexedCrd[] } | { problems: string[] } {
  const text = bytes.toString('utf8');
  const shown = displayPath(file);
  const lines = new LineCounter();
  const problems: string[] = [];
  const crds: IndexedCrd[] = [];
  for (const [n, doc] of parseAllDocuments(text, { lineCounter: lines }).entries()) {
    if (doc.errors.length > 0) {
      problems.push(syntaxProblem(shown, doc.errors[0]));
      continue;
    }
    /** Where the field at `at` is, or the nearest field around it that is there. */
    const where = (at: readonly (string | number)[]): string => {
      for (let k = at.length; k >= 0; k--) {
        const node = (k === 0 ? doc.contents : doc.getIn(at.slice(0, k), true)) as Node | null | undefined;
        if (node?.range) {
          const { line, col } = lines.linePos(node.range[0]);
          return `${shown}:${line}:${col}`;
        }
      }
      return shown;
    };
    const read = documentValue(doc);
    if ('problem' in read) {
      problems.push(`${where([])}: ${read.problem}. ${FIX_CRD_FILE}`);
      continue;
    }
    /** Whether `value` (document n, or item `at` of its list) is a Kubernetes object; when not, its problem is added. */
    const isObject = (value: unknown, at: readonly (string | number)[]): value is Record<string, unknown> & { kind: string } => {
      if (isMap(value) && typeof value.kind === 'string') return true;
      const what = at.length === 0 ? `document ${n + 1}` : `items[${at[1]}] of document ${n + 1}`;
      problems.push(`${where([...at, 'kind'])}: ${what} is not a Kubernetes object (found ${isMap(value) ? `kind ${describeValue(value.kind)}` : describeValue(value)}). A CRD directory holds CustomResourceDefinitions (objects of other kinds are skipped); remove the file from the CRD directories, or give the document its kind.`);
      return false;
    };
    const value = read.value;
    if (value === null || !isObject(value, [])) continue;
    const list = value.kind === 'List' || value.kind === 'CustomResourceDefinitionList';
    if (list && !Array.isArray(value.items)) {
      problems.push(`${where(['items'])}: items must be a list of CustomResourceDefinitions (found ${describeValue(value.items)}). ${FIX_CRD_FILE}`);
      continue;
    }
    const items = list ? (value.items as unknown[]).map((item, i) => ({ item, at: ['items', i] })) : [{ item: value, at: [] }];
    for (const { item, at } of items) {
      if (!isObject(item, at) || item.kind !== 'CustomResourceDefinition') continue;
      const problem = crdProblem(item as CrdItem);
      if (problem) {
        problems.push(`${where([...at, ...problem.path])}: ${problem.message.replace(/ Fix the CRD\.$/, '')} ${FIX_CRD_FILE}`);
        continue;
      }
      const crd = item as unknown as Crd & { apiVersion: string; metadata: { name: string } };
      const indexed = { group: crd.spec.group, kind: crd.spec.names.kind };
      if (list) {
        crds.push({ ...indexed, text: stringify({ apiVersion: crd.apiVersion, kind: crd.kind, metadata: { name: crd.metadata.name }, spec: crd.spec }, { lineWidth: 0 }) });
      } else {
        // From after the document's `---` (as the compiled validators' keys have always read it) to the next.
        const start = doc.range[0] + (text.startsWith('---', doc.range[0]) ? 3 : 0);
        const end = doc.range[2];
        crds.push({ ...indexed, bytes: [Buffer.byteLength(text.slice(0, start)), Buffer.byteLength(text.slice(0, end))] });
      }
    }
  }
  return problems.length > 0 ? { problems } : { crds };
}

/** The YAML files under a CRD directory; a link out of it is refused (stacks/out-of-bounds.ts). */
function crdFiles(dir: string): string[] {
  return fs.existsSync(dir) ? filesUnder(dir, dir, (name) => /\.ya?ml$/.test(name)) : [];
}

/** Problems of a custom resource; empty when valid. */
export function validateCustom(object: Manifest, kind: CustomKind): FieldProblem[] {
  return kind.validate(object) ? [] : ajvProblems(kind.validate.errors ?? [], object);
}
