/**
 * Which application installs the CRDs of an API group and which runs the operator that serves
 * them. The one table sync-wave rules read; add a row when a component brings new custom resources.
 *
 * A CustomResourceDefinition object in the output wins over this table (its application is then
 * the installer). `bootstrap` means Argo CD's own install (Pulumi), present before any application.
 */
export interface CrdOwner {
  readonly group: string;
  /** App folder whose sync installs the CRDs, or `bootstrap`. */
  readonly crdApp: string;
  /** App folder that runs the controller or webhook serving them, or `bootstrap`. */
  readonly operatorApp: string;
}

export const CRD_OWNERS: readonly CrdOwner[] = [
  // kube-prometheus-stack ships the CRDs and prometheus-operator in one release.
  { group: 'monitoring.coreos.com', crdApp: 'observability-prometheus', operatorApp: 'observability-prometheus' },
  { group: 'longhorn.io', crdApp: 'longhorn', operatorApp: 'longhorn' },
  // NACK serves JetStream Stream and Consumer objects.
  { group: 'jetstream.nats.io', crdApp: 'nats', operatorApp: 'nats' },
  { group: 'external-secrets.io', crdApp: 'external-secrets', operatorApp: 'external-secrets' },
  { group: 'bitnami.com', crdApp: 'sealed-secrets', operatorApp: 'sealed-secrets' },
  { group: 'argoproj.io', crdApp: 'bootstrap', operatorApp: 'bootstrap' },
];

/** Groups whose kinds are built into Kubernetes (no CRD, no operator). */
export function isBuiltInGroup(group: string): boolean {
  return group === '' || group.endsWith('.k8s.io') || ['apps', 'batch', 'autoscaling', 'policy', 'extensions'].includes(group);
}

export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}
