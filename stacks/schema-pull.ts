/**
 * `gitplane schemas pull`: fetches each chart pinned in environments/versions.yaml from its Helm
 * repository, verifies the archive against the repository's index.yaml digest (and the lock's),
 * and caches the archive (which Helm renders, stacks/helm-render.ts) with its CRDs and default
 * values for validation. gitplane.lock records every digest.
 * A chart whose lock entry and cache agree is not fetched again. Behind a mirror or proxy of the
 * charts' repositories, every chart is fetched from that one repository instead (see
 * chartRepository); the lock still records each pin's own repoURL and is checked all the same.
 *
 * @see https://helm.sh/docs/topics/chart_repository/ (index.yaml, digest, urls)
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ChartArchiveError, chartSchemaFiles, SchemaFiles } from './chart-archive';
import { InputError } from './errors';
import { byCodePoint } from '../constructs/core/order';
import { archiveName, cachedChartDir, Lock, LockedChart, readLock, writeLock } from './schema-lock';
import { LOCK_FILE } from './project';
import { cacheDir } from './settings';
import { ChartPin, pinnedVersions, versionsFile } from './versions';
import { makeDirectories } from './write-whole';

const MAX_INDEX = 256 * 1024 * 1024;
const MAX_ARCHIVE = 64 * 1024 * 1024;
const TIMEOUT_MS = 120_000;

export interface PulledChart {
  readonly key: string;
  readonly chart: string;
  readonly version: string;
  /** Whether the archive was downloaded (false: the cache already matched the lock). */
  readonly downloaded: boolean;
  readonly crds: number;
}

export interface PullResult {
  readonly charts: PulledChart[];
  /** Whether gitplane.lock changed. */
  readonly lockChanged: boolean;
  readonly lockFile: string;
}

/** The variable that names a Helm repository to pull every chart from, when `--repository` does not. */
export const REPOSITORY_VARIABLE = 'GITPLANE_CHART_REPOSITORY';

/** Where the charts are downloaded from: each pin's repoURL, or one repository that serves them all. */
interface Source {
  /** The repository of a pin. */
  readonly url: (pin: ChartPin) => string;
  /** What to check when it fails, e.g. `the repoURL in environments/versions.yaml`. */
  readonly setting: string;
  /** The fix when the repository has no such chart version; the pin's, when unset. */
  readonly missing?: (pin: ChartPin) => string;
}

/**
 * The one Helm repository to pull every pinned chart from, instead of each pin's repoURL: the
 * `--repository` option, else GITPLANE_CHART_REPOSITORY (empty: none). For a network that reaches
 * the charts only through a mirror or proxy that serves them all under one index.yaml (an
 * Artifactory virtual or a Nexus group Helm repository, a Harbor proxy, a directory of archives
 * served over HTTP).
 */
export function chartRepository(option: string | undefined, env: NodeJS.ProcessEnv = process.env): { url: string; setting: string } | undefined {
  const [value, setting] = option !== undefined ? [option, '--repository'] : [env[REPOSITORY_VARIABLE] ?? '', REPOSITORY_VARIABLE];
  if (value === '') return undefined;
  if (!/^https?:\/\/[^/]/.test(value)) {
    throw new InputError([`${setting} must be the http(s) URL of a Helm repository, the one that serves index.yaml (found ${JSON.stringify(value)}). Give the URL of the mirror or proxy, e.g. https://artifactory.example.com/artifactory/api/helm/helm-virtual.`]);
  }
  return { url: value, setting };
}

/**
 * Pulls every pinned chart into the cache and brings `<projectDir>/gitplane.lock` up to date;
 * from `repository` (chartRepository) when given, else from each pin's repoURL. With `locked`
 * (CI, as `npm ci` treats package-lock.json) the lock must already lock every pin and nothing
 * else: it is never written, and a lock that does not match stops the pull before any download.
 */
