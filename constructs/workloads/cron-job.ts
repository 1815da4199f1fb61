import { ApiObject, Cron, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { containerSecurity, IMAGE_PULL_POLICY, withoutConstructAddress } from './secure-defaults';

/** The CronJob fields gitplane's policy decides, or that ScheduledJob takes in its own terms. */
type Decided =
  | 'timeZone'
  | 'concurrencyPolicy'
  | 'startingDeadline'
  | 'successfulJobsRetained'
  | 'failedJobsRetained'
  | 'backoffLimit'
  | 'activeDeadline'
  | 'restartPolicy'
  | 'podMetadata'
  | 'securityContext';

export interface ScheduledJobProps extends Omit<kplus.CronJobProps, Decided> {
  /** Seconds one run may take before Kubernetes stops it. */
  readonly activeDeadlineSeconds: number;
  /** Labels of the job template and of its pods. */
  readonly labels: Record<string, string>;
  /** Annotations of the pods (why a job needs privilege, say). @default - none */
  readonly podAnnotations?: Record<string, string>;
  /**
   * User and group the pods and every container run as. 0 only for jobs that read root-owned
   * host files; any other user also refuses to start as root.
   */
  readonly user: number;
  /** Group that owns the pods' volumes. @default - none */
  readonly fsGroup?: number;
}

/**
 * A CronJob with gitplane's CronJob policy, stated here once: the schedule in UTC, no overlapping
 * runs, a run missed by more than 10 minutes skipped, three successful and three failed jobs kept,
 * one retry, a deadline on each run, no restarts inside a run, no service account token and no
 * Service environment variables unless asked for, and every container with gitplane's secure
 * defaults (`secure-defaults.ts`) for the given user. The job template carries the labels, which
 * cdk8s-plus-28 does not model, and the pod template no construct-path label.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/
 */
export class ScheduledJob extends kplus.CronJob {
  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    const { activeDeadlineSeconds, labels, podAnnotations, user, fsGroup, containers, initContainers, ...job } = props;
    const secure = (c: kplus.ContainerProps): kplus.ContainerProps => ({ imagePullPolicy: IMAGE_PULL_POLICY, securityContext: containerSecurity(user), ...c });
    super(scope, id, {
      timeZone: 'Etc/UTC',
      concurrencyPolicy: kplus.ConcurrencyPolicy.FORBID,
      // A run missed by more than 10 minutes is skipped; the next one comes on schedule.
      startingDeadline: Duration.seconds(600),
      successfulJobsRetained: 3,
      failedJobsRetained: 3,
      backoffLimit: 1,
      activeDeadline: Duration.seconds(activeDeadlineSeconds),
      restartPolicy: kplus.RestartPolicy.NEVER,
      automountServiceAccountToken: false,
      podMetadata: { labels, ...(podAnnotations ? { annotations: podAnnotations } : {}) },
      securityContext: { user, group: user, ensureNonRoot: user !== 0, fsGroup },
      ...job,
      containers: containers?.map(secure),
      initContainers: initContainers?.map(secure),
    });
    withoutConstructAddress(this, '/spec/jobTemplate/spec/template');
    // Fields cdk8s-plus-28 does not model.
    ApiObject.of(this).addJsonPatch(
      JsonPatch.add('/spec/jobTemplate/metadata', { labels }),
      JsonPatch.add('/spec/jobTemplate/spec/template/spec/enableServiceLinks', false),
    );
  }
}

/** The macros Kubernetes' CronJob controller accepts, as the five fields they stand for. */
const CRON_MACROS: Record<string, () => Cron> = { '@hourly': Cron.hourly, '@daily': Cron.daily, '@weekly': Cron.weekly, '@monthly': Cron.monthly, '@yearly': Cron.annually };

/**
 * A cron expression of five fields (or a macro such as `@daily`), as cdk8s models it. `owner`
 * names the construct whose prop it is, for the error.
 */
export function cronSchedule(owner: string, expression: string): Cron {
  const macro = CRON_MACROS[expression];
  if (macro) return macro();
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`${owner}: "${expression}" is not a cron schedule of five fields (minute hour day-of-month month day-of-week) or a macro such as @daily, e.g. "0 */6 * * *".`);
  const [minute, hour, day, month, weekDay] = fields;
  return Cron.schedule({ minute, hour, day, month, weekDay });
}
