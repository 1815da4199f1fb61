import { parseEmbedded } from '../lib/embedded';
import { docsUrl } from '../lib/docs-url';
import { Json } from '../lib/workloads';
import { ObjectRule, RuleFinding } from '../types';

/** Maps of labels a Helm release stamps on everything it sends: Prometheus's and Tempo's. */
const EXTERNAL_LABELS = ['externalLabels', 'external_labels'];

export const rule: ObjectRule = {
  id: 'fleet-cluster-label',
  scope: 'object',
  severity: 'error',
  pack: 'fleet',
  description:
    'An ApplicationSet that installs a Helm chart on every cluster of a fleet sets each `cluster` external label of its shared values file per cluster, as a Helm parameter templated by the cluster generator.',
  rationale:
    'The clusters of a fleet share one values file. A cluster label fixed in it makes every site label its series and alerts with the same cluster, so the on-call engineer cannot tell which site is failing, and series of different sites collide.',
  remediation:
    'Set the value as a Helm parameter of the ApplicationSet template, templated with the cluster name (`{{index .metadata.labels "gitplane.dev/cluster"}}`); gitplane does this for the values a descriptor lists in `helm.clusterNameValues`.',
  docsUrl: docsUrl('fleet-cluster-label'),
  kinds: ['ApplicationSet'],
  check(object, context) {
    const m = object.manifest as Json;
    if (!(m.spec?.generators ?? []).some((g: Json) => g?.clusters)) return 'not-applicable';
    const template = m.spec?.template?.spec ?? {};
    const helmSources = [template.source, ...(template.sources ?? [])].filter((s: Json) => s?.helm);
    if (helmSources.length === 0) return 'not-applicable';
    const findings: RuleFinding[] = [];
    for (const source of helmSources) {
      const templated = new Set((source.helm.parameters ?? []).filter((p: Json) => String(p?.value ?? '').includes('{{')).map((p: Json) => p.name));
      for (const file of source.helm.valueFiles ?? []) {
        // $values/<env path>/values/<app>.yaml in the Git repository is values/<app>.yaml of the environment.
        const name = String(file).slice(String(file).lastIndexOf('values/'));
        const text = context.files.get(name);
        if (text === undefined) continue;
        for (const [where, value] of clusterLabels(parseEmbedded(text), '')) {
          if (templated.has(where)) continue;
          findings.push({
            message: `ApplicationSet ${m.metadata?.name} installs ${source.chart ?? 'a chart'} on every cluster of the fleet, but ${name} fixes ${where} to ${JSON.stringify(value)}: every site would say cluster=${JSON.stringify(value)}.`,
            value: `${where}=${String(value)}`,
            fix: `Add a Helm parameter ${where} with the value {{index .metadata.labels "gitplane.dev/cluster"}} to the ApplicationSet template.`,
          });
        }
      }
    }
    return findings;
  },
};

/** Every `<externalLabels>.cluster` of the values, by dotted path. */
function clusterLabels(value: unknown, path: string): [string, unknown][] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const here = path ? `${path}.${k}` : k;
    if (EXTERNAL_LABELS.includes(k) && v && typeof v === 'object' && 'cluster' in v) return [[`${here}.cluster`, (v as Record<string, unknown>).cluster] as [string, unknown]];
    return clusterLabels(v, here);
  });
}
