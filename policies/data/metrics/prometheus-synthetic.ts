/** Series Prometheus writes itself for every scrape target and alerting rule (jobs and instances; alerting rules, "Inspecting alerts during runtime"). Listed by hand. */
import { MetricList } from './types';

export const PROMETHEUS_SYNTHETIC: MetricList = {
  source: 'https://prometheus.io/docs/concepts/jobs_instances/#automatically-generated-labels-and-time-series',
  metrics: [
    'ALERTS',
    'ALERTS_FOR_STATE',
    'scrape_duration_seconds',
    'scrape_samples_post_metric_relabeling',
    'scrape_samples_scraped',
    'scrape_series_added',
    'up',
  ],
};
