/**
 * Names an environment's objects share with Argo CD and the GitOps repository, apart from the
 * constructs that create them (stacks/bootstrap.ts), so that what only reads manifests (policy and
 * validation of a directory, Helm rendering) loads no construct code.
 */
import type { EnvironmentSpec } from '../environments/schema';

export const ARGOCD_NAMESPACE = 'argocd';

export { CLUSTER_LABEL, ENVIRONMENT_LABEL } from '../constructs/gitops/argocd/project-clusters';

/** The folder of an environment in the GitOps repository, e.g. `prod` or `clusters/prod`. */
export function environmentPath(spec: EnvironmentSpec): string {
  return [spec.gitops.path, spec.name].filter(Boolean).join('/');
}
