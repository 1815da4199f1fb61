import { prometheusRules } from '../lib/alerts';
import { docsUrl } from '../lib/docs-url';
import { parseEmbedded } from '../lib/embedded';
import { catalogueOf, describeEvidence, seriesSources, SeriesSources } from '../lib/metric-sources';
import { MetricRef, metricRefs } from '../../constructs/observability/alerts/promql';
import { Json } from '../lib/workloads';
import { ObjectRule, RuleFinding } from '../types';

/** One PromQL expression of an object and what it belongs to, for messages. */
interface Query {
  /** e.g. `alert ArgoCdAppDegraded (spec.groups[0].rules[2])` or `dashboard gitplane-nats panel "Messages in/s"`. */
  readonly owner: string;
  readonly expr: string;
}

export const rule: ObjectRule = {
  id: 'metric-exported',
  scope: 'object',
  // Advisory outside production: the catalogue lists what gitplane deploys, and a team's own
  // exporter may serve series it does not know yet.
  severity: 'warning',
  pack: 'runbooks',
  description:
    'Every metric an alerting rule, recording rule or Grafana dashboard panel queries is served by an exporter the environment deploys and Prometheus scrapes (per the metric catalogue, pinned to each exporter\'s version), or recorded by one of its recording rules.',
  rationale:
    'A query on a series nobody scrapes returns nothing, without an error: the alert never fires and the panel shows "No data", so the outage it was written for goes unnoticed. Only the catalogue of what each deployed exporter serves tells a typo or a missing ServiceMonitor from a quiet system before the night it matters.',
  remediation:
    'Scrape the exporter that serves the metric in this environment (a ServiceMonitor or PodMonitor, or the chart value that renders one), correct the metric name to one the exporter serves at its pinned version, or do not ship the query where nothing serves it.',
  docsUrl: docsUrl('metric-exported'),
  kinds: ['PrometheusRule', 'ConfigMap', 'Application'],
  check(object, ctx) {
    const queries = [...ruleQueries(object), ...dashboardQueries(object)];
    if (queries.length === 0) return 'not-applicable';
    const sources = seriesSources(ctx);
    const findings: RuleFinding[] = [];
    for (const q of queries) {
      const refs = refsOf(q.expr);
      if (refs instanceof Error) {
        findings.push({ message: `${q.owner} has an expression that is not PromQL (${refs.message}).`, value: q.expr, fix: 'Correct the expression; promtool check rules shows where it breaks.' });
        continue;
      }
      for (const ref of refs) if (!served(ref, sources)) findings.push(finding(q, ref));
    }
    return findings;
  },
};

/** The metrics of each distinct expression, or why it is not PromQL: the same queries recur in every environment and cluster. */
const refsByExpr = new Map<string, readonly MetricRef[] | Error>();
const MAX_EXPRESSIONS = 16_384;

function refsOf(expr: string): readonly MetricRef[] | Error {
  let refs = refsByExpr.get(expr);
  if (!refs) {
    try {
      refs = metricRefs(expr);
    } catch (e) {
      refs = e as Error;
    }
    if (refsByExpr.size >= MAX_EXPRESSIONS) refsByExpr.delete(refsByExpr.keys().next().value as string);
    refsByExpr.set(expr, refs);
  }
  return refs;
}

function served(ref: MetricRef, sources: SeriesSources): boolean {
  if ('name' in ref) return sources.exported.has(ref.name) || sources.recorded.has(ref.name);
  let byPattern = patternsServed.get(sources);
  if (!byPattern) {
    byPattern = new Map();
    patternsServed.set(sources, byPattern);
  }
  let answer = byPattern.get(ref.pattern);
  if (answer === undefined) {
    const pattern = new RegExp(`^(?:${ref.pattern})$`);
    answer = [...sources.exported.keys(), ...sources.recorded].some((name) => pattern.test(name));
    byPattern.set(ref.pattern, answer);
  }
  return answer;
}

