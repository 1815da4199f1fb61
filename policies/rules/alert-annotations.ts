import { ALERT_KINDS, ALLOWED_SEVERITIES, alertingRules, PAGING_SEVERITIES } from '../lib/alerts';
import { docsUrl } from '../lib/docs-url';
import { ObjectRule, RuleFinding } from '../types';

export const rule: ObjectRule = {
  id: 'alert-annotations',
  scope: 'object',
  severity: 'error',
  pack: 'runbooks',
  description: `Every alerting rule has summary and description annotations, a severity label in ${ALLOWED_SEVERITIES.join(', ')}, and a non-zero \`for\` when it pages (severity ${PAGING_SEVERITIES.join(', ')}).`,
  rationale: 'Alertmanager routes on severity, notifications show summary and description, and a paging alert without `for` wakes people for a single bad scrape.',
  remediation: 'Set annotations.summary, annotations.description, labels.severity and, for paging alerts, `for` (e.g. 5m).',
  docsUrl: docsUrl('alert-annotations'),
  kinds: ALERT_KINDS,
  check(object) {
    const rules = alertingRules(object);
    if (rules.length === 0) return 'not-applicable';
    const findings: RuleFinding[] = [];
    for (const { alert, rule: r, path } of rules) {
      for (const a of ['summary', 'description']) {
        if (typeof r.annotations?.[a] !== 'string' || r.annotations[a].trim() === '') {
          findings.push({ message: `alert ${alert} (${path}) has no ${a} annotation.`, value: '(none)', fix: `Add annotations.${a} to alert ${alert}.` });
        }
      }
      const severity = r.labels?.severity;
      if (!(ALLOWED_SEVERITIES as readonly string[]).includes(severity)) {
        findings.push({
          message: `alert ${alert} (${path}) has severity ${JSON.stringify(severity ?? null)}; allowed are ${ALLOWED_SEVERITIES.join(', ')}.`,
          value: String(severity ?? '(none)'),
          fix: `Set labels.severity of alert ${alert} to one of ${ALLOWED_SEVERITIES.join(', ')}.`,
        });
      } else if (PAGING_SEVERITIES.includes(severity) && (!r.for || /^0+[a-z]*$/.test(String(r.for)))) {
        findings.push({ message: `alert ${alert} (${path}) pages (severity ${severity}) but has no \`for\`, so one bad evaluation pages someone.`, value: String(r.for ?? '(none)'), fix: `Set \`for\` on alert ${alert}, e.g. 5m.` });
      }
    }
    return findings;
  },
};
