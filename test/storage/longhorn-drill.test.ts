import { Chart, Testing } from 'cdk8s';
import { DRILL_CANARY_PVC, LonghornRestoreDrill, LonghornRestoreDrillProps } from '../../constructs/storage/longhorn';
import { findAll, findOne, Manifest } from '../../stacks/objects';
import { manifests } from '../support/environments';
import { testApp } from '../support/cdk8s';

const props: LonghornRestoreDrillProps = {
  labels: { name: 'longhorn-restore-drill', instance: 'longhorn-test', component: 'storage' },
  scripts: { drill: '#!/bin/sh\n', canary: '#!/bin/sh\n' },
  kubectlImage: 'docker.io/alpine/kubectl:1.34.2',
  shellImage: 'docker.io/library/busybox:1.37.0',
  canaryMaxAgeSeconds: 93_600,
};

describe('prod', () => {
  const drill = () => findOne<any>(manifests('prod'), 'CronJob', 'longhorn-restore-drill');

  test('a weekly drill restores the canary volume, which gets fresh data every hour, under a stable name', () => {
    expect(DRILL_CANARY_PVC).toBe('gitplane-drill-canary');
    const canary = findOne<any>(manifests('prod'), 'PersistentVolumeClaim', 'gitplane-drill-canary');
    // The default class: its volumes are in the gitplane group, so the nightly backup takes them.
    expect(canary.spec.storageClassName).toBe('longhorn');
    expect(canary.metadata.namespace).toBe('longhorn-system');
    expect(findOne<any>(manifests('prod'), 'CronJob', 'longhorn-drill-canary').spec.schedule).toBe('10 * * * *');
    expect(drill().spec).toMatchObject({ schedule: '30 4 * * 0', concurrencyPolicy: 'Forbid', timeZone: 'Etc/UTC' });
    const container = drill().spec.jobTemplate.spec.template.spec.containers[0];
    expect(container.image).toBe('docker.io/alpine/kubectl:1.34.2');
    expect(Object.fromEntries(container.env.map((e: any) => [e.name, e.value]))).toMatchObject({
      DRILL_PVC: 'longhorn-system/gitplane-drill-canary',
      DRILL_VERIFY_IMAGE: 'docker.io/library/busybox:1.37.0',
      DRILL_SCRIPTS_CONFIGMAP: 'longhorn-restore-drill-scripts',
      // One day between nightly backups, one hour between canary writes, one hour of slack.
      CANARY_MAX_AGE_SECONDS: String(86_400 + 3600 + 3600),
    });
  });

  test('the drill runs as non-root under its own ServiceAccount, allowed only what the restore needs', () => {
    const pod = drill().spec.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).toBe('longhorn-restore-drill');
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const role = findOne<any>(manifests('prod'), 'Role', 'longhorn-restore-drill');
    expect(role.rules.find((r: any) => r.resources.includes('backups')).verbs).toEqual(['get', 'list']);
    expect(role.rules.flatMap((r: any) => r.verbs)).not.toContain('*');
    const clusterRole = findOne<any>(manifests('prod'), 'ClusterRole', 'longhorn-restore-drill');
    expect(clusterRole.rules).toEqual([{ apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'create', 'patch', 'delete'] }]);
    expect(clusterRole.metadata.namespace).toBeUndefined();
  });

  test('the drill alerts when it fails or goes stale', () => {
    const rule = findOne<any>(manifests('prod'), 'PrometheusRule', 'gitplane-longhorn');
    const alerts = rule.spec.groups.flatMap((g: any) => g.rules).filter((r: any) => /RestoreDrill/.test(r.alert ?? ''));
    expect(alerts.map((a: any) => [a.alert, a.labels.severity])).toEqual([
      ['LonghornRestoreDrillFailed', 'critical'],
      ['LonghornRestoreDrillTooOld', 'warning'],
    ]);
    expect(alerts[1].expr).toContain('cronjob="longhorn-restore-drill"');
    expect(alerts[0].annotations.runbook_url).toMatch(/runbooks\/longhorn-restore-drill-failed\.md$/);
  });
});

test('an environment without a Longhorn backup store has no drill and no drill alerts', () => {
  expect(findAll(manifests('dev'), 'CronJob').map((c) => c.metadata.name)).not.toContain('longhorn-restore-drill');
  expect(JSON.stringify(findAll(manifests('dev'), 'PrometheusRule'))).not.toContain('LonghornRestoreDrill');
});

describe('construct errors', () => {
  const synth = (p: LonghornRestoreDrillProps): Manifest[] => Testing.synth(new LonghornRestoreDrill(new Chart(testApp(), 'test'), 'drill', p).node.scope as Chart) as Manifest[];

  test('fails when the canary may be younger than its hourly writes allow', () => {
    expect(() => synth({ ...props, canaryMaxAgeSeconds: 600 })).toThrow(
      'LonghornRestoreDrill: canaryMaxAgeSeconds must be a whole number of at least 3600 (got 600). The canary is written hourly and backed up later.',
    );
  });

  test('fails when a schedule is not a cron expression of five fields', () => {
    expect(() => synth({ ...props, canarySchedule: '10 * * *' })).toThrow('LonghornRestoreDrill: "10 * * *" is not a cron schedule of five fields');
  });

  test('defaults: weekly drill, hourly canary, the longhorn class', () => {
    const objects = synth(props);
    expect(findOne<any>(objects, 'CronJob', 'longhorn-restore-drill').spec.schedule).toBe('30 4 * * 0');
    expect(findOne<any>(objects, 'PersistentVolumeClaim', 'gitplane-drill-canary').spec.storageClassName).toBe('longhorn');
  });
});
