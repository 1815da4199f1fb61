/**
 * Rule groups and their alerting rules wherever gitplane output carries them: PrometheusRule objects, rule files inside
 * ConfigMaps, and rule groups inside Helm values of Application objects.
 */
import { parseEmbedded } from './embedded';
import { RenderedObject } from '../../stacks/objects';
import { Json } from './workloads';
import { isMap, mapsOf } from './shape';

export const ALERT_KINDS = ['PrometheusRule', 'ConfigMap', 'Application'] as const;

export interface AlertingRule {
  readonly alert: string;
  readonly rule: Json;
  /** Field path of the rule, e.g. `spec.groups[0].rules[1]` or `data.alerts.yaml: groups[0].rules[0]`. */
  readonly path: string;
}

/** One rule group wherever it was found, with the field path of the group. */
export interface RuleGroupAt {
  readonly group: Json;
  /** e.g. `spec.groups[0]` or `data.alerts.yaml: groups[0]`. */
  readonly path: string;
}

const found = new WeakMap<object, RuleGroupAt[]>();

/** The rule groups an object carries; computed once per object, since several rules ask. */
export function ruleGroups(o: RenderedObject): RuleGroupAt[] {
  if (!(ALERT_KINDS as readonly string[]).includes(o.manifest.kind)) return [];
  let groups = found.get(o.manifest);
  if (!groups) {
    groups = groupsOf(o);
    found.set(o.manifest, groups);
  }
  return groups;
}

/** One rule of a rule group: an alerting rule (`alert`) or a recording rule (`record`). */
export interface PrometheusRuleEntry {
  /** The alert's name, or the recorded series' name. */
  readonly name: string;
  readonly type: 'alert' | 'record';
  readonly rule: Json;
  /** Field path of the rule, e.g. `spec.groups[0].rules[1]` or `data.alerts.yaml: groups[0].rules[0]`. */
  readonly path: string;
}

const entries = new WeakMap<object, readonly PrometheusRuleEntry[]>();

/** The alerting and recording rules an object carries, in order; read once per object, since several rules ask. */
export function prometheusRules(o: RenderedObject): readonly PrometheusRuleEntry[] {
  const groups = ruleGroups(o);
  if (groups.length === 0) return [];
  let found = entries.get(o.manifest);
  if (!found) {
    found = entriesOf(groups);
    entries.set(o.manifest, found);
  }
  return found;
}

function entriesOf(groups: readonly RuleGroupAt[]): PrometheusRuleEntry[] {
  return groups.flatMap(({ group, path }) =>
    (Array.isArray(group?.rules) ? group.rules : [])
      .map((r: Json, ri: number) => ({ r, ri }))
      .filter(({ r }: Json) => r && (typeof r.alert === 'string' || typeof r.record === 'string'))
      .map(({ r, ri }: Json) => ({
        name: typeof r.alert === 'string' ? r.alert : r.record,
        type: typeof r.alert === 'string' ? 'alert' : 'record',
        rule: r,
        path: `${path}.rules[${ri}]`,
      })),
  );
}

/** The alerting rules an object carries. */
export function alertingRules(o: RenderedObject): AlertingRule[] {
  return prometheusRules(o)
    .filter((r) => r.type === 'alert')
    .map(({ name, rule, path }) => ({ alert: name, rule, path }));
}

function groupsOf(o: RenderedObject): RuleGroupAt[] {
  const m = o.manifest as Json;
  if (m.kind === 'PrometheusRule') return fromGroups(m.spec?.groups, 'spec.groups');
  if (m.kind === 'ConfigMap') {
    return Object.entries((m.data ?? {}) as Record<string, string>).flatMap(([key, text]) => {
      // Only a value that mentions rule groups can hold rules; skip parsing the rest (dashboards, scripts).
      if (typeof text !== 'string' || !text.includes('groups')) return [];
      const doc = parseEmbedded(text);
      return doc && typeof doc === 'object' ? findGroups(doc, `data.${key}: `) : [];
    });
  }
  if (m.kind === 'Application') {
    const sources = [m.spec?.source, ...mapsOf(m.spec?.sources)].filter(isMap);
    return sources.flatMap((s: Json, i: number) => {
      const where = m.spec?.source === s ? 'spec.source.helm' : `spec.sources[${i - (m.spec?.source ? 1 : 0)}].helm`;
      const fromString = typeof s.helm?.values === 'string' ? findGroups(parseEmbedded(s.helm.values), `${where}.values: `) : [];
      const fromObject = s.helm?.valuesObject ? findGroups(s.helm.valuesObject, `${where}.valuesObject.`) : [];
      return [...fromString, ...fromObject];
    });
  }
  return [];
}

function fromGroups(groups: unknown, path: string): RuleGroupAt[] {
  if (!Array.isArray(groups)) return [];
  return groups.flatMap((g: Json, gi: number) => (g && typeof g === 'object' ? [{ group: g, path: `${path}[${gi}]` }] : []));
}

/** Every `groups:` list of rule groups anywhere inside a value. */
function findGroups(value: unknown, path: string): RuleGroupAt[] {
  if (!value || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => findGroups(v, `${path}[${i}]`));
  const out: RuleGroupAt[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const here = path.endsWith(' ') || path === '' || path.endsWith('.') ? `${path}${k}` : `${path}.${k}`;
    if (k === 'groups' && Array.isArray(v) && v.some((g: Json) => Array.isArray(g?.rules))) out.push(...fromGroups(v, here));
    else out.push(...findGroups(v, here));
  }
  return out;
}

/** Severity label values a rule may carry; `none` is for the Watchdog dead man's switch. */
export const ALLOWED_SEVERITIES = ['critical', 'warning', 'info', 'none'] as const;
/** Severities that page a person. */
export const PAGING_SEVERITIES = ['critical'];

/**
 * Headings every runbook must have, in this order (level-2 headings, `## TL;DR` ...). The alert
 * construct renders them; the runbook-sections rule checks them.
 */
export const RUNBOOK_SECTIONS = ['TL;DR', 'Mitigation', 'Impact', 'Diagnosis', 'Escalation'] as const;

/**
 * The output file a runbook_url points at: a path under runbooks/ when the URL starts with the
 * environment's runbookBaseUrl or is a relative path; undefined for other https URLs.
 */
export function runbookFile(url: string, runbookBaseUrl: string | undefined): string | undefined {
  if (runbookBaseUrl && url.startsWith(`${runbookBaseUrl.replace(/\/$/, '')}/`)) {
    return `runbooks/${url.slice(runbookBaseUrl.replace(/\/$/, '').length + 1).split('#')[0]}`;
  }
  if (!/^[a-z]+:/i.test(url)) return url.replace(/^\.\//, '').split('#')[0];
  return undefined;
}
