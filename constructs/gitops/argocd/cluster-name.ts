/**
 * The name of the cluster an Application is stamped onto, as a template of the ApplicationSet:
 * the value of `clusterNameLabel` on the Argo CD cluster.
 */
export function clusterNameTemplate(clusterNameLabel: string): string {
  return `{{index .metadata.labels ${JSON.stringify(clusterNameLabel)}}}`;
}
