/**
 * How gitplane registers and names the clusters of a fleet in Argo CD. No imports: the policies read these
 * without loading cdk8s.
 */

/**
 * Labels a fleet cluster carries when registered in Argo CD (`argocd cluster add --label`): the
 * environment's selects it, the cluster's names it in its Applications and Helm parameters.
 */
export const ENVIRONMENT_LABEL = 'gitplane.dev/environment';
export const CLUSTER_LABEL = 'gitplane.dev/cluster';

/**
 * The annotation of an AppProject that names the namespaces every cluster registered to the
 * project (a cluster Secret with `project: <name>` and `namespaces: <list>`,
 * `argocd cluster add --project <name> --namespace ...`) is limited to. Argo CD adds each such
 * cluster's namespaces to the project's destinations (or every namespace, when the cluster lists
 * none); the annotation is what gitplane registers its clusters with, and what its policies
 * judge the fleet's destinations by.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/projects/#project-scoped-repositories-and-clusters
 */
export const CLUSTER_NAMESPACES_ANNOTATION = 'gitplane.dev/cluster-namespaces';

/**
 * The name of the cluster an Application is stamped onto, as a template of the ApplicationSet:
 * the value of `clusterNameLabel` on the Argo CD cluster.
 */
export function clusterNameTemplate(clusterNameLabel: string): string {
  return `{{index .metadata.labels ${JSON.stringify(clusterNameLabel)}}}`;
}
