import { docsUrl } from '../lib/docs-url';
import { expressionsDefects, SELECTOR_OPERATORS, SelectorDefect, selectorDefects } from '../lib/network-policy';
import { isMap, shown } from '../lib/shape';
import { ObjectRule, RuleFinding } from '../types';

const WORKLOAD_SELECTOR = ['spec.selector'];
const PEERS = ['spec.ingress[].from[]', 'spec.egress[].to[]'];
const OPERATED = ['serviceMonitor', 'podMonitor', 'rule', 'probe', 'scrapeConfig'].flatMap((s) => [`spec.${s}Selector`, `spec.${s}NamespaceSelector`]);

/**
 * The fields each kind holds a label selector in (`[]`: every entry of a list), judged whole: a
 * string or a list there is caught, as well as a bad expression. So are the selectors of pod specs
 * (POD_SPEC_SELECTORS). Anywhere else, an expression list (`matchExpressions`) is judged where it
 * is found.
 */
const SELECTOR_FIELDS: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries({
    Deployment: WORKLOAD_SELECTOR,
    StatefulSet: WORKLOAD_SELECTOR,
    DaemonSet: WORKLOAD_SELECTOR,
    ReplicaSet: WORKLOAD_SELECTOR,
    Job: WORKLOAD_SELECTOR,
    PodDisruptionBudget: ['spec.selector'],
    NetworkPolicy: ['spec.podSelector', ...PEERS.flatMap((p) => [`${p}.podSelector`, `${p}.namespaceSelector`])],
    ServiceMonitor: ['spec.selector'],
    PodMonitor: ['spec.selector'],
    Prometheus: OPERATED,
    PrometheusAgent: OPERATED,
  }),
);

export const rule: ObjectRule = {
  id: 'label-selector-operator',
  scope: 'object',
  severity: 'error',
  pack: 'core',
  description: `Every label selector is one the API server accepts: a map of matchLabels (label names to string values) and matchExpressions (a list of expressions, each with a key, an operator Kubernetes knows, ${SELECTOR_OPERATORS.join(', ')}, and values as that operator needs them); and the lists that hold selectors (a NetworkPolicy's ingress, egress, from and to; pod affinity terms; topology spread constraints) are lists of maps.`,
  rationale:
    'The API server refuses an object whose label selector is malformed or has an unknown operator, or whose list of selectors is not a list of maps, so its sync fails; and the rules that follow selectors (network reachability, monitor targets, disruption budgets) can only take such a selector to select nothing, a NetworkPolicy list that is not a list to be absent (an ingress or egress that admits nothing, a from or to that admits every peer), and an entry that is not a map to admit nothing.',
  remediation: 'Write the selector as a map of matchLabels and matchExpressions; use In or NotIn with a list of values, or Exists or DoesNotExist without them; write the lists that hold selectors as lists of maps (a "- " before each entry).',
  docsUrl: docsUrl('label-selector-operator'),
  kinds: '*',
  check(object) {
    // A CRD's schema describes selectors rather than holding any.
    if (object.manifest.kind === 'CustomResourceDefinition') return 'not-applicable';
    const findings: RuleFinding[] = [];
    const judged = new Set<unknown>();
    const kind = object.manifest.kind;
    for (const field of SELECTOR_FIELDS.get(kind) ?? []) judge(object.manifest, field, [], judged, findings);
    collect(object.manifest, [], judged, findings);
    return findings;
  },
};

/**
 * Reports the selectors at `field` under `root` (at the field path `steps`, see collect), and each
 * list on the way that is not a list, or has an entry that is not a map, and marks the selectors
 * judged.
 */
function judge(root: unknown, field: string, steps: readonly (string | number)[], judged: Set<unknown>, into: RuleFinding[]): void {
  const misshapen: Misshapen = (path, value, entry) => {
    const at = steps.length === 0 ? path : `${spell(steps)}.${path}`;
    const message = entry ? `${at} is ${shown(value)}, but each entry of this list must be a map; the API server refuses the object.` : `${at} is ${shown(value)}, but it must be a list; the API server refuses the object.`;
    const fix = entry ? `Write ${at} as a map of its fields (name: value), or remove it.` : `Make ${at} a list: write "- " before each of its entries.`;
    // Fields that share a list (a NetworkPolicy peer's podSelector and namespaceSelector) meet it more than once.
    if (!into.some((f) => f.message === message)) into.push({ message, value: shown(value), fix });
  };
  for (const [path, value] of valuesAt(root, field, misshapen)) {
    if (isMap(value)) judged.add(value);
    const defects = selectorDefects(value);
    if (defects.length > 0) report(defects, steps.length === 0 ? path : `${spell(steps)}.${path}`, into);
  }
}

