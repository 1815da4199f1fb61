/**
 * Which Argo CD Application applies an object, where it lands, and what the Application's
 * AppProject admits, decided as Argo CD's application controller decides it (AppProject
 * IsSourcePermitted, IsDestinationPermitted and IsGroupKindNamePermitted; the controller's
 * namespace defaulting of target objects).
 *
 * Objects are judged by the application folder they belong to (`RenderedObject.app`), so objects
 * of a rendered Helm chart, marked with their application, are judged like gitplane's own.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/projects/
 */
import { EnvironmentSpec } from '../../environments/schema';
import { CLUSTER_LABEL, CLUSTER_NAMESPACES_ANNOTATION, ENVIRONMENT_LABEL } from '../../constructs/gitops/argocd/project-clusters';
import { isClusterScoped, RenderedObject } from '../../stacks/objects';
import { groupOf } from '../data/crd-owners';
import { PolicyContext } from '../types';
import { filepathMatch, globMatch } from './globs';
import { named, ofKind, perEnvironment } from './lookup';
import { isLabelSelector, LabelSelector, selectorMatches } from './network-policy';
import { appOf, applications } from './ordering';
import { listOf, mapOf, mapsOf } from './shape';

/** One Application as Argo CD runs it: a plain Application, or one stamped by an ApplicationSet onto a cluster. */
export interface AppInstance {
  /** The Application or ApplicationSet object in the output. */
  readonly object: RenderedObject;
  /** Name of the Application, e.g. `prod-nats` or `pi-edge-nats-edge-site-02`. */
  readonly name: string;
  readonly project: string;
  /** Destination API server; undefined when it is a template the output alone cannot resolve. */
  readonly server?: string;
  /** Destination cluster name, when the Application names it. */
  readonly clusterName?: string;
  readonly namespace: string;
  /** Repository URLs of its sources. */
  readonly repos: readonly string[];
}

interface AppSpec {
  project?: string;
  source?: { repoURL?: string; path?: string };
  sources?: { repoURL?: string; path?: string; helm?: { valueFiles?: string[] } }[];
  destination?: { server?: string; name?: string; namespace?: string };
}

interface ClusterGenerator {
  clusters?: { selector?: LabelSelector };
}

/**
 * The Application or ApplicationSet that applies an object: the one syncing its folder
 * (`apps/<app>`), the one whose Helm values file is `values/<app>.yaml` (a chart-only
 * application), or the root Application for `bootstrap`.
 */
export function applicationOf(o: RenderedObject, ctx: PolicyContext): RenderedObject | undefined {
  const app = appOf(o);
  return applications(ctx).get(app) ?? otherApplications(ctx).get(app);
}

/** Applications found by their values file or their bootstrap path, which `applications` does not map. */
function otherApplications(ctx: PolicyContext): Map<string, RenderedObject> {
  return perEnvironment(ctx, 'argocd:other-applications', () => {
    const found = new Map<string, RenderedObject>();
    for (const a of [...ofKind(ctx, 'Application'), ...ofKind(ctx, 'ApplicationSet')]) {
      const spec = specOf(a);
      for (const s of [spec.source, ...mapsOf(spec.sources)]) {
        if (typeof s?.path === 'string' && /(?:^|\/)bootstrap\/?$/.test(s.path)) found.set('bootstrap', a);
        for (const f of listOf((s as { helm?: { valueFiles?: unknown } } | undefined)?.helm?.valueFiles)) {
          const m = typeof f === 'string' ? /(?:^|\/)values\/([^/]+)\.ya?ml$/.exec(f) : null;
          if (m && !found.has(m[1])) found.set(m[1], a);
        }
      }
    }
    return found;
  });
}

function specOf(application: RenderedObject): AppSpec {
  const raw = application.manifest.spec as (AppSpec & { template?: { spec?: AppSpec } }) | undefined;
  return (application.manifest.kind === 'ApplicationSet' ? raw?.template?.spec : raw) ?? {};
}

