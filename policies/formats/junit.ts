/** JUnit XML: one testsuite per environment, one testcase per rule that ran; mandatory findings fail it. */
import { PolicyReport } from '../types';

export function toJunit(report: PolicyReport): string {
  const suites = report.environments.map((env) => {
    const cases = env.rules.map((id) => {
      const findings = env.findings.filter((f) => f.rule === id);
      const mandatory = findings.filter((f) => f.level === 'mandatory');
      const advisory = findings.filter((f) => f.level === 'advisory');
      const body = [
        mandatory.length > 0
          ? `      <failure type="${id}" message="${esc(`${mandatory.length} mandatory finding(s)`)}">${esc(mandatory.map((f) => `${f.file}: ${f.ref}: ${f.message} Fix: ${f.fix}`).join('\n'))}</failure>`
          : '',
        advisory.length > 0 ? `      <system-out>${esc(advisory.map((f) => `advisory: ${f.file}: ${f.ref}: ${f.message}`).join('\n'))}</system-out>` : '',
      ].filter(Boolean);
      return body.length > 0
        ? `    <testcase classname="gitplane.${esc(env.name)}" name="${esc(id)}">\n${body.join('\n')}\n    </testcase>`
        : `    <testcase classname="gitplane.${esc(env.name)}" name="${esc(id)}"/>`;
    });
    const failures = env.rules.filter((id) => env.findings.some((f) => f.rule === id && f.level === 'mandatory')).length;
    return `  <testsuite name="${esc(env.name)}" tests="${env.rules.length}" failures="${failures}" errors="0" skipped="0">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="gitplane policy">\n${suites.join('\n')}\n</testsuites>\n`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
