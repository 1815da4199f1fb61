import { Construct } from 'constructs';

/** `level:metric:operations`, the Prometheus naming convention for recording rules. */
export const RECORDING_RULE_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+$/;

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
  public readonly rule: { record: string; expr: string; labels?: Record<string, string> };

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
