import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AppLabels, cronJobSpec, OutputFile, PRIVILEGED_REASON, RenderedConfig, standardLabels, unlessEmpty } from '../../core';
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

    new ApiObject(this, 'scripts', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('etcd-backup-scripts'),
      data: { 'etcd-backup.sh': props.scripts.backup, 'etcd-restore-drill.sh': props.scripts.drill, 'etcd-backup-lib.sh': props.scripts.lib },
    });

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

    const destinationEnv = [
      { name: 'BACKUP_DESTINATION', value: props.destination },
      ...(props.s3
        ? [
            { name: 'AWS_REGION', value: props.s3.region },
            ...(props.s3.endpoint ? [{ name: 'S3_ENDPOINT', value: props.s3.endpoint }] : []),
            ...['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: CREDENTIALS_SECRET, key } } })),
          ]
        : []),
    ];
    const encryption = props.encryptionConfigPath;
    const localDestination = s3 ? [] : [{ name: 'destination', hostPath: { path: props.destination, type: 'DirectoryOrCreate' } }];
    // A destination that is the local directory itself needs no second mount in the backup pod.
    const separateDestination = s3 || props.destination === ETCD_BACKUP_PATHS.localDir ? [] : localDestination;

    new ApiObject(this, 'backup', {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('etcd-backup'),
      spec: cronJobSpec({
        schedule: this.schedule,
        activeDeadlineSeconds: 900,
        labels,
        podAnnotations: { [PRIVILEGED_REASON]: 'reads etcd\'s root-only client keys on the control-plane host and writes snapshots to a root-owned host directory, as uid 0' },
        pod: {
          // etcd listens on the node's loopback; its client keys are root-only files on the host.
          // Host-network pods are outside NetworkPolicy; the job serves no port.
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          ...CONTROL_PLANE_PLACEMENT,
          securityContext: { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } },
          initContainers: [etcdBinaries(props.etcdImage)],
          containers: [
            {
              ...scriptContainer('etcd-backup', props.image, 'etcd-backup.sh'),
              env: [
                { name: 'PATH', value: PATH },
                { name: 'ETCDCTL_ENDPOINTS', value: 'https://127.0.0.1:2379' },
                { name: 'ETCDCTL_CACERT', value: `${ETCD_BACKUP_PATHS.pki}/ca.crt` },
                { name: 'ETCDCTL_CERT', value: `${ETCD_BACKUP_PATHS.pki}/healthcheck-client.crt` },
                { name: 'ETCDCTL_KEY', value: `${ETCD_BACKUP_PATHS.pki}/healthcheck-client.key` },
                { name: 'BACKUP_LOCAL_DIR', value: ETCD_BACKUP_PATHS.localDir },
                { name: 'BACKUP_LOCAL_RETENTION_DAYS', value: String(this.localRetentionDays) },
                ...(encryption ? [{ name: 'BACKUP_ENCRYPTION_CONFIG', value: encryption }] : []),
                ...destinationEnv,
              ],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
              volumeMounts: [
                ...COMMON_MOUNTS,
                { name: 'etcd-pki', mountPath: ETCD_BACKUP_PATHS.pki, readOnly: true },
                { name: 'local', mountPath: ETCD_BACKUP_PATHS.localDir },
                ...(encryption ? [{ name: 'encryption-config', mountPath: encryption, readOnly: true }] : []),
                ...separateDestination.map(() => ({ name: 'destination', mountPath: props.destination })),
              ],
            },
          ],
          volumes: [
            ...commonVolumes(),
            { name: 'etcd-pki', hostPath: { path: ETCD_BACKUP_PATHS.pki, type: 'Directory' } },
            { name: 'local', hostPath: { path: ETCD_BACKUP_PATHS.localDir, type: 'DirectoryOrCreate' } },
            ...(encryption ? [{ name: 'encryption-config', hostPath: { path: encryption, type: 'File' } }] : []),
            ...separateDestination,
          ],
        },
      }),
    });

    new ApiObject(this, 'drill', {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('etcd-restore-drill'),
      spec: cronJobSpec({
        schedule: this.drillSchedule,
        activeDeadlineSeconds: 1800,
        labels,
        podAnnotations: s3 ? {} : { [PRIVILEGED_REASON]: 'reads root-only snapshots from the control-plane host\'s backup directory, as uid 0' },
        pod: {
          // The throwaway etcd listens on the pod's own loopback, so no host network. A directory
          // destination lives on the control-plane hosts and holds root-only files.
          ...(s3 ? {} : CONTROL_PLANE_PLACEMENT),
          securityContext: s3
            ? { runAsUser: 65532, runAsGroup: 65532, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }
            : { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } },
          initContainers: [etcdBinaries(props.etcdImage)],
          containers: [
            {
              ...scriptContainer('etcd-restore-drill', props.image, 'etcd-restore-drill.sh'),
              env: [{ name: 'PATH', value: PATH }, { name: 'DRILL_WORK_DIR', value: '/scratch' }, ...destinationEnv],
              resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } },
              volumeMounts: [
                ...COMMON_MOUNTS,
                { name: 'scratch', mountPath: '/scratch' },
                ...(s3 ? [] : [{ name: 'destination', mountPath: props.destination, readOnly: true }]),
              ],
            },
          ],
          volumes: [...commonVolumes(), { name: 'scratch', emptyDir: { sizeLimit: '8Gi' } }, ...localDestination],
        },
      }),
    });

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

const CONTROL_PLANE_PLACEMENT = {
  nodeSelector: { 'node-role.kubernetes.io/control-plane': '' },
  tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
};

const COMMON_MOUNTS = [
  { name: 'scripts', mountPath: ETCD_BACKUP_PATHS.scripts, readOnly: true },
  { name: 'etcd-bin', mountPath: ETCD_BACKUP_PATHS.etcdBin, readOnly: true },
  { name: 'tmp', mountPath: '/tmp' },
];

function commonVolumes() {
  return [
    { name: 'scripts', configMap: { name: 'etcd-backup-scripts', defaultMode: 0o555 } },
    { name: 'etcd-bin', emptyDir: { sizeLimit: '256Mi' } },
    { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
  ];
}

const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };

function scriptContainer(name: string, image: string, script: string) {
  return { name, image, imagePullPolicy: 'IfNotPresent', command: ['/bin/sh', `${ETCD_BACKUP_PATHS.scripts}/${script}`], securityContext: CONTAINER_SECURITY };
}

/** Copies etcd, etcdctl and etcdutl out of the pinned etcd image (which has `cp` but no curl). */
function etcdBinaries(etcdImage: string) {
  return {
    name: 'etcd-binaries',
    image: etcdImage,
    imagePullPolicy: 'IfNotPresent',
    command: ['cp', '/usr/local/bin/etcd', '/usr/local/bin/etcdctl', '/usr/local/bin/etcdutl', `${ETCD_BACKUP_PATHS.etcdBin}/`],
    securityContext: CONTAINER_SECURITY,
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
    volumeMounts: [{ name: 'etcd-bin', mountPath: ETCD_BACKUP_PATHS.etcdBin }],
  };
}
