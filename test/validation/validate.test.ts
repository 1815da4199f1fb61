import { Manifest } from '../../stacks/objects';
import { loadSettings } from '../../stacks/settings';
import { CrdRegistry, Validator } from '../../validation';

const validator = new Validator(new CrdRegistry(loadSettings().crdDirs));

function deployment(): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'apps' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  };
}

function messages(...objects: Manifest[]): string[] {
  return validator.validate(objects.map((manifest, i) => ({ manifest, file: `f${i}.yaml` }))).map((p) => `${p.file}: ${p.object}: ${p.message}`);
}

test('the CRD directory setting finds the pinned upstream CRDs', () => {
  expect(new CrdRegistry(loadSettings().crdDirs).size).toBeGreaterThanOrEqual(40);
});

test('a valid built-in object passes (fixture that must not fire)', () => {
  expect(messages(deployment())).toEqual([]);
});

test('fails when a field has the wrong type', () => {
  const d = deployment();
  (d.spec as Record<string, unknown>).replicas = '2';
  expect(messages(d)).toEqual(['f0.yaml: Deployment/apps/web: spec.replicas: must be integer']);
});

test('fails when a field is unknown (spec.replica for spec.replicas)', () => {
  const d = deployment();
  (d.spec as Record<string, unknown>).replica = 2;
  expect(messages(d)).toEqual([expect.stringMatching(/^f0\.yaml: Deployment\/apps\/web: spec\.replica: unknown field "replica"/)]);
});

test('fails when a field deep inside a pod template is unknown', () => {
  const d = deployment();
  ((d.spec as any).template.spec.containers[0] as Record<string, unknown>).imagePullPolicyy = 'Always';
  expect(messages(d)).toEqual([expect.stringContaining('spec.template.spec.containers[0].imagePullPolicyy: unknown field')]);
});

test('fails when a kind has no registered schema', () => {
  const m: Manifest = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
  expect(messages(m)).toEqual([expect.stringContaining('apiVersion example.com/v1 kind Widget has no registered schema')]);
});

test('fails when a served CRD version does not exist (longhorn.io/v1beta1 was removed)', () => {
  const m: Manifest = { apiVersion: 'longhorn.io/v1beta1', kind: 'RecurringJob', metadata: { name: 'r', namespace: 'longhorn-system' }, spec: {} };
  expect(messages(m)).toEqual([expect.stringContaining('has no registered schema')]);
});

describe('custom resources against their CRD schema', () => {
  const recurringJob = (): Manifest => ({
    apiVersion: 'longhorn.io/v1beta2',
    kind: 'RecurringJob',
    metadata: { name: 'backup-daily', namespace: 'longhorn-system' },
    spec: { name: 'backup-daily', cron: '0 2 * * *', task: 'backup', groups: ['default'], retain: 7, concurrency: 1 },
  });

  test('a valid RecurringJob passes', () => {
    expect(messages(recurringJob())).toEqual([]);
  });

  test('fails when a custom resource has an unknown field', () => {
    const m = recurringJob();
    (m.spec as Record<string, unknown>).retian = 7;
    expect(messages(m)).toEqual([expect.stringContaining('spec.retian: unknown field "retian"')]);
  });

  test('fails when a custom resource field has the wrong type', () => {
    const m = recurringJob();
    (m.spec as Record<string, unknown>).retain = 'seven';
    expect(messages(m)).toEqual([expect.stringContaining('spec.retain: must be integer')]);
  });

  test('fails when a custom resource enum value is not allowed', () => {
    const m = recurringJob();
    (m.spec as Record<string, unknown>).task = 'backups';
    expect(messages(m)).toEqual([expect.stringContaining('spec.task: must be equal to one of the allowed values')]);
  });

  test('fails when a custom resource carries an unknown metadata field or a non-string annotation', () => {
    const m = recurringJob();
    (m.metadata as Record<string, unknown>).label = { a: 'b' };
    m.metadata.annotations = { 'argocd.argoproj.io/sync-wave': 10 as unknown as string };
    expect(messages(m)).toEqual([
      expect.stringContaining('metadata.label: unknown field "label"'),
      expect.stringContaining('metadata.annotations.argocd.argoproj.io/sync-wave: must be a string (got 10)'),
    ]);
  });

  test('fields the CRD preserves stay open (Application helm valuesObject)', () => {
    const app: Manifest = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'a', namespace: 'argocd' },
      spec: {
        project: 'p',
        destination: { server: 'https://kubernetes.default.svc', namespace: 'x' },
        source: { repoURL: 'https://charts.example.com', chart: 'c', targetRevision: '1.0.0', helm: { valuesObject: { anything: { goes: 1 } } } },
      },
    };
    expect(messages(app)).toEqual([]);
  });
});

test('fails when two objects share apiVersion, kind, namespace and name', () => {
  expect(messages(deployment(), deployment())).toEqual(['f1.yaml: Deployment/apps/web: duplicate object: apps/v1 Deployment/apps/web is also defined in f0.yaml. Rename or remove one of them.']);
});

test('the same name in another namespace is not a duplicate', () => {
  const other = deployment();
  other.metadata.namespace = 'other';
  expect(messages(deployment(), other)).toEqual([]);
});

describe('cluster-scoped kinds', () => {
  const clusterRole: Manifest = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [] };
  const store: Manifest = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: 'aws' },
    spec: { provider: { aws: { service: 'SecretsManager', region: 'eu-west-1' } } },
  };

  test('pass without a namespace (fixtures that must not fire)', () => {
    expect(messages(clusterRole, store, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } })).toEqual([]);
  });

  test('fails when a built-in cluster-scoped object has a namespace', () => {
    expect(messages({ ...clusterRole, metadata: { name: 'reader', namespace: 'apps' } })).toEqual([
      'f0.yaml: ClusterRole/apps/reader: metadata.namespace: ClusterRole is cluster-scoped and takes no namespace (got "apps"). Remove metadata.namespace.',
    ]);
  });

  test('fails when a custom object whose CRD is cluster-scoped has a namespace', () => {
    expect(messages({ ...store, metadata: { name: 'aws', namespace: 'external-secrets' } })).toEqual([
      'f0.yaml: ClusterSecretStore/external-secrets/aws: metadata.namespace: ClusterSecretStore is cluster-scoped and takes no namespace (got "external-secrets"). Remove metadata.namespace.',
    ]);
  });
});
