import { docsUrl } from '../lib/docs-url';
import { SELECTOR_OPERATORS } from '../lib/network-policy';
import { ObjectRule, RuleFinding } from '../types';

export const rule: ObjectRule = {
  id: 'label-selector-operator',
  scope: 'object',
  severity: 'error',
  pack: 'core',
  description: `Every label selector's matchExpressions use an operator Kubernetes knows: ${SELECTOR_OPERATORS.join(', ')}.`,
  rationale:
    'The API server refuses an object whose label selector has any other operator, so its sync fails; and the rules that follow selectors (network reachability, monitor targets) can only take such a selector to select nothing.',
  remediation: 'Use In or NotIn with values, or Exists or DoesNotExist without them.',
  docsUrl: docsUrl('label-selector-operator'),
  kinds: '*',
  check(object) {
    // A CRD's schema describes selectors rather than holding any.
    if (object.manifest.kind === 'CustomResourceDefinition') return 'not-applicable';
    const findings: RuleFinding[] = [];
    collect(object.manifest, '', findings);
    return findings;
  },
};

/** Reports each expression under `value` (at field path `at`) whose operator is not a label selector's. */
function collect(value: unknown, at: string, into: RuleFinding[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => collect(item, `${at}[${i}]`, into));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    // Node selectors (node affinity) have Gt and Lt besides, and are judged by workload-schedulable.
    if (key === 'nodeAffinity') continue;
    const path = at === '' ? key : `${at}.${key}`;
    if (key === 'matchExpressions' && Array.isArray(child)) {
      child.forEach((e: { key?: unknown; operator?: unknown } | null, i) => {
        if (typeof e !== 'object' || e === null || SELECTOR_OPERATORS.includes(e.operator as string)) return;
        into.push({
          message: `${path}[${i}].operator is ${JSON.stringify(e.operator)} (key ${JSON.stringify(e.key)}), which label selectors do not have; the API server refuses the object.`,
          value: JSON.stringify(e.operator),
          fix: `Set ${path}[${i}].operator to one of ${SELECTOR_OPERATORS.join(', ')}.`,
        });
      });
    } else {
      collect(child, path, into);
    }
  }
}