function report(defects: readonly SelectorDefect[], path: string, into: RuleFinding[]): void {
  for (const d of defects) {
    const at = d.field === '' ? path : d.field.startsWith('[') ? `${path}${d.field}` : `${path}.${d.field}`;
    into.push({ message: `${at} ${d.problem}.`, value: d.found, fix: d.fix(at) });
  }
}

const AFFINITY_TERMS = ['requiredDuringSchedulingIgnoredDuringExecution[]', 'preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm'];

/**
 * The label selectors of a pod spec, wherever one is (a workload's template, a Pod, an operator's
 * resource such as Prometheus), judged whole as well: by the field that leads to them, with their
 * paths from the map that has that field.
 */
const POD_SPEC_SELECTORS: ReadonlyMap<string, readonly string[]> = new Map([
  ['podAffinity', AFFINITY_TERMS.flatMap((t) => [`podAffinity.${t}.labelSelector`, `podAffinity.${t}.namespaceSelector`])],
  ['podAntiAffinity', AFFINITY_TERMS.flatMap((t) => [`podAntiAffinity.${t}.labelSelector`, `podAntiAffinity.${t}.namespaceSelector`])],
  ['topologySpreadConstraints', ['topologySpreadConstraints[].labelSelector']],
]);

/** Each field path of SELECTOR_FIELDS and POD_SPEC_SELECTORS as its steps, split once rather than for every object. */
const STEPS = new Map(
  [...SELECTOR_FIELDS.values(), ...POD_SPEC_SELECTORS.values()]
    .flat()
    .map((field) => [field, field.split('.').map((step) => ({ key: step.replace(/\[\]$/, ''), list: step.endsWith('[]') }))]),
);

/** Told of a `[]` step that holds something else than a list, or (`entry`) of an entry of one that is not a map. */
type Misshapen = (path: string, value: unknown, entry: boolean) => void;

/**
 * The values at a field path with `[]` steps, each with its concrete path; none where a step is
 * missing or of another type, and `misshapen` is told of each `[]` step that is not a list of maps.
 */
function valuesAt(root: unknown, field: string, misshapen: Misshapen): [string, unknown][] {
  let found: [string, unknown][] = [['', root]];
  for (const { key, list } of STEPS.get(field)!) {
    found = found.flatMap(([at, v]): [string, unknown][] => {
      if (!isMap(v) || !Object.hasOwn(v, key)) return [];
      const path = at === '' ? key : `${at}.${key}`;
      const value: unknown = v[key];
      if (!list) return [[path, value]];
      if (Array.isArray(value)) {
        // Every `[]` step is followed by a key: an entry that is not a map holds none.
        value.forEach((item: unknown, i: number) => {
          if (!isMap(item)) misshapen(`${path}[${i}]`, item, true);
        });
        return value.map((item: unknown, i: number): [string, unknown] => [`${path}[${i}]`, item]);
      }
      if (value !== null && value !== undefined) misshapen(path, value, false);
      return [];
    });
  }
  return found;
}

/**
 * Reports each expression list under `value` that is not a selector's, outside the selectors
 * judged whole. `steps` is the field path to `value` (keys and array indexes), spelled out only
 * for a finding: most objects have none, and building a path string for every field was most of
 * the rule's cost.
 */
function collect(value: object, steps: (string | number)[], judged: Set<unknown>, into: RuleFinding[]): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item !== 'object' || item === null) continue;
      steps.push(i);
      collect(item, steps, judged, into);
      steps.pop();
    }
    return;
  }
  if (judged.has(value)) return;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    // Node selectors (node affinity) have Gt and Lt besides, and are judged by workload-schedulable.
    if (key === 'nodeAffinity') continue;
    const child = record[key];
    if (key === 'matchExpressions') {
      if (child === undefined || child === null) continue;
      const defects = expressionsDefects(child, '');
      if (defects.length > 0) report(defects, spell([...steps, key]), into);
      continue;
    }
    if (typeof child !== 'object' || child === null) continue;
    // Looked up for maps and lists only: most fields are scalars, and this runs for every field.
    const podSpecSelectors = POD_SPEC_SELECTORS.get(key);
    if (podSpecSelectors) for (const field of podSpecSelectors) judge(record, field, steps, judged, into);
    steps.push(key);
    collect(child, steps, judged, into);
    steps.pop();
  }
}

/** `spec.template.spec.topologySpreadConstraints[0].labelSelector`: keys joined by dots, indexes in brackets. */
function spell(steps: readonly (string | number)[]): string {
  let path = '';
  for (const step of steps) path = typeof step === 'number' ? `${path}[${step}]` : path === '' ? step : `${path}.${step}`;
  return path;
}
