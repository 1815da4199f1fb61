/**
 * The dashboards gitplane ships: one on-call screen, and one per platform component. Each is a
 * few rows of panels; dashboard-model.ts turns them into Grafana JSON.
 */
import { DashboardSpec, exploreUrl, PanelSpec } from './dashboard-model';

const rate = (selector: string) => `rate(${selector}[$__rate_interval])`;
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
 * The on-call dashboard's variables as label matchers: where (environment, cluster), and which
 * services. A site's own Prometheus adds environment and cluster only to what it sends out, so
 * its series lack them: the empty alternative keeps those when a notification's link names its
 * environment and cluster, while a store of several clusters is filtered by them.
 */
const WHERE = 'environment=~"$environment|", cluster=~"$cluster|"';
const SERVICES = `{${WHERE}, service=~"$service"}`;
const ERROR_LOGS = '{service_name=~".+", service_name=~"${service:regex}"} | detected_level=~"error|fatal|critical"';
const count = (title: string, expr: string, yellowAt: number, redAt: number): PanelSpec => ({ ...stat(title, countOrZero(expr), redAt), yellowAt });
const traces = (service: string) => exploreUrl('tempo', { queryType: 'traceql', query: `{resource.service.name=~"${service}" && status=error}` });
const logs = (stream: string) => exploreUrl('loki', { expr: `${stream} | detected_level=~"error|fatal|critical"` });
/** Links from a service's series to its failing traces and its error logs. */
const SERVICE_LINKS = [
  { title: 'Error traces of ${__field.labels.service} (Tempo)', url: traces('${__field.labels.service}') },
  { title: 'Error logs of ${__field.labels.service} (Loki)', url: logs('{service_name="${__field.labels.service}"}') },
];

/**
 * One screen for the person on call, the last hour: is anything broken (top), how are the
 * services doing (requests, latency, errors), are nodes or workloads short of anything, and what
 * do the error logs say. Every graph reads recorded series (recordingRuleSets) and shows where
 * yellow (look) and red (act) begin; the alert thresholds are the red ones where an alert exists.
 * 30 grid rows high, so it fits a 1080p screen (see docs/observability.md).
 */
export const ON_CALL_DASHBOARD: DashboardSpec = {
  uid: 'gitplane-on-call',
  title: 'On call',
  tags: ['gitplane', 'on-call'],
  refresh: '30s',
  from: 'now-1h',
  minInterval: '30s',
  variables: [
    { name: 'environment', label: 'Environment', series: 'up' },
    { name: 'cluster', label: 'Cluster', series: 'up{environment=~"$environment|"}' },
    { name: 'service', label: 'Service', series: `service:traces_spanmetrics_server_calls:rate5m{${WHERE}}` },
  ],
  links: [
    { title: 'Error logs (Loki)', url: exploreUrl('loki', { expr: ERROR_LOGS }) },
    { title: 'Error traces (Tempo)', url: traces('${service:regex}') },
  ],
  rows: [
    {
      title: 'Health',
      height: 4,
      panels: [
        count('Critical alerts firing', `ALERTS{alertstate="firing", severity="critical", ${WHERE}}`, 1, 3),
        count('Nodes not ready', `kube_node_status_condition{condition="Ready", status="true", ${WHERE}} == 0`, 1, 2),
        { ...stat('Pods not running', `sum(kube_pod_status_phase{phase=~"Pending|Failed|Unknown", ${WHERE}}) or vector(0)`, 5), yellowAt: 1 },
        count('Scrape targets down', `up{${WHERE}} == 0`, 1, 5),
        { ...stat('Telemetry export failures/s', `sum(${rate(`{__name__=~"otelcol_exporter_send_failed_.+", ${WHERE}}`)}) or vector(0)`, 1), yellowAt: 0.01 },
        { ...stat('Server error ratio', `sum(service:traces_spanmetrics_server_errors:rate5m${SERVICES}) / sum(service:traces_spanmetrics_server_calls:rate5m${SERVICES})`, 0.05, 'percentunit'), yellowAt: 0.01 },
      ],
    },
    {
      title: 'Services: requests, latency, errors',
      height: 7,
      panels: [
        // Low is bad here: a service that stops getting requests is cut off from its callers.
        { ...graph('Requests per second', 'reqps', [`service:traces_spanmetrics_server_calls:rate5m${SERVICES}`, '{{service}}']), yellowAt: 0.1, redAt: 0.01, links: SERVICE_LINKS },
        {
          ...graph('Latency p95 / p99', 's', [`service:traces_spanmetrics_server_latency_seconds:p95_rate5m${SERVICES}`, 'p95 {{service}}'], [`service:traces_spanmetrics_server_latency_seconds:p99_rate5m${SERVICES}`, 'p99 {{service}}']),
          yellowAt: 0.5,
          redAt: 1,
          links: SERVICE_LINKS,
        },
        { ...graph('Error ratio', 'percentunit', [`service:traces_spanmetrics_server_errors:ratio_rate5m${SERVICES}`, '{{service}}']), yellowAt: 0.01, redAt: 0.05, links: SERVICE_LINKS },
      ],
    },
    {
      title: 'Nodes and workloads',
      height: 7,
      panels: [
        // NodeHighCpu and NodeMemoryHigh fire at 90%.
        { ...graph('Node CPU busy', 'percentunit', [`instance:node_cpu_utilisation:rate5m{${WHERE}}`, '{{node}}']), yellowAt: 0.75, redAt: 0.9 },
        { ...graph('Node memory used', 'percentunit', [`instance:node_memory_utilisation:ratio{${WHERE}}`, '{{node}}']), yellowAt: 0.75, redAt: 0.9 },
        // NodeFilesystemFillingUp watches from 75% full, NodeFilesystemAlmostFull fires at 90%.
        { ...graph('Fullest filesystem', 'percentunit', [`instance:node_filesystem_utilisation:max_ratio{${WHERE}}`, '{{node}}']), yellowAt: 0.75, redAt: 0.9 },
        // In cores: a Raspberry Pi 4 or 5 has four.
        { ...graph('Top workloads by CPU', 'short', [`topk(8, namespace_workload:container_cpu_usage_seconds:rate5m{${WHERE}})`, '{{namespace}}/{{workload}}']), yellowAt: 1, redAt: 2 },
      ],
    },
    {
      title: 'Error logs',
      height: 8,
      panels: [{ title: 'Errors across services', kind: 'logs', queries: [{ expr: ERROR_LOGS }], links: [{ title: 'Open in Explore (Loki)', url: exploreUrl('loki', { expr: ERROR_LOGS }) }] }],
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
          // longhorn_volume_robustness: 1 healthy, 2 degraded, 3 faulted.
          stat('Volumes degraded', countOrZero('longhorn_volume_robustness == 2'), 1),
          stat('Volumes faulted', countOrZero('longhorn_volume_robustness == 3'), 1),
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
