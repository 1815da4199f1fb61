/**
 * The OpenTelemetry Collector configurations of the agent and the gateway, as data.
 *
 * Component names are ones both the pinned image (0.158) and the test collector accept: the
 * current `otlp_grpc`, `otlp_http`, `k8s_attributes` and `file_log`, and the older `hostmetrics`
 * and `kubeletstats`, whose new names (`host_metrics`, `kubelet_stats`) may postdate the image. `memory_limiter` is first in every pipeline and `batch` last, as upstream advises.
 *
 * @see https://opentelemetry.io/docs/collector/configuration/
 */
import { stringify } from 'yaml';

export const HEALTH_PORT = 13133;
export const METRICS_PORT = 8888;
export const OTLP_GRPC_PORT = 4317;
export const OTLP_HTTP_PORT = 4318;

type Config = Record<string, unknown>;
type Pipeline = { receivers: string[]; processors: string[]; exporters: string[] };

/** Everything both collectors share: health check, internal metrics, memory limiter, batch. */
function base(receivers: Config, processors: Config, exporters: Config, pipelines: Record<string, Pipeline>): Config {
  return {
    extensions: { health_check: { endpoint: `\${env:MY_POD_IP}:${HEALTH_PORT}` } },
    receivers,
    processors: {
      // Percentages of the container's memory limit; GOMEMLIMIT is set below the hard limit too.
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 25 },
      ...processors,
      batch: { send_batch_size: 8192, send_batch_max_size: 16384, timeout: '1s' },
    },
    exporters,
    service: {
      extensions: ['health_check'],
      telemetry: {
        logs: { level: 'info', encoding: 'json' },
        metrics: {
          level: 'normal',
          // Without these the collector serves otelcol_receiver_accepted_spans and
          // otelcol_process_memory_rss: no _total on counters, no unit suffix. The alerts,
          // dashboards and metric catalogue use Prometheus's own naming conventions.
          readers: [{ pull: { exporter: { prometheus: { host: '${env:MY_POD_IP}', port: METRICS_PORT, without_type_suffix: false, without_units: false } } } }],
        },
      },
      pipelines,
    },
  };
}

const otlpReceiver = {
  otlp: {
    protocols: {
      grpc: { endpoint: `\${env:MY_POD_IP}:${OTLP_GRPC_PORT}` },
      http: { endpoint: `\${env:MY_POD_IP}:${OTLP_HTTP_PORT}` },
    },
  },
};

const reliable = {
  sending_queue: { enabled: true, num_consumers: 4, queue_size: 1000 },
  retry_on_failure: { enabled: true, initial_interval: '5s', max_interval: '30s', max_elapsed_time: '5m' },
};

export interface AgentConfigOptions {
  /** `host:port` of the gateway's OTLP gRPC receiver. */
  readonly gatewayEndpoint: string;
  /** Pod-log paths of the agent itself, left out so it does not read its own output in a loop. */
  readonly excludeLogPaths: readonly string[];
}

/**
 * The per-node agent: OTLP from the node's pods, pod logs from files, kubelet and host metrics,
 * Kubernetes attributes from the node's own pods only, forwarded over OTLP to the gateway.
 */
