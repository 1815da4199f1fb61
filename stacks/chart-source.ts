/**
 * The archive of a pinned chart, for Helm to render: the one `gitplane schemas pull` cached,
 * checked against gitplane.lock, else the one in the offline Helm repository (charts.mirror),
 * checked against that repository's index.yaml and, when the chart is locked, against
 * gitplane.lock. An archive whose digest does not match is never rendered.
 *
 * @see https://helm.sh/docs/topics/chart_repository/ (index.yaml, digest, urls)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chartSchemaFiles } from './chart-archive';
import { InputError } from './errors';
import { systemError } from './output-file';
import { makeDirectories, writeWhole } from './write-whole';
import { LOCK_FILE } from './project';
import { archiveName, cachedChartDir } from './schema-lock';
import { findEntry, HelmIndex, parseIndex, sha256 } from './schema-pull';
import type { ChartSources } from './settings';

export interface ChartArchive {
  /** The archive on disk, as Helm reads it. */
  readonly file: string;
  /** Its verified `sha256:<hex>`. */
  readonly digest: string;
}

/** Where a chart's archive was looked for and not found, as part of a sentence. */
export interface MissingChart {
  readonly missing: string;
}

const indexes = new Map<string, HelmIndex>();

/** The verified archive of `chart` at `version`, or why there is none. */
export function chartArchive(chart: string, version: string, sources: ChartSources): ChartArchive | MissingChart {
  const locked = sources.locked.find((l) => l.chart === chart && l.version === version);
  if (locked) {
    const file = path.join(cachedChartDir(sources.cache, locked), archiveName(locked));
    if (fs.existsSync(file)) {
      const found = sha256(fs.readFileSync(file));
      if (found !== locked.digest) {
        throw new InputError([
          `${file}: the cached archive of ${chart} ${version} has the digest ${found}, but ${LOCK_FILE} expects ${locked.digest}. The cache was changed after the pull; delete ${path.dirname(file)} and run "gitplane schemas pull".`,
        ]);
      }
      return { file, digest: found };
    }
  }
  const mirror = sources.mirror;
  if (mirror && fs.existsSync(path.join(mirror, 'index.yaml'))) {
    const index = mirrorIndex(mirror, sources.mirrorSetting ?? mirror);
    if (index.entries[chart]?.some((e) => String(e?.version) === version)) {
      const entry = findEntry(index, { chart, version });
      const file = fileURLToPath(entry.url);
      const found = fs.existsSync(file) ? sha256(fs.readFileSync(file)) : 'none (the file is missing)';
      if (found !== entry.digest) {
        throw new InputError([
          `${file}: the archive of ${chart} ${version} has the digest ${found}, but ${index.url} expects ${entry.digest}. The offline Helm repository was changed after it was indexed; restore the archive or index it again ("helm repo index").`,
        ]);
      }
      if (locked && locked.digest !== found) {
        throw new InputError([
          `${file}: the archive of ${chart} ${version} has the digest ${found}, but ${LOCK_FILE} locks ${locked.digest} (from ${locked.repoURL}). The offline Helm repository holds another build of the chart; put the locked archive there, or run "gitplane schemas pull" to render the locked one.`,
        ]);
      }
      return { file, digest: found };
    }
  }
  const looked = [
    locked ? `not in the cache (${sources.cache})` : `not in ${LOCK_FILE}`,
    mirror ? `not in the offline Helm repository ${mirror} (${sources.mirrorSetting})` : 'no offline Helm repository is set',
  ];
  return { missing: `its archive is ${looked.join(' and ')}` };
}

function mirrorIndex(mirror: string, setting: string): HelmIndex {
  let index = indexes.get(mirror);
  if (!index) {
    const file = path.join(mirror, 'index.yaml');
    index = parseIndex(fs.readFileSync(file, 'utf8'), pathToFileURL(file).href, `Fix ${setting}: it must name a directory that "helm repo index" wrote.`);
    indexes.set(mirror, index);
  }
  return index;
}

/**
 * A directory holding `<chart>-<version>.yaml`, the default values of a pinned chart, read from
 * its verified archive (cached or in the offline Helm repository) when no schema source has them;
 * undefined when there is no archive either. Written once into the cache, by rename.
 */
export function archiveDefaultsDir(chart: string, version: string, sources: ChartSources): string | undefined {
  const found = chartArchive(chart, version, sources);
  if ('missing' in found) return undefined;
  const dir = path.join(sources.cache, 'chart-defaults', found.digest.replace(/^sha256:/, ''));
  const file = path.join(dir, `${chart}-${version}.yaml`);
  if (fs.existsSync(file)) return dir;
  const values = chartSchemaFiles(fs.readFileSync(found.file), chart, version).get(`helm-values/${chart}-${version}.yaml`);
  if (!values) return undefined;
  try {
    makeDirectories(dir);
    writeWhole(file, values);
  } catch (e) {
    throw new InputError([`${sources.cache}: the cache directory cannot be written (${systemError(e)}). Set XDG_CACHE_HOME to a directory you may write to.`]);
  }
  return dir;
}