export async function pullSchemas(
  projectDir: string,
  progress: (line: string) => void = () => undefined,
  repository?: { url: string; setting: string },
  options: { locked?: boolean } = {},
): Promise<PullResult> {
  const source: Source = repository
    ? {
        url: () => repository.url,
        setting: repository.setting,
        missing: (pin) => `The repository ${repository.setting} names must serve it, as a mirror or proxy of ${pin.repoURL}: add the chart version there, or pull without ${repository.setting} from the pin's own repoURL.`,
      }
    : { url: (pin) => pin.repoURL, setting: `the repoURL in ${versionsFile()}` };
  const lockFile = path.join(projectDir, LOCK_FILE);
  const lock = readLock(lockFile);
  const cache = cacheDir();
  const pins = pinnedVersions().charts ?? {};
  checkPins(pins);
  if (options.locked) checkLocked(pins, lock);
  const indexes = new Map<string, Promise<HelmIndex>>();
  const charts: Record<string, LockedChart> = {};
  const pulled: PulledChart[] = [];
  for (const key of Object.keys(pins).sort(byCodePoint)) {
    const pin = pins[key];
    const previous = lock.charts[key];
    const locked = previous && previous.chart === pin.chart && previous.version === pin.version && previous.repoURL === pin.repoURL ? previous : undefined;
    if (locked && cacheMatches(cachedChartDir(cache, locked), locked.files)) {
      charts[key] = locked;
      pulled.push({ key, chart: pin.chart, version: pin.version, downloaded: false, crds: crdCount(locked.files) });
      progress(`${pin.chart} ${pin.version}: in the cache, matches ${LOCK_FILE}`);
      continue;
    }
    const repoURL = source.url(pin);
    if (!indexes.has(repoURL)) indexes.set(repoURL, fetchIndex(repoURL, source.setting));
    const entry = findEntry(await indexes.get(repoURL)!, pin, source.missing?.(pin));
    if (locked && locked.digest !== entry.digest) {
      throw new InputError([
        `${pin.chart} ${pin.version}: the index.yaml of ${repoURL} gives the digest ${entry.digest}, but ${LOCK_FILE} expects ${locked.digest}. The chart was republished, or the repository is not the one locked. Find out which; only if the new archive is genuine, delete charts.${key} from ${LOCK_FILE} and pull again.`,
      ]);
    }
    const archive = await download(entry.url, MAX_ARCHIVE, `${pin.chart} ${pin.version}`, source.setting);
    const found = `sha256:${createHash('sha256').update(archive).digest('hex')}`;
    if (found !== entry.digest) {
      throw new InputError([
        `${pin.chart} ${pin.version}: the archive ${entry.url} has the digest ${found}, but the index.yaml of ${repoURL} expects ${entry.digest}. It was changed on the server or in transit, and nothing from it was used. Pull again; if it still differs, report it to the repository's maintainers and keep the chart at its locked version.`,
      ]);
    }
    let files: SchemaFiles;
    try {
      files = chartSchemaFiles(archive, pin.chart, pin.version);
    } catch (e) {
      if (!(e instanceof ChartArchiveError)) throw e;
      throw new InputError([`${pin.chart} ${pin.version} (${entry.url}): ${e.message}. Add its CRDs with "gitplane schemas import FILE" or an offline mirror (schemas.mirror) instead.`]);
    }
    files.set(archiveName(pin), archive);
    const digests = writeCache(cache, { chart: pin.chart, version: pin.version, digest: found }, files);
    charts[key] = { repoURL: pin.repoURL, chart: pin.chart, version: pin.version, digest: found, files: digests };
    pulled.push({ key, chart: pin.chart, version: pin.version, downloaded: true, crds: crdCount(digests) });
    progress(`${pin.chart} ${pin.version}: downloaded ${entry.url}, ${found}`);
  }
  const next: Lock = { charts };
  const lockChanged = JSON.stringify(normalize(next)) !== JSON.stringify(normalize(lock));
  if (lockChanged && options.locked) {
    // Every archive matched its locked digest, so only the files this gitplane extracts from it differ.
    throw new InputError([`the files this gitplane extracts from the pinned charts differ from those ${LOCK_FILE} records, and --locked does not write it. Run "gitplane schemas pull" without --locked where you can commit, and commit ${LOCK_FILE}.`]);
  }
  if (lockChanged) writeLock(lockFile, next);
  return { charts: pulled, lockChanged, lockFile };
}

