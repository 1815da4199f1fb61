/**
 * Names an environment's objects share with Argo CD and the GitOps repository, apart from the
 * constructs that create them (stacks/bootstrap.ts), so that what only reads manifests (policy and
 * validation of a directory, Helm rendering) loads no construct code.
 */
import type { EnvironmentSpec } from '../environments/schema';

export const ARGOCD_NAMESPACE = 'argocd';

/** Labels a fleet cluster carries when registered in Argo CD (`argocd cluster add --label`). */
export const ENVIRONMENT_LABEL = 'gitplane.dev/environment';
export const CLUSTER_LABEL = 'gitplane.dev/cluster';

/** The folder of an environment in the GitOps repository, e.g. `prod` or `clusters/prod`. */
export function environmentPath(spec: EnvironmentSpec): string {
  return [spec.gitops.path, spec.name].filter(Boolean).join('/');
}
