/**
 * gitplane.lock: the sha256 digest of every pinned chart archive `gitplane schemas pull` took,
 * and of each file it cached (the archive itself, which Helm renders, and the CRDs, default values
 * and values schema taken from it). Committed, so every clone and CI run checks the same bytes; a
 * pull refuses an archive whose digest differs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { InputError } from './errors';
import { writeWhole } from './write-whole';
import { byCodePoint } from '../constructs/core/order';

export interface LockedChart {
  readonly repoURL: string;
  readonly chart: string;
  readonly version: string;
  /** `sha256:<hex>` of the chart archive, as the repository's index.yaml gives it. */
  readonly digest: string;
  /** Path inside the cached chart directory -> `sha256:<hex>`. */
  readonly files: Readonly<Record<string, string>>;
}

export interface Lock {
  /** By the chart's key in environments/versions.yaml. */
  readonly charts: Readonly<Record<string, LockedChart>>;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
/** Chart names and versions become directory names: no separators, no leading dot. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const FILE = /^(crds\/[a-z0-9][a-z0-9.-]*\.yaml|helm-values\/[A-Za-z0-9][A-Za-z0-9._+-]*\.(yaml|schema\.json)|[A-Za-z0-9][A-Za-z0-9._+-]*\.tgz)$/;

/** Whether a chart name or version can be used as a directory name. */
export function safeName(value: string): boolean {
  return NAME.test(value) && !value.includes('..');
}

/** The cache directory of one locked chart archive: `<cache>/charts/<chart>-<version>/<hex>`. */
export function cachedChartDir(cache: string, locked: Pick<LockedChart, 'chart' | 'version' | 'digest'>): string {
  return path.join(cache, 'charts', `${locked.chart}-${locked.version}`, locked.digest.slice('sha256:'.length));
}

/** The chart archive's name in its cache directory, as Helm names packaged charts: `<chart>-<version>.tgz`. */
export function archiveName(locked: Pick<LockedChart, 'chart' | 'version'>): string {
  return `${locked.chart}-${locked.version}.tgz`;
}

/** The lock at `file`; no charts when it does not exist. */
export function readLock(file: string): Lock {
  if (!fs.existsSync(file)) return { charts: {} };
  let data: unknown;
  try {
    data = parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError([`${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}. Delete the file and run "gitplane schemas pull" to write it again.`]);
  }
  const charts = (data as { charts?: unknown } | null)?.charts ?? {};
  const problems: string[] = [];
  if (typeof charts !== 'object' || charts === null || Array.isArray(charts)) {
    throw new InputError([`${file}: charts must be a map of locked charts (found ${JSON.stringify(charts)}). Delete the file and run "gitplane schemas pull" to write it again.`]);
  }
  for (const [key, entry] of Object.entries(charts as Record<string, Record<string, unknown>>)) {
    const bad = (field: string, expected: string) =>
      problems.push(`${file}: charts.${key}.${field} must be ${expected} (found ${JSON.stringify(entry?.[field] ?? null)}). Delete the entry and run "gitplane schemas pull" to lock the chart again.`);
    if (typeof entry?.repoURL !== 'string') bad('repoURL', 'a URL');
    for (const field of ['chart', 'version']) if (typeof entry?.[field] !== 'string' || !safeName(entry[field] as string)) bad(field, 'a chart name or version without path separators');
    if (typeof entry?.digest !== 'string' || !DIGEST.test(entry.digest)) bad('digest', 'sha256:<64 hex digits>');
    const files = entry?.files;
    if (typeof files !== 'object' || files === null || Object.entries(files).some(([f, d]) => !FILE.test(f) || typeof d !== 'string' || !DIGEST.test(d))) {
      bad('files', 'a map of the <chart>-<version>.tgz archive, crds/<name>.yaml and helm-values/<chart>-<version> files to sha256:<64 hex digits>');
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return { charts: charts as Record<string, LockedChart> };
}

/** Writes the lock with charts and files in code-point order, so a pull of the same charts writes the same bytes. */
export function writeLock(file: string, lock: Lock): void {
  const charts: Record<string, LockedChart> = {};
  for (const key of Object.keys(lock.charts).sort(byCodePoint)) {
    const c = lock.charts[key];
    const files = Object.fromEntries(Object.entries(c.files).sort(([a], [b]) => byCodePoint(a, b)));
    charts[key] = { repoURL: c.repoURL, chart: c.chart, version: c.version, digest: c.digest, files };
  }
  const header = '# Written by "gitplane schemas pull"; commit it. The sha256 digest of each pinned chart archive\n# and of every file taken from it; a pull refuses an archive that does not match.\n';
  const text = header + stringify({ charts }, { lineWidth: 0 });
  writeWhole(file, text, 0o644);
}

