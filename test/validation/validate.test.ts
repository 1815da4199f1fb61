import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentKey, writeEntry } from '../../stacks/content-cache';
import { Manifest } from '../../stacks/objects';
import { loadSettings } from '../../stacks/settings';
import { CrdRegistry, uncheckedSummary, Validator } from '../../validation';
import { shareRepeated } from '../../validation/crd';
import { stringify } from 'yaml';
import { gitplane, tempDir } from '../support/cli';
import { configuredCrds, kubectlList } from '../support/crds';
import { built } from '../support/environments';
import { describeWithMirrors, testWithMirrors } from '../support/mirrors';

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

testWithMirrors(['schemas'], 'the CRD directory setting finds the pinned upstream CRDs', () => {
  expect(new CrdRegistry(loadSettings().crdDirs).size).toBeGreaterThanOrEqual(40);
});

test('a valid built-in object passes (fixture that must not fire)', () => {
  expect(messages(deployment())).toEqual([]);
});

test('a built-in object\'s fields set to undefined are judged as absent, as the API server reads its JSON, and the object is left as it was', () => {
  const d = deployment();
  (d.metadata as Record<string, unknown>).labels = { app: 'web', team: undefined };
  (d.spec as Record<string, unknown>).paused = undefined;
  const before = structuredClone(d);
  expect(messages(d)).toEqual([]);
  expect(d).toEqual(before);
  (d.spec as Record<string, unknown>).replicas = '2';
  expect(messages(d)).toEqual(['f0.yaml: Deployment/apps/web: spec.replicas: must be integer (got string "2"). Write the number without quotes: 2.']);
});

test.each([
  ['the kind is a path', 'v1', '../../package'],
  ['the apiVersion holds a path', 'v1/../../../package', 'Deployment'],
  ['the kind is a model that is no kind (PodSpec)', 'v1', 'PodSpec'],
])('fails when %s: no registered schema, and no module loaded from the name', (_, apiVersion, kind) => {
  const m = { ...deployment(), apiVersion, kind };
  expect(messages(m)).toEqual([expect.stringContaining(`apiVersion ${apiVersion} kind ${kind} has no registered schema`)]);
});

test('fails when a field has the wrong type', () => {
  const d = deployment();
  (d.spec as Record<string, unknown>).replicas = '2';
  expect(messages(d)).toEqual(['f0.yaml: Deployment/apps/web: spec.replicas: must be integer (got string "2"). Write the number without quotes: 2.']);
});

test('fails when a field of a list item has the wrong type: the item shown as [i], as for an unknown field, with the value found', () => {
  const d = deployment();
  ((d.spec as any).template.spec.containers[0] as Record<string, unknown>).image = ['nginx'];
  expect(messages(d)).toEqual(['f0.yaml: Deployment/apps/web: spec.template.spec.containers[0].image: must be string (got a list of 1). Give a string.']);
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

test('a custom resource of an API group no available CRD belongs to is reported unchecked, with the fix', () => {
  const m: Manifest = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
  const problems = validator.validate([{ manifest: m, file: 'f0.yaml' }]);
  expect(problems).toEqual([expect.objectContaining({ unchecked: 'example.com/v1 Widget', message: expect.stringContaining('no available CRD belongs to the API group example.com. Run "gitplane schemas pull"') })]);
  expect(uncheckedSummary(problems)).toEqual([expect.stringMatching(/^not schema-checked \(no CRD or chart defaults available\): example\.com\/v1 Widget \(1\)\. Run "gitplane schemas pull"/)]);
});

testWithMirrors(['schemas'], 'fails when a kind of an API group whose CRDs are available has no CRD (a misspelt kind)', () => {
  const m: Manifest = { apiVersion: 'longhorn.io/v1beta2', kind: 'RecuringJob', metadata: { name: 'r', namespace: 'longhorn-system' } };
  const problems = validator.validate([{ manifest: m, file: 'f0.yaml' }]);
  expect(problems.map((p) => [p.unchecked, p.message])).toEqual([[undefined, expect.stringContaining('kind RecuringJob has no registered schema')]]);
});

test('fails when an apiVersion is neither built in nor a possible CRD group (no dot)', () => {
  const m: Manifest = { apiVersion: 'app/v1', kind: 'Deployment', metadata: { name: 'w' } };
  expect(messages(m)).toEqual([expect.stringContaining('apiVersion app/v1 kind Deployment has no registered schema')]);
});

testWithMirrors(['schemas'], 'a kubectl get crd -o yaml file (kind: List) in a CRD directory is indexed: the dev environment validates against it alone', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'cluster.yaml'), kubectlList(configuredCrds()));
  const objects = built('dev').output.objects.map((o) => ({ manifest: o.manifest, file: o.file }));
  expect(new Validator(new CrdRegistry([dir])).validate(objects)).toEqual([]);
  expect(new Validator(new CrdRegistry([tempDir()])).validate(objects).filter((p) => p.unchecked).length).toBeGreaterThan(20);
});

