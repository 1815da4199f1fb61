import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { unlessEmpty } from '../../core/collections';
import { AppLabels, standardLabels } from '../../core/labels';

/** The S3 bucket Longhorn backs volumes up to, and where its credentials come from. */
export interface LonghornBackupStore {
  readonly bucket: string;
  /** AWS region of the bucket (S3-compatible stores accept any region name). */
  readonly region: string;
  /** Key prefix inside the bucket, without a leading "/". @default '' */
  readonly prefix?: string;
  /** Endpoint of an S3-compatible store. @default - AWS S3 */
  readonly endpoint?: string;
  /** ClusterSecretStore the credentials are read from. */
  readonly secretStore: string;
  /**
   * Key in the secret store of an entry with the properties `AWS_ACCESS_KEY_ID` and
   * `AWS_SECRET_ACCESS_KEY`.
   */
  readonly secretKey: string;
}

/** Schedules of the recurring jobs every gitplane volume gets. */
export interface LonghornRecurringJobs {
  /** @default '0 * * * *' (hourly) */
  readonly snapshotCron?: string;
  /** @default '0 2 * * *' (daily at 02:00) */
  readonly backupCron?: string;
  /** Snapshots and backups each job keeps. @default 7 */
  readonly retain?: number;
}

export interface LonghornProps {
  readonly labels: AppLabels;
  /**
   * Annotations of the custom resources (RecurringJobs, ExternalSecret), such as their sync wave.
   * @default - none
   */
  readonly customResourceAnnotations?: Record<string, string>;
  /** Namespace of the objects. @default 'longhorn-system' */
  readonly namespace?: string;
  /** Nodes that carry Longhorn disks. */
  readonly storageNodes: number;
  /**
   * Replicas of every volume, for both data engines. 1 is accepted only with a single storage
   * node and marks the StorageClasses with a warning.
   * @default 3, or the number of storage nodes when there are fewer
   * @see https://longhorn.io/docs/1.12.1/references/settings/#default-replica-count
   */
  readonly numberOfReplicas?: number;
  /** @default '/var/lib/longhorn/' */
  readonly defaultDataPath?: string;
  /** Share of each default disk Longhorn leaves to the host. @default 25 */
  readonly storageReservedPercentageForDefaultDisk?: number;
  /** Reclaim policy of gitplane's StorageClasses. @default 'Delete' */
  readonly reclaimPolicy?: 'Delete' | 'Retain';
  /** The nodes are Raspberry Pis: smaller CSI footprint, gentler rebuilds. @default false */
  readonly raspberryPi?: boolean;
  /** Where backups go. @default - no backups, snapshots only */
  readonly backupStore?: LonghornBackupStore;
  readonly recurringJobs?: LonghornRecurringJobs;
}

/** Name of the Secret (and ExternalSecret) holding the backup store credentials. */
export const BACKUP_CREDENTIALS_SECRET = 'longhorn-backup-credentials';
/**
 * The StorageClass for software that replicates its data itself (a JetStream cluster, etcd): one
 * Longhorn replica, strict-local. Renaming it fails the sync of every StatefulSet that uses it.
 */
export const QUORUM_STORAGE_CLASS = 'longhorn-quorum';
/** The recurring-job group every gitplane StorageClass puts its volumes in. */
export const RECURRING_JOB_GROUP = 'gitplane';
export const WARNING_ANNOTATION = 'gitplane.dev/warning';

/** Props with every default filled in, and checked. */
export interface ResolvedLonghorn {
  readonly numberOfReplicas: number;
  readonly defaultDataPath: string;
  readonly storageReservedPercentageForDefaultDisk: number;
  readonly reclaimPolicy: 'Delete' | 'Retain';
  readonly raspberryPi: boolean;
  readonly snapshotCron: string;
  readonly backupCron: string;
  readonly retain: number;
}

export function resolveLonghorn(props: LonghornProps): ResolvedLonghorn {
  if (!Number.isInteger(props.storageNodes) || props.storageNodes < 1) {
    throw new Error(`Longhorn needs at least one storage node (got ${props.storageNodes}). Give a node the role "storage".`);
  }
  const numberOfReplicas = props.numberOfReplicas ?? Math.min(3, props.storageNodes);
  if (numberOfReplicas > props.storageNodes) {
    throw new Error(
      `Longhorn numberOfReplicas must not exceed the number of storage nodes, ${props.storageNodes} (got ${numberOfReplicas}). Longhorn places each replica on a different node.`,
    );
  }
  if (numberOfReplicas === 1 && props.storageNodes > 1) {
    throw new Error(
      `Longhorn numberOfReplicas may be 1 only on a single storage node (got 1 with ${props.storageNodes} storage nodes). One replica loses the volume with its node; use ${Math.min(3, props.storageNodes)}.`,
    );
  }
  return {
    numberOfReplicas,
    defaultDataPath: props.defaultDataPath ?? '/var/lib/longhorn/',
    storageReservedPercentageForDefaultDisk: props.storageReservedPercentageForDefaultDisk ?? 25,
    reclaimPolicy: props.reclaimPolicy ?? 'Delete',
    raspberryPi: props.raspberryPi ?? false,
    snapshotCron: props.recurringJobs?.snapshotCron ?? '0 * * * *',
    backupCron: props.recurringJobs?.backupCron ?? '0 2 * * *',
    retain: props.recurringJobs?.retain ?? 7,
  };
}

