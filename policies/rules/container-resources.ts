import { docsUrl } from '../lib/docs-url';
import { checkContainers, WORKLOAD_KINDS } from '../lib/workloads';
import { ObjectRule } from '../types';

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
  charts: false,
  check(object) {
    return checkContainers(object.manifest, ({ container, path }) => {
      const missing = [['requests', 'cpu'], ['requests', 'memory'], ['limits', 'memory']].filter(([k, r]) => container.resources?.[k]?.[r] === undefined).map(([k, r]) => `${k}.${r}`);
      return missing.length > 0 ? [{ message: `container ${container.name} (${path}) has no resources.${missing.join(', resources.')}.`, value: JSON.stringify(container.resources ?? {}) }] : [];
    });
  },
};
