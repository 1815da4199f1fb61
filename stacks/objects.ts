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
}

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
