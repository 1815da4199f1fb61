import { docsUrl } from '../lib/docs-url';
import { ObjectRule, RuleFinding } from '../types';

export const rule: ObjectRule = {
  id: 'cronjob-deadline-concurrency',
  scope: 'object',
  severity: 'error',
  pack: 'hygiene',
  description: 'Every CronJob sets startingDeadlineSeconds and a concurrencyPolicy of Forbid or Replace, and its Jobs an activeDeadlineSeconds.',
  rationale: 'Without a starting deadline a controller outage makes a CronJob stop after 100 missed runs; with concurrency allowed, a slow etcd snapshot overlaps the next one; without an active deadline a hung Job runs forever.',
  remediation: 'Set startingDeadlineSeconds, concurrencyPolicy: Forbid and jobTemplate.spec.activeDeadlineSeconds.',
  docsUrl: docsUrl('cronjob-deadline-concurrency'),
  kinds: ['CronJob'],
  check(object) {
    const spec = (object.manifest.spec ?? {}) as { startingDeadlineSeconds?: number; concurrencyPolicy?: string; jobTemplate?: { spec?: { activeDeadlineSeconds?: number } } };
    const findings: RuleFinding[] = [];
    if (spec.startingDeadlineSeconds === undefined) findings.push({ message: 'spec.startingDeadlineSeconds is not set.', value: '(none)' });
    if (spec.concurrencyPolicy !== 'Forbid' && spec.concurrencyPolicy !== 'Replace') findings.push({ message: `spec.concurrencyPolicy is ${spec.concurrencyPolicy ?? 'unset (Allow)'}; runs may overlap.`, value: spec.concurrencyPolicy ?? 'Allow' });
    if (spec.jobTemplate?.spec?.activeDeadlineSeconds === undefined) findings.push({ message: 'spec.jobTemplate.spec.activeDeadlineSeconds is not set; a hung run never ends.', value: '(none)' });
    return findings;
  },
};
