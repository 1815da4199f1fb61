import { docsUrl } from '../lib/docs-url';
import { EnvironmentRule } from '../types';

export const rule: EnvironmentRule = {
  id: 'exemption-expired',
  scope: 'environment',
  severity: 'error',
  pack: 'core',
  description: 'Every exemption in policy.exemptions is still in force (its expires date, if any, is today or later).',
  rationale: 'Exemptions are debts with a due date; an expired one must be renewed with a fresh reason or the object fixed, not left to waive findings forever.',
  remediation: 'Fix the object and delete the exemption, or renew it with a new expires date and a reason that still holds.',
  docsUrl: docsUrl('exemption-expired'),
  kinds: [],
  check(ctx) {
    const exemptions = ctx.spec?.policy.exemptions ?? [];
    if (exemptions.length === 0) return 'not-applicable';
    return exemptions
      .filter((e) => e.expires !== undefined && e.expires < ctx.today)
      .map((e) => ({ message: `the exemption of ${e.object} from ${e.rule} expired on ${e.expires} (reason given: "${e.reason}"); the findings it waived are reported again.`, value: e.expires }));
  },
};
