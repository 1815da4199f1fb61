import { ARGOCD_NAMESPACE } from '../../stacks/gitops-names';
import { docsUrl } from '../lib/docs-url';
import { applications } from '../lib/ordering';
import { isLabelSelector, LabelSelector, selectorMatches, selectorText } from '../lib/network-policy';
import { RenderedObject } from '../../stacks/objects';
import { ObjectRule, PolicyContext } from '../types';
import { ByLabel, inNamespace, ofKind, perEnvironment } from '../lib/lookup';
import { mapsOf } from '../lib/shape';

export const rule: ObjectRule = {
  id: 'service-monitor-target',
  scope: 'object',
  severity: 'error',
  pack: 'hygiene',
  description: 'Every ServiceMonitor selects at least one Service in the output or the rendered charts, in the namespaces it looks in; namespaces filled by a Helm chart that was not rendered are not judged, nor is Argo CD\'s own, which the bootstrap installs from the argo-cd chart.',
  rationale: 'A ServiceMonitor that selects nothing is silent: no targets, no error, and every alert built on its metrics never fires.',
  remediation: 'Make spec.selector (its matchLabels and matchExpressions together) select the Service\'s labels (selectorLabels()) and spec.namespaceSelector name the Service\'s namespace.',
  docsUrl: docsUrl('service-monitor-target'),
  kinds: ['ServiceMonitor'],
  charts: false,
  check(object, ctx) {
    const m = object.manifest as { metadata: { namespace?: string }; spec?: { selector?: unknown; namespaceSelector?: { any?: boolean; matchNames?: unknown } } };
    const nsSel = m.spec?.namespaceSelector;
    const namespaces = nsSel?.any ? undefined : monitoredNames(nsSel?.matchNames) ?? [m.metadata.namespace ?? ''];
    if (namespaces && namespaces.some((ns) => ns === ARGOCD_NAMESPACE || chartNamespace(ns, ctx))) return 'not-applicable';
    // An empty selector selects every Service of the namespaces, as the operator reads it.
    const selector = m.spec?.selector ?? {};
    // A malformed selector selects nothing; label-selector-operator reports it.
    if (!isLabelSelector(selector)) return [];
    const matches = (s: LabelSelector) => (o: RenderedObject) => selectorMatches(s, o.manifest.metadata?.labels ?? {});
    if (namespaces ? namespaces.some((ns) => servicesByLabel(ctx, ns).selectsAny(selector)) : servicesByLabel(ctx).selectsAny(selector)) return [];
    const candidates = namespaces ? namespaces.flatMap((ns) => inNamespace(ctx, 'Service', ns)) : ofKind(ctx, 'Service');
    const where = namespaces ? namespaces.join(', ') : 'any namespace';
    const value = JSON.stringify(selector);
    // With both parts, say whether the expressions are what excludes the Services the labels pick.
    const both = Object.keys(selector.matchLabels ?? {}).length > 0 && (selector.matchExpressions ?? []).length > 0;
    const byLabels = both ? candidates.filter(matches({ matchLabels: selector.matchLabels })) : [];
    if (byLabels.length > 0) {
      const names = byLabels.map((o) => `${o.manifest.metadata.namespace}/${o.manifest.metadata.name}`).join(', ');
      return [{ message: `no Service in ${where} matches spec.selector ${selectorText(selector)}: its matchLabels select ${names}, and its matchExpressions ${selectorText({ matchExpressions: selector.matchExpressions })} exclude them.`, value }];
    }
    return [{ message: `no Service in ${where} matches spec.selector ${selectorText(selector)}.`, value }];
  },
};

/** The namespaces a monitor's `namespaceSelector.matchNames` lists (its strings), or undefined for none. */
function monitoredNames(matchNames: unknown): string[] | undefined {
  const names = Array.isArray(matchNames) ? matchNames.filter((n): n is string => typeof n === 'string') : [];
  return names.length > 0 ? names : undefined;
}

/**
 * True when an Application (or fleet ApplicationSet) that deploys into the namespace installs a
 * Helm chart that was not rendered: that chart's Services are not among the objects.
 */
function chartNamespace(ns: string, ctx: PolicyContext): boolean {
  return [...applications(ctx).entries()].some(([folder, a]) => {
    type Spec = { destination?: { namespace?: string }; source?: { chart?: string }; sources?: { chart?: string }[] };
    const raw = a.manifest.spec as (Spec & { template?: { spec?: Spec } }) | undefined;
    const spec = a.manifest.kind === 'ApplicationSet' ? raw?.template?.spec : raw;
    if (spec?.destination?.namespace !== ns) return false;
    const installsChart = Boolean(spec.source?.chart || mapsOf(spec.sources).some((s) => s.chart) || ctx.files.has(`values/${folder}.yaml`));
    return installsChart && !renderedApps(ctx).has(folder);
  });
}

/** The applications some of whose objects Helm rendered from a chart. */
function renderedApps(ctx: PolicyContext): Set<string | undefined> {
  return perEnvironment(ctx, 'apps-with-rendered-charts', () => new Set(ctx.objects.filter((o) => o.chart).map((o) => o.app)));
}

/**
 * The Services of a namespace (or, without one, of every namespace) by their labels: a monitor is
 * tested only against those that carry its first label.
 */
function servicesByLabel(ctx: PolicyContext, namespace?: string): ByLabel {
  const indexes = perEnvironment(ctx, 'services-by-label', () => new Map<string | undefined, ByLabel>());
  let index = indexes.get(namespace);
  if (!index) {
    index = new ByLabel((o) => o.manifest.metadata?.labels);
    for (const s of namespace === undefined ? ofKind(ctx, 'Service') : inNamespace(ctx, 'Service', namespace)) index.objects.push(s);
    indexes.set(namespace, index);
  }
  return index;
}
