import * as fs from 'node:fs';
import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { Longhorn, LonghornProps, longhornValues, WARNING_ANNOTATION } from '../../constructs/storage/longhorn';
import { Manifest, findAll, findOne } from '../../stacks/objects';
import { InputError } from '../../stacks/errors';
import { parseEnvironment } from '../../stacks/environment';
import { loadSettings } from '../../stacks/settings';
import { chartDefaultsFile } from '../../validation';
import { checkDependencies, synthEnvironment, toYaml } from '../../stacks/synth';
import { AppDescriptor, appContext } from '../../stacks/application';
import { PLATFORM_APPS, platformContext } from '../../stacks/platform';
import { LONGHORN_APP, LONGHORN_MANAGER, LONGHORN_MANAGER_PORT } from '../../stacks/apps/longhorn';
import { pinnedVersions } from '../../stacks/versions';
import { Wave } from '../../stacks/waves';
import { chartNetworkPolicies } from '../support/chart-templates';
import { ENVIRONMENTS, built, manifests, variant } from '../support/environments';
import { connect } from '../../policies/lib/network-policy';
import { testEachWithMirrors, testWithMirrors } from '../support/mirrors';
import { testApp } from '../support/cdk8s';

const base: LonghornProps = { labels: { name: 'longhorn', instance: 'longhorn-test', component: 'storage' }, storageNodes: 3 };

function synth(props: LonghornProps): Manifest[] {
  const chart = new Chart(testApp(), 'test', { namespace: 'longhorn-system' });
  new Longhorn(chart, 'longhorn', props);
  return Testing.synth(chart) as Manifest[];
}

/** Dotted paths of every leaf key set in `values`; lists and JSON-string settings are leaves. */
function leafKeys(values: unknown, prefix = ''): string[] {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) return [prefix];
  return Object.entries(values).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
}

/** Keys of `values` the chart's default values do not have (Helm ignores them silently). */
function unknownKeys(values: Record<string, unknown>, defaults: Record<string, unknown>): string[] {
  return leafKeys(values).filter((key) => {
    let node: unknown = defaults;
    for (const part of key.split('.')) {
      if (node === null || typeof node !== 'object' || !(part in (node as object))) return true;
      node = (node as Record<string, unknown>)[part];
    }
    return false;
  });
}

const chartDefaults = (): Record<string, unknown> => {
  return parse(fs.readFileSync(chartDefaultsFile(loadSettings().helmValuesDirs, 'longhorn', pinnedVersions().charts.longhorn.version)!, 'utf8'));
};

/**
 * StorageClasses whose volumes no backup RecurringJob reaches. A class without a
 * recurringJobSelector puts its volumes in the `default` group; one with a selector puts them in
 * exactly the groups and jobs it names (and takes them out of `default`).
 */
function uncoveredStorageClasses(objects: readonly Manifest[]): string[] {
  const backups = findAll<any>(objects, 'RecurringJob').filter((j) => j.spec.task === 'backup' || j.spec.task === 'backup-force-create');
  return findAll<any>(objects, 'StorageClass')
    .filter((sc) => {
      if (sc.provisioner !== 'driver.longhorn.io') return true;
      const selector = sc.parameters?.recurringJobSelector;
      const entries: { name: string; isGroup?: boolean }[] = selector ? JSON.parse(selector) : [{ name: 'default', isGroup: true }];
      return !backups.some((job) => entries.some((e) => (e.isGroup ? (job.spec.groups ?? []).includes(e.name) : job.spec.name === e.name)));
    })
    .map((sc) => sc.metadata.name);
}

