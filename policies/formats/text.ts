import { PolicyReport } from '../types';
import { summary } from './summary';

/** One block per finding, then a summary line per environment. */
export function toText(report: PolicyReport): string {
  const lines: string[] = [];
  for (const env of report.environments) {
    for (const f of env.findings) {
      lines.push(`${f.level === 'mandatory' ? 'MANDATORY' : 'advisory '} ${f.file}: ${f.ref}: [${f.rule}] ${f.message}`);
      if (f.value !== undefined) lines.push(`    value: ${f.value}`);
      if (f.constructPath) lines.push(`    construct: ${f.constructPath}`);
      lines.push(`    fix: ${f.fix}`);
    }
  }
  for (const env of report.environments) lines.push(summary(env));
  return `${lines.join('\n')}\n`;
}
