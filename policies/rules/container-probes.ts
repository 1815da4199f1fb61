import { docsUrl } from '../lib/docs-url';
import { checkContainers, SERVING_KINDS } from '../lib/workloads';
import { ObjectRule, RuleFinding } from '../types';

export const rule: ObjectRule = {
  id: 'container-probes',
  scope: 'object',
  severity: 'error',
  pack: 'hygiene',
  description: 'Every long-running container has a readiness probe and a liveness (or startup) probe, and the two are not identical.',
  rationale: 'Argo CD\'s health, rolling updates and Services all go by readiness; a hung process without a liveness probe is never restarted. Identical probes restart a container that is merely busy.',
  remediation: 'Add readinessProbe and livenessProbe (an exec probe that checks the process\'s own state is fine for agents without a port).',
  docsUrl: docsUrl('container-probes'),
  kinds: SERVING_KINDS,
  charts: false,
  check(object) {
    return checkContainers(object.manifest, ({ container, path, init }) => {
      if (init) return [];
      const findings: RuleFinding[] = [];
      if (!container.readinessProbe) findings.push({ message: `container ${container.name} (${path}) has no readinessProbe.`, value: '(none)' });
      if (!container.livenessProbe && !container.startupProbe) findings.push({ message: `container ${container.name} (${path}) has neither livenessProbe nor startupProbe.`, value: '(none)' });
      if (container.readinessProbe && container.livenessProbe && JSON.stringify(container.readinessProbe) === JSON.stringify(container.livenessProbe)) {
        findings.push({ message: `container ${container.name} (${path}) has identical liveness and readiness probes.`, value: JSON.stringify(container.livenessProbe), fix: 'Make the liveness probe more lenient than readiness (longer period, higher failureThreshold) or check a different thing.' });
      }
      return findings;
    });
  },
};
