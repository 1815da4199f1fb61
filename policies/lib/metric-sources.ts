/**
 * Where an environment's series come from: the catalogued exporters its output deploys and
 * scrapes (ServiceMonitors and PodMonitors in the output, monitors a chart release renders from
 * its values, remote-writing workloads), and the series its recording rules record.
 */
import { CATALOGUES, Evidence, MetricCatalogue, ValueSwitch } from '../data/metrics';
import { RenderedObject } from '../../stacks/objects';
import { PolicyContext } from '../types';
import { prometheusRules } from './alerts';
import { parseEmbedded } from './embedded';
import { ByLabel, ofKind, perEnvironment } from './lookup';
import { isLabelSelector, LabelSelector, Labels, unmetRequirements } from './network-policy';
import { syncedFolder } from './ordering';
import { containers, Json, podTemplate, WORKLOAD_KINDS } from './workloads';
import { isMap, mapsOf } from './shape';

export interface SeriesSources {
  /** Catalogues whose series reach the environment's Prometheus. */
  readonly scraped: readonly MetricCatalogue[];
  /** Series name -> the catalogue that serves it, for the scraped catalogues. */
  readonly exported: ReadonlyMap<string, MetricCatalogue>;
  /** Names recorded by the environment's recording rules. */
  readonly recorded: ReadonlySet<string>;
}

/** The environment's series sources, computed once per environment. */
export function seriesSources(ctx: PolicyContext): SeriesSources {
  return perEnvironment(ctx, 'series-sources', () => {
    const scraped = CATALOGUES.filter((c) => c.evidence.some((e) => shown(e, ctx)));
    const exported = new Map<string, MetricCatalogue>();
    for (const c of scraped) for (const m of c.list.metrics) if (!exported.has(m)) exported.set(m, c);
    const recorded = new Set<string>();
    for (const o of ctx.objects) for (const r of prometheusRules(o)) if (r.type === 'record') recorded.add(r.name);
    return { scraped, exported, recorded };
  });
}

/** The catalogue that lists a series, scraped here or not. */
export function catalogueOf(name: string): MetricCatalogue | undefined {
  if (!listing) {
    listing = new Map();
    for (const c of CATALOGUES) for (const m of c.list.metrics) if (!listing.has(m)) listing.set(m, c);
  }
  return listing.get(name);
}

let listing: Map<string, MetricCatalogue> | undefined;

/** How a catalogue's series would reach Prometheus, for messages. */
export function describeEvidence(c: MetricCatalogue): string {
  return c.evidence
    .map((e) => {
      if ('image' in e) return `a ServiceMonitor or PodMonitor selecting pods that run ${e.image}`;
      if ('monitorSelects' in e) return `a ServiceMonitor or PodMonitor selecting ${Object.entries(e.monitorSelects).map(([k, v]) => `${k}=${v}`).join(', ')}`;
      if ('pushedBy' in e) return `a workload running ${e.pushedBy}, which writes them to Prometheus`;
      return `the ${e.chart} chart with ${e.switches.map(describeSwitch).join(' and ')}`;
    })
    .join(', or ');
}

function describeSwitch(s: ValueSwitch): string {
  return s.contains ? `${s.path} containing ${s.contains}` : `${s.path}: true`;
}

function shown(e: Evidence, ctx: PolicyContext): boolean {
  if ('image' in e) return scrapedImages(ctx).has(e.image);
  if ('monitorSelects' in e) return monitors(ctx).some((m) => {
      const selector = monitorSelector(m);
      return selector !== undefined && asksFor(selector, e.monitorSelects);
    });
  if ('pushedBy' in e) return workloads(ctx).some((w) => imagesOf(w).some((image) => repository(image) === e.pushedBy));
  return chartValues(ctx, e.chart).some((values) => e.switches.every((s) => switchedOn(values, s)));
}

function switchedOn(values: Json, s: ValueSwitch): boolean {
  const value = s.path.split('.').reduce<Json>((v, k) => (v && typeof v === 'object' ? v[k] : undefined), values);
  if (value === undefined) return s.default;
  return s.contains === undefined ? value === true : JSON.stringify(value).includes(s.contains);
}

const monitors = (ctx: PolicyContext) => perEnvironment(ctx, 'metric-monitors', () => [...ofKind(ctx, 'ServiceMonitor'), ...ofKind(ctx, 'PodMonitor')]);
const workloads = (ctx: PolicyContext) => perEnvironment(ctx, 'metric-workloads', () => WORKLOAD_KINDS.flatMap((k) => ofKind(ctx, k)));
/**
 * A monitor's selector, `matchLabels` and `matchExpressions`; an empty one selects everything in
 * its namespaces, as the operator reads it, and a malformed one (undefined here) nothing.
 */
function monitorSelector(m: RenderedObject): LabelSelector | undefined {
  const selector: unknown = (m.manifest.spec as Json)?.selector ?? {};
  return isLabelSelector(selector) ? selector : undefined;
}

/**
 * Whether a selector asks for objects with these labels: it names each of them, and its
 * requirements on them hold. Its requirements on other labels are not judged: the objects may
 * carry labels the evidence does not know.
 */
