/** Builds what the engine judges from synthesized environments and from directories of manifests. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { byCodePoint } from '../constructs/core/order';
import { InputError } from '../stacks/errors';
import { readManifestDir } from '../stacks/manifest-dir';
import { fieldPosition } from '../stacks/field-position';
import { RenderedObject } from '../stacks/objects';
import type { Located } from '../validation';
import type { RenderedCharts } from '../stacks/helm-render';
import { BuiltEnvironment } from '../stacks/pipeline';
import { isMap, shown } from './lib/shape';
import { PolicyEnvironment, SourceLine } from './types';

/**
 * A synthesized environment; `outDir` is where `gitplane synth` writes it (for file paths in
 * reports). When its charts were rendered (stacks/pipeline.ts renderEnvironment), their objects
 * follow gitplane's own, each with `chart` set and `app` naming the application that installs it.
 */
export function fromBuilt(b: BuiltEnvironment, outDir = 'dist'): PolicyEnvironment {
  // By name first: the objects' files are made only when read (stacks/lazy-files.ts), and the rules read none of them.
  const files = new Map([...b.output.files.keys()].filter((f) => !f.startsWith('apps/') && !f.startsWith('bootstrap/')).map((f) => [f, b.output.files.get(f)!]));
  const fields = new Map(b.apps.map((a) => [a.name, a.configuredAt ?? ['apps', a.name]]));
  const locate = (object?: RenderedObject): SourceLine | undefined => {
    const field = !object ? [] : object.app === 'bootstrap' ? ['gitops'] : (fields.get(object.app) ?? ['apps', object.app]);
    const at = fieldPosition(b.spec, field);
    return at && { file: at.file, line: at.line };
  };
  return withCharts({ name: b.spec.name, spec: b.spec, objects: b.output.objects, files, root: `${outDir}/${b.spec.name}`, locate }, b.charts);
}

/** The environment with its rendered charts' objects after its own, and their second render. */
export function withCharts(env: PolicyEnvironment, charts: RenderedCharts | undefined): PolicyEnvironment {
  return charts ? { ...env, objects: [...env.objects, ...charts.objects], secondRender: charts.again } : env;
}

/** A directory of manifests as the engine judges it; each object can tell where its fields are in its file. */
export interface DirEnvironment extends PolicyEnvironment {
  readonly objects: readonly (RenderedObject & Pick<Located, 'position'>)[];
}

/**
 * The environments a `--dir` directory holds: itself, or, when it is a folder of environment
 * folders as `gitplane synth --all --out DIR` writes it (no manifest of its own, and each folder
 * below it holding apps/ or bootstrap/), each of those, in code-point order. Each is judged apart,
 * as Argo CD applies each to its own cluster: the objects every environment shares are not
 * duplicates of each other.
 */
export function environmentDirs(dir: string): string[] {
  // One that is not a directory is refused, with its fix, as it is read (stacks/manifest-dir.ts).
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return [dir];
  const entries = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
  const folders = entries.filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
  const isEnvironment = (folder: string) => ['apps', 'bootstrap'].some((sub) => fs.existsSync(path.join(folder, sub)));
  const set = folders.length > 0 && !isEnvironment(dir) && entries.every((e) => e.isDirectory()) && folders.every(isEnvironment);
  return set ? folders.sort(byCodePoint) : [dir];
}

/**
 * Every manifest under `dir` plus its runbooks/ and values/ files, and the values/ files of the
 * environment folders below it (`<env>/values/<app>.yaml`), which its Applications' charts read.
 * A finding on a manifest is located at the line its object begins at.
 */
export function fromDir(dir: string): DirEnvironment {
  const objects = readManifestDir(dir).map((o) => ({ ...o, app: appFolder(o.file) }));
  const files = new Map<string, string>();
  for (const sub of ['runbooks', 'values']) {
    const base = path.join(dir, sub);
    if (!fs.existsSync(base)) continue;
    for (const f of fs.readdirSync(base).sort()) files.set(`${sub}/${f}`, fs.readFileSync(path.join(base, f), 'utf8'));
  }
  for (const rel of environmentValues(dir, '')) files.set(rel, fs.readFileSync(path.join(dir, rel), 'utf8'));
  const root = dir.replace(/\/$/, '');
  // The manifest file is what a pull request changes: code scanning and annotations point at the object's line in it.
  const locate = (o?: RenderedObject) => (o?.line === undefined ? undefined : { file: `${root}/${o.file}`, line: o.line });
  return { name: dir, objects, files, root, locate };
}

