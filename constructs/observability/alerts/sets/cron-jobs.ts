import { maxCronGapSeconds } from '../cron';
import { AlertTest, BuiltinAlert } from './types';

/**
 * The last-success series of a CronJob that succeeds every 10 minutes, one sample a minute for at
 * least `length` minutes: its age never exceeds 9 minutes.
 */
const everyTenMinutes = (length: number) => Array.from({ length: Math.floor(length / 10) + 1 }, (_, i) => `${i * 600}x9`).join(' ');

/**
 * Expressions and promtool test data for the CronJobs of one namespace, as kube-state-metrics
 * reports them: the time of a CronJob's last success and the failed Jobs it started.
 */
export function cronJobSeries(namespace: string) {
  const cronjob = (name: string) => `kube_cronjob_status_last_successful_time{job="kube-state-metrics",namespace="${namespace}",cronjob="${name}"}`;
  const failedJob = (prefix: string) => `kube_job_status_failed{job="kube-state-metrics",namespace="${namespace}",job_name=~"${prefix}-.*"}`;
  const failed = (jobName: string, values: string) => ({ series: `kube_job_status_failed{job="kube-state-metrics",namespace="${namespace}",job_name="${jobName}"}`, values });
  return {
    cronjob,
    failedJob,
    /**
     * Both boundaries of "last success more than `max` seconds ago, for `forMinutes` minutes". The
     * last success lies exactly `max` seconds before the series start (before the epoch at which
     * promtool's clock starts), so the age passes the threshold at the first minute: the alert is
     * pending from then, does not fire yet at `forMinutes` and fires one minute later. A CronJob
     * succeeding every 10 minutes does not fire then either.
     */
    staleTest: (name: string, max: number, forMinutes: number): AlertTest => {
      const firesAt = forMinutes + 1;
      return {
        series: [{ series: cronjob(name), values: `${-max}x${firesAt}` }],
        firesAt: `${firesAt}m`,
        notYetAt: `${forMinutes}m`,
        labels: { job: 'kube-state-metrics', namespace, cronjob: name },
        quiet: { series: [{ series: cronjob(name), values: everyTenMinutes(firesAt) }], at: `${firesAt}m` },
      };
    },
    failedTest: (jobName: string): AlertTest => ({
      series: [failed(jobName, '1x20')],
      firesAt: '10m',
      labels: { job: 'kube-state-metrics', namespace, job_name: jobName },
      quiet: { series: [failed(jobName, '0x20')], at: '10m' },
    }),
  };
}

export interface RestoreDrillAlertOptions {
  /** Prefix of the alert names, e.g. `Etcd` for EtcdRestoreDrillFailed. */
  readonly alertPrefix: string;
  /** The system whose backups are drilled, as summaries name it, e.g. `etcd`. */
  readonly system: string;
  readonly namespace: string;
  /** Name of the drill's CronJob. */
  readonly cronjob: string;
  readonly schedule: string;
  /** What a failed drill could not do, as a full sentence. */
  readonly failure: string;
  /** The steps whose failure the job's log shows, e.g. `download, hash check, restore`. */
  readonly steps: string;
}

/** A failed restore drill (critical) and one that has not passed for twice its longest interval. */
export function restoreDrillAlerts(o: RestoreDrillAlertOptions): BuiltinAlert[] {
  const { cronjob, failedJob, staleTest, failedTest } = cronJobSeries(o.namespace);
  const drillMax = 2 * maxCronGapSeconds(o.schedule);
  const rerun = `kubectl -n ${o.namespace} create job --from=cronjob/${o.cronjob} ${o.cronjob}-manual-$(date +%s).`;
  return [
    {
      name: `${o.alertPrefix}RestoreDrillFailed`,
      expr: `${failedJob(o.cronjob)} > 0`,
      for: '5m',
      severity: 'critical',
      summary: `The ${o.system} restore drill {{ $labels.job_name }} failed.`,
      description: `${o.failure} The backups may not be restorable.`,
      runbook: {
        tldr: 'A backup could not be restored in the drill. Treat backups as broken until a drill passes.',
        mitigation: [`kubectl -n ${o.namespace} logs job/<job_name> to see which step failed (${o.steps}).`, `Run the drill again by hand: ${rerun}`],
        impact: 'A disaster recovery may fail; the cluster itself is unaffected.',
        diagnosis: { queries: [`kube_job_status_failed{namespace="${o.namespace}",job_name=~"${o.cronjob}-.*"}`] },
        escalation: 'Call the platform team the same working day.',
      },
      test: failedTest(`${o.cronjob}-29012345`),
    },
    {
      name: `${o.alertPrefix}RestoreDrillTooOld`,
      expr: `time() - ${cronjob(o.cronjob)} > ${drillMax}`,
      for: '1h',
      severity: 'warning',
      summary: `No ${o.system} restore drill has passed for longer than the schedule allows.`,
      description: `The ${o.cronjob} CronJob (schedule "${o.schedule}") last succeeded more than ${drillMax / 3600}h ago, twice its longest interval.`,
      runbook: {
        tldr: 'Restore drills stopped passing or stopped running. Run one by hand.',
        mitigation: [rerun, `Check the CronJob is not suspended: kubectl -n ${o.namespace} get cronjob ${o.cronjob}.`],
        impact: 'Nobody knows whether the backups restore.',
        diagnosis: { queries: [`time() - kube_cronjob_status_last_successful_time{namespace="${o.namespace}",cronjob="${o.cronjob}"}`] },
        escalation: 'Call the platform team the same working day.',
      },
      test: staleTest(o.cronjob, drillMax, 60),
    },
  ];
}
