/**
 * Grafana dashboards as data: rows of panels, each a title, a kind, a unit and its queries. The
 * JSON model (grid positions, ids, datasource references) is derived, so a dashboard is a short
 * list rather than a page of hand-written JSON.
 *
 * @see https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/
 */

/** The fixed datasource UIDs; links between signals resolve through them. */
export const DATASOURCE_UIDS = { prometheus: 'prometheus', loki: 'loki', tempo: 'tempo' } as const;
export type DatasourceKind = keyof typeof DATASOURCE_UIDS;

export interface Query {
  readonly expr: string;
  /** Legend, e.g. `{{service_name}}`. @default - the series labels */
  readonly legend?: string;
}

export interface PanelSpec {
  readonly title: string;
  readonly kind: 'stat' | 'timeseries' | 'logs';
  readonly queries: readonly Query[];
  /** @default 'prometheus' ('loki' for logs panels) */
  readonly datasource?: DatasourceKind;
  /** Grafana unit id, e.g. `percentunit`, `s`, `reqps`, `bytes`. @default 'short' */
  readonly unit?: string;
  /**
   * The panel turns yellow at or above this value (stat background, graph threshold line); when
   * it is above `redAt`, low values are the bad ones: red below `redAt`, yellow below `yellowAt`.
   * @default - no yellow step
   */
  readonly yellowAt?: number;
  /** The panel turns red at or above this value (below it, when `yellowAt` is higher). @default - no red step */
  readonly redAt?: number;
  readonly description?: string;
  /**
   * Links offered on the panel's series (graphs and stats) or in its header (logs), such as an
   * Explore view of the series' traces; the URL may use Grafana's `${__field.labels.x}`.
   * @default - none
   */
  readonly links?: readonly Link[];
}

export interface Link {
  readonly title: string;
  readonly url: string;
}

/** A template variable whose values are a label's values on a Prometheus series. */
export interface VariableSpec {
  /** Variable name, used in queries as `$name`. */
  readonly name: string;
  readonly label: string;
  /** `label_values(<series>, <name>)`: the series whose label lists the values. */
  readonly series: string;
}

export interface RowSpec {
  /** Row header. @default - no header */
  readonly title?: string;
  /** Height in grid units. @default 8 */
  readonly height?: number;
  /** Panels share the 24-column width equally. */
  readonly panels: readonly PanelSpec[];
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly rows: readonly RowSpec[];
  /** @default '1m' */
  readonly refresh?: string;
  /** Start of the default time range, relative to now. @default 'now-1h' */
  readonly from?: string;
  /**
   * Minimum step of every Prometheus query (the panels' min interval), so `$__rate_interval` never
   * falls below what the scrape interval supports. @default '30s'
   */
  readonly minInterval?: string;
  /**
   * Template variables, each multi-valued with "All" (matching any value, and a missing label) selected.
   * @default - none
   */
  readonly variables?: readonly VariableSpec[];
  /** Links in the dashboard's header, such as Explore views of logs and traces. @default - none */
  readonly links?: readonly Link[];
}

/** The URL of Grafana's Explore with one query against one datasource, over the dashboard's time range. */
export function exploreUrl(kind: DatasourceKind, query: Record<string, unknown>): string {
  const pane = { datasource: DATASOURCE_UIDS[kind], queries: [{ refId: 'A', datasource: { type: kind, uid: DATASOURCE_UIDS[kind] }, ...query }], range: { from: '${__from}', to: '${__to}' } };
  // Grafana interpolates ${...} before the browser decodes the URL, so variables stay unencoded.
  return `/explore?schemaVersion=1&orgId=1&panes=${encodeURIComponent(JSON.stringify({ a: pane })).replace(/%24%7B(.*?)%7D/g, (_, v: string) => `\${${decodeURIComponent(v)}}`)}`;
}

const GRID_WIDTH = 24;

/** The dashboard's JSON model. Deterministic: ids and positions follow the order of the spec. */
export function dashboardJson(spec: DashboardSpec): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    if (row.panels.length === 0 || GRID_WIDTH % row.panels.length !== 0) {
      throw new Error(`dashboard ${spec.uid}: a row needs 1, 2, 3, 4, 6, 8 or 12 panels to fill the width (got ${row.panels.length}).`);
    }
    if (row.title) {
      panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { x: 0, y, w: GRID_WIDTH, h: 1 }, panels: [] });
      y += 1;
    }
    const w = GRID_WIDTH / row.panels.length;
    const h = row.height ?? 8;
    row.panels.forEach((p, i) => panels.push(panelJson(p, id++, { x: i * w, y, w, h }, spec.minInterval ?? '30s')));
    y += h;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    tags: [...spec.tags],
    editable: false,
    graphTooltip: 1,
    refresh: spec.refresh ?? '1m',
    // The dashboard schema version of Grafana 13 (@grafana/schema's default), so Grafana migrates nothing.
    schemaVersion: 42,
    time: { from: spec.from ?? 'now-1h', to: 'now' },
    timezone: 'browser',
    templating: { list: (spec.variables ?? []).map(variableJson) },
    annotations: { list: [] },
    links: (spec.links ?? []).map(linkJson),
    panels,
  };
}

