/**
 * The dashboards gitplane ships: one on-call screen, and one per platform component. Each is a
 * few rows of panels; dashboard-model.ts turns them into Grafana JSON.
 */
import { DashboardSpec, PanelSpec } from './dashboard-model';

const rate = (selector: string) => `rate(${selector}[$__rate_interval])`;
const SERVER_SPANS = 'traces_spanmetrics_calls_total{span_kind="SPAN_KIND_SERVER"}';
const SERVER_ERRORS = 'traces_spanmetrics_calls_total{span_kind="SPAN_KIND_SERVER", status_code="STATUS_CODE_ERROR"}';
const latency = (q: number) => `histogram_quantile(${q}, sum by (le, service) (${rate('traces_spanmetrics_latency_bucket{span_kind="SPAN_KIND_SERVER"}')}))`;
/** A count that shows 0 instead of "No data" when nothing matches. */
const countOrZero = (expr: string) => `count(${expr}) or vector(0)`;
const stat = (title: string, expr: string, redAt: number, unit = 'short'): PanelSpec => ({ title, kind: 'stat', queries: [{ expr }], redAt, unit });
const graph = (title: string, unit: string, ...queries: [string, string][]): PanelSpec => ({
  title,
  kind: 'timeseries',
  unit,
  queries: queries.map(([expr, legend]) => ({ expr, legend })),
});

/**
 * One screen for the person on call: is anything broken (top), how are the services doing
 * (requests, latency, errors from Tempo's span metrics), are the nodes short of anything, and
 * what do the error logs say.
 */
export const ON_CALL_DASHBOARD: DashboardSpec = {
  uid: 'gitplane-on-call',
  title: 'On call',
  tags: ['gitplane', 'on-call'],
  refresh: '30s',
  rows: [
    {
      title: 'Health',
      height: 4,
      panels: [
        stat('Critical alerts firing', countOrZero('ALERTS{alertstate="firing", severity="critical"}'), 1),
        stat('Nodes not ready', countOrZero('kube_node_status_condition{condition="Ready", status="true"} == 0'), 1),
        stat('Pods not running', `sum(kube_pod_status_phase{phase=~"Pending|Failed|Unknown"}) or vector(0)`, 1),
        stat('Scrape targets down', countOrZero('up == 0'), 1),
        stat('Telemetry export failures/s', `sum(${rate('{__name__=~"otelcol_exporter_send_failed_.+"}')}) or vector(0)`, 0.01),
        stat('Server error ratio', `sum(${rate(SERVER_ERRORS)}) / sum(${rate(SERVER_SPANS)})`, 0.05, 'percentunit'),
      ],
    },
    {
      title: 'Requests, latency, errors',
      panels: [
        graph('Requests per second', 'reqps', [`sum by (service) (${rate(SERVER_SPANS)})`, '{{service}}']),
        graph('Latency p95 / p99', 's', [latency(0.95), 'p95 {{service}}'], [latency(0.99), 'p99 {{service}}']),
        graph('Error ratio', 'percentunit', [`sum by (service) (${rate(SERVER_ERRORS)}) / sum by (service) (${rate(SERVER_SPANS)})`, '{{service}}']),
      ],
    },
    {
      title: 'Nodes',
      panels: [
        graph('CPU busy', 'percentunit', [`1 - avg by (instance) (${rate('node_cpu_seconds_total{mode="idle"}')})`, '{{instance}}']),
        graph('Memory used', 'percentunit', ['1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', '{{instance}}']),
        graph('Fullest filesystem', 'percentunit', [
          'max by (instance) (1 - node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs"})',
          '{{instance}}',
        ]),
      ],
    },
    {
      title: 'Error logs',
      height: 10,
      panels: [{ title: 'Errors across services', kind: 'logs', queries: [{ expr: '{service_name=~".+"} | detected_level=~"error|fatal|critical"' }] }],
    },
  ],
};

