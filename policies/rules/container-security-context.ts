import { docsUrl } from '../lib/docs-url';
import { containers, podTemplate, PRIVILEGED_REASON, privilegedReason, WORKLOAD_KINDS } from '../lib/workloads';
import { ObjectRule, RuleFinding } from '../types';
import { listOf } from '../lib/shape';

export const rule: ObjectRule = {
  id: 'container-security-context',
  scope: 'object',
  severity: 'error',
  pack: 'hygiene',
  description: `Every container runs as non-root with a read-only root filesystem, no privilege escalation, all capabilities dropped and the RuntimeDefault seccomp profile; a workload that needs privilege states why in the ${PRIVILEGED_REASON} annotation of its pod template.`,
  rationale: 'The restricted Pod Security profile is the default for every gitplane namespace. The preflight and the etcd backup genuinely need the host; the annotation makes that a reviewed, visible decision instead of a silent one.',
  remediation: `Set securityContext {runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}, or annotate the pod template with ${PRIVILEGED_REASON}: <why>.`,
  docsUrl: docsUrl('container-security-context'),
  kinds: WORKLOAD_KINDS,
  charts: false,
  check(object) {
    const t = podTemplate(object.manifest);
    if (!t) return 'not-applicable';
    if (privilegedReason(object.manifest, t)) return [];
    const pod = t.spec.securityContext ?? {};
    const findings: RuleFinding[] = [];
    for (const { container: c, path } of containers(t)) {
      const sc = c.securityContext ?? {};
      const problems: string[] = [];
      if (sc.privileged === true) problems.push('privileged: true');
      if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true || (sc.runAsUser ?? pod.runAsUser) === 0) problems.push('not runAsNonRoot');
      if (sc.readOnlyRootFilesystem !== true) problems.push('root filesystem writable');
      if (sc.allowPrivilegeEscalation !== false) problems.push('allowPrivilegeEscalation not false');
      if (!listOf(sc.capabilities?.drop).includes('ALL')) problems.push('capabilities not dropped (drop: [ALL])');
      if ((sc.capabilities?.add ?? []).length > 0) problems.push(`capabilities added (${sc.capabilities.add.join(', ')})`);
      const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`seccomp profile ${seccomp ?? 'unset'}`);
      if (problems.length > 0) {
        findings.push({ message: `container ${c.name} (${path}.securityContext): ${problems.join('; ')}; the workload states no ${PRIVILEGED_REASON}.`, value: JSON.stringify(sc) });
      }
    }
    return findings;
  },
};
