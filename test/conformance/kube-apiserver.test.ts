/**
 * Every environment applied to a real kube-apiserver at the environments' Kubernetes version, its
 * Helm applications rendered as Argo CD renders them (the pinned charts, real Helm), in the order
 * Argo CD syncs it: the CRDs first (the charts' own, then Argo CD's), then the bootstrap objects (the root application's),
 * then each Application's objects by the Application's wave, the object's wave, Argo CD's kind
 * order and name. Each object is applied server-side (field manager `gitplane`, forced) as a
 * dry run with strict field validation, then for real; then the whole environment is applied
 * again and no object may change. Environments run in sequence on one server, each as a cluster
 * of its own: an environment's objects are deleted before the next one is applied.
 *
 * Pod Security admission enforces only on Pods, which nothing creates here (there is no
 * controller manager): every pod template is therefore also submitted as a Pod (dry run) in its
 * namespace, so each namespace's `pod-security.kubernetes.io/enforce` level is really enforced.
 *
 * @see https://kubernetes.io/docs/reference/using-api/server-side-apply/
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 */
import { spawnSync } from 'node:child_process';
import { byCodePoint } from '../../constructs/core/order';
import { isClusterScoped, Manifest, RenderedObject, objectRef } from '../../stacks/objects';
import { SYNC_WAVE_ANNOTATION } from '../../stacks/waves';
import { metadataProblems } from '../../validation/object-meta';
import { rendered } from '../support/charts';
import { configuredCrds } from '../support/crds';
import { ENVIRONMENTS, built } from '../support/environments';
import { ApiResponse, KubeApiServer, startKubeApiServer } from '../support/kube-apiserver';
import { until } from '../support/loopback';
import { describeWithTool } from '../support/tools';
import { describeWithMirrors } from '../support/mirrors';

const FIELD_MANAGER = 'gitplane';
/**
 * Warnings the API server gives for what is applied on purpose, each with its reason, matched
 * against `<step> of <object>: <warning>`. Any other warning fails the test.
 */
const EXPECTED_WARNINGS: readonly { pattern: RegExp; reason: string }[] = [
  {
    pattern: /^(dry run|apply) of [^ ]+ \(AppProject\/argocd\/[^)]+\): metadata\.finalizers: "resources-finalizer\.argocd\.argoproj\.io": prefer a domain-qualified finalizer name /,
    reason: 'Argo CD knows an AppProject\'s finalizer only by this name: a qualified one would not keep a project from being deleted while applications use it.',
  },
  {
    pattern: /^apply CustomResourceDefinition\/[a-z]+\.longhorn\.io: unrecognized format "int64"$/,
    reason: 'Longhorn 1.12.1\'s own CRDs, applied as its chart ships them, declare `format: int64` on string fields; the API server does not check that format.',
  },
];

/** The helm binary rendering the charts (set by the outermost describe, which needs it). */
let helmBinary = '';

/**
 * What the environment's Helm applications render, as Argo CD applies it: namespaced objects
 * without a namespace land in the release's namespace; Helm test hooks, which Argo CD does not
 * run, are left out.
 */
function chartObjectsOf(env: string): RenderedObject[] {
  const b = rendered(env, helmBinary);
  const charts = b.charts!;
  expect(charts.problems).toEqual([]);
  const namespaceOf = new Map(charts.releases.map((r) => [r.valuesFile, r.namespace]));
  return charts.objects
    .filter((o) => !/\btest\b/.test(o.manifest.metadata.annotations?.['helm.sh/hook'] ?? ''))
    .map((o) => (o.manifest.metadata.namespace || isClusterScoped(o.manifest.apiVersion, o.manifest.kind) || o.manifest.kind === 'CustomResourceDefinition' ? o : { ...o, manifest: { ...o.manifest, metadata: { ...o.manifest.metadata, namespace: namespaceOf.get(o.file) } } }));
}

/**
 * The CRDs an environment's custom resources need: those its charts install, then those of the
 * schema mirror for what no chart of the environment installs (Argo CD's, which the Pulumi program
 * installs with Argo CD itself).
 */
