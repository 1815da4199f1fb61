import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AppLabels, cronJobSpec, RenderedConfig, standardLabels, unlessEmpty } from '../../core';

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
const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
const NON_ROOT = { runAsUser: 65532, runAsGroup: 65532, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

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
    const scriptsVolume = { name: 'scripts', configMap: { name: SCRIPTS, defaultMode: 0o555 } };
    const tmp = { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } };

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
    new ApiObject(this, 'canary-writer', {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('longhorn-drill-canary'),
      spec: cronJobSpec({
        schedule: this.canarySchedule,
        activeDeadlineSeconds: 600,
        labels,
        podAnnotations: {},
        pod: {
          securityContext: { ...NON_ROOT, fsGroup: 65532 },
          containers: [
            {
              name: 'canary',
              image: props.shellImage,
              imagePullPolicy: 'IfNotPresent',
              command: ['/bin/sh', '/scripts/longhorn-drill-canary.sh', 'write'],
              env: [{ name: 'CANARY_DIR', value: '/canary' }],
              resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } },
              securityContext: CONTAINER_SECURITY,
              volumeMounts: [
                { name: 'canary', mountPath: '/canary' },
                { name: 'scripts', mountPath: '/scripts', readOnly: true },
              ],
            },
          ],
          volumes: [{ name: 'canary', persistentVolumeClaim: { claimName: DRILL_CANARY_PVC } }, scriptsVolume],
        },
      }),
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

    new ApiObject(this, 'drill', {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta(DRILL_NAME),
      spec: cronJobSpec({
        schedule: this.drillSchedule,
        activeDeadlineSeconds: 3600,
        labels,
        podAnnotations: {},
        pod: {
          serviceAccountName: DRILL_NAME,
          automountServiceAccountToken: true,
          securityContext: NON_ROOT,
          containers: [
            {
              name: 'drill',
              image: props.kubectlImage,
              imagePullPolicy: 'IfNotPresent',
              command: ['/bin/sh', '/scripts/longhorn-restore-drill.sh'],
              env: [
                { name: 'DRILL_PVC', value: `${namespace}/${DRILL_CANARY_PVC}` },
                { name: 'DRILL_VERIFY_IMAGE', value: props.shellImage },
                { name: 'DRILL_SCRIPTS_CONFIGMAP', value: SCRIPTS },
                { name: 'CANARY_MAX_AGE_SECONDS', value: String(props.canaryMaxAgeSeconds) },
                { name: 'LONGHORN_NAMESPACE', value: namespace },
                // kubectl keeps its discovery cache under $HOME.
                { name: 'HOME', value: '/tmp' },
              ],
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
              securityContext: CONTAINER_SECURITY,
              volumeMounts: [
                { name: 'scripts', mountPath: '/scripts', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [scriptsVolume, tmp],
        },
      }),
    });
    new RenderedConfig(this, 'drill-config', { name: DRILL_NAME, description: 'longhorn-restore-drill.sh, the Longhorn restore drill\'s script', content: props.scripts.drill });
    new RenderedConfig(this, 'canary-config', { name: 'longhorn-drill-canary', description: 'longhorn-drill-canary.sh, which writes and verifies the drill\'s canary data', content: props.scripts.canary });
  }
}
