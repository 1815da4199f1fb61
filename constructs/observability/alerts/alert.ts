import { Construct } from 'constructs';
import { PrometheusRuleSpecGroupsRules } from '../../../imports/monitoring.coreos.com';
import { OutputFile } from '../../core';
import { InlineRunbook, RunbookLinks, alertSlug, renderRunbook, runbookProblems } from './runbook';

/** The closed set of severities Alertmanager routes on. */
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A Prometheus duration as the PrometheusRule CRD accepts it. */
export const PROMETHEUS_DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;

/**
 * One alerting rule as Prometheus reads it (rulefmt): fields of the PrometheusRule CRD's rules, so
 * one it does not have fails to compile, with the expression as the string rulefmt has.
 */
export type AlertingRule = Required<Pick<PrometheusRuleSpecGroupsRules, 'alert' | 'labels' | 'annotations'>> &
  Pick<PrometheusRuleSpecGroupsRules, 'for'> & { readonly expr: string };

/** What an alert is, without where its runbooks are published. */
export interface AlertDefinition {
  /** Alert name in UpperCamelCase, e.g. `NodeDown`. Also gives the runbook's file name. */
  readonly name: string;
  /** PromQL expression; every series it returns is one firing alert. */
  readonly expr: string;
  /** How long the condition must hold before the alert fires, e.g. `5m`. Required unless `noForReason` says why not. */
  readonly for?: string;
  /** Why this alert fires on the first evaluation (a dead man's switch, a counter that only grows). */
  readonly noForReason?: string;
  readonly severity: Severity;
  /** One line for the notification title; may use `{{ $labels.x }}`. */
  readonly summary: string;
  /** What is wrong and why it matters; may use `{{ $labels.x }}`. */
  readonly description: string;
  /** An inline runbook, rendered beside the manifests, or the https URL of one kept elsewhere. */
  readonly runbook: InlineRunbook | string;
  /**
   * Further labels. `severity` is set from `severity`; `team`, the owning team, is required by
   * the Alert construct and set by the platform from the owner of the application the alert
   * belongs to unless given here.
   */
  readonly labels?: Record<string, string>;
}

export interface AlertProps extends AlertDefinition {
  /**
   * https URL under which inline runbooks are published; `runbook_url` becomes
   * `<runbookBaseUrl>/<alert-slug>.md`.
   */
  readonly runbookBaseUrl: string;
  /**
   * The Alertmanager receivers the alert notifies, in route order (empty when no route takes
   * it); the runbook's escalation names them beside the owning team.
   */
  readonly notifies: readonly string[];
  /**
   * Grafana links for the inline runbook: the alert's dashboard panel, its logs and its traces.
   * @default - none
   */
  readonly links?: RunbookLinks;
}

/** A Kubernetes label value that is not empty, as team names must be. */
const TEAM = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/**
 * An alerting rule that cannot exist without a runbook, a severity from the closed set, a
 * summary, a description and a `for` duration (or a stated reason for none). An inline runbook
 * becomes `runbooks/<alert-slug>.md`.
 *
 * @see https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/
 */
export class Alert extends Construct {
  public readonly name: string;
  public readonly slug: string;
  public readonly runbookUrl: string;
  public readonly rule: AlertingRule;

  constructor(scope: Construct, id: string, props: AlertProps) {
    super(scope, id);
    const problems = alertProblems(props);
    if (problems.length > 0) throw new Error(`Alert ${JSON.stringify(props.name)}: ${problems.join(' ')}`);
    this.name = props.name;
    this.slug = alertSlug(props.name);
    if (typeof props.runbook === 'string') {
      this.runbookUrl = props.runbook;
    } else {
      this.runbookUrl = `${props.runbookBaseUrl.replace(/\/+$/, '')}/${this.slug}.md`;
      new OutputFile(this, 'Runbook', {
        path: `runbooks/${this.slug}.md`,
        content: renderRunbook(
          { alert: props.name, severity: props.severity, summary: props.summary, description: props.description, team: props.labels!.team, notifies: props.notifies, links: props.links },
          props.runbook,
        ),
      });
    }
    this.rule = {
      alert: props.name,
      expr: props.expr.trim(),
      ...(props.for ? { for: props.for } : {}),
      labels: { ...props.labels, severity: props.severity },
      annotations: { summary: props.summary, description: props.description, runbook_url: this.runbookUrl },
    };
  }
}

function alertProblems(p: AlertProps): string[] {
  const problems: string[] = [];
  if (!/^[A-Z][A-Za-z0-9]*$/.test(p.name ?? '')) problems.push('the name must be UpperCamelCase letters and digits, such as NodeDown.');
  if (!p.expr?.trim()) problems.push('expr is empty; give the PromQL expression that selects the failing series.');
  if (!(SEVERITIES as readonly string[]).includes(p.severity)) problems.push(`severity must be one of ${SEVERITIES.join(', ')} (got ${JSON.stringify(p.severity)}).`);
  if (!p.summary?.trim()) problems.push('summary is empty; give the one-line notification title.');
  if (!p.description?.trim()) problems.push('description is empty; say what is wrong and why it matters.');
  if (p.for === undefined && !p.noForReason?.trim()) problems.push('for is missing; give how long the condition must hold (such as 5m), or noForReason to say why the alert fires at once.');
  if (p.for !== undefined && p.noForReason !== undefined) problems.push('give either for or noForReason, not both.');
  if (p.for !== undefined && (!PROMETHEUS_DURATION.test(p.for) || p.for === '')) problems.push(`for must be a Prometheus duration such as 5m or 1h30m (got ${JSON.stringify(p.for)}).`);
  if (p.labels && 'severity' in p.labels) problems.push('labels.severity is set from severity; remove it from labels.');
  if (!TEAM.test(p.labels?.team ?? '')) {
    problems.push(`labels.team must name the team that owns the alert, a label value such as platform (got ${JSON.stringify(p.labels?.team ?? null)}); Alertmanager routes on it and the runbook names it.`);
  }
  if (typeof p.runbook === 'string') {
    if (!/^https:\/\/\S+$/.test(p.runbook)) problems.push(`runbook must be an https URL or an inline runbook (got ${JSON.stringify(p.runbook)}).`);
  } else if (!p.runbook) {
    problems.push('runbook is missing; every alert needs an inline runbook or the https URL of one.');
  } else {
    problems.push(...runbookProblems(p.runbook));
    if (!/^https:\/\/\S+$/.test(p.runbookBaseUrl ?? '')) problems.push(`runbookBaseUrl must be an https URL for inline runbooks (got ${JSON.stringify(p.runbookBaseUrl)}).`);
  }
  return problems;
}
