/** The `etcd-backup` application: etcd snapshots with weekly restore drills on kubeadm clusters. */
import { IngressPolicy, OutputFile } from '../../constructs/core';
import { EtcdBackup, ETCD_BACKUP_PATHS } from '../../constructs/backup/etcd';
import { EnvironmentSpec } from '../../environments/schema';
import { fieldLocation, objectStoreRegion } from '../environment';
import { InputError } from '../errors';
import type { AppDescriptor, PlatformContext } from '../application';
import { shippedScript } from '../scripts';
import { imageRef, versionLabel } from '../versions';
import { syncWave, Wave } from '../waves';
import { ETCD_BACKUP_DATA } from './catalog';

/** Name in `secrets.refs` of the secret-store entry holding the etcd backup bucket's S3 keys. */
export const ETCD_BACKUP_CREDENTIALS_REF = 'etcd-backup-s3';

/** Where an environment's etcd snapshots go, and how to reach an S3 destination. */
export function etcdBackupDestination(spec: EnvironmentSpec): Pick<ConstructorParameters<typeof EtcdBackup>[2], 'destination' | 's3'> {
  const target = spec.objectStore.etcdBackups;
  if (!target) return { destination: ETCD_BACKUP_PATHS.localDir };
  const file = fieldLocation(spec, ['secrets', 'refs']);
  const problems: string[] = [];
  const remoteKey = spec.secrets.refs[ETCD_BACKUP_CREDENTIALS_REF];
  if (spec.secrets.provider === 'external-secrets' && !remoteKey) {
    problems.push(
      `${file}: secrets.refs.${ETCD_BACKUP_CREDENTIALS_REF} is missing; etcd backups to ${target.bucket} need S3 credentials. ` +
        `Add the secret-store entry holding access-key-id and secret-access-key, e.g. ${ETCD_BACKUP_CREDENTIALS_REF}: ${spec.name}/etcd-backup/s3-credentials.`,
    );
  }
  if (problems.length > 0) throw new InputError(problems);
  return {
    destination: `s3://${target.bucket}/${target.prefix}`.replace(/\/+$/, ''),
    s3: {
      region: objectStoreRegion(spec, 'etcdBackups'),
      endpoint: spec.objectStore.endpoint,
      externalSecret: remoteKey && spec.secrets.provider === 'external-secrets' ? { store: spec.secrets.store, remoteKey } : undefined,
    },
  };
}

export const ETCD_BACKUP_APP: AppDescriptor = {
  ...ETCD_BACKUP_DATA,
  enabled: (spec) => spec.components.etcdBackup.enabled,
  build: (chart, { spec, versions }: PlatformContext) => {
    if (spec.cluster.distribution === 'k3s') {
      // k3s snapshots its embedded etcd itself; there is nothing to deploy, only to say so.
      new OutputFile(chart, 'k3s-note', { path: 'notes/etcd-backup.md', content: K3S_NOTE });
      return;
    }
    const etcd = spec.components.etcdBackup;
    const app = { name: 'etcd-backup', instance: `etcd-backup-${spec.name}`, component: 'backup', version: versionLabel(versions, 'etcd') };
    // Neither job serves a port: the drill's throwaway etcd listens on its pod's loopback, and the
    // backup runs on the host network, which NetworkPolicy does not reach.
    new IngressPolicy(chart, 'default-deny', { name: 'default-deny-ingress', app, annotations: syncWave(Wave.Jobs) });
    new EtcdBackup(chart, 'etcd-backup', {
      app,
      scripts: {
        backup: shippedScript('backup/etcd/etcd-backup.sh'),
        drill: shippedScript('backup/etcd/etcd-restore-drill.sh'),
        lib: shippedScript('backup/etcd/etcd-backup-lib.sh'),
      },
      image: imageRef(versions, 'etcd-backup'),
      etcdImage: imageRef(versions, 'etcd'),
      ...etcdBackupDestination(spec),
      schedule: etcd.schedule,
      drillSchedule: etcd.drillSchedule,
      localRetentionDays: etcd.localRetentionDays,
      encryptionConfigPath: etcd.encryptionConfigPath,
      annotations: syncWave(Wave.Jobs),
    });
  },
};

const K3S_NOTE = `# etcd backups on k3s

This environment runs k3s, which takes etcd snapshots itself, so gitplane deploys no etcd-backup
CronJob here. Configure k3s's snapshots on its server nodes (\`/etc/rancher/k3s/config.yaml\`):
\`etcd-snapshot-schedule-cron\`, \`etcd-snapshot-retention\` and, for off-node copies, the
\`etcd-s3\` settings. A k3s server with SQLite instead of embedded etcd has no etcd to snapshot:
back up \`/var/lib/rancher/k3s/server/db/\`.
`;