describe('every volume belongs to a backup group', () => {
  const withBackups = ENVIRONMENTS.filter((env) => built(env).spec.objectStore.longhornBackups);

  test('environments with a backup store exist', () => {
    expect(withBackups).toEqual(expect.arrayContaining(['prod', 'staging', 'pi-edge']));
  });

  test.each(withBackups)('every StorageClass of %s is covered by a backup job', (env) => {
    expect(findAll(manifests(env), 'StorageClass').length).toBeGreaterThan(0);
    expect(uncoveredStorageClasses(manifests(env))).toEqual([]);
  });

  test('fails when a StorageClass names a group that has no backup job', () => {
    const objects = structuredClone(manifests('prod')) as any[];
    findOne<any>(objects, 'StorageClass', 'longhorn').parameters.recurringJobSelector = JSON.stringify([{ name: 'nightly', isGroup: true }]);
    expect(uncoveredStorageClasses(objects)).toEqual(['longhorn']);
  });

  test('fails when the backup job leaves the default group and a StorageClass relies on it', () => {
    const objects = structuredClone(manifests('prod')) as any[];
    delete findOne<any>(objects, 'StorageClass', 'longhorn-quorum').parameters.recurringJobSelector;
    findOne<any>(objects, 'RecurringJob', 'gitplane-backup').spec.groups = ['gitplane'];
    expect(uncoveredStorageClasses(objects)).toEqual(['longhorn-quorum']);
  });
});

