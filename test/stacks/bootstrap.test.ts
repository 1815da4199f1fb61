import { ApiObject, Chart } from 'cdk8s';
import { FleetCluster } from '../../environments/schema';
import { buildEnvironment } from '../../stacks/pipeline';
import { findAll, findOne, Manifest } from '../../stacks/objects';
import { AppDescriptor } from '../../stacks/application';
import { LONGHORN_APP } from '../../stacks/apps/longhorn';
import { PLATFORM_APPS, platformContext } from '../../stacks/platform';
import { loadSettings } from '../../stacks/settings';
import { synthEnvironment } from '../../stacks/synth';
import { SYNC_WAVE_ANNOTATION, Wave } from '../../stacks/waves';
import { pinnedVersions } from '../../stacks/versions';
import { chartLiteralNamespaces, literalNamespaces } from '../support/chart-templates';
import { ENVIRONMENTS, built, manifests, variant } from '../support/environments';
import { testWithMirrors } from '../support/mirrors';

/** A component installed from the pinned Longhorn chart plus one plain manifest of its own. */
const CHART_APP: AppDescriptor = {
  name: 'storage-test',
  namespace: 'longhorn-system',
  wave: Wave.Operators,
  component: 'storage',
  enabled: () => true,
  build: (chart: Chart) => {
    new ApiObject(chart, 'job', {
      apiVersion: 'longhorn.io/v1beta2',
      kind: 'RecurringJob',
      metadata: { name: 'snapshot', labels: {} },
      spec: { cron: '0 * * * *', task: 'snapshot', groups: ['default'], retain: 3, concurrency: 1 },
    });
  },
  helm: () => ({ chart: 'longhorn', releaseName: 'longhorn', values: { persistence: { defaultClassReplicaCount: 2 } } }),
  clusterKinds: LONGHORN_APP.clusterKinds,
};

const allText = (m: unknown) => JSON.stringify(m);