function asksFor(selector: LabelSelector, labels: Labels): boolean {
  const named = new Set([...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((e) => e.key)]);
  const unmet = unmetRequirements(selector, labels);
  const unmetKeys = [...Object.keys(unmet.matchLabels ?? {}), ...(unmet.matchExpressions ?? []).map((e) => e.key)];
  return Object.keys(labels).every((k) => named.has(k)) && !unmetKeys.some((k) => Object.hasOwn(labels, k));
}

/** `registry/name:tag@digest` -> `registry/name`. */
function repository(image: string): string {
  return image.replace(/@.*$/, '').replace(/:[^/:]+$/, '');
}

function imagesOf(w: RenderedObject): string[] {
  const t = podTemplate(w.manifest);
  return t ? containers(t).map((c) => String(c.container.image ?? '')) : [];
}

/** Repositories of the images of every pod some monitor scrapes, computed once per environment. */
function scrapedImages(ctx: PolicyContext): Set<string> {
  return perEnvironment(ctx, 'metric-scraped-images', () => {
    const index = byNamespace(ctx);
    const scraped = new Set<RenderedObject>();
    for (const m of monitors(ctx)) addScraped(m, index, scraped);
    return new Set([...scraped].flatMap((w) => imagesOf(w).map(repository)));
  });
}

interface NamespaceObjects {
  /** By their own labels. */
  readonly services: ByLabel;
  /** By their pods' labels. */
  readonly workloads: ByLabel;
}

const serviceLabels = (s: RenderedObject): Labels | undefined => s.manifest.metadata.labels;
const serviceSelector = (s: RenderedObject): Labels | undefined => (s.manifest.spec as Json)?.selector;
const podLabels = (w: RenderedObject): Labels | undefined => podTemplate(w.manifest)?.metadata.labels;

/** Services and workloads by namespace: a monitor looks only in its namespaces. */
function byNamespace(ctx: PolicyContext): Map<string, NamespaceObjects> {
  const index = new Map<string, NamespaceObjects>();
  const entry = (o: RenderedObject) => {
    const ns = o.manifest.metadata.namespace ?? '';
    let e = index.get(ns);
    if (!e) index.set(ns, (e = { services: new ByLabel(serviceLabels), workloads: new ByLabel(podLabels) }));
    return e;
  };
  for (const s of ofKind(ctx, 'Service')) entry(s).services.objects.push(s);
  for (const w of workloads(ctx)) entry(w).workloads.objects.push(w);
  return index;
}

/** Adds the workloads whose pods a monitor scrapes: a ServiceMonitor's through the Services it selects, a PodMonitor's directly. */
function addScraped(monitor: RenderedObject, index: Map<string, NamespaceObjects>, into: Set<RenderedObject>): void {
  const spec = monitor.manifest.spec as Json;
  const namespaces: string[] | undefined = spec?.namespaceSelector?.any ? undefined : (spec?.namespaceSelector?.matchNames ?? [monitor.manifest.metadata.namespace]);
  const inScope = namespaces ? [...new Set(namespaces)].flatMap((ns) => index.get(ns) ?? []) : [...index.values()];
  const selector = monitorSelector(monitor);
  if (!selector) return;
  const podSelectors: LabelSelector[] = [];
  if (monitor.manifest.kind === 'PodMonitor') podSelectors.push(selector);
  else {
    // A Service without a selector has hand-made endpoints: no pods of the output behind it.
    for (const e of inScope) for (const s of e.services.selected(selector)) if (Object.keys(serviceSelector(s) ?? {}).length > 0) podSelectors.push({ matchLabels: serviceSelector(s) });
  }
  for (const podSelector of podSelectors) for (const e of inScope) for (const w of e.workloads.selected(podSelector)) into.add(w);
}

/** The values of every release of a chart in the output: its values file, then inline values over it. */
function chartValues(ctx: PolicyContext, chart: string): Json[] {
  return perEnvironment(ctx, `chart-values:${chart}`, () => [...ofKind(ctx, 'Application'), ...ofKind(ctx, 'ApplicationSet')].flatMap((a) => {
    const raw = a.manifest.spec as Json;
    const spec = a.manifest.kind === 'ApplicationSet' ? raw?.template?.spec : raw;
    const sources: Json[] = [spec?.source, ...mapsOf(spec?.sources)].filter((s) => isMap(s) && s.chart === chart);
    if (sources.length === 0) return [];
    const folder = syncedFolder(a.manifest);
    return sources
      .map((s) => {
        const file = folder ? ctx.files.get(`values/${folder}.yaml`) : undefined;
        const layers = [file, s.helm?.values].map((text) => (typeof text === 'string' ? parseEmbedded(text) : undefined));
        return [...layers, s.helm?.valuesObject].filter((v) => v && typeof v === 'object').reduce<Json>((acc, v) => merge(acc, v), {});
      });
  }));
}

function merge(base: Json, over: Json): Json {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object' && !Array.isArray(out[k]) ? merge(out[k], v) : v;
  }
  return out;
}
