import { recordingGroupName } from '../recording-rule';
import { AlertSet, BuiltinRecord, SeriesInput } from './types';

/**
 * Labels every recording rule keeps beside its level: where the series came from. A site's own
 * Prometheus adds them only on the way out (external labels), so locally they are absent; a store
 * that holds several clusters has them, and the dashboards' environment and cluster variables
 * filter on them.
 */
const WHERE = 'environment, cluster';
const SERVER = 'span_kind="SPAN_KIND_SERVER"';
const KUBELET = 'job="kubelet",container!="",image!=""';
const KSM = 'job="kube-state-metrics"';

const API = 'service="api",span_kind="SPAN_KIND_SERVER"';
/** api answers 0.75 requests/s fine and 0.25/s with an error; 0.5/s within 0.1 s, 0.75/s within 0.5 s, all within 1 s. */
const SPANS: readonly SeriesInput[] = [
  { series: `traces_spanmetrics_calls_total{${API},status_code="STATUS_CODE_OK"}`, values: '0+45x20' },
  { series: `traces_spanmetrics_calls_total{${API},status_code="STATUS_CODE_ERROR"}`, values: '0+15x20' },
  { series: 'traces_spanmetrics_calls_total{service="api",span_kind="SPAN_KIND_CLIENT",status_code="STATUS_CODE_ERROR"}', values: '0+60x20' },
  { series: `traces_spanmetrics_latency_bucket{${API},le="0.1"}`, values: '0+30x20' },
  { series: `traces_spanmetrics_latency_bucket{${API},le="0.5"}`, values: '0+45x20' },
  { series: `traces_spanmetrics_latency_bucket{${API},le="1"}`, values: '0+60x20' },
  { series: `traces_spanmetrics_latency_bucket{${API},le="+Inf"}`, values: '0+60x20' },
];
const NODE = 'job="node-exporter",instance="10.0.0.11:9100",node="worker-1"';
const NODE_LABELS = { job: 'node-exporter', instance: '10.0.0.11:9100', node: 'worker-1' };
/** Pod web-5d8f7c9b6d-x2x4k of Deployment web uses 0.5 CPU and 300 MiB; nats-0 of StatefulSet nats 0.25 CPU and 100 MiB. */
const PODS: readonly SeriesInput[] = [
  { series: 'container_cpu_usage_seconds_total{job="kubelet",namespace="shop",pod="web-5d8f7c9b6d-x2x4k",container="web",image="web:1"}', values: '0+30x20' },
  { series: 'container_cpu_usage_seconds_total{job="kubelet",namespace="nats",pod="nats-0",container="nats",image="nats:2"}', values: '0+15x20' },
  // The pod's own cgroup (no container): counted once already through its containers.
  { series: 'container_cpu_usage_seconds_total{job="kubelet",namespace="shop",pod="web-5d8f7c9b6d-x2x4k",container="",image=""}', values: '0+30x20' },
  { series: 'container_memory_working_set_bytes{job="kubelet",namespace="shop",pod="web-5d8f7c9b6d-x2x4k",container="web",image="web:1"}', values: '314572800x20' },
  { series: 'container_memory_working_set_bytes{job="kubelet",namespace="nats",pod="nats-0",container="nats",image="nats:2"}', values: '104857600x20' },
  { series: `kube_pod_owner{${KSM},namespace="shop",pod="web-5d8f7c9b6d-x2x4k",owner_kind="ReplicaSet",owner_name="web-5d8f7c9b6d",owner_is_controller="true"}`, values: '1x20' },
  { series: `kube_pod_owner{${KSM},namespace="nats",pod="nats-0",owner_kind="StatefulSet",owner_name="nats",owner_is_controller="true"}`, values: '1x20' },
];
const web = { namespace: 'shop', workload: 'web', workload_type: 'Deployment' };
const nats = { namespace: 'nats', workload: 'nats', workload_type: 'StatefulSet' };

const at10m = (series: readonly SeriesInput[], samples: BuiltinRecord['test']['samples']) => ({ series, at: '10m', samples });

/**
 * Level 1: each rule reads raw series only, aggregating them to the labels named by its level.
 * Service request, error and latency rates come from Tempo's span metrics; node and pod usage
 * from node-exporter and the kubelet's cAdvisor; the workload of a pod from kube-state-metrics.
 */
