import { docsUrl } from '../lib/docs-url';
import { podTemplate } from '../lib/workloads';
import { ObjectRule, RuleFinding } from '../types';

export const rule: ObjectRule = {
  id: 'no-default-namespace-or-service-account',
  scope: 'object',
  severity: 'error',
  pack: 'hygiene',
  description: 'No object lives in the default namespace, and no pod runs as the default ServiceAccount with its token mounted.',
  rationale: 'The default namespace has no Pod Security level, NetworkPolicy or owner; the default ServiceAccount is shared by everything in a namespace, so a permission granted to one pod is granted to all.',
  remediation: 'Put the object in its component\'s namespace; give the pod its own ServiceAccount, or set automountServiceAccountToken: false.',
  docsUrl: docsUrl('no-default-namespace-or-service-account'),
  kinds: '*',
  check(object) {
    const findings: RuleFinding[] = [];
    if (object.manifest.metadata?.namespace === 'default') findings.push({ message: 'the object is in the default namespace.', value: 'default', fix: 'Put the object in its component\'s namespace.' });
    const t = podTemplate(object.manifest);
    if (t) {
      const sa = t.spec.serviceAccountName ?? 'default';
      if (sa === 'default' && t.spec.automountServiceAccountToken !== false) {
        findings.push({ message: `the pod runs as the default ServiceAccount with its token mounted (${t.path}.serviceAccountName unset or "default").`, value: sa, fix: 'Give the pod its own ServiceAccount or set automountServiceAccountToken: false.' });
      }
    }
    return object.manifest.metadata?.namespace === undefined && !t ? 'not-applicable' : findings;
  },
};
