import { argocdAlerts } from '../../../constructs/observability/alerts';
import { runPolicies } from '../../../policies/engine';
import { fromBuilt } from '../../../policies/inputs';
import { LabelSelector } from '../../../policies/lib/network-policy';
import { RULES } from '../../../policies/registry';
import { RenderedObject } from '../../../stacks/objects';
import { built, ENVIRONMENTS } from '../../support/environments';
import { application, check, env, goodPrometheusRule, messages, obj } from '../support';

const exporterLabels = { 'app.kubernetes.io/name': 'demo', 'app.kubernetes.io/instance': 'demo-prod' };
const workload = (image: string) =>
  obj({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'demo', namespace: 'demo' },
    spec: { selector: { matchLabels: exporterLabels }, template: { metadata: { labels: exporterLabels }, spec: { containers: [{ name: 'demo', image }] } } },
  });
const service = obj({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'demo', namespace: 'demo', labels: exporterLabels }, spec: { selector: exporterLabels, ports: [{ name: 'metrics', port: 7777 }] } });
const monitor = (matchLabels: Record<string, string> = exporterLabels, namespace = 'demo', matchExpressions?: LabelSelector['matchExpressions']) =>
  obj({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'demo', namespace }, spec: { selector: { matchLabels, matchExpressions }, endpoints: [{ port: 'metrics' }] } });
const alertOn = (expr: string) => obj(goodPrometheusRule((r) => (r.expr = expr)), 'observability-prometheus');
/** A NATS exporter scraped through a Service, as the nats application ships it. */
const scrapedNatsExporter = [workload('docker.io/natsio/prometheus-nats-exporter:0.17.3'), service, monitor()];

const kpsRelease = (values: string, extra: RenderedObject[] = []) =>
  env([application('observability-prometheus', -10, { source: undefined, sources: [{ chart: 'kube-prometheus-stack', repoURL: 'https://prometheus-community.github.io/helm-charts', targetRevision: '88.5.3', helm: { valueFiles: ['$values/prod/values/observability-prometheus.yaml'] } }, { path: 'prod/apps/observability-prometheus', ref: 'values' }] }), ...extra], {
    files: { 'values/observability-prometheus.yaml': values },
  });

const dashboard = (panel: Record<string, unknown>) =>
  obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dash', namespace: 'monitoring', labels: { grafana_dashboard: '1' } }, data: { 'demo.json': JSON.stringify({ uid: 'demo', panels: [{ type: 'row', id: 1, panels: [{ id: 2, title: 'Pending', ...panel }] }] }) } }, 'observability-grafana');

