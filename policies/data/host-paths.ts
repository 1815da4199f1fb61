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
];

/** The allow-list plus the environment's Longhorn data path. */
export function hostPathAllowlist(longhornDataPath?: string): HostPathEntry[] {
  return [
    ...HOST_PATH_ALLOWLIST,
    ...(longhornDataPath ? [{ path: longhornDataPath.replace(/\/$/, ''), reason: 'Longhorn replica data (components.longhorn.dataPath)', readOnly: false }] : []),
  ];
}
