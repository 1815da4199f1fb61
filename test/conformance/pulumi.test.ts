/**
 * The Pulumi program of `dev`, run for real: the Pulumi CLI and its Kubernetes provider built by
 * tools/install.sh, driven through the Automation API against a real kube-apiserver, installing
 * the real argo-cd chart from a loopback Helm repository (the offline mirror ../shared/charts,
 * which the environment's `gitops.chartMirror` names): preview, up, up again, preview, destroy.
 *
 * What cannot run here, and what the test does instead:
 * - The module proxy refuses the nodejs language host and the AWS provider (403). The program runs
 *   inline (LocalWorkspace with a program function, the CLI driven with `--client`); dev has no
 *   AWS resources, and the AWS part of the program is covered by the mocks of test/pulumi/.
 * - The proxy serves one version of the Kubernetes provider, v4.25.0 (under the 4.34.x SDK).
 * - No node runs Pods (no kubelet, no container runtime, no image registry). The stack is
 *   configured as for a cluster that cannot run them yet (`gitplane:awaitArgoCd false`), and for
 *   one whose Argo CD is gone (`gitplane:detachArgoCd true`), so destroy waits on no Argo CD. The
 *   chart's one pre-install hook Job is reported complete by the test, as its Pod cannot run.
 * - The API server runs no kube-controller-manager, so the test finalizes the deleted `argocd`
 *   namespace as the namespace controller would: it deletes what is left in it, then clears the
 *   namespace's finalizers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalWorkspace, PulumiCommand, Stack, UpdateSummary } from '@pulumi/pulumi/automation';
import { parse, parseDocument } from 'yaml';
import { ARGOCD_NAMESPACE, ARGOCD_RELEASE } from '../../stacks/bootstrap';
import { stackProgram } from '../../stacks/pulumi/program';
import { pinnedVersions } from '../../stacks/versions';
import { ROOT, SHARED_DIR, tempDir } from '../support/cli';
import { KubeApiServer, startKubeApiServer } from '../support/kube-apiserver';
import { serveDirectory, StaticServer } from '../support/loopback';
import { describeWithTools } from '../support/tools';
import { describeWithMirrors } from '../support/mirrors';

const ENV = 'dev';
const CHARTS = path.join(SHARED_DIR, 'charts');
const PROVIDER_PIN = 'pulumi-resource-kubernetes v4.25.0 (upstream tag v4.25.0 = commit f47bc2d6f199, the pseudo-version v4.0.0-20260115033456-f47bc2d6f199 the module proxy serves, its only version)';
// What the stack holds after up, by type; the engine's change counts leave out the default
// provider, which the state holds as a resource of its own.
const TYPES = [
  'pulumi:pulumi:Stack',
  'kubernetes:core/v1:Namespace',
  'kubernetes:helm.sh/v3:Release',
  'kubernetes:argoproj.io/v1alpha1:AppProject',
  'kubernetes:argoproj.io/v1alpha1:Application',
];
const CRDS = ['applications.argoproj.io', 'applicationsets.argoproj.io', 'appprojects.argoproj.io'];
// A whole operation is bounded only against a hung run; it asserts nothing about speed.
const OPERATION_MS = 20 * 60_000;

/** dev.yaml with `gitops.chartMirror` set, in a directory of its own. */
function mirroredEnvironments(mirror: string): string {
  const dir = tempDir('gitplane-pulumi-environments-');
  const doc = parseDocument(fs.readFileSync(path.join(ROOT, 'environments', `${ENV}.yaml`), 'utf8'));
  doc.setIn(['gitops', 'chartMirror'], mirror);
  fs.writeFileSync(path.join(dir, `${ENV}.yaml`), doc.toString());
  return dir;
}

/**
 * Runs `operation` while doing what the cluster's nodes and kube-controller-manager would do and
 * the test's API server lacks: it reports the chart's hook Jobs complete, and finalizes a deleted
 * `argocd` namespace. Like a controller it retries what fails (a conflict, say) on its next round;
 * when the operation fails, the message ends with the last such failure.
 */
