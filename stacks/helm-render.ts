/**
 * Renders each Helm application of an environment as Argo CD's repo-server does, so validation and
 * the policies judge what the cluster will really get: `helm template` of the chart, version and
 * release name the Application (or fleet ApplicationSet) names, into its destination namespace,
 * with the values file it reads from Git (the bytes synth writes to `values/<app>.yaml`) and its
 * Helm parameters, `--kube-version` from the environment, `--api-versions` for every version and
 * kind the environment's CRDs serve (gitplane's own and those in the rendered charts), and
 * `--include-crds`, which Argo CD passes unless an Application sets `skipCrds`.
 *
 * The archive comes from stacks/chart-source.ts (digest-checked). Nothing rendered is published:
 * Argo CD renders the charts itself; each object keeps its chart, release and template. Renders
 * are cached on disk by the digest of their inputs (Renderer, below).
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/helm/
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { clusterNameTemplate } from '../constructs/gitops/argocd/project-clusters';
import { byCodePoint } from '../constructs/core/order';
import { ValidationProblem, validatorFor } from '../validation';
import { parseJsonSource } from './json-source';
import { CLUSTER_LABEL } from './gitops-names';
import { chartArchive, ChartArchive } from './chart-source';
import { contentKey, pruneDaily, readBytes, readEntry, writeEntry } from './content-cache';
import { InputError } from './errors';
import { isMap, Manifest, objectRef, RenderedObject } from './objects';
import type { ChartSources, Settings } from './settings';

/** What rendering needs to know about an environment. */
export interface RenderInput {
  /** Objects holding the Applications and ApplicationSets (and gitplane's own CRDs). */
  readonly objects: readonly RenderedObject[];
  /** Non-manifest files by path in the environment's folder; the values files are `values/<app>.yaml`. */
  readonly files: ReadonlyMap<string, string>;
  /** Prefix that makes a file a path in the repository, for messages (`dev`, or the --dir argument). */
  readonly root: string;
  /** The cluster's Kubernetes version, e.g. `1.34.2`. @default - Helm's own default */
  readonly kubeVersion?: string;
  /**
   * The cluster a fleet ApplicationSet's cluster-name parameters are rendered for (sites differ
   * only in those parameters). @default - a stand-in cluster (see firstCluster)
   */
  readonly clusterName?: string;
}

/** One chart an Application installs, as Argo CD reads it. */
export interface ChartRelease {
  /** The application folder: the values file is `values/<app>.yaml`. */
  readonly app: string;
  readonly chart: string;
  readonly version: string;
  readonly release: string;
  readonly namespace: string;
  /** The values file, path in the environment's folder. */
  readonly valuesFile: string;
  readonly parameters: readonly { readonly name: string; readonly value: string }[];
  /** The Application or ApplicationSet that installs it. */
  readonly source: RenderedObject;
}

export interface RenderedCharts {
  /** Every rendered object, by application in code-point order, each in Helm's order. */
  readonly objects: RenderedObject[];
  /** A second render of the same charts, when asked for (determinism). */
  readonly again?: RenderedObject[];
  /** Charts that could not be rendered: no Helm, no archive (`unchecked`), or Helm failed. */
  readonly problems: ValidationProblem[];
  readonly releases: readonly ChartRelease[];
}

/** How to get Helm, for every message about a chart not rendered for want of it. */
export const HELM_FIX = 'Install Helm v4.1.4 on PATH (https://helm.sh/docs/intro/install/; in a gitplane checkout "bash tools/install.sh helm" builds it), or point GITPLANE_HELM at it.';
/** How to get a pinned chart's archive. */
export const CHART_FIX = 'Run "gitplane schemas pull", or set an offline Helm repository (charts.mirror in gitplane.yaml, or GITPLANE_CHART_MIRROR).';

