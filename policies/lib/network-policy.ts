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
import { isMap, listOf, mapOf, mapsOf, shown } from './shape';

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

/** What is wrong with a value read as a label selector: where (relative to the selector), what was found, and the fix. */
export interface SelectorDefect {
  /** Field path inside the selector (`matchExpressions[0].values`), `''` for the selector itself. */
  readonly field: string;
  /** The sentence after the field path, e.g. `is "app=web", but a label selector is a map of matchLabels and matchExpressions`. */
  readonly problem: string;
  /** The offending value, as found. */
  readonly found: string;
  /** What to do, in terms of the field (its full path is filled in by `fix(path)`). */
  readonly fix: (path: string) => string;
}

const EXAMPLE_EXPRESSION = '{key: app.kubernetes.io/name, operator: In, values: [web]}';

/**
 * The defects of one `matchExpressions` entry as the API server judges it: a map with a `key`
 * string, one of the four operators, `values` a list of strings, given for In and NotIn and not
 * for Exists and DoesNotExist.
 */
export function expressionDefects(e: unknown, at: string): SelectorDefect[] {
  if (!isMap(e)) return [{ field: at, problem: `is ${shown(e)}, but each expression is a map of key, operator and values`, found: shown(e), fix: (p) => `Make ${p} a map such as ${EXAMPLE_EXPRESSION}.` }];
  const defects: SelectorDefect[] = [];
  if (typeof e.key !== 'string' || e.key === '') {
    defects.push({ field: `${at}.key`, problem: e.key === undefined ? 'is missing; every expression names the label it tests' : `is ${shown(e.key)}, but it must be a label name (a non-empty string)`, found: shown(e.key), fix: (p) => `Set ${p} to the label name the expression tests.` });
  }
  if (!SELECTOR_OPERATORS.includes(e.operator as string)) {
    defects.push({
      field: `${at}.operator`,
      problem: e.operator === undefined ? `is missing (key ${shown(e.key)}); every expression needs one` : `is ${shown(e.operator)} (key ${shown(e.key)}), which label selectors do not have; the API server refuses the object`,
      found: shown(e.operator),
      fix: (p) => `Set ${p} to one of ${SELECTOR_OPERATORS.join(', ')}.`,
    });
  }
  const values = e.values;
  if (values !== undefined && (!Array.isArray(values) || values.some((v) => typeof v !== 'string'))) {
    defects.push({ field: `${at}.values`, problem: `is ${shown(values)}, but it must be a list of strings`, found: shown(values), fix: (p) => `Make ${p} a list of label values, e.g. [web] (quote numbers and booleans).` });
  } else if ((e.operator === 'In' || e.operator === 'NotIn') && (values ?? []).length === 0) {
    defects.push({ field: `${at}.values`, problem: `is ${values === undefined ? 'missing' : 'empty'}, but operator ${e.operator} needs at least one value; the API server refuses the object`, found: shown(values), fix: (p) => `List the label values in ${p}, or use Exists or DoesNotExist.` });
  } else if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && (values ?? []).length > 0) {
    defects.push({ field: `${at}.values`, problem: `is ${shown(values)}, but operator ${e.operator} takes no values; the API server refuses the object`, found: shown(values), fix: (p) => `Remove ${p}, or use In or NotIn.` });
  }
  return defects;
}

/** The defects of a `matchExpressions` value: a list of well-formed expressions. */
export function expressionsDefects(value: unknown, at: string): SelectorDefect[] {
  if (!Array.isArray(value)) return [{ field: at, problem: `is ${shown(value)}, but it must be a list of expressions`, found: shown(value), fix: (p) => `Make ${p} a list, e.g. [${EXAMPLE_EXPRESSION}].` }];
  return value.flatMap((e, i) => expressionDefects(e, `${at}[${i}]`));
}

const NO_DEFECTS: readonly SelectorDefect[] = Object.freeze([]);

/**
 * The judgement of each selector map seen: the rule label-selector-operator reports it, and
 * selectorMatches (through isLabelSelector) reads it, however often the selector is matched.
 */
const judgements = new WeakMap<object, readonly SelectorDefect[]>();

/**
 * The defects of a value read as a label selector, as the API server judges it: a map with only
 * `matchLabels` (label names to string values) and `matchExpressions` (see expressionDefects).
 * No defects for `undefined` or `null`: an absent selector, which each field reads its own way.
 * A map is judged once (manifests are not changed once read).
 *
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/
 */
export function selectorDefects(value: unknown): readonly SelectorDefect[] {
  if (value === undefined || value === null) return NO_DEFECTS;
  if (!isMap(value)) {
    return [{ field: '', problem: `is ${shown(value)}, but a label selector is a map of matchLabels and matchExpressions`, found: shown(value), fix: (p) => `Write ${p} as a map, e.g. {matchLabels: {app.kubernetes.io/name: web}}.` }];
  }
  let defects = judgements.get(value);
  if (defects === undefined) {
    defects = mapDefects(value);
    judgements.set(value, defects.length === 0 ? NO_DEFECTS : defects);
  }
  return defects;
}

