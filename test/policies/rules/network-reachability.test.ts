import { LONGHORN_MANAGER, LONGHORN_MANAGER_PORT } from '../../../stacks/apps/longhorn';
import { Manifest, RenderedObject } from '../../../stacks/objects';
import { telemetryTraffic } from '../../../policies/lib/traffic';
import { chartNetworkPolicies } from '../../support/chart-templates';
import { ENVIRONMENTS, built } from '../../support/environments';
import { check, env, messages, obj } from '../support';
import { describeWithMirrors } from '../../support/mirrors';

const RULE = 'network-reachability';
const LONGHORN_NS = 'longhorn-system';

const deployment = (ns: string, name: string, labels: Record<string, string>, containers: unknown[], kind = 'Deployment'): Manifest => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name, namespace: ns, labels },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers } } },
});
const service = (ns: string, name: string, labels: Record<string, string>, selector: Record<string, string>, ports: unknown[]): Manifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, labels },
  spec: { selector, ports },
});

/**
 * The objects of the kube-prometheus-stack 88.5.3 release `kps` that the rule reads, as the chart
 * renders them with gitplane's values (templates/prometheus/prometheus.yaml with the selectors'
 * NilUsesHelmValues off, alertmanager/alertmanager.yaml and service.yaml, and the grafana
 * subchart's Deployment with its datasources sidecar), until the rendered charts join the input.
 */
function kubePrometheusStack(): RenderedObject[] {
  const grafana = { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'kps' };
  const app = 'observability-prometheus';
  return [
    obj({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'Prometheus',
      metadata: { name: 'kps-prometheus', namespace: 'monitoring' },
      spec: {
        serviceMonitorSelector: {},
        serviceMonitorNamespaceSelector: {},
        podMonitorSelector: {},
        podMonitorNamespaceSelector: {},
        alerting: { alertmanagers: [{ namespace: 'monitoring', name: 'kps-alertmanager', port: 'http-web', apiVersion: 'v2' }] },
      },
    }, app),
    obj({ apiVersion: 'monitoring.coreos.com/v1', kind: 'Alertmanager', metadata: { name: 'kps-alertmanager', namespace: 'monitoring' }, spec: {} }, app),
    obj(service('monitoring', 'kps-alertmanager', { app: 'kube-prometheus-stack-alertmanager' }, { 'app.kubernetes.io/name': 'alertmanager', alertmanager: 'kps-alertmanager' }, [
      { name: 'http-web', port: 9093, targetPort: 9093, protocol: 'TCP' },
    ]), app),
    obj(deployment('monitoring', 'kps-grafana', grafana, [
      { name: 'grafana-sc-datasources', image: 'quay.io/kiwigrid/k8s-sidecar:2.1.2', env: [{ name: 'METHOD', value: 'LIST' }, { name: 'LABEL', value: 'grafana_datasource' }, { name: 'LABEL_VALUE', value: '1' }] },
      { name: 'grafana', image: 'docker.io/grafana/grafana:13.2.0', ports: [{ name: 'grafana', containerPort: 3000, protocol: 'TCP' }] },
    ]), app),
  ];
}

/**
 * The objects of Longhorn 1.12.1 that the rule reads: the manager DaemonSet and its Service
 * (templates/daemonset-sa.yaml), the ServiceMonitor `metrics.serviceMonitor.enabled` adds, and
 * every NetworkPolicy the chart's templates render with gitplane's values, read from the archive.
 */
function longhornChart(values: Record<string, unknown>): RenderedObject[] {
  const labels = { app: LONGHORN_MANAGER };
  const ports = [
    { containerPort: LONGHORN_MANAGER_PORT, name: 'manager' },
    { containerPort: 9502, name: 'admission-wh' },
    { containerPort: 9503, name: 'recov-backend' },
  ];
  return [
    deployment(LONGHORN_NS, LONGHORN_MANAGER, labels, [{ name: LONGHORN_MANAGER, image: 'longhornio/longhorn-manager:v1.12.1', ports }], 'DaemonSet'),
    service(LONGHORN_NS, 'longhorn-backend', labels, labels, [{ name: 'manager', port: LONGHORN_MANAGER_PORT, targetPort: 'manager' }]),
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'longhorn-prometheus-servicemonitor', namespace: LONGHORN_NS, labels: { name: 'longhorn-prometheus-servicemonitor' } },
      spec: { selector: { matchLabels: labels }, namespaceSelector: { matchNames: [LONGHORN_NS] }, endpoints: [{ port: 'manager' }] },
    },
    ...chartNetworkPolicies('longhorn', '1.12.1', LONGHORN_NS, values),
  ].map((m) => obj(m, 'longhorn'));
}

