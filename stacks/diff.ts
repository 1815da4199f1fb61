/**
 * The rendered difference between two versions of environments, object by object: which objects
 * each application gains or loses, and which fields of an object change. What reviewers read on
 * a pull request.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { byCodePoint } from '../constructs/core/order';
import { InputError } from './errors';
import { filesUnder } from './out-of-bounds';
import { documentValue, syntaxProblem } from './yaml-value';
import { isMap, Manifest, objectRef } from './objects';
import { parseEnvironment } from './environment';
import { displayPath } from './paths';
import { tryGit } from './git';
import { ENVIRONMENTS_DIR } from './project';
import { applicationOf } from './publish';
import { synthEnvironment } from './synth';
import { streamWarnings } from '../policies/lib/streams';

/** One environment's files: path relative to `<env>/` -> content. */
export type Tree = ReadonlyMap<string, string>;

export interface FieldChange {
  /** Dotted path, list items as `[i]`, e.g. `spec.syncPolicy.automated.prune`. */
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface ObjectDiff {
  /** `Kind/namespace/name`, or a file path for files that are not Kubernetes objects. */
  readonly ref: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Changed fields (empty for added and removed objects). */
  readonly fields: FieldChange[];
  /** What the change does beyond its fields, such as a JetStream stream that must be recreated. */
  readonly warnings?: readonly string[];
}

export interface ApplicationDiff {
  readonly app: string;
  readonly objects: ObjectDiff[];
}

export interface EnvironmentDiff {
  readonly env: string;
  readonly applications: ApplicationDiff[];
}

/**
 * Where each side of a diff was read from, for messages about its files: the directory as the
 * user gave it (`--against DIR` or `--rendered DIR`, with the environment's folder); none for a
 * tree gitplane synthesized.
 */
export interface TreeRoots {
  readonly before?: string;
  readonly after?: string;
}

/** Objects keyed by application and identity, read from every YAML file; other files by path. */
function index(tree: Tree, root: string | undefined): Map<string, { app: string; ref: string; value: unknown }> {
  const out = new Map<string, { app: string; ref: string; value: unknown }>();
  for (const [file, content] of tree) {
    const app = applicationOf(file);
    if (!/\.ya?ml$/.test(file) || file.startsWith('values/')) {
      out.set(`${app}\0${file}`, { app, ref: file, value: file.startsWith('values/') ? (documentValues(file, content, root)[0] ?? null) : content });
      continue;
    }
    for (const m of documents(file, content, root)) {
      const ref = typeof m.kind === 'string' ? objectRef(m) : file;
      const group = typeof m.apiVersion === 'string' && m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : '';
      out.set(`${app}\0${group}\0${ref}`, { app, ref, value: m });
    }
  }
  return out;
}

/** The objects of one YAML file of a tree (its documents that are not empty). */
function documents(file: string, content: string, root: string | undefined): Manifest[] {
  return documentValues(file, content, root).filter((m): m is Manifest => m !== null);
}

/**
 * The value of each document of one file of a tree; a file that is not valid YAML, or a document
 * whose aliases expand past the limit, is an input error naming the file under `root`.
 */
function documentValues(file: string, content: string, root: string | undefined): unknown[] {
  const shown = root === undefined ? file : path.join(root, file);
  const lines = new LineCounter();
  return parseAllDocuments(content, { lineCounter: lines }).map((doc) => {
    if (doc.errors.length > 0) throw new InputError([syntaxProblem(shown, doc.errors[0])]);
    const read = documentValue(doc);
    if ('problem' in read) throw new InputError([`${shown}:${lines.linePos(doc.contents?.range?.[0] ?? 0).line}: ${read.problem}.`]);
    return read.value;
  });
}

/** Every Kubernetes object of a tree, in file order; `root` is where it was read from, for messages. */
export function treeObjects(tree: Tree, root?: string): Manifest[] {
  return [...tree]
    .filter(([file]) => /\.ya?ml$/.test(file) && !file.startsWith('values/'))
    .flatMap(([file, content]) => documents(file, content, root))
    .filter((m) => typeof m.kind === 'string');
}

/** The difference from `before` to `after` for one environment; applications and objects sorted. */
export function diffEnvironment(env: string, before: Tree, after: Tree, roots: TreeRoots = {}): EnvironmentDiff {
  const a = index(before, roots.before);
  const b = index(after, roots.after);
  const byApp = new Map<string, ObjectDiff[]>();
  const recreations = new Map([...streamWarnings(treeObjects(before, roots.before), treeObjects(after, roots.after))].map(([m, w]) => [objectRef(m), w.map((x) => x.text)]));
  const push = (app: string, d: ObjectDiff) => {
    const warnings = d.change === 'removed' ? undefined : recreations.get(d.ref);
    byApp.set(app, [...(byApp.get(app) ?? []), warnings ? { ...d, warnings } : d]);
  };
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(key);
    const y = b.get(key);
    if (!x) push(y!.app, { ref: y!.ref, change: 'added', fields: [] });
    else if (!y) push(x.app, { ref: x.ref, change: 'removed', fields: [] });
    else {
      const fields: FieldChange[] = [];
      diffValue(x.value, y.value, '', fields);
      if (fields.length > 0) push(x.app, { ref: x.ref, change: 'changed', fields });
    }
  }
  const applications = [...byApp].sort(([p], [q]) => byCodePoint(p, q)).map(([app, objects]) => ({ app, objects }));
  return { env, applications };
}