describe('prod', () => {
  test('the Longhorn application installs the pinned chart version in the operators wave', () => {
    expect(LONGHORN_APP.wave).toBe(Wave.Operators);
    expect(LONGHORN_APP.helm!(appContext(platformContext(built('prod').spec), LONGHORN_APP)).chart).toBe('longhorn');
    expect(pinnedVersions().charts.longhorn.version).toBe('1.12.1');
    expect(findOne<any>(manifests('prod'), 'Application', 'prod-longhorn').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe(String(Wave.Operators));
  });

  test('snapshots hourly and backups daily at 02:00, keeping 7, as custom resources after the chart', () => {
    const snapshot = findOne<any>(manifests('prod'), 'RecurringJob', 'gitplane-snapshot');
    const backup = findOne<any>(manifests('prod'), 'RecurringJob', 'gitplane-backup');
    expect(snapshot.spec).toMatchObject({ task: 'snapshot', cron: '0 * * * *', retain: 7, groups: ['default', 'gitplane'] });
    expect(backup.spec).toMatchObject({ task: 'backup', cron: '0 2 * * *', retain: 7, groups: ['default', 'gitplane'] });
    for (const job of [snapshot, backup]) {
      expect(job.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': String(Wave.CustomResources), 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' });
    }
  });

  test('StorageClasses keep their volumes (Retain); longhorn is the default, longhorn-quorum keeps one strict-local replica where the pod lands', () => {
    const rwo = findOne<any>(manifests('prod'), 'StorageClass', 'longhorn');
    const quorum = findOne<any>(manifests('prod'), 'StorageClass', 'longhorn-quorum');
    expect(rwo.reclaimPolicy).toBe('Retain');
    expect(quorum.reclaimPolicy).toBe('Retain');
    expect(rwo.metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBe('true');
    expect(quorum.metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBe('false');
    expect(quorum.volumeBindingMode).toBe('WaitForFirstConsumer');
    expect(rwo.parameters).toMatchObject({ numberOfReplicas: '3', dataLocality: 'disabled' });
    // Quorum systems replicate themselves; Longhorn replicas on top would multiply every write.
    expect(quorum.parameters).toMatchObject({ numberOfReplicas: '1', dataLocality: 'strict-local' });
    expect(rwo.metadata.namespace).toBeUndefined();
    expect(rwo.metadata.annotations[WARNING_ANNOTATION]).toBeUndefined();
  });

  test('the backup target is the S3 bucket, with credentials from an ExternalSecret of the secret store', () => {
    const values = built('prod').output.files.get('values/longhorn.yaml')!;
    expect(parse(values).defaultBackupStore).toEqual({ backupTarget: 's3://example-prod-longhorn-backups@eu-west-1/', backupTargetCredentialSecret: 'longhorn-backup-credentials' });
    const es = findOne<any>(manifests('prod'), 'ExternalSecret', 'longhorn-backup-credentials');
    expect(es.metadata.namespace).toBe('longhorn-system');
    expect(es.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'aws-secrets-manager' });
    expect(es.spec.data.map((d: any) => [d.secretKey, d.remoteRef.key])).toEqual([
      ['AWS_ACCESS_KEY_ID', 'prod/longhorn/backup-credentials'],
      ['AWS_SECRET_ACCESS_KEY', 'prod/longhorn/backup-credentials'],
    ]);
  });
});

describe('chart values', () => {
  testEachWithMirrors(['schemas'], ENVIRONMENTS, 'every key set for %s exists in the pinned chart\'s default values', (env) => {
    const values = parse(built(env).output.files.get('values/longhorn.yaml')!);
    expect(unknownKeys(values, chartDefaults())).toEqual([]);
  });

  testWithMirrors(['schemas'], 'fails when a key is misspelt', () => {
    expect(unknownKeys({ defaultSettings: { defaultReplicaCnt: 3 } }, chartDefaults())).toEqual(['defaultSettings.defaultReplicaCnt']);
  });

  test('replica count, data path and reservation come from the spec, per data engine', () => {
    const values = longhornValues({ ...base, numberOfReplicas: 2, defaultDataPath: '/mnt/disk/', storageReservedPercentageForDefaultDisk: 10 }) as any;
    expect(values.defaultSettings).toMatchObject({ defaultReplicaCount: '{"v1":"2","v2":"2"}', defaultDataPath: '/mnt/disk/', storageReservedPercentageForDefaultDisk: 10 });
    expect(values.persistence.createStorageClass).toBe(false);
    // The monitoring application's ServiceMonitor scrapes the managers, beside its CRD (stacks/apps/longhorn.ts).
    expect(values.metrics).toBeUndefined();
  });

  test('the replica count defaults to 3, capped at the storage nodes', () => {
    expect((longhornValues(base) as any).defaultSettings.defaultReplicaCount).toBe('{"v1":"3","v2":"3"}');
    expect((longhornValues({ ...base, storageNodes: 2 }) as any).defaultSettings.defaultReplicaCount).toBe('{"v1":"2","v2":"2"}');
    expect((longhornValues({ ...base, storageNodes: 5 }) as any).defaultSettings.defaultReplicaCount).toBe('{"v1":"3","v2":"3"}');
  });

  test('Raspberry Pi nodes get fewer CSI sidecars and gentler rebuilds', () => {
    const pi = parse(built('pi-edge').output.files.get('values/longhorn.yaml')!);
    expect(pi.csi.attacherReplicaCount).toBe(2);
    expect(pi.defaultSettings.concurrentReplicaRebuildPerNodeLimit).toBe(1);
    expect(pi.defaultSettings.guaranteedInstanceManagerCPU).toBe('{"v1":"5","v2":"5"}');
    const prod = parse(built('prod').output.files.get('values/longhorn.yaml')!);
    expect(prod.csi.attacherReplicaCount).toBe(3);
    expect(prod.defaultSettings.concurrentReplicaRebuildPerNodeLimit).toBeUndefined();
  });
});

describe('single node', () => {
  test('dev keeps one replica and says so on its StorageClasses', () => {
    const sc = findOne<any>(manifests('dev'), 'StorageClass', 'longhorn');
    expect(sc.parameters.numberOfReplicas).toBe('1');
    expect(sc.metadata.annotations[WARNING_ANNOTATION]).toMatch(/single replica/);
    expect(sc.reclaimPolicy).toBe('Delete');
  });

  test('without a backup store there is no backup job, and the StorageClasses say so', () => {
    const objects = synth({ ...base });
    expect(findAll(objects, 'RecurringJob').map((j) => j.metadata.name)).toEqual(['gitplane-snapshot']);
    expect(findAll(objects, 'ExternalSecret')).toEqual([]);
    expect(findOne<any>(objects, 'StorageClass', 'longhorn').metadata.annotations[WARNING_ANNOTATION]).toMatch(/No backup store/);
  });

  test('fails when one replica is asked for on several storage nodes', () => {
    expect(() => synth({ ...base, numberOfReplicas: 1 })).toThrow(/numberOfReplicas may be 1 only on a single storage node \(got 1 with 3 storage nodes\)/);
  });

  test('fails when the replicas exceed the storage nodes', () => {
    expect(() => synth({ ...base, numberOfReplicas: 4 })).toThrow(/must not exceed the number of storage nodes, 3 \(got 4\)/);
  });

  test('fails when there is no storage node', () => {
    expect(() => synth({ ...base, storageNodes: 0 })).toThrow(/needs at least one storage node \(got 0\)/);
  });
});

describe('environment checks', () => {
  const load = (change: (s: any) => void) => {
    const spec = variant('prod', change) as any;
    delete spec.$schema;
    return () => parseEnvironment(toYaml(spec), 'environments/prod.yaml', { expectName: 'prod' });
  };
  const problems = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return (e as InputError).problems.join('\n');
    }
    return '';
  };

  test('fails when backups are set but secrets.refs has no backup credentials', () => {
    expect(problems(load((s) => delete s.secrets.refs['longhorn-backup-credentials']))).toMatch(/secrets\.refs must define "longhorn-backup-credentials" when objectStore\.longhornBackups is set/);
  });

  test('fails when backups are set without External Secrets', () => {
    expect(problems(load((s) => (s.secrets.provider = 'sealed-secrets')))).toMatch(/secrets\.provider must be external-secrets when objectStore\.longhornBackups is set \(got "sealed-secrets"\)/);
  });

  test('fails when one replica is asked for on several storage nodes', () => {
    expect(problems(load((s) => (s.components.longhorn.numberOfReplicas = 1)))).toMatch(/components\.longhorn\.numberOfReplicas may be 1 only on a single storage node \(got 1 with 4 storage nodes\)/);
  });

  test('fails when no node has the storage role', () => {
    expect(problems(load((s) => s.cluster.nodes.forEach((n: any) => (n.roles = n.roles.filter((r: string) => r !== 'storage').concat(n.roles.length === 1 ? ['worker'] : [])))))).toMatch(
      /cluster\.nodes must include at least one node with the role storage when Longhorn is enabled/,
    );
  });
});

