/**
 * The recommended `app.kubernetes.io/*` labels every gitplane object carries.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
export interface AppLabels {
  /** The application, e.g. `nats`. */
  readonly name: string;
  /** The instance, unique per environment, e.g. `nats-prod`. */
  readonly instance: string;
  /** The version of the software, e.g. `2.14.2`. */
  readonly version?: string;
  /** The role within the architecture, e.g. `messaging`. */
  readonly component: string;
}

export const PART_OF = 'gitplane-platform';
export const MANAGED_BY = 'gitplane';

/** All recommended labels, for metadata. */
export function standardLabels(app: AppLabels): Record<string, string> {
  return {
    ...selectorLabels(app),
    ...(app.version ? { 'app.kubernetes.io/version': app.version } : {}),
    'app.kubernetes.io/component': app.component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** The labels that identify pods of an application; stable across upgrades, so no version. */
export function selectorLabels(app: Pick<AppLabels, 'name' | 'instance'>): Record<string, string> {
  return { 'app.kubernetes.io/name': app.name, 'app.kubernetes.io/instance': app.instance };
}

/**
 * Annotation on a workload's pod template that states why it needs privilege (root, a writable
 * root filesystem, privilege escalation, capabilities or `privileged: true`); the policy rule
 * container-security-context reads it (docs/policies.md, "Stated privilege").
 */
export const PRIVILEGED_REASON = 'gitplane.dev/privileged-reason';

/**
 * Annotation on a StatefulSet whose software keeps copies of its data on other pods itself (a
 * JetStream cluster's stream replicas, etcd's members): how many. The policy rule
 * self-replicating-storage reads it to find copies multiplied by a replicated StorageClass.
 */
export const REPLICATION_FACTOR = 'gitplane.dev/replication-factor';
