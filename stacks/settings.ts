/**
 * Project settings from gitplane.yaml (where schemas come from), overridable by flags and
 * environment variables. The only place besides environments/ that gitplane reads configuration from.
 *
 * CRDs and chart default values are read from schema directories, each laid out as `crds/` (CRD
 * files, any layout) and `helm-values/<chart>-<version>.yaml` (plus `.schema.json`). In order of
 * precedence: the CRD directories of schemas.crdDirs; the project's own `schemas/` (what
 * `gitplane schemas import` adds); the pinned charts that `gitplane schemas pull` cached, as
 * gitplane.lock records them; and the offline mirror (schemas.mirror, or GITPLANE_SCHEMA_MIRROR).
 * --crd-dir or GITPLANE_CRD_DIRS replace every CRD source: custom resources are then checked
 * against exactly those CRDs.
 *
 * Helm applications are rendered (stacks/helm-render.ts) with the `helm` on PATH, or
 * GITPLANE_HELM, from the pinned chart archives: those `gitplane schemas pull` cached, else an
 * offline Helm repository directory (charts.mirror, or GITPLANE_CHART_MIRROR).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Node } from 'yaml';
import { InputError } from './errors';
import { PROJECT_ROOT } from './paths';
import { LOCK_FILE, STORE_DIR } from './project';
import { cachedChartDir, LockedChart, readLock } from './schema-lock';
import { pinnedVersions } from './versions';
import { syntaxProblem } from './yaml-value';

export interface Settings {
  /** Directories of CustomResourceDefinitions, in order of precedence. */
  readonly crdDirs: string[];
  /** Directories of pinned charts' default values (`<chart>-<version>.yaml`), in order of precedence. */
  readonly helmValuesDirs: string[];
  /** Schema sources that are configured but missing, each a sentence saying how to fix it. */
  readonly missing: string[];
  /** Where the pinned chart archives Helm renders come from. */
  readonly charts: ChartSources;
  /** The Helm executable: GITPLANE_HELM, else `helm` on PATH; undefined when there is none. */
  readonly helm?: string;
}

/** The chart archives of pinned charts: the pull cache (as gitplane.lock records it) and an offline Helm repository. */
export interface ChartSources {
  /** Every chart gitplane.lock records, whether or not it is cached. */
  readonly locked: readonly LockedChart[];
  /** The cache `gitplane schemas pull` fills. */
  readonly cache: string;
  /** An offline Helm repository directory (`index.yaml` and the archives it lists). */
  readonly mirror?: string;
  /** Where the settings say it is, for messages: `charts.mirror in <file>` or `GITPLANE_CHART_MIRROR`. */
  readonly mirrorSetting?: string;
}


/** `$XDG_CACHE_HOME/gitplane`, or `~/.cache/gitplane`: where pulled charts are kept. */
export function cacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'gitplane');
}

interface SettingsFile {
  readonly mirror?: string;
  readonly crdDirs: string[];
  readonly chartMirror?: string;
}

/**
 * Reads gitplane.yaml beside the project. `--crd-dir` (`overrides.crdDirs`), else
 * `GITPLANE_CRD_DIRS` (path-separated), replaces every CRD source; `GITPLANE_SCHEMA_MIRROR`
 * replaces schemas.mirror and `GITPLANE_CHART_MIRROR` charts.mirror (set either empty for none).
 */
export function loadSettings(overrides: { crdDirs?: string[] } = {}, file = path.join(PROJECT_ROOT, 'gitplane.yaml')): Settings {
  const data = readSettingsFile(file);
  const base = path.dirname(file);
  const fromEnv = process.env.GITPLANE_CRD_DIRS?.split(path.delimiter).filter(Boolean);
  const override = overrides.crdDirs?.length ? overrides.crdDirs : fromEnv?.length ? fromEnv : undefined;
  const missing: string[] = [];

  const roots = [path.join(base, STORE_DIR)];
  const lock = readLock(path.join(base, LOCK_FILE));
  for (const [key, pin] of Object.entries(pinnedVersions().charts ?? {})) {
    const locked = lock.charts[key];
    if (!locked || locked.chart !== pin.chart || locked.version !== pin.version || locked.repoURL !== pin.repoURL) continue;
    const dir = cachedChartDir(cacheDir(), locked);
    if (fs.existsSync(dir)) roots.push(dir);
    else missing.push(`${LOCK_FILE} locks ${pin.chart} ${pin.version}, but it is not in the cache (${cacheDir()}). Run "gitplane schemas pull".`);
  }
  const mirror = mirrorSetting('GITPLANE_SCHEMA_MIRROR', data.mirror, `schemas.mirror in ${file}`, base);
  if (mirror.dir) {
    if (fs.existsSync(mirror.dir)) roots.push(mirror.dir);
    else missing.push(`the offline mirror ${mirror.dir} (${mirror.setting}) does not exist. Create it or change the setting.`);
  }
  const chartMirror = mirrorSetting('GITPLANE_CHART_MIRROR', data.chartMirror, `charts.mirror in ${file}`, base);
  return {
    crdDirs: override ? override.map((d) => path.resolve(d)) : [...data.crdDirs.map((d) => path.resolve(base, d)), ...roots.map((r) => path.join(r, 'crds'))],
    helmValuesDirs: roots.map((r) => path.join(r, 'helm-values')),
    missing,
    charts: { locked: Object.values(lock.charts), cache: cacheDir(), mirror: chartMirror.dir, mirrorSetting: chartMirror.setting },
    helm: process.env.GITPLANE_HELM || onPath('helm'),
  };
}

