import { scanValue } from '../lib/detectors';
import { docsUrl } from '../lib/docs-url';
import { ObjectRule } from '../types';

export const rule: ObjectRule = {
  id: 'no-secret-data',
  scope: 'object',
  severity: 'error',
  pack: 'secrets',
  description: 'No Secret in the output has data or stringData; credentials reach the cluster as ExternalSecret or SealedSecret objects.',
  rationale: 'Everything in the output is committed to the Argo CD repository; base64 is an encoding, not encryption. Plaintext stringData is missed by several scanners.',
  remediation: 'Replace the Secret with an ExternalSecret (secrets.provider: external-secrets) or a SealedSecret, and reference it by name.',
  docsUrl: docsUrl('no-secret-data'),
  kinds: ['Secret'],
  charts: false,
  check(object) {
    const m = object.manifest as { data?: Record<string, string>; stringData?: Record<string, string> };
    const findings = [];
    for (const field of ['data', 'stringData'] as const) {
      const keys = Object.keys(m[field] ?? {});
      if (keys.length === 0) continue;
      const detections = scanValue(m[field], field);
      const what = detections.length > 0 ? ` It holds ${[...new Set(detections.map((d) => d.detector))].join(', ')} (${detections[0].path}).` : '';
      findings.push({ message: `Secret has ${field} with key(s) ${keys.join(', ')}; secret values must not be in Git.${what}`, value: `${field}: ${keys.join(', ')}` });
    }
    return findings;
  },
};