const LEVEL1: readonly BuiltinRecord[] = [
  {
    record: 'service:traces_spanmetrics_server_calls:rate5m',
    expr: `sum by (${WHERE}, service) (rate(traces_spanmetrics_calls_total{${SERVER}}[5m]))`,
    test: at10m(SPANS, [{ labels: { service: 'api' }, value: 1 }]),
  },
  {
    record: 'service:traces_spanmetrics_server_errors:rate5m',
    expr: `sum by (${WHERE}, service) (rate(traces_spanmetrics_calls_total{${SERVER},status_code="STATUS_CODE_ERROR"}[5m]))`,
    test: at10m(SPANS, [{ labels: { service: 'api' }, value: 0.25 }]),
  },
  {
    record: 'service_le:traces_spanmetrics_server_latency_bucket:rate5m',
    expr: `sum by (${WHERE}, service, le) (rate(traces_spanmetrics_latency_bucket{${SERVER}}[5m]))`,
    test: at10m(SPANS, [
      { labels: { service: 'api', le: '0.1' }, value: 0.5 },
      { labels: { service: 'api', le: '0.5' }, value: 0.75 },
      { labels: { service: 'api', le: '1' }, value: 1 },
      { labels: { service: 'api', le: '+Inf' }, value: 1 },
    ]),
  },
  {
    record: 'instance:node_cpu_utilisation:rate5m',
    expr: '1 - avg without (cpu, mode) (rate(node_cpu_seconds_total{job="node-exporter",mode="idle"}[5m]))',
    // Two CPUs, one idle all the time, one a quarter of the time.
    test: at10m(
      [
        { series: `node_cpu_seconds_total{${NODE},cpu="0",mode="idle"}`, values: '0+60x20' },
        { series: `node_cpu_seconds_total{${NODE},cpu="1",mode="idle"}`, values: '0+15x20' },
      ],
      [{ labels: NODE_LABELS, value: 0.375 }],
    ),
  },
  {
    record: 'instance:node_memory_utilisation:ratio',
    expr: '1 - node_memory_MemAvailable_bytes{job="node-exporter"} / node_memory_MemTotal_bytes{job="node-exporter"}',
    test: at10m(
      [
        { series: `node_memory_MemAvailable_bytes{${NODE}}`, values: '25x20' },
        { series: `node_memory_MemTotal_bytes{${NODE}}`, values: '100x20' },
      ],
      [{ labels: NODE_LABELS, value: 0.75 }],
    ),
  },
  {
    record: 'instance:node_filesystem_utilisation:max_ratio',
    expr: 'max without (device, fstype, mountpoint) (1 - node_filesystem_avail_bytes{job="node-exporter",fstype!~"tmpfs|overlay|squashfs|ramfs|iso9660"} / node_filesystem_size_bytes{job="node-exporter",fstype!~"tmpfs|overlay|squashfs|ramfs|iso9660"})',
    test: at10m(
      [
        { series: `node_filesystem_avail_bytes{${NODE},device="/dev/sda1",fstype="ext4",mountpoint="/"}`, values: '75x20' },
        { series: `node_filesystem_size_bytes{${NODE},device="/dev/sda1",fstype="ext4",mountpoint="/"}`, values: '100x20' },
        { series: `node_filesystem_avail_bytes{${NODE},device="/dev/sdb1",fstype="ext4",mountpoint="/var/lib/longhorn"}`, values: '50x20' },
        { series: `node_filesystem_size_bytes{${NODE},device="/dev/sdb1",fstype="ext4",mountpoint="/var/lib/longhorn"}`, values: '100x20' },
        { series: `node_filesystem_avail_bytes{${NODE},device="tmpfs",fstype="tmpfs",mountpoint="/run"}`, values: '0x20' },
        { series: `node_filesystem_size_bytes{${NODE},device="tmpfs",fstype="tmpfs",mountpoint="/run"}`, values: '100x20' },
      ],
      [{ labels: NODE_LABELS, value: 0.5 }],
    ),
  },
  {
    record: 'namespace_pod:container_cpu_usage_seconds:rate5m',
    expr: `sum by (${WHERE}, namespace, pod) (rate(container_cpu_usage_seconds_total{${KUBELET}}[5m]))`,
    test: at10m(PODS, [
      { labels: { namespace: 'nats', pod: 'nats-0' }, value: 0.25 },
      { labels: { namespace: 'shop', pod: 'web-5d8f7c9b6d-x2x4k' }, value: 0.5 },
    ]),
  },
  {
    record: 'namespace_pod:container_memory_working_set_bytes:sum',
    expr: `sum by (${WHERE}, namespace, pod) (container_memory_working_set_bytes{${KUBELET}})`,
    test: at10m(PODS, [
      { labels: { namespace: 'nats', pod: 'nats-0' }, value: 104857600 },
      { labels: { namespace: 'shop', pod: 'web-5d8f7c9b6d-x2x4k' }, value: 314572800 },
    ]),
  },
  {
    record: 'namespace_pod_workload:kube_pod_owner:relabel',
    // A ReplicaSet's pods belong to the Deployment whose name is the ReplicaSet's without its hash.
    expr: `max by (${WHERE}, namespace, pod, workload, workload_type) (
  label_replace(label_replace(kube_pod_owner{${KSM},owner_kind="ReplicaSet"}, "workload", "$1", "owner_name", "(.+)-[a-z0-9]+"), "workload_type", "Deployment", "owner_kind", ".*")
  or
  label_replace(label_replace(kube_pod_owner{${KSM},owner_kind!="ReplicaSet"}, "workload", "$1", "owner_name", "(.+)"), "workload_type", "$1", "owner_kind", "(.+)")
)`,
    test: at10m(PODS, [
      { labels: { ...nats, pod: 'nats-0' }, value: 1 },
      { labels: { ...web, pod: 'web-5d8f7c9b6d-x2x4k' }, value: 1 },
    ]),
  },
];

