import { loadEnvironment } from '../../stacks/environment';
import { loadSettings } from '../../stacks/settings';
import { argocdValues } from '../../stacks/pulumi/argocd';
import { bucketPolicy, PURPOSE_ACTIONS, Purpose } from '../../stacks/pulumi/object-store';
import { checkHelmValues } from '../../validation';
import { STORE_CREDENTIALS } from '../../stacks/apps/external-secrets';
import { findOne } from '../../stacks/objects';
import { ENVIRONMENTS, manifests } from '../support/environments';
import { byType, Registered, runProgram } from '../support/pulumi';
import { testWithMirrors } from '../support/mirrors';

describe.each(ENVIRONMENTS)('pulumi up -s %s', (env) => {
  let resources: Registered[];
  const spec = loadEnvironment(env);
  beforeAll(async () => {
    resources = await runProgram(spec);
  });

  test('installs Argo CD from the pinned chart with the Application health check', () => {
    const storeNamespace = spec.secrets.provider === 'external-secrets' ? ['external-secrets'] : [];
    expect(byType(resources, 'kubernetes:core/v1:Namespace').map((r) => r.inputs.metadata.name).sort()).toEqual(['argocd', ...storeNamespace]);
    const [release] = byType(resources, 'kubernetes:helm.sh/v3:Release');
    expect(release.inputs).toMatchObject({ chart: 'argo-cd', version: '10.1.1', namespace: 'argocd', repositoryOpts: { repo: 'https://argoproj.github.io/argo-helm' } });
    expect(release.inputs.values.configs.cm['resource.customizations.health.argoproj.io_Application']).toContain('obj.status.health.status');
  });

  test('creates the project and the root application pointing at the spec\'s repository and path', () => {
    const root = resources.find((r) => r.type === 'kubernetes:argoproj.io/v1alpha1:Application')!;
    expect(root.inputs.metadata.name).toBe(`${env}-root`);
    expect(root.inputs.spec.source).toEqual({ repoURL: spec.gitops.repoURL, targetRevision: spec.gitops.branch, path: `${env}/bootstrap` });
    expect(byType(resources, 'kubernetes:argoproj.io/v1alpha1:AppProject').map((r) => r.inputs.metadata.name)).toEqual([env]);
  });

  if (spec.cloud.provider !== 'aws') {
    test('creates nothing in AWS', () => {
      expect(resources.filter((r) => r.type.startsWith('aws:'))).toEqual([]);
    });
    return;
  }

  const purposes = (Object.keys(PURPOSE_ACTIONS) as Purpose[]).filter((p) => spec.objectStore[p]);

  test('one bucket per object-store purpose, named by the spec', () => {
    expect(byType(resources, 'aws:s3/bucket:Bucket').map((r) => r.inputs.bucket).sort()).toEqual(purposes.map((p) => spec.objectStore[p]!.bucket).sort());
  });

  test('no bucket is public: every bucket blocks all four kinds of public access', () => {
    const blocks = byType(resources, 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock');
    expect(blocks).toHaveLength(purposes.length);
    for (const b of blocks) expect(b.inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    expect(byType(resources, 'aws:s3/bucketAcl:BucketAcl')).toEqual([]);
  });

  test('encryption and versioning are on, and objects expire after the spec\'s retention', () => {
    for (const e of byType(resources, 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration')) {
      expect(e.inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm).toBe('aws:kms');
    }
    expect(byType(resources, 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration')).toHaveLength(purposes.length);
    for (const v of byType(resources, 'aws:s3/bucketVersioning:BucketVersioning')) expect(v.inputs.versioningConfiguration.status).toBe('Enabled');
    const days = byType(resources, 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration').map((l) => l.inputs.rules[0].expiration.days).sort();
    expect(days).toEqual(purposes.map((p) => spec.objectStore[p]!.retentionDays).sort());
  });

  test('no IAM policy grants a * action or a * resource; each names exactly its bucket', () => {
    const policies = byType(resources, 'aws:iam/userPolicy:UserPolicy').filter((p) => p.name !== 'external-secrets');
    expect(policies).toHaveLength(purposes.length);
    for (const p of policies) {
      const doc = JSON.parse(p.inputs.policy);
      const buckets = new Set<string>();
      for (const s of doc.Statement) {
        for (const a of s.Action) expect(a).not.toContain('*');
        for (const r of s.Resource) {
          expect(r).not.toBe('*');
          expect(r).toMatch(/^arn:aws:s3:::[a-z0-9.-]+(\/[^*]*\*)?$/);
          buckets.add(r.split(':::')[1].split('/')[0]);
        }
      }
      expect(buckets.size).toBe(1);
    }
  });

  test('the credentials ExternalSecrets read are Secrets Manager entries, with values only from secret config', () => {
    const names = byType(resources, 'aws:secretsmanager/secret:Secret').map((s) => s.inputs.name).sort();
    expect(names).toEqual([...purposes.map((p) => `${env}/object-store/${PURPOSE_ACTIONS[p].slug}`), ...Object.values(spec.secrets.refs)].sort());
  });

  if (spec.secrets.provider === 'external-secrets') {
    test('the ClusterSecretStore\'s credentials: a read-only IAM user for exactly the environment\'s entries, as the Secret the store names', async () => {
      const [policy] = byType(resources, 'aws:iam/userPolicy:UserPolicy').filter((p) => p.name === 'external-secrets');
      const doc = JSON.parse(policy.inputs.policy);
      expect(doc.Statement).toHaveLength(1);
      expect(doc.Statement[0].Action).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']);
      const entries = byType(resources, 'aws:secretsmanager/secret:Secret').map((e) => `arn:aws:secretsmanager:eu-west-1:000000000000:secret:${e.inputs.name}-fake`);
      expect([...doc.Statement[0].Resource].sort()).toEqual(entries.sort());
      const [secret] = byType(resources, 'kubernetes:core/v1:Secret');
      expect(secret.inputs.metadata).toMatchObject({ name: STORE_CREDENTIALS.name, namespace: 'external-secrets' });
      // Pulumi marks stringData secret: the mock sees it wrapped, its value under `value`.
      expect(secret.inputs.stringData.value).toEqual({ 'access-key-id': 'external-secrets-id', 'secret-access-key': 'fake-secret-for-tests' });
      const store = findOne<any>(manifests(env), 'ClusterSecretStore', spec.secrets.store);
      expect(store.spec.provider.aws.auth.secretRef.accessKeyIDSecretRef).toEqual({ name: secret.inputs.metadata.name, namespace: 'external-secrets', key: 'access-key-id' });
      expect(store.spec.provider.aws.region).toBe(spec.cloud.region);
    });
  }
});

test('a prefix narrows the listing and the objects to that prefix', () => {
  const doc = bucketPolicy('example-bucket', 'site-a', 'etcdBackups') as any;
  expect(doc.Statement[0].Condition).toEqual({ StringLike: { 's3:prefix': ['site-a/*'] } });
  expect(doc.Statement[1]).toMatchObject({ Action: ['s3:PutObject', 's3:GetObject'], Resource: ['arn:aws:s3:::example-bucket/site-a/*'] });
});

testWithMirrors(['schemas'], 'the Argo CD values gitplane sets exist in the pinned chart', () => {
  const { values, openKeys } = argocdValues();
  expect(checkHelmValues({ chart: 'argo-cd', version: '10.1.1', values, openKeys, file: 'Pulumi' }, loadSettings().helmValuesDirs)).toEqual([]);

});