function crdsOf(env: string): Manifest[] {
  const fromCharts = chartObjectsOf(env).filter((o) => o.manifest.kind === 'CustomResourceDefinition').map((o) => o.manifest);
  const names = new Set(fromCharts.map((c) => c.metadata.name));
  return [...fromCharts, ...(configuredCrds() as unknown as Manifest[]).filter((c) => !names.has(c.metadata.name))];
}

/**
 * Admission webhooks a chart registers call its own pods, and no pod runs here (there is no
 * kubelet): once registered, every object they judge would be refused for a webhook nobody serves.
 * They are applied as a dry run only (strict field validation still judges them), not for real.
 */
const WEBHOOK_KINDS = new Set(['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);

/** What Argo CD applies for an environment: gitplane's objects (bootstrap and every application) and its charts' (CRDs apart). */
function objectsOf(env: string): RenderedObject[] {
  return [...built(env).output.objects, ...chartObjectsOf(env).filter((o) => o.manifest.kind !== 'CustomResourceDefinition' && !WEBHOOK_KINDS.has(o.manifest.kind))];
}

/**
 * The namespace Argo CD runs in, with the labels the Pulumi program gives it
 * (stacks/pulumi/argocd.ts): it exists before the root application syncs the bootstrap objects.
 */
const ARGOCD_NAMESPACE: Manifest = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd', labels: { 'app.kubernetes.io/managed-by': 'pulumi' } } };

/** Namespaces that exist before gitplane's objects: the API server's own, and Argo CD's. */
const PREEXISTING_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', ARGOCD_NAMESPACE.metadata.name]);

/** Objects in a namespace that neither exists beforehand nor is created by the environment. */
function withoutNamespace(env: string, objects: readonly RenderedObject[]): string[] {
  const created = new Set(objects.filter((o) => o.manifest.kind === 'Namespace').map((o) => o.manifest.metadata.name));
  return objects
    .filter((o) => o.manifest.metadata.namespace && !created.has(o.manifest.metadata.namespace) && !PREEXISTING_NAMESPACES.has(o.manifest.metadata.namespace))
    .map((o) => `${env}/${o.file} (${objectRef(o.manifest)}): no object of the environment creates namespace ${o.manifest.metadata.namespace}`);
}

/** Argo CD's kind order within one wave; other kinds (custom resources) come after these. */
const KIND_ORDER = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget', 'ServiceAccount', 'Secret', 'SecretList', 'ConfigMap',
  'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding',
  'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet',
  'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService',
];

function waveOf(m: Manifest): number {
  return Number(m.metadata.annotations?.[SYNC_WAVE_ANNOTATION] ?? 0);
}

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

/** The environment's objects in sync order: the root application's (bootstrap) first, then each Application's by its wave. */
function syncOrder(env: string, objects: readonly RenderedObject[]): RenderedObject[] {
  const appWave = new Map<string, number>();
  for (const o of objects) if (o.app === 'bootstrap' && /^Application(Set)?$/.test(o.manifest.kind)) appWave.set(o.manifest.metadata.name, waveOf(o.manifest));
  const rank = (o: RenderedObject): number[] => {
    if (o.app === 'bootstrap') return [0, 0, waveOf(o.manifest), kindRank(o.manifest.kind)];
    const wave = appWave.get(`${env}-${o.app}`);
    if (wave === undefined) throw new Error(`${env}: no Application or ApplicationSet ${env}-${o.app} in bootstrap/ for ${o.file}`);
    return [1, wave, waveOf(o.manifest), kindRank(o.manifest.kind)];
  };
  return [...objects]
    .map((o) => ({ o, r: rank(o) }))
    .sort((a, b) => a.r.map((x, i) => x - b.r[i]).find((d) => d !== 0) ?? byCodePoint(a.o.manifest.metadata.name, b.o.manifest.metadata.name))
    .map(({ o }) => o);
}

/** The pod template of a workload, where it has one. */
function podTemplate(m: Manifest): { metadata?: Record<string, unknown>; spec: Record<string, unknown> } | undefined {
  const spec = m.spec as any;
  if (m.kind === 'CronJob') return spec?.jobTemplate?.spec?.template;
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController'].includes(m.kind)) return spec?.template;
  return undefined;
}

/**
 * The first Pod a workload's controller would create: its template, named, and for a StatefulSet
 * with a volume for each claim template, bound to the claim the controller makes for ordinal 0.
 */
function firstPod(m: Manifest): Manifest | undefined {
  const template = podTemplate(m);
  if (!template) return undefined;
  const { name, namespace } = m.metadata;
  const claims: any[] = m.kind === 'StatefulSet' ? ((m.spec as any).volumeClaimTemplates ?? []) : [];
  const claimVolumes = claims.map((c) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: `${c.metadata.name}-${name}-0` } }));
  const spec = claimVolumes.length ? { ...template.spec, volumes: [...((template.spec.volumes as unknown[]) ?? []), ...claimVolumes] } : template.spec;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, name: `${name}-0`, namespace }, spec };
}

