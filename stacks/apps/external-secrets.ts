/** The `external-secrets` application: the pinned external-secrets operator and the environment's ClusterSecretStore. */
import { AwsCredentialsSecret, AwsSecretsManagerStore } from '../../constructs/secrets';
import { EnvironmentSpec } from '../../environments/schema';
import { environmentFile } from '../environment';
import { InputError } from '../errors';
import { AppDescriptor, OPERATOR_CHART_KINDS, VALIDATING_WEBHOOK } from '../application';
import { syncWave, Wave } from '../waves';

export const EXTERNAL_SECRETS_NAMESPACE = 'external-secrets';

/**
 * The Secret the store signs in with. The Pulumi program (stacks/pulumi/secret-store.ts) creates
 * it from the IAM user it manages; nothing in Git holds the key.
 */
export const STORE_CREDENTIALS: AwsCredentialsSecret = {
  name: 'external-secrets-aws-credentials',
  namespace: EXTERNAL_SECRETS_NAMESPACE,
  accessKeyIdKey: 'access-key-id',
  secretAccessKeyKey: 'secret-access-key',
};

/** The region of the store; the loader guarantees cloud.provider aws (and so a region) with external-secrets. */
function storeRegion(spec: EnvironmentSpec): string {
  if (spec.cloud.region === undefined) {
    throw new InputError([`${environmentFile(spec)}: secrets.provider external-secrets needs cloud.region, the region of AWS Secrets Manager (got none). Add cloud.region, e.g. eu-west-1.`]);
  }
  return spec.cloud.region;
}

export const EXTERNAL_SECRETS_APP: AppDescriptor = {
  name: 'external-secrets',
  namespace: EXTERNAL_SECRETS_NAMESPACE,
  podSecurity: 'restricted',
  // Its own rung before Wave.Operators: Longhorn and kube-prometheus-stack carry ExternalSecrets.
  wave: Wave.Secrets,
  component: 'secrets',
  configuredAt: ['secrets'],
  enabled: (spec) => spec.secrets.provider === 'external-secrets',
  crds: [{ group: 'external-secrets.io', clusterScopedKinds: ['ClusterSecretStore', 'ClusterExternalSecret'] }],
  clusterKinds: [...OPERATOR_CHART_KINDS, VALIDATING_WEBHOOK],
  build: (chart, { spec }) => {
    new AwsSecretsManagerStore(chart, 'store', {
      name: spec.secrets.store,
      labels: { name: 'external-secrets', instance: `external-secrets-${spec.name}`, component: 'secrets' },
      region: storeRegion(spec),
      credentials: STORE_CREDENTIALS,
      // After the chart's operator and webhook (wave 0) in the same sync. The CRD arrives with the
      // chart, so synth marks the store SkipDryRunOnMissingResource (stacks/bootstrap.ts).
      annotations: syncWave(Wave.CustomResources),
    });
  },
  helm: () => ({
    chart: 'external-secrets',
    releaseName: 'external-secrets',
    values: {
      installCRDs: true,
      resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    },
  }),
};
