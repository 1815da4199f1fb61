import { Construct } from 'constructs';
import { AppLabels } from '../../core/labels';
import { RenderedConfig } from '../../core/rendered-config';
import { SecretEnv } from '../../core/secret-env';
import { SingleBinaryStatefulSet } from '../single-binary';
import { LokiStorage, lokiConfig } from './loki-config';

export interface LokiProps {
  readonly labels: AppLabels;
  /** `repository:tag` of grafana/loki. */
  readonly image: string;
  /** How long logs are kept, e.g. `168h`. */
  readonly retentionPeriod: string;
  /** Size of the data volume (WAL, index cache, and the chunks themselves on filesystem storage). */
  readonly storageSize: string;
  /** @default { type: 'filesystem' } */
  readonly storage?: LokiStorage;
  /** Object-store credentials as environment variables (the AWS SDK reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY). @default - none: the SDK's default chain (IRSA, instance profile) */
  readonly credentials?: SecretEnv;
  readonly annotations?: Record<string, string>;
}

/**
 * Loki as one monolithic replica (`-target=all`), with OTLP ingestion at `/otlp/v1/logs`,
 * TSDB index on schema v13, and retention applied by the compactor.
 *
 * @see https://grafana.com/docs/loki/latest/get-started/deployment-modes/
 */
export class Loki extends Construct {
  public static readonly HTTP_PORT = 3100;
  public static readonly GRPC_PORT = 9095;
  public readonly name = 'loki';
  public readonly storage: LokiStorage;

  constructor(scope: Construct, id: string, props: LokiProps) {
    super(scope, id);
    this.storage = props.storage ?? { type: 'filesystem' };
    const dataPath = `/var/${this.name}`;
    const config = lokiConfig({ httpPort: Loki.HTTP_PORT, grpcPort: Loki.GRPC_PORT, dataPath, storage: this.storage, retentionPeriod: props.retentionPeriod });
    new SingleBinaryStatefulSet(this, 'Server', {
      name: this.name,
      labels: props.labels,
      image: props.image,
      configFile: 'loki.yaml',
      config,
      args: ['-config.file={config}', '-target=all'],
      ports: [
        { name: 'http-metrics', port: Loki.HTTP_PORT },
        { name: 'grpc', port: Loki.GRPC_PORT },
      ],
      readyPort: 'http-metrics',
      storageSize: props.storageSize,
      runAsUser: 10001,
      secretEnv: props.credentials,
      annotations: props.annotations,
    });
    new RenderedConfig(this, 'Config', { name: 'loki', description: 'Loki configuration (loki.yaml)', content: config });
  }
}
