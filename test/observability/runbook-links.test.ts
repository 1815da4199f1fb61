/**
 * Runbooks link the person paged to the alert's dashboard panel and to Grafana Explore on its
 * logs and traces: the links are built from the environment's Grafana URL, point at dashboards
 * and panels the environment ships, and filter on where the alert fires.
 */
import { DashboardSpec, runbookLinks } from '../../constructs/observability/grafana';
import { metricRefs } from '../../constructs/observability/alerts';
import { loadEnvironment } from '../../stacks/environment';
import { built, ENVIRONMENTS } from '../support/environments';

const DASHBOARDS: DashboardSpec[] = [
  { uid: 'first', title: 'First', tags: [], rows: [{ panels: [{ title: 'Logs', kind: 'logs', queries: [{ expr: '{job="a"}' }] }, { title: 'Up', kind: 'stat', queries: [{ expr: 'up' }] }] }] },
  { uid: 'second', title: 'Second', tags: [], rows: [{ title: 'Row', panels: [{ title: 'Pending', kind: 'timeseries', queries: [{ expr: 'sum(jetstream_consumer_num_pending) / sum(up)' }] }] }] },
];
const PROPS = { grafanaUrl: 'https://grafana.example.com/', environment: 'prod', cluster: 'prod-eu1', dashboards: DASHBOARDS };

/** The one query of an Explore link's pane. */
function paneQuery(url: string): Record<string, unknown> {
  const panes = JSON.parse(decodeURIComponent(new URL(url).searchParams.get('panes')!));
  expect(Object.keys(panes)).toEqual(['a']);
  expect(panes.a.range).toEqual({ from: 'now-1h', to: 'now' });
  return panes.a.queries[0];
}

describe('runbookLinks', () => {
  const links = runbookLinks(PROPS, { expr: 'jetstream_consumer_num_pending{namespace="nats"} > 1000 and on () up{namespace="nats"} == 1' });

  test('opens Loki on the error logs of the environment, cluster and namespace the alert pins', () => {
    expect(links.logs.startsWith('https://grafana.example.com/explore?schemaVersion=1&orgId=1&panes=')).toBe(true);
    expect(paneQuery(links.logs)).toEqual({
      refId: 'A',
      datasource: { type: 'loki', uid: 'loki' },
      expr: '{deployment_environment_name="prod", k8s_cluster_name="prod-eu1", k8s_namespace_name="nats"} | detected_level=~"error|fatal|critical"',
      queryType: 'range',
    });
  });

  test('opens Tempo on the failed spans of the same place, in TraceQL', () => {
    expect(paneQuery(links.traces)).toEqual({
      refId: 'A',
      datasource: { type: 'tempo', uid: 'tempo' },
      query: '{resource.deployment.environment.name="prod" && resource.k8s.cluster.name="prod-eu1" && resource.k8s.namespace.name="nats" && status=error}',
      queryType: 'traceql',
    });
    expect(links.filters).toBe('environment prod, cluster prod-eu1, namespace nats');
  });

  test('links the Prometheus panel sharing most metrics with the alert, with the environment variables', () => {
    expect(links.dashboard).toEqual({ title: 'Second / Pending', url: 'https://grafana.example.com/d/second?viewPanel=2&from=now-1h&to=now&var-environment=prod&var-cluster=prod-eu1' });
  });

  test('searches each list of dashboards on its own: the panels read for one list are not another\'s', () => {
    const expr = 'sum(jetstream_consumer_num_pending) > 0';
    expect(runbookLinks(PROPS, { expr }).dashboard?.title).toBe('Second / Pending');
    const other: DashboardSpec[] = [{ uid: 'other', title: 'Other', tags: [], rows: [{ panels: [{ title: 'Backlog', kind: 'stat', queries: [{ expr: 'jetstream_consumer_num_pending' }] }] }] }];
    expect(runbookLinks({ ...PROPS, dashboards: other }, { expr }).dashboard?.title).toBe('Other / Backlog');
    expect(runbookLinks({ ...PROPS, dashboards: [] }, { expr }).dashboard).toBeUndefined();
  });

  test('links no panel when no Prometheus panel queries the alert\'s metrics, and filters a fleet on the environment only', () => {
    const fleet = runbookLinks({ ...PROPS, cluster: undefined }, { expr: 'node_load1 > 4' });
    expect(fleet.dashboard).toBeUndefined();
    expect(fleet.filters).toBe('environment prod');
    expect(paneQuery(fleet.logs).expr).toBe('{deployment_environment_name="prod"} | detected_level=~"error|fatal|critical"');
  });

  test('fails when a link could end a Markdown link early: no parenthesis or space survives in any URL', () => {
    for (const url of [links.logs, links.traces, links.dashboard!.url]) expect(url).not.toMatch(/[()\s]/);
  });
});

