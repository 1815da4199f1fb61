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
  /** Stat panels turn red at or above this value. @default - no threshold colouring */
  readonly redAt?: number;
  readonly description?: string;
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
    row.panels.forEach((p, i) => panels.push(panelJson(p, id++, { x: i * w, y, w, h })));
    y += h;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    tags: [...spec.tags],
    editable: false,
    graphTooltip: 1,
    refresh: spec.refresh ?? '1m',
    schemaVersion: 39,
    time: { from: 'now-3h', to: 'now' },
    timezone: 'browser',
    templating: { list: [] },
    annotations: { list: [] },
    panels,
  };
}

function panelJson(p: PanelSpec, id: number, gridPos: { x: number; y: number; w: number; h: number }): Record<string, unknown> {
  const kind = p.datasource ?? (p.kind === 'logs' ? 'loki' : 'prometheus');
  const datasource = { type: kind, uid: DATASOURCE_UIDS[kind] };
  const targets = p.queries.map((q, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource,
    expr: q.expr,
    ...(q.legend ? { legendFormat: q.legend } : {}),
    ...(p.kind === 'timeseries' && kind === 'prometheus' ? { exemplar: true } : {}),
  }));
  const base = { id, type: p.kind, title: p.title, ...(p.description ? { description: p.description } : {}), gridPos, datasource, targets };
  if (p.kind === 'logs') {
    return { ...base, options: { showTime: true, wrapLogMessage: true, sortOrder: 'Descending', enableLogDetails: true } };
  }
  const steps = [{ color: 'green', value: null }, ...(p.redAt !== undefined ? [{ color: 'red', value: p.redAt }] : [])];
  return {
    ...base,
    fieldConfig: { defaults: { unit: p.unit ?? 'short', thresholds: { mode: 'absolute', steps } }, overrides: [] },
    options:
      p.kind === 'stat'
        ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: p.redAt !== undefined ? 'background' : 'value', graphMode: 'area' }
        : { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi', sort: 'desc' } },
  };
}