/** Renders every chart of the environment once, or `times` times in a row. */
export function renderCharts(input: RenderInput, settings: { readonly charts: ChartSources; readonly helm?: string }, times: 1 | 2 = 1): RenderedCharts {
  const releases = chartReleases(input);
  const problems: ValidationProblem[] = [];
  const ready: { release: ChartRelease; archive: ChartArchive }[] = [];
  for (const release of releases) {
    const found = chartArchive(release.chart, release.version, settings.charts);
    const unchecked = `the chart ${release.chart} ${release.version} of application ${release.app}`;
    const notRendered = (reason: string, fix: string): ValidationProblem => ({
      file: joinPath(input.root, release.valuesFile),
      object: objectRef(release.source.manifest),
      unchecked,
      fix,
      message: `${unchecked} was not rendered, so what it adds was not judged: ${reason}. ${fix}`,
    });
    if ('missing' in found) problems.push(notRendered(found.missing, CHART_FIX));
    else if (!settings.helm) problems.push(notRendered('no helm on PATH and GITPLANE_HELM is not set', HELM_FIX));
    else ready.push({ release, archive: found });
  }
  if (ready.length === 0) return { objects: [], again: times === 2 ? [] : undefined, problems, releases };
  const renderer = new Renderer(settings.helm!, path.join(settings.charts.cache, 'renders'), input);
  try {
    // The cluster serves the CRDs the charts install once they are synced, and Argo CD renders
    // with the API versions it finds there: render with those the charts' own CRDs add.
    const own = servedApiVersions(input.objects);
    const served = new Set(own);
    for (const { release, archive } of ready) {
      const r = renderer.serves(release, archive, own);
      if (typeof r === 'string') problems.push({ file: joinPath(input.root, release.valuesFile), object: objectRef(release.source.manifest), message: r });
      else r.forEach((v) => served.add(v));
    }
    const apiVersions = [...served].sort(byCodePoint);
    const objects: RenderedObject[] = [];
    const again: RenderedObject[] = [];
    for (const { release, archive } of ready) {
      const r = renderer.render(release, archive, apiVersions, times === 2);
      if (typeof r === 'string') {
        problems.push({ file: joinPath(input.root, release.valuesFile), object: objectRef(release.source.manifest), message: r });
        continue;
      }
      objects.push(...r.objects);
      again.push(...r.again);
    }
    return { objects, again: times === 2 ? again : undefined, problems: [...new Map(problems.map((p) => [`${p.file}\0${p.message}`, p])).values()], releases };
  } finally {
    renderer.close();
  }
}

/** The charts the environment's Applications and ApplicationSets install, by application. */
export function chartReleases(input: RenderInput): ChartRelease[] {
  const releases: ChartRelease[] = [];
  for (const o of input.objects) {
    const m = o.manifest;
    // A document of a directory may be anything: only maps naming an Argo CD kind install charts.
    if (!isMap(m) || typeof m.apiVersion !== 'string' || !m.apiVersion.startsWith('argoproj.io/')) continue;
    const spec = (m.kind === 'Application' ? m.spec : m.kind === 'ApplicationSet' ? (m.spec as { template?: { spec?: unknown } } | undefined)?.template?.spec : undefined) as AppSpec | undefined;
    // Fields of the wrong shape install nothing here; the Application's schema check names them.
    const sources: unknown[] = Array.isArray(spec?.sources) ? spec.sources : spec?.source ? [spec.source] : [];
    for (const source of sources) {
      if (!isMap(source) || typeof source.chart !== 'string') continue;
      const helm: NonNullable<AppSource['helm']> = isMap(source.helm) ? source.helm : {};
      const values = (Array.isArray(helm.valueFiles) ? helm.valueFiles : []).map((f) => valuesFileFor(f, input.files));
      const valuesFile = values[0];
      if (values.length !== 1 || !valuesFile) {
        throw new InputError([`${joinPath(input.root, o.file)}: ${objectRef(m)} installs chart ${source.chart} with value files ${JSON.stringify(helm.valueFiles ?? [])}; gitplane renders a chart with one values file from the same repository ($values/.../values/<app>.yaml) that exists here. Synthesize the environment again.`]);
      }
      releases.push({
        app: path.basename(valuesFile).replace(/\.ya?ml$/, ''),
        chart: source.chart,
        version: String(source.targetRevision),
        release: String(helm.releaseName ?? m.metadata?.name),
        namespace: String((isMap(spec?.destination) ? spec.destination.namespace : undefined) ?? ''),
        valuesFile,
        parameters: (Array.isArray(helm.parameters) ? helm.parameters.filter(isMap) : []).map((p) => ({ name: String(p.name), value: clusterValue(String(p.value), input.clusterName ?? firstCluster(m)) })),
        source: o,
      });
    }
  }
  return releases.sort((a, b) => byCodePoint(a.app, b.app));
}

/**
 * The values file a `$values/<path in the repository>` reference names, among the files: the
 * one whose path (from the environment's folder, or from a folder above it) ends the reference.
 */
