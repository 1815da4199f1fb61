import { AlertSet, SeriesInput } from './types';

const API = 'service="api",span_kind="SPAN_KIND_SERVER"';
/** api answers `ok` and `errors` requests a minute; `slow` of them take between one and five seconds. */
const spans = (ok: number, errors: number, slow = 0): SeriesInput[] => [
  { series: `traces_spanmetrics_calls_total{${API},status_code="STATUS_CODE_OK"}`, values: `0+${ok}x40` },
  { series: `traces_spanmetrics_calls_total{${API},status_code="STATUS_CODE_ERROR"}`, values: `0+${errors}x40` },
  { series: `traces_spanmetrics_latency_bucket{${API},le="1"}`, values: `0+${ok + errors - slow}x40` },
  { series: `traces_spanmetrics_latency_bucket{${API},le="5"}`, values: `0+${ok + errors}x40` },
  { series: `traces_spanmetrics_latency_bucket{${API},le="+Inf"}`, values: `0+${ok + errors}x40` },
];

/**
 * The services' golden signals as Tempo's span metrics record them, read from the level-2
 * recorded series the on-call dashboard shows, with the same red thresholds.
 */
export function serviceAlerts(): AlertSet {
  return {
    name: 'gitplane-services',
    component: 'observability',
    alerts: [
      {
        name: 'ServiceErrorRatioHigh',
        expr: 'service:traces_spanmetrics_server_errors:ratio_rate5m > 0.05',
        for: '10m',
        severity: 'warning',
        summary: 'Service {{ $labels.service }} fails more than 5% of its requests.',
        description: 'More than 5% of the requests {{ $labels.service }} served in the last 10 minutes ended in an error span.',
        runbook: {
          tldr: 'A service answers with errors. Open its error traces to see where they start; roll back its last change if it started after a deploy.',
          mitigation: [
            'On the on-call dashboard, follow "Error traces of <service> (Tempo)" from the service\'s error-ratio series, and open a failing trace.',
            'If the errors started with a sync, roll the service back in Argo CD (History and Rollback) or revert the commit.',
            'If the errors come from a dependency (the failing span belongs to another service), hand over to that service\'s owners.',
          ],
          impact: 'Callers of the service see failures; user-facing requests may fail.',
          diagnosis: {
            queries: ['service:traces_spanmetrics_server_errors:ratio_rate5m{service="<service>"}', 'service:traces_spanmetrics_server_calls:rate5m{service="<service>"}'],
            steps: ['In Tempo: {resource.service.name="<service>" && status=error}.'],
          },
          escalation: 'Hand over to the team owning the service; page them if it is user-facing and the ratio stays above 5%.',
        },
        test: {
          series: spans(45, 15),
          firesAt: '25m',
          labels: { service: 'api' },
          quiet: { series: spans(59, 1), at: '25m' },
        },
      },
      {
        name: 'ServiceLatencyHigh',
        expr: 'service:traces_spanmetrics_server_latency_seconds:p99_rate5m > 1',
        for: '15m',
        severity: 'warning',
        summary: 'Service {{ $labels.service }} takes over a second for 1% of its requests.',
        description: 'The 99th percentile of the server spans of {{ $labels.service }} has been above one second for 15 minutes.',
        runbook: {
          tldr: 'A service is slow. Find the slow span in its traces: its own work, a dependency, or CPU throttling.',
          mitigation: [
            'Open slow traces in Tempo: {resource.service.name="<service>" && duration > 1s}, and read which span takes the time.',
            'On the on-call dashboard, check whether the service\'s workload or node is CPU-saturated; scale it out or move it.',
          ],
          impact: 'Requests are slow; callers with timeouts fail.',
          diagnosis: { queries: ['service:traces_spanmetrics_server_latency_seconds:p99_rate5m{service="<service>"}', 'namespace_workload:container_cpu_usage_seconds:rate5m'] },
          escalation: 'Hand over to the team owning the service; call the platform team if nodes are saturated.',
        },
        test: {
          series: spans(50, 10, 6),
          firesAt: '30m',
          labels: { service: 'api' },
          quiet: { series: spans(50, 10), at: '30m' },
        },
      },
    ],
  };
}
