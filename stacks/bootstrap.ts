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
import { ChartSource, clusterNameTemplate, FleetApplicationSet, PlatformApplication, PlatformProject } from '../constructs/gitops/argocd';
import { isClusterScoped, Manifest } from './objects';
import { AppDescriptor, appContext, GroupKind, PlatformContext, ScrapeTarget } from './application';
import { BuiltApp } from './platform';
import { ARGOCD_NAMESPACE, CLUSTER_LABEL, ENVIRONMENT_LABEL, environmentPath } from './gitops-names';

export { ARGOCD_NAMESPACE, CLUSTER_LABEL, ENVIRONMENT_LABEL, environmentPath } from './gitops-names';

/** Where Argo CD itself runs, as it names its own cluster. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';
/** Release of the argo-cd chart Pulumi installs; with the chart's default nameOverride `argocd`, its objects are named `argocd-<component>`. */
export const ARGOCD_RELEASE = 'argocd';

/**
 * The metrics Service of Argo CD's application controller, which serves the `argocd_app_*` series
 * the Argo CD alerts query. The argo-cd chart renders it when `controller.metrics.enabled` is set
 * (stacks/pulumi/argocd.ts), labelled `app.kubernetes.io/name: argocd-metrics` and the release as
 * instance; the chart's NetworkPolicy for the controller admits its metrics port from every namespace.
 */
export const ARGOCD_CONTROLLER_METRICS: ScrapeTarget = {
  name: 'argocd-application-controller',
  namespace: ARGOCD_NAMESPACE,
  labels: { name: 'argocd-metrics', instance: ARGOCD_RELEASE, component: 'application-controller' },
  port: 'http-metrics',
};

/**
 * Whether Argo CD runs on the cluster the environment's applications sync to, so they can reach its
 * namespace: a single cluster that Argo CD names in-cluster. A fleet's applications go to every site,
 * where there is no Argo CD.
 */
export function argoCdIsLocal(spec: EnvironmentSpec): boolean {
  return spec.cluster.fleet.length === 0 && spec.cluster.server === IN_CLUSTER;
}

/** Adds the AppProject, the root Application and one Application or ApplicationSet per folder. */
export function buildBootstrap(scope: Construct, ctx: PlatformContext, built: readonly BuiltApp[]): void {
  const { spec } = ctx;
  const envPath = environmentPath(spec);
  const labels = { name: 'gitplane', instance: `gitplane-${spec.name}`, component: 'gitops' };
  const releases = built.flatMap(({ app }) => (app.helm ? [app.helm(appContext(ctx, app))] : []));
  const charts = releases.map((r) => r.chart);
  const namespaces = [...new Set([...built.map((b) => b.app.namespace), ...releases.flatMap((r) => r.renderedNamespaces ?? [])])];

  const fleet = spec.cluster.fleet.length > 0;
  new PlatformProject(scope, 'project', {
    name: spec.name,
    sourceRepos: [spec.gitops.repoURL, ...charts.map((c) => chartPin(ctx, c).repoURL)],
    // A fleet's clusters are registered to the project, each limited to these namespaces
    // (docs/gitops.md, "Fleets"): the project names no cluster of the fleet.
    destinations: [{ server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE }, ...(fleet ? [] : namespaces.map((namespace) => ({ server: spec.cluster.server, namespace })))],
    clusterNamespaces: fleet ? namespaces : undefined,
    clusterResources: clusterResources(ctx, built),
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
    if (!fleet) {
      new PlatformApplication(scope, `app-${app.name}`, { ...props, server: spec.cluster.server });
    } else {
      // Every cluster shares the values file; values naming the cluster are set per cluster.
      const clusterName = clusterNameTemplate(CLUSTER_LABEL);
      const parameters = app.helm?.(appContext(ctx, app)).clusterNameValues?.map((name) => ({ name, value: clusterName }));
      new FleetApplicationSet(scope, `app-${app.name}`, {
        ...props,
        chart: props.chart && { ...props.chart, parameters },
        clusterLabels: { [ENVIRONMENT_LABEL]: spec.name },
        clusterNameLabel: CLUSTER_LABEL,
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

function chartSource(ctx: PlatformContext, app: AppDescriptor, envPath: string): ChartSource {
  const release = app.helm!(appContext(ctx, app));
  const pin = chartPin(ctx, release.chart);
  return { repoURL: pin.repoURL, chart: pin.chart, version: pin.version, releaseName: release.releaseName, valuesPath: `${envPath}/values/${app.name}.yaml` };
}

/**
 * The cluster-scoped kinds the environment's objects hold and its applications' charts render,
 * each once: built-in kinds (stacks/objects.ts) and the custom ones the running applications'
 * CRDs declare.
 */
function clusterResources(ctx: PlatformContext, built: readonly BuiltApp[]): GroupKind[] {
  const customScoped = new Set(ctx.apps.flatMap((a) => (a.crds ?? []).flatMap((c) => c.clusterScopedKinds ?? [])));
  const found = new Map<string, GroupKind>();
  const add = (group: string, kind: string) => found.set(`${group}/${kind}`, { group, kind });
  for (const { app, chart } of built) {
    for (const o of objectsOf(chart)) {
      if (isClusterScoped(o.apiVersion, o.kind) || customScoped.has(o.kind)) add(o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '', o.kind);
    }
    if (!app.helm) continue;
    if (!app.clusterKinds) {
      throw new Error(`application ${app.name} installs a Helm chart but its descriptor has no clusterKinds; list the cluster-scoped kinds the chart renders at its pinned version ([] for none).`);
    }
    for (const k of app.clusterKinds) add(k.group, k.kind);
  }
  return [...found.values()];
}
