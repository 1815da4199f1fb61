import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppLabels, RenderedConfig, standardLabels, unlessEmpty } from '../../core';
import { cronSchedule, ScheduledJob } from '../../workloads/cron-job';
import { cpu, memory } from '../../workloads/secure-defaults';

/** The shipped scripts, read by stacks/ and passed in so the construct stays pure. */
export interface LonghornRestoreDrillScripts {
  /** longhorn-restore-drill.sh */
  readonly drill: string;
  /** longhorn-drill-canary.sh */
  readonly canary: string;
}

export interface LonghornRestoreDrillProps {
  readonly labels: AppLabels;
  readonly scripts: LonghornRestoreDrillScripts;
  /** Image with a POSIX shell and kubectl, which runs the drill. */
  readonly kubectlImage: string;
  /** Image with a POSIX shell and sha256sum (busybox), which writes and verifies the canary. */
  readonly shellImage: string;
  /** @default 'longhorn-system' */
  readonly namespace?: string;
  /** Cron schedule of the drill. @default '30 4 * * 0' (weekly, after the nightly backup) */
  readonly drillSchedule?: string;
  /** Cron schedule of the canary writes. @default '10 * * * *' (hourly) */
  readonly canarySchedule?: string;
  /**
   * The newest restored canary the drill accepts, in seconds: the longest gap between backups
   * plus the longest gap between canary writes, and some slack.
   */
  readonly canaryMaxAgeSeconds: number;
  /** StorageClass of the canary volume; its volumes must be in a backup job. @default 'longhorn' */
  readonly storageClassName?: string;
  /** Annotations for every object (a sync wave). */
  readonly annotations?: Record<string, string>;
}

/** The canary claim the drill restores; renaming it starts a new backup history. */
export const DRILL_CANARY_PVC = 'gitplane-drill-canary';
export const DRILL_NAME = 'longhorn-restore-drill';
const SCRIPTS = 'longhorn-restore-drill-scripts';
const USER = 65532;

/**
 * A restore drill for Longhorn backups, like etcd's: a small canary volume in the backup group
 * gets a generation of random data with its SHA-256 sums every hour (`longhorn-drill-canary`);
 * `longhorn-restore-drill` restores the newest completed backup of that volume into a scratch
 * Longhorn volume, mounts it in a pod and checks the sums and the canary's age, then removes the
 * scratch objects. A failed or stale drill alerts (LonghornRestoreDrillFailed, ...TooOld).
 *
 * @see https://longhorn.io/docs/1.12.1/snapshots-and-backups/backup-and-restore/restore-from-a-backup/
 */
export class LonghornRestoreDrill extends Construct {
  public readonly drillSchedule: string;
  public readonly canarySchedule: string;

