import { Construct } from 'constructs';
import { ExternalSecret as ExternalSecretResource, ExternalSecretSpecSecretStoreRefKind, ExternalSecretSpecTargetCreationPolicy } from '../../imports/external-secrets.io';
import { unlessEmpty } from '../core/collections';
import { AppLabels, standardLabels } from '../core/labels';

/** One key of the target Secret, read from an entry (and optionally one JSON property) of the store. */
export interface ExternalSecretKey {
  /** Key in the Kubernetes Secret. */
  readonly secretKey: string;
  /** Entry in the secret store, e.g. `prod/loki/s3`. */
  readonly remoteKey: string;
  /** JSON property of the entry. @default - the whole entry */
  readonly property?: string;
}

export interface ExternalSecretProps {
  /** Name of the ExternalSecret and of the Secret it creates. */
  readonly name: string;
  /** @default - the chart's namespace */
  readonly namespace?: string;
  readonly labels: AppLabels;
  /** ClusterSecretStore to read from. */
  readonly store: string;
  readonly data: readonly ExternalSecretKey[];
  /** @default '1h' */
  readonly refreshInterval?: string;
  readonly annotations?: Record<string, string>;
}

/**
 * An external-secrets.io/v1 ExternalSecret: the operator copies entries of a ClusterSecretStore
 * into a Secret of the same name, so no secret value is ever in Git.
 *
 * @see https://external-secrets.io/latest/api/externalsecret/
 */
export class ExternalSecret extends Construct {
  public readonly secretName: string;

  constructor(scope: Construct, id: string, props: ExternalSecretProps) {
    super(scope, id);
    if (props.data.length === 0) throw new Error(`ExternalSecret ${props.name} needs at least one key (got none).`);
    this.secretName = props.name;
    new ExternalSecretResource(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: standardLabels(props.labels), annotations: unlessEmpty(props.annotations) },
      spec: {
        refreshInterval: props.refreshInterval ?? '1h',
        secretStoreRef: { kind: ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE, name: props.store },
        target: { name: props.name, creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER },
        data: props.data.map((d) => ({ secretKey: d.secretKey, remoteRef: { key: d.remoteKey, ...(d.property ? { property: d.property } : {}) } })),
      },
    });
  }
}