/**
 * The Applications an Application or ApplicationSet object runs as. An ApplicationSet's cluster
 * generator stamps one per registered cluster its selector matches: the environment file's
 * clusters, registered with their labels (docs/gitops.md, "Fleets"). Without it (`--dir`) the
 * clusters are those the selector names, or one unresolved cluster standing for every one.
 */
export function instancesOf(application: RenderedObject, ctx: PolicyContext): AppInstance[] {
  const cached = instanceCache.get(application);
  if (cached && cached.spec === ctx.spec) return cached.instances;
  const spec = specOf(application);
  const m = application.manifest;
  const repos = [spec.source, ...mapsOf(spec.sources)].flatMap((s) => (typeof s?.repoURL === 'string' ? [s.repoURL] : []));
  const base = { object: application, project: spec.project || 'default', namespace: spec.destination?.namespace ?? '', repos };
  const server = spec.destination?.server;
  const clusterName = spec.destination?.name;
  let instances: AppInstance[];
  if (m.kind !== 'ApplicationSet' || !(server?.includes('{{') || clusterName?.includes('{{'))) {
    instances = [{ ...base, name: m.metadata.name, ...registeredCluster(ctx, server || undefined, clusterName || undefined) }];
  } else {
    const selectors = ((m.spec as { generators?: ClusterGenerator[] })?.generators ?? []).flatMap((g) => (g.clusters ? [g.clusters.selector ?? {}] : [])).filter(isLabelSelector);
    const names = ctx.spec
      ? registeredClusters(ctx.spec).filter((c) => selectors.some((s) => selectorMatches(s, c.labels))).map((c) => c.name)
      : selectors.flatMap((s) => (s.matchExpressions ?? []).filter((e) => e.operator === 'In').flatMap((e) => e.values ?? []));
    instances = ctx.spec || names.length > 0
      ? [...new Set(names)].map((cluster) => ({ ...base, name: `${m.metadata.name}-${cluster}`, ...registeredCluster(ctx, undefined, cluster) }))
      : [{ ...base, name: `${m.metadata.name}-<cluster>` }];
  }
  instanceCache.set(application, { spec: ctx.spec, instances });
  return instances;
}

/** Instances per Application object, for the environment file they were resolved with: every object of a fleet application asks. */
const instanceCache = new WeakMap<RenderedObject, { spec?: EnvironmentSpec; instances: AppInstance[] }>();

/**
 * The environment's clusters as gitplane registers them in Argo CD: each with its own labels,
 * the environment's and its name's (stacks/bootstrap.ts).
 */
function registeredClusters(spec: EnvironmentSpec): { name: string; server: string; labels: Record<string, string> }[] {
  return [{ ...spec.cluster, labels: {} as Record<string, string> }, ...spec.cluster.fleet].map((c) => ({
    name: c.name,
    server: c.server,
    labels: { ...c.labels, [ENVIRONMENT_LABEL]: spec.name, [CLUSTER_LABEL]: c.name },
  }));
}

/** Argo CD's name for the cluster it runs on. */
const IN_CLUSTER = { name: 'in-cluster', server: 'https://kubernetes.default.svc' };

interface Registry {
  readonly byServer: Map<string, string>;
  readonly byName: Map<string, string>;
}

const registries = new WeakMap<EnvironmentSpec, Registry>();

/** The clusters Argo CD knows, by server and by name: its own as in-cluster, and those the environment file registers. */
function registry(spec: EnvironmentSpec | undefined): Registry {
  const cached = spec && registries.get(spec);
  if (cached) return cached;
  const known = [IN_CLUSTER, ...(spec ? [spec.cluster, ...spec.cluster.fleet] : [])];
  const r: Registry = { byServer: new Map(), byName: new Map() };
  for (const c of known) {
    if (!r.byServer.has(c.server)) r.byServer.set(c.server, c.name);
    if (!r.byName.has(c.name)) r.byName.set(c.name, c.server);
  }
  if (spec) registries.set(spec, r);
  return r;
}

/**
 * A destination cluster as Argo CD resolves it, with both its server and its registered name:
 * the environment file's clusters are registered under their names, Argo CD's own as in-cluster.
 */
