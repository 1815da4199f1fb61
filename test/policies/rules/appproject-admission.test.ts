import { fromBuilt } from '../../../policies/inputs';
import { PolicyEnvironment } from '../../../policies/types';
import { Manifest, RenderedObject } from '../../../stacks/objects';
import { ENVIRONMENTS, built } from '../../support/environments';
import { application, check, env, messages, obj } from '../support';

const RULE = 'appproject-admission';

/** A shipped environment as policy sees it, its AppProject changed by `change`, plus `extra` objects. */
function shipped(name: string, change: (spec: Record<string, any>) => void, extra: RenderedObject[] = []): PolicyEnvironment { // eslint-disable-line @typescript-eslint/no-explicit-any
  const base = fromBuilt(built(name));
  const objects = base.objects.map((o) => {
    if (o.manifest.kind !== 'AppProject') return o;
    const manifest = structuredClone(o.manifest);
    change(manifest.spec as Record<string, unknown>);
    return { ...o, manifest };
  });
  return { ...base, objects: [...objects, ...extra] };
}

/** A shipped environment whose AppProject registers its clusters with other namespaces (undefined: none). */
function withClusterNamespaces(name: string, change: (namespaces: string[]) => string[] | undefined): PolicyEnvironment {
  const base = fromBuilt(built(name));
  const key = 'gitplane.dev/cluster-namespaces';
  return {
    ...base,
    objects: base.objects.map((o) => {
      if (o.manifest.kind !== 'AppProject') return o;
      const manifest = structuredClone(o.manifest);
      const annotations = manifest.metadata.annotations as Record<string, string>;
      const changed = change(annotations[key].split(','));
      if (changed === undefined) delete annotations[key];
      else annotations[key] = changed.join(',');
      return { ...o, manifest };
    }),
  };
}

/** An object a rendered Helm chart adds to application `app`, marked with that application. */
function fromChart(manifest: Manifest, app: string): RenderedObject {
  return { manifest, app, file: `charts/${app}/${manifest.kind.toLowerCase()}-${manifest.metadata.name}.yaml` };
}

const coredns = (namespace?: string) =>
  fromChart({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kps-coredns', ...(namespace ? { namespace } : {}) }, spec: { ports: [{ name: 'http-metrics', port: 9153 }] } }, 'observability-prometheus');

/** An AppProject `prod` with these grants. */
function project(spec: Record<string, unknown>): RenderedObject {
  return { manifest: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'prod', namespace: 'argocd' }, spec }, app: 'bootstrap', file: 'bootstrap/appproject-prod.yaml' };
}

const IN_CLUSTER = 'https://kubernetes.default.svc';
const REPO = 'https://git.example.com/platform/gitops.git';
const demoProject = (extra: Record<string, unknown> = {}) => project({ sourceRepos: [REPO], destinations: [{ server: IN_CLUSTER, namespace: 'demo' }], ...extra });

