/**
 * What each application gitplane ships is, apart from how it is built: name, namespace, wave, the
 * field that configures it, the API groups whose CRDs it installs and the cluster-scoped kinds its
 * chart renders. The descriptors under stacks/apps/ spread these and add their functions (settings,
 * alerts, Helm values, `build`), which load the constructs; what only needs to know the platform's
 * applications (the CRD owners of the policy rules, the check of a project's own applications)
 * reads this module and loads no construct code.
 */
import { AppData, MUTATING_WEBHOOK, OPERATOR_CHART_KINDS, PROMETHEUS_GROUP, VALIDATING_WEBHOOK } from '../application';
import { Wave } from '../waves';

export const EXTERNAL_SECRETS_NAMESPACE = 'external-secrets';
export const MONITORING_NAMESPACE = 'monitoring';

/**
 * Namespace of the collectors that read the host: the OpenTelemetry agent (host paths, uid 0) and
 * kube-prometheus-stack's node-exporter (host network, PID namespace and root filesystem). They
 * alone need the privileged Pod Security level, so `monitoring` enforces restricted.
 */
export const HOST_AGENTS_NAMESPACE = 'monitoring-agents';

/** The namespaces application (stacks/platform.ts builds it): every owned namespace synced at or after Wave.Foundation. */
export const NAMESPACES_DATA: AppData = {
  name: 'namespaces',
  namespace: 'default',
  wave: Wave.Foundation,
  component: 'namespaces',
  configuredAt: ['cluster'],
};

export const NODE_PREFLIGHT_DATA: AppData = {
  name: 'node-preflight',
  namespace: 'node-preflight',
  // It syncs before the namespaces application, so its namespace comes with it (stacks/platform.ts).
  // Privileged: the preflight reads the host's /proc, /sys and /boot as root with the host network.
  podSecurity: 'privileged',
  wave: Wave.Preflight,
  component: 'node-preflight',
  configuredAt: ['components', 'preflight'],
};

export const EXTERNAL_SECRETS_DATA: AppData = {
  name: 'external-secrets',
  namespace: EXTERNAL_SECRETS_NAMESPACE,
  podSecurity: 'restricted',
  // Its own rung before Wave.Operators: Longhorn and kube-prometheus-stack carry ExternalSecrets.
  wave: Wave.Secrets,
  component: 'secrets',
  configuredAt: ['secrets'],
  crds: [{ group: 'external-secrets.io', clusterScopedKinds: ['ClusterSecretStore', 'ClusterExternalSecret'] }],
  clusterKinds: [...OPERATOR_CHART_KINDS, VALIDATING_WEBHOOK],
};

export const LONGHORN_DATA: AppData = {
  name: 'longhorn',
  namespace: 'longhorn-system',
  // Longhorn's manager and CSI plugins run privileged on every node.
  podSecurity: 'privileged',
  wave: Wave.Operators,
  component: 'storage',
  configuredAt: ['components', 'longhorn'],
  // Longhorn needs open-iscsi (and an NFS client for RWX) on every node, which the preflight checks.
  dependsOn: ['node-preflight'],
  crds: [{ group: 'longhorn.io' }],
  clusterKinds: [...OPERATOR_CHART_KINDS, { group: 'scheduling.k8s.io', kind: 'PriorityClass' }],
};

export const MONITORING_DATA: AppData = {
  name: 'observability-prometheus',
  namespace: MONITORING_NAMESPACE,
  // Every pod the chart runs here meets restricted; node-exporter, which reads the host, runs in
  // the host collectors' namespace.
  podSecurity: 'restricted',
  wave: Wave.Operators,
  component: 'observability',
  configuredAt: ['components', 'observability'],
  // kube-prometheus-stack ships the CRDs and prometheus-operator in one release.
  crds: [{ group: PROMETHEUS_GROUP }],
  clusterKinds: [...OPERATOR_CHART_KINDS, MUTATING_WEBHOOK, VALIDATING_WEBHOOK],
};

/** What the observability services share: wave and configuration. */
const OBSERVABILITY_SERVICE = {
  wave: Wave.Services,
  component: 'observability',
  configuredAt: ['components', 'observability'],
} as const satisfies Partial<AppData>;

/** An observability service in `monitoring`. */
function monitoringService(name: string): AppData {
  return { name, namespace: MONITORING_NAMESPACE, ...OBSERVABILITY_SERVICE };
}

export const LOKI_DATA = monitoringService('observability-loki');
export const TEMPO_DATA = monitoringService('observability-tempo');
export const OTEL_DATA = monitoringService('observability-otel');

export const OTEL_AGENT_DATA: AppData = {
  name: 'observability-otel-agent',
  namespace: HOST_AGENTS_NAMESPACE,
  // Reads pod logs and the host's filesystems through host paths, as uid 0.
  podSecurity: 'privileged',
  ...OBSERVABILITY_SERVICE,
};

export const GRAFANA_DATA = monitoringService('observability-grafana');

export const NATS_DATA: AppData = {
  name: 'nats',
  namespace: 'nats',
  podSecurity: 'restricted',
  wave: Wave.Services,
  component: 'messaging',
  configuredAt: ['components', 'nats'],
  // NACK serves JetStream Stream and Consumer objects.
  crds: [{ group: 'jetstream.nats.io' }],
  clusterKinds: OPERATOR_CHART_KINDS,
};

export const ETCD_BACKUP_DATA: AppData = {
  name: 'etcd-backup',
  namespace: 'etcd-backup',
  // Backups read etcd's certificates from the host as root.
  podSecurity: 'privileged',
  wave: Wave.Jobs,
  component: 'backup',
  configuredAt: ['components', 'etcdBackup'],
};

/** The built-in applications, in the order stacks/platform.ts lists their descriptors (PLATFORM_APPS). */
export const BUILT_IN_APPS: readonly AppData[] = [
  NODE_PREFLIGHT_DATA,
  EXTERNAL_SECRETS_DATA,
  LONGHORN_DATA,
  MONITORING_DATA,
  LOKI_DATA,
  TEMPO_DATA,
  OTEL_DATA,
  OTEL_AGENT_DATA,
  GRAFANA_DATA,
  NATS_DATA,
  ETCD_BACKUP_DATA,
];
