/**
 * Whether the NetworkPolicies of a cluster let one pod open a connection to another, decided as
 * the Kubernetes API defines it.
 *
 * A pod is isolated for ingress (egress) when some policy of its namespace selects it and lists
 * that policy type; an isolated pod accepts (opens) a connection only when some rule of some
 * policy that selects it admits the peer and the port. Both ends must agree: the sender's egress
 * and the receiver's ingress. Policies add up; none can deny what another admits.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
import { Manifest } from '../../stacks/objects';

export type Labels = Readonly<Record<string, string>>;

/** A Kubernetes label selector; `{}` selects everything. */
export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[];
}

/** A port a container declares. */
export interface ContainerPort {
  readonly containerPort: number;
  readonly name?: string;
  /** @default 'TCP' */
  readonly protocol?: string;
}

/** A pod as NetworkPolicies see it. */
export interface PodRef {
  readonly namespace: string;
  readonly labels: Labels;
  /** The ports its containers declare, against which a policy's named ports resolve. @default - none */
  readonly ports?: readonly ContainerPort[];
  /** Pods on the host network are not subject to NetworkPolicy, and reach others from a node's address. @default false */
  readonly hostNetwork?: boolean;
}

/** One connection: `from` opens it to `to` on the container port `port`. */
export interface Connection {
  readonly from: PodRef;
  readonly to: PodRef;
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: string;
}

export type Direction = 'Ingress' | 'Egress';

/** Allowed, or denied by one side: the policies that isolate that pod and admit nothing of the connection. */
export type Verdict = { readonly allowed: true } | { readonly allowed: false; readonly direction: Direction; readonly policies: readonly Manifest[] };

/** The label every namespace carries with its own name (Kubernetes 1.22 and later). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}
interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface PolicyRule {
  ports?: PolicyPort[];
  from?: PolicyPeer[];
  to?: PolicyPeer[];
}
interface PolicySpec {
  podSelector?: LabelSelector;
  policyTypes?: Direction[];
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}

/** The operators of a label selector's `matchExpressions`. */
export const SELECTOR_OPERATORS: readonly string[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/**
 * Whether a selector selects these labels: every `matchLabels` pair is present and every
 * expression holds (`In`, `NotIn`, `Exists`, `DoesNotExist`); an empty selector selects all. An
 * expression with any other operator holds for no labels: the API server refuses such a selector,
 * and the rule label-selector-operator reports it on its object.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#resources-that-support-set-based-requirements
 */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    byLabel &&
    (selector.matchExpressions ?? []).every((e) => {
      const has = Object.hasOwn(labels, e.key);
      switch (e.operator) {
        case 'Exists':
          return has;
        case 'DoesNotExist':
          return !has;
        case 'In':
          return has && (e.values ?? []).includes(labels[e.key]);
        case 'NotIn':
          return !has || !(e.values ?? []).includes(labels[e.key]);
        default:
          return false;
      }
    })
  );
}

/**
 * A selector as `kubectl get -l` reads it, requirements in their order (`app=web,tier in
 * (api,db),canary,!legacy`); `everything` for an empty one.
 */
export function selectorText(selector: LabelSelector): string {
  const requirements = [
    ...Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(selector.matchExpressions ?? []).map(({ key, operator, values }) => {
      if (operator === 'Exists') return key;
      if (operator === 'DoesNotExist') return `!${key}`;
      return `${key} ${operator === 'In' || operator === 'NotIn' ? operator.toLowerCase() : operator} (${(values ?? []).join(',')})`;
    }),
  ];
  return requirements.length > 0 ? requirements.join(',') : 'everything';
}

/** The requirements of a selector (`matchLabels` pairs, expressions) that these labels do not meet. */
export function unmetRequirements(selector: LabelSelector, labels: Labels): LabelSelector {
  return {
    matchLabels: Object.fromEntries(Object.entries(selector.matchLabels ?? {}).filter(([k, v]) => labels[k] !== v)),
    matchExpressions: (selector.matchExpressions ?? []).filter((e) => !selectorMatches({ matchExpressions: [e] }, labels)),
  };
}

/** The policy types of a policy: as listed, or Ingress plus Egress when it has egress rules (the API's default). */
export function policyTypes(policy: Manifest): readonly Direction[] {
  const spec = policy.spec as PolicySpec;
  if (spec.policyTypes) return spec.policyTypes;
  return spec.egress && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** The policies that isolate `pod` for `direction`: of its namespace, listing the type, selecting its labels. */
export function isolating(policies: readonly Manifest[], pod: PodRef, direction: Direction): Manifest[] {
  if (pod.hostNetwork) return [];
  return policies.filter(
    (p) => (p.metadata.namespace ?? 'default') === pod.namespace && policyTypes(p).includes(direction) && selectorMatches((p.spec as PolicySpec).podSelector ?? {}, pod.labels),
  );
}

/**
 * Whether `from` may open the connection to `to`.
 *
 * @param namespaces labels of the cluster's namespaces, by name; every namespace also carries its
 *   name under kubernetes.io/metadata.name, listed or not
 */
export function connect(policies: readonly Manifest[], namespaces: ReadonlyMap<string, Labels>, c: Connection): Verdict {
  const protocol = c.protocol ?? 'TCP';
  const nsLabels = (ns: string): Labels => ({ ...namespaces.get(ns), [NAMESPACE_NAME_LABEL]: ns });
  // A peer is a pod of the selected namespaces (the policy's own without a namespaceSelector)
  // with the selected labels; an ipBlock is an address range, and pod addresses are handed out at
  // run time, so only a block of every address (with no exceptions) surely holds a pod's.
  const peerAdmits = (peer: PolicyPeer, policyNamespace: string, pod: PodRef): boolean => {
    if (peer.ipBlock) return (peer.ipBlock.cidr === '0.0.0.0/0' || peer.ipBlock.cidr === '::/0') && (peer.ipBlock.except ?? []).length === 0;
    if (pod.hostNetwork) return false;
    const inNamespace = peer.namespaceSelector ? selectorMatches(peer.namespaceSelector, nsLabels(pod.namespace)) : pod.namespace === policyNamespace;
    return inNamespace && selectorMatches(peer.podSelector ?? {}, pod.labels);
  };
  // A named port is the receiving pod's container port of that name, in either direction.
  const portAdmits = (p: PolicyPort): boolean => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') return (c.to.ports ?? []).some((cp) => cp.name === p.port && cp.containerPort === c.port && (cp.protocol ?? 'TCP') === protocol);
    return p.endPort === undefined ? c.port === p.port : c.port >= p.port && c.port <= p.endPort;
  };
  const side = (direction: Direction, pod: PodRef, peer: PodRef): Verdict => {
    const selecting = isolating(policies, pod, direction);
    if (selecting.length === 0) return { allowed: true };
    const admits = selecting.some((policy) => {
      const spec = policy.spec as PolicySpec;
      const rules = (direction === 'Ingress' ? spec.ingress : spec.egress) ?? [];
      return rules.some((rule) => {
        const peers = direction === 'Ingress' ? rule.from : rule.to;
        const peerOk = !peers || peers.length === 0 || peers.some((x) => peerAdmits(x, pod.namespace, peer));
        return peerOk && (!rule.ports || rule.ports.length === 0 || rule.ports.some(portAdmits));
      });
    });
    return admits ? { allowed: true } : { allowed: false, direction, policies: selecting };
  };
  const egress = side('Egress', c.from, c.to);
  return egress.allowed ? side('Ingress', c.to, c.from) : egress;
}
