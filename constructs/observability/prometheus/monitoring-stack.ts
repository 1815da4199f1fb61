import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { AppLabels, RenderedConfig } from '../../core';
import { byCodePoint } from '../../core/order';
import { ExternalSecret } from '../../secrets';
import { AlertDefinition, AlertRuleGroup, AlertSet, RunbookLinks } from '../alerts';

export interface MonitoringStackProps {
  readonly namespace: string;
  readonly app: AppLabels;
  /** Where inline runbooks are published. */
  readonly runbookBaseUrl: string;
  /** Built-in alert sets of the components the environment runs. */
  readonly alertSets: readonly AlertSet[];
  /** The receivers the alertmanager.yml notifies of an alert with these labels (see notifiedReceivers), for runbooks. */
  readonly notifies: (labels: Readonly<Record<string, string>>) => readonly string[];
  /** Grafana links for an alert's inline runbook (see runbookLinks). @default - none */
  readonly runbookLinks?: (alert: AlertDefinition) => RunbookLinks | undefined;
  /** The alertmanager.yml content (see alertmanagerConfig), exposed as `gitplane config alertmanager`. */
  readonly alertmanagerConfig: Record<string, unknown>;
  /** The notification templates (see alertmanagerTemplate), exposed as `gitplane config alertmanager-templates`. */
  readonly alertmanagerTemplate: string;
  /**
   * The Secret of receiver credentials (key in the Secret -> entry in the store), which
   * Alertmanager mounts to read each credential from a file, and the ClusterSecretStore
   * external-secrets fills it from.
   * @default - no ExternalSecret (no receivers, or the Secret is provided another way)
   */
  readonly receiverSecret?: { readonly name: string; readonly store: string; readonly entries: Readonly<Record<string, string>> };
  /** Annotations (a sync wave) of the custom resources: PrometheusRules and the ExternalSecret. */
  readonly customResourceAnnotations?: Record<string, string>;
}

/**
 * The plain manifests beside the kube-prometheus-stack chart: one PrometheusRule per alert set,
 * the ExternalSecret of receiver credentials, and the rendered alertmanager.yml and rule file.
 */
export class MonitoringStack extends Construct {
  public readonly ruleGroups: readonly AlertRuleGroup[];

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id);
    if (props.receiverSecret) {
      const { name, store, entries } = props.receiverSecret;
      new ExternalSecret(this, 'receiver-secret', {
        name,
        namespace: props.namespace,
        labels: props.app,
        store,
        annotations: props.customResourceAnnotations,
        data: Object.entries(entries)
          .sort(([a], [b]) => byCodePoint(a, b))
          .map(([secretKey, remoteKey]) => ({ secretKey, remoteKey })),
      });
    }
    this.ruleGroups = props.alertSets.map(
      (set) =>
        new AlertRuleGroup(this, set.name, {
          name: set.name,
          namespace: props.namespace,
          app: props.app,
          runbookBaseUrl: props.runbookBaseUrl,
          records: set.records,
          alerts: set.alerts,
          notifies: props.notifies,
          links: props.runbookLinks,
          annotations: props.customResourceAnnotations,
        }),
    );
    const yaml = (v: unknown) => stringify(v, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
    new RenderedConfig(this, 'alertmanager-config', {
      name: 'alertmanager',
      description: 'alertmanager.yml: routes, inhibit rules and receivers (credentials read from mounted files)',
      content: yaml(props.alertmanagerConfig),
    });
    new RenderedConfig(this, 'alertmanager-templates', {
      name: 'alertmanager-templates',
      description: 'gitplane.tmpl: the notification templates every receiver uses (title, alerts with context and links, silence link)',
      content: props.alertmanagerTemplate,
    });
    new RenderedConfig(this, 'rules-config', {
      name: 'prometheus-rules',
      description: 'every Prometheus rule group of the environment as one file, as promtool reads it',
      content: yaml({ groups: this.ruleGroups.map((g) => g.group) }),
    });
  }
}
