/**
 * Which application installs the CRDs of an API group and which runs the operator that serves
 * them, as sync-wave rules read it: derived from the applications' data (their `crds`; the built-in
 * ones' from stacks/apps/catalog.ts, which loads no construct code), plus
 * the groups that arrive from outside the platform's applications.
 *
 * A CustomResourceDefinition object in the output wins over this table (its application is then
 * the installer). `bootstrap` means Argo CD's own install (Pulumi), present before any application.
 */
import { AppData } from '../../stacks/application';
import { BUILT_IN_APPS } from '../../stacks/apps/catalog';
import { ownApps } from '../../stacks/own-apps';

export interface CrdOwner {
  readonly group: string;
  /** App folder whose sync installs the CRDs, or `bootstrap`. */
  readonly crdApp: string;
  /** App folder that runs the controller or webhook serving them, or `bootstrap`. */
  readonly operatorApp: string;
}

/** Groups no gitplane application installs. */
const OUTSIDE_OWNERS: readonly CrdOwner[] = [
  { group: 'bitnami.com', crdApp: 'sealed-secrets', operatorApp: 'sealed-secrets' },
  { group: 'argoproj.io', crdApp: 'bootstrap', operatorApp: 'bootstrap' },
];

/** The CRD owners of a platform's applications; each application that declares a group both installs and serves it. */
export function crdOwners(apps: readonly AppData[] = [...BUILT_IN_APPS, ...ownApps()]): CrdOwner[] {
  return [...apps.flatMap((a) => (a.crds ?? []).map((c) => ({ group: c.group, crdApp: a.name, operatorApp: a.name }))), ...OUTSIDE_OWNERS];
}

/** Groups whose kinds are built into Kubernetes (no CRD, no operator). */
export function isBuiltInGroup(group: string): boolean {
  return group === '' || group.endsWith('.k8s.io') || ['apps', 'batch', 'autoscaling', 'policy', 'extensions'].includes(group);
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
