import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppLabels, OutputFile, PRIVILEGED_REASON, RenderedConfig, standardLabels, unlessEmpty } from '../../core';
import { cronSchedule, ScheduledJob } from '../../workloads/cron-job';
import { cpu, hostPathVolume, memory } from '../../workloads/secure-defaults';
import { restoreRunbook } from './restore-runbook';
import { ExternalSecret } from '../../secrets';

/** The shipped scripts, read by stacks/ and passed in so the construct stays pure. */
export interface EtcdBackupScripts {
  /** etcd-backup.sh */
  readonly backup: string;
  /** etcd-restore-drill.sh */
  readonly drill: string;
  /** etcd-backup-lib.sh, sourced by both. */
  readonly lib: string;
}

/** Where an S3 destination is and where its credentials come from. */
export interface EtcdBackupS3 {
  /** AWS region, signed into every request. */
  readonly region: string;
  /** S3-compatible endpoint. @default - https://s3.<region>.amazonaws.com */
  readonly endpoint?: string;
  /**
   * Entry of the ClusterSecretStore holding `access-key-id` and `secret-access-key`; an
   * ExternalSecret turns it into the Secret the jobs read.
   * @default - no ExternalSecret: a Secret named `etcd-backup-s3` with keys AWS_ACCESS_KEY_ID and
   *   AWS_SECRET_ACCESS_KEY must be provided another way (a SealedSecret, say)
   */
  readonly externalSecret?: { readonly store: string; readonly remoteKey: string };
}

export interface EtcdBackupProps {
  readonly app: AppLabels;
  readonly scripts: EtcdBackupScripts;
  /** Image that runs the scripts: a shell, coreutils and curl with SigV4 (`--aws-sigv4`). */
  readonly image: string;
  /** etcd image the etcd, etcdctl and etcdutl binaries are copied from (same version as the cluster's). */
  readonly etcdImage: string;
  /** `s3://bucket/prefix` or an absolute directory on the control-plane node. */
  readonly destination: string;
  /** Required when `destination` is `s3://...`. */
  readonly s3?: EtcdBackupS3;
  /** Cron schedule of the backup. @default '0 *\/6 * * *' */
  readonly schedule?: string;
  /** Cron schedule of the restore drill. @default '30 3 * * 0' (weekly) */
  readonly drillSchedule?: string;
  /** Local snapshots older than this are deleted. @default 3 */
  readonly localRetentionDays?: number;
  /** API server encryption configuration on the control-plane host, copied with each snapshot. @default - none */
  readonly encryptionConfigPath?: string;
  /** Annotations for every object (a sync wave). */
  readonly annotations?: Record<string, string>;
}

/** Where the jobs put things inside their pods and on the host. */
export const ETCD_BACKUP_PATHS = {
  pki: '/etc/kubernetes/pki/etcd',
  localDir: '/var/lib/etcd-backup',
  scripts: '/opt/gitplane/scripts',
  etcdBin: '/opt/etcd/bin',
} as const;

const CREDENTIALS_SECRET = 'etcd-backup-s3';

/**
 * etcd snapshots for a kubeadm control plane, and the drill that proves they restore.
 *
 * Two CronJobs share one ConfigMap of shell scripts: `etcd-backup` runs on a control-plane node
 * with host networking and etcd's client certificates; `etcd-restore-drill` restores the newest
 * snapshot into a throwaway etcd inside its own pod. The etcd binaries come from the pinned etcd
 * image through an init container, so they match the cluster's etcd. Also renders the restore
 * runbook to `runbooks/etcd-restore.md` and the scripts for `gitplane config`.
 *
 * @see https://etcd.io/docs/v3.6/op-guide/recovery/
 */
export class EtcdBackup extends Construct {
  public readonly schedule: string;
  public readonly drillSchedule: string;
  public readonly localRetentionDays: number;

