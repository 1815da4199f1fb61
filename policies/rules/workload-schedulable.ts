import { EnvironmentSpec, NodeSpec } from '../../environments/schema';
import { docsUrl } from '../lib/docs-url';
import { Json, podTemplate } from '../lib/workloads';
import { listOf, mapsOf } from '../lib/shape';
import { ObjectRule } from '../types';

interface Taint {
  readonly key: string;
  readonly effect: string;
}

/** A node as the scheduler sees it once it has joined: its labels and taints. */
interface ClusterNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

/** Why a node does not admit the pod: the constraint as the pod spec (or the node) states it, and the whole reason. */
interface Refusal {
  readonly constraint: string;
  readonly reason: string;
}

const CONTROL_PLANE = 'node-role.kubernetes.io/control-plane';

/**
 * The labels the kubelet sets on every node and those the distribution sets for the node's roles,
 * and the taints the distribution sets: kubeadm labels a control-plane node
 * `node-role.kubernetes.io/control-plane=""` and taints it NoSchedule (a node the spec also gives
 * the worker role is one whose taint was removed so it takes workloads); k3s labels its servers
 * `...control-plane=true` and `...master=true` and taints nothing. Neither sets a label for the
 * worker or storage role.
 *
 * @see https://kubernetes.io/docs/reference/labels-annotations-taints/
 */
function clusterNode(node: NodeSpec, distribution: EnvironmentSpec['cluster']['distribution']): ClusterNode {
  const labels: Record<string, string> = {
    'kubernetes.io/arch': node.arch,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/hostname': node.name,
    'beta.kubernetes.io/arch': node.arch,
    'beta.kubernetes.io/os': 'linux',
  };
  const taints: Taint[] = [];
  const controlPlane = node.roles.includes('control-plane');
  if (distribution === 'k3s') {
    labels['node.kubernetes.io/instance-type'] = 'k3s';
    if (controlPlane) Object.assign(labels, { [CONTROL_PLANE]: 'true', 'node-role.kubernetes.io/master': 'true' });
  } else if (controlPlane) {
    Object.assign(labels, { [CONTROL_PLANE]: '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' });
    if (!node.roles.includes('worker')) taints.push({ key: CONTROL_PLANE, effect: 'NoSchedule' });
  }
  return { name: node.name, labels, taints };
}

function shown(key: string, value: string | undefined): string {
  return value === undefined ? `no ${key}` : `${key}=${value === '' ? '""' : value}`;
}

/** A required node affinity term: its expressions on labels and fields, ANDed; an empty term matches no node. */
function termRefusal(term: Json, node: ClusterNode): Refusal | undefined {
  const checks = [
    ...mapsOf(term.matchExpressions).map((r) => ({ r, value: node.labels[r.key] })),
    ...mapsOf(term.matchFields).map((r) => ({ r, value: r.key === 'metadata.name' ? node.name : undefined })),
  ];
  if (checks.length === 0) return { constraint: 'an empty term', reason: 'has an empty term, which matches no node' };
  const miss = checks.find(({ r, value }) => !meets(r, value));
  if (!miss) return undefined;
  const requirement = `${miss.r.key} ${miss.r.operator}${Array.isArray(miss.r.values) ? ` [${miss.r.values.join(', ')}]` : ''}`;
  return { constraint: requirement, reason: `needs ${requirement} but the node has ${shown(miss.r.key, miss.value)}` };
}

function meets(r: Json, value: string | undefined): boolean {
  const values = listOf(r.values);
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || !/^-?[0-9]+$/.test(value) || !/^-?[0-9]+$/.test(String(values[0] ?? ''))) return false;
      return r.operator === 'Gt' ? Number(value) > Number(values[0]) : Number(value) < Number(values[0]);
    }
    default:
      return false;
  }
}

/** The taints modelled carry no value, so an Equal toleration must name none either. */
function tolerates(t: Json, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (!t.key) return t.operator === 'Exists';
  return t.key === taint.key && (t.operator === 'Exists' || (t.value ?? '') === '');
}

/** Why the pod cannot run on the node, or undefined when it can. */
function refusal(pod: Json, node: ClusterNode): Refusal | undefined {
  for (const [key, value] of Object.entries((pod.nodeSelector ?? {}) as Record<string, string>)) {
    if (node.labels[key] !== value) return { constraint: `nodeSelector ${shown(key, value)}`, reason: `nodeSelector needs ${shown(key, value)} but the node has ${shown(key, node.labels[key])}` };
  }
  const terms: unknown = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms) {
    const refused = mapsOf(terms).map((term) => termRefusal(term, node));
    if (refused.every((r) => r !== undefined)) {
      return {
        constraint: `required node affinity ${refused.map((r) => r!.constraint).join(' or ') || 'without terms'}`,
        reason: `required node affinity ${refused.map((r) => r!.reason).join(', or ') || 'has no term'}`,
      };
    }
  }
  const taint = node.taints.find((x) => !mapsOf(pod.tolerations).some((t) => tolerates(t, x)));
  if (taint) {
    const text = `${taint.key}:${taint.effect}`;
    return { constraint: `taint ${text}`, reason: `taint ${text} is not tolerated` };
  }
  return undefined;
}

export const rule: ObjectRule = {
  id: 'workload-schedulable',
  scope: 'object',
  severity: 'error',
  pack: 'hygiene',
  description: 'Every DaemonSet, Deployment and StatefulSet can be scheduled on at least one node of cluster.nodes: its nodeSelector, required node affinity and tolerations admit some node\'s architecture, role labels and taints.',
  rationale: 'The API server accepts a workload that no node admits and nobody reports it: the controller creates no pod (a DaemonSet shows 0 desired), so what it should do never happens and its own alerts never fire. Only the environment file says which nodes exist, so a directory of manifests is not judged.',
  remediation: 'Make the pod template\'s nodeSelector, required node affinity and tolerations admit at least one node of cluster.nodes, or declare the node it needs in the environment.',
  docsUrl: docsUrl('workload-schedulable'),
  kinds: ['DaemonSet', 'Deployment', 'StatefulSet'],
  check(object, ctx) {
    const t = podTemplate(object.manifest);
    const cluster = ctx.spec?.cluster;
    if (!t || !cluster) return 'not-applicable';
    const byReason = new Map<string, { constraint: string; nodes: string[] }>();
    for (const node of cluster.nodes.map((n) => clusterNode(n, cluster.distribution))) {
      const r = refusal(t.spec, node);
      if (!r) return [];
      const entry = byReason.get(r.reason) ?? { constraint: r.constraint, nodes: [] };
      entry.nodes.push(node.name);
      byReason.set(r.reason, entry);
    }
    const reasons = [...byReason].map(([reason, e]) => `${e.nodes.join(', ')}: ${reason}`);
    return [{
      message: `no node of cluster.nodes admits the pod (${reasons.join('; ')}).`,
      value: [...new Set([...byReason.values()].map((e) => e.constraint))].join('; '),
    }];
  },
};
