/**
 * GitHub Actions workflow commands: `::error` for mandatory findings, `::warning` for advisory ones,
 * each on its file.
 *
 * @see https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
 */
import { PolicyReport } from '../types';
import { summary } from './summary';

export function toGithub(report: PolicyReport): string {
  const lines = report.environments.flatMap((env) => [
    ...env.findings.map((f) => `::${f.level === 'mandatory' ? 'error' : 'warning'} file=${property(f.file)},title=${property(`${f.rule} (${f.environment})`)}::${data(`${f.ref}: ${f.message} Fix: ${f.fix}`)}`),
    `::notice title=${property(`gitplane policy (${env.name})`)}::${data(summary(env))}`,
  ]);
  return `${lines.join('\n')}\n`;
}

function data(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function property(s: string): string {
  return data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