  constructor(scope: Construct, id: string, props: EtcdBackupProps) {
    super(scope, id);
    this.schedule = props.schedule ?? '0 */6 * * *';
    this.drillSchedule = props.drillSchedule ?? '30 3 * * 0';
    this.localRetentionDays = props.localRetentionDays ?? 3;
    const s3 = props.destination.startsWith('s3://');
    if (s3 && !props.s3) throw new Error(`EtcdBackup: destination ${props.destination} is an S3 URL, so the s3 prop (region, credentials) is required.`);
    if (!s3 && !props.destination.startsWith('/')) {
      throw new Error(`EtcdBackup: destination must be s3://bucket/prefix or an absolute directory (got "${props.destination}").`);
    }
    if (!Number.isInteger(this.localRetentionDays) || this.localRetentionDays < 1) {
      throw new Error(`EtcdBackup: localRetentionDays must be a whole number of at least 1 (got ${this.localRetentionDays}).`);
    }
    const labels = standardLabels(props.app);
    const meta = (name: string, extra: Record<string, string> = {}) => ({ name, labels, annotations: unlessEmpty({ ...props.annotations, ...extra }) });

    const scripts = new kplus.ConfigMap(this, 'scripts', {
      metadata: meta('etcd-backup-scripts'),
      data: { 'etcd-backup.sh': props.scripts.backup, 'etcd-restore-drill.sh': props.scripts.drill, 'etcd-backup-lib.sh': props.scripts.lib },
    });
    const volumes: CommonVolumes = {
      scripts: kplus.Volume.fromConfigMap(this, 'scripts-volume', scripts, { name: 'scripts', defaultMode: 0o555 }),
      etcdBin: kplus.Volume.fromEmptyDir(this, 'etcd-bin-volume', 'etcd-bin', { sizeLimit: memory('256Mi') }),
      tmp: kplus.Volume.fromEmptyDir(this, 'tmp-volume', 'tmp', { sizeLimit: memory('64Mi') }),
    };

    if (props.s3?.externalSecret) {
      const { store, remoteKey } = props.s3.externalSecret;
      new ExternalSecret(this, 'credentials', {
        name: CREDENTIALS_SECRET,
        labels: props.app,
        store,
        annotations: props.annotations,
        data: [
          { secretKey: 'AWS_ACCESS_KEY_ID', remoteKey, property: 'access-key-id' },
          { secretKey: 'AWS_SECRET_ACCESS_KEY', remoteKey, property: 'secret-access-key' },
        ],
      });
    }

    const credentials = kplus.Secret.fromSecretName(this, 'credentials-secret', CREDENTIALS_SECRET);
    const destinationEnv: Record<string, kplus.EnvValue> = {
      BACKUP_DESTINATION: kplus.EnvValue.fromValue(props.destination),
      ...(props.s3
        ? {
            AWS_REGION: kplus.EnvValue.fromValue(props.s3.region),
            ...(props.s3.endpoint ? { S3_ENDPOINT: kplus.EnvValue.fromValue(props.s3.endpoint) } : {}),
            ...Object.fromEntries(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].map((key) => [key, kplus.EnvValue.fromSecretValue({ secret: credentials, key })])),
          }
        : {}),
    };
    const encryption = props.encryptionConfigPath;
    const destination = s3 ? undefined : hostPathVolume(this, 'destination', props.destination, kplus.HostPathVolumeType.DIRECTORY_OR_CREATE);
    // A destination that is the local directory itself needs no second mount in the backup pod.
    const separateDestination = props.destination === ETCD_BACKUP_PATHS.localDir ? undefined : destination;

    const backup = new ScheduledJob(this, 'backup', {
      metadata: meta('etcd-backup'),
      schedule: cronSchedule('EtcdBackup', this.schedule),
      activeDeadlineSeconds: 900,
      labels,
      podAnnotations: { [PRIVILEGED_REASON]: 'reads etcd\'s root-only client keys on the control-plane host and writes snapshots to a root-owned host directory, as uid 0' },
      // etcd listens on the node's loopback; its client keys are root-only files on the host.
      // Host-network pods are outside NetworkPolicy; the job serves no port.
      hostNetwork: true,
      dns: { policy: kplus.DnsPolicy.CLUSTER_FIRST_WITH_HOST_NET },
      user: 0,
      initContainers: [etcdBinaries(props.etcdImage, volumes)],
      containers: [
        {
          ...scriptContainer('etcd-backup', props.image, 'etcd-backup.sh'),
          envVariables: {
            PATH: kplus.EnvValue.fromValue(PATH),
            ETCDCTL_ENDPOINTS: kplus.EnvValue.fromValue('https://127.0.0.1:2379'),
            ETCDCTL_CACERT: kplus.EnvValue.fromValue(`${ETCD_BACKUP_PATHS.pki}/ca.crt`),
            ETCDCTL_CERT: kplus.EnvValue.fromValue(`${ETCD_BACKUP_PATHS.pki}/healthcheck-client.crt`),
            ETCDCTL_KEY: kplus.EnvValue.fromValue(`${ETCD_BACKUP_PATHS.pki}/healthcheck-client.key`),
            BACKUP_LOCAL_DIR: kplus.EnvValue.fromValue(ETCD_BACKUP_PATHS.localDir),
            BACKUP_LOCAL_RETENTION_DAYS: kplus.EnvValue.fromValue(String(this.localRetentionDays)),
            ...(encryption ? { BACKUP_ENCRYPTION_CONFIG: kplus.EnvValue.fromValue(encryption) } : {}),
            ...destinationEnv,
          },
          resources: { cpu: { request: cpu('100m') }, memory: { request: memory('128Mi'), limit: memory('512Mi') } },
          volumeMounts: [
            ...commonMounts(volumes),
            { volume: hostPathVolume(this, 'etcd-pki', ETCD_BACKUP_PATHS.pki, kplus.HostPathVolumeType.DIRECTORY), path: ETCD_BACKUP_PATHS.pki, readOnly: true },
            { volume: hostPathVolume(this, 'local', ETCD_BACKUP_PATHS.localDir, kplus.HostPathVolumeType.DIRECTORY_OR_CREATE), path: ETCD_BACKUP_PATHS.localDir },
            ...(encryption ? [{ volume: hostPathVolume(this, 'encryption-config', encryption, kplus.HostPathVolumeType.FILE), path: encryption, readOnly: true }] : []),
            ...(separateDestination ? [{ volume: separateDestination, path: props.destination }] : []),
          ],
        },
      ],
    });
    onControlPlane(backup);

