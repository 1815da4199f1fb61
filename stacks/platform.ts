/**
 * The platform composition: the applications gitplane ships, and what the platform derives from
 * every application's descriptor (its namespace, the ServiceMonitors of its scrape targets).
 *
 * Adding a built-in component is a folder (a construct under constructs/ and its descriptor under
 * stacks/apps/) plus one entry in PLATFORM_APPS; a team's own application is registered in
 * gitplane.config.ts instead. Everything else (namespaces, AppProject grants, CRD owners, alerts,
 * dashboards, scrape targets) follows from the descriptors (stacks/application.ts).
 */
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PlatformNamespace } from '../constructs/core';
import { ServiceMonitor } from '../constructs/observability/service-monitor';
import { AppDescriptor, appContext, isEnabled, PlatformContext } from './application';
import { ownApps } from './own-apps';
import { EnvironmentSpec } from '../environments/schema';
import { versionsFor } from './versions';
import { Wave, syncWave } from './waves';
import { ETCD_BACKUP_APP } from './apps/etcd-backup';
import { EXTERNAL_SECRETS_APP } from './apps/external-secrets';
import { LONGHORN_APP } from './apps/longhorn';
import { NATS_APP } from './apps/nats';
import { NODE_PREFLIGHT_APP } from './apps/node-preflight';
import { MONITORING_APP } from './apps/monitoring';
import { OBSERVABILITY_PIPELINE_APPS } from './apps/observability-pipeline';
import { NAMESPACES_DATA } from './apps/catalog';

/**
 * The namespaces of the applications that own one, have something to sync and sync at or after
 * Wave.Foundation, created in that wave (Argo CD never creates namespaces). An application in an
 * earlier wave creates its own (see buildApp). Built by buildPlatform after the others, whose
 * synced applications its context lists.
 */
export const NAMESPACES_APP: AppDescriptor = {
  ...NAMESPACES_DATA,
  enabled: () => true,
  build: (chart, ctx) => {
    for (const app of ctx.apps.filter((a) => a.podSecurity && a.wave >= Wave.Foundation)) addNamespace(chart, app, ctx, Wave.Foundation);
  },
};

/** An application with something to sync: the descriptor and the chart holding its objects. */
export interface BuiltApp {
  readonly app: AppDescriptor;
  readonly chart: Chart;
}

/**
 * Builds every application an environment runs into a chart of `root`, and returns those with
 * something to sync (objects or a Helm release), the namespaces application first.
 */
export function buildPlatform(root: Construct, ctx: PlatformContext): BuiltApp[] {
  const chartOf = (app: AppDescriptor) => new Chart(root, app.name, { namespace: app.namespace === 'default' ? undefined : app.namespace });
  const charts = ctx.apps.map((app) => {
    const chart = chartOf(app);
    buildApp(chart, app, ctx);
    return { app, chart };
  });
  const synced = charts.filter(({ app, chart }) => app.helm || chart.node.findAll().some((c) => c instanceof ApiObject));
  const namespaces = chartOf(NAMESPACES_APP);
  buildApp(namespaces, NAMESPACES_APP, { ...ctx, apps: synced.map((b) => b.app) });
  return [{ app: NAMESPACES_APP, chart: namespaces }, ...synced];
}

/** Every application gitplane ships, in the order they are listed in the output. */
export const PLATFORM_APPS: readonly AppDescriptor[] = [
  NODE_PREFLIGHT_APP,
  EXTERNAL_SECRETS_APP,
  LONGHORN_APP,
  MONITORING_APP,
  ...OBSERVABILITY_PIPELINE_APPS,
  NATS_APP,
  ETCD_BACKUP_APP,
];

/**
 * Builds one application into its chart: its own objects, its namespace when it syncs before the
 * namespaces application, and a ServiceMonitor per scrape target when the platform runs Prometheus.
 */
export function buildApp(chart: Chart, app: AppDescriptor, platform: PlatformContext): void {
  const ctx = appContext(platform, app);
  if (app.podSecurity && app.wave < Wave.Foundation) addNamespace(chart, app, ctx, app.wave);
  app.build(chart, ctx);
  if (ctx.scrapers.length === 0) return;
  for (const target of app.scrape?.(ctx) ?? []) {
    new ServiceMonitor(chart, `scrape-${target.name}`, { ...target, wave: Wave.CustomResources });
  }
}

function addNamespace(chart: Chart, app: AppDescriptor, ctx: PlatformContext, wave: number): void {
  new PlatformNamespace(chart, `namespace-${app.namespace}`, {
    name: app.namespace,
    podSecurity: app.podSecurity,
    app: { name: app.component, instance: `${app.component}-${ctx.spec.name}`, component: app.component },
    annotations: syncWave(wave),
  });
}

/** The context an environment's applications are built in: the spec, its pins and the applications it runs. */
export function platformContext(spec: EnvironmentSpec, apps: readonly AppDescriptor[] = projectApps()): PlatformContext {
  return { spec, versions: versionsFor(spec), apps: apps.filter((a) => isEnabled(a, spec)) };
}

/** The applications of the project in `dir`: the built-in ones, then the team's own from its gitplane.config.ts. */
export function projectApps(dir?: string): readonly AppDescriptor[] {
  const own = ownApps(dir);
  return own.length === 0 ? PLATFORM_APPS : [...PLATFORM_APPS, ...own];
}
