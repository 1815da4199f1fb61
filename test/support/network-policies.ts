/**
 * Whether NetworkPolicies admit a connection, as Kubernetes decides it: a pod no Ingress policy
 * selects accepts everything; otherwise some rule of some policy that selects it must admit the
 * source (podSelector: pods of the policy's namespace; namespaceSelector: namespaces by label;
 * both: pods of those namespaces) on the port (by number, or by the container port's name).
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
import { Manifest } from '../../stacks/objects';

type Labels = Readonly<Record<string, string>>;

interface Selector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

function matches(selector: Selector, labels: Labels): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every((e) => {
    const has = Object.hasOwn(labels, e.key);
    if (e.operator === 'Exists') return has;
    if (e.operator === 'DoesNotExist') return !has;
    const inValues = has && (e.values ?? []).includes(labels[e.key]);
    return e.operator === 'In' ? inValues : !inValues;
  });
  return byLabel && byExpression;
}

export interface Endpoint {
  readonly namespace: string;
  readonly labels: Labels;
}

/** Whether `from` may open a TCP connection to `to` on `port` (whose container port is named `portName`). */
export function admitted(policies: readonly Manifest[], from: Endpoint, to: Endpoint, port: number, portName: string): boolean {
  const selecting = policies.filter((p) => {
    const spec = p.spec as { podSelector: Selector; policyTypes?: string[] };
    return p.metadata.namespace === to.namespace && (spec.policyTypes ?? ['Ingress']).includes('Ingress') && matches(spec.podSelector, to.labels);
  });
  if (selecting.length === 0) return true;
  const namespaceLabels = { 'kubernetes.io/metadata.name': from.namespace };
  return selecting.some((p) =>
    ((p.spec as { ingress?: { from?: { podSelector?: Selector; namespaceSelector?: Selector }[]; ports?: { port?: number | string }[] }[] }).ingress ?? []).some((rule) => {
      const peerOk =
        rule.from === undefined ||
        rule.from.some((peer) => {
          if (peer.namespaceSelector) return matches(peer.namespaceSelector, namespaceLabels) && (!peer.podSelector || matches(peer.podSelector, from.labels));
          return from.namespace === p.metadata.namespace && matches(peer.podSelector ?? {}, from.labels);
        });
      const portOk = rule.ports === undefined || rule.ports.some((r) => r.port === undefined || r.port === port || r.port === portName);
      return peerOk && portOk;
    }),
  );
}
