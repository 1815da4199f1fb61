import { RenderedObject } from '../../stacks/objects';
import { parseEmbedded } from '../lib/embedded';
import { docsUrl } from '../lib/docs-url';
import { inFolder, ofKind } from '../lib/lookup';
import { Json, containers, podTemplate } from '../lib/workloads';
import { ObjectRule, PolicyContext, RuleFinding } from '../types';
import { isMap, mapsOf } from '../lib/shape';

/** Maps of labels a Helm release stamps on everything it sends: Prometheus's and Tempo's. */
const EXTERNAL_LABELS = ['externalLabels', 'external_labels'];
/** The OpenTelemetry resource attributes naming the cluster and the environment. */
const CLUSTER_ATTRIBUTE = 'k8s.cluster.name';
const ENVIRONMENT_ATTRIBUTES = ['deployment.environment.name', 'deployment.environment'];
/** A whole value that is an environment variable: `${env:VAR}` (the collector) or `${VAR}` (Tempo's -config.expand-env). */
const VARIABLE = /^\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}$/;

export const rule: ObjectRule = {
  id: 'fleet-cluster-label',
  scope: 'object',
  severity: 'error',
  pack: 'fleet',
  description:
    'An ApplicationSet that deploys to every cluster of a fleet names each site\'s own cluster on its telemetry: the `cluster` its shared Helm values fix is a Helm parameter templated by the cluster generator, and the configs of its plain manifests (Prometheus and Tempo `external_labels`, the collector\'s `k8s.cluster.name`) read the cluster, when their workload starts, from a ConfigMap each site renders from such a parameter; a config that labels the environment or has external labels names the cluster too.',
  rationale:
    'The clusters of a fleet share one values file and one folder of manifests. A cluster name fixed in them makes every site label its series, logs, traces and alerts with the same cluster, and a config that names none leaves them unlabelled, so the on-call engineer cannot tell which site is failing, and series of different sites collide.',
  remediation:
    'Set a Helm value naming the cluster as a Helm parameter of the ApplicationSet template, templated with the cluster name (`{{index .metadata.labels "gitplane.dev/cluster"}}`; gitplane does this for the values a descriptor lists in `helm.clusterNameValues`); in plain manifests, read the cluster from an environment variable (`${env:VAR}` in the collector, `${VAR}` with `-config.expand-env=true` in Tempo) that the workload fills from a ConfigMap the per-cluster Helm release renders (gitplane\'s `telemetry-cluster`).',
  docsUrl: docsUrl('fleet-cluster-label'),
  kinds: ['ApplicationSet'],
  check(object, context) {
    const m = object.manifest as Json;
    if (!(m.spec?.generators ?? []).some((g: Json) => g?.clusters)) return 'not-applicable';
    const sources = sourcesOf(m);
    const findings: RuleFinding[] = [];
    const everySite = (where: string, value: unknown) => `fixes ${where} to ${JSON.stringify(value)}: every site would say cluster=${JSON.stringify(value)}.`;
    for (const source of sources.filter((s: Json) => s.helm)) {
      const templated = templatedParameters(source);
      for (const file of source.helm.valueFiles ?? []) {
        const name = valuesFile(file);
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
      const shared = inFolder(context, folder);
      for (const o of shared.filter((x) => x.manifest.kind === 'ConfigMap')) {
        for (const [key, text] of Object.entries(((o.manifest as Json).data ?? {}) as Record<string, unknown>)) {
          if (typeof text !== 'string' || !/cluster|external_labels|externalLabels|deployment\.environment/.test(text)) continue;
          const config = parseEmbedded(text);
          const place = `${m.metadata?.name} deploys ${o.file} to every cluster of the fleet, but its ConfigMap ${o.manifest.metadata.name} (data.${key})`;
          const fix = `Read the cluster in data.${key} of ConfigMap ${o.manifest.metadata.name} from an environment variable its workload fills from a ConfigMap each site renders from its own Helm parameter (telemetry-cluster).`;
          for (const where of unnamedClusters(config, '')) {
            findings.push({ message: `ApplicationSet ${place} ${where.says}: no site's ${where.what} would say which cluster they come from.`, value: where.path, fix });
          }
          for (const [where, value] of clusterNames(config, '')) {
            const variable = typeof value === 'string' ? VARIABLE.exec(value)?.[1] : undefined;
            const problem = variable === undefined ? everySite(where, value) : unsetPerSite(context, shared, o, variable, where);
            if (problem) findings.push({ message: `ApplicationSet ${place} ${problem}`, value: `${where}=${String(value)}`, fix });
          }
        }
      }
    }
    return findings;
  },
};

function sourcesOf(appSet: Json): Json[] {
  const template = appSet.spec?.template?.spec ?? {};
  return [template.source, ...mapsOf(template.sources)].filter(isMap);
}

/** Helm parameters of a source whose value the generator templates. */
function templatedParameters(source: Json): Set<string> {
  return new Set((source.helm?.parameters ?? []).filter((p: Json) => String(p?.value ?? '').includes('{{')).map((p: Json) => p.name));
}

/** $values/<env path>/values/<app>.yaml in the Git repository is values/<app>.yaml of the environment. */
function valuesFile(file: unknown): string {
  return String(file).slice(String(file).lastIndexOf('values/'));
}

/**
 * What is wrong with a cluster read from `variable` by the workloads of the shared manifests that
 * mount `configMap`, or nothing: each must fill it from a ConfigMap key that a fleet
 * ApplicationSet's Helm release renders from a parameter templated per cluster.
 */
function unsetPerSite(context: PolicyContext, shared: readonly RenderedObject[], configMap: RenderedObject, variable: string, where: string): string | undefined {
  const readers = shared.filter((x) => (podTemplate(x.manifest)?.spec.volumes ?? []).some((v: Json) => v.configMap?.name === configMap.manifest.metadata.name));
  if (readers.length === 0) return `reads ${where} from ${variable}, but no workload of the application mounts it to set ${variable}: no site would say its cluster.`;
  for (const reader of readers) {
    const whose = `${reader.manifest.kind} ${reader.manifest.metadata.name}`;
    const entries = containers(podTemplate(reader.manifest)!).flatMap(({ container }) => ((container.env ?? []) as Json[]).filter((e) => e.name === variable));
    if (entries.length === 0) return `reads ${where} from ${variable}, which ${whose} does not set: no site would say its cluster.`;
    for (const e of entries) {
      const ref = e.valueFrom?.configMapKeyRef;
      if (!ref) return `reads ${where} from ${variable}, which ${whose} sets to ${JSON.stringify(e.value ?? e.valueFrom ?? '')} on every site: every site would say the same cluster.`;
      if (shared.some((x) => x.manifest.kind === 'ConfigMap' && x.manifest.metadata.name === ref.name) || !renderedPerCluster(context, ref.name)) {
        return `reads ${where} from ${variable}, which ${whose} fills from ConfigMap ${ref.name}, and no fleet ApplicationSet renders that ConfigMap per cluster from a templated Helm parameter: every site would say the same cluster.`;
      }
    }
  }
  return undefined;
}

/** Whether a fleet ApplicationSet's Helm values name the ConfigMap and read a parameter it templates per cluster (`{{ .Values.<parameter> }}`). */
function renderedPerCluster(context: PolicyContext, name: string): boolean {
  return ofKind(context, 'ApplicationSet').some((a) =>
    sourcesOf(a.manifest as Json)
      .filter((s) => s.helm)
      .some((s) => {
        const templated = [...templatedParameters(s)];
        return (s.helm.valueFiles ?? []).some((file: unknown) => {
          const text = context.files.get(valuesFile(file));
          return text !== undefined && text.includes(name) && templated.some((p) => text.includes(`.Values.${p} `) || text.includes(`.Values.${p}}`));
        });
      }),
  );
}

/**
 * Places of a configuration that label telemetry but name no cluster: an `externalLabels` or
 * `external_labels` map without `cluster`, and resource attributes that name the environment but
 * not `k8s.cluster.name`.
 */
function unnamedClusters(value: unknown, path: string): { path: string; says: string; what: string }[] {
  if (!value || typeof value !== 'object') return [];
  if (Array.isArray(value)) {
    const keys = value.map((v) => (v && typeof v === 'object' ? (v as Json).key : undefined));
    if (keys.some((k) => ENVIRONMENT_ATTRIBUTES.includes(k)) && !keys.includes(CLUSTER_ATTRIBUTE)) {
      return [{ path, says: `names the environment but no ${CLUSTER_ATTRIBUTE} in ${path}`, what: 'logs, traces and metrics' }];
    }
    return value.flatMap((v, i) => unnamedClusters(v, `${path}[${i}]`));
  }
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const here = path ? `${path}.${k}` : k;
    if (EXTERNAL_LABELS.includes(k) && v && typeof v === 'object' && !Array.isArray(v) && !('cluster' in v)) {
      return [{ path: here, says: `names no cluster in ${here}`, what: 'series' }];
    }
    return unnamedClusters(v, here);
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
