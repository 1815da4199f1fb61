import { findAll, findOne } from '../../stacks/objects';
import { synthEnvironment } from '../../stacks/synth';
import { SYNC_WAVE_ANNOTATION, Wave } from '../../stacks/waves';
import { built, manifests, variant } from '../support/environments';

test('the external-secrets application syncs after the namespaces and before every operator that carries ExternalSecrets', () => {
  const app = findOne<any>(manifests('prod'), 'Application', 'prod-external-secrets');
  expect(app.metadata.annotations[SYNC_WAVE_ANNOTATION]).toBe(String(Wave.Secrets));
  expect(Wave.Foundation).toBeLessThan(Wave.Secrets);
  expect(Wave.Secrets).toBeLessThan(Wave.Operators);
  const chart = app.spec.sources.find((s: any) => s.chart);
  expect(chart).toMatchObject({ chart: 'external-secrets', targetRevision: '2.9.0' });
  expect(built('prod').output.files.get('values/external-secrets.yaml')).toContain('installCRDs: true');
});

test('the ClusterSecretStore reads Secrets Manager in the cloud region with the Pulumi-made Secret, after the operator', () => {
  const store = findOne<any>(manifests('prod'), 'ClusterSecretStore', 'aws-secrets-manager');
  expect(store.apiVersion).toBe('external-secrets.io/v1');
  expect(store.metadata.annotations).toEqual({ [SYNC_WAVE_ANNOTATION]: String(Wave.CustomResources), 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' });
  expect(store.spec.provider.aws).toEqual({
    service: 'SecretsManager',
    region: 'eu-west-1',
    auth: {
      secretRef: {
        accessKeyIDSecretRef: { name: 'external-secrets-aws-credentials', namespace: 'external-secrets', key: 'access-key-id' },
        secretAccessKeySecretRef: { name: 'external-secrets-aws-credentials', namespace: 'external-secrets', key: 'secret-access-key' },
      },
    },
  });
  // Every ExternalSecret names this store.
  for (const es of findAll<any>(manifests('prod'), 'ExternalSecret')) expect(es.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'aws-secrets-manager' });
});

test('an environment without external-secrets gets neither the application nor a store', () => {
  expect(findAll(manifests('dev'), 'ClusterSecretStore')).toEqual([]);
  expect(findAll<any>(manifests('dev'), 'Application').map((a) => a.metadata.name)).not.toContain('dev-external-secrets');
});

test('fails when the store has no region to read from', () => {
  const spec = variant('prod', (s) => {
    (s.cloud as { region?: string }).region = undefined;
  });
  expect(() => synthEnvironment(spec)).toThrow(
    'environments/prod.yaml: secrets.provider external-secrets needs cloud.region, the region of AWS Secrets Manager (got none). Add cloud.region, e.g. eu-west-1.',
  );
});
