/**
 * Host paths a pod may mount, each with the reason it is safe. Anything else is a finding (or an
 * exemption with its own reason). Longhorn's data path comes from the environment.
 */
export interface HostPathEntry {
  /** The path or a parent of it. */
  readonly path: string;
  readonly reason: string;
  /** Must be mounted read-only. */
  readonly readOnly: boolean;
}

export const HOST_PATH_ALLOWLIST: readonly HostPathEntry[] = [
  { path: '/proc', reason: 'node preflight reads cgroup and kernel state', readOnly: true },
  { path: '/sys', reason: 'node preflight reads cgroup controllers and block devices', readOnly: true },
  { path: '/boot', reason: 'node preflight reads (and with fix: true edits) the Raspberry Pi cmdline.txt', readOnly: false },
  { path: '/etc/kubernetes/pki/etcd', reason: 'etcd backup reads the etcd client certificates', readOnly: true },
  { path: '/etc/kubernetes/encryption', reason: 'etcd backup copies the API server encryption configuration beside each snapshot', readOnly: true },
  { path: '/var/lib/etcd-backup', reason: 'etcd backup keeps local snapshots for localRetentionDays', readOnly: false },
  { path: '/etc/containerd', reason: 'node preflight compares containerd\'s cgroup driver (config.toml) with the kubelet\'s', readOnly: true },
  { path: '/usr', reason: 'node preflight looks for iscsiadm and the NFS client that Longhorn needs on the host', readOnly: true },
  { path: '/var/lib/kubelet', reason: 'node preflight reads the kubelet\'s cgroup driver from config.yaml', readOnly: true },
  { path: '/var/lib/node-exporter/textfile', reason: 'node preflight writes gitplane_preflight.prom there for node-exporter\'s textfile collector, which reads it', readOnly: false },
  { path: '/var/log/pods', reason: 'the OpenTelemetry agent tails every pod\'s log files', readOnly: true },
  // Exactly the root, never as a prefix (a listed path allows only itself and paths below it, and
  // nothing is below "/" in that sense): hostmetrics reads /proc, /sys and every mounted
  // filesystem's usage under its root_path.
  { path: '/', reason: 'the OpenTelemetry agent\'s hostmetrics receiver reads the node\'s /proc, /sys and filesystems under root_path', readOnly: true },
];

/**
 * Workloads allowed into a host namespace (hostNetwork, hostPID, hostIPC), by object reference
 * (`Kind/namespace/name`, as in exemptions), each with its reason. NetworkPolicy does not apply
 * to host-network pods, so every entry is also a hole in the namespace's default deny.
 */
export interface HostNamespaceEntry {
  readonly object: string;
  readonly namespaces: readonly ('hostNetwork' | 'hostPID' | 'hostIPC')[];
  readonly reason: string;
}

export const HOST_NAMESPACE_ALLOWLIST: readonly HostNamespaceEntry[] = [
  { object: 'DaemonSet/node-preflight/node-preflight', namespaces: ['hostNetwork'], reason: 'net.ipv4.ip_forward is per network namespace: the preflight must read the host\'s' },
  { object: 'CronJob/etcd-backup/etcd-backup', namespaces: ['hostNetwork'], reason: 'kubeadm\'s etcd serves clients on the control-plane node\'s loopback (127.0.0.1:2379), which its certificates name' },
];

/** The allow-list plus the environment's Longhorn data path. */
export function hostPathAllowlist(longhornDataPath?: string): HostPathEntry[] {
  return [
    ...HOST_PATH_ALLOWLIST,
    ...(longhornDataPath ? [{ path: longhornDataPath.replace(/\/$/, ''), reason: 'Longhorn replica data (components.longhorn.dataPath)', readOnly: false }] : []),
  ];
}
