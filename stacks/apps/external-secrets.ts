/** The `external-secrets` application: the pinned external-secrets operator and the environment's ClusterSecretStore. */
import { AwsCredentialsSecret, AwsSecretsManagerStore } from '../../constructs/secrets';
import { EnvironmentSpec } from '../../environments/schema';
import { environmentFile } from '../environment';
import { InputError } from '../errors';
import { AppDescriptor } from '../application';
import { syncWave, Wave } from '../waves';
import { EXTERNAL_SECRETS_DATA, EXTERNAL_SECRETS_NAMESPACE } from './catalog';

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
  ...EXTERNAL_SECRETS_DATA,
  enabled: (spec) => spec.secrets.provider === 'external-secrets',
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
