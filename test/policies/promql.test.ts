import { metricRefs } from '../../policies/lib/promql';

const names = (expr: string) => metricRefs(expr).map((r) => ('name' in r ? r.name : `~${r.pattern}`));

describe('metricRefs', () => {
  test('finds bare and braced selectors, leaving out functions, aggregations and grouping labels', () => {
    expect(names('sum by (name, project) (increase(argocd_app_sync_total{phase=~"Error|Failed"}[15m])) > 0')).toEqual(['argocd_app_sync_total']);
    expect(names('sum(rate(http_requests_total[5m])) without (instance) / on (job) group_left (team) up')).toEqual(['http_requests_total', 'up']);
  });
  test('leaves out keywords, offsets, @ modifiers, numbers, durations, strings and Grafana variables', () => {
    expect(names('a offset 5m and b @ start() or c unless d > bool 1e3 and e != Inf')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(names('label_replace(up, "dst", "$1", "src", "(.*)") + 0x1F')).toEqual(['up']);
    expect(names('histogram_quantile(0.99, sum by (le) (rate(x_bucket{route="a b"}[$__rate_interval])))')).toEqual(['x_bucket']);
    expect(names('max_over_time(deriv(y[1h:5m])[10m:]) * $scale')).toEqual(['y']);
  });
  test('reads colons of recorded series and a `by` after the aggregation', () => {
    expect(names('sum(instance:node_cpu_utilisation:rate5m) by (instance) > 0.9')).toEqual(['instance:node_cpu_utilisation:rate5m']);
  });
  test('reads __name__ matchers: exact as a name, regular expressions as a pattern, negative ones not at all', () => {
    expect(names('rate({__name__=~"otelcol_exporter_send_failed_(spans|log_records)(_total)?"}[5m])')).toEqual(['~otelcol_exporter_send_failed_(spans|log_records)(_total)?']);
    expect(names("{job='x', __name__='node_load1'}")).toEqual(['node_load1']);
    expect(names('{__name__!="a", job="b"}')).toEqual([]);
  });
  test('repeats a metric once, and braces with a comma or brace inside a string do not end early', () => {
    expect(names('a{l="}"} / a{l=","}')).toEqual(['a']);
  });
  test('fails when a string or bracket is not closed', () => {
    expect(() => metricRefs('up{job="x}')).toThrow(/unterminated/);
    expect(() => metricRefs('rate(up[5m)')).toThrow(/unterminated "\["/);
  });
});