export function agentConfig(o: AgentConfigOptions): string {
  const processors = ['memory_limiter', 'k8s_attributes', 'batch'];
  const toGateway = ['otlp_grpc/gateway'];
  return stringify(
    base(
      {
        ...otlpReceiver,
        file_log: {
          include: ['/var/log/pods/*/*/*.log'],
          exclude: [...o.excludeLogPaths],
          // Without a storage extension offsets are not kept across restarts; reading from the
          // end avoids re-sending every file after each restart.
          start_at: 'end',
          include_file_path: true,
          include_file_name: false,
          operators: [{ type: 'container', id: 'container-parser' }],
        },
        kubeletstats: {
          collection_interval: '30s',
          auth_type: 'serviceAccount',
          endpoint: 'https://${env:K8S_NODE_IP}:10250',
          // kubeadm and k3s kubelets serve a self-signed certificate unless serving-cert
          // bootstrap is on; the token still authenticates the request.
          insecure_skip_verify: true,
          metric_groups: ['node', 'pod', 'container'],
        },
        hostmetrics: {
          collection_interval: '30s',
          root_path: '/hostfs',
          scrapers: {
            cpu: {},
            load: {},
            memory: {},
            disk: {},
            network: {},
            filesystem: {
              exclude_fs_types: {
                match_type: 'strict',
                fs_types: ['autofs', 'binfmt_misc', 'bpf', 'cgroup2', 'configfs', 'debugfs', 'devpts', 'devtmpfs', 'fusectl', 'hugetlbfs', 'mqueue', 'nsfs', 'overlay', 'proc', 'procfs', 'pstore', 'rpc_pipefs', 'securityfs', 'squashfs', 'sysfs', 'tmpfs', 'tracefs'],
              },
              exclude_mount_points: { match_type: 'regexp', mount_points: ['^/(dev|proc|sys|run|var/lib/kubelet|var/lib/containerd|var/lib/rancher)(/.*)?$'] },
            },
          },
        },
      },
      {
        k8s_attributes: {
          auth_type: 'serviceAccount',
          passthrough: false,
          filter: { node_from_env_var: 'KUBE_NODE_NAME' },
          extract: {
            metadata: [
              'k8s.namespace.name',
              'k8s.pod.name',
              'k8s.pod.uid',
              'k8s.node.name',
              'k8s.deployment.name',
              'k8s.statefulset.name',
              'k8s.daemonset.name',
              'k8s.cronjob.name',
              'k8s.job.name',
              'k8s.container.name',
            ],
          },
          pod_association: [
            { sources: [{ from: 'resource_attribute', name: 'k8s.pod.uid' }] },
            { sources: [{ from: 'resource_attribute', name: 'k8s.pod.ip' }] },
            { sources: [{ from: 'connection' }] },
          ],
        },
      },
      { 'otlp_grpc/gateway': { endpoint: o.gatewayEndpoint, tls: { insecure: true }, ...reliable } },
      {
        traces: { receivers: ['otlp'], processors, exporters: toGateway },
        metrics: { receivers: ['otlp', 'kubeletstats', 'hostmetrics'], processors, exporters: toGateway },
        logs: { receivers: ['otlp', 'file_log'], processors, exporters: toGateway },
      },
    ),
    { lineWidth: 0, aliasDuplicateObjects: false },
  );
}

export interface GatewayConfigOptions {
  /** `host:port` of Tempo's OTLP gRPC receiver. */
  readonly tempoEndpoint: string;
  /** Loki's OTLP base URL; the exporter appends `/v1/logs`. */
  readonly lokiEndpoint: string;
  /** Prometheus's OTLP base URL; the exporter appends `/v1/metrics`. */
  readonly prometheusEndpoint: string;
  /** Traces slower than this are always kept. */
  readonly slowTraceThresholdMs: number;
  /** Share (0-100) of the remaining traces kept. */
  readonly samplePercentage: number;
  /** Resource attributes stamped on everything, e.g. `k8s.cluster.name`. */
  readonly resourceAttributes: Readonly<Record<string, string>>;
}

/**
 * The gateway: tail-samples traces (every error, every slow trace, a share of the rest) and
 * exports traces to Tempo, logs to Loki and metrics to Prometheus, all over OTLP.
 */
export function gatewayConfig(o: GatewayConfigOptions): string {
  return stringify(
    base(
      otlpReceiver,
      {
        resource: { attributes: Object.entries(o.resourceAttributes).map(([key, value]) => ({ key, value, action: 'upsert' })) },
        tail_sampling: {
          decision_wait: '10s',
          num_traces: 50000,
          expected_new_traces_per_sec: 100,
          // A trace is kept when any policy keeps it.
          policies: [
            { name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } },
            { name: 'slow', type: 'latency', latency: { threshold_ms: o.slowTraceThresholdMs } },
            { name: 'sample-rest', type: 'probabilistic', probabilistic: { sampling_percentage: o.samplePercentage } },
          ],
        },
      },
      {
        'otlp_grpc/tempo': { endpoint: o.tempoEndpoint, tls: { insecure: true }, ...reliable },
        'otlp_http/loki': { endpoint: o.lokiEndpoint, ...reliable },
        'otlp_http/prometheus': { endpoint: o.prometheusEndpoint, ...reliable },
      },
      {
        traces: { receivers: ['otlp'], processors: ['memory_limiter', 'resource', 'tail_sampling', 'batch'], exporters: ['otlp_grpc/tempo'] },
        metrics: { receivers: ['otlp'], processors: ['memory_limiter', 'resource', 'batch'], exporters: ['otlp_http/prometheus'] },
        logs: { receivers: ['otlp'], processors: ['memory_limiter', 'resource', 'batch'], exporters: ['otlp_http/loki'] },
      },
    ),
    { lineWidth: 0, aliasDuplicateObjects: false },
  );
}