/** One dashboard per platform component, keyed by the component it watches. */
export const COMPONENT_DASHBOARDS = {
  loki: {
    uid: 'gitplane-loki',
    title: 'Loki',
    tags: ['gitplane', 'loki'],
    rows: [
      {
        panels: [
          graph('Lines received/s', 'short', [`sum(${rate('loki_distributor_lines_received_total')})`, 'lines']),
          graph('Bytes received/s', 'Bps', [`sum(${rate('loki_distributor_bytes_received_total')})`, 'bytes']),
          graph('Discarded lines/s by reason', 'short', [`sum by (reason) (${rate('loki_discarded_samples_total')})`, '{{reason}}']),
        ],
      },
      {
        panels: [
          graph('Request latency p99 by route', 's', [`histogram_quantile(0.99, sum by (le, route) (${rate('loki_request_duration_seconds_bucket')}))`, '{{route}}']),
          graph('Streams in memory', 'short', ['sum(loki_ingester_memory_streams)', 'streams']),
          graph('Since last retention run', 's', ['time() - max(loki_compactor_apply_retention_last_successful_run_timestamp_seconds)', 'age']),
        ],
      },
    ],
  },
  tempo: {
    uid: 'gitplane-tempo',
    title: 'Tempo',
    tags: ['gitplane', 'tempo'],
    rows: [
      {
        panels: [
          graph('Spans received/s', 'short', [`sum(${rate('tempo_distributor_spans_received_total')})`, 'spans']),
          graph('Discarded spans/s by reason', 'short', [`sum by (reason) (${rate('tempo_discarded_spans_total')})`, '{{reason}}']),
          graph('Live traces', 'short', ['sum(tempo_ingester_live_traces)', 'traces']),
        ],
      },
      {
        panels: [
          graph('Request latency p99 by route', 's', [`histogram_quantile(0.99, sum by (le, route) (${rate('tempo_request_duration_seconds_bucket')}))`, '{{route}}']),
          graph('Compaction errors (1h)', 'short', ['sum(increase(tempodb_compaction_errors_total[1h]))', 'errors']),
          graph('Metrics generator active series', 'short', ['sum(tempo_metrics_generator_registry_active_series)', 'series']),
        ],
      },
    ],
  },
  'otel-collector': {
    uid: 'gitplane-otel-collector',
    title: 'OpenTelemetry Collector',
    tags: ['gitplane', 'otel-collector'],
    rows: [
      {
        title: 'Received',
        panels: (['spans', 'log_records', 'metric_points'] as const).map((signal) =>
          graph(`Accepted ${signal.replace('_', ' ')}/s`, 'short', [`sum by (job) (${rate(`otelcol_receiver_accepted_${signal}_total`)})`, 'accepted {{job}}'], [`sum by (job) (${rate(`otelcol_receiver_refused_${signal}_total`)})`, 'refused {{job}}']),
        ),
      },
      {
        title: 'Exported',
        panels: [
          graph('Export failures/s', 'short', [`sum by (job, exporter) (${rate('{__name__=~"otelcol_exporter_send_failed_.+"}')})`, '{{job}} {{exporter}}']),
          graph('Exporter queue fill', 'percentunit', ['max by (job, exporter) (otelcol_exporter_queue_size / otelcol_exporter_queue_capacity)', '{{job}} {{exporter}}']),
          graph('Memory (RSS)', 'bytes', ['sum by (pod) (otelcol_process_memory_rss_bytes)', '{{pod}}']),
        ],
      },
    ],
  },
  nats: {
    uid: 'gitplane-nats',
    title: 'NATS JetStream',
    tags: ['gitplane', 'nats'],
    rows: [
      {
        panels: [
          graph('Connections', 'short', ['sum by (server_id) (gnatsd_varz_connections)', '{{server_id}}']),
          graph('Messages/s', 'short', [`sum(${rate('gnatsd_varz_in_msgs')})`, 'in'], [`sum(${rate('gnatsd_varz_out_msgs')})`, 'out']),
          graph('Slow consumers', 'short', ['sum by (server_id) (gnatsd_varz_slow_consumers)', '{{server_id}}']),
        ],
      },
      {
        panels: [
          graph('JetStream storage used', 'bytes', ['sum by (server_id) (gnatsd_varz_jetstream_stats_storage)', '{{server_id}}']),
          graph('Server memory', 'bytes', ['sum by (server_id) (gnatsd_varz_mem)', '{{server_id}}']),
        ],
      },
    ],
  },
  longhorn: {
    uid: 'gitplane-longhorn',
    title: 'Longhorn',
    tags: ['gitplane', 'longhorn'],
    rows: [
      {
        height: 4,
        panels: [
          // longhorn_volume_robustness: one series per state, 1 for the volume's current one.
          stat('Volumes degraded', countOrZero('longhorn_volume_robustness{state="degraded"} == 1'), 1),
          stat('Volumes faulted', countOrZero('longhorn_volume_robustness{state="faulted"} == 1'), 1),
          stat('Nodes not ready', countOrZero('longhorn_node_status{condition="ready"} == 0'), 1),
        ],
      },
      {
        panels: [
          graph('Node storage used', 'percentunit', ['longhorn_node_storage_usage_bytes / longhorn_node_storage_capacity_bytes', '{{node}}']),
          graph('Volume size', 'bytes', ['longhorn_volume_actual_size_bytes', '{{volume}}']),
        ],
      },
    ],
  },
} satisfies Record<string, DashboardSpec>;

export type DashboardComponent = keyof typeof COMPONENT_DASHBOARDS;