function valuesFileFor(reference: string, files: ReadonlyMap<string, string>): string | undefined {
  const wanted = /^\$values\/(.+\/values\/[^/]+\.ya?ml)$/.exec(reference)?.[1];
  if (!wanted) return undefined;
  return [...files.keys()].filter((f) => /(^|\/)values\/[^/]+\.ya?ml$/.test(f)).find((f) => wanted === f || wanted.endsWith(`/${f}`));
}

interface AppSource {
  chart?: unknown;
  targetRevision?: unknown;
  helm?: { releaseName?: string; valueFiles?: string[]; parameters?: { name: string; value: string }[] };
}
interface AppSpec {
  source?: AppSource;
  sources?: AppSource[];
  destination?: { namespace?: unknown };
}

/**
 * The cluster a fleet ApplicationSet is rendered for when the environment file is not at hand
 * (--dir): the first its cluster generator names by the cluster label, else a stand-in, as the
 * generator selects registered clusters by the environment's label alone.
 */
function firstCluster(m: Manifest): string {
  const generators = (m.spec as { generators?: { clusters?: { selector?: { matchExpressions?: { key?: string; values?: string[] }[] } } }[] } | undefined)?.generators ?? [];
  return generators.flatMap((g) => g.clusters?.selector?.matchExpressions ?? []).find((e) => e.key === CLUSTER_LABEL)?.values?.[0] ?? STAND_IN_CLUSTER;
}

const STAND_IN_CLUSTER = 'fleet-cluster';

/** A fleet parameter's cluster-name template, as the ApplicationSet's cluster generator fills it for `cluster`. */
function clusterValue(value: string, cluster: string): string {
  return value.split(clusterNameTemplate(CLUSTER_LABEL)).join(cluster);
}

/** `group/version` and `group/version/Kind` for every version the CRDs among the objects serve, as Argo CD lists a cluster's API resources. */
export function servedApiVersions(objects: readonly RenderedObject[]): string[] {
  const found = new Set<string>();
  for (const { manifest } of objects) {
    if (manifest.kind !== 'CustomResourceDefinition') continue;
    const spec = manifest.spec as { group?: string; names?: { kind?: string }; versions?: { name?: string; served?: boolean }[] } | undefined;
    for (const v of spec?.versions ?? []) {
      if (v.served === false || !spec?.group || !v.name) continue;
      found.add(`${spec.group}/${v.name}`);
      if (spec.names?.kind) found.add(`${spec.group}/${v.name}/${spec.names.kind}`);
    }
  }
  return [...found].sort(byCodePoint);
}

/** One document Helm rendered: the template it came from (`# Source:`) and the object. */
type Rendered = [template: string, manifest: Manifest];

/**
 * A cached render: Helm's objects, and those of a second render when one was asked for
 * (`"same"` when Helm printed the same bytes again).
 */
interface RenderEntry {
  readonly first: Rendered[];
  readonly second?: Rendered[] | 'same';
}

/** Changes when what a render entry holds, or how it is made, changes. */
const RENDER_FORMAT = 'helm-template 3';

/** A document this large (its JSON, in characters) or larger is kept in a cache entry of its own. */
const OWN_ENTRY_CHARS = 16 * 1024;

/**
 * A render entry as text: a first line with the templates (`{"first":[...],"second":[...]|"same"}`),
 * then each document as JSON on a line of its own, the first render's then the second's. A large
 * document's line is instead the key of a cache entry holding its JSON, the sha256 of its bytes
 * (as a JSON string): the renders of every environment name a chart's CRDs by the same key, and a
 * process reads, checks and parses them once, not again in each render entry (3.5 MB of
 * kube-prometheus-stack's CRDs in each environment's). A small document is read by its bytes, so
 * one that other renders repeat byte for byte is decoded and parsed once too; either way a
 * repeated document is the same object in all of them.
 */
function renderEntryText(entry: RenderEntry, cache: string): string {
  const templates = (documents: Rendered[]) => documents.map(([template]) => template);
  const second = entry.second === undefined || entry.second === 'same' ? entry.second : templates(entry.second);
  const documents = [...entry.first, ...(Array.isArray(entry.second) ? entry.second : [])];
  return [JSON.stringify({ first: templates(entry.first), second }), ...documents.map(([, manifest]) => documentLine(JSON.stringify(manifest), cache))].join('\n');
}

