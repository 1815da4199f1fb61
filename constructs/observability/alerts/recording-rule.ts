import { Construct } from 'constructs';
import { PrometheusRuleSpecGroupsRules } from '../../../imports/monitoring.coreos.com';

/** `level:metric:operations`, the Prometheus naming convention for recording rules. */
export const RECORDING_RULE_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+$/;

/**
 * The layering contract of recording rules. A raw (scraped) series is level 0. A group whose name
 * ends in `-level<N>` holds level-N rules; a group that declares no level holds level-1 rules.
 * A level-N rule reads raw series and series recorded at levels below N, never its own level or
 * higher: Prometheus evaluates groups independently, so a same-level read sees data of an
 * unknown age, and a read upwards turns the layering (and, followed far enough, into a cycle).
 * Alerts and dashboards may read any level.
 */
export const RECORDING_GROUP_LEVEL = /-level([1-9][0-9]*)$/;

/** The name of the rule group that holds level-`level` recording rules, e.g. `gitplane-records-level2`. */
export function recordingGroupName(base: string, level: number): string {
  return `${base}-level${level}`;
}

/** The level a rule group's name declares; 1 when it declares none. */
export function recordingGroupLevel(groupName: string): number {
  const m = RECORDING_GROUP_LEVEL.exec(groupName);
  return m ? Number(m[1]) : 1;
}

export interface RecordingRuleProps {
  /** Name of the recorded series, `level:metric:operations`, e.g. `instance:node_cpu_utilisation:rate5m`. */
  readonly record: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
}

/**
 * A recording rule whose name follows `level:metric:operations`, so a reader knows from the name
 * which labels remain, what was measured and how it was aggregated.
 *
 * @see https://prometheus.io/docs/practices/rules/#naming-and-aggregation
 */
export class RecordingRule extends Construct {
  /** The rule as rulefmt has it, in fields of the PrometheusRule CRD's rules (see AlertingRule). */
  public readonly rule: Required<Pick<PrometheusRuleSpecGroupsRules, 'record'>> & Pick<PrometheusRuleSpecGroupsRules, 'labels'> & { readonly expr: string };

  constructor(scope: Construct, id: string, props: RecordingRuleProps) {
    super(scope, id);
    if (!RECORDING_RULE_NAME.test(props.record ?? '')) {
      throw new Error(
        `Recording rule ${JSON.stringify(props.record)}: the name must be level:metric:operations (three parts separated by ":"), such as instance:node_cpu_utilisation:rate5m.`,
      );
    }
    if (!props.expr?.trim()) throw new Error(`Recording rule ${JSON.stringify(props.record)}: expr is empty; give the PromQL expression to record.`);
    this.rule = { record: props.record, expr: props.expr.trim(), ...(props.labels ? { labels: props.labels } : {}) };
  }
}
