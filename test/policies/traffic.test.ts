import { Manifest } from '../../stacks/objects';
import { telemetryTraffic } from '../../policies/lib/traffic';
import { obj } from './support';

const workload = (ns: string, name: string, labels: Record<string, string>, spec: Record<string, unknown>): Manifest => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec } },
});
const service = (ns: string, name: string, selector: Record<string, string> | undefined, ports: unknown[], labels: Record<string, string> = {}): Manifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, labels },
  spec: { selector, ports },
});
const configMap = (ns: string, name: string, text: string, labels: Record<string, string> = {}): Manifest => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data: { 'config.yaml': text } });
const prometheus = (spec: Record<string, unknown>, ns = 'monitoring'): Manifest => ({ apiVersion: 'monitoring.coreos.com/v1', kind: 'Prometheus', metadata: { name: 'kps-prometheus', namespace: ns }, spec });
const serviceMonitor = (ns: string, labels: Record<string, string> = {}): Manifest => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'ServiceMonitor',
  metadata: { name: 'api', namespace: ns, labels },
  spec: { selector: { matchLabels: { app: 'api' } }, endpoints: [{ port: 'metrics' }] },
});

/** `api` in namespace `shop`: a metrics port by name behind a Service. */
const api = [
  workload('shop', 'api', { app: 'api' }, { containers: [{ name: 'api', ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9100 }] }] }),
  service('shop', 'api', { app: 'api' }, [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9100, targetPort: 'metrics' }], { app: 'api' }),
];

const hops = (manifests: Manifest[]) => telemetryTraffic(manifests.map((m) => obj(m))).hops.map((h) => `${h.from.name} -> ${h.to.name}:${h.port}${h.portName ? ` (${h.portName})` : ''} for ${h.object.manifest.kind}/${h.object.manifest.metadata.name}`);

describe('connections a configuration asks for', () => {
  test('a mounted, projected or env-referenced ConfigMap\'s addresses, through the Service port to the named container port', () => {
    const reader = (volumes: unknown[], env: unknown[] = []) =>
      workload('tools', 'reader', { app: 'reader' }, { containers: [{ name: 'reader', envFrom: env }], volumes });
    const cm = configMap('tools', 'reader', 'url: http://api.shop.svc:80/v1\n');
    expect(hops([...api, cm, reader([{ name: 'c', configMap: { name: 'reader' } }])])).toEqual(['Deployment tools/reader -> Deployment shop/api:8080 (http) for ConfigMap/reader']);
    expect(hops([...api, cm, reader([{ name: 'c', projected: { sources: [{ configMap: { name: 'reader' } }] } }])])).toHaveLength(1);
    expect(hops([...api, cm, reader([], [{ configMapRef: { name: 'reader' } }])])).toHaveLength(1);
    // A ConfigMap of the same name in another namespace is not the one the pod reads.
    expect(hops([...api, configMap('other', 'reader', 'url: http://api.shop.svc:80\n'), reader([{ name: 'c', configMap: { name: 'reader' } }])])).toEqual([]);
  });

  test('addresses in a container\'s args and env are the workload\'s own', () => {
    const m = workload('tools', 'pusher', { app: 'pusher' }, { containers: [{ name: 'p', args: ['--target=api.shop.svc.cluster.local:9100'], env: [{ name: 'URL', value: 'https://nowhere.shop.svc' }] }] });
    expect(hops([...api, m])).toEqual(['Deployment tools/pusher -> Deployment shop/api:9100 (metrics) for Deployment/pusher']);
  });

  test('not listed: a port the Service does not serve, a Service without a selector, pods not in the objects', () => {
    const reader = workload('tools', 'reader', { app: 'reader' }, { containers: [{ name: 'r' }], volumes: [{ name: 'c', configMap: { name: 'reader' } }] });
    const text = 'a: api.shop.svc:81\nb: manual.shop.svc:80\nc: chart.shop.svc:80\n';
    const others = [service('shop', 'manual', undefined, [{ name: 'http', port: 80 }]), service('shop', 'chart', { app: 'chart' }, [{ name: 'http', port: 80 }])];
    expect(hops([...api, ...others, configMap('tools', 'reader', text), reader])).toEqual([]);
  });

  test('a k8s-sidecar collects ConfigMaps by LABEL and LABEL_VALUE, in its own namespace unless NAMESPACE says otherwise', () => {
    const grafana = (env: unknown[]) => workload('monitoring', 'grafana', { app: 'grafana' }, { containers: [{ name: 'sc', image: 'quay.io/kiwigrid/k8s-sidecar:2.1.2', env: [{ name: 'LABEL', value: 'grafana_datasource' }, ...env] }] });
    const datasource = (ns: string, value: string) => configMap(ns, `ds-${ns}-${value}`, 'url: http://api.shop.svc:80\n', { grafana_datasource: value });
    const sources = [datasource('monitoring', '1'), datasource('monitoring', '0'), datasource('shop', '1')];
    const from = (env: unknown[]) => hops([...api, ...sources, grafana(env)]).map((h) => h.replace(/.* for /, ''));
    expect(from([])).toEqual(['ConfigMap/ds-monitoring-1', 'ConfigMap/ds-monitoring-0']);
    expect(from([{ name: 'LABEL_VALUE', value: '1' }])).toEqual(['ConfigMap/ds-monitoring-1']);
    expect(from([{ name: 'LABEL_VALUE', value: '1' }, { name: 'NAMESPACE', value: 'ALL' }])).toEqual(['ConfigMap/ds-monitoring-1', 'ConfigMap/ds-shop-1']);
    expect(from([{ name: 'NAMESPACE', value: 'shop,tools' }])).toEqual(['ConfigMap/ds-shop-1']);
  });

  test('prometheus-operated, which the operator creates, leads to the pods it runs for a Prometheus', () => {
    const tempo = workload('monitoring', 'tempo', { app: 'tempo' }, { containers: [{ name: 't' }], volumes: [{ name: 'c', configMap: { name: 'tempo' } }] });
    const objects = [prometheus({ podMetadata: { labels: { team: 'obs' } } }), configMap('monitoring', 'tempo', 'url: http://prometheus-operated.monitoring.svc:9090/api/v1/write\n'), tempo];
    expect(hops(objects)).toEqual(['Deployment monitoring/tempo -> Prometheus monitoring/kps-prometheus:9090 (web) for ConfigMap/tempo']);
    expect(telemetryTraffic(objects.map((m) => obj(m))).hops[0].to.labels).toEqual({
      team: 'obs',
      'app.kubernetes.io/name': 'prometheus',
      'app.kubernetes.io/instance': 'kps-prometheus',
      'app.kubernetes.io/managed-by': 'prometheus-operator',
      prometheus: 'kps-prometheus',
      'operator.prometheus.io/name': 'kps-prometheus',
    });
  });
});

