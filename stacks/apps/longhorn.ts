/** The `longhorn` application: the pinned Longhorn chart plus gitplane's StorageClasses, recurring jobs and backup credentials. */
import { EnvironmentSpec } from '../../environments/schema';
import { LONGHORN_BACKUP_SECRET_REF, objectStoreRegion } from '../environment';
import { Longhorn, LonghornProps, longhornValues } from '../../constructs/storage/longhorn';
import { PlatformApp } from '../platform';
import { syncWave, Wave } from '../waves';

/** Longhorn's props from an environment. */
export function longhornProps(spec: EnvironmentSpec): LonghornProps {
  const lh = spec.components.longhorn;
  const storageNodes = spec.cluster.nodes.filter((n) => n.roles.includes('storage'));
  const backups = spec.objectStore.longhornBackups;
  return {
    labels: { name: 'longhorn', instance: `longhorn-${spec.name}`, component: 'storage' },
    customResourceAnnotations: syncWave(Wave.CustomResources),
    storageNodes: storageNodes.length,
    numberOfReplicas: lh.numberOfReplicas,
    defaultDataPath: lh.dataPath,
    storageReservedPercentageForDefaultDisk: lh.storageReservedPercentage,
    reclaimPolicy: spec.tier === 'production' ? 'Retain' : 'Delete',
    raspberryPi: storageNodes.some((n) => n.model?.startsWith('raspberry-pi')),
    recurringJobs: { snapshotCron: lh.snapshotCron, backupCron: lh.backupCron, retain: lh.retain },
    backupStore: backups && {
      bucket: backups.bucket,
      prefix: backups.prefix,
      region: objectStoreRegion(spec, 'longhornBackups'),
      endpoint: spec.objectStore.endpoint,
      secretStore: spec.secrets.store,
      secretKey: spec.secrets.refs[LONGHORN_BACKUP_SECRET_REF],
    },
  };
}

export const LONGHORN_APP: PlatformApp = {
  name: 'longhorn',
  namespace: 'longhorn-system',
  wave: Wave.Operators,
  component: 'storage',
  // Longhorn needs open-iscsi (and an NFS client for RWX) on every node, which the preflight checks.
  dependsOn: ['node-preflight'],
  enabled: (spec) => spec.components.longhorn.enabled,
  build: (chart, { spec }) => {
    new Longhorn(chart, 'longhorn', longhornProps(spec));
  },
  helm: ({ spec }) => ({ chart: 'longhorn', releaseName: 'longhorn', values: longhornValues(longhornProps(spec)) }),
};
