/**
 * Dashboards read only series that exist: every recorded series (a name with a colon) queried by
 * a dashboard Grafana loads, the kube-prometheus-stack chart's as its pinned archive renders them
 * for the environment's values, and gitplane's own, is recorded by a rule of the environment.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { metricNames } from '../../constructs/observability/alerts/promql';
import { readTarGz } from '../../stacks/chart-archive';
import { findAll } from '../../stacks/objects';
import { CHARTS, chartValues } from '../support/chart-templates';
import { ENVIRONMENTS, built, manifests } from '../support/environments';
import { testWithMirrors } from '../support/mirrors';

const KPS = 'kube-prometheus-stack';
const VERSION = '88.5.3';
type Values = Record<string, unknown>;

/** The chart's dashboard templates: name, the condition of the `if` that renders it, and the queries of its JSON. */
function chartDashboards(): { name: string; condition: string; queries: string[] }[] {
  const files = readTarGz(fs.readFileSync(path.join(CHARTS, `${KPS}-${VERSION}.tgz`)));
  return [...files]
    .filter(([file]) => file.startsWith(`${KPS}/templates/grafana/dashboards-1.14/`))
    .map(([file, content]) => {
      const text = content.toString('utf8');
      const condition = /^\{\{-? if (.*?) -?\}\}$/m.exec(text)![1];
      // The JSON is written as Go raw-string literals ({{` ... `}}) with values spliced between them.
      const json = text.replace(/\{\{`|`\}\}/g, '').replace(/\{\{[^}]*\}\}/g, 'TEMPLATED');
      const queries = [...json.matchAll(/"expr":\s*("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]) as string);
      return { name: path.basename(file, '.yaml'), condition, queries };
    });
}

/**
 * Whether a dashboard's `if` renders with these values. The conditions are `and`/`or` over
 * `.Values` paths and `semverCompare` on the Kubernetes version, which every environment (1.34)
 * satisfies; anything else is refused, so a new kind of condition fails here instead of guessing.
 */
function renders(condition: string, values: Values): boolean {
  const tokens = condition.match(/\(|\)|"[^"]*"|[^\s()]+/g)!;
  let i = 0;
  const lookup = (dotted: string) => dotted.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Values)[k] : undefined), values);
  const expr = (): boolean | string => {
    const t = tokens[i++];
    if (t === '(') {
      const fn = tokens[i++];
      const args: (boolean | string)[] = [];
      while (tokens[i] !== ')') args.push(expr());
      i++;
      if (fn === 'and') return args.every(Boolean);
      if (fn === 'or') return args.some(Boolean);
      if (fn === 'semverCompare') return true;
      throw new Error(`unknown template function ${fn} in ${condition}`);
    }
    if (t.startsWith('.Values.')) return Boolean(lookup(t.slice('.Values.'.length)));
    if (t.startsWith('"') || t.startsWith('$')) return t;
    throw new Error(`unknown template term ${t} in ${condition}`);
  };
  tokens.unshift('(');
  tokens.push(')');
  return Boolean(expr());
}

const recorded = (queries: readonly string[]) => [...new Set(queries.flatMap((q) => metricNames(q)).filter((n) => n.includes(':')))].sort();

function recordsOf(env: string): Set<string> {
  const rules = findAll(manifests(env), 'PrometheusRule') as any[];
  return new Set(rules.flatMap((r) => r.spec.groups.flatMap((g: any) => g.rules.filter((x: any) => x.record).map((x: any) => x.record))));
}

/** `dashboard: series` for every recorded series a rendered chart dashboard queries that the environment does not record. */
function missingInChartDashboards(values: Values, records: ReadonlySet<string>): string[] {
  const merged = chartValues(KPS, VERSION, values);
  return chartDashboards()
    .filter((d) => renders(d.condition, merged))
    .flatMap((d) => recorded(d.queries).filter((s) => !records.has(s)).map((s) => `${d.name}: ${s}`));
}

const kpsValues = (env: string) => built(env).output.releases.get('observability-prometheus')!.values as Values;

testWithMirrors(['charts'], 'the chart archive holds the dashboards, and most query recorded series, so the check below is not vacuous', () => {
  const dashboards = chartDashboards();
  expect(dashboards.length).toBeGreaterThanOrEqual(30);
  expect(dashboards.filter((d) => recorded(d.queries).length > 0).length).toBeGreaterThanOrEqual(15);
  expect(recorded(dashboards.find((d) => d.name === 'k8s-resources-cluster')!.queries)).toContain('node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m');
});

describe.each(ENVIRONMENTS)('%s', (env) => {
  testWithMirrors(['charts'], 'every recorded series a chart dashboard Grafana loads queries is recorded by the environment', () => {
    expect(missingInChartDashboards(kpsValues(env), recordsOf(env))).toEqual([]);
  });

  test("every recorded series gitplane's own dashboards query is recorded by the environment", () => {
    const records = recordsOf(env);
    const dashboards = findAll(manifests(env), 'ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1') as any[];
    const queries = dashboards.flatMap((cm) => Object.values(cm.data as Record<string, string>).flatMap((text) => JSON.parse(text).panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr))));
    const used = recorded(queries);
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((s) => !records.has(s))).toEqual([]);
  });
});

testWithMirrors(['charts'], "fails when the chart's default dashboards are on while its recording rules are off (the values before this change)", () => {
  const values = { ...kpsValues('prod'), grafana: { ...(kpsValues('prod').grafana as Values), defaultDashboardsEnabled: true } };
  const missing = missingInChartDashboards(values, recordsOf('prod'));
  expect(missing).toContain('k8s-resources-cluster: node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m');
  expect(missing).toContain('apiserver: apiserver_request:availability30d');
  // Windows dashboards stay off with windowsMonitoring.
  expect(missing.filter((m) => m.startsWith('k8s-resources-windows'))).toEqual([]);
});

test('fails when a dashboard queries a recorded series under a name no rule records', () => {
  const records = recordsOf('prod');
  const queries = ['service:traces_spanmetrics_server_calls:rate5m', 'sum(service:traces_spanmetrics_server_call:rate5m) / up'];
  expect(recorded(queries).filter((s) => !records.has(s))).toEqual(['service:traces_spanmetrics_server_call:rate5m']);
});

test('fails when a dashboard condition uses a template function the check cannot decide', () => {
  expect(() => renders('and .Values.a (include "x")', { a: true })).toThrow('unknown template function include in and .Values.a (include "x")');
});
