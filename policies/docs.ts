/** The rule reference in docs/policies.md, generated from the registry between two markers. */
import { byCodePoint } from '../constructs/core/order';
import { Rule } from './types';

export const DOCS_START = '<!-- gitplane policy --docs: generated from policies/registry.ts; do not edit below -->';
export const DOCS_END = '<!-- end of generated rule reference -->';

export function ruleReference(rules: readonly Rule[]): string {
  const sorted = [...rules].sort((a, b) => byCodePoint(a.pack, b.pack) || byCodePoint(a.id, b.id));
  const table = ['| rule | pack | severity | kinds |', '|---|---|---|---|', ...sorted.map((r) => `| [${r.id}](#${r.id}) | ${r.pack} | ${r.severity} | ${kinds(r)} |`)];
  const sections = sorted.map((r) => [`### ${r.id}`, '', `**${r.pack}**, severity **${r.severity}**, applies to ${kinds(r)}.`, '', r.description, '', `*Why:* ${r.rationale}`, '', `*Fix:* ${r.remediation}`, ''].join('\n'));
  return [DOCS_START, '', ...table, '', ...sections, DOCS_END].join('\n');
}

/** `doc` with its generated section replaced (or appended when the markers are missing). */
export function updateDocs(doc: string, rules: readonly Rule[]): string {
  const start = doc.indexOf(DOCS_START);
  const end = doc.indexOf(DOCS_END);
  if (start < 0 || end < start) return `${doc.replace(/\n*$/, '\n\n')}${ruleReference(rules)}\n`;
  return `${doc.slice(0, start)}${ruleReference(rules)}${doc.slice(end + DOCS_END.length)}`;
}

function kinds(r: Rule): string {
  const own = r.charts === false ? ' (gitplane\'s own objects, not rendered charts)' : '';
  if (r.kinds === '*') return `every kind${own}`;
  if (r.scope === 'environment') return `${r.kinds.length > 0 ? `the environment (${r.kinds.join(', ')})` : 'the environment'}${own}`;
  return `${r.kinds.join(', ')}${own}`;
}
