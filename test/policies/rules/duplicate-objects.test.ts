import { fromBuilt } from '../../../policies/inputs';
import { rule } from '../../../policies/rules/duplicate-objects';
import { PolicyEnvironment } from '../../../policies/types';
import { Manifest, RenderedObject } from '../../../stacks/objects';
import { ENVIRONMENTS, built } from '../../support/environments';
import { application, check, env, messages, obj } from '../support';

const RULE = 'duplicate-objects';

/** An object a rendered Helm chart adds to application `app`, marked with that application. */
function fromChart(manifest: Manifest, app: string): RenderedObject {
  return { manifest, app, file: `charts/${app}/${manifest.kind.toLowerCase()}-${manifest.metadata.name}.yaml` };
}

function withObjects(name: string, extra: RenderedObject[]): PolicyEnvironment {
  const base = fromBuilt(built(name));
  return { ...base, objects: [...base.objects, ...extra] };
}

/** The datasource file kube-prometheus-stack 88.5.3 renders with its default sidecar values (templates/grafana/configmaps-datasources.yaml). */
const CHART_DATASOURCES = [
  'apiVersion: 1',
  'datasources:',
  '- name: "Prometheus"',
  '  type: prometheus',
  '  uid: prometheus',
  '  url: http://kps-prometheus.monitoring:9090/',
  '  access: proxy',
  '  isDefault: true',
  '  jsonData:',
  '    httpMethod: POST',
  '    timeInterval: 30s',
  '- name: "Alertmanager"',
  '  type: alertmanager',
  '  uid: alertmanager',
  '  url: http://kps-alertmanager.monitoring:9093/',
  '  access: proxy',
  '  jsonData:',
  '    handleGrafanaManagedAlerts: false',
  '    implementation: prometheus',
].join('\n');

const chartDatasources = (labels: Record<string, string> = { grafana_datasource: '1' }, namespace = 'monitoring', text = CHART_DATASOURCES) =>
  fromChart({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kps-grafana-datasource', namespace, labels }, data: { 'datasource.yaml': text } }, 'observability-prometheus');

/** The chart's Grafana Deployment, reduced to its datasource sidecar as the grafana chart configures it (templates/_pod.tpl). */
const grafana = (env: Record<string, string>) =>
  fromChart(
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'kps-grafana', namespace: 'monitoring' },
      spec: { template: { spec: { containers: [{ name: 'grafana-sc-datasources', image: 'quay.io/kiwigrid/k8s-sidecar:2.1.0', env: Object.entries({ FOLDER: '/etc/grafana/provisioning/datasources', ...env }).map(([name, value]) => ({ name, value })) }] } } },
    },
    'observability-prometheus',
  );