    const drill = new ScheduledJob(this, 'drill', {
      metadata: meta('etcd-restore-drill'),
      schedule: cronSchedule('EtcdBackup', this.drillSchedule),
      activeDeadlineSeconds: 1800,
      labels,
      podAnnotations: s3 ? undefined : { [PRIVILEGED_REASON]: 'reads root-only snapshots from the control-plane host\'s backup directory, as uid 0' },
      // The throwaway etcd listens on the pod's own loopback, so no host network. A directory
      // destination lives on the control-plane hosts and holds root-only files.
      user: s3 ? 65532 : 0,
      initContainers: [etcdBinaries(props.etcdImage, volumes)],
      containers: [
        {
          ...scriptContainer('etcd-restore-drill', props.image, 'etcd-restore-drill.sh'),
          envVariables: { PATH: kplus.EnvValue.fromValue(PATH), DRILL_WORK_DIR: kplus.EnvValue.fromValue('/scratch'), ...destinationEnv },
          resources: { cpu: { request: cpu('250m') }, memory: { request: memory('512Mi'), limit: memory('2Gi') } },
          volumeMounts: [
            ...commonMounts(volumes),
            { volume: kplus.Volume.fromEmptyDir(this, 'scratch-volume', 'scratch', { sizeLimit: memory('8Gi') }), path: '/scratch' },
            ...(destination ? [{ volume: destination, path: props.destination, readOnly: true }] : []),
          ],
        },
      ],
    });
    if (!s3) onControlPlane(drill);

    new RenderedConfig(this, 'backup-config', { name: 'etcd-backup', description: 'etcd-backup.sh, the snapshot job\'s script', content: props.scripts.backup });
    new RenderedConfig(this, 'drill-config', { name: 'etcd-restore-drill', description: 'etcd-restore-drill.sh, the restore drill\'s script', content: props.scripts.drill });
    new RenderedConfig(this, 'lib-config', { name: 'etcd-backup-lib', description: 'etcd-backup-lib.sh, sourced by both etcd scripts', content: props.scripts.lib });
    new OutputFile(this, 'runbook', {
      path: 'runbooks/etcd-restore.md',
      content: restoreRunbook({ destination: props.destination, s3: props.s3, etcdImage: props.etcdImage, encryptionConfigPath: encryption }),
    });
  }
}

const PATH = `${ETCD_BACKUP_PATHS.etcdBin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;

/** Runs the job's pods on control-plane nodes, tolerating their taint. */
function onControlPlane(job: ScheduledJob): void {
  job.scheduling.tolerate(kplus.Node.tainted(kplus.NodeTaintQuery.exists('node-role.kubernetes.io/control-plane', { effect: kplus.TaintEffect.NO_SCHEDULE })));
  // A node selector rather than cdk8s-plus's node affinity: the plainest form of "control plane only".
  ApiObject.of(job).addJsonPatch(JsonPatch.add('/spec/jobTemplate/spec/template/spec/nodeSelector', { 'node-role.kubernetes.io/control-plane': '' }));
}

interface CommonVolumes {
  readonly scripts: kplus.Volume;
  readonly etcdBin: kplus.Volume;
  readonly tmp: kplus.Volume;
}

function commonMounts(v: CommonVolumes): kplus.VolumeMount[] {
  return [
    { volume: v.scripts, path: ETCD_BACKUP_PATHS.scripts, readOnly: true },
    { volume: v.etcdBin, path: ETCD_BACKUP_PATHS.etcdBin, readOnly: true },
    { volume: v.tmp, path: '/tmp' },
  ];
}

function scriptContainer(name: string, image: string, script: string): kplus.ContainerProps {
  return { name, image, command: ['/bin/sh', `${ETCD_BACKUP_PATHS.scripts}/${script}`] };
}

/** Copies etcd, etcdctl and etcdutl out of the pinned etcd image (which has `cp` but no curl). */
function etcdBinaries(etcdImage: string, v: CommonVolumes): kplus.ContainerProps {
  return {
    name: 'etcd-binaries',
    image: etcdImage,
    command: ['cp', '/usr/local/bin/etcd', '/usr/local/bin/etcdctl', '/usr/local/bin/etcdutl', `${ETCD_BACKUP_PATHS.etcdBin}/`],
    resources: { cpu: { request: cpu('10m') }, memory: { request: memory('32Mi'), limit: memory('64Mi') } },
    volumeMounts: [{ volume: v.etcdBin, path: ETCD_BACKUP_PATHS.etcdBin }],
  };
}
