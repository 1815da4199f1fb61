import { restoreDrillAlerts } from './cron-jobs';
import { AlertSet } from './types';

export interface LonghornAlertOptions {
  /** Replicas every volume should have; fewer schedulable nodes than this cannot hold them. */
  readonly numberOfReplicas: number;
  /**
   * Schedule of the longhorn-restore-drill CronJob; a failed drill, or a last success older than
   * twice the longest gap of its schedule, alerts.
   * @default - no drill alerts (the environment backs nothing up)
   */
  readonly drillSchedule?: string;
}

const LH = 'job="longhorn-backend"';
const VOLUME = `${LH},volume="pvc-1234",node="worker-1",pvc="data-nats-0",pvc_namespace="nats"`;
const volume = { job: 'longhorn-backend', volume: 'pvc-1234', node: 'worker-1', pvc: 'data-nats-0', pvc_namespace: 'nats' };

/**
 * Longhorn's own metrics (longhorn-manager on port 9500). `longhorn_volume_robustness` is
 * 0 unknown, 1 healthy, 2 degraded (fewer healthy replicas than wanted), 3 faulted;
 * `longhorn_backup_state` 4 is Error.
 *
 * @see https://longhorn.io/docs/1.12.1/monitoring/metrics/
 */
export function longhornAlerts(options: LonghornAlertOptions): AlertSet {
  const n = options.numberOfReplicas;
  const nodeStatus = (node: string, condition: string, value: number) => ({
    series: `longhorn_node_status{${LH},node="${node}",condition="${condition}"}`,
    values: `${value}x20`,
  });
  return {
    name: 'gitplane-longhorn',
    component: 'storage',
    alerts: [
      {
        name: 'LonghornVolumeDegraded',
        expr: `longhorn_volume_robustness{${LH}} == 2`,
        for: '15m',
        severity: 'warning',
        summary: 'Longhorn volume {{ $labels.volume }} ({{ $labels.pvc_namespace }}/{{ $labels.pvc }}) is degraded.',
        description: 'Volume {{ $labels.volume }} has fewer healthy replicas than its target for 15 minutes. Longhorn rebuilds replicas by itself when a node with space is available.',
        runbook: {
          tldr: 'A volume lost a replica. Check that it is rebuilding; if not, a node or disk is missing.',
          mitigation: [
            'Open the Longhorn UI (kubectl -n longhorn-system port-forward svc/longhorn-frontend 8080:80), Volume, and look for a rebuilding replica.',
            'If no rebuild starts: check LonghornNodeDown and disk space on storage nodes.',
          ],
          impact: 'The volume survives one failure less than intended.',
          diagnosis: { queries: ['longhorn_volume_robustness == 2', 'longhorn_node_status{condition="schedulable"}', 'longhorn_disk_usage_bytes / longhorn_disk_capacity_bytes'] },
          escalation: 'If the volume stays degraded for a day, call the platform team.',
        },
        test: {
          series: [{ series: `longhorn_volume_robustness{${VOLUME}}`, values: '2x30' }],
          firesAt: '20m',
          labels: volume,
          quiet: { series: [{ series: `longhorn_volume_robustness{${VOLUME}}`, values: '1x30' }], at: '20m' },
        },
      },
      {
        name: 'LonghornVolumeFaulted',
        expr: `longhorn_volume_robustness{${LH}} == 3`,
        for: '2m',
        severity: 'critical',
        summary: 'Longhorn volume {{ $labels.volume }} ({{ $labels.pvc_namespace }}/{{ $labels.pvc }}) is faulted.',
        description: 'Volume {{ $labels.volume }} has no healthy replica left; its workload cannot read or write it.',
        runbook: {
          tldr: 'A volume has no healthy replica. Salvage it in the Longhorn UI or restore it from backup.',
          mitigation: [
            'Longhorn UI, Volume, Salvage: it picks the most recent replica.',
            'If salvage fails, restore the latest backup of the volume to a new volume and point the PVC at it (docs/storage.md).',
          ],
          impact: 'The workload using the volume is down, and data since the last backup may be lost.',
          diagnosis: { queries: ['longhorn_volume_robustness == 3', 'longhorn_node_status{condition="ready"}'] },
          escalation: 'Page the platform on-call lead at once.',
        },
        test: {
          series: [{ series: `longhorn_volume_robustness{${VOLUME}}`, values: '3x10' }],
          firesAt: '5m',
          labels: volume,
          quiet: { series: [{ series: `longhorn_volume_robustness{${VOLUME}}`, values: '2x10' }], at: '5m' },
        },
      },
      {
        name: 'LonghornReplicasBelowTarget',
        expr: `count(longhorn_node_status{${LH},condition="schedulable"} == 1) < ${n}`,
        for: '15m',
        severity: 'warning',
        summary: `Fewer than ${n} Longhorn nodes can take replicas.`,
        description: `Volumes want ${n} replicas, but fewer nodes are schedulable for Longhorn; new and rebuilding volumes stay below their replica count.`,
        runbook: {
          tldr: 'Not enough storage nodes for the replica count. Bring a node back or make one schedulable.',
          mitigation: ['Longhorn UI, Node: find nodes marked unschedulable or down.', 'kubectl get nodes -l node.longhorn.io/create-default-disk=true.'],
          impact: 'Volumes run with fewer replicas than intended; a further node loss can fault them.',
          diagnosis: { queries: ['longhorn_node_status{condition="schedulable"}', 'longhorn_node_status{condition="ready"}'] },
          escalation: 'Call the platform team to add storage capacity.',
        },
        test: {
          series: Array.from({ length: n }, (_, i) => nodeStatus(`worker-${i + 1}`, 'schedulable', i === 0 ? 0 : 1)),
          firesAt: '20m',
          labels: {},
          quiet: { series: Array.from({ length: n }, (_, i) => nodeStatus(`worker-${i + 1}`, 'schedulable', 1)), at: '20m' },
        },
      },
      {
        name: 'LonghornNodeDown',
        expr: `longhorn_node_status{${LH},condition="ready"} == 0`,
        for: '5m',
        severity: 'critical',
        summary: 'Longhorn node {{ $labels.node }} is down.',
        description: 'Longhorn reports node {{ $labels.node }} not ready for 5 minutes; its replicas are unavailable.',
        runbook: {
          tldr: 'Longhorn lost a node. Check the node itself first (NodeDown), then the longhorn-manager pod on it.',
          mitigation: ['kubectl -n longhorn-system get pods -o wide | grep <node>.', 'Restart the longhorn-manager pod of the node if the node itself is healthy.'],
          impact: 'Volumes with replicas on the node are degraded; volumes attached there are unavailable.',
          diagnosis: { queries: ['longhorn_node_status{condition="ready"} == 0', 'kube_node_status_condition{condition="Ready",status="true",node="<node>"}'] },
          escalation: 'Page the platform on-call lead if more than one storage node is down.',
        },
        test: {
          series: [nodeStatus('worker-2', 'ready', 0)],
          firesAt: '10m',
          labels: { job: 'longhorn-backend', node: 'worker-2', condition: 'ready' },
          quiet: { series: [nodeStatus('worker-2', 'ready', 1)], at: '10m' },
        },
      },
      {
        name: 'LonghornBackupFailed',
        expr: `longhorn_backup_state{${LH}} == 4`,
        for: '5m',
        severity: 'warning',
        summary: 'Longhorn backup {{ $labels.backup }} of volume {{ $labels.volume }} failed.',
        description: 'Backup {{ $labels.backup }} of volume {{ $labels.volume }} is in state Error; the recurring backup did not reach the backup target.',
        runbook: {
          tldr: 'A volume backup failed. Check the backup target credentials and reachability.',
          mitigation: ['Longhorn UI, Backup: read the error of the backup.', 'kubectl -n longhorn-system get secret of the backup target and its ExternalSecret status.'],
          impact: 'One restore point of the volume is missing.',
          diagnosis: { queries: ['longhorn_backup_state == 4'] },
          escalation: 'If backups fail for a day, call the platform team.',
        },
        test: {
          series: [{ series: `longhorn_backup_state{${LH},backup="backup-abc",volume="pvc-1234"}`, values: '4x10' }],
          firesAt: '8m',
          labels: { job: 'longhorn-backend', backup: 'backup-abc', volume: 'pvc-1234' },
          quiet: { series: [{ series: `longhorn_backup_state{${LH},backup="backup-abc",volume="pvc-1234"}`, values: '3x10' }], at: '8m' },
        },
      },
      {
        name: 'LonghornDiskAlmostFull',
        expr: `longhorn_disk_usage_bytes{${LH}} / longhorn_disk_capacity_bytes{${LH}} > 0.85`,
        for: '15m',
        severity: 'warning',
        summary: 'Longhorn disk {{ $labels.disk }} on {{ $labels.node }} is more than 85% full.',
        description: 'Longhorn disk {{ $labels.disk }} on {{ $labels.node }} is more than 85% used; Longhorn stops scheduling replicas on it.',
        runbook: {
          tldr: 'A Longhorn disk is nearly full. Delete old snapshots or add a disk.',
          mitigation: ['Longhorn UI, Volume, Snapshots: delete snapshots that backups already cover.', 'Lower components.longhorn.retain in the environment file.'],
          impact: 'Replicas cannot be rebuilt or scheduled on the disk.',
          diagnosis: { queries: ['longhorn_disk_usage_bytes / longhorn_disk_capacity_bytes'] },
          escalation: 'Call the platform team to add disks.',
        },
        test: {
          series: [
            { series: `longhorn_disk_usage_bytes{${LH},node="worker-1",disk="default-disk"}`, values: '90x30' },
            { series: `longhorn_disk_capacity_bytes{${LH},node="worker-1",disk="default-disk"}`, values: '100x30' },
          ],
          firesAt: '20m',
          labels: { job: 'longhorn-backend', node: 'worker-1', disk: 'default-disk' },
          quiet: { at: '10m' },
        },
      },
      ...(options.drillSchedule
        ? restoreDrillAlerts({
            alertPrefix: 'Longhorn',
            system: 'Longhorn',
            namespace: 'longhorn-system',
            cronjob: 'longhorn-restore-drill',
            schedule: options.drillSchedule,
            failure: 'The restore drill could not restore the newest backup of the canary volume into a scratch Longhorn volume, or the restored canary did not match its checksums or was stale.',
            steps: 'finding the newest completed backup, restoring the scratch volume, binding it, verifying the canary checksums and age',
          })
        : []),
    ],
  };
}
