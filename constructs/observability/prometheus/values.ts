/**
 * Helm values for kube-prometheus-stack, generated from typed props. Every key set here exists in
 * the chart's own values.yaml at the pinned version (a test walks them), because Helm silently
 * ignores a misspelt key.
 *
 * @see https://github.com/prometheus-community/helm-charts/tree/main/charts/kube-prometheus-stack
 */
import { PART_OF } from '../../core/labels';
import { ConfigMapKeyRef } from '../../core/secret-env';

/** `fullnameOverride`: objects are named `kps-*`, whatever the release is called. */
export const KPS_FULLNAME = 'kps';

/** Where the chart puts the Services of the control-plane exporters, whatever the release's namespace. */
export const KUBE_SYSTEM_NAMESPACE = 'kube-system';

export interface KubePrometheusStackProps {
  /** `kubeadm` scrapes etcd, scheduler, controller-manager and kube-proxy; `k3s` runs them in one process that exposes none of them. */
  readonly distribution: 'kubeadm' | 'k3s';
  /** Prometheus retention, e.g. `15d`. */
  readonly retention: string;
  /** Size of each Prometheus volume, e.g. `50Gi`. */
  readonly storageSize: string;
  readonly replicas: number;
  /** The rendered alertmanager.yml (see alertmanagerConfig). */
  readonly alertmanagerConfig: Record<string, unknown>;
  /** Secrets mounted into Alertmanager at /etc/alertmanager/secrets/<name>/. */
  readonly alertmanagerSecrets: readonly string[];
  /**
   * Notification template files by name, mounted beside alertmanager.yml.
   * @default - none
   */
  readonly alertmanagerTemplates?: Readonly<Record<string, string>>;
  /**
   * The URL people reach Alertmanager at; silence links in notifications point there.
   * @default - the chart's (the pod's own address, which people cannot open)
   */
  readonly alertmanagerUrl?: string;
  /**
   * Labels Prometheus adds to every series it sends out and every alert (`environment`,
   * `cluster`), so notifications, federated and remote-written series say where they come from.
   * @default - none
   */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /**
   * How far back out-of-order samples (OTLP pushes, remote write) are accepted.
   * @default '10m'
   */
  readonly outOfOrderTimeWindow?: string;
  /**
   * Host directory whose `*.prom` files node-exporter's textfile collector serves (the node
   * preflight writes there).
   * @default - the collector reads nothing
   */
  readonly textfileDirectory?: string;
  /**
   * Namespace node-exporter runs in: it uses the host's network, PID namespace and root
   * filesystem, which only a privileged namespace admits.
   * @default - the release's namespace
   */
  readonly nodeExporterNamespace?: string;
  /**
   * Secret holding Grafana's admin account (keys `admin-user` and `admin-password`), which the
   * chart would otherwise generate anew, with a random password, on every render.
   */
  readonly grafanaAdminSecret: string;
  /**
   * A ConfigMap of the release that holds the `cluster` external label under the given key, for
   * configs outside the chart (the collector's, Tempo's) to read when they start. The chart
   * renders it from `prometheus.prometheusSpec.externalLabels.cluster` with `tpl`, so where that
   * value is set per cluster (a fleet's Helm parameter) each cluster's ConfigMap names its own.
   * @default - none
   */
  readonly clusterConfigMap?: ConfigMapKeyRef;
}

/** Keys of the Grafana admin Secret, as the chart's `grafana.admin` names them. */
export const GRAFANA_ADMIN_KEYS = { user: 'admin-user', password: 'admin-password' } as const;

/** node-exporter's arguments in the pinned chart's defaults; setting extraArgs replaces the list. */
const NODE_EXPORTER_DEFAULT_ARGS = [
  '--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/containerd/.+|var/lib/docker/.+|var/lib/kubelet/.+)($|/)',
  '--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs|erofs)$',
];

/**
 * Where the chart's node-exporter sees the host's root filesystem (its hostRootFsMount, on by
 * default, mounted read-only), so a host directory needs no extra volume.
 */
const NODE_EXPORTER_HOST_ROOT = '/host/root';