describe('metric-exported', () => {
  test('passes an alert on a series the scraped exporter serves, found through Service and pod image (must-not-fire)', () => {
    expect(check('metric-exported', env([...scrapedNatsExporter, alertOn('jetstream_stream_total_bytes / (jetstream_stream_limit_bytes > 0) > 0.9')]))).toEqual([]);
  });

  test('passes an alert on a series of an exporter whose monitor selects its Service by matchExpressions alone (must-not-fire)', () => {
    const byExpressions = monitor({}, 'demo', [
      { key: 'app.kubernetes.io/name', operator: 'In', values: ['other', 'demo'] },
      { key: 'app.kubernetes.io/instance', operator: 'Exists' },
    ]);
    const nats = [workload('docker.io/natsio/prometheus-nats-exporter:0.17.3'), service, byExpressions];
    expect(check('metric-exported', env([...nats, alertOn('jetstream_stream_total_bytes > 0')]))).toEqual([]);
  });

  test('passes an alert on a series of an exporter whose pods a PodMonitor with an empty selector scrapes: it selects every pod of its namespace (must-not-fire)', () => {
    const everyPod = obj({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'demo', namespace: 'demo' }, spec: { selector: {}, podMetricsEndpoints: [{ port: 'metrics' }] } });
    expect(check('metric-exported', env([workload('docker.io/natsio/prometheus-nats-exporter:0.17.3'), everyPod, alertOn('jetstream_stream_total_bytes > 0')]))).toEqual([]);
  });

  test('passes series of chart-rendered monitors, Prometheus\'s own series, recorded series and __name__ patterns (must-not-fire)', () => {
    const recording = obj({ ...goodPrometheusRule(), metadata: { name: 'records', namespace: 'monitoring' }, spec: { groups: [{ name: 'r', rules: [{ record: 'instance:node_cpu_utilisation:rate5m', expr: 'rate(node_cpu_seconds_total[5m])' }] }] } });
    const alert = alertOn('instance:node_cpu_utilisation:rate5m > 0.9 and on (instance) up == 1 and on (instance) kube_node_status_condition{condition="Ready"} == 1 unless on () {__name__=~"node_load(1|5)"} > 100');
    expect(check('metric-exported', kpsRelease('fullnameOverride: kps\n', [recording, alert]))).toEqual([]);
  });

  test('passes a dashboard whose Loki panels are LogQL and whose Prometheus panels query served series (must-not-fire)', () => {
    const logs = dashboard({ datasource: { type: 'loki', uid: 'loki' }, targets: [{ expr: '{service_name=~".+"} |= "error"' }] });
    const nats = dashboard({ datasource: { type: 'prometheus', uid: 'prometheus' }, targets: [{ expr: 'sum(gnatsd_varz_connections)' }] });
    expect(check('metric-exported', env([...scrapedNatsExporter, logs, nats]))).toEqual([]);
  });

  test.each(ENVIRONMENTS)('passes every alert, recording rule and dashboard of %s as synthesized (must-not-fire)', (name) => {
    expect(messages(check('metric-exported', fromBuilt(built(name))))).toEqual([]);
  });

  test('fails when the Argo CD alerts ship where nothing scrapes the controller: the fleet output before the fix', () => {
    // pi-edge as it was synthesized before the Argo CD alerts were limited to Argo CD's own cluster.
    const argocd = built('prod').output.objects.find((o) => o.manifest.kind === 'PrometheusRule' && o.manifest.metadata.name === 'gitplane-argocd')!;
    const before = fromBuilt(built('pi-edge'));
    const found = check('metric-exported', { ...before, objects: [...before.objects, argocd] });
    expect(found.map((f) => `${f.ref} ${f.value}`)).toEqual([
      'PrometheusRule/monitoring/gitplane-argocd argocd_app_info',
      'PrometheusRule/monitoring/gitplane-argocd argocd_app_info',
      'PrometheusRule/monitoring/gitplane-argocd argocd_app_sync_total',
    ]);
    expect(found[0].message).toBe('alert ArgoCdAppDegraded (spec.groups[0].rules[0]) queries argocd_app_info, which argocd-application-controller v3.4.4 serves, but nothing in this environment scrapes argocd-application-controller.');
    expect(found[0].fix).toBe('Scrape argocd-application-controller here (a ServiceMonitor or PodMonitor selecting app.kubernetes.io/name=argocd-metrics), or do not ship this query in this environment.');
  });

  test('fails when the ServiceMonitor of the Argo CD controller is gone from a single-cluster environment', () => {
    const prod = fromBuilt(built('prod'));
    const withoutMonitor = prod.objects.filter((o) => !(o.manifest.kind === 'ServiceMonitor' && o.manifest.metadata.name === 'argocd-application-controller'));
    expect(withoutMonitor.length).toBe(prod.objects.length - 1);
    const set = argocdAlerts({ outOfSyncHours: 2 });
    expect(check('metric-exported', { ...prod, objects: withoutMonitor }).map((f) => f.message.split(' ')[1])).toEqual(set.alerts.map((a) => a.name));
  });

  /** prod with the selector of the Argo CD controller's ServiceMonitor replaced. */
  const prodWithArgoCdSelector = (selector: LabelSelector) => {
    const prod = fromBuilt(built('prod'));
    const objects = prod.objects.map((o) =>
      o.manifest.kind === 'ServiceMonitor' && o.manifest.metadata.name === 'argocd-application-controller' ? { ...o, manifest: { ...o.manifest, spec: { ...(o.manifest.spec as object), selector } } } : o,
    );
    return { ...prod, objects };
  };

  test('passes the Argo CD alerts when the controller\'s ServiceMonitor selects its metrics Service by matchExpressions alone (must-not-fire)', () => {
    expect(check('metric-exported', prodWithArgoCdSelector({ matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['argocd-metrics'] }] }))).toEqual([]);
  });

  test('fails when the matchExpressions of the Argo CD controller\'s ServiceMonitor exclude its metrics Service', () => {
    const excluding = prodWithArgoCdSelector({ matchLabels: { 'app.kubernetes.io/name': 'argocd-metrics' }, matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['argocd-metrics'] }] });
    expect(check('metric-exported', excluding).map((f) => f.message.split(' ')[1])).toEqual(argocdAlerts({ outOfSyncHours: 2 }).alerts.map((a) => a.name));
  });

  test('fails when a team application\'s alert queries a series its exporter does not serve (dev\'s example-api)', () => {
    const dev = fromBuilt(built('dev'));
    const objects = dev.objects.map((o) => {
      if (o.manifest.kind !== 'PrometheusRule' || o.manifest.metadata.name !== 'example-api') return o;
      const manifest = structuredClone(o.manifest) as typeof o.manifest & { spec: { groups: { rules: { expr: string }[] }[] } };
      manifest.spec.groups[0].rules[0].expr = 'sum(rate(http_request_total{job="example-api"}[5m])) == 0';
      return { ...o, manifest };
    });
    expect(check('metric-exported', { ...dev, objects }).map((f) => `${f.ref}: ${f.message}`)).toEqual([
      'PrometheusRule/monitoring/example-api: alert ExampleApiDown (spec.groups[0].rules[0]) queries http_request_total, which no exporter in the metric catalogue serves and no recording rule of this environment records.',
    ]);
  });

  test('fails when the monitor selects no pod running the exporter', () => {
    const found = check('metric-exported', env([workload('docker.io/natsio/prometheus-nats-exporter:0.17.3'), service, monitor({ 'app.kubernetes.io/name': 'other' }), alertOn('jetstream_stream_total_bytes > 0')]));
    expect(found.map((f) => f.value)).toEqual(['jetstream_stream_total_bytes']);
    expect(found[0].message).toContain('which nats-exporter 0.17.3 serves, but nothing in this environment scrapes nats-exporter.');
  });

  test('fails when the monitor\'s matchLabels select the exporter\'s Service and its matchExpressions exclude it', () => {
    const excluding = monitor(exporterLabels, 'demo', [{ key: 'app.kubernetes.io/instance', operator: 'NotIn', values: ['demo-prod'] }]);
    const found = check('metric-exported', env([workload('docker.io/natsio/prometheus-nats-exporter:0.17.3'), service, excluding, alertOn('jetstream_stream_total_bytes > 0')]));
    expect(found.map((f) => f.message)).toEqual(['alert DemoDown (spec.groups[0].rules[0]) queries jetstream_stream_total_bytes, which nats-exporter 0.17.3 serves, but nothing in this environment scrapes nats-exporter.']);
  });

  test.each([
    ['the monitor selects the Service by its first label but not by its second', [workload('docker.io/natsio/prometheus-nats-exporter:0.17.3'), service, monitor({ 'app.kubernetes.io/name': 'demo', 'app.kubernetes.io/instance': 'demo-staging' })]],
    [
      'the Service selects the pods by its first label but not by its second',
      [
        workload('docker.io/natsio/prometheus-nats-exporter:0.17.3'),
        obj({ ...service.manifest, spec: { selector: { 'app.kubernetes.io/name': 'demo', 'app.kubernetes.io/instance': 'demo-staging' }, ports: [{ name: 'metrics', port: 7777 }] } }),
        monitor(),
      ],
    ],
  ])('fails when %s', (_case, objects) => {
    expect(check('metric-exported', env([...objects, alertOn('jetstream_stream_total_bytes > 0')])).map((f) => f.value)).toEqual(['jetstream_stream_total_bytes']);
  });

  test('fails when a chart value switches the exporter\'s monitor off', () => {
    const found = check('metric-exported', kpsRelease('nodeExporter:\n  enabled: false\n', [alertOn('node_load1 > 4')]));
    expect(found.map((f) => f.fix)).toEqual(['Scrape node-exporter here (the kube-prometheus-stack chart with nodeExporter.enabled: true and prometheus-node-exporter.prometheus.monitor.enabled: true), or do not ship this query in this environment.']);
  });

  test('fails when a metric name is known to no catalogue (a typo)', () => {
    expect(messages(check('metric-exported', env([...scrapedNatsExporter, alertOn('jetstream_stream_total_byte > 0')])))).toEqual([
      'metric-exported: alert DemoDown (spec.groups[0].rules[0]) queries jetstream_stream_total_byte, which no exporter in the metric catalogue serves and no recording rule of this environment records.',
    ]);
  });

  test('fails when a __name__ pattern matches no served series', () => {
    expect(check('metric-exported', env([...scrapedNatsExporter, alertOn('rate({__name__=~"jetstream_streams_.+"}[5m]) > 0')])).map((f) => f.value)).toEqual(['jetstream_streams_.+']);
  });

  test('fails when a __name__ pattern served in one environment is queried in another that does not serve it: the answer is remembered per environment', () => {
    const query = () => alertOn('rate({__name__=~"jetstream_stream_total_.+"}[5m]) > 0');
    const report = runPolicies([env([...scrapedNatsExporter, query()], { name: 'served' }), env([query()], { name: 'unserved' })], { rules: RULES.filter((r) => r.id === 'metric-exported') });
    expect(report.environments.map((e) => [e.name, e.findings.map((f) => f.value)])).toEqual([
      ['served', []],
      ['unserved', ['jetstream_stream_total_.+']],
    ]);
  });

  test('fails when a recording rule reads a series nothing serves', () => {
    const records = obj({ ...goodPrometheusRule(), spec: { groups: [{ name: 'r', rules: [{ record: 'job:demo_requests:rate5m', expr: 'sum by (job) (rate(demo_requests_total[5m]))' }] }] } });
    expect(check('metric-exported', env([records])).map((f) => f.message.split(' (')[0])).toEqual(['recording rule job:demo_requests:rate5m']);
  });

  test('fails with each ConfigMap\'s own data key when two ConfigMaps carry one dashboard without a uid', () => {
    const text = JSON.stringify({ panels: [{ id: 2, title: 'Pending', targets: [{ expr: 'sum(kube_pod_status_phase{phase="Pending"})' }] }] });
    const carrying = (name: string, key: string) => obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'monitoring' }, data: { [key]: text } }, 'observability-grafana');
    const found = check('metric-exported', env([...scrapedNatsExporter, carrying('first', 'pods.json'), carrying('second', 'phases.json')]));
    expect(found.map((f) => f.message.slice(0, f.message.indexOf(' queries')))).toEqual(['dashboard pods.json panel "Pending"', 'dashboard phases.json panel "Pending"']);
  });
  test('fails when a Prometheus dashboard panel queries a series nothing serves', () => {
    const found = check('metric-exported', env([...scrapedNatsExporter, dashboard({ targets: [{ expr: 'sum(kube_pod_status_phase{phase="Pending"})' }] })]));
    expect(found.map((f) => f.message)).toEqual(['dashboard demo panel "Pending" queries kube_pod_status_phase, which kube-state-metrics v2.20.0 serves, but nothing in this environment scrapes kube-state-metrics.']);
  });

  test('fails when an expression is not PromQL', () => {
    expect(check('metric-exported', env([alertOn('up{job="demo" == 0')])).map((f) => f.message)).toEqual(['alert DemoDown (spec.groups[0].rules[0]) has an expression that is not PromQL (unterminated \"{\" starting at offset 2).']);
  });
});