/** The line of a document: its JSON, or the key of the entry it is written to when it is large. */
function documentLine(json: string, cache: string): string {
  if (json.length < OWN_ENTRY_CHARS) return json;
  const bytes = Buffer.from(json);
  const key = createHash('sha256').update(bytes).digest('hex');
  writeEntry(cache, key, bytes);
  // Read back as a later render reads it, with no need of the entry: one that could not be written still renders.
  if (storedDocuments.get(key) === undefined) storedDocuments.set(key, parseJsonSource(json, key) as Manifest);
  return JSON.stringify(key);
}

/** The entry, or undefined when a document it names by key is no longer in the cache (or not intact). */
function readRenderEntry(body: Buffer, cache: string): RenderEntry | undefined {
  let start = 0;
  // JSON has no raw line break: each line is a whole document.
  const line = (): Buffer => {
    const newline = body.indexOf(0x0a, start);
    const end = newline === -1 ? body.length : newline;
    const bytes = body.subarray(start, end);
    start = end + 1;
    return bytes;
  };
  const head = JSON.parse(line().toString('utf8')) as { first: string[]; second?: string[] | 'same' };
  const documents = (templates: string[]): Rendered[] | undefined => {
    const read: Rendered[] = [];
    for (const template of templates) {
      const bytes = line();
      // A document's JSON is an object; a JSON string is the key of the entry holding it.
      const manifest = bytes[0] === 0x22 ? storedDocument(cache, JSON.parse(bytes.toString('latin1')) as string) : jsonDocument(bytes);
      if (manifest === undefined) return undefined;
      read.push([template, manifest]);
    }
    return read;
  };
  const first = documents(head.first);
  if (head.second === undefined || head.second === 'same') return first && { first, second: head.second };
  const second = documents(head.second);
  return first && second && { first, second };
}

/** A document kept in an entry of its own (documentLine), or undefined when that entry is gone or not intact. */
function storedDocument(cache: string, key: string): Manifest | undefined {
  let manifest = storedDocuments.get(key);
  if (manifest === undefined) {
    const json = readEntry(cache, key);
    if (json === undefined) return undefined;
    // The entry's key is the digest of its JSON (documentLine), which content-cache checked.
    manifest = parseJsonSource(json, key) as Manifest;
    storedDocuments.set(key, manifest);
  }
  return manifest;
}

/**
 * Documents by their bytes (found by length, then compared), each kept for as long as something
 * else holds it: the renders of one process's environments repeat documents byte for byte (a
 * chart's CRDs) and share them without decoding them again, and a document no render holds any
 * more (a fleet's clusters built one after another) is not kept for the rest of the process, nor
 * are its bytes.
 */
class DocumentsByBytes {
  private readonly held = new Map<number, { readonly bytes: Buffer; readonly manifest: WeakRef<Manifest> }[]>();
  private readonly forget = new FinalizationRegistry<Buffer>((bytes) => {
    const alike = this.held.get(bytes.length)?.filter((d) => d.bytes !== bytes) ?? [];
    if (alike.length > 0) this.held.set(bytes.length, alike);
    else this.held.delete(bytes.length);
  });

  get(bytes: Buffer): Manifest | undefined {
    return this.held.get(bytes.length)?.find((d) => d.bytes.equals(bytes))?.manifest.deref();
  }

  set(bytes: Buffer, manifest: Manifest): void {
    // A copy of the bytes: they are a slice that would keep a whole entry alive.
    const own = Buffer.from(bytes);
    this.held.set(bytes.length, [...(this.held.get(bytes.length) ?? []).filter((d) => d.manifest.deref() !== undefined), { bytes: own, manifest: new WeakRef(manifest) }]);
    this.forget.register(manifest, own);
  }
}

function jsonDocument(bytes: Buffer): Manifest {
  let manifest = jsonDocuments.get(bytes);
  if (manifest === undefined) {
    manifest = parseJsonSource(bytes) as Manifest;
    jsonDocuments.set(bytes, manifest);
  }
  return manifest;
}

const jsonDocuments = new DocumentsByBytes();

/**
 * Documents kept in entries of their own, by key, each kept for as long as something else holds it
 * (as DocumentsByBytes keeps the others).
 */
class DocumentsByKey {
  private readonly held = new Map<string, WeakRef<Manifest>>();
  private readonly forget = new FinalizationRegistry<string>((key) => {
    if (this.held.get(key)?.deref() === undefined) this.held.delete(key);
  });

