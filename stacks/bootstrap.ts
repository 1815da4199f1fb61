/**
 * How an environment reaches Argo CD: its AppProject, the root app-of-apps, and one Application
 * per application folder (or, for a fleet, one ApplicationSet per folder that stamps an
 * Application onto every cluster of the fleet).
 *
 * @see docs/gitops.md
 */
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvironmentSpec } from '../environments/schema';
import { ChartSource, FleetApplicationSet, PlatformApplication, PlatformProject } from '../constructs/gitops/argocd';
import { isClusterScoped, Manifest } from './objects';
import { namespacesFor, PlatformApp, PlatformContext } from './platform';

/** Where Argo CD itself runs, as it names its own cluster. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';
export const ARGOCD_NAMESPACE = 'argocd';
/** Labels a fleet cluster carries when registered in Argo CD (`argocd cluster add --label`). */
export const ENVIRONMENT_LABEL = 'gitplane.dev/environment';
export const CLUSTER_LABEL = 'gitplane.dev/cluster';

const RBAC = 'rbac.authorization.k8s.io';
const CRD = { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' };

/**
 * The cluster-scoped kinds each pinned chart renders (from the chart's templates at the pinned
 * version), keyed like `charts:` in environments/versions.yaml. A chart gitplane has not
 * reviewed cannot be installed: its grants would be guesses.
 */
export const CHART_CLUSTER_RESOURCES: Readonly<Record<string, readonly { group: string; kind: string }[]>> = {
  'kube-prometheus-stack': [
    CRD,
    { group: RBAC, kind: 'ClusterRole' },
    { group: RBAC, kind: 'ClusterRoleBinding' },
    { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
    { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
  ],
  longhorn: [CRD, { group: RBAC, kind: 'ClusterRole' }, { group: RBAC, kind: 'ClusterRoleBinding' }, { group: 'scheduling.k8s.io', kind: 'PriorityClass' }],
  'external-secrets': [CRD, { group: RBAC, kind: 'ClusterRole' }, { group: RBAC, kind: 'ClusterRoleBinding' }, { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' }],
  'argo-cd': [CRD, { group: RBAC, kind: 'ClusterRole' }, { group: RBAC, kind: 'ClusterRoleBinding' }],
  nack: [CRD, { group: RBAC, kind: 'ClusterRole' }, { group: RBAC, kind: 'ClusterRoleBinding' }],
};

/** An application folder as the bootstrap needs it: the app and the objects its chart holds. */
export interface BuiltApp {
  readonly app: PlatformApp;
  readonly chart: Chart;
}

/** The folder of an environment in the GitOps repository, e.g. `prod` or `clusters/prod`. */
export function environmentPath(spec: EnvironmentSpec): string {
  return [spec.gitops.path, spec.name].filter(Boolean).join('/');
}

/** Adds the AppProject, the root Application and one Application or ApplicationSet per folder. */
export function buildBootstrap(scope: Construct, ctx: PlatformContext, built: readonly BuiltApp[]): void {
  const { spec } = ctx;
  const envPath = environmentPath(spec);
  const labels = { name: 'gitplane', instance: `gitplane-${spec.name}`, component: 'gitops' };
  const clusters = [{ name: spec.cluster.name, server: spec.cluster.server }, ...spec.cluster.fleet];
  const namespaces = [...new Set([...namespacesFor(spec), ...built.map((b) => b.app.namespace)])];
  const charts = built.flatMap(({ app }) => (app.helm ? [app.helm(ctx).chart] : []));

  new PlatformProject(scope, 'project', {
    name: spec.name,
    sourceRepos: [spec.gitops.repoURL, ...charts.map((c) => chartPin(ctx, c).repoURL)],
    destinations: [
      { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
      ...clusters.flatMap((c) => namespaces.map((namespace) => ({ server: c.server, namespace }))),
    ],
    clusterResources: clusterResources(built, charts),
    labels,
  });

  const common = { project: spec.name, repoURL: spec.gitops.repoURL, targetRevision: spec.gitops.branch, sync: spec.gitops.sync };
  new PlatformApplication(scope, 'root', {
    ...common,
    name: `${spec.name}-root`,
    path: `${envPath}/bootstrap`,
    server: IN_CLUSTER,
    namespace: ARGOCD_NAMESPACE,
    wave: 0,
    labels,
  });
  for (const { app, chart } of built) {
    const props = {
      ...common,
      name: `${spec.name}-${app.name}`,
      path: objectsOf(chart).length > 0 ? `${envPath}/apps/${app.name}` : undefined,
      chart: app.helm ? chartSource(ctx, app, envPath) : undefined,
      namespace: app.namespace,
      wave: app.wave,
      labels: { name: app.name, instance: `${app.name}-${spec.name}`, component: app.component },
    };
    if (spec.cluster.fleet.length === 0) {
      new PlatformApplication(scope, `app-${app.name}`, { ...props, server: spec.cluster.server });
    } else {
      new FleetApplicationSet(scope, `app-${app.name}`, {
        ...props,
        clusterLabels: { [ENVIRONMENT_LABEL]: spec.name },
        clusterNameLabel: CLUSTER_LABEL,
        clusters: clusters.map((c) => c.name),
      });
    }
  }
}

/**
 * Marks custom resources whose CRD is not in the same application with
 * `SkipDryRunOnMissingResource=true`: their CRD arrives from another Application (an operator's
 * chart), possibly in the same sync, and the dry run would otherwise fail on the unknown kind.
 */
export function markCustomResources(chart: Chart): void {
  const objects = objectsOf(chart);
  const ownCrds = new Set(
    objects
      .filter((o) => o.kind === 'CustomResourceDefinition')
      .map((o) => {
        const spec = (o.toJson() as Manifest).spec as { group: string; names: { kind: string } };
        return `${spec.group}/${spec.names.kind}`;
      }),
  );
  for (const o of objects) {
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
    const builtIn = group === '' || !group.includes('.') || group.endsWith('.k8s.io');
    if (builtIn || ownCrds.has(`${group}/${o.kind}`)) continue;
    const key = 'argocd.argoproj.io/sync-options';
    const existing: string | undefined = o.metadata.toJson().annotations?.[key];
    const options = new Set((existing ?? '').split(',').filter(Boolean));
    options.add('SkipDryRunOnMissingResource=true');
    o.metadata.addAnnotation(key, [...options].join(','));
  }
}

function objectsOf(chart: Chart): ApiObject[] {
  return chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
}

function chartPin(ctx: PlatformContext, key: string) {
  const pin = ctx.versions.charts[key];
  if (!pin) throw new Error(`no chart "${key}" is pinned in environments/versions.yaml`);
  return pin;
}

function chartSource(ctx: PlatformContext, app: PlatformApp, envPath: string): ChartSource {
  const release = app.helm!(ctx);
  const pin = chartPin(ctx, release.chart);
  return { repoURL: pin.repoURL, chart: pin.chart, version: pin.version, releaseName: release.releaseName, valuesPath: `${envPath}/values/${app.name}.yaml` };
}

/** The cluster-scoped kinds the environment's objects and charts hold, each once. */
function clusterResources(built: readonly BuiltApp[], charts: readonly string[]): { group: string; kind: string }[] {
  const found = new Map<string, { group: string; kind: string }>();
  const add = (group: string, kind: string) => found.set(`${group}/${kind}`, { group, kind });
  for (const { chart } of built) {
    for (const o of objectsOf(chart)) {
      if (isClusterScoped(o.apiVersion, o.kind)) add(o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '', o.kind);
    }
  }
  for (const key of charts) {
    const kinds = CHART_CLUSTER_RESOURCES[key];
    if (!kinds) throw new Error(`chart "${key}" has no entry in CHART_CLUSTER_RESOURCES (stacks/bootstrap.ts); list the cluster-scoped kinds it renders.`);
    for (const k of kinds) add(k.group, k.kind);
  }
  return [...found.values()];
}
