import { ALERT_KINDS, alertingRules, RUNBOOK_SECTIONS, runbookFile } from '../lib/alerts';
import { docsUrl } from '../lib/docs-url';
import { ObjectRule, RuleFinding } from '../types';

export const rule: ObjectRule = {
  id: 'runbook-sections',
  scope: 'object',
  severity: 'error',
  pack: 'runbooks',
  description: `Every runbook an alert links to in the output has the level-2 headings ${RUNBOOK_SECTIONS.map((s) => `"${s}"`).join(', ')}, each with text under it.`,
  rationale: 'A stub runbook is worse than none: it looks done. The sections are what the person paged reads, in that order: the gist, the five-minute mitigation, who is hurt, how to find the cause, whom to call.',
  remediation: `Write every section of the runbook: ${RUNBOOK_SECTIONS.map((s) => `## ${s}`).join(', ')}.`,
  docsUrl: docsUrl('runbook-sections'),
  kinds: ALERT_KINDS,
  check(object, ctx) {
    const files = alertingRules(object)
      .map(({ alert, rule: r }) => ({ alert, file: typeof r.annotations?.runbook_url === 'string' ? runbookFile(r.annotations.runbook_url, ctx.spec?.gitops.runbookBaseUrl) : undefined }))
      .filter((x): x is { alert: string; file: string } => x.file !== undefined && ctx.files.has(x.file));
    if (files.length === 0) return 'not-applicable';
    const findings: RuleFinding[] = [];
    for (const { alert, file } of files) {
      const sections = sectionsOf(ctx.files.get(file) ?? '');
      const missing = RUNBOOK_SECTIONS.filter((s) => sectionText(sections, s) === undefined);
      const empty = RUNBOOK_SECTIONS.filter((s) => sectionText(sections, s) === '');
      if (missing.length > 0) {
        findings.push({ message: `runbook ${file} of alert ${alert} lacks the section(s) ${missing.map((m) => `"## ${m}"`).join(', ')}.`, value: [...sections.keys()].join(', ') || '(no sections)' });
      }
      if (empty.length > 0) findings.push({ message: `runbook ${file} of alert ${alert} has empty section(s) ${empty.map((m) => `"## ${m}"`).join(', ')}.`, value: empty.join(', ') });
    }
    return findings;
  },
};

/** The text under the heading that is, or begins with, `name` ("## Mitigation (under five minutes)" counts as Mitigation). */
function sectionText(sections: Map<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [heading, text] of sections) {
    if (heading === wanted || heading.startsWith(`${wanted} `)) return text;
  }
  return undefined;
}

/** Level-2 headings (lower-cased) -> the trimmed text under them, without TODO placeholders. */
function sectionsOf(markdown: string): Map<string, string> {
  const sections = new Map<string, string>();
  let current: string | undefined;
  let body: string[] = [];
  const close = () => {
    if (current !== undefined) sections.set(current, body.join('\n').replace(/\bTODO\b\.?|\bTBD\b\.?/gi, '').trim());
  };
  for (const line of markdown.split('\n')) {
    const h = /^##\s+(.+?)\s*#*\s*$/.exec(line);
    if (h) {
      close();
      current = h[1].toLowerCase();
      body = [];
    } else if (current !== undefined) {
      body.push(line);
    }
  }
  close();
  return sections;
}