  get(key: string): Manifest | undefined {
    return this.held.get(key)?.deref();
  }

  set(key: string, manifest: Manifest): void {
    this.held.set(key, new WeakRef(manifest));
    this.forget.register(manifest, key);
  }
}

const storedDocuments = new DocumentsByKey();

/**
 * Runs `helm template`, each render cached on disk (stacks/content-cache.ts) under the digest of
 * everything that decides its output: the chart archive's verified digest, release, namespace,
 * values file, parameters, Kubernetes version, API versions and the Helm binary. A cached render
 * is read as JSON, without running Helm or parsing its YAML (kube-prometheus-stack's CRDs are
 * megabytes of it). A second render for the determinism check is made by Helm once per key and
 * cached with the first.
 */
class Renderer {
  private work?: string;
  private readonly helmIdentity: string;

  constructor(
    private readonly helm: string,
    private readonly cache: string,
    private readonly input: RenderInput,
  ) {
    this.helmIdentity = binaryIdentity(helm);
  }

  /**
   * The API versions the CRDs of a render serve (as servedApiVersions lists them), cached beside
   * it in an entry of their own: finding them needs no read of the render itself.
   */
  serves(release: ChartRelease, archive: ChartArchive, apiVersions: readonly string[]): string[] | string {
    const key = `${this.key(release, archive, apiVersions)}.serves`;
    const cached = readEntry(this.cache, key);
    if (cached !== undefined) return JSON.parse(cached) as string[];
    const r = this.render(release, archive, apiVersions, false);
    if (typeof r === 'string') return r;
    const served = servedApiVersions(r.objects);
    writeEntry(this.cache, key, JSON.stringify(served));
    return served;
  }

  render(release: ChartRelease, archive: ChartArchive, apiVersions: readonly string[], twice: boolean): { objects: RenderedObject[]; again: RenderedObject[] } | string {
    const key = this.key(release, archive, apiVersions);
    const cached = readBytes(this.cache, key);
    let entry = cached === undefined ? undefined : readRenderEntry(cached, this.cache);
    if (!entry || (twice && entry.second === undefined)) {
      const made = this.make(release, archive, apiVersions, entry?.first, twice);
      if (typeof made === 'string') return made;
      const body = renderEntryText(made, this.cache);
      writeEntry(this.cache, key, body);
      // Read back as a cache hit would read it, so a run with the cache and one without see the same objects.
      entry = readRenderEntry(Buffer.from(body), this.cache)!;
    }
    const chart = { name: release.chart, version: release.version, release: release.release };
    const objectsOf = (documents: Rendered[]): RenderedObject[] => documents.map(([template, manifest]) => ({ manifest, app: release.app, file: release.valuesFile, chart: { ...chart, template } }));
    const objects = objectsOf(entry.first);
    return { objects, again: entry.second === undefined || entry.second === 'same' ? objects : objectsOf(entry.second) };
  }

  /** Renders with Helm what an entry lacks: the first render unless it is given, and a second when asked for. */
  private make(release: ChartRelease, archive: ChartArchive, apiVersions: readonly string[], first: Rendered[] | undefined, twice: boolean): RenderEntry | string {
    const printed = first ? undefined : this.template(release, archive, apiVersions);
    if (typeof printed === 'object') return printed.error;
    const again = twice ? this.template(release, archive, apiVersions) : undefined;
    if (typeof again === 'object') return again.error;
    const documents = first ?? this.documents(release, printed!);
    if (typeof documents === 'string') return documents;
    if (again === undefined) return { first: documents };
    if (again === printed) return { first: documents, second: 'same' };
    const second = this.documents(release, again);
    return typeof second === 'string' ? second : { first: documents, second };
  }

  private key(release: ChartRelease, archive: ChartArchive, apiVersions: readonly string[]): string {
    const values = this.input.files.get(release.valuesFile)!;
    return contentKey([RENDER_FORMAT, archive.digest, release.chart, release.version, release.release, release.namespace, values, release.parameters, this.input.kubeVersion ?? '', apiVersions, this.helmIdentity]);
  }

