import { Construct } from 'constructs';
import { ClusterSecretStore, ClusterSecretStoreSpecProviderAwsService } from '../../imports/external-secrets.io';
import { unlessEmpty } from '../core/collections';
import { AppLabels, standardLabels } from '../core/labels';

/** Where the store's AWS access key lives: one Kubernetes Secret with two keys. */
export interface AwsCredentialsSecret {
  readonly name: string;
  readonly namespace: string;
  /** Key holding the access key id. */
  readonly accessKeyIdKey: string;
  /** Key holding the secret access key. */
  readonly secretAccessKeyKey: string;
}

export interface AwsSecretsManagerStoreProps {
  /** Name of the ClusterSecretStore, the one ExternalSecrets name in secretStoreRef. */
  readonly name: string;
  readonly labels: AppLabels;
  /** AWS region of the Secrets Manager entries. */
  readonly region: string;
  readonly credentials: AwsCredentialsSecret;
  readonly annotations?: Record<string, string>;
}

/**
 * An external-secrets.io/v1 ClusterSecretStore for AWS Secrets Manager in one region, signing in
 * with an access key kept in a Kubernetes Secret (created outside Git, by the Pulumi bootstrap).
 *
 * @see https://external-secrets.io/latest/provider/aws-secrets-manager/
 */
export class AwsSecretsManagerStore extends Construct {
  public readonly storeName: string;

  constructor(scope: Construct, id: string, props: AwsSecretsManagerStoreProps) {
    super(scope, id);
    this.storeName = props.name;
    const ref = (key: string) => ({ name: props.credentials.name, namespace: props.credentials.namespace, key });
    new ClusterSecretStore(this, 'Resource', {
      metadata: { name: props.name, labels: standardLabels(props.labels), annotations: unlessEmpty(props.annotations) },
      spec: {
        provider: {
          aws: {
            service: ClusterSecretStoreSpecProviderAwsService.SECRETS_MANAGER,
            region: props.region,
            auth: {
              secretRef: {
                accessKeyIdSecretRef: ref(props.credentials.accessKeyIdKey),
                secretAccessKeySecretRef: ref(props.credentials.secretAccessKeyKey),
              },
            },
          },
        },
      },
    });
  }
}
