import { docsUrl } from '../lib/docs-url';
import { podTemplate } from '../lib/workloads';
import { ObjectRule } from '../types';

export const rule: ObjectRule = {
  id: 'selector-matches-template',
  scope: 'object',
  severity: 'error',
  pack: 'hygiene',
  description: 'Every workload\'s selector.matchLabels is non-empty and matches its pod template\'s labels.',
  rationale: 'The API server rejects a selector that does not match the template, and the field is immutable: a wrong selector fails the sync, and fixing it needs the workload deleted.',
  remediation: 'Use selectorLabels() from constructs/core for both the selector and the pod template labels.',
  docsUrl: docsUrl('selector-matches-template'),
  kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'],
  check(object) {
    const t = podTemplate(object.manifest);
    if (!t) return 'not-applicable';
    const selector = (object.manifest.spec as { selector?: { matchLabels?: Record<string, string> } })?.selector?.matchLabels ?? {};
    if (Object.keys(selector).length === 0) return [{ message: 'spec.selector.matchLabels is empty.', value: '{}' }];
    const wrong = Object.entries(selector).filter(([k, v]) => t.metadata.labels?.[k] !== v);
    if (wrong.length === 0) return [];
    return [{ message: `spec.selector.matchLabels ${wrong.map(([k, v]) => `${k}=${v}`).join(', ')} not on the pod template (${wrong.map(([k]) => `${k}=${t.metadata.labels?.[k] ?? '(unset)'}`).join(', ')}).`, value: JSON.stringify(selector) }];
  },
};