describe('duplicate-objects', () => {
  test.each(ENVIRONMENTS)('passes the shipped environment %s (must-not-fire)', (name) => {
    expect(check(RULE, fromBuilt(built(name)))).toEqual([]);
  });

  test("fails when the chart's datasource ConfigMap and gitplane's both provision uid prometheus as the default (today's values before the fix)", () => {
    const findings = check(RULE, withObjects('dev', [chartDatasources()]));
    expect(messages(findings)).toEqual([
      'duplicate-objects: Grafana datasource uid prometheus (organization 1) is provisioned twice: Prometheus by ConfigMap monitoring/grafana-datasources (gitplane-datasources.yaml) and Prometheus by ConfigMap monitoring/kps-grafana-datasource (datasource.yaml); one overwrites the other or provisioning fails.',
      'duplicate-objects: Grafana organization 1 has 2 default datasources (Prometheus by ConfigMap monitoring/grafana-datasources (gitplane-datasources.yaml), Prometheus by ConfigMap monitoring/kps-grafana-datasource (datasource.yaml)); Grafana refuses to provision them (only one datasource per organization can be marked as default) and does not start.',
    ]);
    expect(findings.map((f) => f.ref)).toEqual(['ConfigMap/monitoring/kps-grafana-datasource', 'ConfigMap/monitoring/kps-grafana-datasource']);
  });

  test("passes the chart's Alertmanager datasource beside gitplane's once the chart's Prometheus one is off (must-not-fire)", () => {
    const alertmanagerOnly = CHART_DATASOURCES.split('\n').filter((_, i) => i < 2 || i >= 11).join('\n');
    expect(check(RULE, withObjects('dev', [chartDatasources(undefined, undefined, alertmanagerOnly)]))).toEqual([]);
  });

  test("passes datasource files the rendered Grafana's sidecar does not collect: another label value, another namespace (must-not-fire)", () => {
    const sidecar = grafana({ LABEL: 'grafana_datasource', LABEL_VALUE: '1', RESOURCE: 'both' });
    expect(check(RULE, withObjects('dev', [sidecar, chartDatasources({ grafana_datasource: '0' })]))).toEqual([]);
    expect(check(RULE, withObjects('dev', [sidecar, chartDatasources(undefined, 'nats')]))).toEqual([]);
    expect(check(RULE, withObjects('dev', [grafana({ LABEL: 'grafana_datasource', RESOURCE: 'secret' }), chartDatasources()]))).toEqual([]);
  });

  test("fails when the rendered Grafana's sidecar collects a default datasource from a Secret in a namespace it searches", () => {
    const secret = fromChart({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'extra-datasources', namespace: 'nats', labels: { grafana_datasource: '1' } }, data: { 'extra.yml': Buffer.from('apiVersion: 1\ndatasources:\n  - name: Other\n    type: prometheus\n    uid: other\n    isDefault: true\n').toString('base64') } }, 'nats');
    const sidecar = grafana({ LABEL: 'grafana_datasource', LABEL_VALUE: '1', RESOURCE: 'both', NAMESPACE: 'monitoring,nats' });
    expect(check(RULE, withObjects('dev', [sidecar, secret])).map((f) => f.value)).toEqual(['Prometheus, Other']);
  });

  test('fails when two datasource files share a key, and when one is not valid YAML', () => {
    const sameKey = fromChart({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'more', namespace: 'monitoring', labels: { grafana_datasource: '1' } }, data: { 'gitplane-datasources.yaml': 'apiVersion: 1\ndatasources: []\n' } }, 'observability-prometheus');
    expect(messages(check(RULE, withObjects('dev', [sameKey])))).toEqual([
      "duplicate-objects: ConfigMap monitoring/more (gitplane-datasources.yaml) and ConfigMap monitoring/grafana-datasources (gitplane-datasources.yaml) both become the file gitplane-datasources.yaml in Grafana's datasource folder; one replaces the other.",
    ]);
    expect(check(RULE, withObjects('dev', [chartDatasources(undefined, undefined, 'datasources: [')]))[0].message).toMatch(/^ConfigMap monitoring\/kps-grafana-datasource \(datasource\.yaml\) is not valid YAML \(.+\); Grafana refuses to provision datasources and does not start\.$/);
  });

  test('fails when a chart renders an object gitplane already produces in another application', () => {
    const monitor = (app: string) => ({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'loki', namespace: 'monitoring' }, spec: { selector: {}, endpoints: [{ port: 'http-metrics' }] }, app });
    const findings = check(RULE, withObjects('dev', [fromChart(monitor('x'), 'observability-prometheus')]));
    expect(messages(findings)).toEqual([
      'duplicate-objects: ServiceMonitor monitoring/loki is produced twice: by application dev-observability-loki (apps/observability-loki/servicemonitor-loki.yaml) and by application dev-observability-prometheus (charts/observability-prometheus/servicemonitor-loki.yaml); the two applications overwrite each other on every sync and never settle.',
    ]);
  });

  test('fails when one application produces an object twice, one without a namespace landing in the destination namespace', () => {
    const cm = (namespace?: string) => obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', ...(namespace ? { namespace } : {}) } });
    expect(messages(check(RULE, env([application('demo', 0), cm('demo'), cm()])))).toEqual([
      'duplicate-objects: ConfigMap demo/x is produced twice: by application prod-demo (apps/demo/configmap-x.yaml) and by application prod-demo (apps/demo/configmap-x.yaml); Argo CD applies only the last copy.',
    ]);
  });

  test('fails when objects of one name are produced twice in two namespaces, in the order their first copies come', () => {
    const cm = (name: string, namespace: string) => obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } });
    const e = env([application('demo', 0), cm('x', 'b'), cm('y', 'a'), cm('x', 'a'), cm('y', 'a'), cm('x', 'b'), cm('x', 'a')]);
    const found = rule.check({ env: e, objects: e.objects, files: e.files, spec: e.spec, peers: [], today: '2026-01-01' });
    expect(found !== 'not-applicable' && found.map((f) => f.message.slice(0, f.message.indexOf(' is produced')))).toEqual(['ConfigMap b/x', 'ConfigMap a/y', 'ConfigMap a/x']);
  });

  test('passes one name in two namespaces, two kinds, or two clusters (must-not-fire)', () => {
    const cm = (namespace: string, app: string, kind = 'ConfigMap') => obj({ apiVersion: 'v1', kind, metadata: { name: 'x', namespace } }, app);
    expect(check(RULE, env([cm('a', 'demo'), cm('b', 'demo'), cm('a', 'demo', 'Secret')]))).toEqual([]);
    const elsewhere = application('other', 0, { destination: { server: 'https://other.example.com:6443', namespace: 'demo' } });
    expect(check(RULE, env([application('demo', 0), elsewhere, cm('demo', 'demo'), cm('demo', 'other')]))).toEqual([]);
  });

  test('fails once, not once per site, when a fleet application produces an object twice', () => {
    const base = fromBuilt(built('pi-edge'));
    const nats = base.objects.find((o) => o.app === 'nats' && o.manifest.kind === 'Service')!;
    expect(check(RULE, { ...base, objects: [...base.objects, { ...nats, file: 'charts/nats/service-copy.yaml' }] })).toHaveLength(1);
  });
});