  /** One `helm template` run: what Helm printed, or what went wrong as a sentence. */
  private template(release: ChartRelease, archive: ChartArchive, apiVersions: readonly string[]): string | { error: string } {
    this.work ??= fs.mkdtempSync(path.join(os.tmpdir(), 'gitplane-helm-'));
    const helm = this.helm;
    const valuesFile = path.join(this.work, `${release.app}.yaml`);
    fs.writeFileSync(valuesFile, this.input.files.get(release.valuesFile)!);
    const args = ['template', archive.file, '--name-template', release.release];
    if (release.namespace) args.push('--namespace', release.namespace);
    if (this.input.kubeVersion) args.push('--kube-version', this.input.kubeVersion);
    for (const p of release.parameters) args.push('--set', `${p.name}=${p.value.replace(/,/g, '\\,')}`);
    args.push('--values', valuesFile);
    for (const v of apiVersions) args.push('--api-versions', v);
    args.push('--include-crds');
    // Helm's own directories in the scratch folder: no repository, plugin or registry login of the user's is used.
    const home = path.join(this.work, 'home');
    const env = { PATH: process.env.PATH ?? '', HOME: home, HELM_CACHE_HOME: path.join(home, 'cache'), HELM_CONFIG_HOME: path.join(home, 'config'), HELM_DATA_HOME: path.join(home, 'data') };
    const r = spawnSync(helm, args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 300_000 });
    if (r.error || r.status !== 0) {
      const why = r.error?.message ?? r.stderr.trim().split('\n').slice(-3).join(' ');
      return { error: `${helm} template could not render chart ${release.chart} ${release.version} of application ${release.app} (${why}). Argo CD would fail the same way; fix the values in the application's helm function, or the chart pin.` };
    }
    return r.stdout;
  }

  /** The documents Helm printed, or what gitplane cannot read in them as a sentence. */
  private documents(release: ChartRelease, stdout: string): Rendered[] | string {
    const documents: Rendered[] = [];
    for (const text of stdout.split(/^---$/m)) {
      const template = /^# Source: (\S+)/m.exec(text)?.[1] ?? '';
      const manifest = parseDocument(text);
      if (typeof manifest === 'string') return `${this.helm} template printed YAML gitplane cannot read for chart ${release.chart} ${release.version}, ${template} (${manifest}).`;
      if (manifest !== null) documents.push([template, manifest]);
    }
    return documents;
  }

  close(): void {
    if (this.work) fs.rmSync(this.work, { recursive: true, force: true });
    pruneDaily(this.cache);
  }
}

/** The Helm binary as a cache key part: its real path, size and modification time (another Helm version is another binary). */
function binaryIdentity(file: string): string {
  try {
    const real = fs.realpathSync(file);
    const stat = fs.statSync(real);
    return `${real} ${stat.size} ${stat.mtimeMs}`;
  } catch {
    return file;
  }
}

/**
 * One document of Helm's output, read as Kubernetes reads YAML (1.1); the error, or null for an
 * empty one. Documents are kept by their text while held: renders of the same chart for other
 * environments repeat the large CRDs word for word, and those are read only once.
 */
function parseDocument(text: string): Manifest | null | string {
  const bytes = Buffer.from(text);
  const held = yamlDocuments.get(bytes);
  if (held !== undefined) return held;
  const docs = parseAllDocuments(text, { version: '1.1' });
  const doc = docs[0];
  if (docs.length > 1) return 'more than one document between two --- lines';
  if (doc?.errors.length) return doc.errors[0].message.split('\n')[0];
  const value = doc?.toJS({ maxAliasCount: -1 }) as Manifest | null | undefined;
  if (value === null || typeof value !== 'object') return null;
  yamlDocuments.set(bytes, value);
  return value;
}

const yamlDocuments = new DocumentsByBytes();

/** `root/file`, or `file` when there is no root. */
export function joinPath(root: string, file: string): string {
  return root ? `${root.replace(/\/$/, '')}/${file}` : file;
}

/** Validates rendered chart objects, one release (values file) at a time (within one Application a duplicate is an error), each problem naming its template. */
export function validateCharts(charts: RenderedCharts, settings: Pick<Settings, 'crdDirs'>, root: string): ValidationProblem[] {
  const validator = validatorFor(settings);
  return charts.releases.flatMap((release) => {
    const objects = charts.objects.filter((o) => o.file === release.valuesFile);
    return validator.validate(objects.map((o) => ({ manifest: o.manifest, file: joinPath(root, o.file) })), true).map((p) => {
      const templates = [...new Set(objects.filter((o) => objectRef(o.manifest) === p.object).map((o) => o.chart?.template))].join(', ');
      return { ...p, message: `${p.message} (rendered by ${release.chart} ${release.version} from ${templates})` };
    });
  });
}
