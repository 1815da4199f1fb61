import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { unlessEmpty } from './collections';
import { AppLabels, standardLabels } from './labels';

/** Where allowed traffic may come from. */
export type IngressPeer =
  /** Any pod in any namespace of the cluster. */
  | { readonly cluster: true }
  /** Any pod of one namespace. */
  | { readonly namespace: string }
  /** Pods of the policy's own namespace that carry these labels. */
  | { readonly pods: Record<string, string> };

/** TCP ports the selected pods accept, and from whom. */
export interface IngressAllow {
  readonly ports: readonly number[];
  readonly from: readonly IngressPeer[];
}

export interface IngressPolicyProps {
  /** Name of the NetworkPolicy. */
  readonly name: string;
  /** Labels of the component the policy belongs to. */
  readonly app: AppLabels;
  /**
   * Labels of the pods the policy applies to.
   * @default - every pod of the namespace
   */
  readonly podSelector?: Record<string, string>;
  /**
   * The only ingress the selected pods accept.
   * @default - none: the policy is a default deny
   */
  readonly allow?: readonly IngressAllow[];
  /** Annotations, such as a sync wave. */
  readonly annotations?: Record<string, string>;
}

/** The label every namespace carries with its own name (Kubernetes 1.22 and later). */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * A NetworkPolicy that denies all ingress to the selected pods except the listed allows. With no
 * allows and no pod selector it is the namespace's default deny. Egress is not restricted.
 *
 * Pods on the host network are not subject to NetworkPolicy at all; a default deny in their
 * namespace still covers every other pod that may run there.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class IngressPolicy extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: IngressPolicyProps) {
    super(scope, id);
    for (const a of props.allow ?? []) {
      if (a.ports.length === 0 || a.from.length === 0) {
        throw new Error(`IngressPolicy ${props.name}: every allow needs at least one port and one peer (got ports [${a.ports.join(', ')}] from ${a.from.length} peers); leave the allow out to deny instead.`);
      }
    }
    this.name = props.name;
    new ApiObject(this, 'Resource', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: props.name, labels: standardLabels(props.app), annotations: unlessEmpty(props.annotations) },
      spec: {
        podSelector: props.podSelector ? { matchLabels: { ...props.podSelector } } : {},
        policyTypes: ['Ingress'],
        // A deny-all is policyTypes [Ingress] with no ingress field: the API server drops an
        // empty list, so writing one would make every apply a change.
        ingress: unlessEmpty(
          (props.allow ?? []).map((a) => ({
            from: a.from.map(peer),
            ports: a.ports.map((port) => ({ protocol: 'TCP', port })),
          })),
        ),
      },
    });
  }
}

function peer(p: IngressPeer): Record<string, unknown> {
  if ('cluster' in p) return { namespaceSelector: {} };
  if ('namespace' in p) return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: p.namespace } } };
  return { podSelector: { matchLabels: { ...p.pods } } };
}
