import { parseEmbedded } from '../lib/embedded';
import { docsUrl } from '../lib/docs-url';
import { syncedFolder } from '../lib/ordering';
import { Json } from '../lib/workloads';
import { ObjectRule, RuleFinding } from '../types';

/** Label or attribute names whose values are unbounded: one series or stream per user, request, trace or session. */
export const HIGH_CARDINALITY = /(?:^|[._])(?:user|request|trace|span|session|correlation|transaction|order|customer)[._-]?id$|^(?:user|email|uuid|client[._]ip|url|path|k8s\.pod\.uid|pod_uid)$/i;

/** Keys whose list or value names labels that become index labels or series labels. */
const LABEL_KEYS = ['promote_resource_attributes', 'promoteResourceAttributes', 'targetLabels', 'podTargetLabels', 'target_label', 'targetLabel', 'labelnames'];

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
    walk(body, '', findings);
    if (m.kind === 'Application') {
      const folder = syncedFolder(m);
      const values = folder ? ctx.files.get(`values/${folder}.yaml`) : undefined;
      if (values) walk(parseEmbedded(values), `values/${folder}.yaml: `, findings);
    }
    return findings;
  },
};


function flag(names: unknown, path: string, findings: RuleFinding[]): void {
  for (const name of (Array.isArray(names) ? names : [names]).filter((n): n is string => typeof n === 'string')) {
    if (HIGH_CARDINALITY.test(name)) findings.push({ message: `${path} promotes the high-cardinality attribute "${name}" to a label.`, value: name });
  }
}

function walk(value: unknown, path: string, findings: RuleFinding[], depth = 0): void {
  if (depth > 20 || value === null || value === undefined) return;
  if (typeof value === 'string') {
    // Only a config that mentions labels or promotion can promote anything; skip parsing the rest.
    if (/\n/.test(value) && /:/.test(value) && /label|promote/i.test(value)) {
      const doc = parseEmbedded(value);
      if (doc && typeof doc === 'object') walk(doc, `${path}: `, findings, depth + 1);
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${path}[${i}]`, findings, depth + 1));
    return;
  }
  if (typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  const at = (k: string) => (path === '' || path.endsWith(' ') ? `${path}${k}` : `${path}.${k}`);
  // Loki OTLP: attributes_config entries with action index_label.
  if (obj.action === 'index_label') flag(obj.attributes, at('attributes'), findings);
  // Loki push pipelines (Promtail/Alloy labels stage, OTel loki hints): labels: {name: source}.
  for (const [k, v] of Object.entries(obj)) {
    if (LABEL_KEYS.includes(k)) flag(v, at(k), findings);
    else if ((k === 'loki.attribute.labels' || k === 'loki.resource.labels') && typeof v === 'string') flag(v.split(',').map((s) => s.trim()), at(k), findings);
    else if (k === 'labels' && obj.action === undefined && path.includes('pipeline_stages')) flag(Object.keys((v as object) ?? {}), at(k), findings);
    else walk(v, at(k), findings, depth + 1);
  }
}
