/**
 * The spec of a CronJob that runs a script on a schedule, with the safe defaults every gitplane
 * CronJob shares: UTC, no overlapping runs, a starting deadline, bounded history, one retry, an
 * active deadline, no restarts inside a run, and no Service environment variables.
 */
export function cronJobSpec(o: { schedule: string; activeDeadlineSeconds: number; labels: Record<string, string>; podAnnotations: Record<string, string>; pod: Record<string, unknown> }) {
  return {
    schedule: o.schedule,
    timeZone: 'Etc/UTC',
    concurrencyPolicy: 'Forbid',
    // A run missed by more than 10 minutes is skipped; the next one comes on schedule.
    startingDeadlineSeconds: 600,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 3,
    jobTemplate: {
      metadata: { labels: o.labels },
      spec: {
        backoffLimit: 1,
        activeDeadlineSeconds: o.activeDeadlineSeconds,
        template: {
          metadata: { labels: o.labels, ...(Object.keys(o.podAnnotations).length > 0 ? { annotations: o.podAnnotations } : {}) },
          spec: { restartPolicy: 'Never', automountServiceAccountToken: false, enableServiceLinks: false, ...o.pod },
        },
      },
    },
  };
}