test('fails when a kind: List in a CRD directory is not valid YAML, naming the file', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'cluster.yaml'), 'apiVersion: v1\nkind: List\nitems: [\n');
  expect(() => new CrdRegistry([dir])).toThrow(`${path.join(dir, 'cluster.yaml')}:4:1: the file is not valid YAML: `);
});

testWithMirrors(['schemas'], 'the first directory that defines a kind wins', () => {
  const dir = tempDir();
  const job = configuredCrds().find((c) => (c.metadata as { name: string }).name === 'recurringjobs.longhorn.io') as any;
  const open = structuredClone(job);
  for (const v of open.spec.versions) v.schema.openAPIV3Schema = { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } };
  fs.writeFileSync(path.join(dir, 'open.yaml'), kubectlList([open]));
  const m: Manifest = { apiVersion: 'longhorn.io/v1beta2', kind: 'RecurringJob', metadata: { name: 'r', namespace: 'longhorn-system' }, spec: { retian: 7 } };
  expect(new Validator(new CrdRegistry([dir, ...loadSettings().crdDirs])).validate([{ manifest: m, file: 'f' }])).toEqual([]);
  expect(new Validator(new CrdRegistry([...loadSettings().crdDirs, dir])).validate([{ manifest: m, file: 'f' }])).toHaveLength(1);
});

test('a registry prunes its validator cache once a day: validators of an earlier format and entries, unused for two weeks, go; an entry in use stays', () => {
  const crds = tempDir();
  const widget = { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } };
  const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' }, spec: { group: 'example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: widget } }] } };
  fs.writeFileSync(path.join(crds, 'widget.yaml'), stringify(crd));
  const cacheDir = tempDir();
  const inUse = contentKey(['a validator read today']);
  writeEntry(cacheDir, inUse, 'module.exports = () => true;');
  const unused = contentKey(['a validator of a CRD no longer pinned']);
  writeEntry(cacheDir, unused, 'module.exports = () => true;');
  const weeksAgo = new Date(Date.now() - 15 * 86_400_000);
  fs.utimesSync(path.join(cacheDir, `${unused}.json`), weeksAgo, weeksAgo);
  const earlier = ['0a1b2c3d4e5f60718293a4b5c6d7e8f901234567.js', '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567.js.v8'];
  for (const name of earlier) {
    fs.writeFileSync(path.join(cacheDir, name), 'left by an earlier gitplane');
    fs.utimesSync(path.join(cacheDir, name), weeksAgo, weeksAgo);
  }
  const m: Manifest = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'demo' }, spec: { size: 'large' } };
  expect(new Validator(new CrdRegistry([crds], cacheDir)).validate([{ manifest: m, file: 'f' }]).map((p) => p.message)).toEqual([expect.stringContaining('spec.size: must be integer')]);
  const left = fs.readdirSync(cacheDir);
  expect(left.filter((name) => [...earlier, `${unused}.json`].includes(name))).toEqual([]);
  expect(left).toEqual(expect.arrayContaining([`${inUse}.json`, 'pruned']));
});

describe('a CRD whose schema repeats a subschema', () => {
  /** A template as large as the Application template ApplicationSet's generators repeat: over 1,000 characters as JSON. */
  const template = (): Record<string, unknown> => ({
    type: 'object',
    properties: Object.fromEntries(['name', 'namespace', 'project', 'server', 'path', 'repoURL', 'revision', 'chart', 'release', 'cluster'].map((f) => [f, { type: 'string', description: `The ${f} of the rendered object, as the generator fills it in.` }])),
    required: ['name'],
  });
  const widget = { type: 'object', properties: { spec: { type: 'object', properties: { primary: template(), backups: { type: 'array', items: template() } } } } };

  test('keeps the subschema once and refers to it wherever it was', () => {
    expect(JSON.stringify(template()).length).toBeGreaterThanOrEqual(1000);
    const shared = shareRepeated(structuredClone(widget)) as any;
    expect(Object.keys(shared.definitions)).toEqual(['shared0']);
    expect(shared.definitions.shared0).toEqual(template());
    expect(shared.properties.spec.properties.primary).toEqual({ $ref: '#/definitions/shared0' });
    expect(shared.properties.spec.properties.backups.items).toEqual({ $ref: '#/definitions/shared0' });
    expect(shareRepeated({ type: 'object', properties: { a: template() } })).toEqual({ type: 'object', properties: { a: template() } });
  });

  test('fails when an object breaks the repeated subschema, in each place, with the problems of the unshared schema', () => {
    const crds = tempDir();
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' }, spec: { group: 'example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: widget } }] } };
    fs.writeFileSync(path.join(crds, 'widget.yaml'), stringify(crd));
    const m: Manifest = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'demo' }, spec: { primary: { name: 'a', path: 3 }, backups: [{ name: 'b' }, { nmae: 'c' }] } };
    expect(new Validator(new CrdRegistry([crds], tempDir())).validate([{ manifest: m, file: 'f' }]).map((p) => p.message)).toEqual([
      expect.stringContaining('spec.primary.path: must be string'),
      expect.stringContaining('spec.backups[1]: must have required property name. Add spec.backups[1].name.'),
      expect.stringContaining('spec.backups[1].nmae: unknown field "nmae"'),
    ]);
  });
});