/** Grafana's threshold steps: a base colour, then each colour from the value on. */
function thresholdSteps(p: PanelSpec): { color: string; value: number | null }[] {
  const { yellowAt, redAt } = p;
  if (yellowAt !== undefined && redAt !== undefined && yellowAt > redAt) {
    return [{ color: 'red', value: null }, { color: 'yellow', value: redAt }, { color: 'green', value: yellowAt }];
  }
  return [
    { color: 'green', value: null },
    ...(yellowAt !== undefined ? [{ color: 'yellow', value: yellowAt }] : []),
    ...(redAt !== undefined ? [{ color: 'red', value: redAt }] : []),
  ];
}

/** A link in a dashboard's or panel's header, carrying the variables and the time range along. */
function linkJson(l: Link): Record<string, unknown> {
  return { type: 'link', title: l.title, url: l.url, icon: 'external link', tooltip: '', includeVars: true, keepTime: true, targetBlank: true, asDropdown: false, tags: [] };
}

function variableJson(v: VariableSpec): Record<string, unknown> {
  const query = `label_values(${v.series}, ${v.name})`;
  return {
    type: 'query',
    name: v.name,
    label: v.label,
    datasource: { type: 'prometheus', uid: DATASOURCE_UIDS.prometheus },
    query: { qryType: 1, query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    refresh: 2,
    multi: true,
    includeAll: true,
    // All matches every value and a series without the label (a single cluster's own Prometheus).
    allValue: '.*',
    current: { text: ['All'], value: ['$__all'] },
    sort: 1,
    options: [],
    hide: 0,
  };
}

function panelJson(p: PanelSpec, id: number, gridPos: { x: number; y: number; w: number; h: number }, minInterval: string): Record<string, unknown> {
  const kind = p.datasource ?? (p.kind === 'logs' ? 'loki' : 'prometheus');
  const datasource = { type: kind, uid: DATASOURCE_UIDS[kind] };
  const targets = p.queries.map((q, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource,
    expr: q.expr,
    ...(q.legend ? { legendFormat: q.legend } : {}),
    ...(p.kind === 'timeseries' && kind === 'prometheus' ? { exemplar: true } : {}),
  }));
  const base = {
    id,
    type: p.kind,
    title: p.title,
    ...(p.description ? { description: p.description } : {}),
    gridPos,
    datasource,
    ...(kind === 'prometheus' ? { interval: minInterval } : {}),
    targets,
  };
  if (p.kind === 'logs') {
    return {
      ...base,
      links: (p.links ?? []).map(linkJson),
      options: { showTime: true, wrapLogMessage: true, sortOrder: 'Descending', enableLogDetails: true, dedupStrategy: 'none', prettifyLogMessage: false, showCommonLabels: false, showLabels: false, showLogContextToggle: true },
    };
  }
  const steps = thresholdSteps(p);
  const thresholds = steps.length > 1;
  return {
    ...base,
    fieldConfig: {
      defaults: {
        unit: p.unit ?? 'short',
        thresholds: { mode: 'absolute', steps },
        // Data links: offered on each series, with its labels.
        links: (p.links ?? []).map((l) => ({ title: l.title, url: l.url, targetBlank: true })),
        // Graphs draw their thresholds as lines, so a glance tells normal from alarming.
        ...(p.kind === 'timeseries' && thresholds ? { color: { mode: 'palette-classic' }, custom: { thresholdsStyle: { mode: 'line' } } } : {}),
      },
      overrides: [],
    },
    options:
      p.kind === 'stat'
        ? {
            reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
            orientation: 'auto',
            textMode: 'auto',
            wideLayout: true,
            colorMode: thresholds ? 'background' : 'value',
            graphMode: 'area',
            justifyMode: 'auto',
            showPercentChange: false,
            percentChangeColorMode: 'standard',
          }
        : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] }, tooltip: { mode: 'multi', sort: 'desc' } },
  };
}