export function kubePrometheusStackValues(props: KubePrometheusStackProps): Record<string, unknown> {
  const kubeadm = props.distribution === 'kubeadm';
  return {
    fullnameOverride: KPS_FULLNAME,
    crds: { enabled: true },
    // gitplane ships its own alerts, each with a runbook; the chart's would page without one.
    defaultRules: { create: false },
    prometheus: {
      prometheusSpec: {
        replicas: props.replicas,
        retention: props.retention,
        storageSpec: {
          volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: props.storageSize } } } },
        },
        enableRemoteWriteReceiver: true,
        enableOTLPReceiver: true,
        enableFeatures: ['exemplar-storage'],
        tsdb: { outOfOrderTimeWindow: props.outOfOrderTimeWindow ?? '10m' },
        ...(props.externalLabels ? { externalLabels: { ...props.externalLabels } } : {}),
        // With these false and the selectors left empty, Prometheus selects every rule and
        // monitor in every namespace, not only those labelled with the Helm release.
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
      },
    },
    alertmanager: {
      config: props.alertmanagerConfig,
      ...(props.alertmanagerTemplates ? { templateFiles: { ...props.alertmanagerTemplates } } : {}),
      alertmanagerSpec: { secrets: [...props.alertmanagerSecrets], ...(props.alertmanagerUrl ? { externalUrl: props.alertmanagerUrl } : {}) },
    },
    grafana: {
      // The chart's dashboards query the chart's recording rules, which are off with its alerts;
      // gitplane's dashboards read gitplane's own recorded series (see docs/decisions.md).
      defaultDashboardsEnabled: false,
      admin: { existingSecret: props.grafanaAdminSecret, userKey: GRAFANA_ADMIN_KEYS.user, passwordKey: GRAFANA_ADMIN_KEYS.password },
      sidecar: {
        dashboards: { enabled: true, searchNamespace: 'ALL' },
        // gitplane provisions Prometheus (uid prometheus, the default) beside Loki and Tempo;
        // the chart's own would be a second default with the same uid, which Grafana refuses.
        datasources: { enabled: true, defaultDatasourceEnabled: false },
      },
    },
    // Node alerts and the NodeDown inhibit rule match on the node name.
    'prometheus-node-exporter': {
      ...(props.nodeExporterNamespace ? { namespaceOverride: props.nodeExporterNamespace } : {}),
      ...(props.textfileDirectory ? { extraArgs: [...NODE_EXPORTER_DEFAULT_ARGS, `--collector.textfile.directory=${NODE_EXPORTER_HOST_ROOT}${props.textfileDirectory}`] } : {}),
      prometheus: {
        monitor: { relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' }] },
      },
    },
    // kubeadm: etcd serves plain-HTTP metrics on 2381; scheduler (10259) and controller-manager
    // (10257) serve HTTPS with self-signed certificates. All three bind 127.0.0.1 unless the
    // kubeadm ClusterConfiguration opens them (see docs/observability.md).
    kubeEtcd: kubeadm ? { enabled: true, service: { enabled: true, port: 2381, targetPort: 2381 }, serviceMonitor: { scheme: 'http' } } : { enabled: false },
    kubeScheduler: kubeadm
      ? { enabled: true, service: { enabled: true, port: 10259, targetPort: 10259 }, serviceMonitor: { https: true, insecureSkipVerify: true } }
      : { enabled: false },
    kubeControllerManager: kubeadm
      ? { enabled: true, service: { enabled: true, port: 10257, targetPort: 10257 }, serviceMonitor: { https: true, insecureSkipVerify: true } }
      : { enabled: false },
    // k3s runs kube-proxy inside its own process, not as a kube-proxy Pod the Service could select.
    kubeProxy: { enabled: kubeadm },
    // The chart renders each entry through `tpl`, so the templates below are its own values.
    ...(props.clusterConfigMap
      ? {
          extraManifests: {
            [props.clusterConfigMap.name]: {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: props.clusterConfigMap.name, namespace: '{{ .Release.Namespace }}', labels: { 'app.kubernetes.io/name': props.clusterConfigMap.name, 'app.kubernetes.io/part-of': PART_OF } },
              data: { [props.clusterConfigMap.key]: '{{ .Values.prometheus.prometheusSpec.externalLabels.cluster }}' },
            },
          },
        }
      : {}),
  };
}
