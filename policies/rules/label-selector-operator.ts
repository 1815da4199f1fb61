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
    collect(object.manifest, [], findings);
    return findings;
  },
};

/**
 * Reports each expression under `value` whose operator is not a label selector's. `steps` is the
 * field path to `value` (keys and array indexes), spelled out only for a finding: most objects
 * have none, and building a path string for every field was most of the rule's cost.
 */
function collect(value: object, steps: (string | number)[], into: RuleFinding[]): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item !== 'object' || item === null) continue;
      steps.push(i);
      collect(item, steps, into);
      steps.pop();
    }
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    // Node selectors (node affinity) have Gt and Lt besides, and are judged by workload-schedulable.
    if (key === 'nodeAffinity') continue;
    const child = record[key];
    if (typeof child !== 'object' || child === null) continue;
    steps.push(key);
    if (key === 'matchExpressions' && Array.isArray(child)) {
      child.forEach((e: { key?: unknown; operator?: unknown } | null, i) => {
        if (typeof e !== 'object' || e === null || SELECTOR_OPERATORS.includes(e.operator as string)) return;
        const path = spell(steps);
        into.push({
          message: `${path}[${i}].operator is ${JSON.stringify(e.operator)} (key ${JSON.stringify(e.key)}), which label selectors do not have; the API server refuses the object.`,
          value: JSON.stringify(e.operator),
          fix: `Set ${path}[${i}].operator to one of ${SELECTOR_OPERATORS.join(', ')}.`,
        });
      });
    } else {
      collect(child, steps, into);
    }
    steps.pop();
  }
}

/** `spec.template.spec.topologySpreadConstraints[0].labelSelector`: keys joined by dots, indexes in brackets. */
function spell(steps: readonly (string | number)[]): string {
  let path = '';
  for (const step of steps) path = typeof step === 'number' ? `${path}[${step}]` : path === '' ? step : `${path}.${step}`;
  return path;
}
