import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroups, PrometheusRuleSpecGroupsRulesExpr } from '../../../imports/monitoring.coreos.com';
import { AppLabels, standardLabels, unlessEmpty } from '../../core';
import { Alert, AlertDefinition, AlertingRule } from './alert';
import { RecordingRule, RecordingRuleProps } from './recording-rule';
import { RunbookLinks } from './runbook';

/** One rule group as Prometheus reads it (rulefmt), in fields of the PrometheusRule CRD's groups. */
export type RuleGroup = Pick<PrometheusRuleSpecGroups, 'name' | 'interval'> & { readonly rules: readonly (AlertingRule | RecordingRule['rule'])[] };

export interface AlertRuleGroupProps {
  /** Name of the PrometheusRule object and of its one rule group, e.g. `gitplane-nodes`. */
  readonly name: string;
  /** Namespace of the PrometheusRule. */
  readonly namespace: string;
  readonly app: AppLabels;
  /** Where inline runbooks are published (see AlertProps.runbookBaseUrl). */
  readonly runbookBaseUrl: string;
  /** Recording rules, evaluated before the alerts of the group. @default - none */
  readonly records?: readonly RecordingRuleProps[];
  readonly alerts: readonly AlertDefinition[];
  /** The receivers Alertmanager notifies of an alert with these labels (see AlertProps.notifies). */
  readonly notifies: (labels: Readonly<Record<string, string>>) => readonly string[];
  /** Grafana links for an alert's inline runbook (see AlertProps.links). @default - none */
  readonly links?: (alert: AlertDefinition) => RunbookLinks | undefined;
  /** Evaluation interval of the group. @default - Prometheus' global evaluation interval */
  readonly interval?: string;
  /** Annotations of the object, such as a sync wave. */
  readonly annotations?: Record<string, string>;
}

/**
 * A PrometheusRule holding one rule group of recording rules and alerts, labelled like every
 * gitplane object so the platform's Prometheus selects it. The CRD comes from the
 * kube-prometheus-stack chart, so the object tells Argo CD to skip its dry run until the CRD exists.
 *
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PrometheusRule
 */
export class AlertRuleGroup extends Construct {
  public readonly group: RuleGroup;
  public readonly alerts: readonly Alert[];

  constructor(scope: Construct, id: string, props: AlertRuleGroupProps) {
    super(scope, id);
    if (props.alerts.length + (props.records?.length ?? 0) === 0) throw new Error(`Rule group ${props.name}: it has no rules; give at least one alert or recording rule.`);
    const seen = new Set<string>();
    for (const a of props.alerts) {
      if (seen.has(a.name)) throw new Error(`Rule group ${props.name}: the alert ${a.name} is defined twice; give each alert its own name.`);
      seen.add(a.name);
    }
    const records = (props.records ?? []).map((r) => new RecordingRule(this, `record-${r.record}`, r));
    this.alerts = props.alerts.map(
      (a) => new Alert(this, a.name, { ...a, runbookBaseUrl: props.runbookBaseUrl, notifies: props.notifies({ ...a.labels, alertname: a.name, severity: a.severity }), links: props.links?.(a) }),
    );
    this.group = {
      name: props.name,
      ...(props.interval ? { interval: props.interval } : {}),
      rules: [...records.map((r) => r.rule), ...this.alerts.map((a) => a.rule)],
    };
    new PrometheusRule(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: standardLabels(props.app),
        annotations: unlessEmpty(props.annotations),
      },
      // The CRD types an expression as int-or-string.
      spec: { groups: [{ ...this.group, rules: this.group.rules.map(({ expr, ...rule }) => ({ ...rule, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(expr) })) }] },
    });
  }
}