/** The workload labels of level 1's relabelling, joined onto a per-pod series. */
const perWorkload = (podSeries: string) =>
  `sum by (${WHERE}, namespace, workload, workload_type) (${podSeries} * on (${WHERE}, namespace, pod) group_left (workload, workload_type) namespace_pod_workload:kube_pod_owner:relabel)`;
const latency = (q: number) => `histogram_quantile(${q}, service_le:traces_spanmetrics_server_latency_bucket:rate5m)`;

/** Level 2: each rule reads level-1 series, never raw ones that level 1 already aggregates. */
const LEVEL2: readonly BuiltinRecord[] = [
  {
    record: 'service:traces_spanmetrics_server_errors:ratio_rate5m',
    // A service without a single error has no error series; it counts as 0, not as missing.
    expr: '(service:traces_spanmetrics_server_errors:rate5m or 0 * service:traces_spanmetrics_server_calls:rate5m) / service:traces_spanmetrics_server_calls:rate5m',
    test: at10m(SPANS, [{ labels: { service: 'api' }, value: 0.25 }]),
  },
  // p95: rank 0.95 of 1/s lies in (0.5 s, 1 s], which holds 0.25/s above 0.75/s: 0.5 + 0.5 * 0.2 / 0.25
  // = 0.9, which Prometheus' floating point (0.95 - 0.75 first) makes the double just below 0.9.
  { record: 'service:traces_spanmetrics_server_latency_seconds:p95_rate5m', expr: latency(0.95), test: at10m(SPANS, [{ labels: { service: 'api' }, value: 0.8999999999999999 }]) },
  { record: 'service:traces_spanmetrics_server_latency_seconds:p99_rate5m', expr: latency(0.99), test: at10m(SPANS, [{ labels: { service: 'api' }, value: 0.98 }]) },
  {
    record: 'namespace_workload:container_cpu_usage_seconds:rate5m',
    expr: perWorkload('namespace_pod:container_cpu_usage_seconds:rate5m'),
    test: at10m(PODS, [
      { labels: nats, value: 0.25 },
      { labels: web, value: 0.5 },
    ]),
  },
  {
    record: 'namespace_workload:container_memory_working_set_bytes:sum',
    expr: perWorkload('namespace_pod:container_memory_working_set_bytes:sum'),
    test: at10m(PODS, [
      { labels: nats, value: 104857600 },
      { labels: web, value: 314572800 },
    ]),
  },
];

/**
 * The series dashboards and alerts share, precomputed in two layers: level 1 from raw series,
 * level 2 from level 1 (see docs/observability.md, "Recording rules").
 *
 * @see https://prometheus.io/docs/practices/rules/
 */
export function recordingRuleSets(): AlertSet[] {
  return [
    { name: recordingGroupName('gitplane-records', 1), component: 'observability', records: LEVEL1, alerts: [] },
    { name: recordingGroupName('gitplane-records', 2), component: 'observability', records: LEVEL2, alerts: [] },
  ];
}
