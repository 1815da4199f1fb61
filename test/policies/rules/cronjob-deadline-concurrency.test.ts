import { check, env, messages, obj } from '../support';

const cron = (spec: Record<string, unknown>) => obj({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'backup', namespace: 'demo' }, spec: { schedule: '0 * * * *', jobTemplate: { spec: { activeDeadlineSeconds: 600, template: { spec: {} } } }, ...spec } });

describe('cronjob-deadline-concurrency', () => {
  test('passes a CronJob with deadlines and Forbid (must-not-fire)', () => {
    expect(check('cronjob-deadline-concurrency', env([cron({ startingDeadlineSeconds: 300, concurrencyPolicy: 'Forbid' })]))).toEqual([]);
  });
  test('fails when the starting deadline is missing', () => {
    expect(messages(check('cronjob-deadline-concurrency', env([cron({ concurrencyPolicy: 'Forbid' })])))).toEqual(['cronjob-deadline-concurrency: spec.startingDeadlineSeconds is not set.']);
  });
  test('fails when runs may overlap', () => {
    expect(messages(check('cronjob-deadline-concurrency', env([cron({ startingDeadlineSeconds: 300 })])))).toEqual(['cronjob-deadline-concurrency: spec.concurrencyPolicy is unset (Allow); runs may overlap.']);
  });
  test('fails when the Jobs have no active deadline', () => {
    const c = cron({ startingDeadlineSeconds: 300, concurrencyPolicy: 'Forbid', jobTemplate: { spec: { template: { spec: {} } } } });
    expect(messages(check('cronjob-deadline-concurrency', env([c])))).toEqual(['cronjob-deadline-concurrency: spec.jobTemplate.spec.activeDeadlineSeconds is not set; a hung run never ends.']);
  });
});
