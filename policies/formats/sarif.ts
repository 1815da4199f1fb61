/**
 * SARIF 2.1.0 for GitHub code scanning: one run, the rule table with help text, one result per
 * finding, and exempted findings as results with an external suppression. A finding of a
 * synthesized environment is located at the line of the environment file that configures its
 * object (the output file, usually not committed, is in its properties); one of a directory of
 * manifests at the line its object begins at in its file.
 *
 * @see https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 */
import { createHash } from 'node:crypto';
import { byCodePoint } from '../../constructs/core/order';
import { Finding, PolicyReport } from '../types';

export function toSarif(report: PolicyReport, version: string): string {
  const rules = [...report.rules].sort((a, b) => byCodePoint(a.id, b.id));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const result = (f: Finding, justification?: string) => ({
    ruleId: f.rule,
    ruleIndex: index.get(f.rule),
    level: f.level === 'mandatory' ? 'error' : 'warning',
    message: { text: `${f.environment}: ${f.ref}: ${f.message}${f.value !== undefined ? ` Value: ${f.value}.` : ''} Fix: ${f.fix}` },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: f.source?.file ?? f.file }, region: { startLine: f.source?.line ?? 1 } },
        logicalLocations: [{ fullyQualifiedName: f.constructPath ?? f.ref, kind: 'object' }],
      },
    ],
    partialFingerprints: { 'gitplane/v1': createHash('sha256').update(`${f.rule}|${f.environment}|${f.ref}|${f.message}`).digest('hex').slice(0, 32) },
    properties: { environment: f.environment, object: f.ref, level: f.level, pack: f.pack, output: f.file },
    ...(justification ? { suppressions: [{ kind: 'external', justification }] } : {}),
  });
  const results = report.environments.flatMap((env) => [
    ...env.findings.map((f) => result(f)),
    ...env.waived.map((f) => result(f, env.exemptions.find((e) => e.rule === f.rule && e.object === f.ref)?.reason ?? 'exempted in policy.exemptions')),
  ]);
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'gitplane',
            semanticVersion: version,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: r.description },
              fullDescription: { text: `${r.description} ${r.rationale}` },
              help: { text: `${r.rationale}\nFix: ${r.remediation}\nDocs: ${r.docsUrl}`, markdown: `${r.rationale}\n\n**Fix:** ${r.remediation}\n\n[Documentation](${r.docsUrl})` },
              defaultConfiguration: { level: r.severity === 'error' ? 'error' : 'warning' },
              properties: { tags: ['gitplane', r.pack], pack: r.pack },
            })),
          },
        },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
