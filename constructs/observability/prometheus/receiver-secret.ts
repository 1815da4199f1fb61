import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AppLabels, standardLabels, unlessEmpty } from '../../core';
import { byCodePoint } from '../../core/order';

export interface ReceiverSecretProps {
  /** Name of the ExternalSecret and of the Secret it writes. */
  readonly name: string;
  readonly namespace: string;
  readonly app: AppLabels;
  /** ClusterSecretStore to read from. */
  readonly store: string;
  /** Key in the Secret -> key in the secret store. */
  readonly entries: Readonly<Record<string, string>>;
  /**
   * How often external-secrets re-reads the store.
   * @default '1h'
   */
  readonly refreshInterval?: string;
  readonly annotations?: Record<string, string>;
}

/**
 * The Secret holding Alertmanager's receiver credentials, filled by external-secrets from the
 * environment's ClusterSecretStore; Alertmanager mounts it and reads each credential from a file.
 *
 * @see https://external-secrets.io/latest/api/externalsecret/
 */
export class ReceiverSecret extends Construct {
  public readonly secretName: string;

  constructor(scope: Construct, id: string, props: ReceiverSecretProps) {
    super(scope, id);
    if (Object.keys(props.entries).length === 0) throw new Error(`ReceiverSecret ${props.name}: it has no entries; give at least one credential to read.`);
    this.secretName = props.name;
    new ApiObject(this, 'Resource', {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: standardLabels(props.app),
        annotations: unlessEmpty(props.annotations),
      },
      spec: {
        refreshInterval: props.refreshInterval ?? '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: props.store },
        target: { name: props.name, creationPolicy: 'Owner' },
        data: Object.entries(props.entries)
          .sort(([a], [b]) => byCodePoint(a, b))
          .map(([secretKey, key]) => ({ secretKey, remoteRef: { key } })),
      },
    });
  }
}