function registeredCluster(ctx: PolicyContext, server: string | undefined, clusterName: string | undefined): { server?: string; clusterName?: string } {
  const r = registry(ctx.spec);
  return { server: server ?? (clusterName === undefined ? undefined : r.byName.get(clusterName)), clusterName: clusterName ?? (server === undefined ? undefined : r.byServer.get(server)) };
}

/**
 * The AppProject of that name in the output, as Argo CD evaluates it; Argo CD's built-in `default`
 * project (which admits everything) when absent. Argo CD adds to a project's destinations the
 * namespaces of each cluster registered to it: where the project names them
 * (`gitplane.dev/cluster-namespaces`), the environment's clusters are registered so, and each of
 * them gets those namespaces (without the environment file, one unresolved cluster does).
 */
export function projectNamed(name: string, ctx: PolicyContext): Project | undefined {
  const found = named(ctx, 'AppProject', name);
  if (found) return { name, object: found, spec: evaluated(found, ctx.spec) };
  return name === 'default' ? { name, spec: DEFAULT_PROJECT } : undefined;
}

/** A cluster that stands for every cluster registered to a project, when the environment file is not at hand. */
const UNRESOLVED_CLUSTER = '(a cluster registered to the project)';

function evaluated(project: RenderedObject, spec: EnvironmentSpec | undefined): ProjectSpec {
  let own = readProjects.get(project);
  if (!own) {
    own = readProject(project.manifest.spec);
    readProjects.set(project, own);
  }
  const listed = project.manifest.metadata?.annotations?.[CLUSTER_NAMESPACES_ANNOTATION];
  if (listed === undefined) return own;
  const cached = evaluatedProjects.get(project);
  if (cached && cached.spec === spec) return cached.evaluated;
  const servers = spec ? registeredClusters(spec).map((c) => c.server) : [UNRESOLVED_CLUSTER];
  const namespaces = listed.split(',').filter(Boolean);
  const result = { ...own, destinations: [...(own.destinations ?? []), ...servers.flatMap((server) => namespaces.map((namespace) => ({ server, namespace })))] };
  evaluatedProjects.set(project, { spec, evaluated: result });
  return result;
}

/** Projects as read from their objects. */
const readProjects = new WeakMap<RenderedObject, ProjectSpec>();

/**
 * A project's spec as far as it is well-formed: lists that are not lists, entries that are not
 * maps and fields that are not strings read as absent, except a namespace whitelist that is not a
 * list, which admits nothing (absent, it admits everything).
 */
function readProject(raw: unknown): ProjectSpec {
  const s = mapOf(raw);
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const kinds = (v: unknown): GroupKindItem[] => mapsOf(v).map((e) => ({ group: text(e.group), kind: text(e.kind), name: text(e.name) }));
  return {
    sourceRepos: listOf(s.sourceRepos).filter((r): r is string => typeof r === 'string'),
    destinations: mapsOf(s.destinations).map((d) => ({ server: text(d.server), name: text(d.name), namespace: text(d.namespace) })),
    clusterResourceWhitelist: kinds(s.clusterResourceWhitelist),
    clusterResourceBlacklist: kinds(s.clusterResourceBlacklist),
    namespaceResourceWhitelist: s.namespaceResourceWhitelist === undefined || s.namespaceResourceWhitelist === null ? undefined : kinds(s.namespaceResourceWhitelist),
    namespaceResourceBlacklist: kinds(s.namespaceResourceBlacklist),
  };
}

/** Projects as evaluated, per environment file: every object of an application asks for its project. */
const evaluatedProjects = new WeakMap<RenderedObject, { spec?: EnvironmentSpec; evaluated: ProjectSpec }>();

interface GroupKindItem {
  group?: string;
  kind?: string;
  name?: string;
}

export interface ProjectSpec {
  sourceRepos?: string[];
  destinations?: { server?: string; name?: string; namespace?: string }[];
  clusterResourceWhitelist?: GroupKindItem[];
  clusterResourceBlacklist?: GroupKindItem[];
  namespaceResourceWhitelist?: GroupKindItem[];
  namespaceResourceBlacklist?: GroupKindItem[];
}

export interface Project {
  readonly name: string;
  /** The AppProject object; undefined for the built-in default project. */
  readonly object?: RenderedObject;
  readonly spec: ProjectSpec;
}

