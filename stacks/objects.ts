/** The shape every rendered Kubernetes object shares, and small helpers to find objects by kind and name. */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** An object as synth produced it: where it is written and which construct made it. */
export interface RenderedObject {
  manifest: Manifest;
  /** Argo CD application (folder under apps/), or "bootstrap". */
  app: string;
  /** Path relative to the environment's output directory, e.g. `apps/nats/statefulset-nats.yaml`. */
  file: string;
  /** Construct path of the object when it came from synth. */
  constructPath?: string;
  /** The line the object begins at in `file`, when read from a directory (`policy --dir`). */
  line?: number;
  /**
   * Set when Helm rendered the object from the application's pinned chart (stacks/helm-render.ts).
   * Argo CD renders the chart itself, so such an object is judged but never written; its `file`
   * is the values file that shapes it.
   */
  chart?: ChartOrigin;
}

/** Where a rendered chart object came from. */
export interface ChartOrigin {
  readonly name: string;
  readonly version: string;
  readonly release: string;
  /** The template that rendered it, as Helm's `# Source:` line names it, e.g. `longhorn/templates/daemonset-sa.yaml`. */
  readonly template: string;
}

/**
 * Kinds served cluster-scoped, as `group/Kind` (core group empty): built-in kinds of Kubernetes
 * 1.34, and the custom kinds gitplane's own applications render. Such an object takes no
 * metadata.namespace. For other custom kinds the CRD's spec.scope decides (see validation/).
 *
 * @see https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-uris
 */
const CLUSTER_SCOPED = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/VolumeAttributesClass',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy',
  'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'scheduling.k8s.io/PriorityClass',
  'node.k8s.io/RuntimeClass',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/ServiceCIDR',
  'certificates.k8s.io/CertificateSigningRequest',
  'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'resource.k8s.io/DeviceClass',
  'resource.k8s.io/ResourceSlice',
  'external-secrets.io/ClusterSecretStore',
  'external-secrets.io/ClusterExternalSecret',
]);

/** True for a built-in cluster-scoped kind or a custom one gitplane renders. */
export function isClusterScoped(apiVersion: string, kind: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return CLUSTER_SCOPED.has(`${group}/${kind}`);
}

/**
 * Whether a value is a map (a YAML mapping), not a list, scalar or null: for reading objects whose
 * shape nothing has checked (policies/lib/shape.ts, a base tree gitplane diff compares).
 */
export const isMap = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v); // eslint-disable-line @typescript-eslint/no-explicit-any

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects. */
export function objectRef(m: Manifest): string {
  const ns = m.metadata?.namespace;
  return ns ? `${m.kind}/${ns}/${m.metadata?.name}` : `${m.kind}/${m.metadata?.name}`;
}

/** The one object of a kind and name; throws when there is none or more than one. */
export function findOne<T extends Manifest = Manifest>(objects: readonly Manifest[], kind: string, name: string): T {
  const found = objects.filter((o) => o.kind === kind && o.metadata?.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} named ${name}, found ${found.length}`);
  return found[0] as T;
}

/** All objects of a kind. */
export function findAll<T extends Manifest = Manifest>(objects: readonly Manifest[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind) as T[];
}