/** Refuses a lock that does not lock exactly the pinned charts (`--locked`). */
function checkLocked(pins: Readonly<Record<string, ChartPin>>, lock: Lock): void {
  const problems: string[] = [];
  for (const key of Object.keys(pins).sort(byCodePoint)) {
    const pin = pins[key];
    const locked = lock.charts[key];
    if (!locked) problems.push(`${LOCK_FILE} does not lock ${pin.chart} ${pin.version}, which ${versionsFile()} pins (charts.${key}).`);
    else if (locked.chart !== pin.chart || locked.version !== pin.version || locked.repoURL !== pin.repoURL) {
      problems.push(`${LOCK_FILE} locks ${locked.chart} ${locked.version} from ${locked.repoURL} as charts.${key}, but ${versionsFile()} pins ${pin.chart} ${pin.version} from ${pin.repoURL}.`);
    }
  }
  for (const key of Object.keys(lock.charts).sort(byCodePoint)) {
    if (!Object.hasOwn(pins, key)) problems.push(`${LOCK_FILE} locks charts.${key}, which ${versionsFile()} no longer pins.`);
  }
  if (problems.length > 0) {
    throw new InputError([...problems, `${LOCK_FILE} is out of date with the pins, and --locked does not write it. Run "gitplane schemas pull" without --locked where you can commit, and commit ${LOCK_FILE}.`]);
  }
}

function checkPins(pins: Readonly<Record<string, ChartPin>>): void {
  const problems: string[] = [];
  for (const [key, pin] of Object.entries(pins)) {
    // Only a wrong pin needs the name, whose path comes from the environment loader (ajv).
    // Chart names and versions were checked as the pins were read (stacks/versions.ts).
    const where = () => `${versionsFile()}: charts.${key}`;
    if (!/^https?:\/\//.test(String(pin.repoURL))) {
      problems.push(
        `${where()}.repoURL must be the http(s) URL of a Helm repository (found ${JSON.stringify(pin.repoURL)}). gitplane schemas pull reads Helm repositories' index.yaml; for a chart from an OCI registry, add its CRDs with "gitplane schemas import FILE" and its default values to the offline mirror (schemas.mirror).`,
      );
    }
  }
  if (problems.length > 0) throw new InputError(problems);
}

export interface HelmIndex {
  readonly url: string;
  readonly entries: Record<string, { version?: unknown; digest?: unknown; urls?: unknown }[]>;
}

async function fetchIndex(repoURL: string, setting: string): Promise<HelmIndex> {
  const url = `${repoURL.replace(/\/+$/, '')}/index.yaml`;
  return parseIndex((await download(url, MAX_INDEX, `the index of ${repoURL}`, setting)).toString('utf8'), url, `Check ${setting}.`);
}

/** A Helm repository's index.yaml, read from `url`; `fix` ends the message when it is not one. */
export function parseIndex(text: string, url: string, fix: string): HelmIndex {
  let data: unknown;
  try {
    data = parse(text);
  } catch (e) {
    throw new InputError([`${url}: not a Helm repository index (${(e as Error).message.split('\n')[0]}). ${fix}`]);
  }
  const entries = (data as { entries?: unknown } | null)?.entries;
  if (typeof entries !== 'object' || entries === null) throw new InputError([`${url}: not a Helm repository index (no entries). ${fix}`]);
  return { url, entries: entries as HelmIndex['entries'] };
}

/**
 * The digest and absolute URL of a pinned chart's archive in an index. The archive must be
 * served the way the index was: over http(s), or from the same file: directory.
 */
