import { AlertSet, BuiltinAlert } from './types';

/**
 * The OpenTelemetry Collector's own telemetry (`otelcol_*`). Counters carry `_total` when the
 * collector exports through the Prometheus SDK exporter and not in older builds; the selectors
 * accept both.
 *
 * @see https://opentelemetry.io/docs/collector/internal-telemetry/#lists-of-internal-metrics
 */
const SIGNALS = [
  { key: 'Spans', metric: 'spans', what: 'spans' },
  { key: 'MetricPoints', metric: 'metric_points', what: 'metric points' },
  { key: 'LogRecords', metric: 'log_records', what: 'log records' },
] as const;

const COLLECTOR = 'job="otel-gateway",service_instance_id="gw-0"';
const collector = { job: 'otel-gateway', service_instance_id: 'gw-0' };
const counter = (name: string) => `{__name__=~"${name}(_total)?"}`;

function refused(signal: (typeof SIGNALS)[number]): BuiltinAlert {
  return {
    name: `OtelCollectorRefused${signal.key}`,
    expr: `sum by (job, service_instance_id, receiver) (rate(${counter(`otelcol_receiver_refused_${signal.metric}`)}[5m])) > 0`,
    for: '10m',
    severity: 'warning',
    summary: `Collector {{ $labels.job }} refuses ${signal.what} on receiver {{ $labels.receiver }}.`,
    description: `Receiver {{ $labels.receiver }} of collector {{ $labels.job }} ({{ $labels.service_instance_id }}) has been refusing ${signal.what} for 10 minutes; senders get errors and may drop data. The memory limiter refusing is the usual cause.`,
    runbook: {
      tldr: `The collector is rejecting incoming ${signal.what}, usually because the memory limiter is engaged. Give it memory or replicas.`,
      mitigation: [
        'kubectl -n monitoring top pods | grep otel: a pod at its memory limit confirms the memory limiter.',
        'Raise the gateway replicas (components.observability.collector.gatewayReplicas) or its memory limit, then sync.',
        'Check that the exporters drain (OtelCollectorExporterQueueFull): a blocked backend backs everything up.',
      ],
      impact: `Applications lose ${signal.what} or retry and slow down.`,
      diagnosis: { queries: [`sum by (job, receiver) (rate(${counter(`otelcol_receiver_refused_${signal.metric}`)}[5m]))`, 'otelcol_process_memory_rss_bytes'] },
      escalation: 'Call the platform team if refusals continue after scaling.',
    },
    test: {
      series: [{ series: `otelcol_receiver_refused_${signal.metric}_total{${COLLECTOR},receiver="otlp"}`, values: '0+10x30' }],
      firesAt: '20m',
      labels: { ...collector, receiver: 'otlp' },
      quiet: { series: [{ series: `otelcol_receiver_refused_${signal.metric}_total{${COLLECTOR},receiver="otlp"}`, values: '5x30' }], at: '20m' },
    },
  };
}

const ANY_SIGNAL = '(spans|metric_points|log_records)';

