/**
 * The Grafana links a runbook gives the person paged: the dashboard panel that shows what the
 * alert measures, and Explore opened on the logs (Loki) and traces (Tempo) of where it fires,
 * filtered to the environment, cluster and namespace the alert names.
 *
 * @see https://grafana.com/docs/grafana/latest/explore/get-started-with-explore/#share-explore-urls
 */
import { metricRefs, pinnedLabels, RunbookLinks } from '../alerts';
import { DashboardSpec, DATASOURCE_UIDS, dashboardJson } from './dashboard-model';

export interface RunbookLinkProps {
  /** Grafana's external URL, e.g. `https://grafana.example.com`. */
  readonly grafanaUrl: string;
  /** The environment, as telemetry's `deployment.environment.name` carries it. */
  readonly environment: string;
  /**
   * The cluster, as telemetry's `k8s.cluster.name` carries it.
   * @default - no cluster filter (a fleet, whose sites share one runbook)
   */
  readonly cluster?: string;
  /** The dashboards the environment ships, searched in order for the alert's panel. */
  readonly dashboards: readonly DashboardSpec[];
}

/** What the links filter on: OpenTelemetry resource attributes, as Loki labels and as TraceQL. */
const ATTRIBUTES = { environment: 'deployment.environment.name', cluster: 'k8s.cluster.name', namespace: 'k8s.namespace.name' } as const;
const RANGE = { from: 'now-1h', to: 'now' };

/**
 * Links for an alert: the panel that queries most of the alert's metrics (none when no panel
 * shares one), and Explore on the error logs and failed spans of the namespace the alert's
 * expression pins, if any.
 */
export function runbookLinks(props: RunbookLinkProps, alert: { readonly expr: string }): RunbookLinks {
  const base = props.grafanaUrl.replace(/\/+$/, '');
  const filters: [keyof typeof ATTRIBUTES, string][] = [['environment', props.environment]];
  if (props.cluster) filters.push(['cluster', props.cluster]);
  const namespace = pinnedLabels(alert.expr).get('namespace');
  if (namespace) filters.push(['namespace', namespace]);
  const quote = (v: string) => JSON.stringify(v);
  const stream = filters.map(([k, v]) => `${ATTRIBUTES[k].replace(/\./g, '_')}=${quote(v)}`).join(', ');
  const spans = filters.map(([k, v]) => `resource.${ATTRIBUTES[k]}=${quote(v)}`).join(' && ');
  const panel = panelFor(props.dashboards, alert.expr);
  const vars = filters.filter(([k]) => k !== 'namespace').map(([k, v]) => `&var-${k}=${encodeURIComponent(v)}`).join('');
  return {
    filters: filters.map(([k, v]) => `${k} ${v}`).join(', '),
    ...(panel ? { dashboard: { title: `${panel.dashboard} / ${panel.title}`, url: `${base}/d/${panel.uid}?viewPanel=${panel.id}&from=${RANGE.from}&to=${RANGE.to}${vars}` } } : {}),
    logs: explore(base, 'loki', { expr: `{${stream}} | detected_level=~"error|fatal|critical"`, queryType: 'range' }),
    traces: explore(base, 'tempo', { query: `{${spans} && status=error}`, queryType: 'traceql' }),
  };
}

/** An Explore URL with one pane on a datasource and one query. */
function explore(base: string, kind: 'loki' | 'tempo', query: Record<string, string>): string {
  const datasource = { type: kind, uid: DATASOURCE_UIDS[kind] };
  const panes = { a: { datasource: datasource.uid, queries: [{ refId: 'A', datasource, ...query }], range: RANGE } };
  return `${base}/explore?schemaVersion=1&orgId=1&panes=${markdownSafe(encodeURIComponent(JSON.stringify(panes)))}`;
}

/** encodeURIComponent leaves `(`, `)`, `'`, `!` and `*`; Markdown link targets end at `)`. */
function markdownSafe(encoded: string): string {
  return encoded.replace(/[()'!*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

interface PanelRef {
  readonly uid: string;
  readonly dashboard: string;
  readonly id: number;
  readonly title: string;
}

/** The Prometheus panel sharing most metrics with the expression; the first of equals, in dashboard order. */
function panelFor(dashboards: readonly DashboardSpec[], expr: string): PanelRef | undefined {
  const wanted = new Set(metricNames(expr));
  let best: { ref: PanelRef; shared: number } | undefined;
  for (const { ref, names } of prometheusPanels(dashboards)) {
    const shared = [...wanted].filter((m) => names.has(m)).length;
    if (shared > (best?.shared ?? 0)) best = { ref, shared };
  }
  return best?.ref;
}

/** The metric names an expression reads. */
function metricNames(expr: string): string[] {
  return metricRefs(expr).flatMap((r) => ('name' in r ? [r.name] : []));
}

/** Each dashboard list's Prometheus panels with the metric names they query, in dashboard order. */
const panelsOf = new WeakMap<readonly DashboardSpec[], { ref: PanelRef; names: Set<string> }[]>();

/** The Prometheus panels of `dashboards`, read once for all the alerts of an environment (which search the same list). */
function prometheusPanels(dashboards: readonly DashboardSpec[]): { ref: PanelRef; names: Set<string> }[] {
  let panels = panelsOf.get(dashboards);
  if (panels === undefined) {
    panels = [];
    for (const spec of dashboards) {
      for (const panel of dashboardJson(spec).panels as { id: number; title: string; datasource?: { type: string }; targets?: { expr: string }[] }[]) {
        if (panel.datasource?.type !== 'prometheus') continue;
        panels.push({ ref: { uid: spec.uid, dashboard: spec.title, id: panel.id, title: panel.title }, names: new Set((panel.targets ?? []).flatMap((t) => metricNames(t.expr))) });
      }
    }
    panelsOf.set(dashboards, panels);
  }
  return panels;
}
