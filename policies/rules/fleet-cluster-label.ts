import { parseEmbedded } from '../lib/embedded';
import { docsUrl } from '../lib/docs-url';
import { ofKind, perEnvironment, push } from '../lib/lookup';
import { Json } from '../lib/workloads';
import { ObjectRule, PolicyContext, RuleFinding } from '../types';
import { RenderedObject } from '../../stacks/objects';

/** Maps of labels a Helm release stamps on everything it sends: Prometheus's and Tempo's. */
const EXTERNAL_LABELS = ['externalLabels', 'external_labels'];
/** The OpenTelemetry resource attribute naming the cluster. */
const CLUSTER_ATTRIBUTE = 'k8s.cluster.name';

export const rule: ObjectRule = {
  id: 'fleet-cluster-label',
  scope: 'object',
  severity: 'error',
  pack: 'fleet',
  description:
    'An ApplicationSet that deploys to every cluster of a fleet sets each `cluster` label its shared Helm values fix per cluster, as a Helm parameter templated by the cluster generator, and its plain manifests name no cluster (`external_labels.cluster`, `k8s.cluster.name`) in their configs.',
  rationale:
    'The clusters of a fleet share one values file and one folder of manifests. A cluster name fixed in them makes every site label its series, logs, traces and alerts with the same cluster, so the on-call engineer cannot tell which site is failing, and series of different sites collide.',
  remediation:
    'Set a Helm value naming the cluster as a Helm parameter of the ApplicationSet template, templated with the cluster name (`{{index .metadata.labels "gitplane.dev/cluster"}}`; gitplane does this for the values a descriptor lists in `helm.clusterNameValues`), and leave the cluster out of configs in plain manifests: Prometheus\'s per-cluster external labels name it.',
  docsUrl: docsUrl('fleet-cluster-label'),
  kinds: ['ApplicationSet'],
  check(object, context) {
    const m = object.manifest as Json;
    if (!(m.spec?.generators ?? []).some((g: Json) => g?.clusters)) return 'not-applicable';
    const template = m.spec?.template?.spec ?? {};
    const sources = [template.source, ...(template.sources ?? [])].filter(Boolean);
    const findings: RuleFinding[] = [];
    const everySite = (where: string, value: unknown) => `fixes ${where} to ${JSON.stringify(value)}: every site would say cluster=${JSON.stringify(value)}.`;
    for (const source of sources.filter((s: Json) => s.helm)) {
      const templated = new Set((source.helm.parameters ?? []).filter((p: Json) => String(p?.value ?? '').includes('{{')).map((p: Json) => p.name));
      for (const file of source.helm.valueFiles ?? []) {
        // $values/<env path>/values/<app>.yaml in the Git repository is values/<app>.yaml of the environment.
        const name = String(file).slice(String(file).lastIndexOf('values/'));
        const text = context.files.get(name);
        if (text === undefined) continue;
        for (const [where, value] of clusterNames(parseEmbedded(text), '')) {
          if (templated.has(where)) continue;
          findings.push({
            message: `ApplicationSet ${m.metadata?.name} installs ${source.chart ?? 'a chart'} on every cluster of the fleet, but ${name} ${everySite(where, value)}`,
            value: `${where}=${String(value)}`,
            fix: `Add a Helm parameter ${where} with the value {{index .metadata.labels "gitplane.dev/cluster"}} to the ApplicationSet template.`,
          });
        }
      }
    }
    for (const source of sources.filter((s: Json) => typeof s.path === 'string' && !s.chart)) {
      // <env path>/apps/<app> in the Git repository is apps/<app>/ of the environment.
      const folder = `apps/${String(source.path).split('/').pop()}/`;
      for (const o of configMapsByFolder(context).get(folder) ?? []) {
        for (const [key, text] of Object.entries(((o.manifest as Json).data ?? {}) as Record<string, unknown>)) {
          if (typeof text !== 'string' || !/cluster/.test(text)) continue;
          for (const [where, value] of clusterNames(parseEmbedded(text), '')) {
            findings.push({
              message: `ApplicationSet ${m.metadata?.name} deploys ${o.file} to every cluster of the fleet, but its ConfigMap ${o.manifest.metadata.name} (data.${key}) ${everySite(where, value)}`,
              value: `${where}=${String(value)}`,
              fix: `Leave the cluster out of data.${key} of ConfigMap ${o.manifest.metadata.name}; Prometheus's external labels, set per cluster, name it.`,
            });
          }
        }
      }
    }
    return findings;
  },
};

/** The ConfigMaps of the environment by the `apps/<app>/` folder of their file. */
function configMapsByFolder(ctx: PolicyContext): Map<string, RenderedObject[]> {
  return perEnvironment(ctx, 'config-maps-by-folder', () => {
    const map = new Map<string, RenderedObject[]>();
    for (const o of ofKind(ctx, 'ConfigMap')) {
      const folder = /^apps\/[^/]*\//.exec(o.file)?.[0];
      if (folder) push(map, folder, o);
    }
    return map;
  });
}

/**
 * Every cluster name a configuration fixes, by dotted path: `cluster` of an `externalLabels` or
 * `external_labels` map (Prometheus, Tempo), and the `k8s.cluster.name` resource attribute of a
 * collector (`{ key, value }` in a list).
 */
function clusterNames(value: unknown, path: string): [string, unknown][] {
  if (!value || typeof value !== 'object') return [];
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => {
      const entry = v as Json;
      if (entry && typeof entry === 'object' && entry.key === CLUSTER_ATTRIBUTE && 'value' in entry) return [[`${path}[${i}].value`, entry.value] as [string, unknown]];
      return clusterNames(v, `${path}[${i}]`);
    });
  }
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const here = path ? `${path}.${k}` : k;
    if (EXTERNAL_LABELS.includes(k) && v && typeof v === 'object' && 'cluster' in v) return [[`${here}.cluster`, (v as Record<string, unknown>).cluster] as [string, unknown]];
    return clusterNames(v, here);
  });
}