describe.each(ENVIRONMENTS)('%s runbooks', (name) => {
  const spec = loadEnvironment(name);
  const output = built(name).output;
  const runbooks = [...output.files].filter(([f]) => f.startsWith('runbooks/'));
  const dashboards = new Map(
    output.objects
      .filter((o) => o.manifest.kind === 'ConfigMap' && o.manifest.metadata.labels?.grafana_dashboard)
      .flatMap((o) => Object.values(o.manifest.data as Record<string, string>).map((text) => JSON.parse(text)))
      .map((d) => [d.uid, d]),
  );
  const rules = output.objects.filter((o) => o.manifest.kind === 'PrometheusRule').flatMap((o) => (o.manifest.spec as { groups: { rules: { alert?: string; expr: string; annotations?: { runbook_url: string } }[] }[] }).groups.flatMap((g) => g.rules));

  if (!spec.alerting.grafanaUrl) {
    test('have no Grafana links, since the environment names no Grafana URL', () => {
      expect(runbooks.length).toBeGreaterThan(0);
      for (const [, text] of runbooks) expect(text).not.toContain('Open in Grafana');
    });
    return;
  }

  test('each link to Loki and Tempo, in the Diagnosis section, on the environment\'s Grafana', () => {
    const alertRunbooks = rules.filter((r) => r.alert).map((r) => `runbooks/${r.annotations!.runbook_url.split('/').pop()}`);
    expect(alertRunbooks.length).toBeGreaterThan(30);
    for (const file of alertRunbooks) {
      const text = output.files.get(file)!;
      const diagnosis = text.slice(text.indexOf('## Diagnosis'), text.indexOf('## Escalation'));
      expect([file, diagnosis.includes(`- Logs: [error logs in Loki](${spec.alerting.grafanaUrl}/explore?`)]).toEqual([file, true]);
      expect([file, diagnosis.includes(`- Traces: [failed spans in Tempo](${spec.alerting.grafanaUrl}/explore?`)]).toEqual([file, true]);
      expect(text.includes('k8s_cluster_name')).toBe(spec.cluster.fleet.length === 0);
    }
  });

  test('link dashboard panels that the environment ships and that query the alert\'s metrics', () => {
    let linked = 0;
    for (const rule of rules.filter((r) => r.alert)) {
      const text = output.files.get(`runbooks/${rule.annotations!.runbook_url.split('/').pop()}`)!;
      const m = /- Dashboard panel: \[[^\]]+\]\((\S+)\)/.exec(text);
      if (!m) continue;
      linked++;
      const url = new URL(m[1]);
      const dashboard = dashboards.get(url.pathname.replace(/^\/d\//, ''));
      const panel = dashboard?.panels.find((p: { id: number }) => p.id === Number(url.searchParams.get('viewPanel')));
      const panelMetrics = panel.targets.flatMap((t: { expr: string }) => metricRefs(t.expr).map((r) => ('name' in r ? r.name : '')));
      const alertMetrics = metricRefs(rule.expr).map((r) => ('name' in r ? r.name : ''));
      expect([rule.alert, alertMetrics.some((x) => panelMetrics.includes(x))]).toEqual([rule.alert, true]);
      expect(url.searchParams.get('var-environment')).toBe(name);
    }
    expect(linked).toBeGreaterThan(5);
  });
});
