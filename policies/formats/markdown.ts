/** A pull-request comment: the verdict, a table per environment, mandatory findings, advisory ones folded. */
import { Finding, PolicyReport } from '../types';
import { counts } from './summary';

export function toMarkdown(report: PolicyReport): string {
  const all = report.environments.flatMap((e) => e.findings);
  const mandatory = all.filter((f) => f.level === 'mandatory');
  const advisory = all.filter((f) => f.level === 'advisory');
  const out = [
    `### gitplane policy: ${mandatory.length === 0 ? 'safe to merge' : `${mandatory.length} mandatory finding(s) block this merge`}`,
    '',
    '| environment | mandatory | advisory | rules run | exemptions in force |',
    '|---|---:|---:|---:|---:|',
    ...report.environments.map((e) => {
      const c = counts(e);
      return `| ${e.name} | ${c.mandatory} | ${c.advisory} | ${c.rules} | ${c.exemptions} |`;
    }),
    '',
  ];
  if (mandatory.length > 0) out.push('#### Mandatory', '', ...mandatory.map(item), '');
  if (advisory.length > 0) out.push(`<details><summary>${advisory.length} advisory finding(s)</summary>`, '', ...advisory.map(item), '', '</details>', '');
  return `${out.join('\n')}`;
}

function item(f: Finding): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return `- **${f.rule}** \`${f.environment}\` \`${f.ref}\` (${cell(f.file)}): ${cell(f.message)}${f.value !== undefined ? ` Value: \`${cell(f.value)}\`.` : ''} Fix: ${cell(f.fix)}`;
}