/** A shipped environment with the charts' objects it installs. */
function withCharts(name: string): RenderedObject[] {
  const out = built(name).output;
  const longhorn = out.releases.get('longhorn');
  return [...out.objects, ...(out.releases.has('observability-prometheus') ? kubePrometheusStack() : []), ...(longhorn ? longhornChart(longhorn.values) : [])];
}

const without = (objects: RenderedObject[], kind: string, name: string) => objects.filter((o) => !(o.manifest.kind === kind && o.manifest.metadata.name === name));
const run = (objects: RenderedObject[], name = 'dev') => check(RULE, env(objects, { spec: built(name).spec }));
const hopsOf = (objects: RenderedObject[]) => telemetryTraffic(objects).hops.map((h) => `${h.from.name} -> ${h.to.name}:${h.port}`);

describeWithMirrors(['charts'], 'network-reachability', () => {
  test.each(ENVIRONMENTS)('passes %s with its charts: every scrape and pipeline hop is admitted (must-not-fire)', (name) => {
    const objects = withCharts(name);
    expect(run(objects, name)).toEqual([]);
    // The hops judged: the pipeline, Grafana to its datasources, Prometheus to Alertmanager and to its targets.
    const hops = hopsOf(objects);
    expect(hops).toEqual(
      expect.arrayContaining([
        'DaemonSet monitoring-agents/otel-agent -> Deployment monitoring/otel-gateway:4317',
        'Deployment monitoring/otel-gateway -> StatefulSet monitoring/loki:3100',
        'Deployment monitoring/otel-gateway -> StatefulSet monitoring/tempo:4317',
        'Deployment monitoring/otel-gateway -> Prometheus monitoring/kps-prometheus:9090',
        'StatefulSet monitoring/tempo -> Prometheus monitoring/kps-prometheus:9090',
        'Deployment monitoring/kps-grafana -> Prometheus monitoring/kps-prometheus:9090',
        'Deployment monitoring/kps-grafana -> StatefulSet monitoring/loki:3100',
        'Deployment monitoring/kps-grafana -> StatefulSet monitoring/tempo:3200',
        'Prometheus monitoring/kps-prometheus -> Alertmanager monitoring/kps-alertmanager:9093',
        'Prometheus monitoring/kps-prometheus -> StatefulSet monitoring/loki:3100',
        'Prometheus monitoring/kps-prometheus -> Deployment monitoring/otel-gateway:8888',
        `Prometheus monitoring/kps-prometheus -> DaemonSet ${LONGHORN_NS}/${LONGHORN_MANAGER}:${LONGHORN_MANAGER_PORT}`,
      ]),
    );
  });

  test('fails when Longhorn\'s own longhorn-manager policy is in force without gitplane\'s, naming source, target, port and the policy', () => {
    const objects = without(withCharts('dev'), 'NetworkPolicy', 'longhorn-manager-metrics');
    const f = run(objects);
    expect(messages(f)).toEqual([
      `${RULE}: Prometheus monitoring/kps-prometheus scrapes endpoint 0 (manager) of ServiceMonitor/${LONGHORN_NS}/longhorn-prometheus-servicemonitor, but cannot reach DaemonSet ${LONGHORN_NS}/${LONGHORN_MANAGER} on port ${LONGHORN_MANAGER_PORT} (manager) through Service ${LONGHORN_NS}/longhorn-backend port manager: NetworkPolicy ${LONGHORN_NS}/longhorn-manager selects the receiving pods for Ingress and admits none of this traffic.`,
    ]);
    expect(f[0].value).toBe(`Prometheus monitoring/kps-prometheus -> DaemonSet ${LONGHORN_NS}/${LONGHORN_MANAGER}:${LONGHORN_MANAGER_PORT}/TCP`);
    expect(f[0].ref).toBe(`ServiceMonitor/${LONGHORN_NS}/longhorn-prometheus-servicemonitor`);
    expect(f[0].fix).toBe(`Add a NetworkPolicy in namespace ${LONGHORN_NS} that selects the pods of DaemonSet ${LONGHORN_NS}/${LONGHORN_MANAGER} (app=${LONGHORN_MANAGER}) and admits ingress from namespace monitoring (pods app.kubernetes.io/name=prometheus) on port ${LONGHORN_MANAGER_PORT}.`);
  });

  test('passes Longhorn without its chart\'s policy, whatever gitplane\'s says (must-not-fire)', () => {
    const objects = without(without(withCharts('dev'), 'NetworkPolicy', 'longhorn-manager'), 'NetworkPolicy', 'longhorn-manager-metrics');
    expect(run(objects)).toEqual([]);
  });

  test('fails when a pipeline hop is removed: the gateway admits nothing on its OTLP port, so the agents\' exports are refused', () => {
    const objects = withCharts('dev').map((o) => {
      if (o.manifest.kind !== 'NetworkPolicy' || o.manifest.metadata.name !== 'otel-gateway') return o;
      const manifest = structuredClone(o.manifest) as any;
      manifest.spec.ingress = manifest.spec.ingress.map((rule: any) => ({ ...rule, ports: rule.ports.filter((p: any) => p.port !== 4317) }));
      return { ...o, manifest };
    });
    expect(messages(run(objects))).toEqual([
      `${RULE}: DaemonSet monitoring-agents/otel-agent connects to otel-gateway.monitoring.svc:4317 (ConfigMap/monitoring-agents/otel-agent data.config.yaml), but cannot reach Deployment monitoring/otel-gateway on port 4317 (otlp-grpc) through Service monitoring/otel-gateway port otlp-grpc: NetworkPolicy monitoring/otel-gateway selects the receiving pods for Ingress and admits none of this traffic.`,
    ]);
  });

  test('fails when the sender\'s egress is closed: Grafana may not leave its pods', () => {
    const egress = obj({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'grafana-egress', namespace: 'monitoring' },
      spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'grafana' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ port: 53, protocol: 'UDP' }] }] },
    });
    const f = run([...withCharts('dev'), egress]);
    expect(f.map((x) => x.value).sort()).toEqual([
      'Deployment monitoring/kps-grafana -> Prometheus monitoring/kps-prometheus:9090/TCP',
      'Deployment monitoring/kps-grafana -> StatefulSet monitoring/loki:3100/TCP',
      'Deployment monitoring/kps-grafana -> StatefulSet monitoring/tempo:3200/TCP',
    ]);
    const toPrometheus = f.find((x) => x.value!.includes('kps-prometheus'))!;
    expect(toPrometheus.ref).toBe('ConfigMap/monitoring/grafana-datasources');
    expect(toPrometheus.message).toMatch(/NetworkPolicy monitoring\/grafana-egress selects the sending pods for Egress and admits none of this traffic\.$/);
    expect(toPrometheus.fix).toBe('Add an egress rule to a NetworkPolicy in namespace monitoring that selects the pods of Deployment monitoring/kps-grafana, admitting namespace monitoring (pods app.kubernetes.io/name=prometheus) on port 9090.');
  });

  test('fails when Alertmanager is isolated from Prometheus: the finding is on the Prometheus that sends', () => {
    const deny = obj({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'alertmanager', namespace: 'monitoring' }, spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'alertmanager' } }, policyTypes: ['Ingress'] } });
    const f = run([...withCharts('dev'), deny]);
    expect(f.map((x) => [x.ref, x.value])).toEqual([['Prometheus/monitoring/kps-prometheus', 'Prometheus monitoring/kps-prometheus -> Alertmanager monitoring/kps-alertmanager:9093/TCP']]);
  });

  test('namespace selectors read the Namespace objects\' labels: a policy admitting a labelled namespace admits Prometheus only once monitoring carries the label', () => {
    const admitLabelled = (objects: RenderedObject[]) =>
      objects.map((o) => {
        if (o.manifest.kind !== 'NetworkPolicy' || o.manifest.metadata.name !== 'longhorn-manager-metrics') return o;
        const manifest = structuredClone(o.manifest) as any;
        manifest.spec.ingress[0].from = [{ namespaceSelector: { matchLabels: { 'gitplane.dev/scrapers': 'true' } } }];
        return { ...o, manifest };
      });
    const labelled = (objects: RenderedObject[]) =>
      objects.map((o) => (o.manifest.kind === 'Namespace' && o.manifest.metadata.name === 'monitoring' ? { ...o, manifest: { ...o.manifest, metadata: { ...o.manifest.metadata, labels: { ...o.manifest.metadata.labels, 'gitplane.dev/scrapers': 'true' } } } } : o));
    expect(run(admitLabelled(withCharts('dev'))).map((f) => f.ref)).toEqual([`ServiceMonitor/${LONGHORN_NS}/longhorn-prometheus-servicemonitor`]);
    expect(run(labelled(admitLabelled(withCharts('dev'))))).toEqual([]);
  });

  test('judges only what a Prometheus selects: a null serviceMonitorSelector scrapes nothing, so nothing is judged (must-not-fire)', () => {
    const objects = without(withCharts('dev'), 'NetworkPolicy', 'longhorn-manager-metrics').map((o) => {
      if (o.manifest.kind !== 'Prometheus') return o;
      const manifest = structuredClone(o.manifest) as any;
      delete manifest.spec.serviceMonitorSelector;
      return { ...o, manifest };
    });
    expect(run(objects)).toEqual([]);
    expect(hopsOf(objects).filter((h) => h.startsWith('Prometheus') && !h.includes('Alertmanager'))).toEqual([]);
  });

  test('a PodMonitor\'s port resolves against the selected pods\' container ports', () => {
    const podMonitor = obj({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'longhorn-manager', namespace: LONGHORN_NS },
      spec: { selector: { matchLabels: { app: LONGHORN_MANAGER } }, podMetricsEndpoints: [{ port: 'manager' }] },
    });
    const objects = [...without(withCharts('dev'), 'NetworkPolicy', 'longhorn-manager-metrics'), podMonitor];
    expect(run(objects).map((f) => f.ref)).toEqual([`PodMonitor/${LONGHORN_NS}/longhorn-manager`, `ServiceMonitor/${LONGHORN_NS}/longhorn-prometheus-servicemonitor`]);
  });

  test('fails when a PodMonitor with an empty selector scrapes a pod of its namespace that a policy isolates: `{}` selects every pod, as the operator reads it', () => {
    const everyPod = obj({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'every-pod', namespace: LONGHORN_NS },
      spec: { selector: {}, podMetricsEndpoints: [{ port: 'manager' }] },
    });
    const objects = [...without(withCharts('dev'), 'NetworkPolicy', 'longhorn-manager-metrics'), everyPod];
    expect(run(objects).map((f) => [f.ref, f.value])).toEqual([
      [`PodMonitor/${LONGHORN_NS}/every-pod`, `Prometheus monitoring/kps-prometheus -> DaemonSet ${LONGHORN_NS}/${LONGHORN_MANAGER}:${LONGHORN_MANAGER_PORT}/TCP`],
      [`ServiceMonitor/${LONGHORN_NS}/longhorn-prometheus-servicemonitor`, `Prometheus monitoring/kps-prometheus -> DaemonSet ${LONGHORN_NS}/${LONGHORN_MANAGER}:${LONGHORN_MANAGER_PORT}/TCP`],
    ]);
  });

  test('a Service with an empty selector has hand-made endpoints: a ServiceMonitor scraping it is not judged (must-not-fire)', () => {
    const objects = without(withCharts('dev'), 'NetworkPolicy', 'longhorn-manager-metrics').map((o) =>
      o.manifest.kind === 'Service' && o.manifest.metadata.name === 'longhorn-backend' ? { ...o, manifest: { ...o.manifest, spec: { ...(o.manifest.spec as object), selector: {} } } } : o,
    );
    expect(run(objects)).toEqual([]);
    expect(hopsOf(objects).filter((h) => h.includes(LONGHORN_MANAGER))).toEqual([]);
  });
});
