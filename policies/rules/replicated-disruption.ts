import { docsUrl } from '../lib/docs-url';
import { LabelSelector, selectorMatches } from '../lib/network-policy';
import { podTemplate } from '../lib/workloads';
import { ObjectRule, RuleFinding } from '../types';
import { inNamespace } from '../lib/lookup';

export const rule: ObjectRule = {
  id: 'replicated-disruption',
  scope: 'object',
  severity: 'error',
  pack: 'hygiene',
  description: 'Every Deployment or StatefulSet with two or more replicas has a PodDisruptionBudget that selects it and still allows one eviction, and spreads its pods with pod anti-affinity or topology spread constraints.',
  rationale: 'Replicas only protect a service when they are on different nodes and node drains take them one at a time; a quorum workload (NATS JetStream, etcd) loses its majority otherwise. A PDB that allows no eviction blocks every node drain instead.',
  remediation: 'Add a PodDisruptionBudget with maxUnavailable: 1 and podAntiAffinity (or topologySpreadConstraints) on kubernetes.io/hostname.',
  docsUrl: docsUrl('replicated-disruption'),
  kinds: ['Deployment', 'StatefulSet'],
  charts: false,
  check(object, ctx) {
    const replicas = (object.manifest.spec as { replicas?: number })?.replicas ?? 1;
    const t = podTemplate(object.manifest);
    if (!t || replicas < 2) return 'not-applicable';
    const findings: RuleFinding[] = [];
    // policy/v1: a PDB without a selector selects no pod, an empty one every pod of its namespace.
    const pdbs = inNamespace(ctx, 'PodDisruptionBudget', object.manifest.metadata?.namespace ?? '').filter((o) => {
      const selector = (o.manifest.spec as { selector?: LabelSelector } | undefined)?.selector;
      return selector !== undefined && selectorMatches(selector, t.metadata.labels ?? {});
    });
    if (pdbs.length === 0) findings.push({ message: `${replicas} replicas but no PodDisruptionBudget selects the pods.`, value: `replicas: ${replicas}` });
    for (const pdb of pdbs) {
      const spec = pdb.manifest.spec as { minAvailable?: number | string; maxUnavailable?: number | string };
      const blocks = spec.maxUnavailable === 0 || spec.maxUnavailable === '0%' || (typeof spec.minAvailable === 'number' && spec.minAvailable >= replicas) || spec.minAvailable === '100%';
      if (blocks) findings.push({ message: `PodDisruptionBudget ${pdb.manifest.metadata.name} allows no eviction of the ${replicas} replicas, which blocks every node drain.`, value: JSON.stringify(spec), object: pdb });
    }
    const spread = t.spec.affinity?.podAntiAffinity || (t.spec.topologySpreadConstraints ?? []).length > 0;
    if (!spread) findings.push({ message: `${replicas} replicas without podAntiAffinity or topologySpreadConstraints; they may all land on one node.`, value: '(no spreading)' });
    return findings;
  },
};
