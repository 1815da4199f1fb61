/** prometheus-example-app v0.5.0 (quay.io/brancz/prometheus-example-app, the example-api application): main.go at the tag registers http_requests_total, http_request_duration_seconds and version beside the Go client collectors. Listed by hand. */
import { MetricList, withGoRuntime } from './types';

export const PROMETHEUS_EXAMPLE_APP: MetricList = {
  source: 'https://github.com/brancz/prometheus-example-app/blob/v0.5.0/main.go',
  metrics: withGoRuntime([
    'http_request_duration_seconds_bucket',
    'http_request_duration_seconds_count',
    'http_request_duration_seconds_sum',
    'http_requests_total',
    'version',
  ]),
};
