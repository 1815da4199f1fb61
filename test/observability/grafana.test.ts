import * as fs from 'node:fs';
import { parse } from 'yaml';
import { dashboardJson } from '../../constructs/observability/grafana';
import { metricNames } from '../../constructs/observability/alerts/promql';
import { findAll, findOne } from '../../stacks/objects';
import { synthEnvironment } from '../../stacks/synth';
import { chartValues } from '../support/chart-templates';
import { ENVIRONMENTS, built, loadProblems, manifests, variant } from '../support/environments';
import { testWithMirrors } from '../support/mirrors';

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

  testWithMirrors(['charts'], 'exactly one default datasource is provisioned: gitplane\'s Prometheus, not also the chart\'s', () => {
    const release = built(env).output.releases.get('observability-prometheus')!;
    // The chart's configmaps-datasources.yaml writes its Prometheus datasource when
    // defaultDatasourceEnabled, default when isDefaultDatasource.
    const chart = (chartValues('kube-prometheus-stack', '88.5.3', release.values).grafana as any).sidecar.datasources;
    const chartDefaults = chart.defaultDatasourceEnabled && chart.isDefaultDatasource ? [chart.uid] : [];
    const ownDefaults = datasources(env).parsed.datasources.filter((d: any) => d.isDefault).map((d: any) => d.uid);
    expect([...chartDefaults, ...ownDefaults]).toEqual(['prometheus']);
  });

  testWithMirrors(['charts'], 'the admin account comes from the grafana-admin Secret, so the chart generates no password', () => {
    const grafana = chartValues('kube-prometheus-stack', '88.5.3', built(env).output.releases.get('observability-prometheus')!.values).grafana as any;
    // The chart's Grafana Secret (with a random admin-password) renders only without existingSecret
    // and without a literal password.
    expect(grafana.admin).toEqual({ existingSecret: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' });
    expect(grafana.adminPassword).toBeUndefined();
  });

  test('the grafana-admin Secret is read through an ExternalSecret when the secrets come from External Secrets', () => {
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

const onCall = () => JSON.parse((findOne(manifests('prod'), 'ConfigMap', 'grafana-dashboard-gitplane-on-call') as any).data['gitplane-on-call.json']);
const graphs = (d: any) => d.panels.filter((p: any) => p.type === 'stat' || p.type === 'timeseries');

test('the on-call dashboard: health stats on top, service requests/latency/errors, nodes and workloads, then error logs', () => {
  const d = onCall();
  // Panels follow their row header in the JSON, top to bottom.
  const sections: Record<string, string[]> = {};
  let current = '';
  for (const p of d.panels) {
    if (p.type === 'row') sections[(current = p.title)] = [];
    else sections[current].push(`${p.type}:${p.datasource.uid}`);
  }
  expect(Object.keys(sections)).toEqual(['Health', 'Services: requests, latency, errors', 'Nodes and workloads', 'Error logs']);
  expect(sections.Health.length).toBeGreaterThanOrEqual(4);
  expect(new Set(sections.Health)).toEqual(new Set(['stat:prometheus']));
  expect(sections['Services: requests, latency, errors']).toEqual(Array(3).fill('timeseries:prometheus'));
  expect(sections['Nodes and workloads']).toEqual(Array(4).fill('timeseries:prometheus'));
  expect(sections['Error logs']).toEqual(['logs:loki']);
  const ys = d.panels.map((p: any) => p.gridPos.y);
  expect(ys).toEqual([...ys].sort((a: number, b: number) => a - b));
});

test('the on-call dashboard opens on the last hour with a minimum step of 30 s on every Prometheus query', () => {
  const d = onCall();
  expect(d.time).toEqual({ from: 'now-1h', to: 'now' });
  const prometheus = d.panels.filter((p: any) => p.datasource?.uid === 'prometheus');
  expect(prometheus.length).toBeGreaterThan(10);
  expect(prometheus.map((p: any) => p.interval)).toEqual(prometheus.map(() => '30s'));
});

test('every graph of the on-call dashboard has green, yellow and red thresholds, and time series draw them', () => {
  for (const p of graphs(onCall())) {
    const steps = p.fieldConfig.defaults.thresholds.steps;
    expect([p.title, steps.length, new Set(steps.map((s: any) => s.color))]).toEqual([p.title, 3, new Set(['green', 'yellow', 'red'])]);
    expect(steps[0].value).toBeNull();
    expect(steps[1].value).toBeLessThan(steps[2].value);
    if (p.type === 'timeseries') expect(p.fieldConfig.defaults.custom.thresholdsStyle.mode).toBe('line');
  }
});

test('the on-call dashboard filters by environment, cluster and service variables, keeping series without those labels', () => {
  const d = onCall();
  expect(d.templating.list.map((v: any) => [v.name, v.type, v.includeAll, v.allValue])).toEqual([
    ['environment', 'query', true, '.*'],
    ['cluster', 'query', true, '.*'],
    ['service', 'query', true, '.*'],
  ]);
  for (const p of d.panels.filter((x: any) => x.datasource?.uid === 'prometheus')) {
    for (const t of p.targets) expect([p.title, t.expr]).toEqual([p.title, expect.stringContaining('environment=~"$environment|", cluster=~"$cluster|"')]);
  }
  const services = d.panels.filter((p: any) => p.type !== 'row' && /requests|latency|error ratio/i.test(p.title));
  expect(services.length).toBe(4);
  for (const p of services) expect(p.targets[0].expr).toContain('service=~"$service"');
});

/**
 * 1080p: 1080 px high, less about 160 px of browser bars, Grafana's top bar and the variable row,
 * leaves 920 px; a grid row is 30 px (Grafana's cell height, margins folded in), so 30 rows fit.
 */
const ROWS_ON_1080P = Math.floor((1080 - 160) / 30);

test(`the on-call dashboard fits a 1080p screen without scrolling: at most ${ROWS_ON_1080P} grid rows, 24 columns`, () => {
  const d = onCall();
  const bottom = Math.max(...d.panels.map((p: any) => p.gridPos.y + p.gridPos.h));
  expect(bottom).toBeLessThanOrEqual(ROWS_ON_1080P);
  for (const p of d.panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
});

test('the on-call dashboard links to error logs in Loki and error traces in Tempo, for the dashboard and for each service', () => {
  const d = onCall();
  const pane = (url: string) => JSON.parse(new URL(url, 'https://grafana.example').searchParams.get('panes')!).a;
  expect(d.links.map((l: any) => [l.title, pane(l.url).datasource, l.keepTime, l.includeVars])).toEqual([
    ['Error logs (Loki)', 'loki', true, true],
    ['Error traces (Tempo)', 'tempo', true, true],
  ]);
  expect(pane(d.links[1].url).queries[0]).toEqual(expect.objectContaining({ queryType: 'traceql', query: '{resource.service.name=~"${service:regex}" && status=error}' }));
  const latency = d.panels.find((p: any) => p.title === 'Latency p95 / p99');
  expect(latency.fieldConfig.defaults.links.map((l: any) => [l.title, pane(l.url).datasource])).toEqual([
    ['Error traces of ${__field.labels.service} (Tempo)', 'tempo'],
    ['Error logs of ${__field.labels.service} (Loki)', 'loki'],
  ]);
  expect(pane(latency.fieldConfig.defaults.links[1].url).queries[0].expr).toBe('{service_name="${__field.labels.service}"} | detected_level=~"error|fatal|critical"');
  expect(d.panels.find((p: any) => p.type === 'logs').links.map((l: any) => pane(l.url).datasource)).toEqual(['loki']);
});

test('the on-call graphs read recorded series, not raw span metrics or node counters', () => {
  const exprs: string[] = onCall().panels.filter((p: any) => p.datasource?.uid === 'prometheus').flatMap((p: any) => p.targets.map((t: any) => t.expr));
  const read = exprs.flatMap((e) => metricNames(e));
  expect(read.filter((n) => /^(traces_spanmetrics_|node_cpu_seconds_total|node_memory_|node_filesystem_|container_)/.test(n))).toEqual([]);
  expect(exprs.join('\n')).not.toContain('histogram_quantile');
  expect(read).toContain('service:traces_spanmetrics_server_latency_seconds:p99_rate5m');
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