testWithMirrors(['schemas'], 'fails when a served CRD version does not exist (longhorn.io/v1beta1 was removed)', () => {
  const m: Manifest = { apiVersion: 'longhorn.io/v1beta1', kind: 'RecurringJob', metadata: { name: 'r', namespace: 'longhorn-system' }, spec: {} };
  expect(messages(m)).toEqual([expect.stringContaining('has no registered schema')]);
});

describeWithMirrors(['schemas'], 'custom resources against their CRD schema', () => {
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

  test('fails when a custom resource has an unknown field, in a fresh process and in the next, which loads the validator through the V8 code cache the first wrote', () => {
    const m = recurringJob();
    (m.spec as Record<string, unknown>).retian = 7;
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'recurring-job.yaml'), stringify(m));
    const [first, second] = [gitplane(['validate', '--dir', dir]), gitplane(['validate', '--dir', dir])];
    expect(first.status).toBe(1);
    expect(first.stdout + first.stderr).toContain('spec.retian: unknown field "retian"');
    expect(second).toEqual(first);
  });

  /** The problems of `m` from a CrdRegistry of a module loaded afresh, as by a new process, caching validators in `cacheDir`. */
  function freshProblems(cacheDir: string, m: Manifest): string[] {
    let fresh!: typeof import('../../validation');
    jest.isolateModules(() => {
      fresh = jest.requireActual('../../validation');
    });
    return new fresh.Validator(new fresh.CrdRegistry(loadSettings().crdDirs, cacheDir)).validate([{ manifest: m, file: 'f' }]).map((p) => p.message);
  }

  test.each([
    ['truncated', (text: string) => text.slice(0, text.length / 2)],
    ['edited to accept anything', (text: string) => `${text.slice(0, text.indexOf('\n'))}\nmodule.exports = () => true;\nmodule.exports.scope = 'Namespaced';\n`],
  ])('fails when a custom resource has an unknown field, also after its cached validator was %s: the entry is compiled again', (_, corrupt) => {
    const m = recurringJob();
    (m.spec as Record<string, unknown>).retian = 7;
    const cacheDir = tempDir();
    const unknownField = [expect.stringContaining('spec.retian: unknown field "retian"')];
    expect(freshProblems(cacheDir, m)).toEqual(unknownField);
    const entries = fs.readdirSync(cacheDir).filter((name) => name.endsWith('.json') && !name.includes('.v8'));
    expect(entries).toHaveLength(1);
    const entry = path.join(cacheDir, entries[0]);
    const intact = fs.readFileSync(entry, 'utf8');
    fs.writeFileSync(entry, corrupt(intact));
    expect(freshProblems(cacheDir, m)).toEqual(unknownField);
    expect(fs.readFileSync(entry, 'utf8')).toBe(intact);
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
      expect.stringContaining('metadata.annotations.argocd.argoproj.io/sync-wave: must be a string (got number 10). Quote the value.'),
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

  testWithMirrors(['schemas'], 'pass without a namespace (fixtures that must not fire)', () => {
    expect(messages(clusterRole, store, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } })).toEqual([]);
  });

  test('fails when a built-in cluster-scoped object has a namespace', () => {
    expect(messages({ ...clusterRole, metadata: { name: 'reader', namespace: 'apps' } })).toEqual([
      'f0.yaml: ClusterRole/apps/reader: metadata.namespace: ClusterRole is cluster-scoped and takes no namespace (got "apps"). Remove metadata.namespace.',
    ]);
  });

  testWithMirrors(['schemas'], 'fails when a custom object whose CRD is cluster-scoped has a namespace', () => {
    expect(messages({ ...store, metadata: { name: 'aws', namespace: 'external-secrets' } })).toEqual([
      'f0.yaml: ClusterSecretStore/external-secrets/aws: metadata.namespace: ClusterSecretStore is cluster-scoped and takes no namespace (got "external-secrets"). Remove metadata.namespace.',
    ]);
  });
});