describe('scrapes', () => {
  const ns = (name: string, labels: Record<string, string>): Manifest => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

  test('a Prometheus scrapes the monitors its selectors pick: a null namespace selector means its own namespace', () => {
    expect(hops([...api, serviceMonitor('shop'), prometheus({ serviceMonitorSelector: {} })])).toEqual([]);
    expect(hops([...api, serviceMonitor('shop'), prometheus({ serviceMonitorSelector: {}, serviceMonitorNamespaceSelector: {} })])).toEqual([
      'Prometheus monitoring/kps-prometheus -> Deployment shop/api:9100 (metrics) for ServiceMonitor/api',
    ]);
  });

  test('monitor and namespace selectors match the monitor\'s labels and its Namespace object\'s', () => {
    const picky = prometheus({ serviceMonitorSelector: { matchLabels: { release: 'kps' } }, serviceMonitorNamespaceSelector: { matchLabels: { monitored: 'yes' } } });
    expect(hops([...api, serviceMonitor('shop', { release: 'kps' }), picky])).toEqual([]);
    expect(hops([...api, serviceMonitor('shop', { release: 'kps' }), picky, ns('shop', { monitored: 'yes' })])).toHaveLength(1);
    expect(hops([...api, serviceMonitor('shop'), picky, ns('shop', { monitored: 'yes' })])).toEqual([]);
  });

  test('a ServiceMonitor looks in its own namespace unless namespaceSelector says otherwise', () => {
    const elsewhere = { ...serviceMonitor('monitoring'), spec: { ...(serviceMonitor('monitoring').spec as object), namespaceSelector: { matchNames: ['shop'] } } };
    const all = prometheus({ serviceMonitorSelector: {}, serviceMonitorNamespaceSelector: {} });
    expect(hops([...api, serviceMonitor('monitoring'), all])).toEqual([]);
    expect(hops([...api, elsewhere, all])).toHaveLength(1);
  });

  test('a PodMonitor names the container port directly', () => {
    const podMonitor: Manifest = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'api', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'api' } }, podMetricsEndpoints: [{ port: 'metrics' }, { portNumber: 8080 }, { port: 'nonesuch' }] } };
    expect(hops([...api, podMonitor, prometheus({ podMonitorSelector: {}, podMonitorNamespaceSelector: {} })])).toEqual([
      'Prometheus monitoring/kps-prometheus -> Deployment shop/api:9100 (metrics) for PodMonitor/api',
      'Prometheus monitoring/kps-prometheus -> Deployment shop/api:8080 (http) for PodMonitor/api',
    ]);
  });

  test('alerts go to the Alertmanager Service the Prometheus names, by port name or number', () => {
    const am: Manifest = { apiVersion: 'monitoring.coreos.com/v1', kind: 'Alertmanager', metadata: { name: 'main', namespace: 'monitoring' }, spec: {} };
    const byName = prometheus({ alerting: { alertmanagers: [{ name: 'alertmanager-operated', port: 'web' }] } });
    expect(hops([am, byName])).toEqual(['Prometheus monitoring/kps-prometheus -> Alertmanager monitoring/main:9093 (web) for Prometheus/kps-prometheus']);
    const byNumber = prometheus({ alerting: { alertmanagers: [{ namespace: 'monitoring', name: 'alertmanager-operated', port: 9093 }] } });
    expect(hops([am, byNumber])).toHaveLength(1);
  });
});
