import { RECORDING_RULE_NAME, recordingGroupLevel } from '../../constructs/observability/alerts/recording-rule';
import { durationMs } from '../../stacks/durations';
import { RenderedObject } from '../../stacks/objects';
import { ALERT_KINDS, ruleGroups } from '../lib/alerts';
import { docsUrl } from '../lib/docs-url';
import { parseEmbedded } from '../lib/embedded';
import { perEnvironment } from '../lib/lookup';
import { metricNames } from '../../constructs/observability/alerts/promql';
import { Json } from '../lib/workloads';
import { ObjectRule, PolicyContext, RuleFinding } from '../types';

/** prometheus-operator's defaults when the Prometheus resource sets no interval. */
const OPERATOR_DEFAULT_INTERVAL = '30s';

interface Recording {
  readonly record: string;
  readonly expr: string;
  readonly group: string;
  readonly level: number;
  readonly interval?: string;
  /** Field path of the rule in its object. */
  readonly path: string;
  readonly object: RenderedObject;
}

export const rule: ObjectRule = {
  id: 'recording-rule-layering',
  scope: 'object',
  severity: 'error',
  pack: 'observability',
  description:
    'Recording rules are named level:metric:operations, form no cycle, and each reads only raw series and series recorded at a lower level (a group named *-level<N> holds level-N rules, a group without a level level-1 rules); no rule group is evaluated more often than Prometheus scrapes.',
  rationale:
    'Prometheus evaluates rule groups independently: a rule that reads a series of its own level from another group, or of a higher one, computes from data of unknown age, and rules that read each other in a cycle never settle. A group evaluated more often than the data is scraped records the same samples again and costs evaluation time for nothing. The name tells dashboards and alerts which labels remain and how the series was aggregated.',
  remediation:
    'Name the rule level:metric:operations; move a rule that reads a recorded series into a group of a higher level (name it <name>-level<N>); break cycles; give the group an interval at least the scrape interval.',
  docsUrl: docsUrl('recording-rule-layering'),
  kinds: ALERT_KINDS,
  check(object, ctx) {
    const own = recordingsOf(object);
    if (own.length === 0) return 'not-applicable';
    const { byName, scrape, evaluation } = environmentRecordings(ctx);
    const findings: RuleFinding[] = [];
    for (const { group, path } of ruleGroups(object)) {
      if (!Array.isArray(group.rules) || !group.rules.some((r: Json) => typeof r?.record === 'string')) continue;
      const interval = typeof group.interval === 'string' ? group.interval : evaluation;
      const ms = milliseconds(interval);
      if (ms === undefined) {
        findings.push({ message: `recording rule group ${group.name} (${path}) has interval ${JSON.stringify(interval)}, which is not a duration.`, value: interval, fix: `Write the interval like ${scrape} or 1m.` });
      } else if (ms < (milliseconds(scrape) ?? 0)) {
        findings.push({
          message: `recording rule group ${group.name} (${path}) is evaluated every ${interval}, more often than Prometheus scrapes (every ${scrape}).`,
          value: interval,
          fix: `Set the group's interval to ${scrape} or longer.`,
        });
      }
    }
    for (const r of own) {
      if (!RECORDING_RULE_NAME.test(r.record)) {
        findings.push({
          message: `recording rule ${r.record} (${r.path}) is not named level:metric:operations.`,
          value: r.record,
          fix: 'Name it by the labels that remain, the metric and the operations, e.g. instance:node_cpu_utilisation:rate5m.',
        });
      }
      for (const read of reads(r.expr, ctx)) {
        const source = byName.get(read);
        if (!source || source.level < r.level) continue;
        findings.push({
          message: `recording rule ${r.record} (${r.path}, level ${r.level}, group ${r.group}) reads ${read}, which group ${source.group} records at level ${source.level}; a level-${r.level} rule reads only raw series and levels below ${r.level}.`,
          value: read,
          fix: `Move ${r.record} into a group named <name>-level${source.level + 1} or higher.`,
        });
      }
      const cycle = cycleFrom(r.record, byName, ctx);
      // Each cycle is reported once, at its first rule in code-point order.
      if (cycle && [...cycle].sort()[0] === r.record) {
        findings.push({ message: `recording rules read each other in a cycle: ${cycle.join(' reads ')}.`, value: cycle.join(' -> '), fix: 'Break the cycle: compute one of them from raw series.' });
      }
    }
    return findings;
  },
};

function recordingsOf(object: RenderedObject): Recording[] {
  return ruleGroups(object).flatMap(({ group, path }) =>
    (Array.isArray(group.rules) ? group.rules : []).flatMap((r: Json, i: number) =>
      typeof r?.record === 'string' && typeof r.expr === 'string'
        ? [{ record: r.record, expr: r.expr, group: String(group.name), level: recordingGroupLevel(String(group.name ?? '')), path: `${path}.rules[${i}]`, object }]
        : [],
    ),
  );
}

/** Every recording rule of the environment by the series it records, and the intervals Prometheus runs with. */
function environmentRecordings(ctx: PolicyContext) {
  return perEnvironment(ctx, 'recording-rule-layering', () => {
    const byName = new Map<string, Recording>();
    for (const o of ctx.objects) for (const r of recordingsOf(o)) if (!byName.has(r.record)) byName.set(r.record, r);
    const spec = prometheusSpec(ctx);
    const interval = (v: unknown) => (typeof v === 'string' && v !== '' ? v : OPERATOR_DEFAULT_INTERVAL);
    return { byName, scrape: interval(spec?.scrapeInterval), evaluation: interval(spec?.evaluationInterval) };
  });
}

/** `prometheus.prometheusSpec` of the kube-prometheus-stack values file among the output's values/. */
function prometheusSpec(ctx: PolicyContext): Json | undefined {
  for (const [file, text] of ctx.files) {
    if (!file.startsWith('values/') || !text.includes('prometheusSpec')) continue;
    const spec = (parseEmbedded(text) as Json)?.prometheus?.prometheusSpec;
    if (spec) return spec;
  }
  return undefined;
}

/** The metric names an expression reads; each distinct expression of the environment is read once. */
function reads(expr: string, ctx: PolicyContext): string[] {
  const known = perEnvironment(ctx, 'recording-rule-reads', () => new Map<string, string[]>());
  let names = known.get(expr);
  if (!names) known.set(expr, (names = metricNames(expr)));
  return names;
}

/** The cycle of recorded series that leads from `start` back to itself, if any. */
function cycleFrom(start: string, byName: ReadonlyMap<string, Recording>, ctx: PolicyContext): string[] | undefined {
  const seen = new Set<string>();
  const walk = (name: string, path: string[]): string[] | undefined => {
    for (const read of reads(byName.get(name)?.expr ?? '', ctx)) {
      if (read === start) return [...path, read];
      if (!byName.has(read) || seen.has(read)) continue;
      seen.add(read);
      const found = walk(read, [...path, read]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start]);
}

function milliseconds(duration: string): number | undefined {
  try {
    return durationMs(duration);
  } catch {
    return undefined;
  }
}