  constructor(scope: Construct, id: string, props: LonghornRestoreDrillProps) {
    super(scope, id);
    this.drillSchedule = props.drillSchedule ?? '30 4 * * 0';
    this.canarySchedule = props.canarySchedule ?? '10 * * * *';
    if (!Number.isInteger(props.canaryMaxAgeSeconds) || props.canaryMaxAgeSeconds < 3600) {
      throw new Error(`LonghornRestoreDrill: canaryMaxAgeSeconds must be a whole number of at least 3600 (got ${props.canaryMaxAgeSeconds}). The canary is written hourly and backed up later.`);
    }
    const namespace = props.namespace ?? 'longhorn-system';
    const labels = standardLabels(props.labels);
    const meta = (name: string) => ({ name, namespace, labels, annotations: unlessEmpty(props.annotations) });
    const rbac = 'rbac.authorization.k8s.io/v1';
    const scripts = kplus.Volume.fromConfigMap(this, 'scripts-volume', kplus.ConfigMap.fromConfigMapName(this, 'scripts-ref', SCRIPTS), { name: 'scripts', defaultMode: 0o555 });

    new ApiObject(this, 'scripts', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(SCRIPTS),
      data: { 'longhorn-restore-drill.sh': props.scripts.drill, 'longhorn-drill-canary.sh': props.scripts.canary },
    });
    new ApiObject(this, 'canary', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta(DRILL_CANARY_PVC),
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: props.storageClassName ?? 'longhorn', resources: { requests: { storage: '128Mi' } } },
    });
    new ScheduledJob(this, 'canary-writer', {
      metadata: meta('longhorn-drill-canary'),
      schedule: cronSchedule('LonghornRestoreDrill', this.canarySchedule),
      activeDeadlineSeconds: 600,
      labels,
      user: USER,
      fsGroup: USER,
      containers: [
        {
          name: 'canary',
          image: props.shellImage,
          command: ['/bin/sh', '/scripts/longhorn-drill-canary.sh', 'write'],
          envVariables: { CANARY_DIR: kplus.EnvValue.fromValue('/canary') },
          resources: { cpu: { request: cpu('10m') }, memory: { request: memory('16Mi'), limit: memory('32Mi') } },
          volumeMounts: [
            { volume: kplus.Volume.fromPersistentVolumeClaim(this, 'canary-volume', kplus.PersistentVolumeClaim.fromClaimName(this, 'canary-ref', DRILL_CANARY_PVC), { name: 'canary' }), path: '/canary' },
            { volume: scripts, path: '/scripts', readOnly: true },
          ],
        },
      ],
    });

    new ApiObject(this, 'service-account', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(DRILL_NAME), automountServiceAccountToken: false });
    // What the drill does in Longhorn's namespace: read backups and the drilled claim; create and
    // remove its scratch volume, claim and verifying pod.
    new ApiObject(this, 'role', {
      apiVersion: rbac,
      kind: 'Role',
      metadata: meta(DRILL_NAME),
      rules: [
        { apiGroups: ['longhorn.io'], resources: ['backups'], verbs: ['get', 'list'] },
        { apiGroups: ['longhorn.io'], resources: ['volumes'], verbs: ['get', 'create', 'patch', 'delete'] },
        { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'create', 'patch', 'delete'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'create', 'patch', 'delete'] },
        { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      ],
    });
    // PersistentVolumes are cluster-scoped: the scratch volume needs one to be mounted.
    new ApiObject(this, 'cluster-role', {
      apiVersion: rbac,
      kind: 'ClusterRole',
      metadata: { ...meta(DRILL_NAME), namespace: undefined },
      rules: [{ apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'create', 'patch', 'delete'] }],
    });
    const subjects = [{ kind: 'ServiceAccount', name: DRILL_NAME, namespace }];
    new ApiObject(this, 'role-binding', { apiVersion: rbac, kind: 'RoleBinding', metadata: meta(DRILL_NAME), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: DRILL_NAME }, subjects });
    new ApiObject(this, 'cluster-role-binding', {
      apiVersion: rbac,
      kind: 'ClusterRoleBinding',
      metadata: { ...meta(DRILL_NAME), namespace: undefined },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: DRILL_NAME },
      subjects,
    });

    new ScheduledJob(this, 'drill', {
      metadata: meta(DRILL_NAME),
      schedule: cronSchedule('LonghornRestoreDrill', this.drillSchedule),
      activeDeadlineSeconds: 3600,
      labels,
      user: USER,
      serviceAccount: kplus.ServiceAccount.fromServiceAccountName(this, 'service-account-ref', DRILL_NAME),
      automountServiceAccountToken: true,
      containers: [
        {
          name: 'drill',
          image: props.kubectlImage,
          command: ['/bin/sh', '/scripts/longhorn-restore-drill.sh'],
          envVariables: {
            DRILL_PVC: kplus.EnvValue.fromValue(`${namespace}/${DRILL_CANARY_PVC}`),
            DRILL_VERIFY_IMAGE: kplus.EnvValue.fromValue(props.shellImage),
            DRILL_SCRIPTS_CONFIGMAP: kplus.EnvValue.fromValue(SCRIPTS),
            CANARY_MAX_AGE_SECONDS: kplus.EnvValue.fromValue(String(props.canaryMaxAgeSeconds)),
            LONGHORN_NAMESPACE: kplus.EnvValue.fromValue(namespace),
            // kubectl keeps its discovery cache under $HOME.
            HOME: kplus.EnvValue.fromValue('/tmp'),
          },
          resources: { cpu: { request: cpu('50m') }, memory: { request: memory('64Mi'), limit: memory('256Mi') } },
          volumeMounts: [
            { volume: scripts, path: '/scripts', readOnly: true },
            { volume: kplus.Volume.fromEmptyDir(this, 'tmp-volume', 'tmp', { sizeLimit: memory('16Mi') }), path: '/tmp' },
          ],
        },
      ],
    });
    new RenderedConfig(this, 'drill-config', { name: DRILL_NAME, description: 'longhorn-restore-drill.sh, the Longhorn restore drill\'s script', content: props.scripts.drill });
    new RenderedConfig(this, 'canary-config', { name: 'longhorn-drill-canary', description: 'longhorn-drill-canary.sh, which writes and verifies the drill\'s canary data', content: props.scripts.canary });
  }
}
