import { stringify } from 'yaml';

/** Where Loki keeps chunks and index: the data volume, or an S3 bucket. */
export type LokiStorage =
  | { readonly type: 'filesystem' }
  | { readonly type: 's3'; readonly bucket: string; readonly region: string; readonly prefix?: string; readonly endpoint?: string };

export interface LokiConfigOptions {
  readonly httpPort: number;
  readonly grpcPort: number;
  /** Data volume mount path. */
  readonly dataPath: string;
  readonly storage: LokiStorage;
  /** Prometheus-style duration, e.g. `720h`. */
  readonly retentionPeriod: string;
}

/**
 * Start of the one schema period. Loki reads each period with the schema it was written with, so
 * this date never changes; a schema change is a new entry with a later date.
 */
export const SCHEMA_V13_FROM = '2024-01-01';

/**
 * Attribute names that identify a single request, trace, span, session or user. They are kept as
 * structured metadata (queryable, never an index label): as labels they would create a stream
 * per request.
 */
export const HIGH_CARDINALITY_ATTRIBUTES = '(?i).*(trace|span|request|session|user|client)[._]?id';

/**
 * Loki's configuration file for one monolithic replica.
 *
 * @see https://grafana.com/docs/loki/latest/configure/
 * @see https://grafana.com/docs/loki/latest/send-data/otel/
 */
export function lokiConfig(o: LokiConfigOptions): string {
  const objectStore = o.storage.type;
  const keepAsMetadata = [{ action: 'structured_metadata', regex: HIGH_CARDINALITY_ATTRIBUTES }];
  const config = {
    auth_enabled: false,
    server: { http_listen_port: o.httpPort, grpc_listen_port: o.grpcPort, log_level: 'info' },
    common: {
      path_prefix: o.dataPath,
      replication_factor: 1,
      ring: { instance_addr: '127.0.0.1', kvstore: { store: 'inmemory' } },
      storage:
        o.storage.type === 'filesystem'
          ? { filesystem: { chunks_directory: `${o.dataPath}/chunks`, rules_directory: `${o.dataPath}/rules` } }
          : { s3: { bucketnames: o.storage.bucket, region: o.storage.region, ...(o.storage.endpoint ? { endpoint: o.storage.endpoint } : {}) } },
    },
    ...(o.storage.type === 's3' && o.storage.prefix ? { storage_config: { object_prefix: `${o.storage.prefix.replace(/\/+$/, '')}/` } } : {}),
    schema_config: {
      configs: [{ from: SCHEMA_V13_FROM, store: 'tsdb', object_store: objectStore, schema: 'v13', index: { prefix: 'index_', period: '24h' } }],
    },
    compactor: {
      working_directory: `${o.dataPath}/compactor`,
      compaction_interval: '10m',
      retention_enabled: true,
      retention_delete_delay: '2h',
      delete_request_store: objectStore,
    },
    limits_config: {
      retention_period: o.retentionPeriod,
      allow_structured_metadata: true,
      discover_log_levels: true,
      volume_enabled: true,
      otlp_config: {
        // The defaults (service.name, k8s.namespace.name, ...) stay index labels; ids never do.
        resource_attributes: { ignore_defaults: false, attributes_config: keepAsMetadata },
        scope_attributes: keepAsMetadata,
        log_attributes: keepAsMetadata,
      },
    },
    analytics: { reporting_enabled: false },
  };
  return stringify(config, { lineWidth: 0, aliasDuplicateObjects: false });
}
