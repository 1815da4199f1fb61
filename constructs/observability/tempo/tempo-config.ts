import { stringify } from 'yaml';

/** Where Tempo keeps trace blocks: the data volume, or an S3 bucket. */
export type TempoStorage =
  | { readonly type: 'local' }
  | {
      readonly type: 's3';
      readonly bucket: string;
      readonly region: string;
      /** `host[:port]`, no scheme. */
      readonly endpoint: string;
      readonly prefix?: string;
    };

export interface TempoConfigOptions {
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly otlpGrpcPort: number;
  readonly otlpHttpPort: number;
  readonly dataPath: string;
  readonly storage: TempoStorage;
  /** Go duration, e.g. `336h`. */
  readonly blockRetention: string;
  /** Prometheus remote-write URL for the metrics generator. */
  readonly remoteWriteUrl: string;
  /** Added to every generated series, e.g. `{ cluster: 'prod-eu1' }`. */
  readonly externalLabels: Readonly<Record<string, string>>;
}

/**
 * Tempo 2.10's configuration file for one monolithic replica: OTLP receivers on all interfaces
 * (since 2.7 they default to localhost), and the metrics generator writing service graphs and
 * span metrics, with exemplars, to Prometheus.
 *
 * @see https://grafana.com/docs/tempo/latest/configuration/
 * @see https://grafana.com/docs/tempo/latest/metrics-generator/
 */
export function tempoConfig(o: TempoConfigOptions): string {
  const config = {
    stream_over_http_enabled: true,
    server: { http_listen_port: o.httpPort, grpc_listen_port: o.grpcPort, log_level: 'info' },
    distributor: {
      receivers: {
        otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${o.otlpGrpcPort}` }, http: { endpoint: `0.0.0.0:${o.otlpHttpPort}` } } },
      },
    },
    ingester: { max_block_duration: '30m' },
    compactor: { compaction: { block_retention: o.blockRetention } },
    metrics_generator: {
      registry: { external_labels: { source: 'tempo', ...o.externalLabels } },
      storage: { path: `${o.dataPath}/generator/wal`, remote_write: [{ url: o.remoteWriteUrl, send_exemplars: true }] },
      traces_storage: { path: `${o.dataPath}/generator/traces` },
    },
    storage: {
      trace: {
        backend: o.storage.type,
        wal: { path: `${o.dataPath}/wal` },
        ...(o.storage.type === 'local'
          ? { local: { path: `${o.dataPath}/blocks` } }
          : {
              s3: {
                bucket: o.storage.bucket,
                region: o.storage.region,
                endpoint: o.storage.endpoint,
                ...(o.storage.prefix ? { prefix: o.storage.prefix.replace(/\/+$/, '') } : {}),
              },
            }),
      },
    },
    overrides: {
      defaults: {
        metrics_generator: { processors: ['service-graphs', 'span-metrics', 'local-blocks'], generate_native_histograms: 'classic' },
      },
    },
    usage_report: { reporting_enabled: false },
  };
  return stringify(config, { lineWidth: 0, aliasDuplicateObjects: false });
}
