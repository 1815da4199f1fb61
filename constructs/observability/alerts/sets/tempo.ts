import { AlertSet } from './types';

const TEMPO = 'job="tempo",namespace="monitoring"';
const tempo = { job: 'tempo', namespace: 'monitoring' };

/** Tempo's own metrics: request errors, discarded spans, compaction and retention errors. */
export function tempoAlerts(): AlertSet {
  return {
    name: 'gitplane-tempo',
    component: 'observability',
    alerts: [
      {
        name: 'TempoRequestErrors',
        expr: '100 * sum by (job, namespace, route) (rate(tempo_request_duration_seconds_count{job="tempo",status_code=~"5.."}[5m])) / sum by (job, namespace, route) (rate(tempo_request_duration_seconds_count{job="tempo"}[5m])) > 10',
        for: '15m',
        severity: 'critical',
        summary: 'Tempo route {{ $labels.route }} returns errors.',
        description: 'More than 10% of requests to Tempo route {{ $labels.route }} have failed with 5xx for 15 minutes.',
        runbook: {
          tldr: 'Tempo answers with server errors. Read its log; storage is the usual cause.',
          mitigation: ['kubectl -n monitoring logs statefulset/tempo | grep -i error | tail -30.', 'Check the Tempo volume or the S3 credentials ExternalSecret.'],
          impact: 'Traces cannot be searched or are not stored.',
          diagnosis: { queries: ['sum by (route, status_code) (rate(tempo_request_duration_seconds_count{job="tempo"}[5m]))'] },
          escalation: 'Call the platform team if it lasts an hour.',
        },
        test: {
          series: [
            { series: `tempo_request_duration_seconds_count{${TEMPO},route="api_search",status_code="500"}`, values: '0+10x30' },
            { series: `tempo_request_duration_seconds_count{${TEMPO},route="api_search",status_code="200"}`, values: '0+10x30' },
          ],
          firesAt: '25m',
          labels: { ...tempo, route: 'api_search' },
          quiet: { at: '10m' },
        },
      },
      {
        name: 'TempoDiscardedSpans',
        expr: 'sum by (job, namespace, reason) (rate(tempo_discarded_spans_total{job="tempo"}[5m])) > 0',
        for: '15m',
        severity: 'warning',
        summary: 'Tempo discards spans ({{ $labels.reason }}).',
        description: 'Tempo has been discarding spans for reason {{ $labels.reason }} for 15 minutes, typically rate limits (rate_limited) or live-trace limits.',
        runbook: {
          tldr: 'Tempo drops spans because a limit is hit. Lower the sampling share or raise the ingestion limits.',
          mitigation: ['Lower components.observability.collector.samplePercentage in the environment file and sync.', 'Raise overrides.defaults.ingestion.rate_limit_bytes in the Tempo config if the volume is legitimate.'],
          impact: 'Traces are incomplete or missing.',
          diagnosis: { queries: ['sum by (reason) (rate(tempo_discarded_spans_total[5m]))', 'rate(tempo_distributor_spans_received_total[5m])'] },
          escalation: 'Call the platform team if limits must grow beyond the node size.',
        },
        test: {
          series: [{ series: `tempo_discarded_spans_total{${TEMPO},reason="rate_limited",tenant="single-tenant"}`, values: '0+100x30' }],
          firesAt: '25m',
          labels: { ...tempo, reason: 'rate_limited' },
          quiet: { series: [{ series: `tempo_discarded_spans_total{${TEMPO},reason="rate_limited",tenant="single-tenant"}`, values: '4x30' }], at: '25m' },
        },
      },
      {
        name: 'TempoCompactionsFailing',
        expr: 'sum by (job, namespace) (increase(tempodb_compaction_errors_total{job="tempo"}[1h])) > 2 and sum by (job, namespace) (increase(tempodb_compaction_errors_total{job="tempo"}[5m])) > 0',
        for: '5m',
        severity: 'warning',
        summary: 'Tempo compactions are failing.',
        description: 'Tempo has had more than two compaction errors in the last hour and still has them; blocks pile up and queries slow down.',
        runbook: {
          tldr: 'Tempo cannot compact blocks. Read the compactor errors in its log; disk space and object-store access are the usual causes.',
          mitigation: ['kubectl -n monitoring logs statefulset/tempo | grep -i compact | tail -30.', 'Check the volume and the bucket credentials.'],
          impact: 'Queries slow down and storage grows.',
          diagnosis: { queries: ['increase(tempodb_compaction_errors_total[1h])', 'tempodb_blocklist_length'] },
          escalation: 'Call the platform team the same working day.',
        },
        test: {
          series: [{ series: `tempodb_compaction_errors_total{${TEMPO}}`, values: '0+1x90' }],
          firesAt: '70m',
          labels: tempo,
          quiet: { series: [{ series: `tempodb_compaction_errors_total{${TEMPO}}`, values: '1x90' }], at: '70m' },
        },
      },
      {
        name: 'TempoRetentionFailing',
        expr: 'sum by (job, namespace) (increase(tempodb_retention_errors_total{job="tempo"}[1h])) > 0',
        for: '15m',
        severity: 'warning',
        summary: 'Tempo retention is failing.',
        description: 'Tempo could not delete blocks past retention in the last hour; storage keeps growing.',
        runbook: {
          tldr: 'Tempo cannot apply retention. Check object-store delete permissions and the volume.',
          mitigation: ['kubectl -n monitoring logs statefulset/tempo | grep -i retention | tail -30.', 'Check the IAM policy of the Tempo bucket allows DeleteObject.'],
          impact: 'Storage grows beyond plan.',
          diagnosis: { queries: ['increase(tempodb_retention_errors_total[1h])'] },
          escalation: 'Call the platform team the same working day.',
        },
        test: {
          series: [{ series: `tempodb_retention_errors_total{${TEMPO}}`, values: '0+1x40' }],
          firesAt: '30m',
          labels: tempo,
          quiet: { series: [{ series: `tempodb_retention_errors_total{${TEMPO}}`, values: '0x40' }], at: '30m' },
        },
      },
    ],
  };
}
