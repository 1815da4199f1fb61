import { AlertSet } from './types';

const LOKI = 'job="loki",namespace="monitoring"';
const loki = { job: 'loki', namespace: 'monitoring' };

/** Loki's own metrics: request errors, discarded (rate-limited) samples, compaction and retention runs. */
export function lokiAlerts(): AlertSet {
  return {
    name: 'gitplane-loki',
    component: 'observability',
    alerts: [
      {
        name: 'LokiRequestErrors',
        expr: `100 * sum by (job, namespace, route) (rate(loki_request_duration_seconds_count{job="loki",status_code=~"5.."}[5m])) / sum by (job, namespace, route) (rate(loki_request_duration_seconds_count{job="loki"}[5m])) > 10`,
        for: '15m',
        severity: 'critical',
        summary: 'Loki route {{ $labels.route }} returns errors.',
        description: 'More than 10% of requests to Loki route {{ $labels.route }} have failed with 5xx for 15 minutes; pushes or queries are failing.',
        runbook: {
          tldr: 'Loki answers with server errors. Read its log; storage (disk or S3) is the usual cause.',
          mitigation: ['kubectl -n monitoring logs statefulset/loki | grep -i error | tail -30.', 'Check the Loki volume (KubePersistentVolumeFillingUp) or the S3 credentials ExternalSecret.', 'Restart the pod if it is wedged: kubectl -n monitoring rollout restart statefulset/loki.'],
          impact: 'Logs are lost (push errors) or cannot be searched (query errors).',
          diagnosis: { queries: ['sum by (route, status_code) (rate(loki_request_duration_seconds_count{job="loki"}[5m]))'] },
          escalation: 'Page the platform on-call lead if ingestion fails for 30 minutes.',
        },
        test: {
          series: [
            { series: `loki_request_duration_seconds_count{${LOKI},route="otlp_v1_logs",status_code="500"}`, values: '0+10x30' },
            { series: `loki_request_duration_seconds_count{${LOKI},route="otlp_v1_logs",status_code="204"}`, values: '0+10x30' },
          ],
          firesAt: '25m',
          labels: { ...loki, route: 'otlp_v1_logs' },
          quiet: {
            series: [
              { series: `loki_request_duration_seconds_count{${LOKI},route="otlp_v1_logs",status_code="500"}`, values: '0x30' },
              { series: `loki_request_duration_seconds_count{${LOKI},route="otlp_v1_logs",status_code="204"}`, values: '0+10x30' },
            ],
            at: '25m',
          },
        },
      },
      {
        name: 'LokiIngestionRateLimited',
        expr: 'sum by (job, namespace, reason) (rate(loki_discarded_samples_total{job="loki"}[5m])) > 0',
        for: '15m',
        severity: 'warning',
        summary: 'Loki discards log lines ({{ $labels.reason }}).',
        description: 'Loki has been discarding incoming log lines for reason {{ $labels.reason }} for 15 minutes: ingestion or stream rate limits, or lines too old or too long.',
        runbook: {
          tldr: 'Loki throws away logs because a limit is hit. Find the noisy source or raise the limit.',
          mitigation: ['Find the stream that floods: topk(5, sum by (service_name) (rate({service_name=~".+"}[5m]))) in Grafana Explore (LogQL).', 'Raise limits_config ingestion_rate_mb / per_stream_rate_limit in the Loki config if the volume is legitimate.'],
          impact: 'Log lines are lost for good.',
          diagnosis: { queries: ['sum by (reason) (rate(loki_discarded_samples_total[5m]))', 'sum by (reason) (rate(loki_discarded_bytes_total[5m]))'] },
          escalation: 'Call the platform team if limits must grow beyond the node size.',
        },
        test: {
          series: [{ series: `loki_discarded_samples_total{${LOKI},reason="rate_limited",tenant="fake"}`, values: '0+100x30' }],
          firesAt: '25m',
          labels: { ...loki, reason: 'rate_limited' },
          quiet: { series: [{ series: `loki_discarded_samples_total{${LOKI},reason="rate_limited",tenant="fake"}`, values: '7x30' }], at: '25m' },
        },
      },
      {
        name: 'LokiCompactionNotRunning',
        expr: 'time() - max by (job, namespace) (loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds{job="loki"}) > 3 * 3600',
        for: '15m',
        severity: 'warning',
        summary: 'Loki has not compacted its index for three hours.',
        description: 'The Loki compactor has not completed a compaction for three hours; queries slow down and retention does not run.',
        runbook: {
          tldr: 'The Loki compactor is stuck. Read its log; it needs a writable working directory and a reachable store.',
          mitigation: ['kubectl -n monitoring logs statefulset/loki | grep -i compactor | tail -30.', 'Restart Loki if the compactor is wedged.'],
          impact: 'Index files pile up, queries slow down, and old logs are not deleted (the volume fills).',
          diagnosis: { queries: ['time() - loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds', 'loki_boltdb_shipper_compact_tables_operation_total'] },
          escalation: 'Call the platform team if compaction does not recover within a day.',
        },
        test: {
          series: [{ series: `loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds{${LOKI}}`, values: '0x220' }],
          firesAt: '200m',
          labels: loki,
          quiet: { series: [{ series: `loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds{${LOKI}}`, values: '0+60x220' }], at: '200m' },
        },
      },
      {
        name: 'LokiRetentionNotRunning',
        expr: 'time() - max by (job, namespace) (loki_compactor_apply_retention_last_successful_run_timestamp_seconds{job="loki"}) > 6 * 3600',
        for: '30m',
        severity: 'warning',
        summary: 'Loki has not applied retention for six hours.',
        description: 'The Loki compactor has not completed a retention run for six hours; logs older than the retention period are not deleted and the volume keeps growing.',
        runbook: {
          tldr: 'Loki retention stopped. Check compactor.retention_enabled and delete_request_store in the Loki config and the compactor log.',
          mitigation: ['gitplane config loki --env <env> | grep -A5 compactor.', 'kubectl -n monitoring logs statefulset/loki | grep -i retention | tail -30.'],
          impact: 'Storage grows beyond plan; the volume or bucket fills.',
          diagnosis: { queries: ['time() - loki_compactor_apply_retention_last_successful_run_timestamp_seconds'] },
          escalation: 'Call the platform team the same working day.',
        },
        test: {
          series: [{ series: `loki_compactor_apply_retention_last_successful_run_timestamp_seconds{${LOKI}}`, values: '0x420' }],
          firesAt: '400m',
          labels: loki,
          quiet: { series: [{ series: `loki_compactor_apply_retention_last_successful_run_timestamp_seconds{${LOKI}}`, values: '0+60x420' }], at: '400m' },
        },
      },
    ],
  };
}
