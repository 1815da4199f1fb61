/**
 * A real Argo CD syncs `dev` from the published repository: `gitplane publish` into
 * a bare repository served over HTTPS (git's smart HTTP protocol, `git http-backend`), the charts
 * from a loopback copy of the offline Helm repository (the environment's `gitops.chartMirror`),
 * Argo CD's application controller, repo-server and ApplicationSet controller with Redis against a
 * real kube-apiserver whose workloads run on nodes simulated by kwok, with the real
 * kube-controller-manager and kube-scheduler. Every Application must become Synced and Healthy,
 * and the order in which they became Healthy must follow the sync-wave ladder. Before that, the
 * Application health check gitplane installs is run by Argo CD itself on the cases it decides.
 *
 * What cannot run here, and what stands in for it:
 * - Argo CD v3.5.3, not the v3.4.4 the pinned argo-cd chart deploys: the module proxy does not
 *   serve v3.4.4's gitops-engine (tools/install.sh says which versions it does). Argo CD's
 *   configuration (CRDs, argocd-cm with gitplane's health customization, argocd-rbac-cm,
 *   argocd-secret) is the chart's, rendered with gitplane's values; its workloads are the
 *   processes of test/support/argocd.ts instead of Pods.
 * - No container runs: kwok reports Pods Running and Ready (Job Pods Succeeded). Health is what
 *   the controllers make of that.
 * - Controllers of custom resources run as simulated Pods only, so the test writes the status the
 *   controller would write where Argo CD's health check reads one (`standIn` lists which), and
 *   provisions a PersistentVolume for each claim as Longhorn's CSI provisioner would.
 * - None of dev's CRDs has a conversion webhook, so the test commits one CRD of its own to the
 *   published branch, in the `namespaces` Application's folder, with a CA bundle in its webhook, as
 *   charts that generate a CA when rendered write it, for a cert controller to replace.
 * - pi-edge cannot reach Synced and Healthy here: External Secrets' validating webhooks
 *   (`failurePolicy: Fail`) are served by a simulated Pod, so every ExternalSecret is refused
 *   (docs/gitops.md, "Tested with a real Argo CD", has the error).
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 */
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, parseDocument, stringify } from 'yaml';
import { ARGOCD_NAMESPACE, ARGOCD_RELEASE } from '../../stacks/bootstrap';
import { Manifest } from '../../stacks/objects';
import { argocdValues } from '../../stacks/pulumi/argocd';
import { pinnedVersions } from '../../stacks/versions';
import { SYNC_WAVE_ANNOTATION } from '../../stacks/waves';
import { ArgoCd, startArgoCd } from '../support/argocd';
import { CHARTS_DIR } from '../support/charts';
import { gitplaneArgv, HELM_ENV, ROOT, tempDir } from '../support/cli';
import { built } from '../support/environments';
import { bareRepo, commitFiles, git } from '../support/git';
import { GitServer, serveGit } from '../support/git-server';
import { KubeApiServer, startKubeApiServer } from '../support/kube-apiserver';
import { serveDirectory, StaticServer, until } from '../support/loopback';
import { startSimulatedNodes } from '../support/simulated-nodes';
import { describeWithTools } from '../support/tools';
import { describeWithMirrors } from '../support/mirrors';

const TOOLS = [
  'etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'kwok-stages',
  'argocd-application-controller', 'argocd-repo-server', 'argocd-applicationset-controller', 'redis-server', 'helm',
];
/** Bounds a hung run only: a sync takes minutes, far longer on a loaded machine. */
const SYNC_MS = 60 * 60_000;
const ARGOCD_API = `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}`;

