/** A Secret whose keys become environment variables of the container. */
export interface SecretEnv {
  /** Secret name in the same namespace. */
  readonly secretName: string;
  /** Environment variable -> key in the Secret. */
  readonly keys: Readonly<Record<string, string>>;
}

/** The container `env` entries that read a SecretEnv's keys. */
export function secretEnvVars(secretEnv: SecretEnv): { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }[] {
  return Object.entries(secretEnv.keys).map(([name, key]) => ({ name, valueFrom: { secretKeyRef: { name: secretEnv.secretName, key } } }));
}

/** A key of a ConfigMap in the container's namespace (Kubernetes' ConfigMapKeySelector). */
export interface ConfigMapKeyRef {
  readonly name: string;
  readonly key: string;
}

/** The container `env` entry that reads a ConfigMap key into `variable`. */
export function configMapEnvVar(variable: string, ref: ConfigMapKeyRef): { name: string; valueFrom: { configMapKeyRef: { name: string; key: string } } } {
  return { name: variable, valueFrom: { configMapKeyRef: { name: ref.name, key: ref.key } } };
}
