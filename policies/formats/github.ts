/**
 * GitHub Actions workflow commands: `::error` for mandatory findings, `::warning` for advisory ones,
 * each on the line of the environment file that configures its object (or, under --dir, the
 * object's line in its manifest file).
 *
 * @see https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
 */
import { Finding, PolicyReport } from '../types';
import { summary } from './summary';

export function toGithub(report: PolicyReport): string {
  const lines = report.environments.flatMap((env) => [
    ...env.findings.map((f) => `::${f.level === 'mandatory' ? 'error' : 'warning'} ${where(f)},title=${property(`${f.rule} (${f.environment})`)}::${data(`${f.ref}: ${f.message} Fix: ${f.fix}`)}`),
    `::notice title=${property(`gitplane policy (${env.name})`)}::${data(summary(env))}`,
  ]);
  return `${lines.join('\n')}\n`;
}

/** The line that configures the object when known (see Finding.source), else the file. */
function where(f: Finding): string {
  return f.source ? `file=${property(f.source.file)},line=${f.source.line}` : `file=${property(f.file)}`;
}

function data(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function property(s: string): string {
  return data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
