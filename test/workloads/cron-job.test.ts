import { Chart, Testing } from 'cdk8s';
import { cronSchedule, ScheduledJob, ScheduledJobProps } from '../../constructs/workloads/cron-job';
import { findAll, findOne, Manifest } from '../../stacks/objects';
import { manifests } from '../support/environments';
import { testApp } from '../support/cdk8s';

const labels = { 'app.kubernetes.io/name': 'example-job' };
const props: ScheduledJobProps = {
  metadata: { name: 'example-job' },
  schedule: cronSchedule('Example', '15 3 * * *'),
  activeDeadlineSeconds: 300,
  labels,
  user: 65532,
  containers: [{ name: 'job', image: 'docker.io/library/busybox:1.37.0', command: ['/bin/true'] }],
};

function synth(p: ScheduledJobProps): any {
  const chart = new Chart(testApp(), 'test');
  new ScheduledJob(chart, 'job', p);
  return findOne(Testing.synth(chart) as Manifest[], 'CronJob', 'example-job');
}

test('a CronJob gets gitplane\'s policy: UTC, no overlap, a starting deadline, bounded history, one retry, a run deadline, no restarts', () => {
  const job = synth(props);
  expect(job.spec).toMatchObject({
    schedule: '15 3 * * *',
    timeZone: 'Etc/UTC',
    concurrencyPolicy: 'Forbid',
    startingDeadlineSeconds: 600,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 3,
    suspend: false,
  });
  expect(job.spec.jobTemplate.metadata).toEqual({ labels });
  expect(job.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 300 });
  const template = job.spec.jobTemplate.spec.template;
  // No construct-path label and no annotations unless asked for.
  expect(template.metadata).toEqual({ labels });
  expect(template.spec).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false, enableServiceLinks: false });
  expect(template.spec.securityContext).toEqual({ runAsUser: 65532, runAsGroup: 65532, runAsNonRoot: true, fsGroupChangePolicy: 'Always' });
  expect(template.spec.containers[0]).toMatchObject({
    imagePullPolicy: 'IfNotPresent',
    securityContext: {
      runAsUser: 65532,
      runAsNonRoot: true,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  });
});

test('a job that reads root-owned host files runs as uid 0 in the pod and in every container, with its reason on the pods', () => {
  const job = synth({
    ...props,
    user: 0,
    fsGroup: 0,
    podAnnotations: { 'gitplane.dev/privileged-reason': 'reads root-only files (test)' },
    initContainers: [{ name: 'init', image: 'docker.io/library/busybox:1.37.0', command: ['/bin/true'] }],
  });
  const template = job.spec.jobTemplate.spec.template;
  expect(template.metadata.annotations).toEqual({ 'gitplane.dev/privileged-reason': 'reads root-only files (test)' });
  expect(template.spec.securityContext).toMatchObject({ runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, fsGroup: 0 });
  for (const c of [...template.spec.initContainers, ...template.spec.containers]) {
    expect(c.securityContext).toMatchObject({ runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
  }
});

test('a job that talks to the API server asks for its token', () => {
  const job = synth({ ...props, automountServiceAccountToken: true });
  expect(job.spec.jobTemplate.spec.template.spec.automountServiceAccountToken).toBe(true);
});

test('every CronJob of every environment follows the one policy', () => {
  const jobs = ['prod', 'pi-edge', 'staging'].flatMap((env) => findAll(manifests(env), 'CronJob')) as any[];
  expect(jobs.map((j) => j.metadata.name).sort()).toEqual(
    expect.arrayContaining(['etcd-backup', 'etcd-restore-drill', 'longhorn-drill-canary', 'longhorn-restore-drill']),
  );
  for (const job of jobs) {
    const policy = { ...job.spec, jobTemplate: undefined, schedule: undefined };
    expect(policy).toEqual({ timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 600, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3, suspend: false });
    const pod = job.spec.jobTemplate.spec.template.spec;
    expect([job.spec.jobTemplate.spec.backoffLimit, pod.restartPolicy, pod.enableServiceLinks]).toEqual([1, 'Never', false]);
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    }
  }
});

test('schedules are five cron fields or a macro', () => {
  expect(cronSchedule('Example', '15 */2 * * *').expressionString).toBe('15 */2 * * *');
  expect(cronSchedule('Example', '@daily').expressionString).toBe('0 0 * * *');
});

test('fails when a schedule is not a cron expression of five fields', () => {
  expect(() => cronSchedule('EtcdBackup', '@often')).toThrow(
    'EtcdBackup: "@often" is not a cron schedule of five fields (minute hour day-of-month month day-of-week) or a macro such as @daily, e.g. "0 */6 * * *".',
  );
  expect(() => cronSchedule('LonghornRestoreDrill', '0 */6 * *')).toThrow('LonghornRestoreDrill: "0 */6 * *" is not a cron schedule of five fields');
});
