import { maxCronGapSeconds } from '../cron';
import { cronJobSeries, restoreDrillAlerts } from './cron-jobs';
import { AlertSet, BuiltinAlert } from './types';

export interface EtcdAlertOptions {
  /**
   * Schedules of the etcd-backup and etcd-restore-drill CronJobs; a last success older than
   * twice the longest gap of its schedule alerts.
   * @default - no backup alerts (the environment takes no etcd backups)
   */
  readonly backups?: { readonly backupSchedule: string; readonly drillSchedule: string };
}

const ETCD = 'job="kube-etcd"';
const MEMBER = 'job="kube-etcd",instance="10.0.0.1:2381"';
const member = { job: 'kube-etcd', instance: '10.0.0.1:2381' };
const BACKUP_NS = 'etcd-backup';

/**
 * etcd of a kubeadm control plane (scraped on its metrics port 2381) and the etcd-backup
 * CronJobs, watched through kube-state-metrics.
 */
export function etcdAlerts(options: EtcdAlertOptions = {}): AlertSet {
  return { name: 'gitplane-etcd', component: 'etcd', alerts: [...etcdHealthAlerts(), ...(options.backups ? etcdBackupAlerts(options.backups) : [])] };
}

function etcdBackupAlerts(options: { readonly backupSchedule: string; readonly drillSchedule: string }): BuiltinAlert[] {
  const backupMax = 2 * maxCronGapSeconds(options.backupSchedule);
  const { cronjob, failedJob, staleTest, failedTest } = cronJobSeries(BACKUP_NS);
  return [
    {
      name: 'EtcdBackupTooOld',
      expr: `time() - ${cronjob('etcd-backup')} > ${backupMax}`,
      for: '10m',
      severity: 'critical',
      summary: 'The last successful etcd backup is older than the schedule allows.',
      description: `The etcd-backup CronJob (schedule "${options.backupSchedule}") last succeeded more than ${backupMax / 3600}h ago, twice its longest interval.`,
      runbook: {
        tldr: 'etcd snapshots stopped. Run one by hand now, then find why the CronJob fails.',
        mitigation: [
          'kubectl -n etcd-backup create job --from=cronjob/etcd-backup etcd-backup-manual-$(date +%s).',
          'kubectl -n etcd-backup logs job/<that job> and check the snapshot reached the bucket.',
        ],
        impact: 'A control-plane disaster now loses everything written since the last good snapshot.',
        diagnosis: { queries: ['time() - kube_cronjob_status_last_successful_time{namespace="etcd-backup"}', 'kube_job_status_failed{namespace="etcd-backup"}', 'kube_cronjob_spec_suspend{namespace="etcd-backup"}'] },
        escalation: 'If no backup succeeds within a day, page the platform on-call lead.',
      },
      test: staleTest('etcd-backup', backupMax, 10),
    },
    {
      name: 'EtcdBackupFailed',
      expr: `${failedJob('etcd-backup')} > 0`,
      for: '5m',
      severity: 'warning',
      summary: 'etcd backup job {{ $labels.job_name }} failed.',
      description: 'Job {{ $labels.namespace }}/{{ $labels.job_name }} of the etcd-backup CronJob failed; the snapshot of this run was not taken or not uploaded.',
      runbook: {
        tldr: 'One etcd backup run failed. Read its log; the next run may succeed, EtcdBackupTooOld pages if none does.',
        mitigation: ['kubectl -n etcd-backup logs job/<job_name>.', 'Common causes: expired etcd client certificate, full local disk, bucket credentials (ExternalSecret) out of date.'],
        impact: 'One restore point is missing.',
        diagnosis: { queries: ['kube_job_status_failed{namespace="etcd-backup"} > 0'] },
        escalation: 'If two runs in a row fail, call the platform team.',
      },
      test: failedTest('etcd-backup-29012345'),
    },
    ...restoreDrillAlerts({
      alertPrefix: 'Etcd',
      system: 'etcd',
      namespace: BACKUP_NS,
      cronjob: 'etcd-restore-drill',
      schedule: options.drillSchedule,
      failure: 'The weekly restore drill could not restore the latest snapshot into a scratch etcd.',
      steps: 'download, hash check, restore, key comparison',
    }),
  ];
}

