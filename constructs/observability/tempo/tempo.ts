import { Construct } from 'constructs';
import { AppLabels } from '../../core/labels';
import { RenderedConfig } from '../../core/rendered-config';
import { ConfigMapKeyRef, SecretEnv, configMapEnvVar } from '../../core/secret-env';
import { SingleBinaryStatefulSet } from '../single-binary';
import { TempoStorage, tempoConfig } from './tempo-config';

export interface TempoProps {
  readonly labels: AppLabels;
  /** `repository:tag` of grafana/tempo (2.10.x). */
  readonly image: string;
  /** How long trace blocks are kept, as a Go duration, e.g. `72h`. */
  readonly blockRetention: string;
  readonly storageSize: string;
  /** Prometheus remote-write endpoint for span metrics and service graphs. */
  readonly remoteWriteUrl: string;
  /**
   * Cluster name, added to generated series as `cluster`. The sites of a fleet share these
   * manifests, so none may name one there: use `clusterFrom`.
   * @default - none, or `clusterFrom`
   */
  readonly cluster?: string;
  /**
   * A ConfigMap key Tempo reads the cluster name from when it starts, for manifests the sites of
   * a fleet share while each site's ConfigMap names its own cluster; excludes `cluster`.
   * @default - the cluster is `cluster`, or none
   */
  readonly clusterFrom?: ConfigMapKeyRef;
  /** @default { type: 'local' } */
  readonly storage?: TempoStorage;
  /** Object-store credentials as environment variables. @default - none: the SDK's default chain */
  readonly credentials?: SecretEnv;
  readonly annotations?: Record<string, string>;
}

/** The environment variable Tempo's config reads the cluster name from, with `clusterFrom`. */
const CLUSTER_VARIABLE = 'TEMPO_CLUSTER_NAME';

/**
 * Tempo 2.10 as one monolithic replica (`-target=all`) with OTLP gRPC and HTTP receivers and the
 * metrics generator on.
 *
 * @see https://grafana.com/docs/tempo/latest/setup/deployment/
 */
export class Tempo extends Construct {
  public static readonly HTTP_PORT = 3200;
  public static readonly GRPC_PORT = 9095;
  public static readonly OTLP_GRPC_PORT = 4317;
  public static readonly OTLP_HTTP_PORT = 4318;
  public readonly name = 'tempo';
  public readonly storage: TempoStorage;

  constructor(scope: Construct, id: string, props: TempoProps) {
    super(scope, id);
    this.storage = props.storage ?? { type: 'local' };
    if (!/^[0-9]+(ns|us|ms|s|m|h)([0-9]+(ns|us|ms|s|m|h))*$/.test(props.blockRetention)) {
      throw new Error(`Tempo blockRetention must be a Go duration such as 72h (got "${props.blockRetention}"). Tempo does not read d, w or y units.`);
    }
    if (props.cluster !== undefined && props.clusterFrom !== undefined) {
      throw new Error(`Tempo takes cluster ("${props.cluster}") or clusterFrom (ConfigMap ${props.clusterFrom.name}), not both. Name the cluster one way.`);
    }
    const dataPath = `/var/${this.name}`;
    const config = tempoConfig({
      httpPort: Tempo.HTTP_PORT,
      grpcPort: Tempo.GRPC_PORT,
      otlpGrpcPort: Tempo.OTLP_GRPC_PORT,
      otlpHttpPort: Tempo.OTLP_HTTP_PORT,
      dataPath,
      storage: this.storage,
      blockRetention: props.blockRetention,
      remoteWriteUrl: props.remoteWriteUrl,
      // With -config.expand-env Tempo replaces ${VAR} in its config with the variable's value.
      externalLabels: props.clusterFrom ? { cluster: `\${${CLUSTER_VARIABLE}}` } : props.cluster === undefined ? {} : { cluster: props.cluster },
    });
    new SingleBinaryStatefulSet(this, 'Server', {
      name: this.name,
      labels: props.labels,
      image: props.image,
      configFile: 'tempo.yaml',
      config,
      args: ['-config.file={config}', '-target=all', ...(props.clusterFrom ? ['-config.expand-env=true'] : [])],
      ports: [
        { name: 'http', port: Tempo.HTTP_PORT },
        { name: 'grpc', port: Tempo.GRPC_PORT },
        { name: 'otlp-grpc', port: Tempo.OTLP_GRPC_PORT },
        { name: 'otlp-http', port: Tempo.OTLP_HTTP_PORT },
      ],
      readyPort: 'http',
      storageSize: props.storageSize,
      runAsUser: 10001,
      secretEnv: props.credentials,
      env: props.clusterFrom && [configMapEnvVar(CLUSTER_VARIABLE, props.clusterFrom)],
      annotations: props.annotations,
    });
    new RenderedConfig(this, 'Config', { name: 'tempo', description: 'Tempo configuration (tempo.yaml)', content: config });
  }
}
