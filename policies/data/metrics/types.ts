import { byCodePoint } from '../../../constructs/core/order';

/** The series names an exporter serves, as its upstream documentation or source lists them. */
export interface MetricList {
  /** Where the list comes from, at the version named in the catalogue (a URL with the tag). */
  readonly source: string;
  /** Series names; a histogram contributes its `_bucket`, `_sum` and `_count` series. */
  readonly metrics: readonly string[];
}

/**
 * Series every Go program instrumented with the Prometheus client library serves by default (its
 * Go and process collectors).
 *
 * @see https://github.com/prometheus/client_golang/tree/main/prometheus/collectors
 */
const GO_RUNTIME = [
  'go_gc_duration_seconds',
  'go_gc_duration_seconds_count',
  'go_gc_duration_seconds_sum',
  'go_goroutines',
  'go_info',
  'go_memstats_alloc_bytes',
  'go_memstats_heap_alloc_bytes',
  'go_memstats_heap_inuse_bytes',
  'go_memstats_sys_bytes',
  'go_threads',
  'process_cpu_seconds_total',
  'process_max_fds',
  'process_open_fds',
  'process_resident_memory_bytes',
  'process_start_time_seconds',
  'process_virtual_memory_bytes',
];

/** An exporter's own series plus the Go runtime's, in code-point order. */
export function withGoRuntime(own: readonly string[]): string[] {
  return [...new Set([...own, ...GO_RUNTIME])].sort(byCodePoint);
}
