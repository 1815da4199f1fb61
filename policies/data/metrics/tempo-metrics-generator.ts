/** Series Tempo 2.10.8 metrics-generator writes to Prometheus by remote write (span-metrics and service-graphs processors, classic histograms): from its documentation and modules/generator/processor at the tag. Listed by hand. */
import { MetricList } from './types';

export const TEMPO_METRICS_GENERATOR: MetricList = {
  source: 'https://grafana.com/docs/tempo/v2.10.x/metrics-generator/',
  metrics: [
    'traces_service_graph_dropped_spans_total',
    'traces_service_graph_request_client_seconds_bucket',
    'traces_service_graph_request_client_seconds_count',
    'traces_service_graph_request_client_seconds_sum',
    'traces_service_graph_request_failed_total',
    'traces_service_graph_request_server_seconds_bucket',
    'traces_service_graph_request_server_seconds_count',
    'traces_service_graph_request_server_seconds_sum',
    'traces_service_graph_request_total',
    'traces_service_graph_unpaired_spans_total',
    'traces_spanmetrics_calls_total',
    'traces_spanmetrics_latency_bucket',
    'traces_spanmetrics_latency_count',
    'traces_spanmetrics_latency_sum',
    'traces_spanmetrics_size_total',
    'traces_target_info',
  ],
};
