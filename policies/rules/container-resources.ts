import { docsUrl } from '../lib/docs-url';
import { containers, podTemplate, WORKLOAD_KINDS } from '../lib/workloads';
import { ObjectRule, RuleFinding } from '../types';

export const rule: ObjectRule = {
  id: 'container-resources',
  scope: 'object',
  severity: 'error',
  pack: 'hygiene',
  description: 'Every container sets cpu and memory requests and a memory limit.',
  rationale: 'Without requests the scheduler packs Raspberry Pi nodes until they thrash; without a memory limit one leaking container takes the node\'s kubelet down with it.',
  remediation: 'Set resources.requests.cpu, resources.requests.memory and resources.limits.memory on the container.',
  docsUrl: docsUrl('container-resources'),
  kinds: WORKLOAD_KINDS,
  check(object) {
    const t = podTemplate(object.manifest);
    if (!t) return 'not-applicable';
    const findings: RuleFinding[] = [];
    for (const { container, path } of containers(t)) {
      const missing = [['requests', 'cpu'], ['requests', 'memory'], ['limits', 'memory']].filter(([k, r]) => container.resources?.[k]?.[r] === undefined).map(([k, r]) => `${k}.${r}`);
      if (missing.length > 0) findings.push({ message: `container ${container.name} (${path}) has no resources.${missing.join(', resources.')}.`, value: JSON.stringify(container.resources ?? {}) });
    }
    return findings;
  },
};