function etcdHealthAlerts(): BuiltinAlert[] {
  return [
    {
      name: 'EtcdNoLeader',
      expr: `etcd_server_has_leader{${ETCD}} == 0`,
      for: '1m',
      severity: 'critical',
      summary: 'etcd member {{ $labels.instance }} has no leader.',
      description: 'etcd member {{ $labels.instance }} has seen no leader for a minute. Without a leader the Kubernetes API cannot write.',
      runbook: {
        tldr: 'etcd lost its leader: the cluster has lost quorum or this member is partitioned. Restore quorum before anything else.',
        mitigation: [
          'On a control-plane node: crictl ps --name etcd, and crictl logs <id> | tail -50.',
          'Check every control-plane node is up (NodeDown alerts) and can reach the others on port 2380.',
          'If a majority of members is gone for good, restore from the latest snapshot (docs/backup.md, restore section).',
        ],
        impact: 'The Kubernetes API is read-only or down: no deployments, no scaling, no leader elections of controllers.',
        diagnosis: { queries: ['etcd_server_has_leader', 'up{job="kube-etcd"}', 'rate(etcd_network_peer_sent_failures_total[5m])'] },
        escalation: 'Page the platform on-call lead at once; quorum loss is a major incident.',
      },
      test: {
        series: [{ series: `etcd_server_has_leader{${MEMBER}}`, values: '0x10' }],
        firesAt: '5m',
        labels: member,
        quiet: { series: [{ series: `etcd_server_has_leader{${MEMBER}}`, values: '1x10' }], at: '5m' },
      },
    },
    {
      name: 'EtcdMemberDown',
      expr: `up{${ETCD}} == 0`,
      for: '5m',
      severity: 'critical',
      summary: 'etcd member {{ $labels.instance }} cannot be scraped.',
      description: 'Prometheus has not reached etcd member {{ $labels.instance }} for 5 minutes; one more lost member in a three-member cluster loses quorum.',
      runbook: {
        tldr: 'One etcd member is down or unreachable. The cluster still works on two of three; restore the third before anything else breaks.',
        mitigation: [
          'Check the node of the member (NodeDown?) and crictl ps --name etcd on it.',
          'If etcd runs but is not scraped: kubeadm binds its metrics to 127.0.0.1:2381 unless etcd.local.extraArgs.listen-metrics-urls is set to http://0.0.0.0:2381.',
        ],
        impact: 'No redundancy left in a three-member cluster.',
        diagnosis: { queries: ['up{job="kube-etcd"}', 'etcd_server_has_leader'] },
        escalation: 'Page the platform on-call lead if the member does not return within 30 minutes.',
      },
      test: {
        series: [{ series: `up{${MEMBER}}`, values: '0x15' }],
        firesAt: '10m',
        labels: member,
        quiet: { series: [{ series: `up{${MEMBER}}`, values: '1x15' }], at: '10m' },
      },
    },
    {
      name: 'EtcdFrequentLeaderChanges',
      expr: `increase(etcd_server_leader_changes_seen_total{${ETCD}}[1h]) >= 4`,
      for: '5m',
      severity: 'warning',
      summary: 'etcd leader changed often in the last hour on {{ $labels.instance }}.',
      description: 'etcd member {{ $labels.instance }} saw at least four leader changes within an hour: the members lose contact, usually through slow disks or a flaky network.',
      runbook: {
        tldr: 'etcd keeps re-electing leaders. Look at disk fsync latency and network between control-plane nodes.',
        mitigation: ['Check EtcdHighFsyncDurations and node CPU alerts on control-plane nodes.', 'Move noisy workloads off control-plane nodes (they should be tainted).'],
        impact: 'Every election stalls API writes for a moment; frequent ones make the API slow and flaky.',
        diagnosis: { queries: ['increase(etcd_server_leader_changes_seen_total[1h])', 'histogram_quantile(0.99, sum by (instance, le) (rate(etcd_disk_wal_fsync_duration_seconds_bucket[5m])))'] },
        escalation: 'If elections continue for a day, call the platform team to review control-plane hardware.',
      },
      test: {
        series: [{ series: `etcd_server_leader_changes_seen_total{${MEMBER}}`, values: '0+1x90' }],
        firesAt: '70m',
        labels: member,
        quiet: { series: [{ series: `etcd_server_leader_changes_seen_total{${MEMBER}}`, values: '2x90' }], at: '70m' },
      },
    },
    {
      name: 'EtcdHighFsyncDurations',
      expr: `histogram_quantile(0.99, sum by (job, instance, le) (rate(etcd_disk_wal_fsync_duration_seconds_bucket{${ETCD}}[5m]))) > 0.5`,
      for: '10m',
      severity: 'warning',
      summary: 'etcd WAL fsync on {{ $labels.instance }} is slow.',
      description: 'The 99th percentile of WAL fsync on etcd member {{ $labels.instance }} is above 500ms. etcd needs fast disks; SD cards are not.',
      runbook: {
        tldr: 'The etcd disk is too slow. Find what else writes to it; on Raspberry Pi use an SSD, not the SD card.',
        mitigation: ['On the node: iostat -x 5 3 and look at the disk of /var/lib/etcd.', 'Stop or move other disk-heavy workloads off the control-plane node.'],
        impact: 'Slow fsync causes leader elections and slow API requests.',
        diagnosis: { queries: ['histogram_quantile(0.99, sum by (instance, le) (rate(etcd_disk_wal_fsync_duration_seconds_bucket[5m])))', 'rate(node_disk_io_time_seconds_total[5m])'] },
        escalation: 'Ask the platform team to move /var/lib/etcd to a faster disk.',
      },
      test: {
        series: [
          { series: `etcd_disk_wal_fsync_duration_seconds_bucket{${MEMBER},le="0.5"}`, values: '0x30' },
          { series: `etcd_disk_wal_fsync_duration_seconds_bucket{${MEMBER},le="1"}`, values: '0+10x30' },
          { series: `etcd_disk_wal_fsync_duration_seconds_bucket{${MEMBER},le="+Inf"}`, values: '0+10x30' },
        ],
        firesAt: '20m',
        labels: member,
        quiet: {
          series: [
            { series: `etcd_disk_wal_fsync_duration_seconds_bucket{${MEMBER},le="0.5"}`, values: '0+10x30' },
            { series: `etcd_disk_wal_fsync_duration_seconds_bucket{${MEMBER},le="1"}`, values: '0+10x30' },
            { series: `etcd_disk_wal_fsync_duration_seconds_bucket{${MEMBER},le="+Inf"}`, values: '0+10x30' },
          ],
          at: '20m',
        },
      },
    },
    {
      name: 'EtcdDatabaseNearQuota',
      expr: `etcd_mvcc_db_total_size_in_bytes{${ETCD}} / etcd_server_quota_backend_bytes{${ETCD}} > 0.8`,
      for: '10m',
      severity: 'warning',
      summary: 'etcd database on {{ $labels.instance }} is above 80% of its quota.',
      description: 'The etcd database of member {{ $labels.instance }} uses more than 80% of its backend quota. At 100% etcd raises a NOSPACE alarm and refuses writes.',
      runbook: {
        tldr: 'etcd is close to its size quota. Compact and defragment before it refuses writes.',
        mitigation: [
          'Find the object kind that grew: many Events, old ReplicaSets or large ConfigMaps.',
          'etcdctl defrag, one member at a time (it blocks that member briefly); the API server compacts automatically.',
        ],
        impact: 'At the quota etcd refuses every write and the cluster is effectively read-only.',
        diagnosis: { queries: ['etcd_mvcc_db_total_size_in_bytes / etcd_server_quota_backend_bytes', 'etcd_mvcc_db_total_size_in_use_in_bytes'] },
        escalation: 'If the database keeps growing after defragmentation, call the platform team.',
      },
      test: {
        series: [
          { series: `etcd_mvcc_db_total_size_in_bytes{${MEMBER}}`, values: '90x20' },
          { series: `etcd_server_quota_backend_bytes{${MEMBER}}`, values: '100x20' },
        ],
        firesAt: '15m',
        labels: member,
        quiet: {
          series: [
            { series: `etcd_mvcc_db_total_size_in_bytes{${MEMBER}}`, values: '40x20' },
            { series: `etcd_server_quota_backend_bytes{${MEMBER}}`, values: '100x20' },
          ],
          at: '15m',
        },
      },
    },
  ];
}