async function withStandIn<T>(server: KubeApiServer, operation: () => Promise<T>): Promise<T> {
  let stopped = false;
  let lastFailure: unknown;
  const rounds = (async () => {
    while (!stopped) {
      try {
        await completeHookJobs(server);
        await finalizeNamespace(server);
      } catch (e) {
        lastFailure = e;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  try {
    return await operation();
  } catch (e) {
    throw lastFailure === undefined ? e : new Error(`${String(e)}\nThe stand-in for the missing node and controllers last failed with: ${String(lastFailure)}`);
  } finally {
    stopped = true;
    await rounds;
  }
}

async function ok(server: KubeApiServer, method: string, apiPath: string, body?: unknown, contentType?: string) {
  const r = await server.request(method, apiPath, body, contentType ? { contentType } : {});
  if (r.status >= 300 && r.status !== 404) throw new Error(`${method} ${apiPath}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

/** The Job's Pod would run `argocd admin redis-initial-password`; no node runs it here. */
async function completeHookJobs(server: KubeApiServer): Promise<void> {
  const jobs = await ok(server, 'GET', `/apis/batch/v1/namespaces/${ARGOCD_NAMESPACE}/jobs`);
  for (const job of jobs.body.items ?? []) {
    if (!job.metadata.annotations?.['helm.sh/hook'] || (job.status?.conditions ?? []).some((c: any) => c.type === 'Complete')) continue;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const condition = (type: string) => ({ type, status: 'True', reason: 'CompletionsReached', lastProbeTime: now, lastTransitionTime: now });
    await ok(
      server,
      'PATCH',
      `/apis/batch/v1/namespaces/${ARGOCD_NAMESPACE}/jobs/${job.metadata.name}/status`,
      { status: { startTime: now, completionTime: now, succeeded: 1, conditions: [condition('SuccessCriteriaMet'), condition('Complete')] } },
      'application/merge-patch+json',
    );
  }
}

/** Once `argocd` is being deleted: delete every namespaced object left in it, then its finalizers. */
async function finalizeNamespace(server: KubeApiServer): Promise<void> {
  const ns = await server.request('GET', `/api/v1/namespaces/${ARGOCD_NAMESPACE}`);
  if (ns.status === 404 || !ns.body.metadata.deletionTimestamp) return;
  for (const base of await resourceLists(server)) {
    const list = await ok(server, 'GET', base);
    for (const r of list.body.resources ?? []) {
      if (!r.namespaced || r.name.includes('/') || !r.verbs.includes('deletecollection')) continue;
      await ok(server, 'DELETE', `${base}/namespaces/${ARGOCD_NAMESPACE}/${r.name}`);
    }
  }
  // The garbage collector's part: Pulumi deletes in the foreground, which holds the namespace
  // under a `foregroundDeletion` finalizer until its dependents are gone.
  const current = (ns.body.metadata.finalizers ?? []).length > 0 ? (await ok(server, 'PATCH', `/api/v1/namespaces/${ARGOCD_NAMESPACE}`, { metadata: { finalizers: null } }, 'application/merge-patch+json')).body : ns.body;
  await ok(server, 'PUT', `/api/v1/namespaces/${ARGOCD_NAMESPACE}/finalize`, { ...current, spec: { finalizers: [] } });
}

/** `/api/v1` and the preferred version of every API group. */
async function resourceLists(server: KubeApiServer): Promise<string[]> {
  const groups = await ok(server, 'GET', '/apis');
  return ['/api/v1', ...groups.body.groups.map((g: any) => `/apis/${g.preferredVersion.groupVersion}`)];
}

const exists = async (server: KubeApiServer, apiPath: string) => (await server.request('GET', apiPath)).status === 200;

describeWithMirrors(['charts'], 'with the pinned argo-cd chart from the offline Helm repository', () => describeWithTools(['pulumi', 'pulumi-resource-kubernetes', 'etcd', 'kube-apiserver'], `pulumi preview/up/destroy of ${ENV} through the Automation API`, (bins) => {
  const paths = {
    namespace: `/api/v1/namespaces/${ARGOCD_NAMESPACE}`,
    project: `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/appprojects/${ENV}`,
    root: `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications/${ENV}-root`,
    crd: (name: string) => `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
  };
  let server: KubeApiServer;
  let charts: StaticServer;
  let stack: Stack;

  beforeAll(async () => {
    // eslint-disable-next-line no-console
    console.log(
      [
        `Kubernetes provider: ${PROVIDER_PIN}.`,
        'Not run here: the AWS part of the program (the module proxy refuses the AWS provider; dev has no AWS resources; test/pulumi/ covers it with mocks).',
      ].join('\n'),
    );
    server = await startKubeApiServer({ etcd: bins.etcd, kubeApiServer: bins['kube-apiserver'] });
    charts = await serveDirectory(CHARTS);
    const work = tempDir('gitplane-pulumi-');
    for (const dir of ['project', 'state']) fs.mkdirSync(path.join(work, dir));
    const environments = mirroredEnvironments(`${charts.url}/charts`);
    const stackConfig = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${ENV}.yaml`), 'utf8')) as { config: Record<string, string> };
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(path.dirname(bins.pulumi)) });
    stack = await LocalWorkspace.createOrSelectStack(
      { projectName: 'gitplane', stackName: ENV, program: async () => stackProgram(environments) },
      {
        pulumiCommand,
        workDir: path.join(work, 'project'),
        projectSettings: { name: 'gitplane', runtime: 'nodejs' },
        stackSettings: {
          [ENV]: { config: { ...stackConfig.config, 'gitplane:awaitArgoCd': 'false', 'gitplane:detachArgoCd': 'true' } },
        },
        envVars: {
          PULUMI_BACKEND_URL: `file://${path.join(work, 'state')}`,
          // Encrypts the stack's (empty) secrets in the throwaway state only.
          PULUMI_CONFIG_PASSPHRASE: 'gitplane-test-fake-passphrase',
          // An empty plugin cache: the provider comes from PATH (tools/install.sh), nothing is downloaded.
          PULUMI_HOME: path.join(work, 'pulumi-home'),
          PATH: `${path.dirname(bins['pulumi-resource-kubernetes'])}${path.delimiter}${process.env.PATH ?? ''}`,
          PULUMI_SKIP_UPDATE_CHECK: 'true',
          PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: 'true',
          KUBECONFIG: server.kubeconfig,
          HELM_CACHE_HOME: path.join(work, 'helm', 'cache'),
          HELM_CONFIG_HOME: path.join(work, 'helm', 'config'),
          HELM_DATA_HOME: path.join(work, 'helm', 'data'),
        },
      },
    );
  }, OPERATION_MS);

  afterAll(async () => {
    await charts?.close();
    await server?.stop();
  });

  /** Previews the stack under the stand-in and checks the plan's count of each kind of change. */
  async function expectPlan(changes: Record<string, number>): Promise<void> {
    const preview = await withStandIn(server, () => stack.preview());
    expect(preview.changeSummary).toEqual(changes);
  }

  /** Runs `up` or `destroy` under the stand-in and checks that it succeeded with this count of each kind of change. */
  async function expectUpdate<T extends { summary: UpdateSummary }>(operation: () => Promise<T>, changes: Record<string, number>): Promise<T> {
    const result = await withStandIn(server, operation);
    expect(result.summary.result).toBe('succeeded');
    expect(result.summary.resourceChanges).toEqual(changes);
    return result;
  }

  test('preview plans every resource as a create', () => expectPlan({ create: TYPES.length }), OPERATION_MS);

  test('up installs Argo CD from the mirror and applies the project and the root Application', async () => {
    const up = await expectUpdate(() => stack.up(), { create: TYPES.length });
    expect(up.outputs.rootApplication.value).toBe(`${ENV}-root`);
    const state = await stack.exportStack();
    expect(state.deployment.resources.map((r: { type: string }) => r.type).sort()).toEqual([...TYPES, 'pulumi:providers:kubernetes'].sort());

    for (const crd of CRDS) expect(await exists(server, paths.crd(crd))).toBe(true);
    expect(await exists(server, paths.namespace)).toBe(true);
    expect(await exists(server, paths.project)).toBe(true);
    expect(await exists(server, paths.root)).toBe(true);
    expect(await exists(server, `/api/v1/namespaces/${ARGOCD_NAMESPACE}/secrets/sh.helm.release.v1.${ARGOCD_RELEASE}.v1`)).toBe(true);
    // The chart came from the mirror, at the pinned version.
    const pin = pinnedVersions().charts['argo-cd'];
    expect(charts.requests).toEqual(expect.arrayContaining(['/charts/index.yaml', `/charts/${pin.chart}-${pin.version}.tgz`]));
  }, OPERATION_MS);

  test('up again changes nothing', () => expectUpdate(() => stack.up(), { same: TYPES.length }), OPERATION_MS);

  test('preview after up plans nothing', () => expectPlan({ same: TYPES.length }), OPERATION_MS);

  test('destroy removes the namespace, the project and the root Application, and keeps the CRDs as the chart asks', async () => {
    await expectUpdate(() => stack.destroy(), { delete: TYPES.length });
    expect(await exists(server, paths.namespace)).toBe(false);
    expect(await exists(server, paths.project)).toBe(false);
    expect(await exists(server, paths.root)).toBe(false);
    for (const crd of CRDS) {
      const r = await server.request('GET', paths.crd(crd));
      expect({ crd, policy: r.body.metadata?.annotations?.['helm.sh/resource-policy'] }).toEqual({ crd, policy: 'keep' });
    }
  }, OPERATION_MS);
}));