/** The REST collection of the kinds the test applies itself. */
const COLLECTIONS: Record<string, (m: Manifest) => string> = {
  Namespace: () => '/api/v1/namespaces',
  ConfigMap: (m) => `/api/v1/namespaces/${m.metadata.namespace}/configmaps`,
  Secret: (m) => `/api/v1/namespaces/${m.metadata.namespace}/secrets`,
  CustomResourceDefinition: () => '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
  AppProject: (m) => `/apis/argoproj.io/v1alpha1/namespaces/${m.metadata.namespace}/appprojects`,
  Application: (m) => `/apis/argoproj.io/v1alpha1/namespaces/${m.metadata.namespace}/applications`,
};

async function apply(server: KubeApiServer, m: Manifest): Promise<void> {
  const collection = COLLECTIONS[m.kind];
  if (!collection) throw new Error(`the test does not apply ${m.kind}`);
  const r = await server.request('PATCH', `${collection(m)}/${m.metadata.name}`, JSON.stringify(m), {
    contentType: 'application/apply-patch+yaml',
    query: { fieldManager: 'gitplane-test', force: 'true', fieldValidation: 'Strict' },
  });
  if (r.status >= 300) throw new Error(`could not apply ${m.kind} ${m.metadata.name}: ${r.status} ${r.body?.message}`);
}

/** Field manager of the test where it stands in for a cert controller. */
const CERT_CONTROLLER = 'gitplane-test-cert-controller';

const CONVERSION_CRD_NAME = 'widgets.conversion.gitplane.test';

/**
 * A CRD whose conversion webhook carries a CA bundle in Git (`caBundle`, base64 of a PEM
 * certificate: kube-apiserver does not establish a CRD whose bundle is not one). A field Git does
 * not set is no difference under server-side apply (Argo CD's diff merges the Git object into the
 * live one as its own field manager, and the injected value belongs to another), so only a field
 * Git sets shows what `ignoreDifferences` does. It has one version: nothing calls the webhook.
 */
function conversionCrd(caBundle: string): Manifest {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CONVERSION_CRD_NAME },
    spec: {
      group: 'conversion.gitplane.test',
      names: { kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget' },
      scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      conversion: {
        strategy: 'Webhook',
        webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { namespace: 'default', name: 'widget-conversion', path: '/convert' }, caBundle } },
      },
    },
  };
}

const base64 = (pem: string) => Buffer.from(pem).toString('base64');

/** The environment file with the test's Git server and chart mirror. */
function testEnvironment(env: string, dir: string, settings: { repoURL: string; chartMirror: string }): string {
  const doc = parseDocument(fs.readFileSync(path.join(ROOT, 'environments', `${env}.yaml`), 'utf8'));
  doc.setIn(['gitops', 'repoURL'], settings.repoURL);
  doc.setIn(['gitops', 'chartMirror'], settings.chartMirror);
  const file = path.join(dir, `${env}.yaml`);
  fs.writeFileSync(file, doc.toString());
  return file;
}

/**
 * Argo CD's configuration as the Pulumi program installs it: the pinned argo-cd chart rendered with
 * gitplane's values (stacks/pulumi/argocd.ts); its CRDs, ConfigMaps and Secrets, not its workloads.
 */
