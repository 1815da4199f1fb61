import { parseEmbedded } from '../lib/embedded';
import { docsUrl } from '../lib/docs-url';
import { syncedFolder } from '../lib/ordering';
import { Json } from '../lib/workloads';
import { ObjectRule, RuleFinding } from '../types';

/** Label or attribute names whose values are unbounded: one series or stream per user, request, trace or session. */
export const HIGH_CARDINALITY = /(?:^|[._])(?:user|request|trace|span|session|correlation|transaction|order|customer)[._-]?id$|^(?:user|email|uuid|client[._]ip|url|path|k8s\.pod\.uid|pod_uid)$/i;

/** Keys whose list or value names labels that become index labels or series labels. */
const LABEL_KEYS = new Set(['promote_resource_attributes', 'promoteResourceAttributes', 'targetLabels', 'podTargetLabels', 'target_label', 'targetLabel', 'labelnames']);

export const rule: ObjectRule = {
  id: 'no-high-cardinality-labels',
  scope: 'object',
  severity: 'error',
  pack: 'observability',
  description: 'No high-cardinality attribute (user, request, trace, span or session ids, e-mail, URL) is promoted to a Loki index label or a Prometheus label in gitplane\'s configurations.',
  rationale: 'Every distinct value of an index label is a new stream or series: a trace id as a label turns Loki\'s index and Prometheus\'s head block into one entry per request, and both fall over on a Raspberry Pi.',
  remediation: 'Keep ids as structured metadata (Loki) or exemplars (Prometheus) and query them with filters, not labels.',
  docsUrl: docsUrl('no-high-cardinality-labels'),
  // Where gitplane's configurations live: config files, scrape objects, Prometheus, Helm values.
  kinds: ['ConfigMap', 'ServiceMonitor', 'PodMonitor', 'ScrapeConfig', 'Prometheus', 'PrometheusAgent', 'Application', 'ApplicationSet'],
  check(object, ctx) {
    const findings: RuleFinding[] = [];
    const m = object.manifest as Json;
    const { apiVersion: _a, kind: _k, metadata: _m, ...body } = m;
    walk(body, { root: '', steps: [] }, findings);
    if (m.kind === 'Application') {
      const folder = syncedFolder(m);
      const values = folder ? ctx.files.get(`values/${folder}.yaml`) : undefined;
      if (values) walk(parseEmbedded(values), { root: `values/${folder}.yaml: `, steps: [] }, findings);
    }
    return findings;
  },
};

/**
 * Where the walk is: a root path and the steps below it (a key, an array index, or the parsed
 * text inside a string). The path is spelled out only when a finding or a pipeline stage needs it.
 */
interface Place {
  readonly root: string;
  readonly steps: (string | number | typeof INSIDE)[];
}

/** The step into the document a string holds (`data.config.yaml: ...`). */
const INSIDE = Symbol('inside');

function spell(place: Place, key?: string): string {
  let path = place.root;
  const at = (k: string) => (path === '' || path.endsWith(' ') ? `${path}${k}` : `${path}.${k}`);
  for (const step of place.steps) {
    if (typeof step === 'number') path = `${path}[${step}]`;
    else if (step === INSIDE) path = `${path}: `;
    else path = at(step);
  }
  return key === undefined ? path : at(key);
}

function flag(names: unknown, place: Place, key: string, findings: RuleFinding[]): void {
  for (const name of (Array.isArray(names) ? names : [names]).filter((n): n is string => typeof n === 'string')) {
    if (HIGH_CARDINALITY.test(name)) findings.push({ message: `${spell(place, key)} promotes the high-cardinality attribute "${name}" to a label.`, value: name });
  }
}

function walk(value: unknown, place: Place, findings: RuleFinding[], depth = 0): void {
  if (depth > 20 || value === null || value === undefined) return;
  if (typeof value === 'string') {
    // Only a config that mentions labels or promotion can promote anything; skip parsing the rest.
    if (value.includes('\n') && value.includes(':') && /label|promote/i.test(value)) {
      const doc = parseEmbedded(value);
      if (doc && typeof doc === 'object') {
        place.steps.push(INSIDE);
        walk(doc, place, findings, depth + 1);
        place.steps.pop();
      }
    }
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      place.steps.push(i);
      walk(value[i], place, findings, depth + 1);
      place.steps.pop();
    }
    return;
  }
  if (typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  // Loki OTLP: attributes_config entries with action index_label.
  if (obj.action === 'index_label') flag(obj.attributes, place, 'attributes', findings);
  // Loki push pipelines (Promtail/Alloy labels stage, OTel loki hints): labels: {name: source}.
  for (const k in obj) {
    const v = obj[k];
    if (LABEL_KEYS.has(k)) flag(v, place, k, findings);
    else if ((k === 'loki.attribute.labels' || k === 'loki.resource.labels') && typeof v === 'string') flag(v.split(',').map((s) => s.trim()), place, k, findings);
    else if (k === 'labels' && obj.action === undefined && spell(place).includes('pipeline_stages')) flag(Object.keys((v as object) ?? {}), place, k, findings);
    else {
      place.steps.push(k);
      walk(v, place, findings, depth + 1);
      place.steps.pop();
    }
  }
}