/** A ConfigMap in the argocd namespace with these labels and annotations. */
const configMap = (labels: Record<string, string>, annotations: Record<string, string> = {}) => (name: string): Manifest => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ARGOCD_NAMESPACE.metadata.name, labels, annotations },
});

/** A Deployment in the argocd namespace whose pod template carries these labels. */
const deployment = (templateLabels: Record<string, string>) => (name: string): Manifest => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ARGOCD_NAMESPACE.metadata.name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name, ...templateLabels } }, spec: { containers: [{ name: 'c', image: 'registry.example.com/c:1' }] } },
  },
});

/**
 * An object of `kind` named `name` in the argocd namespace, with the spec the kind needs. (A name
 * with "/" or "%", which no object may have, and a namespace that is not a DNS label cannot reach
 * validation here: the server answers 400 or 404 for the request's path first.)
 */
const named = (kind: string, name: string) => (): Manifest => {
  const pod = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'registry.example.com/c:1' }], restartPolicy: 'OnFailure' } };
  const objects: Record<string, Omit<Manifest, 'metadata'>> = {
    ConfigMap: { apiVersion: 'v1', kind },
    Namespace: { apiVersion: 'v1', kind },
    Service: { apiVersion: 'v1', kind, spec: { ports: [{ port: 80 }] } },
    Role: { apiVersion: 'rbac.authorization.k8s.io/v1', kind, rules: [] },
    StatefulSet: { apiVersion: 'apps/v1', kind, spec: { selector: { matchLabels: { app: 'a' } }, template: { ...pod, spec: { ...pod.spec, restartPolicy: 'Always' } } } },
    CronJob: { apiVersion: 'batch/v1', kind, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: pod } } } },
  };
  return { ...objects[kind], metadata: { name, ...(kind === 'Namespace' ? {} : { namespace: ARGOCD_NAMESPACE.metadata.name }) } } as Manifest;
};

/** Names, namespaces, labels and annotations at the edges of the API server's rules (validation/object-meta.ts). */
const METADATA_CASES: readonly { name: string; object: (name: string) => Manifest }[] = [
  { name: 'a ConfigMap named with "." and "-"', object: named('ConfigMap', 'a.b-c') },
  { name: 'a ConfigMap named with "_" and capitals', object: named('ConfigMap', 'Bad_Name') },
  { name: 'a Service named with "."', object: named('Service', 'svc.with.dots') },
  { name: 'a Service named with a leading digit', object: named('Service', '1svc') },
  { name: 'a Namespace named with capitals', object: named('Namespace', 'Default') },
  { name: 'a Namespace named with "-"', object: named('Namespace', 'a-b') },
  { name: 'a StatefulSet named with "."', object: named('StatefulSet', 'a.b') },
  { name: 'a Role named with "." and ":"', object: named('Role', 'a.b:C') },
  { name: 'a CronJob named with 52 characters', object: named('CronJob', 'c'.repeat(52)) },
  { name: 'a CronJob named with 53 characters', object: named('CronJob', 'c'.repeat(53)) },
  { name: 'an empty label value', object: configMap({ a: '' }) },
  { name: 'a prefixed key and a 63-character value', object: configMap({ 'example.com/a_b.c-d': 'V'.repeat(63) }) },
  { name: 'a 64-character value', object: configMap({ a: 'v'.repeat(64) }) },
  { name: 'a value ending in "-"', object: configMap({ a: 'v1-' }) },
  { name: 'a tag and digest as a value', object: configMap({ 'app.kubernetes.io/version': `2.14.2-alpine@sha256:${'0'.repeat(64)}` }) },
  { name: 'a key with two "/"', object: configMap({ 'a/b/c': 'v' }) },
  { name: 'a key with an upper-case prefix', object: configMap({ 'Example.com/a': 'v' }) },
  { name: 'a key with an empty prefix', object: configMap({ '/a': 'v' }) },
  { name: 'a 64-character key name', object: configMap({ [`k${'e'.repeat(63)}`]: 'v' }) },
  { name: 'an annotation key with an upper-case prefix', object: configMap({}, { 'Example.com/Note': 'v' }) },
  { name: 'an annotation key with a space', object: configMap({}, { 'a note': 'v' }) },
  { name: 'annotations of 256 KiB', object: configMap({}, { a: 'x'.repeat(256 * 1024 - 1) }) },
  { name: 'annotations of 256 KiB and a byte', object: configMap({}, { a: 'x'.repeat(256 * 1024) }) },
  { name: 'a pod template label value of 64 characters', object: deployment({ b: 'v'.repeat(64) }) },
  { name: 'a pod template label value of 63 characters', object: deployment({ b: 'v'.repeat(63) }) },
];

