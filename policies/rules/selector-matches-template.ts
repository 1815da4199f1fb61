import { docsUrl } from '../lib/docs-url';
import { isLabelSelector, selectorText, unmetRequirements } from '../lib/network-policy';
import { podTemplate } from '../lib/workloads';
import { ObjectRule } from '../types';

export const rule: ObjectRule = {
  id: 'selector-matches-template',
  scope: 'object',
  severity: 'error',
  pack: 'hygiene',
  description: 'Every workload\'s selector is non-empty and selects its pod template\'s labels, matchLabels and matchExpressions alike.',
  rationale: 'The API server rejects a selector that does not match the template, and the field is immutable: a wrong selector fails the sync, and fixing it needs the workload deleted.',
  remediation: 'Use selectorLabels() from constructs/core for both the selector and the pod template labels.',
  docsUrl: docsUrl('selector-matches-template'),
  kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'],
  check(object) {
    const t = podTemplate(object.manifest);
    if (!t) return 'not-applicable';
    const selector = (object.manifest.spec as { selector?: unknown })?.selector ?? {};
    // A malformed selector matches no template; label-selector-operator reports it.
    if (!isLabelSelector(selector)) return [];
    if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) {
      return [{ message: 'spec.selector is empty: it has no matchLabels and no matchExpressions.', value: JSON.stringify(selector) }];
    }
    const labels = t.metadata.labels ?? {};
    const unmet = unmetRequirements(selector, labels);
    const keys = new Set([...Object.keys(unmet.matchLabels ?? {}), ...(unmet.matchExpressions ?? []).map((e) => e.key)]);
    if (keys.size === 0) return [];
    const found = [...keys].map((k) => `${k}=${labels[k] ?? '(unset)'}`).join(', ');
    return [{ message: `spec.selector requires ${selectorText(unmet)}, which the pod template's labels do not meet (${found}).`, value: JSON.stringify(selector) }];
  },
};