export function findEntry(
  index: HelmIndex,
  pin: Pick<ChartPin, 'chart' | 'version'>,
  fix = `Fix the pin in ${versionsFile()} (its repoURL, chart or version).`,
): { digest: string; url: string } {
  const versions = Object.hasOwn(index.entries, pin.chart) && Array.isArray(index.entries[pin.chart]) ? index.entries[pin.chart] : [];
  const entry = versions.find((e) => String(e?.version) === pin.version);
  if (!entry) throw new InputError([`${pin.chart} ${pin.version}: ${index.url} has no such chart version. ${fix}`]);
  const digest = String(entry.digest ?? '');
  const first = Array.isArray(entry.urls) ? entry.urls[0] : undefined;
  if (!/^[0-9a-f]{64}$/.test(digest) || typeof first !== 'string') {
    throw new InputError([`${pin.chart} ${pin.version}: the entry in ${index.url} has no sha256 digest or no URL, so the archive cannot be verified. Use a repository that publishes digests, or an offline mirror (schemas.mirror).`]);
  }
  const base = new URL(index.url);
  const url = new URL(first, base);
  const local = base.protocol === 'file:';
  const allowed = local ? url.protocol === 'file:' && path.posix.dirname(url.pathname) === path.posix.dirname(base.pathname) : url.protocol === 'https:' || url.protocol === 'http:';
  if (!allowed) throw new InputError([`${pin.chart} ${pin.version}: ${index.url} points at ${url.href}, which is not ${local ? 'an archive beside the index' : 'an http(s) URL'}.`]);
  return { digest: `sha256:${digest}`, url: url.href };
}

/**
 * GET with a size limit. A request that fails before any response (a kept-alive connection the
 * server closed meanwhile, a reset) is tried again, at most three times in all.
 */
async function download(url: string, limit: number, what: string, setting: string, attempt = 1): Promise<Buffer> {
  const fail = (reason: string) => new InputError([`could not download ${what} from ${url}: ${reason}. Check ${setting} and the network, or use an offline mirror (schemas.mirror in gitplane.yaml, or GITPLANE_SCHEMA_MIRROR).`]);
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    if (attempt < 3 && ['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'].includes(cause?.code ?? '')) return download(url, limit, what, setting, attempt + 1);
    throw fail(cause?.code ?? cause?.message ?? (e as Error).message);
  }
  if (!response.ok || !response.body) throw fail(`HTTP ${response.status}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > limit) throw fail(`larger than ${limit / 1024 / 1024} MiB`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

export const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Whether the cached directory holds exactly the locked files with the locked digests. */
function cacheMatches(dir: string, files: Readonly<Record<string, string>>): boolean {
  try {
    const present = listFiles(dir);
    return present.length === Object.keys(files).length && present.every((f) => files[f] === sha256(fs.readFileSync(path.join(dir, f))));
  } catch {
    return false;
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(dir, rel) : [rel];
  });
}

/** Writes the files into a fresh directory and moves it into place, so the cache never holds half a chart. */
function writeCache(cache: string, locked: Pick<LockedChart, 'chart' | 'version' | 'digest'>, files: SchemaFiles): Record<string, string> {
  const target = cachedChartDir(cache, locked);
  const tmp = path.join(path.dirname(target), `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const digests: Record<string, string> = {};
  try {
    makeDirectories(tmp);
    for (const [rel, data] of files) {
      fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
      fs.writeFileSync(path.join(tmp, rel), data, { mode: 0o644 });
      digests[rel] = sha256(data);
    }
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(tmp, target);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return digests;
}

function crdCount(files: Readonly<Record<string, string>>): number {
  return Object.keys(files).filter((f) => f.startsWith('crds/')).length;
}

function normalize(lock: Lock): unknown {
  return Object.keys(lock.charts)
    .sort(byCodePoint)
    .map((k) => [k, lock.charts[k].repoURL, lock.charts[k].chart, lock.charts[k].version, lock.charts[k].digest, Object.entries(lock.charts[k].files).sort(([a], [b]) => byCodePoint(a, b))]);
}
