/**
 * The Argo CD alerts have series to fire on: the argo-cd chart Pulumi installs renders the
 * application controller's metrics Service, and the platform ships a ServiceMonitor in the argocd
 * namespace that selects it. The Service is read from the chart's own templates at the pinned
 * version, with its default values and the ones gitplane sets.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { argocdAlerts } from '../../constructs/observability/alerts';
import { CATALOGUES } from '../../policies/data/metrics';
import { metricRefs } from '../../constructs/observability/alerts/promql';
import { ARGOCD_NAMESPACE, ARGOCD_RELEASE, argoCdIsLocal } from '../../stacks/bootstrap';
import { readTarGz } from '../../stacks/chart-archive';
import { loadEnvironment } from '../../stacks/environment';
import { argocdValues } from '../../stacks/pulumi/argocd';
import { pinnedVersions } from '../../stacks/versions';
import { SHARED_DIR } from '../support/cli';
import { buildEnvironment } from '../../stacks/pipeline';
import { loadSettings } from '../../stacks/settings';
import { built, ENVIRONMENTS, manifests, variant } from '../support/environments';
import { describeWithMirrors } from '../support/mirrors';

type Values = Record<string, unknown>;

const PIN = pinnedVersions().charts['argo-cd'];
const ARCHIVE = path.join(SHARED_DIR, 'charts', `argo-cd-${PIN.version}.tgz`);

function deepMerge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' ? deepMerge(b as Values, v as Values) : v;
  }
  return out;
}

const at = (values: Values, dotted: string): unknown => dotted.split('.').reduce<unknown>((v, k) => (v as Values | undefined)?.[k], values);

interface ChartService {
  readonly rendered: boolean;
  readonly labels: Record<string, string>;
  readonly port: string;
  readonly targetPort: string;
}

/**
 * The controller's metrics Service as the chart renders it for Pulumi's release: the template's
 * condition, its labels (the chart's selector labels, from _common.tpl) and its port, evaluated
 * with the chart's default values overridden by gitplane's.
 */
function controllerMetricsService(files: Map<string, Buffer>): ChartService {
  const text = (name: string) => files.get(`argo-cd/${name}`)!.toString('utf8');
  const values = deepMerge(parse(text('values.yaml')) as Values, argocdValues().values);
  const template = text('templates/argocd-application-controller/metrics.yaml');
  const condition = /^\{\{- if \.Values\.([\w.]+) \}\}/.exec(template);
  const labels = /include "argo-cd\.labels" \(dict "context" \. "component" \.Values\.([\w.]+) "name" "(\w+)"\)/.exec(template);
  const port = /ports:\n\s+- name: \{\{ \.Values\.([\w.]+) \}\}\n(?:.*\n)*?\s+targetPort: (\w+)/.exec(template);
  if (!condition || !labels || !port) throw new Error(`argo-cd ${PIN.version}: the controller's metrics Service template changed; read it again.`);
  const common = text('templates/_common.tpl');
  for (const line of ['app.kubernetes.io/name: {{ include "argo-cd.name" .context }}-{{ .name }}', 'app.kubernetes.io/instance: {{ .context.Release.Name }}', 'app.kubernetes.io/component: {{ .component }}']) {
    if (!common.includes(line)) throw new Error(`argo-cd ${PIN.version}: the chart's selector labels changed (no "${line}"); read _common.tpl again.`);
  }
  return {
    rendered: at(values, condition[1]) === true,
    labels: {
      'app.kubernetes.io/name': `${(values.nameOverride as string) || 'argo-cd'}-${labels[2]}`,
      'app.kubernetes.io/instance': ARGOCD_RELEASE,
      'app.kubernetes.io/component': String(at(values, labels[1])),
    },
    port: String(at(values, port[1])),
    targetPort: port[2],
  };
}

interface Monitor {
  metadata: { name: string; namespace?: string };
  spec: { selector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string }[] }; endpoints: { port: string }[] };
}

/** Whether a ServiceMonitor scrapes a Service with these labels on this port (only the operators gitplane writes are understood). */
function scrapes(monitor: Monitor, service: ChartService): boolean {
  const { matchLabels = {}, matchExpressions = [] } = monitor.spec.selector;
  const selected =
    Object.entries(matchLabels).every(([k, v]) => service.labels[k] === v) &&
    matchExpressions.every((e) => {
      if (e.operator !== 'DoesNotExist') throw new Error(`unexpected selector operator ${e.operator}`);
      return !(e.key in service.labels);
    });
  return selected && monitor.spec.endpoints.some((e) => e.port === service.port);
}

const argocdMonitors = (env: string) => manifests(env).filter((m) => m.kind === 'ServiceMonitor' && m.metadata.namespace === ARGOCD_NAMESPACE) as unknown as Monitor[];
const LOCAL = ENVIRONMENTS.filter((env) => argoCdIsLocal(loadEnvironment(env)));
const FLEETS = ENVIRONMENTS.filter((env) => loadEnvironment(env).cluster.fleet.length > 0);