/** A mirror directory: the environment variable when set (empty: none), else the file's setting. */
function mirrorSetting(variable: string, configured: string | undefined, where: string, base: string): { dir?: string; setting: string } {
  const fromEnv = process.env[variable];
  if (fromEnv !== undefined) return { dir: fromEnv ? path.resolve(fromEnv) : undefined, setting: variable };
  return { dir: configured && path.resolve(base, configured), setting: where };
}

/** The first executable `name` in a PATH directory. */
function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** gitplane.yaml's `schemas:` and `charts:` sections, checked: a mistake there is an input error naming the line. */
function readSettingsFile(file: string): SettingsFile {
  if (!fs.existsSync(file)) return { crdDirs: [] };
  const lines = new LineCounter();
  const doc = parseDocument(fs.readFileSync(file, 'utf8'), { lineCounter: lines });
  const at = (node: Node | null | undefined) => {
    const pos = lines.linePos(node?.range?.[0] ?? 0);
    return `${file}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length > 0) throw new InputError([syntaxProblem(file, doc.errors[0])]);
  const problems: string[] = [];
  const result: { mirror?: string; crdDirs: string[]; chartMirror?: string } = { crdDirs: [] };
  const isPath = (value: Node | null): value is Node & { value: string } => isScalar(value) && typeof value.value === 'string' && value.value !== '';
  /** The `key: value` pairs of a top-level section; none when it is absent or empty. */
  const section = (name: string, known: string) => {
    const node = isMap(doc.contents) ? doc.contents.get(name, true) : undefined;
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) return [];
    if (!isMap(node)) {
      problems.push(`${at(node as Node)}: ${name} must be a map with ${known} (found ${String(doc.get(name))}). Fix the section.`);
      return [];
    }
    return node.items.map((pair) => ({ key: isScalar(pair.key) ? String(pair.key.value) : String(pair.key), keyNode: pair.key as Node, value: pair.value as Node | null }));
  };
  const wrong = (name: string, value: Node | null, keyNode: Node, expected: string) =>
    problems.push(`${at(value ?? keyNode)}: ${name} must be ${expected} (found ${JSON.stringify(value?.toJSON() ?? null)}). Fix the value.`);
  const unknown = (name: string, keyNode: Node, known: string) => problems.push(`${at(keyNode)}: ${name} is not a known setting (known: ${known}). Remove it or fix the name.`);
  for (const { key, keyNode, value } of section('schemas', 'mirror and crdDirs')) {
    if (key === 'mirror') {
      if (isPath(value)) result.mirror = value.value;
      else wrong('schemas.mirror', value, keyNode, 'a directory path');
    } else if (key === 'crdDirs') {
      if (isSeq(value) && value.items.every((i) => isPath(i as Node))) result.crdDirs = value.items.map((i) => String((i as { value: string }).value));
      else wrong('schemas.crdDirs', value, keyNode, 'a list of directory paths');
    } else {
      unknown(`schemas.${key}`, keyNode, 'crdDirs, mirror');
    }
  }
  for (const { key, keyNode, value } of section('charts', 'mirror')) {
    if (key !== 'mirror') unknown(`charts.${key}`, keyNode, 'mirror');
    else if (isPath(value)) result.chartMirror = value.value;
    else wrong('charts.mirror', value, keyNode, 'a directory path');
  }
  if (problems.length > 0) throw new InputError(problems);
  return result;
}