describe.each(ENVIRONMENTS)('%s bootstrap', (env) => {
  test('holds one AppProject, named after the environment, with no wildcard anywhere', () => {
    const projects = findAll(manifests(env), 'AppProject');
    expect(projects.map((p) => p.metadata.name)).toEqual([env]);
    expect(allText(projects[0])).not.toContain('*');
  });

  test('every Application and ApplicationSet carries a sync-wave from the ladder and belongs to the project', () => {
    const ladder = Object.values(Wave).map(String);
    for (const a of [...findAll(manifests(env), 'Application'), ...findAll(manifests(env), 'ApplicationSet')]) {
      expect(ladder).toContain(a.metadata.annotations?.[SYNC_WAVE_ANNOTATION]);
      const spec = (a.kind === 'Application' ? a.spec : (a.spec as any).template.spec) as any;
      expect(spec.project).toBe(env);
      expect(spec.syncPolicy.syncOptions).toEqual(expect.arrayContaining(['CreateNamespace=false', 'ServerSideApply=true']));
      expect(spec.syncPolicy.retry.backoff).toEqual({ duration: '10s', factor: 2, maxDuration: '5m' });
    }
  });

  test('the project allows only the GitOps repository and the cluster-scoped kinds its objects hold', () => {
    const project = findOne(manifests(env), 'AppProject', env) as any;
    const releases = [...built(env).output.releases.values()];
    const chartRepos = releases.map((r) => pinnedVersions().charts[r.chart].repoURL);
    expect(project.spec.sourceRepos).toEqual([...new Set(['https://git.example.com/platform/gitops.git', ...chartRepos])].sort());
    const clusterKinds = project.spec.clusterResourceWhitelist.map((r: { group: string; kind: string }) => `${r.group}/${r.kind}`);
    const inOutput = manifests(env).filter((m) => ['Namespace', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding'].includes(m.kind));
    for (const m of inOutput) expect(clusterKinds).toContain(`${m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : ''}/${m.kind}`);
    for (const app of platformContext(built(env).spec).apps) for (const k of app.helm ? app.clusterKinds! : []) expect(clusterKinds).toContain(`${k.group}/${k.kind}`);
    expect(JSON.stringify(project.spec)).not.toContain('*');
  });
});

test('prod syncs by hand; staging syncs automatically with prune and self-heal', () => {
  const prod = findOne(manifests('prod'), 'Application', 'prod-namespaces') as any;
  expect(prod.spec.syncPolicy.automated).toBeUndefined();
  const staging = findOne(manifests('staging'), 'Application', 'staging-namespaces') as any;
  expect(staging.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
});

test('the root application runs where Argo CD runs and reads the bootstrap folder under gitops.path', () => {
  const spec = variant('staging', (s) => ((s.gitops as { path: string }).path = 'clusters'));
  const objects = synthEnvironment(spec).objects.map((o) => o.manifest);
  const root = findOne(objects, 'Application', 'staging-root') as any;
  expect(root.spec.source.path).toBe('clusters/staging/bootstrap');
  expect(root.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'argocd' });
  expect((findOne(objects, 'Application', 'staging-namespaces') as any).spec.source.path).toBe('clusters/staging/apps/namespaces');
});

describe('an application that installs a pinned chart', () => {
  const output = synthEnvironment(variant('staging', () => undefined), [...PLATFORM_APPS, CHART_APP]);
  const objects = output.objects.map((o) => o.manifest);
  const app = findOne(objects, 'Application', 'staging-storage-test') as any;

  test('is a multi-source Application: the chart at its pinned version, values from the Git repository', () => {
    expect(app.spec.source).toBeUndefined();
    expect(app.spec.sources).toEqual([
      {
        repoURL: 'https://charts.longhorn.io',
        chart: 'longhorn',
        targetRevision: '1.12.1',
        helm: { releaseName: 'longhorn', valueFiles: ['$values/staging/values/storage-test.yaml'] },
      },
      { repoURL: 'https://git.example.com/platform/gitops.git', targetRevision: 'main', path: 'staging/apps/storage-test', ref: 'values' },
    ]);
    expect(output.files.get('values/storage-test.yaml')).toContain('defaultClassReplicaCount: 2');
  });

  test('adds the chart repository and the chart\'s cluster-scoped kinds to the project', () => {
    const project = findOne(objects, 'AppProject', 'staging') as any;
    expect(project.spec.sourceRepos).toContain('https://charts.longhorn.io');
    expect(project.spec.clusterResourceWhitelist).toEqual(expect.arrayContaining([{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }, { group: 'scheduling.k8s.io', kind: 'PriorityClass' }]));
  });

  test('its custom resources skip the dry run while the operator\'s CRD is not there yet', () => {
    const job = findOne(objects, 'RecurringJob', 'snapshot') as Manifest;
    expect(job.metadata.annotations?.['argocd.argoproj.io/sync-options']).toBe('SkipDryRunOnMissingResource=true');
  });

  testWithMirrors(['schemas'], 'its values pass the check against the chart\'s defaults', () => {
    expect(buildEnvironment(variant('staging', () => undefined), loadSettings(), [...PLATFORM_APPS, CHART_APP]).problems).toEqual([]);
  });

  testWithMirrors(['schemas'], 'fails when a values key is misspelt', () => {
    const misspelt: AppDescriptor = { ...CHART_APP, helm: () => ({ chart: 'longhorn', releaseName: 'longhorn', values: { persistence: { defaultClassReplicaCont: 2 } } }) };
    const problems = buildEnvironment(variant('staging', () => undefined), loadSettings(), [...PLATFORM_APPS, misspelt]).problems;
    expect(problems).toEqual([
      expect.objectContaining({ file: 'staging/values/storage-test.yaml', message: expect.stringContaining('persistence.defaultClassReplicaCont: longhorn 1.12.1 has no value "defaultClassReplicaCont" under persistence. Did you mean "defaultClassReplicaCount"?') }),
    ]);
  });
});

describe('a fleet', () => {
  const fleetOf = (n: number): FleetCluster[] =>
    Array.from({ length: n }, (_, i) => ({ name: `edge-site-${String(i + 2).padStart(2, '0')}`, server: `https://edge-site-${i + 2}.edge.example.com:6443`, labels: { region: 'north' } }));
  const withClusters = (n: number) => synthEnvironment(variant('pi-edge', (s) => ((s.cluster as { fleet: FleetCluster[] }).fleet = fleetOf(n - 1))));

  test('stays the same as it grows: 2, 50 and 1,000 clusters give the same files, byte for byte, and 1 cluster the same objects', () => {
    const one = withClusters(1);
    const two = withClusters(2);
    // One cluster and no fleet: plain Applications.
    expect(findAll(one.objects.map((o) => o.manifest), 'ApplicationSet')).toHaveLength(0);
    expect(two.objects).toHaveLength(one.objects.length);
    // The same objects, each Application of the single cluster becoming an ApplicationSet of the fleet.
    const names = (o: typeof one) => o.objects.map((x) => `${x.manifest.kind.replace('ApplicationSet', 'Application')}/${x.manifest.metadata.name}`).sort();
    expect(names(two)).toEqual(names(one));
    expect(withClusters(50).files).toEqual(two.files);
    expect(withClusters(1000).files).toEqual(two.files);
  });

  test('each ApplicationSet selects the clusters registered with the environment\'s label, with strict Go templates', () => {
    const set = findOne(manifests('pi-edge'), 'ApplicationSet', 'pi-edge-namespaces') as any;
    expect(set.spec.goTemplate).toBe(true);
    expect(set.spec.goTemplateOptions).toEqual(['missingkey=error']);
    expect(set.spec.generators).toEqual([{ clusters: { selector: { matchLabels: { 'gitplane.dev/environment': 'pi-edge' } } } }]);
    expect(set.spec.template.metadata.name).toBe('pi-edge-namespaces-{{.name}}');
    expect(set.spec.template.spec.destination.server).toBe('{{.server}}');
    expect(set.spec.template.spec.source.path).toBe('pi-edge/apps/namespaces');
  });

  test('the project names no cluster of the fleet: its clusters, registered to it, get the namespaces it lists, and Argo CD\'s own cluster only Argo CD\'s namespace', () => {
    const project = findOne(manifests('pi-edge'), 'AppProject', 'pi-edge') as any;
    expect(project.spec.destinations).toEqual([{ server: 'https://kubernetes.default.svc', namespace: 'argocd' }]);
    expect(project.spec.permitOnlyProjectScopedClusters).toBeUndefined();
    const namespaces = project.metadata.annotations['gitplane.dev/cluster-namespaces'].split(',');
    expect(namespaces).toEqual([...namespaces].sort());
    expect(namespaces).toEqual(expect.arrayContaining(['monitoring', 'nats', 'longhorn-system', 'kube-system']));
    expect(namespaces).not.toContain('*');
    // A single cluster's project names it, namespace by namespace, and lists no cluster namespaces.
    const single = findOne(manifests('prod'), 'AppProject', 'prod') as any;
    expect(single.metadata.annotations?.['gitplane.dev/cluster-namespaces']).toBeUndefined();
    expect(single.spec.destinations.length).toBeGreaterThan(1);
  });
});

/** The namespaces a project grants: its destinations', and those of the clusters registered to it. */
function grantedNamespaces(project: any): string[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const registered = project.metadata.annotations?.['gitplane.dev/cluster-namespaces'];
  return [...project.spec.destinations.map((d: { namespace: string }) => d.namespace), ...(registered ? registered.split(',') : [])];
}

describe.each(ENVIRONMENTS)('%s charts', (env) => {
  testWithMirrors(['charts'], 'every namespace a pinned chart renders into with the environment\'s values is a destination of the project', () => {
    const destinations = grantedNamespaces(findOne(manifests(env), 'AppProject', env));
    for (const release of built(env).output.releases.values()) {
      const version = pinnedVersions().charts[release.chart].version;
      for (const ns of chartLiteralNamespaces(release.chart, version, release.values)) expect(destinations).toContain(ns);
    }
  });
});

test('a literal namespace counts only when the .Values conditions around it hold; other conditions are assumed to hold', () => {
  const template = [
    '{{- if and .Values.proxy.enabled .Values.proxy.service.enabled }}',
    'metadata:',
    '  {{- if .Values.ignore }}',
    '  namespace: default',
    '  {{- else }}',
    '  namespace: kube-system',
    '  {{- end }}',
    '{{- end }}',
    '{{- if eq .Values.mode "x" }}',
    '  namespace: other',
    '{{- end }}',
  ].join('\n');
  expect(literalNamespaces(template, { proxy: { enabled: true, service: { enabled: true } } })).toEqual(['kube-system', 'other']);
  expect(literalNamespaces(template, { proxy: { enabled: false, service: { enabled: true } }, ignore: true })).toEqual(['other']);
  expect(literalNamespaces(template, { proxy: { enabled: true, service: { enabled: {} } } })).toEqual(['other']);
});