function diffValue(a: unknown, b: unknown, at: string, out: FieldChange[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (isMap(a) && isMap(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) diffValue(a[k], b[k], at ? `${at}.${k}` : k, out);
  } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((item, i) => diffValue(item, b[i], `${at}[${i}]`, out));
  } else {
    out.push({ path: at || '(content)', ...(a === undefined ? {} : { before: a }), ...(b === undefined ? {} : { after: b }) });
  }
}

/**
 * The environment as environments/<name>.yaml was at `ref` (a commit of this repository),
 * synthesized by the current code; empty when the file did not exist there.
 */
export function baseTree(ref: string, name: string): Tree {
  if (tryGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], ENVIRONMENTS_DIR).status !== 0) {
    if (tryGit(['rev-parse', '--git-dir'], ENVIRONMENTS_DIR).status !== 0) {
      throw new InputError([`--base ${ref}: ${displayPath(ENVIRONMENTS_DIR)}/ is not in a Git repository, so it has no commit to compare with. Run "git init" and commit the environment files, then give a branch, tag or commit.`]);
    }
    throw new InputError([`--base ${ref}: not a commit of this repository. Give a branch, tag or commit (e.g. origin/main).`]);
  }
  const shown = tryGit(['show', `${ref}:./${name}.yaml`], ENVIRONMENTS_DIR);
  if (shown.status !== 0) return new Map();
  return synthEnvironment(parseEnvironment(shown.stdout, `${ref}:environments/${name}.yaml`, { expectName: name })).files;
}

/**
 * Every file under `<dir>/<env>/`, as an environment tree; empty when the directory is missing. A
 * link out of `root` (the directory given) is refused before anything is read (stacks/out-of-bounds.ts).
 */
export function readTree(dir: string, root = dir): Map<string, string> {
  const files = fs.existsSync(dir) ? filesUnder(root, dir, () => true) : [];
  return new Map(files.map((full) => [path.relative(dir, full).split(path.sep).join('/'), fs.readFileSync(full, 'utf8')]));
}

/** A value on one line, long ones shortened: the diff points at the field, the file has the rest. */
function show(v: unknown): string {
  if (v === undefined) return '(none)';
  const text = JSON.stringify(v);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
const SIGN = { added: '+', removed: '-', changed: '~' } as const;

/** Plain text for a terminal. */
export function formatText(diffs: readonly EnvironmentDiff[]): string {
  const lines: string[] = [];
  for (const d of diffs) {
    if (d.applications.length === 0) {
      lines.push(`${d.env}: no changes`);
      continue;
    }
    lines.push(`${d.env}:`);
    for (const a of d.applications) {
      lines.push(`  ${a.app}:`);
      for (const o of a.objects) {
        lines.push(`    ${SIGN[o.change]} ${o.ref}`);
        for (const f of o.fields) lines.push(`        ${f.path}: ${show(f.before)} -> ${show(f.after)}`);
        for (const w of o.warnings ?? []) lines.push(`        ! ${w}`);
      }
    }
  }
  return lines.join('\n');
}

/** Markdown for a pull-request comment. */
export function formatMarkdown(diffs: readonly EnvironmentDiff[]): string {
  const lines: string[] = ['## gitplane diff', ''];
  for (const d of diffs) {
    const count = d.applications.reduce((n, a) => n + a.objects.length, 0);
    lines.push(`### ${d.env}: ${count === 0 ? 'no changes' : `${count} object(s) in ${d.applications.length} application(s)`}`, '');
    for (const a of d.applications) {
      lines.push(`#### ${a.app}`, '', '| | object | field | before | after |', '|---|---|---|---|---|');
      for (const o of a.objects) {
        if (o.fields.length === 0) lines.push(`| ${o.change} | \`${o.ref}\` | | | |`);
        for (const f of o.fields) lines.push(`| ${o.change} | \`${o.ref}\` | \`${f.path}\` | ${cell(f.before)} | ${cell(f.after)} |`);
      }
      const warnings = a.objects.flatMap((o) => (o.warnings ?? []).map((w) => `- **Warning** \`${o.ref}\`: ${w}`));
      if (warnings.length > 0) lines.push('', ...warnings);
      lines.push('');
    }
  }
  return lines.join('\n').trimEnd();
}

function cell(v: unknown): string {
  return v === undefined ? '' : `\`${show(v).replace(/\|/g, '\\|')}\``;
}