describe('appproject-admission', () => {
  test.each(ENVIRONMENTS)('passes every object of the shipped environment %s (must-not-fire)', (name) => {
    expect(check(RULE, fromBuilt(built(name)))).toEqual([]);
  });

  test('fails when a chart renders a Service into kube-system and the AppProject has no such destination', () => {
    const e = shipped('dev', (s) => (s.destinations = s.destinations.filter((d: { namespace: string }) => d.namespace !== 'kube-system')), [coredns('kube-system')]);
    const findings = check(RULE, e);
    expect(messages(findings)).toEqual([
      "appproject-admission: Service kube-system/kps-coredns of application dev-observability-prometheus lands in namespace kube-system on https://kubernetes.default.svc, which AppProject dev does not permit as a destination; Argo CD refuses to sync the whole application (namespace kube-system is not permitted in project 'dev').",
    ]);
    expect(findings[0]).toMatchObject({ ref: 'Service/kube-system/kps-coredns', file: 'dist/dev/charts/observability-prometheus/service-kps-coredns.yaml', value: 'kube-system' });
  });

  test('passes the same Service once the AppProject allows kube-system, and a chart object without a namespace in the destination namespace (must-not-fire)', () => {
    expect(check(RULE, shipped('dev', () => undefined, [coredns('kube-system'), coredns()]))).toEqual([]);
  });

  test('fails when a namespaced object lands outside the destinations, its own namespace or (without one) the destination namespace', () => {
    const objects = [obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'elsewhere' } }), obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y' } })];
    const inDemo = env([demoProject(), application('demo', 0, { project: 'prod', destination: { server: IN_CLUSTER, namespace: 'demo' } }), ...objects]);
    expect(check(RULE, inDemo).map((f) => f.ref)).toEqual(['ConfigMap/elsewhere/x']);
    const inOther = env([demoProject(), application('demo', 0, { project: 'prod', destination: { server: IN_CLUSTER, namespace: 'other' } }), ...objects]);
    expect(messages(check(RULE, inOther))).toEqual([
      "appproject-admission: ConfigMap elsewhere/x of application prod-demo lands in namespace elsewhere on https://kubernetes.default.svc, which AppProject prod does not permit as a destination; Argo CD refuses to sync the whole application (namespace elsewhere is not permitted in project 'prod').",
      "appproject-admission: ConfigMap other/y of application prod-demo lands in namespace other on https://kubernetes.default.svc, which AppProject prod does not permit as a destination; Argo CD refuses to sync the whole application (namespace other is not permitted in project 'prod').",
      'appproject-admission: Application prod-demo deploys to namespace other on https://kubernetes.default.svc, which AppProject prod does not permit as a destination; Argo CD refuses the application.',
    ]);
  });

  test('fails when a cluster-scoped kind is not in the whitelist or is blacklisted by name', () => {
    const e = env([
      demoProject({ clusterResourceWhitelist: [{ group: 'rbac.authorization.k8s.io', kind: 'Cluster*' }], clusterResourceBlacklist: [{ group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin-*' }] }),
      application('demo', 0, { project: 'prod', destination: { server: IN_CLUSTER, namespace: 'demo' } }),
      obj({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' } }),
      obj({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'admin-all' } }),
      obj({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'critical', namespace: 'demo' } }),
    ]);
    expect(messages(check(RULE, e))).toEqual([
      'appproject-admission: ClusterRole admin-all of application prod-demo is of cluster-scoped kind rbac.authorization.k8s.io/ClusterRole, which AppProject prod does not admit (clusterResourceWhitelist/clusterResourceBlacklist); Argo CD refuses to sync the whole application.',
      'appproject-admission: PriorityClass critical of application prod-demo is of cluster-scoped kind scheduling.k8s.io/PriorityClass, which AppProject prod does not admit (clusterResourceWhitelist/clusterResourceBlacklist); Argo CD refuses to sync the whole application.',
    ]);
  });

  test('fails when a CRD declares a custom kind cluster-scoped and the project does not grant it', () => {
    const crd = obj({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' }, spec: { group: 'example.com', scope: 'Cluster', names: { kind: 'Widget' } } });
    const e = env([demoProject({ clusterResourceWhitelist: [{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' }] }), application('demo', 0, { project: 'prod', destination: { server: IN_CLUSTER, namespace: 'demo' } }), crd, obj({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })]);
    expect(messages(check(RULE, e))).toEqual([
      'appproject-admission: Widget w of application prod-demo is of cluster-scoped kind example.com/Widget, which AppProject prod does not admit (clusterResourceWhitelist/clusterResourceBlacklist); Argo CD refuses to sync the whole application.',
    ]);
  });

  test('fails when an empty namespace whitelist admits no namespaced kind, and when the blacklist names one', () => {
    const app = application('demo', 0, { project: 'prod', destination: { server: IN_CLUSTER, namespace: 'demo' } });
    const cm = obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'demo' } });
    const expected = 'appproject-admission: ConfigMap demo/x of application prod-demo is of namespaced kind core/ConfigMap, which AppProject prod does not admit (namespaceResourceWhitelist/namespaceResourceBlacklist); Argo CD refuses to sync the whole application.';
    expect(messages(check(RULE, env([demoProject({ namespaceResourceWhitelist: [] }), app, cm])))).toEqual([expected]);
    expect(messages(check(RULE, env([demoProject({ namespaceResourceBlacklist: [{ group: '', kind: 'Config?ap' }] }), app, cm])))).toEqual([expected]);
    expect(check(RULE, env([demoProject({ namespaceResourceWhitelist: [{ group: '*', kind: 'ConfigMap' }] }), app, cm]))).toEqual([]);
  });

  test('fails when a deny destination refuses the namespace a wildcard would admit', () => {
    const destinations = [{ server: '*', namespace: '*' }, { server: IN_CLUSTER, namespace: '!kube-*' }];
    const app = application('demo', 0, { project: 'prod', destination: { server: IN_CLUSTER, namespace: 'demo' } });
    const e = env([project({ sourceRepos: ['*'], destinations }), app, obj({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'dns', namespace: 'kube-system' } }), obj({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ok', namespace: 'demo' } })]);
    expect(check(RULE, e).map((f) => f.ref)).toEqual(['Service/kube-system/dns']);
  });

  test('passes a destination that names the cluster as Argo CD registers it (in-cluster) rather than by server (must-not-fire)', () => {
    const app = application('demo', 0, { project: 'prod', destination: { server: IN_CLUSTER, namespace: 'demo' } });
    const cm = obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'demo' } });
    expect(check(RULE, env([project({ sourceRepos: [REPO], destinations: [{ name: 'in-cluster', namespace: 'demo' }] }), app, cm]))).toEqual([]);
  });

  test('fails when a deny entry on the cluster name refuses the cluster a server wildcard admits', () => {
    const app = application('demo', 0, { project: 'prod', destination: { server: IN_CLUSTER, namespace: 'demo' } });
    const destinations = [{ server: '*', namespace: 'demo' }, { name: '!in-*', namespace: '*' }];
    expect(check(RULE, env([project({ sourceRepos: [REPO], destinations }), app])).map((f) => f.value)).toEqual([`${IN_CLUSTER} demo`]);
  });

  test('passes repositories a glob in sourceRepos admits: * stops at a slash, ** does not, .git and case do not matter (must-not-fire)', () => {
    const repos = ['https://GIT.example.com/platform/gitops', 'https://git.example.com/platform/gitops.git'];
    for (const sourceRepos of [['https://git.example.com/platform/*'], ['https://git.example.com/**'], ['https://git.example.com/platform/{gitops,other}.git']]) {
      for (const repoURL of repos) {
        const app = application('demo', 0, { project: 'prod', source: { repoURL, targetRevision: 'main', path: 'prod/apps/demo' }, destination: { server: IN_CLUSTER, namespace: 'demo' } });
        expect(check(RULE, env([demoProject({ sourceRepos }), app]))).toEqual([]);
      }
    }
  });

  test('fails when a glob in sourceRepos does not reach the repository, or a deny entry refuses it', () => {
    const app = (repoURL: string) => application('demo', 0, { project: 'prod', source: { repoURL, targetRevision: 'main', path: 'prod/apps/demo' }, destination: { server: IN_CLUSTER, namespace: 'demo' } });
    const nested = 'https://git.example.com/platform/team/gitops.git';
    expect(messages(check(RULE, env([demoProject({ sourceRepos: ['https://git.example.com/platform/*'] }), app(nested)])))).toEqual([
      `appproject-admission: Application prod-demo reads repository ${nested}, which the sourceRepos of AppProject prod do not admit; Argo CD refuses the application.`,
    ]);
    expect(check(RULE, env([demoProject({ sourceRepos: ['https://git.example.com/**', '!https://git.example.com/platform/team/*'] }), app(nested)])).map((f) => f.value)).toEqual([nested]);
  });

  test('fails when an Application deploys to a destination its project does not permit, or names a project that does not exist', () => {
    const toOther = application('demo', 0, { project: 'prod', destination: { server: 'https://other.example.com:6443', namespace: 'demo' } });
    expect(messages(check(RULE, env([demoProject(), toOther])))).toEqual([
      'appproject-admission: Application prod-demo deploys to namespace demo on https://other.example.com:6443, which AppProject prod does not permit as a destination; Argo CD refuses the application.',
    ]);
    const lost = application('demo', 0, { project: 'staging' });
    expect(messages(check(RULE, env([demoProject(), lost])))).toEqual(['appproject-admission: Application prod-demo belongs to AppProject staging, which is not in the output; Argo CD refuses an application whose project does not exist.']);
  });

  test('passes a fleet judged without its environment file, whose cluster servers are then any the project lists (must-not-fire)', () => {
    expect(check(RULE, { ...fromBuilt(built('pi-edge')), spec: undefined })).toEqual([]);
  });

  test("fails when the namespaces a fleet's clusters are registered with miss one: each Application the ApplicationSet stamps on each selected cluster is judged", () => {
    const site = 'https://edge-site-03.edge.example.com:6443';
    const findings = check(RULE, withClusterNamespaces('pi-edge', (namespaces) => namespaces.filter((n) => n !== 'nats')));
    expect(new Set(findings.map((f) => f.message.replace(/^\S+ \S+ /, '')))).toContain(
      `of application pi-edge-nats-edge-site-03 lands in namespace nats on ${site}, which AppProject pi-edge does not permit as a destination; Argo CD refuses to sync the whole application (namespace nats is not permitted in project 'pi-edge').`,
    );
    expect(findings.map((f) => f.message)).toContain(`Application pi-edge-nats-edge-site-03 deploys to namespace nats on ${site}, which AppProject pi-edge does not permit as a destination; Argo CD refuses the application.`);
    for (const cluster of ['edge-site-01', 'edge-site-02', 'edge-site-03']) expect(findings.some((f) => f.message.startsWith(`Application pi-edge-nats-${cluster} deploys`))).toBe(true);
    expect(findings.every((f) => f.message.includes('nats'))).toBe(true);
  });

  test("fails when a fleet's project lists no namespaces for the clusters registered to it: Argo CD's own namespace is all it grants", () => {
    const findings = check(RULE, withClusterNamespaces('pi-edge', () => undefined));
    expect(findings.map((f) => f.message)).toContain(
      'Application pi-edge-nats-edge-site-02 deploys to namespace nats on https://edge-site-02.edge.example.com:6443, which AppProject pi-edge does not permit as a destination; Argo CD refuses the application.',
    );
  });

  test('judges only the clusters the cluster generator selects, by the labels each is registered with', () => {
    const south = (e: PolicyEnvironment): PolicyEnvironment => ({
      ...e,
      objects: e.objects.map((o) => {
        if (o.manifest.kind !== 'ApplicationSet') return o;
        const manifest = structuredClone(o.manifest) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
        manifest.spec.generators[0].clusters.selector.matchLabels.region = 'south';
        return { ...o, manifest };
      }),
    });
    const findings = check(RULE, south(withClusterNamespaces('pi-edge', (namespaces) => namespaces.filter((n) => n !== 'nats'))));
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.message.includes('pi-edge-nats-edge-site-03'))).toBe(true);
  });

  test('fails, without the environment file, when a fleet application lands in a namespace its clusters are not registered with', () => {
    const findings = check(RULE, { ...withClusterNamespaces('pi-edge', (namespaces) => namespaces.filter((n) => n !== 'nats')), spec: undefined });
    expect(findings.map((f) => f.message)).toContain(
      'Application pi-edge-nats-<cluster> deploys to namespace nats on (an unresolved cluster), which AppProject pi-edge does not permit as a destination; Argo CD refuses the application.',
    );
  });
});
