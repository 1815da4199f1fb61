/**
 * The sync-wave ladder: the one order in which Argo CD brings the platform up, used for the
 * Applications of the root app-of-apps and for objects inside each Application.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 */
export const Wave = {
  /** Node preflight: its health gates storage. */
  Preflight: -30,
  /** Namespaces and CRDs. */
  Foundation: -20,
  /**
   * The secret-store operator (external-secrets) and its ClusterSecretStore: operators in the
   * next rung (Longhorn, kube-prometheus-stack) already carry ExternalSecrets.
   */
  Secrets: -15,
  /** Operators and controllers (prometheus-operator, Longhorn, NACK). */
  Operators: -10,
  /** Core services (NATS, Loki, Tempo, the OpenTelemetry Collector, Grafana). */
  Services: 0,
  /** Custom resources served by an operator (PrometheusRule, ServiceMonitor, RecurringJob, ExternalSecret). */
  CustomResources: 10,
  /** Jobs (etcd backup, restore drill). */
  Jobs: 20,
} as const;

export type WaveValue = (typeof Wave)[keyof typeof Wave];

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** The annotation that puts an object or Application in a wave; the value must be a string. */
export function syncWave(wave: number): Record<string, string> {
  return { [SYNC_WAVE_ANNOTATION]: String(wave) };
}