test('the Argo CD alerts and their runbook queries select only series the application controller serves, per the metric catalogue', () => {
  const set = argocdAlerts({ outOfSyncHours: 2 });
  const served = CATALOGUES.find((c) => c.exporter === 'argocd-application-controller')!.list.metrics;
  const queried = new Set(set.alerts.flatMap((a) => [a.expr, ...(typeof a.runbook === 'string' ? [] : a.runbook.diagnosis.queries)]).flatMap((e) => metricRefs(e).map((r) => ('name' in r ? r.name : r.pattern))));
  expect([...queried].sort()).toEqual(['argocd_app_info', 'argocd_app_sync_total']);
  for (const metric of queried) expect(served).toContain(metric);
});

test('every shipped environment on Argo CD\'s own cluster runs it, and every fleet does not', () => {
  expect(LOCAL.length).toBeGreaterThan(0);
  expect(FLEETS.length).toBeGreaterThan(0);
  for (const env of FLEETS) expect(LOCAL).not.toContain(env);
});

describeWithMirrors(['charts'], `the argo-cd chart ${PIN.version} Pulumi installs`, () => {
  const files = fs.existsSync(ARCHIVE) ? readTarGz(fs.readFileSync(ARCHIVE)) : new Map<string, Buffer>();

  test('renders the application controller\'s metrics Service', () => {
    const service = controllerMetricsService(files);
    expect(service.rendered).toBe(true);
    expect(service.labels).toEqual({ 'app.kubernetes.io/name': 'argocd-metrics', 'app.kubernetes.io/instance': 'argocd', 'app.kubernetes.io/component': 'application-controller' });
  });

  test('admits Prometheus to the controller\'s metrics port through the chart\'s own NetworkPolicy', () => {
    const values = deepMerge(parse(files.get('argo-cd/values.yaml')!.toString('utf8')) as Values, argocdValues().values);
    expect(at(values, 'global.networkPolicy.defaultDenyIngress')).toBe(false);
    const policy = files.get('argo-cd/templates/argocd-application-controller/networkpolicy.yaml')!.toString('utf8');
    expect(policy).toMatch(/ingress:\n\s+- from:\n\s+- namespaceSelector: \{\}\n\s+ports:\n\s+- port: metrics\n/);
    expect(controllerMetricsService(files).targetPort).toBe('metrics');
  });

  test.each(LOCAL)('%s: a ServiceMonitor in the argocd namespace scrapes the controller\'s metrics Service', (env) => {
    const service = controllerMetricsService(files);
    expect(argocdMonitors(env).filter((m) => scrapes(m, service)).map((m) => m.metadata.name)).toEqual(['argocd-application-controller']);
  });
});

test.each(LOCAL)('%s: the AppProject grants the argocd namespace the ServiceMonitor goes to', (env) => {
  const project = manifests(env).find((m) => m.kind === 'AppProject')!;
  const app = manifests(env).find((m) => m.kind === 'Application' && m.metadata.name === `${env}-observability-prometheus`)!;
  const server = (app.spec as { destination: { server: string } }).destination.server;
  expect((project.spec as { destinations: { server: string; namespace: string }[] }).destinations).toContainEqual({ server, namespace: ARGOCD_NAMESPACE });
});

test.each(FLEETS)('%s: ships no ServiceMonitor into the argocd namespace, which the fleet\'s sites do not have, and no Argo CD alerts, which would never fire', (env) => {
  expect(argocdMonitors(env)).toEqual([]);
  expect(built(env).output.objects.length).toBeGreaterThan(0);
  expect(manifests(env).filter((m) => m.kind === 'PrometheusRule').map((m) => m.metadata.name)).not.toContain('gitplane-argocd');
});

test.each(LOCAL)('%s: ships the Argo CD alerts beside the ServiceMonitor that feeds them', (env) => {
  expect(manifests(env).filter((m) => m.kind === 'PrometheusRule').map((m) => m.metadata.name)).toContain('gitplane-argocd');
});

test('ships no ServiceMonitor into the argocd namespace of a cluster Argo CD reaches remotely', () => {
  const remote = variant('prod', (spec) => {
    (spec.cluster as { server: string }).server = 'https://prod.example.com:6443';
  });
  const objects = buildEnvironment(remote, loadSettings()).output.objects.map((o) => o.manifest);
  expect(objects.filter((m) => m.kind === 'ServiceMonitor').length).toBeGreaterThan(0);
  expect(objects.filter((m) => m.kind === 'ServiceMonitor' && m.metadata.namespace === ARGOCD_NAMESPACE)).toEqual([]);
  expect(objects.filter((m) => m.kind === 'PrometheusRule').map((m) => m.metadata.name)).not.toContain('gitplane-argocd');
});