/** REST paths of objects, from the server's discovery documents. */
class Resources {
  private readonly groups = new Map<string, { name: string; kind: string; namespaced: boolean }[]>();

  constructor(private readonly server: KubeApiServer) {}

  /** The resource serving an object's kind, as discovery describes it. */
  async resource(m: Manifest): Promise<{ base: string; name: string; namespaced: boolean }> {
    const base = m.apiVersion.includes('/') ? `/apis/${m.apiVersion}` : `/api/${m.apiVersion}`;
    let resource = (await this.discover(base, false)).find((r) => r.kind === m.kind);
    // A kind that arrived with a CRD since the last look.
    resource ??= (await this.discover(base, true)).find((r) => r.kind === m.kind);
    if (!resource) throw new Error(`the server does not serve ${m.kind} in ${m.apiVersion} (for ${objectRef(m)})`);
    return { base, name: resource.name, namespaced: resource.namespaced };
  }

  async path(m: Manifest): Promise<string> {
    const { base, name, namespaced } = await this.resource(m);
    if (namespaced && !m.metadata.namespace) throw new Error(`${objectRef(m)} is namespaced but names no namespace`);
    return `${base}${namespaced ? `/namespaces/${m.metadata.namespace}` : ''}/${name}/${m.metadata.name}`;
  }

  private async discover(base: string, refresh: boolean) {
    if (refresh || !this.groups.has(base)) {
      const r = await this.server.request('GET', base);
      this.groups.set(base, r.status === 200 ? (r.body.resources as any[]).filter((x) => !x.name.includes('/')) : []);
    }
    return this.groups.get(base)!;
  }
}

/** What the server reports of an applied object: any change moves its resourceVersion, a spec change its generation. */
interface Applied {
  generation?: number;
  resourceVersion: string;
  /** The object as stored, without what every write moves (resourceVersion, managedFields). */
  content: string;
}

interface Step {
  what: string;
  response: ApiResponse;
}

/** What a step was refused for, or undefined when it was accepted. */
function rejection({ what, response }: Step): string | undefined {
  return response.status < 300 ? undefined : `${what}: ${response.status} ${response.body?.message ?? JSON.stringify(response.body)}`;
}

function unexpectedWarnings(steps: readonly Step[]): string[] {
  return steps.flatMap(({ what, response }) => response.warnings.map((w) => `${what}: ${w}`)).filter((w) => !EXPECTED_WARNINGS.some((e) => e.pattern.test(w)));
}

