import { BACKUP_CREDENTIALS_SECRET, LonghornProps, backupTarget, resolveLonghorn } from './longhorn';

/** A per-data-engine setting as Longhorn 1.12 reads it: `{"v1":"3","v2":"3"}`. */
function perDataEngine(value: number): string {
  return JSON.stringify({ v1: String(value), v2: String(value) });
}

/**
 * Values for the Longhorn chart, from the same props as the `Longhorn` construct. Every key
 * exists in the chart's default values (a test checks that against the pinned chart).
 *
 * @see https://longhorn.io/docs/1.12.1/references/settings/
 */
export function longhornValues(props: LonghornProps): Record<string, unknown> {
  const r = resolveLonghorn(props);
  const csiReplicas = Math.min(props.storageNodes, r.raspberryPi ? 2 : 3);
  return {
    // gitplane owns the StorageClasses (see the Longhorn construct), not the chart's ConfigMap;
    // the chart's other persistence.* keys only shape that ConfigMap, so none is set.
    persistence: { createStorageClass: false },
    // The pre-upgrade job is a Helm hook that Argo CD runs on every sync; the chart asks GitOps
    // installs to turn it off.
    preUpgradeChecker: { jobEnabled: false },
    csi: {
      attacherReplicaCount: csiReplicas,
      provisionerReplicaCount: csiReplicas,
      resizerReplicaCount: csiReplicas,
      snapshotterReplicaCount: csiReplicas,
      podAntiAffinityPreset: 'soft',
    },
    defaultSettings: {
      defaultDataPath: r.defaultDataPath,
      storageReservedPercentageForDefaultDisk: r.storageReservedPercentageForDefaultDisk,
      defaultReplicaCount: perDataEngine(r.numberOfReplicas),
      // Detached volumes (a scaled-down StatefulSet) still get their snapshots and backups.
      allowRecurringJobWhileVolumeDetached: true,
      ...(r.raspberryPi
        ? {
            // A Raspberry Pi has 4 cores; the default reserves 12% of them per instance manager.
            guaranteedInstanceManagerCPU: perDataEngine(5),
            // SD cards and USB disks saturate quickly: rebuild one replica per node at a time.
            concurrentReplicaRebuildPerNodeLimit: 1,
          }
        : {}),
    },
    ...(props.backupStore
      ? { defaultBackupStore: { backupTarget: backupTarget(props.backupStore), backupTargetCredentialSecret: BACKUP_CREDENTIALS_SECRET } }
      : {}),
  };
}