function argoCdConfiguration(helm: string, dir: string, kubernetesVersion: string): Manifest[] {
  const pin = pinnedVersions().charts['argo-cd'];
  const values = path.join(dir, 'argocd-values.yaml');
  fs.writeFileSync(values, stringify(argocdValues().values));
  const r = spawnSync(helm, ['template', ARGOCD_RELEASE, path.join(CHARTS_DIR, `${pin.chart}-${pin.version}.tgz`), '--namespace', ARGOCD_NAMESPACE, '--values', values, '--kube-version', kubernetesVersion], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, HELM_CACHE_HOME: path.join(dir, 'helm'), HELM_CONFIG_HOME: path.join(dir, 'helm'), HELM_DATA_HOME: path.join(dir, 'helm') },
  });
  if (r.status !== 0) throw new Error(`helm template of ${pin.chart} ${pin.version}: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Manifest)
    .filter((m) => m && ['CustomResourceDefinition', 'ConfigMap', 'Secret'].includes(m.kind))
    .map((m) => (m.kind === 'CustomResourceDefinition' ? m : { ...m, metadata: { ...m.metadata, namespace: m.metadata.namespace ?? ARGOCD_NAMESPACE } }));
}

/** A file of the published repository's branch, parsed. */
function publishedObject(repo: string, branch: string, file: string): Manifest {
  return parseDocument(git(['show', `${branch}:${file}`], repo)).toJS() as Manifest;
}

async function list(server: KubeApiServer, apiPath: string): Promise<any[]> {
  const r = await server.request('GET', apiPath);
  if (r.status === 404) return [];
  if (r.status >= 300) throw new Error(`GET ${apiPath}: ${r.status} ${r.body?.message}`);
  return r.body.items ?? [];
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * One round of what the cluster's missing parts would do. Longhorn's CSI provisioner: a
 * PersistentVolume for each pending claim, bound to it. The controller of the one custom resource
 * of dev whose health Argo CD reads from its status, which runs only as a simulated Pod here: the
 * prometheus-operator (a Prometheus is Available once its Pods are).
 */
async function standIn(server: KubeApiServer): Promise<void> {
  for (const claim of await list(server, '/api/v1/persistentvolumeclaims')) {
    if (claim.status?.phase !== 'Pending' || claim.spec.volumeName) continue;
    const name = `pv-${claim.metadata.namespace}-${claim.metadata.name}`.slice(0, 253);
    const r = await server.request('POST', '/api/v1/persistentvolumes', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name },
      spec: {
        capacity: { storage: claim.spec.resources.requests.storage },
        accessModes: claim.spec.accessModes,
        storageClassName: claim.spec.storageClassName ?? '',
        persistentVolumeReclaimPolicy: 'Delete',
        claimRef: { namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid },
        hostPath: { path: `/var/lib/gitplane-test/${name}` },
      },
    });
    if (r.status >= 300 && r.status !== 409) throw new Error(`could not provision ${name}: ${r.status} ${r.body?.message}`);
  }
  const conditions = (...types: string[]) => types.map((type) => ({ type, status: 'True', reason: 'GitplaneTestStandIn', lastTransitionTime: now() }));
  const writeStatus = async (group: string, plural: string, status: Record<string, unknown>) => {
    for (const o of await list(server, `${group}/${plural}`)) {
      if (o.status?.conditions?.length) continue;
      const namespace = o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : '';
      const r = await server.request('PATCH', `${group}${namespace}/${plural}/${o.metadata.name}/status`, { status }, { contentType: 'application/merge-patch+json' });
      if (r.status >= 300) throw new Error(`could not write the status of ${o.kind} ${o.metadata.namespace}/${o.metadata.name}: ${r.status} ${r.body?.message}`);
    }
  };
  await writeStatus('/apis/monitoring.coreos.com/v1', 'prometheuses', { conditions: conditions('Available', 'Reconciled') });
}

interface Observed {
  wave: number;
  /** When the Application was first seen Synced and Healthy (ms since the epoch). */
  healthyAt?: number;
}

function waveOf(o: { metadata: { annotations?: Record<string, string> } }): number {
  return Number(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION] ?? 0);
}

const isReady = (app: any) => app.status?.sync?.status === 'Synced' && app.status?.health?.status === 'Healthy';

/** Pairs (earlier wave, later wave) where the later wave's Application became Healthy first. */
function waveOrderViolations(observed: ReadonlyMap<string, Observed>): string[] {
  const out: string[] = [];
  for (const [a, oa] of observed) {
    for (const [b, ob] of observed) {
      if (oa.wave < ob.wave && oa.healthyAt! > ob.healthyAt!) out.push(`${b} (wave ${ob.wave}) became Healthy before ${a} (wave ${oa.wave})`);
    }
  }
  return out.sort();
}

/** An Application as its parent's health check sees it: `status` and `spec.syncPolicy` as given. */
function child(name: string, tracker: string, fields: { status?: Record<string, unknown>; automated?: boolean; operation?: boolean }): Manifest {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: ARGOCD_NAMESPACE, annotations: { 'argocd.argoproj.io/tracking-id': `${tracker}:argoproj.io/Application:${ARGOCD_NAMESPACE}/${name}` } },
    spec: { project: 'dev', syncPolicy: fields.automated === false ? {} : { automated: { prune: true, selfHeal: true } } },
    ...(fields.operation ? { operation: { sync: { revision: 'main' } } } : {}),
    ...(fields.status ? { status: fields.status } : {}),
  };
}

const running = { phase: 'Running', message: 'waiting for healthy state of apps/Deployment/x' };

describeWithTools(['argocd'], 'the Application health check gitplane installs, evaluated by Argo CD', (bins) => {
  const HEALTHY = { health: { status: 'Healthy' }, sync: { status: 'Synced' } };
  const cases: [string, Manifest, string][] = [
    ['a child not assessed yet is Progressing', child('dev-longhorn', 'dev-root', {}), 'Progressing'],
    ['a child whose sync runs is Progressing, whatever its own health says', child('dev-longhorn', 'dev-root', { status: { health: { status: 'Healthy' }, sync: { status: 'OutOfSync' }, operationState: running } }), 'Progressing'],
    ['a child with a sync requested is Progressing', child('dev-longhorn', 'dev-root', { status: HEALTHY, operation: true }), 'Progressing'],
    ['an automatically synced child that is OutOfSync is Progressing', child('dev-longhorn', 'dev-root', { status: { health: { status: 'Healthy' }, sync: { status: 'OutOfSync' }, operationState: { phase: 'Failed' } } }), 'Progressing'],
    ['a child synced by hand is its own health while OutOfSync', child('prod-longhorn', 'prod-root', { automated: false, status: { health: { status: 'Healthy' }, sync: { status: 'OutOfSync' } } }), 'Healthy'],
    ['a Synced child is its own health', child('dev-longhorn', 'dev-root', { status: { ...HEALTHY, operationState: { phase: 'Succeeded' } } }), 'Healthy'],
    ['a Synced child that is Degraded is Degraded', child('dev-longhorn', 'dev-root', { status: { health: { status: 'Degraded' }, sync: { status: 'Synced' } } }), 'Degraded'],
    ['the root application is its own health to itself while its sync runs', child('dev-root', 'dev-root', { status: { health: { status: 'Healthy' }, sync: { status: 'OutOfSync' }, operationState: running } }), 'Healthy'],
  ];
  test.each(cases)('%s', (_title, app, expected) => {
    const dir = tempDir('gitplane-argocd-health-');
    // argocd-cm as the chart writes it from gitplane's `configs.cm`.
    const data = (argocdValues().values.configs as { cm: Record<string, string> }).cm;
    fs.writeFileSync(path.join(dir, 'argocd-cm.yaml'), stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: ARGOCD_NAMESPACE }, data }));
    fs.writeFileSync(path.join(dir, 'app.yaml'), stringify(app));
    const r = spawnSync(bins.argocd, ['admin', 'settings', 'resource-overrides', 'health', path.join(dir, 'app.yaml'), '--argocd-cm-path', path.join(dir, 'argocd-cm.yaml')], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(/^STATUS: (\S+)$/m.exec(r.stdout)?.[1]).toBe(expected);
  });
});

describeWithMirrors(['schemas', 'charts'], 'with the pinned charts and their CRDs from the offline mirrors', () => describeWithTools(TOOLS, 'a real Argo CD syncs the published environments', (bins) => {
  describe.each(['dev'])('%s', (env) => {
    const spec = built(env).spec;
    let server: KubeApiServer;
    let charts: StaticServer;
    let gitServer: GitServer;
    let argocd: ArgoCd | undefined;
    let nodes: { stop(): Promise<void> } | undefined;
    let repo: string;
    const observed = new Map<string, Observed>();
    let started = 0;

    beforeAll(async () => {
      const work = tempDir(`gitplane-argocd-${env}-`);
      server = await startKubeApiServer({ etcd: bins.etcd, kubeApiServer: bins['kube-apiserver'] });
      charts = await serveDirectory(CHARTS_DIR);
      repo = bareRepo(work);
      gitServer = await serveGit(work, work);
      const file = testEnvironment(env, work, { repoURL: `${gitServer.url}/gitops.git`, chartMirror: `${charts.url}/charts` });
      // Not spawnSync: publish reads the charts from the loopback mirror this process serves.
      await promisify(execFile)(process.execPath, gitplaneArgv(['publish', '--repo', repo, '--file', file, '--quiet']), { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...HELM_ENV }, maxBuffer: 64 * 1024 * 1024 });

      await apply(server, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ARGOCD_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'pulumi' } } });
      const configuration = argoCdConfiguration(bins.helm, work, spec.cluster.kubernetesVersion);
      for (const m of configuration) await apply(server, m);
      for (const crd of configuration.filter((m) => m.kind === 'CustomResourceDefinition')) {
        await until(`${crd.metadata.name} to be Established`, async () => {
          const r = await server.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
          return r.body?.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True') ? true : undefined;
        }, SYNC_MS);
      }
      nodes = await startSimulatedNodes(
        server,
        { kubeControllerManager: bins['kube-controller-manager'], kubeScheduler: bins['kube-scheduler'], kwok: bins.kwok, kwokStages: bins['kwok-stages'] },
        spec.cluster.nodes.map((n) => ({ name: n.name, arch: n.arch, roles: n.roles })),
      );
      argocd = await startArgoCd(
        server,
        {
          applicationController: bins['argocd-application-controller'],
          repoServer: bins['argocd-repo-server'],
          applicationSetController: bins['argocd-applicationset-controller'],
          redisServer: bins['redis-server'],
          helm: bins.helm,
        },
        { namespace: ARGOCD_NAMESPACE, trustedCertificates: { '127.0.0.1': gitServer.certFile } },
      );
      const branch = spec.gitops.branch;
      const namespacesApp = path.posix.join(spec.gitops.path ?? '', env, 'apps', 'namespaces');
      // Git's CA is kube-apiserver's certificate; the one injected later is the Git server's.
      commitFiles(repo, branch, { [`${namespacesApp}/customresourcedefinition-${CONVERSION_CRD_NAME}.yaml`]: stringify(conversionCrd(base64(server.ca))) }, 'A CRD with a conversion webhook, for the test');
      // The bootstrap `pulumi up` applies after installing Argo CD: the project and the root Application, as published.
      const bootstrap = path.posix.join(spec.gitops.path ?? '', env, 'bootstrap');
      started = Date.now();
      await apply(server, publishedObject(repo, branch, `${bootstrap}/appproject-${env}.yaml`));
      await apply(server, publishedObject(repo, branch, `${bootstrap}/application-${env}-root.yaml`));
    }, SYNC_MS);

    afterAll(async () => {
      await argocd?.stop();
      await nodes?.stop();
      await gitServer?.close();
      await charts?.close();
      await server?.stop();
    }, 300_000);

    test('every Application becomes Synced and Healthy', async () => {
      const bootstrap = git(['ls-tree', '--name-only', `${spec.gitops.branch}:${path.posix.join(spec.gitops.path ?? '', env, 'bootstrap')}`], repo).split('\n');
      const applications = bootstrap.filter((f) => f.startsWith('application-')).length;
      let lastFailure: unknown;
      await until('every Application to be Synced and Healthy', async () => {
        argocd!.checkAlive();
        try {
          await standIn(server);
        } catch (e) {
          lastFailure = e;
        }
        const apps = await list(server, `${ARGOCD_API}/applications`);
        for (const app of apps) {
          const seen: Observed = observed.get(app.metadata.name) ?? { wave: waveOf(app) };
          if (seen.healthyAt === undefined && isReady(app)) seen.healthyAt = Date.now();
          observed.set(app.metadata.name, seen);
        }
        // One Application per Application file of bootstrap/, the root's included.
        return apps.length === applications && apps.every(isReady) ? apps : undefined;
      }, SYNC_MS).catch(async (e) => {
        const apps = await list(server, `${ARGOCD_API}/applications`);
        const states = apps.map((a) => `${a.metadata.name}: ${a.status?.sync?.status}/${a.status?.health?.status} ${a.status?.health?.message ?? ''} ${a.status?.operationState?.message ?? ''} ${JSON.stringify(a.status?.conditions ?? [])}`);
        throw new Error(`${String(e)}\n${states.join('\n')}${lastFailure ? `\nThe stand-in last failed with: ${String(lastFailure)}` : ''}`);
      });
      const timeline = [...observed].sort((a, b) => a[1].healthyAt! - b[1].healthyAt!).map(([name, o]) => `${((o.healthyAt! - started) / 1000).toFixed(0).padStart(5)} s  wave ${String(o.wave).padStart(3)}  ${name}`);
      // eslint-disable-next-line no-console
      console.log(`${env}: Synced and Healthy after\n${timeline.join('\n')}`);
      expect(observed.size).toBe(applications);
    }, SYNC_MS);

    test('the Applications became Healthy in the order of the wave ladder', () => {
      expect(observed.size).toBeGreaterThan(0);
      expect(waveOrderViolations(observed)).toEqual([]);
    });

    test('a CA bundle injected into a synced CRD\'s conversion webhook, as a cert controller does, leaves its Application Synced', async () => {
      expect(observed.size).toBeGreaterThan(0);
      const crd = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CONVERSION_CRD_NAME}`;
      const app = `${ARGOCD_API}/applications/${env}-namespaces`;
      const before = (await server.request('GET', app)).body;
      expect(before.status?.sync?.status).toBe('Synced');
      const lastSync = before.status?.history?.at(-1)?.id;
      expect((await server.request('GET', crd)).body?.spec?.conversion?.webhook?.clientConfig?.caBundle).toBe(base64(server.ca));

      const caBundle = base64(fs.readFileSync(gitServer.certFile, 'utf8'));
      const injectedAt = Date.now();
      const injected = await server.request('PATCH', crd, { spec: { conversion: { webhook: { clientConfig: { caBundle } } } } }, { contentType: 'application/merge-patch+json', query: { fieldManager: CERT_CONTROLLER } });
      expect(injected.status).toBe(200);
      // Argo CD's cluster cache takes the change from its watch in batches, a tenth of a second
      // apart: a refresh asked for at once may compare the CRD as it was. Wait for a comparison
      // that ended two seconds later (its own, on the CRD's event, or the periodic one).
      await until('a comparison of the Application after the injection', async () => {
        const reconciledAt = (await server.request('GET', app)).body?.status?.reconciledAt;
        return reconciledAt && Date.parse(reconciledAt) >= injectedAt + 2000 ? true : undefined;
      }, SYNC_MS);
      const refresh = await server.request('PATCH', app, { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'hard' } } }, { contentType: 'application/merge-patch+json' });
      expect(refresh.status).toBe(200);
      // The controller takes the annotation away in the same write as the status of that comparison.
      const after = await until('the hard refresh of the Application', async () => {
        const a = (await server.request('GET', app)).body;
        return a?.metadata?.annotations?.['argocd.argoproj.io/refresh'] === undefined ? a : undefined;
      }, SYNC_MS);
      expect({ sync: after.status?.sync?.status, lastSync: after.status?.history?.at(-1)?.id }).toEqual({ sync: 'Synced', lastSync });
      expect((await server.request('GET', crd)).body?.spec?.conversion?.webhook?.clientConfig?.caBundle).toBe(caBundle);
    }, SYNC_MS);
  });
}));