describe('the node preflight comes first', () => {
  const preflight = (wave: number): AppDescriptor => ({ name: 'node-preflight', namespace: 'node-preflight', wave, component: 'node-preflight', enabled: () => true, build: () => undefined });

  test('Longhorn declares the preflight as a dependency, whose wave is earlier', () => {
    expect(LONGHORN_APP.dependsOn).toContain('node-preflight');
    expect(() => checkDependencies([preflight(Wave.Preflight), LONGHORN_APP])).not.toThrow();
    expect(() => checkDependencies(PLATFORM_APPS)).not.toThrow();
  });

  test('fails when the preflight is not in an earlier wave', () => {
    expect(() => checkDependencies([preflight(Wave.Services), LONGHORN_APP])).toThrow(/application longhorn \(wave -10\) depends on node-preflight \(wave 0\), which must be in an earlier wave/);
  });

  test('synth refuses a platform whose dependencies are out of order', () => {
    expect(() => synthEnvironment(built('dev').spec, [preflight(Wave.Jobs), LONGHORN_APP])).toThrow(/must be in an earlier wave/);
  });
});

describe('Prometheus scrapes the Longhorn manager', () => {
  const scraped = ENVIRONMENTS.filter((env) => built(env).output.releases.has('longhorn') && built(env).output.releases.has('observability-prometheus'));

  test('environments run both Longhorn and Prometheus', () => {
    expect(scraped.length).toBeGreaterThan(0);
  });

  testEachWithMirrors(['charts'], scraped, '%s: the chart\'s and gitplane\'s NetworkPolicies admit Prometheus to longhorn-manager:9500, and no other namespace', (env) => {
    const chartPolicies = chartNetworkPolicies('longhorn', '1.12.1', 'longhorn-system', built(env).output.releases.get('longhorn')!.values);
    // The chart restricts the manager by default; without that policy this test would prove nothing.
    expect(chartPolicies.map((p) => p.metadata.name)).toContain(LONGHORN_MANAGER);
    const policies = [...chartPolicies, ...findAll(manifests(env), 'NetworkPolicy')];
    const manager = { namespace: 'longhorn-system', labels: { app: LONGHORN_MANAGER }, ports: [{ name: 'manager', containerPort: LONGHORN_MANAGER_PORT }, { name: 'admission-wh', containerPort: 9502 }] };
    const prometheus = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
    const admitted = (from: typeof prometheus, port: number) => connect(policies, new Map(), { from, to: manager, port }).allowed;
    expect(admitted(prometheus, LONGHORN_MANAGER_PORT)).toBe(true);
    expect(admitted({ ...prometheus, namespace: 'default' }, LONGHORN_MANAGER_PORT)).toBe(false);
    expect(admitted(prometheus, 9502)).toBe(false);
  });
});
