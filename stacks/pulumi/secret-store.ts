/**
 * What the external-secrets ClusterSecretStore signs in with: an IAM user that may read exactly
 * the environment's Secrets Manager entries, and its access key as a Kubernetes Secret in the
 * external-secrets namespace (the one credential that cannot come from the store itself).
 */
import * as iam from '@pulumi/aws/iam';
import * as secretsmanager from '@pulumi/aws/secretsmanager';
import { Provider } from '@pulumi/aws/provider';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { EnvironmentSpec } from '../../environments/schema';
import { STORE_CREDENTIALS } from '../apps/external-secrets';
import { EXTERNAL_SECRETS_NAMESPACE } from '../apps/catalog';

/** Read-only access to the listed entries; ExternalSecrets only ever read. */
export function storeReaderPolicy(secretArns: readonly string[]): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'ReadEnvironmentSecrets', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: [...secretArns] }],
  };
}

export interface SecretStoreCredentials {
  readonly user: iam.User;
  readonly policy: iam.UserPolicy;
  readonly secret: k8s.core.v1.Secret;
}

export function secretStoreCredentials(
  spec: EnvironmentSpec,
  entries: readonly secretsmanager.Secret[],
  provider: Provider,
  k8sProvider?: k8s.Provider,
): SecretStoreCredentials {
  const opts = { provider };
  const k8sOpts = k8sProvider ? { provider: k8sProvider } : {};
  const tags = { 'gitplane.dev/environment': spec.name, 'gitplane.dev/purpose': 'external-secrets' };
  const user = new iam.User('external-secrets', { name: `gitplane-${spec.name}-external-secrets`, tags }, opts);
  const policy = new iam.UserPolicy(
    'external-secrets',
    { user: user.name, policy: pulumi.all(entries.map((e) => e.arn)).apply((arns) => JSON.stringify(storeReaderPolicy(arns))) },
    opts,
  );
  const key = new iam.AccessKey('external-secrets', { user: user.name }, opts);
  // The namespaces application labels this namespace when it syncs; Pulumi only makes sure it
  // exists first, so the Secret has somewhere to live before Argo CD runs.
  const namespace = new k8s.core.v1.Namespace('external-secrets', { metadata: { name: EXTERNAL_SECRETS_NAMESPACE } }, k8sOpts);
  const secret = new k8s.core.v1.Secret(
    'external-secrets-aws-credentials',
    {
      metadata: { name: STORE_CREDENTIALS.name, namespace: STORE_CREDENTIALS.namespace, labels: { 'app.kubernetes.io/managed-by': 'pulumi' } },
      type: 'Opaque',
      stringData: { [STORE_CREDENTIALS.accessKeyIdKey]: key.id, [STORE_CREDENTIALS.secretAccessKeyKey]: key.secret },
    },
    { ...k8sOpts, dependsOn: [namespace] },
  );
  return { user, policy, secret };
}