describeWithMirrors(['schemas', 'charts'], 'with the pinned charts and their CRDs from the offline mirrors', () => describeWithTool('helm', 'the charts rendered as Argo CD renders them', (helm) => {
  describeWithTool('etcd', 'a real API server on etcd', (etcd) => {
    describeWithTool('kube-apiserver', 'every environment on a real kube-apiserver', (kubeApiServer) => {
      helmBinary = helm;
      let server: KubeApiServer;
      let resources: Resources;

      const apply = async (m: Manifest, dryRun: boolean): Promise<ApiResponse> =>
        server.request('PATCH', await resources.path(m), JSON.stringify(m), {
          contentType: 'application/apply-patch+yaml',
          query: { fieldManager: FIELD_MANAGER, force: 'true', fieldValidation: 'Strict', ...(dryRun ? { dryRun: 'All' } : {}) },
        });

      /**
       * The `default` ServiceAccount of each namespace, as the controller manager's service-account
       * controller creates it: Pods that name no ServiceAccount are admitted only when it exists.
       */
      const createDefaultServiceAccount = async (namespace: string): Promise<void> => {
        const r = await server.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
        if (r.status !== 201 && r.status !== 409) throw new Error(`could not create ServiceAccount ${namespace}/default: ${r.status} ${r.body?.message}`);
      };

      /** Applies the CRDs not applied as they are yet, and waits until each is Established and served. */
      const installed = new Set<string>();
      const installCrds = async (crds: readonly Manifest[]): Promise<Step[]> => {
        const steps: Step[] = [];
        const fresh = crds.filter((crd) => !installed.has(JSON.stringify(crd)));
        for (const crd of fresh) {
          const step = { what: `apply ${objectRef(crd)}`, response: await apply(crd, false) };
          steps.push(step);
          if (!rejection(step)) installed.add(JSON.stringify(crd));
        }
        for (const crd of fresh.filter((c) => installed.has(JSON.stringify(c)))) {
          await until(`${objectRef(crd)} to be Established`, async () => {
            const r = await server.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
            return r.body?.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True') ? true : undefined;
          });
        }
        return steps;
      };

      const describeObject = (env: string, o: RenderedObject) => `${env}/${o.file} (${objectRef(o.manifest)})`;
      const stateOf = (r: ApiResponse): Applied => {
        const { resourceVersion, managedFields: _managed, ...metadata } = r.body.metadata;
        return { generation: r.body.metadata.generation, resourceVersion, content: JSON.stringify({ ...r.body, metadata }) };
      };

      /**
       * Cluster-scoped objects that name a namespace: the server drops it without a word, so only
       * discovery shows that the object is not where its file says.
       */
      const misplacedNamespaces = async (env: string, objects: readonly RenderedObject[]): Promise<string[]> => {
        const out: string[] = [];
        for (const o of objects) {
          if (o.manifest.metadata.namespace && !(await resources.resource(o.manifest)).namespaced) {
            out.push(`${describeObject(env, o)}: ${o.manifest.kind} is cluster-scoped but names namespace ${o.manifest.metadata.namespace}`);
          }
        }
        return out;
      };

      /** Applies each object in the order given: a dry run with strict field validation, then for real. */
      const applyInOrder = async (env: string, objects: readonly RenderedObject[]) => {
        const steps: Step[] = [];
        const applied = new Map<string, Applied>();
        for (const o of objects) {
          const what = describeObject(env, o);
          const dry = { what: `dry run of ${what}`, response: await apply(o.manifest, true) };
          steps.push(dry);
          if (rejection(dry)) continue;
          const real = { what: `apply of ${what}`, response: await apply(o.manifest, false) };
          steps.push(real);
          if (rejection(real)) continue;
          applied.set(what, stateOf(real.response));
          if (o.manifest.kind === 'Namespace') await createDefaultServiceAccount(o.manifest.metadata.name);
        }
        return { steps, applied };
      };

      /** Applies the objects again and names each one whose generation or resourceVersion moved. */
      const applyAgain = async (env: string, objects: readonly RenderedObject[], applied: ReadonlyMap<string, Applied>) => {
        const steps: Step[] = [];
        const changed: string[] = [];
        for (const o of objects) {
          const what = describeObject(env, o);
          const step = { what: `second apply of ${what}`, response: await apply(o.manifest, false) };
          steps.push(step);
          const before = applied.get(what);
          if (rejection(step) || !before) continue;
          const after = stateOf(step.response);
          // A kind without generation (a PersistentVolumeClaim, which the server rewrites on every
          // update, identical) changed when its stored content did.
          const moved = before.generation === undefined ? before.content !== after.content : before.generation !== after.generation || before.resourceVersion !== after.resourceVersion;
          if (moved) {
            changed.push(`${what}: generation ${before.generation} -> ${after.generation}, resourceVersion ${before.resourceVersion} -> ${after.resourceVersion}`);
          }
        }
        return { steps, changed };
      };

      /** Every pod template submitted as a Pod (dry run): what Pod Security admission decides for the workloads' Pods. */
      const admitPods = async (env: string, objects: readonly RenderedObject[]): Promise<Step[]> => {
        const steps: Step[] = [];
        for (const o of objects) {
          const pod = firstPod(o.manifest);
          if (!pod) continue;
          const response = await server.request('POST', `/api/v1/namespaces/${pod.metadata.namespace}/pods`, pod, { query: { dryRun: 'All', fieldValidation: 'Strict' } });
          steps.push({ what: `Pod of ${describeObject(env, o)}`, response });
        }
        return steps;
      };

      beforeAll(async () => {
        server = await startKubeApiServer({ etcd, kubeApiServer });
        resources = new Resources(server);
        const r = await apply(ARGOCD_NAMESPACE, false);
        if (r.status >= 300) throw new Error(`could not create the argocd namespace: ${r.status} ${r.body?.message}`);
      });

      afterAll(async () => {
        await server?.stop();
      });

      test('the server is kube-apiserver at every environment\'s Kubernetes version', async () => {
        const version = (await server.request('GET', '/version')).body;
        for (const env of ENVIRONMENTS) expect(`${env}: ${version.gitVersion}`).toBe(`${env}: v${built(env).spec.cluster.kubernetesVersion}`);
        expect(spawnSync(kubeApiServer, ['--version'], { encoding: 'utf8' }).stdout.trim()).toBe(`Kubernetes ${version.gitVersion}`);
      });

      test('refuses exactly the names, labels and annotations gitplane\'s validation refuses (no schema states these rules)', async () => {
        const verdicts: string[] = [];
        const judged: string[] = [];
        for (const [i, c] of METADATA_CASES.entries()) {
          const manifest = c.object(`metadata-case-${i}`);
          const response = await apply(manifest, true);
          verdicts.push(`${c.name}: ${response.status < 300 ? 'accepted' : response.status === 422 ? 'refused' : `HTTP ${response.status} ${response.body?.message}`}`);
          judged.push(`${c.name}: ${metadataProblems(manifest, true).length === 0 ? 'accepted' : 'refused'}`);
        }
        expect(judged).toEqual(verdicts);
        // Both verdicts occur, so the comparison could fail either way.
        expect(verdicts.some((v) => v.endsWith(': accepted')) && verdicts.some((v) => v.endsWith(': refused'))).toBe(true);
      });

      describe.each(ENVIRONMENTS)('%s', (env) => {
        let objects: RenderedObject[] = [];
        let applied: ReadonlyMap<string, Applied>;

        // The next environment is another cluster: remove this one's objects, newest wave first. Not
        // its namespaces (finalizing one needs the controller manager); the next environment applies
        // its own namespaces over them.
        afterAll(async () => {
          for (const o of [...objects].reverse()) {
            if (o.manifest.kind === 'Namespace') continue;
            const r = await server.request('DELETE', await resources.path(o.manifest), undefined, { query: { propagationPolicy: 'Background' } });
            if (r.status >= 300 && r.status !== 404) throw new Error(`could not delete ${describeObject(env, o)}: ${r.status} ${r.body?.message}`);
            // A claim keeps its kubernetes.io/pvc-protection finalizer until the controller manager
            // sees no pod using it; there is none here, so it is released as that controller would.
            if (o.manifest.kind === 'PersistentVolumeClaim' && r.status < 300) {
              await server.request('PATCH', await resources.path(o.manifest), JSON.stringify({ metadata: { finalizers: null } }), { contentType: 'application/merge-patch+json' });
            }
          }
        });

        test('every object is accepted in sync order, dry run with strict field validation and then for real', async () => {
          const crdSteps = await installCrds(crdsOf(env));
          objects = syncOrder(env, objectsOf(env));
          // The server keeps the namespaces of the environments before, a new cluster has none of them.
          expect(withoutNamespace(env, objects)).toEqual([]);
          const run = await applyInOrder(env, objects);
          applied = run.applied;
          const steps = [...crdSteps, ...run.steps];
          expect(steps.map(rejection).filter(Boolean)).toEqual([]);
          expect(unexpectedWarnings(steps)).toEqual([]);
          expect(await misplacedNamespaces(env, objects)).toEqual([]);
          expect(applied.size).toBe(objects.length);
          const webhooks = chartObjectsOf(env).filter((o) => WEBHOOK_KINDS.has(o.manifest.kind));
          for (const o of webhooks) expect(rejection({ what: `dry run of ${describeObject(env, o)}`, response: await apply(o.manifest, true) })).toBeUndefined();
        });

        test('every pod template is admitted as a Pod under its namespace\'s Pod Security level', async () => {
          const steps = await admitPods(env, objects);
          expect(steps.length).toBeGreaterThan(0);
          expect(steps.map(rejection).filter(Boolean)).toEqual([]);
          expect(unexpectedWarnings(steps)).toEqual([]);
        });

        test('applying the environment again changes no object', async () => {
          const { steps, changed } = await applyAgain(env, objects, applied);
          expect(steps.map(rejection).filter(Boolean)).toEqual([]);
          expect(unexpectedWarnings(steps)).toEqual([]);
          expect(changed).toEqual([]);
        });
      });

      describe('the checks themselves', () => {
        /** A namespace of this test's own that enforces `restricted`, and a copy of a dev object moved into it. */
        const SCRATCH = 'gitplane-test-checks';
        const scratch = (kind: string, name: string, change: (m: any) => void): RenderedObject => {
          const o = objectsOf('dev').find((x) => x.manifest.kind === kind && x.manifest.metadata.name === name);
          if (!o) throw new Error(`dev has no ${kind} ${name}`);
          const manifest = structuredClone(o.manifest);
          manifest.metadata.namespace = SCRATCH;
          change(manifest);
          return { ...o, manifest };
        };

        beforeAll(async () => {
          const namespace: RenderedObject = {
            app: 'checks',
            file: 'namespace.yaml',
            manifest: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SCRATCH, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
          };
          const { steps } = await applyInOrder('checks', [namespace]);
          expect(steps.map(rejection).filter(Boolean)).toEqual([]);
        });

        test('fails when an object carries a field its kind does not have', async () => {
          const o = scratch('Deployment', 'otel-gateway', (m) => (m.spec.replicaCount = 2));
          const { steps, applied: accepted } = await applyInOrder('checks', [o]);
          expect(steps.map(rejection).filter(Boolean)).toEqual([expect.stringMatching(/^dry run of checks\/.*: 500 failed to create typed patch object .*\.spec\.replicaCount: field not declared in schema$/)]);
          expect(accepted.size).toBe(0);
        });

        test('fails when a pod template breaks its namespace\'s Pod Security level', async () => {
          const o = scratch('Deployment', 'otel-gateway', (m) => {
            m.spec.template.spec.hostNetwork = true;
            // The ServiceAccount lives in dev's namespace; here the Pod runs as the default one.
            delete m.spec.template.spec.serviceAccountName;
          });
          expect((await admitPods('checks', [o])).map(rejection)).toEqual([expect.stringMatching(/: 403 .*violates PodSecurity "restricted:latest": host namespaces \(hostNetwork=true\)/)]);
        });

        test('fails when a cluster-scoped object names a namespace', async () => {
          const o = scratch('ClusterRole', 'otel-agent', () => undefined);
          expect(await misplacedNamespaces('checks', [o])).toEqual([expect.stringMatching(/\(ClusterRole\/gitplane-test-checks\/otel-agent\): ClusterRole is cluster-scoped but names namespace gitplane-test-checks$/)]);
        });

        test('fails when an object changes on every apply', async () => {
          // The defect of issue 16: the server drops an empty `ingress` list, so each apply of it is a change.
          const o = scratch('NetworkPolicy', 'default-deny-ingress', (m) => (m.spec.ingress = []));
          const first = await applyInOrder('checks', [o]);
          expect(first.applied.size).toBe(1);
          const { changed } = await applyAgain('checks', [o], first.applied);
          expect(changed).toEqual([expect.stringMatching(/\(NetworkPolicy\/gitplane-test-checks\/default-deny-ingress\): generation 1 -> 2,/)]);
        });
      });
    });
  });
}));
