/**
 * Argo CD on the environment's cluster: its namespace, the pinned Helm chart with the
 * Application health customization (so sync waves between child Applications gate), and the
 * environment's AppProject and root Application, taken from the same synthesized output that
 * `gitplane publish` commits.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as k8s from '@pulumi/kubernetes';
import { EnvironmentSpec } from '../../environments/schema';
import { ARGOCD_CONTROLLER_METRICS, ARGOCD_NAMESPACE, ARGOCD_RELEASE } from '../bootstrap';
import { PACKAGE_ROOT } from '../paths';
import { findOne, Manifest } from '../objects';
import { synthEnvironment } from '../synth';
import { Versions } from '../versions';

/** The provider's annotation that skips waiting for an object to become ready. */
const SKIP_AWAIT = 'pulumi.com/skipAwait';
/**
 * The provider's annotation choosing how it deletes an object. Its default, foreground, leaves the
 * object in place under a `foregroundDeletion` finalizer until the garbage collector has removed
 * it, and the provider waits for that even with skipAwait, which it honours on deletion only for
 * built-in workload kinds and namespaces.
 */
const DELETION_PROPAGATION = 'pulumi.com/deletionPropagationPolicy';
const ARGOCD_FINALIZER = 'resources-finalizer.argocd.argoproj.io';
const RELEASE_TIMEOUT_SECONDS = 300;

const HEALTH_LUA = path.join(PACKAGE_ROOT, 'constructs', 'gitops', 'argocd', 'application-health.lua');

/**
 * The argo-cd chart values gitplane sets; `configs.cm` takes any argocd-cm key. The application
 * controller's metrics Service is on, so the Argo CD alerts have series (the observability-prometheus
 * application ships its ServiceMonitor).
 */
export function argocdValues(): { values: Record<string, unknown>; openKeys: string[] } {
  return {
    values: {
      configs: { cm: { 'resource.customizations.health.argoproj.io_Application': fs.readFileSync(HEALTH_LUA, 'utf8') } },
      controller: { metrics: { enabled: true, service: { portName: ARGOCD_CONTROLLER_METRICS.port } } },
    },
    openKeys: ['configs.cm'],
  };
}

export interface ArgoCdOptions {
  readonly provider?: k8s.Provider;
  /**
   * When Argo CD is gone (or never came up): apply the project and root Application without Argo
   * CD's resources finalizer, which only its application controller removes, and have Pulumi
   * delete them in the background, so `pulumi destroy` waits on no controller for them. Set with
   * `pulumi config set gitplane:detachArgoCd true`, then `pulumi up`, then `pulumi destroy`
   * (docs/gitops.md, "Destroying the bootstrap").
   * @default false
   */
  readonly detach?: boolean;
  /**
   * Wait until Argo CD's Deployments and StatefulSet are ready before the release counts as
   * installed (Helm's --wait). The chart's pre-install hook is waited for either way.
   * `pulumi config set gitplane:awaitArgoCd false` for a cluster that cannot run them yet.
   * @default true
   */
  readonly awaitReady?: boolean;
}

export interface ArgoCd {
  readonly namespace: k8s.core.v1.Namespace;
  readonly release: k8s.helm.v3.Release;
  readonly project: k8s.apiextensions.CustomResource;
  readonly root: k8s.apiextensions.CustomResource;
}

/** Installs Argo CD and adopts the environment's project and root Application. */
export function argoCd(spec: EnvironmentSpec, versions: Versions, options: ArgoCdOptions = {}): ArgoCd {
  const { provider, detach = false, awaitReady = true } = options;
  const opts = provider ? { provider } : {};
  const pin = versions.charts['argo-cd'];
  const namespace = new k8s.core.v1.Namespace('argocd', { metadata: { name: ARGOCD_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'pulumi' } } }, opts);
  const release = new k8s.helm.v3.Release(
    'argocd',
    {
      name: ARGOCD_RELEASE,
      namespace: ARGOCD_NAMESPACE,
      chart: pin.chart,
      version: pin.version,
      repositoryOpts: { repo: pin.repoURL },
      values: argocdValues().values,
      // The provider's default timeout, which it leaves unset with skipAwait: it also bounds the
      // wait for the chart's pre-install hook (the Redis secret Job), which is never skipped.
      ...(awaitReady ? {} : { skipAwait: true, timeout: RELEASE_TIMEOUT_SECONDS }),
    },
    { ...opts, dependsOn: [namespace] },
  );
  const objects = synthEnvironment(spec).objects.map((o) => o.manifest);
  const adopt = (m: Manifest, name: string) => {
    const { apiVersion, kind, metadata, ...rest } = m;
    const detached = detach ? detachedMetadata(metadata) : metadata;
    return new k8s.apiextensions.CustomResource(name, { apiVersion, kind, metadata: detached, ...rest }, { ...opts, dependsOn: [release] });
  };
  const project = adopt(findOne(objects, 'AppProject', spec.name), 'project');
  const root = adopt(findOne(objects, 'Application', `${spec.name}-root`), 'root');
  return { namespace, release, project, root };
}

function detachedMetadata(metadata: Manifest['metadata']): Manifest['metadata'] {
  const { finalizers, ...rest } = metadata;
  const kept = ((finalizers ?? []) as string[]).filter((f) => f !== ARGOCD_FINALIZER && !f.startsWith(`${ARGOCD_FINALIZER}/`));
  return { ...rest, ...(kept.length > 0 ? { finalizers: kept } : {}), annotations: { ...metadata.annotations, [SKIP_AWAIT]: 'true', [DELETION_PROPAGATION]: 'background' } };
}