/**
 * Whether some series of an environment's sources matches a `__name__` pattern, per pattern: the
 * same patterns recur in every copy of a rule group, and each is tested against every series name.
 */
const patternsServed = new WeakMap<SeriesSources, Map<string, boolean>>();

function finding(q: Query, ref: MetricRef): RuleFinding {
  if ('pattern' in ref) {
    return {
      message: `${q.owner} queries series named like /${ref.pattern}/, but no exporter this environment scrapes serves such a series and no recording rule records one.`,
      value: ref.pattern,
      fix: 'Correct the __name__ pattern to the series names the exporter serves at its pinned version, or scrape the exporter that serves them.',
    };
  }
  const known = catalogueOf(ref.name);
  if (known) {
    return {
      message: `${q.owner} queries ${ref.name}, which ${known.exporter} ${known.version} serves, but nothing in this environment scrapes ${known.exporter}.`,
      value: ref.name,
      fix: `Scrape ${known.exporter} here (${describeEvidence(known)}), or do not ship this query in this environment.`,
    };
  }
  return {
    message: `${q.owner} queries ${ref.name}, which no exporter in the metric catalogue serves and no recording rule of this environment records.`,
    value: ref.name,
    fix: `Correct the name (a typo, or a metric renamed at the pinned version), add the recording rule that records ${ref.name}, or, for an exporter gitplane has no catalogue of, add one under policies/data/metrics/ or exempt this object with the reason.`,
  };
}

function ruleQueries(object: Parameters<ObjectRule['check']>[0]): Query[] {
  return prometheusRules(object)
    .filter((r) => typeof r.rule.expr === 'string')
    .map((r) => ({ owner: `${r.type === 'alert' ? 'alert' : 'recording rule'} ${r.name} (${r.path})`, expr: r.rule.expr }));
}

/** Datasource types whose queries are not PromQL. */
const NOT_PROMQL = new Set(['loki', 'tempo', 'elasticsearch', 'grafana-testdata-datasource', 'testdata']);

/** PromQL targets of the Grafana dashboards a ConfigMap carries (the JSON values with panels). */
function dashboardQueries(object: Parameters<ObjectRule['check']>[0]): Query[] {
  if (object.manifest.kind !== 'ConfigMap') return [];
  return Object.entries((object.manifest.data ?? {}) as Record<string, string>).flatMap(([key, text]) => {
    if (typeof text !== 'string' || !text.includes('"panels"')) return [];
    const dashboard = parseEmbedded(text) as Json;
    if (!dashboard || !Array.isArray(dashboard.panels)) return [];
    // The parsed text is shared by every copy of the dashboard: its queries are read once.
    let byKey = dashboardTargets.get(dashboard);
    if (!byKey) dashboardTargets.set(dashboard, (byKey = new Map()));
    let queries = byKey.get(key);
    if (!queries) {
      const name = `dashboard ${dashboard.uid ?? key}`;
      queries = panelsOf(dashboard.panels).flatMap((panel: Json) =>
        (Array.isArray(panel.targets) ? panel.targets : [])
          .filter((t: Json) => typeof t?.expr === 'string' && !NOT_PROMQL.has(String((t.datasource ?? panel.datasource)?.type ?? '')))
          .map((t: Json) => ({ owner: `${name} panel ${JSON.stringify(panel.title ?? panel.id)}`, expr: t.expr })),
      );
      byKey.set(key, queries);
    }
    return queries;
  });
}

/** The queries of each parsed dashboard, by the data key it sits under (a dashboard without a uid is named by its key). */
const dashboardTargets = new WeakMap<object, Map<string, readonly Query[]>>();

/** Panels, with those inside collapsed rows. */
function panelsOf(panels: Json[]): Json[] {
  return panels.flatMap((p) => [p, ...(Array.isArray(p?.panels) ? panelsOf(p.panels) : [])]);
}