export function collectorAlerts(): AlertSet {
  return {
    name: 'gitplane-otel-collector',
    component: 'observability',
    alerts: [
      ...SIGNALS.map(refused),
      {
        name: 'OtelCollectorExporterSendFailed',
        expr: `sum by (job, service_instance_id, exporter) (rate(${counter(`otelcol_exporter_send_failed_${ANY_SIGNAL}`)}[5m])) > 0`,
        for: '10m',
        severity: 'warning',
        summary: 'Collector exporter {{ $labels.exporter }} fails to send.',
        description: 'Exporter {{ $labels.exporter }} of collector {{ $labels.job }} ({{ $labels.service_instance_id }}) has been failing to deliver data for 10 minutes: Loki, Tempo or Prometheus rejects it or cannot be reached.',
        runbook: {
          tldr: 'The collector cannot deliver to a backend. Check the backend the exporter points at.',
          mitigation: [
            'kubectl -n monitoring logs deploy/otel-gateway | grep -i error | tail -20 names the backend and the error.',
            'Check the backend pods (Loki, Tempo, Prometheus) and their Services.',
          ],
          impact: 'Telemetry is retried, then dropped when the queue is full.',
          diagnosis: { queries: [`sum by (exporter) (rate(${counter(`otelcol_exporter_send_failed_${ANY_SIGNAL}`)}[5m]))`, 'otelcol_exporter_queue_size / otelcol_exporter_queue_capacity'] },
          escalation: 'Call the platform team if the backend is healthy and sends still fail.',
        },
        test: {
          series: [{ series: `otelcol_exporter_send_failed_log_records_total{${COLLECTOR},exporter="otlp_http/loki"}`, values: '0+5x30' }],
          firesAt: '20m',
          labels: { ...collector, exporter: 'otlp_http/loki' },
          quiet: { series: [{ series: `otelcol_exporter_send_failed_log_records_total{${COLLECTOR},exporter="otlp_http/loki"}`, values: '3x30' }], at: '20m' },
        },
      },
      {
        name: 'OtelCollectorExporterDropping',
        expr: `sum by (job, service_instance_id, exporter) (rate(${counter(`otelcol_exporter_enqueue_failed_${ANY_SIGNAL}`)}[5m])) > 0`,
        for: '5m',
        severity: 'critical',
        summary: 'Collector exporter {{ $labels.exporter }} is dropping data.',
        description: 'Exporter {{ $labels.exporter }} of collector {{ $labels.job }} ({{ $labels.service_instance_id }}) cannot queue what it receives and drops it.',
        runbook: {
          tldr: 'Telemetry is being lost because the exporter queue is full. Fix the backend, then consider a larger queue.',
          mitigation: ['Follow the OtelCollectorExporterSendFailed runbook for the same exporter.', 'Scale the gateway out to spread the load.'],
          impact: 'Spans, logs or metrics are lost for good.',
          diagnosis: { queries: [`sum by (exporter) (rate(${counter(`otelcol_exporter_enqueue_failed_${ANY_SIGNAL}`)}[5m]))`] },
          escalation: 'Page the platform on-call lead if it lasts 30 minutes.',
        },
        test: {
          series: [{ series: `otelcol_exporter_enqueue_failed_spans_total{${COLLECTOR},exporter="otlp_grpc/tempo"}`, values: '0+50x30' }],
          firesAt: '15m',
          labels: { ...collector, exporter: 'otlp_grpc/tempo' },
          quiet: { series: [{ series: `otelcol_exporter_enqueue_failed_spans_total{${COLLECTOR},exporter="otlp_grpc/tempo"}`, values: '0x30' }], at: '15m' },
        },
      },
      {
        name: 'OtelCollectorExporterQueueFull',
        expr: 'max by (job, service_instance_id, exporter) (otelcol_exporter_queue_size / otelcol_exporter_queue_capacity) > 0.8',
        for: '10m',
        severity: 'warning',
        summary: 'Collector exporter {{ $labels.exporter }} queue is above 80%.',
        description: 'The sending queue of exporter {{ $labels.exporter }} of collector {{ $labels.job }} has been more than 80% full for 10 minutes; once full, data is dropped.',
        runbook: {
          tldr: 'An exporter queue is filling: the backend is slow or down.',
          mitigation: ['Check the backend of the exporter and OtelCollectorExporterSendFailed.', 'Scale the gateway if the backend is healthy but the volume grew.'],
          impact: 'Nothing lost yet; data is delayed.',
          diagnosis: { queries: ['otelcol_exporter_queue_size / otelcol_exporter_queue_capacity'] },
          escalation: 'Call the platform team if it does not drain within an hour.',
        },
        test: {
          series: [
            { series: `otelcol_exporter_queue_size{${COLLECTOR},exporter="otlp_grpc/tempo",data_type="traces"}`, values: '900x30' },
            { series: `otelcol_exporter_queue_capacity{${COLLECTOR},exporter="otlp_grpc/tempo",data_type="traces"}`, values: '1000x30' },
          ],
          firesAt: '20m',
          labels: { ...collector, exporter: 'otlp_grpc/tempo' },
          quiet: { at: '5m' },
        },
      },
    ],
  };
}