/**
 * What gitplane adds around the Longhorn chart: its own StorageClasses (`longhorn`, the default,
 * and `longhorn-quorum`, one strict-local replica for systems that replicate themselves), the
 * recurring snapshot and backup jobs every one of their volumes belongs to, and the backup store
 * credentials as an ExternalSecret. The chart's own values come from `longhornValues`.
 *
 * @see https://longhorn.io/docs/1.12.1/snapshots-and-backups/scheduling-backups-and-snapshots/
 */
export class Longhorn extends Construct {
  public readonly numberOfReplicas: number;
  public readonly reclaimPolicy: 'Delete' | 'Retain';
  /** Warnings about the configuration, also written as annotations on the StorageClasses. */
  public readonly warnings: string[] = [];

  constructor(scope: Construct, id: string, props: LonghornProps) {
    super(scope, id);
    const r = resolveLonghorn(props);
    this.numberOfReplicas = r.numberOfReplicas;
    this.reclaimPolicy = r.reclaimPolicy;
    const namespace = props.namespace ?? 'longhorn-system';
    const labels = standardLabels(props.labels);
    if (r.numberOfReplicas === 1) {
      this.warnings.push('Volumes have a single replica (single storage node): losing the node loses the data not yet backed up.');
    }
    if (!props.backupStore) {
      this.warnings.push('No backup store is configured: volumes get snapshots on their own disks only.');
    }
    const annotations: Record<string, string> = this.warnings.length > 0 ? { [WARNING_ANNOTATION]: this.warnings.join(' ') } : {};
    const selector = JSON.stringify([{ name: RECURRING_JOB_GROUP, isGroup: true }]);

    const storageClass = (name: string, spec: { isDefault: boolean; numberOfReplicas: number; dataLocality: string; volumeBindingMode: string }) => {
      const sc = new ApiObject(this, `StorageClass-${name}`, {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: {
          name,
          labels,
          annotations: { ...annotations, 'storageclass.kubernetes.io/is-default-class': String(spec.isDefault) },
        },
        provisioner: 'driver.longhorn.io',
        allowVolumeExpansion: true,
        reclaimPolicy: r.reclaimPolicy,
        volumeBindingMode: spec.volumeBindingMode,
        parameters: {
          numberOfReplicas: String(spec.numberOfReplicas),
          staleReplicaTimeout: '30',
          fsType: 'ext4',
          dataEngine: 'v1',
          dataLocality: spec.dataLocality,
          // Volumes carry the gitplane group explicitly, so they stay in it (and in its backup
          // job) even when someone labels them with another group, which drops `default`.
          recurringJobSelector: selector,
        },
      });
      // StorageClasses are cluster-scoped; the chart's default namespace must not stick to them.
      if (sc.metadata.namespace !== undefined) sc.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    };
    storageClass('longhorn', { isDefault: true, numberOfReplicas: r.numberOfReplicas, dataLocality: 'disabled', volumeBindingMode: 'Immediate' });
    // Quorum systems (NATS JetStream, etcd) keep their own copies on other nodes: Longhorn
    // replicas on top would multiply every write (R3 on 3 replicas stores it 9 times). One
    // replica on the pod's own node, created where the pod lands.
    storageClass(QUORUM_STORAGE_CLASS, { isDefault: false, numberOfReplicas: 1, dataLocality: 'strict-local', volumeBindingMode: 'WaitForFirstConsumer' });

    const job = (name: string, task: 'snapshot' | 'backup', cron: string) =>
      new ApiObject(this, `RecurringJob-${name}`, {
        apiVersion: 'longhorn.io/v1beta2',
        kind: 'RecurringJob',
        metadata: { name, namespace, labels, annotations: unlessEmpty(props.customResourceAnnotations) },
        spec: { name, task, cron, retain: r.retain, concurrency: 1, groups: ['default', RECURRING_JOB_GROUP], labels: {} },
      });
    job('gitplane-snapshot', 'snapshot', r.snapshotCron);

    if (props.backupStore) {
      job('gitplane-backup', 'backup', r.backupCron);
      const store = props.backupStore;
      const remote = (property: string) => ({ secretKey: property, remoteRef: { key: store.secretKey, property } });
      new ApiObject(this, 'ExternalSecret', {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: BACKUP_CREDENTIALS_SECRET, namespace, labels, annotations: unlessEmpty(props.customResourceAnnotations) },
        spec: {
          refreshInterval: '1h',
          secretStoreRef: { kind: 'ClusterSecretStore', name: store.secretStore },
          target: {
            name: BACKUP_CREDENTIALS_SECRET,
            creationPolicy: 'Owner',
            ...(store.endpoint ? { template: { engineVersion: 'v2', mergePolicy: 'Merge', data: { AWS_ENDPOINTS: store.endpoint } } } : {}),
          },
          data: [remote('AWS_ACCESS_KEY_ID'), remote('AWS_SECRET_ACCESS_KEY')],
        },
      });
    }
  }
}

/** `s3://bucket@region/prefix/`, the backup target format Longhorn reads. */
export function backupTarget(store: LonghornBackupStore): string {
  const prefix = (store.prefix ?? '').replace(/^\/+|\/+$/g, '');
  return `s3://${store.bucket}@${store.region}/${prefix ? `${prefix}/` : ''}`;
}
