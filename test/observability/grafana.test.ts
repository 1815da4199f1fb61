import * as fs from 'node:fs';
import { parse } from 'yaml';
import { dashboardJson } from '../../constructs/observability/grafana';
import { findAll, findOne } from '../../stacks/objects';
import { synthEnvironment } from '../../stacks/synth';
import { chartValues } from '../support/chart-templates';
import { ENVIRONMENTS, built, loadProblems, manifests, variant } from '../support/environments';

const datasources = (env: string) => {
  const cm = findOne(manifests(env), 'ConfigMap', 'grafana-datasources') as any;
  return { cm, file: cm.data['gitplane-datasources.yaml'] as string, parsed: parse(cm.data['gitplane-datasources.yaml']) };
};
const dashboards = (env: string) => findAll(manifests(env), 'ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1');

describe.each(ENVIRONMENTS)('%s', (env) => {
  test('datasources are labelled for the Grafana sidecar and have fixed UIDs', () => {
    const { cm, parsed } = datasources(env);
    expect(cm.metadata.labels.grafana_datasource).toBe('1');
    expect(cm.metadata.namespace).toBe('monitoring');
    expect(parsed.datasources.map((d: any) => [d.type, d.uid])).toEqual([
      ['prometheus', 'prometheus'],
      ['loki', 'loki'],
      ['tempo', 'tempo'],
    ]);
  });

  test('exactly one default datasource is provisioned: gitplane\'s Prometheus, not also the chart\'s', () => {
    const release = built(env).output.releases.get('observability-prometheus')!;
    // The chart's configmaps-datasources.yaml writes its Prometheus datasource when
    // defaultDatasourceEnabled, default when isDefaultDatasource.
    const chart = (chartValues('kube-prometheus-stack', '88.5.3', release.values).grafana as any).sidecar.datasources;
    const chartDefaults = chart.defaultDatasourceEnabled && chart.isDefaultDatasource ? [chart.uid] : [];
    const ownDefaults = datasources(env).parsed.datasources.filter((d: any) => d.isDefault).map((d: any) => d.uid);
    expect([...chartDefaults, ...ownDefaults]).toEqual(['prometheus']);
  });

  test('the admin account comes from the grafana-admin Secret, so the chart generates no password', () => {
    const grafana = chartValues('kube-prometheus-stack', '88.5.3', built(env).output.releases.get('observability-prometheus')!.values).grafana as any;
    // The chart's Grafana Secret (with a random admin-password) renders only without existingSecret
    // and without a literal password.
    expect(grafana.admin).toEqual({ existingSecret: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' });
    expect(grafana.adminPassword).toBeUndefined();
    const es = findAll(manifests(env), 'ExternalSecret').find((e) => e.metadata.name === 'grafana-admin') as any;
    if (built(env).spec.secrets.provider !== 'external-secrets') {
      expect(es).toBeUndefined();
      return;
    }
    expect(es.metadata.namespace).toBe('monitoring');
    expect(es.spec.target.name).toBe('grafana-admin');
    expect(es.spec.data).toEqual(
      ['admin-user', 'admin-password'].map((key) => ({ secretKey: key, remoteRef: { key: built(env).spec.secrets.refs['grafana-admin'], property: key } })),
    );
  });

  test('every dashboard is valid JSON with a unique uid and panels that use a provisioned datasource', () => {
    const uids = new Set(datasources(env).parsed.datasources.map((d: any) => d.uid));
    const seen = new Set<string>();
    for (const cm of dashboards(env) as any[]) {
      const [[key, text]] = Object.entries(cm.data) as [string, string][];
      const d = JSON.parse(text);
      expect(key).toBe(`${d.uid}.json`);
      expect(seen.has(d.uid)).toBe(false);
      seen.add(d.uid);
      for (const p of d.panels.filter((x: any) => x.type !== 'row')) {
        expect(uids.has(p.datasource.uid)).toBe(true);
        expect(p.targets.length).toBeGreaterThan(0);
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      }
    }
  });
});

test('Prometheus exemplars, Loki trace ids and Tempo traces link to each other by UID', () => {
  const [prom, loki, tempo] = datasources('prod').parsed.datasources;
  expect(prom.jsonData.exemplarTraceIdDestinations).toEqual(expect.arrayContaining([{ name: 'traceID', datasourceUid: 'tempo' }]));
  expect(loki.jsonData.derivedFields).toEqual([expect.objectContaining({ matcherType: 'label', matcherRegex: 'trace_id', datasourceUid: 'tempo', url: '$${__value.raw}' })]);
  expect(tempo.jsonData.tracesToLogsV2.datasourceUid).toBe('loki');
  expect(tempo.jsonData.tracesToMetrics.datasourceUid).toBe('prometheus');
  expect(tempo.jsonData.serviceMap).toEqual({ datasourceUid: 'prometheus' });
  expect(prom.url).toBe('http://prometheus-operated.monitoring.svc:9090');
  expect(loki.url).toBe('http://loki.monitoring.svc:3100');
  expect(tempo.url).toBe('http://tempo.monitoring.svc:3200');
});

test('every $ in the provisioning file is escaped as $$, because Grafana expands environment variables there', () => {
  const { file } = datasources('prod');
  expect(file).toContain('$$');
  expect(file.replace(/\$\$/g, '')).not.toContain('$');
});

test('the on-call dashboard: health stats on top, RPS/latency/errors, node resources, then error logs', () => {
  const cm = findOne(manifests('prod'), 'ConfigMap', 'grafana-dashboard-gitplane-on-call') as any;
  const d = JSON.parse(cm.data['gitplane-on-call.json']);
  // Panels follow their row header in the JSON, top to bottom.
  const sections: Record<string, string[]> = {};
  let current = '';
  for (const p of d.panels) {
    if (p.type === 'row') sections[(current = p.title)] = [];
    else sections[current].push(`${p.type}:${p.datasource.uid}`);
  }
  expect(Object.keys(sections)).toEqual(['Health', 'Requests, latency, errors', 'Nodes', 'Error logs']);
  expect(sections.Health.length).toBeGreaterThanOrEqual(4);
  expect(new Set(sections.Health)).toEqual(new Set(['stat:prometheus']));
  expect(sections['Requests, latency, errors']).toEqual(['timeseries:prometheus', 'timeseries:prometheus', 'timeseries:prometheus']);
  expect(sections.Nodes).toEqual(['timeseries:prometheus', 'timeseries:prometheus', 'timeseries:prometheus']);
  expect(sections['Error logs']).toEqual(['logs:loki']);
  const ys = d.panels.map((p: any) => p.gridPos.y);
  expect(ys).toEqual([...ys].sort((a: number, b: number) => a - b));
});

test('component dashboards follow the components an environment runs', () => {
  const names = (objs: any[]) => objs.map((c) => c.metadata.name).sort();
  expect(names(dashboards('prod'))).toEqual([
    'grafana-dashboard-gitplane-loki',
    'grafana-dashboard-gitplane-longhorn',
    'grafana-dashboard-gitplane-nats',
    'grafana-dashboard-gitplane-on-call',
    'grafana-dashboard-gitplane-otel-collector',
    'grafana-dashboard-gitplane-tempo',
  ]);
  const spec = variant('prod', (s) => {
    s.components.nats.enabled = false;
  });
  const objects = synthEnvironment(spec).objects.map((o) => o.manifest);
  expect(names(findAll(objects, 'ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1'))).not.toContain('grafana-dashboard-gitplane-nats');
});

test('fails when a row cannot split the width evenly', () => {
  const panel = { title: 'x', kind: 'stat' as const, queries: [{ expr: 'up' }] };
  expect(() => dashboardJson({ uid: 'bad', title: 'Bad', tags: [], rows: [{ panels: [panel, panel, panel, panel, panel] }] })).toThrow(
    'dashboard bad: a row needs 1, 2, 3, 4, 6, 8 or 12 panels to fill the width (got 5).',
  );
});

test('fails when External Secrets is the provider and secrets.refs has no grafana-admin entry', () => {
  const text = fs.readFileSync('environments/staging.yaml', 'utf8').replace(/^ {4}grafana-admin: .*\n/m, '');
  expect(loadProblems(text, 'environments/staging.yaml')).toEqual([
    expect.stringMatching(/^environments\/staging\.yaml:32:5: secrets\.refs must define "grafana-admin" when observability runs \(defined: etcd-backup-s3, longhorn-backup-credentials, slack-webhook, loki-object-store, tempo-object-store\)\. Add the key of a store entry with admin-user and admin-password properties; Grafana's admin account is read from it\.$/),
  ]);
});