/** `values/*.yaml` of environment folders (beside apps/ or bootstrap/) below `dir`, paths relative to it. */
function environmentValues(dir: string, rel: string): string[] {
  const entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  const names = entries.map((e) => e.name);
  const own = rel && names.includes('values') && (names.includes('apps') || names.includes('bootstrap'))
    ? fs.readdirSync(path.join(dir, rel, 'values')).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => `${rel}/values/${f}`)
    : [];
  return [...own, ...entries.filter((e) => e.name !== 'values').sort((a, b) => byCodePoint(a.name, b.name)).flatMap((e) => environmentValues(dir, rel ? `${rel}/${e.name}` : e.name))];
}

/**
 * Refuses a directory with a document the rules cannot tell apart from others: not a map, or
 * without the identity every rule reads (apiVersion, kind, metadata.name as strings; namespace,
 * labels and annotations, where given, as the API server takes them). The API server refuses
 * such a document too; `gitplane validate --dir` reports every other field. Each problem names
 * the line and column of its field (of its document when the field is missing).
 */
export function refuseUnidentified(env: DirEnvironment): void {
  const ordinal = new Map<string, number>();
  const problems = env.objects.flatMap(({ manifest, file, line, position }) => {
    const n = (ordinal.get(file) ?? 0) + 1;
    ordinal.set(file, n);
    const problem = identityProblem(manifest);
    if (!problem) return [];
    const at = position?.(problem.path) ?? position?.([]);
    return [`${env.root}/${file}${at ? `:${at.line}:${at.col}` : line === undefined ? '' : `:${line}`}: document ${n} ${problem.message}`];
  });
  if (problems.length > 0) throw new InputError(problems);
}

/** What keeps a document from being told apart, and the path of the field at fault. */
function identityProblem(m: unknown): { path: string[]; message: string } | undefined {
  if (!isMap(m)) return { path: [], message: `is ${shown(m)}, not a Kubernetes object. Write each document as a map with apiVersion, kind and metadata, or remove it.` };
  if (typeof m.apiVersion !== 'string' || typeof m.kind !== 'string') {
    const path = [typeof m.apiVersion !== 'string' ? 'apiVersion' : 'kind'];
    return { path, message: `has apiVersion ${shown(m.apiVersion)} and kind ${shown(m.kind)}, but both must be strings. Set them, e.g. apiVersion: apps/v1 and kind: Deployment.` };
  }
  const what = `(${m.kind})`;
  const meta = m.metadata;
  if (!isMap(meta) || typeof meta.name !== 'string' || meta.name === '') {
    return { path: ['metadata', 'name'], message: `${what} has metadata.name ${shown(isMap(meta) ? meta.name : undefined)}, but every object needs a name, a non-empty string. Set metadata.name.` };
  }
  if (meta.namespace !== undefined && typeof meta.namespace !== 'string') {
    return { path: ['metadata', 'namespace'], message: `${what} ${meta.name} has metadata.namespace ${shown(meta.namespace)}, but it must be a string. Set it to the namespace's name.` };
  }
  for (const field of ['labels', 'annotations']) {
    const map = meta[field];
    if (map === undefined || map === null) continue;
    if (!isMap(map)) return { path: ['metadata', field], message: `${what} ${meta.name} has metadata.${field} ${shown(map)}, but it must be a map of names to string values. Write it as a map.` };
    const bad = Object.entries(map).find(([, v]) => typeof v !== 'string');
    if (bad) return { path: ['metadata', field, bad[0]], message: `${what} ${meta.name} has metadata.${field}.${bad[0]} ${shown(bad[1])}, but ${field === 'labels' ? 'label' : 'annotation'} values must be strings. Quote the value.` };
  }
  return undefined;
}

function appFolder(file: string): string {
  const m = /(?:^|\/)apps\/([^/]+)\//.exec(file);
  if (m) return m[1];
  return /(?:^|\/)bootstrap\//.test(file) ? 'bootstrap' : '';
}