/** What Argo CD creates as `default` when no AppProject of that name exists. */
const DEFAULT_PROJECT: ProjectSpec = {
  sourceRepos: ['*'],
  destinations: [{ server: '*', namespace: '*' }],
  clusterResourceWhitelist: [{ group: '*', kind: '*' }],
};

/** A pattern of a grant; `!` in front makes it a deny entry. */
function matches(pattern: string | undefined, value: string, separators = ''): boolean {
  const p = pattern ?? '';
  if (p.startsWith('!')) return !globMatch(p.slice(1), value, separators);
  return p === '*' || globMatch(p, value, separators);
}

const isDeny = (pattern: string | undefined) => (pattern ?? '').startsWith('!');

/**
 * A repository URL as Argo CD compares them: lower case, without `.git`, `user@host:path` SSH
 * URLs as `user@host/path`.
 */
export function normalizeRepoUrl(url: string): string {
  let repo = url.trim().toLowerCase();
  if (/^(ssh:\/\/)?([^/:]*?)@[^@]+$/.test(repo) && !repo.startsWith('ssh://')) repo = `ssh://${repo.replace(':', '/')}`;
  return repo.replace(/\.git$/, '').replace(/^ssh:\/\//, '');
}

/** Whether the project's sourceRepos admit a repository; a deny entry that matches refuses it whatever else matches. */
export function isSourcePermitted(project: Project, repoURL: string): boolean {
  const repo = normalizeRepoUrl(repoURL);
  let any = false;
  for (const entry of project.spec.sourceRepos ?? []) {
    const pattern = isDeny(entry) ? `!${normalizeRepoUrl(entry.slice(1))}` : normalizeRepoUrl(entry);
    if (matches(pattern, repo, '/')) any = true;
    else if (isDeny(pattern)) return false;
  }
  return any;
}

type Destination = NonNullable<ProjectSpec['destinations']>[number];

/** A project's destinations, indexed: literal entries by key, the rest (patterns, deny entries) in order, and decisions made. */
interface DestinationIndex {
  readonly literal: ReadonlySet<string>;
  readonly patterned: readonly Destination[];
  readonly servers: readonly string[];
  readonly decided: Map<string, boolean>;
}

const destinationIndexes = new WeakMap<ProjectSpec, DestinationIndex>();

const isLiteral = (pattern: string | undefined) => !/^!|[*?[{\\]/.test(pattern ?? '');

/**
 * The destinations of a project, indexed once: a fleet's project lists every namespace on every
 * cluster, and judging each object against the whole list made a run quadratic in the fleet.
 */
function destinationIndex(project: Project): DestinationIndex {
  let index = destinationIndexes.get(project.spec);
  if (!index) {
    const destinations = project.spec.destinations ?? [];
    const literal = new Set<string>();
    const patterned: Destination[] = [];
    for (const d of destinations) {
      if (![d.server, d.name, d.namespace].every(isLiteral)) {
        patterned.push(d);
        continue;
      }
      if (d.server) literal.add(`server\u0000${d.server}\u0000${d.namespace ?? ''}`);
      if (d.name) literal.add(`name\u0000${d.name}\u0000${d.namespace ?? ''}`);
    }
    const servers = [...new Set(destinations.map((d) => d.server ?? '').filter((server) => server !== '' && !isDeny(server)))];
    index = { literal, patterned, servers, decided: new Map() };
    destinationIndexes.set(project.spec, index);
  }
  return index;
}

/**
 * Whether the project's destinations admit a namespace on a cluster, by server or name: some
 * entry matches, and no deny entry refuses it. With the server unresolved (a fleet judged without
 * its environment file), the cluster is taken to be any server the project lists, so only the
 * namespace is judged.
 */
export function isDestinationPermitted(project: Project, cluster: { server?: string; name?: string }, namespace: string): boolean {
  const index = destinationIndex(project);
  const key = [cluster.server ?? '\u0001', cluster.name ?? '\u0001', namespace].join('\u0000');
  let decision = index.decided.get(key);
  if (decision === undefined) {
    decision = cluster.server === undefined && index.servers.some((server) => isDestinationPermitted(project, { ...cluster, server }, namespace)) ? true : decide(index, cluster, namespace);
    index.decided.set(key, decision);
  }
  return decision;
}

function decide(index: DestinationIndex, cluster: { server?: string; name?: string }, namespace: string): boolean {
  let any = (!!cluster.server && index.literal.has(`server\u0000${cluster.server}\u0000${namespace}`)) || (!!cluster.name && index.literal.has(`name\u0000${cluster.name}\u0000${namespace}`));
  for (const d of index.patterned) {
    const nameMatched = !!cluster.name && matches(d.name, cluster.name);
    const serverMatched = !!cluster.server && matches(d.server, cluster.server);
    const namespaceMatched = matches(d.namespace, namespace);
    if ((serverMatched || nameMatched) && namespaceMatched) any = true;
    else if ((!nameMatched && isDeny(d.name)) || (!serverMatched && isDeny(d.server) && namespaceMatched)) return false;
    else if (!namespaceMatched && isDeny(d.namespace) && serverMatched) return false;
  }
  return any;
}

function inList(list: readonly GroupKindItem[], group: string, kind: string, name?: string): boolean {
  return list.some((i) => filepathMatch(i.kind ?? '', kind) && filepathMatch(i.group ?? '', group) && (name === undefined || !i.name || filepathMatch(i.name, name)));
}

/**
 * Whether the project admits a kind: namespaced kinds unless the namespace whitelist is present
 * and misses them (an empty list admits none) or the blacklist names them; cluster-scoped kinds
 * only when the cluster whitelist names them (by name too, where an entry gives one) and the
 * blacklist does not.
 */
export function isKindPermitted(project: Project, group: string, kind: string, name: string, namespaced: boolean): boolean {
  const s = project.spec;
  if (namespaced) {
    const white = s.namespaceResourceWhitelist;
    return (white === undefined || white === null || inList(white, group, kind)) && !inList(s.namespaceResourceBlacklist ?? [], group, kind);
  }
  return inList(s.clusterResourceWhitelist ?? [], group, kind, name) && !inList(s.clusterResourceBlacklist ?? [], group, kind, name);
}

/** `Kind namespace/name`, or `Kind name` for a cluster-scoped object (namespace undefined). */
export function describeAt(o: RenderedObject, namespace: string | undefined): string {
  return `${o.manifest.kind} ${namespace ? `${namespace}/` : ''}${o.manifest.metadata?.name}`;
}

/** Whether a kind is cluster-scoped: built in as such, or declared so by a CustomResourceDefinition in the output. */
export function isClusterScopedIn(o: RenderedObject, ctx: PolicyContext): boolean {
  const m = o.manifest;
  if (isClusterScoped(m.apiVersion, m.kind)) return true;
  const scoped = perEnvironment(ctx, 'argocd:cluster-scoped-crds', () => {
    const set = new Set<string>();
    for (const crd of ofKind(ctx, 'CustomResourceDefinition')) {
      const spec = crd.manifest.spec as { group?: string; scope?: string; names?: { kind?: string } } | undefined;
      if (spec?.scope === 'Cluster') set.add(`${spec.group}/${spec.names?.kind}`);
    }
    return set;
  });
  return scoped.has(`${groupOf(m.apiVersion)}/${m.kind}`);
}

/**
 * The namespace an object is applied in by an Application: its own, or the Application's
 * destination namespace when it has none; undefined for a cluster-scoped object, whose
 * namespace Argo CD drops.
 */
export function landingNamespace(o: RenderedObject, instance: AppInstance | undefined, ctx: PolicyContext): string | undefined {
  if (isClusterScopedIn(o, ctx)) return undefined;
  return o.manifest.metadata?.namespace || (instance?.namespace ?? '');
}

/** The namespace an object is applied in by its own Application (see landingNamespace); '' for a cluster-scoped object. */
export function namespaceOf(o: RenderedObject, ctx: PolicyContext): string {
  const application = applicationOf(o, ctx);
  return landingNamespace(o, application && instancesOf(application, ctx)[0], ctx) ?? '';
}
