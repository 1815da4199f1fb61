import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AppLabels, standardLabels } from '../../core/labels';
import { DashboardSpec, dashboardJson } from './dashboard-model';

export interface GrafanaDashboardProps {
  readonly labels: AppLabels;
  readonly dashboard: DashboardSpec;
}

/**
 * A dashboard as a ConfigMap labelled `grafana_dashboard: "1"`, which the kube-prometheus-stack
 * Grafana's sidecar loads from any namespace.
 *
 * @see https://github.com/grafana-community/helm-charts/tree/main/charts/grafana#sidecar-for-dashboards
 */
export class GrafanaDashboard extends Construct {
  public readonly configMapName: string;
  public readonly json: string;

  constructor(scope: Construct, id: string, props: GrafanaDashboardProps) {
    super(scope, id);
    this.configMapName = `grafana-dashboard-${props.dashboard.uid}`;
    this.json = `${JSON.stringify(dashboardJson(props.dashboard), null, 2)}\n`;
    new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: this.configMapName, labels: { ...standardLabels(props.labels), grafana_dashboard: '1' } },
      data: { [`${props.dashboard.uid}.json`]: this.json },
    });
  }
}
