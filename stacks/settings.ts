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
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Node } from 'yaml';
import { InputError } from './errors';
import { PROJECT_ROOT } from './paths';
import { LOCK_FILE, STORE_DIR } from './project';
import { readLock, cachedChartDir } from './schema-lock';
import { pinnedVersions } from './versions';

export interface Settings {
  /** Directories of CustomResourceDefinitions, in order of precedence. */
  readonly crdDirs: string[];
  /** Directories of pinned charts' default values (`<chart>-<version>.yaml`), in order of precedence. */
  readonly helmValuesDirs: string[];
  /** Schema sources that are configured but missing, each a sentence saying how to fix it. */
  readonly missing: string[];
}


/** `$XDG_CACHE_HOME/gitplane`, or `~/.cache/gitplane`: where pulled charts are kept. */
export function cacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'gitplane');
}

interface SettingsFile {
  readonly mirror?: string;
  readonly crdDirs: string[];
}

/**
 * Reads gitplane.yaml beside the project. `--crd-dir` (`overrides.crdDirs`), else
 * `GITPLANE_CRD_DIRS` (path-separated), replaces every CRD source; `GITPLANE_SCHEMA_MIRROR`
 * replaces schemas.mirror (set it empty for no mirror).
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
  const envMirror = process.env.GITPLANE_SCHEMA_MIRROR;
  const mirror = envMirror !== undefined ? envMirror || undefined : data.mirror && path.resolve(base, data.mirror);
  if (mirror) {
    if (fs.existsSync(mirror)) roots.push(path.resolve(mirror));
    else missing.push(`the offline mirror ${mirror} (${envMirror !== undefined ? 'GITPLANE_SCHEMA_MIRROR' : `schemas.mirror in ${file}`}) does not exist. Create it or change the setting.`);
  }
  return {
    crdDirs: override ? override.map((d) => path.resolve(d)) : [...data.crdDirs.map((d) => path.resolve(base, d)), ...roots.map((r) => path.join(r, 'crds'))],
    helmValuesDirs: roots.map((r) => path.join(r, 'helm-values')),
    missing,
  };
}

/** gitplane.yaml's `schemas:` section, checked: a mistake there is an input error naming the line. */
function readSettingsFile(file: string): SettingsFile {
  if (!fs.existsSync(file)) return { crdDirs: [] };
  const lines = new LineCounter();
  const doc = parseDocument(fs.readFileSync(file, 'utf8'), { lineCounter: lines });
  const at = (node: Node | null | undefined) => {
    const pos = lines.linePos(node?.range?.[0] ?? 0);
    return `${file}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length > 0) {
    const [first] = doc.errors;
    throw new InputError([`${at({ range: first.pos } as unknown as Node)}: the file is not valid YAML: ${first.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}. Fix the syntax.`]);
  }
  const schemas = isMap(doc.contents) ? doc.contents.get('schemas', true) : undefined;
  if (schemas === undefined || schemas === null || (isScalar(schemas) && schemas.value === null)) return { crdDirs: [] };
  if (!isMap(schemas)) throw new InputError([`${at(schemas as Node)}: schemas must be a map with mirror and crdDirs (found ${String(doc.get('schemas'))}). Fix the section.`]);
  const problems: string[] = [];
  const result: { mirror?: string; crdDirs: string[] } = { crdDirs: [] };
  for (const pair of schemas.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const value = pair.value as Node | null;
    if (key === 'mirror' && isScalar(value) && typeof value.value === 'string' && value.value !== '') {
      result.mirror = value.value;
    } else if (key === 'crdDirs' && isSeq(value) && value.items.every((i) => isScalar(i) && typeof i.value === 'string' && i.value !== '')) {
      result.crdDirs = value.items.map((i) => String((i as { value: string }).value));
    } else if (key === 'mirror' || key === 'crdDirs') {
      const expected = key === 'mirror' ? 'a directory path' : 'a list of directory paths';
      problems.push(`${at(value ?? (pair.key as Node))}: schemas.${key} must be ${expected} (found ${JSON.stringify(value?.toJSON() ?? null)}). Fix the value.`);
    } else {
      problems.push(`${at(pair.key as Node)}: schemas.${key} is not a known setting (known: crdDirs, mirror). Remove it or fix the name.`);
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return result;
}