/** selectorDefects of a map. */
function mapDefects(value: Record<string, unknown>): SelectorDefect[] {
  const defects: SelectorDefect[] = [];
  for (const key of Object.keys(value)) {
    if (key !== 'matchLabels' && key !== 'matchExpressions') {
      defects.push({ field: key, problem: 'is not a field of a label selector, which has only matchLabels and matchExpressions', found: shown(value[key]), fix: (p) => `Move ${p} under matchLabels (${key}: ...), or remove it.` });
    }
  }
  const labels = value.matchLabels;
  if (labels !== undefined && labels !== null) {
    if (!isMap(labels)) defects.push({ field: 'matchLabels', problem: `is ${shown(labels)}, but it must be a map of label names to values`, found: shown(labels), fix: (p) => `Write ${p} as a map, e.g. {app.kubernetes.io/name: web}.` });
    else {
      for (const [k, v] of Object.entries(labels)) {
        if (typeof v !== 'string') defects.push({ field: `matchLabels.${k}`, problem: `is ${shown(v)}, but a label value must be a string`, found: shown(v), fix: (p) => `Quote the value of ${p}.` });
      }
    }
  }
  if (value.matchExpressions !== undefined && value.matchExpressions !== null) defects.push(...expressionsDefects(value.matchExpressions, 'matchExpressions'));
  return defects;
}

/** Whether a value is a label selector the API server accepts; see selectorDefects. */
export function isLabelSelector(value: unknown): value is LabelSelector {
  return isMap(value) && selectorDefects(value).length === 0;
}

/**
 * Whether a selector selects these labels: every `matchLabels` pair is present and every
 * expression holds (`In`, `NotIn`, `Exists`, `DoesNotExist`); an empty selector selects all. A
 * selector the API server refuses (an unknown operator, a string, a list where a map belongs; see
 * selectorDefects) selects nothing, and the rule label-selector-operator reports it on its object.
 * Labels that are not a map are read as none.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#resources-that-support-set-based-requirements
 */
export function selectorMatches(selector: unknown, labels: unknown): boolean {
  if (!isLabelSelector(selector)) return false;
  const own: Labels = isMap(labels) ? (labels as Labels) : {};
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => own[k] === v);
  return (
    byLabel &&
    (selector.matchExpressions ?? []).every((e) => {
      const has = Object.hasOwn(own, e.key);
      switch (e.operator) {
        case 'Exists':
          return has;
        case 'DoesNotExist':
          return !has;
        case 'In':
          return has && (e.values ?? []).includes(own[e.key]);
        default:
          return !has || !(e.values ?? []).includes(own[e.key]);
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

/** The requirements of a well-formed selector (isLabelSelector: `matchLabels` pairs, expressions) that these labels do not meet. */
export function unmetRequirements(selector: LabelSelector, labels: Labels): LabelSelector {
  return {
    matchLabels: Object.fromEntries(Object.entries(selector.matchLabels ?? {}).filter(([k, v]) => labels[k] !== v)),
    matchExpressions: (selector.matchExpressions ?? []).filter((e) => !selectorMatches({ matchExpressions: [e] }, labels)),
  };
}

/** The policy types of a policy: as listed, or Ingress plus Egress when it has egress rules (the API's default). */
export function policyTypes(policy: Manifest): readonly Direction[] {
  const spec = mapOf(policy.spec);
  if (Array.isArray(spec.policyTypes)) return spec.policyTypes;
  return listOf(spec.egress).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** The policies that isolate `pod` for `direction`: of its namespace, listing the type, selecting its labels. */
export function isolating(policies: readonly Manifest[], pod: PodRef, direction: Direction): Manifest[] {
  if (pod.hostNetwork) return [];
  return policies.filter(
    (p) => (p.metadata.namespace ?? 'default') === pod.namespace && policyTypes(p).includes(direction) && selectorMatches(mapOf(p.spec).podSelector ?? {}, pod.labels),
  );
}

/**
 * Whether `from` may open the connection to `to`. A policy is read as far as it is well-formed: a
 * list that is not a list reads as absent, an entry of a list that is not a map admits nothing,
 * and a selector the API server refuses selects nothing; the rules label-selector-operator
 * (selectors and the lists that hold them) and network-policy-shape (policyTypes and ports)
 * report each on the policy.
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
    if (peer.ipBlock) return (peer.ipBlock.cidr === '0.0.0.0/0' || peer.ipBlock.cidr === '::/0') && listOf(peer.ipBlock.except).length === 0;
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
      const spec = mapOf(policy.spec) as PolicySpec;
      return mapsOf(direction === 'Ingress' ? spec.ingress : spec.egress).some((rule: PolicyRule) => {
        const peers = direction === 'Ingress' ? rule.from : rule.to;
        const peerOk = !Array.isArray(peers) || peers.length === 0 || mapsOf(peers).some((x) => peerAdmits(x, pod.namespace, peer));
        return peerOk && (listOf(rule.ports).length === 0 || mapsOf(rule.ports).some(portAdmits));
      });
    });
    return admits ? { allowed: true } : { allowed: false, direction, policies: selecting };
  };
  const egress = side('Egress', c.from, c.to);
  return egress.allowed ? side('Ingress', c.to, c.from) : egress;
}
