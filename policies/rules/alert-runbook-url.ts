import { ALERT_KINDS, alertingRules, runbookFile } from '../lib/alerts';
import { docsUrl } from '../lib/docs-url';
import { ObjectRule, RuleFinding } from '../types';

export const rule: ObjectRule = {
  id: 'alert-runbook-url',
  scope: 'object',
  severity: 'error',
  pack: 'runbooks',
  description: 'Every alerting rule has a runbook_url annotation that is an https URL or points at a runbook file that exists in the output.',
  rationale: 'Whoever is paged needs the runbook at hand; a missing or dangling link costs minutes during an incident. Peer linters only check the link over HTTP; gitplane resolves it offline against runbooks/.',
  remediation: 'Give the alert a runbook (the alert construct renders runbooks/<alert>.md and sets runbook_url) or an https runbook_url.',
  docsUrl: docsUrl('alert-runbook-url'),
  kinds: ALERT_KINDS,
  check(object, ctx) {
    const rules = alertingRules(object);
    if (rules.length === 0) return 'not-applicable';
    const findings: RuleFinding[] = [];
    for (const { alert, rule: r, path } of rules) {
      const url = r.annotations?.runbook_url;
      if (typeof url !== 'string' || url.trim() === '') {
        findings.push({ message: `alert ${alert} (${path}) has no runbook_url annotation.`, value: '(none)' });
        continue;
      }
      const file = runbookFile(url, ctx.spec?.gitops.runbookBaseUrl);
      if (file !== undefined) {
        if (ctx.files.size > 0 && !ctx.files.has(file)) {
          findings.push({
            message: `alert ${alert} (${path}) has runbook_url ${url}, which points at ${file}, but the output has no such file.`,
            value: url,
            fix: `Render the runbook to ${file} (pass an inline runbook to the alert construct) or correct the URL.`,
          });
        }
      } else if (!url.startsWith('https://')) {
        findings.push({ message: `alert ${alert} (${path}) has runbook_url ${url}, which is neither an https URL nor a runbook in the output.`, value: url, fix: 'Use an https:// URL or a runbook rendered under runbooks/.' });
      }
    }
    return findings;
  },
};
