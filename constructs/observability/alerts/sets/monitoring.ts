import { AlertSet } from './types';

const PROMETHEUS = 'job="kps-prometheus",namespace="monitoring",instance="10.0.0.9:9090"';
const prometheusLabels = { job: 'kps-prometheus', namespace: 'monitoring', instance: '10.0.0.9:9090' };
const ALERTMANAGER = 'job="kps-alertmanager",namespace="monitoring",instance="10.0.0.8:9093"';
const alertmanagerLabels = { job: 'kps-alertmanager', namespace: 'monitoring', instance: '10.0.0.8:9093' };
const GROUP = '/etc/prometheus/rules/prometheus-kps-prometheus-rulefiles-0/monitoring-gitplane-nodes.yaml;gitplane-nodes';

/**
 * The monitoring watching itself: scrape targets down, rules that fail or fall behind their
 * interval, notifications that fail, configurations that do not reload. kube-prometheus-stack's
 * own rules for these are off with its other default rules, so gitplane ships its own, on the
 * metrics Prometheus 3.x and Alertmanager 0.34 serve.
 *
 * @see https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/#rule-group
 */
export function monitoringAlerts(): AlertSet {
  return {
    name: 'gitplane-monitoring',
    component: 'observability',
    alerts: [
      {
        name: 'TargetDown',
        // Per job (and the Service it scrapes): a share, so one restarting pod of many does not page.
        expr: '100 * (count by (job, namespace, service) (up == 0) / count by (job, namespace, service) (up)) > 10',
        for: '10m',
        severity: 'warning',
        summary: 'Targets of {{ $labels.job }} in {{ $labels.namespace }} are down.',
        description: 'More than 10% of the scrape targets of job {{ $labels.job }} (Service {{ $labels.service }}) have not answered Prometheus for 10 minutes. Their metrics are missing, so the alerts on them cannot fire.',
        runbook: {
          tldr: 'Prometheus cannot scrape some targets of a job. Find which ones and why: a pod down, a NetworkPolicy, or a wrong port.',
          mitigation: [
            'Open Prometheus\' Targets page (kubectl -n monitoring port-forward svc/prometheus-operated 9090, then /targets) and read the error of the failing targets.',
            'kubectl -n <namespace> get pods -l app.kubernetes.io/name=<job> -o wide; restart a pod that is stuck.',
            '"context deadline exceeded" or "connection refused" from a running pod: check its NetworkPolicy admits the monitoring namespace on the metrics port.',
          ],
          impact: 'The metrics of the failing targets are missing: dashboards show gaps and the alerts that query them cannot fire.',
          diagnosis: {
            queries: ['up{job="<job>"} == 0', 'count by (job, namespace, service) (up == 0)', 'scrape_duration_seconds{job="<job>"}'],
            steps: ['kubectl -n <namespace> get servicemonitor,endpoints to see that the ServiceMonitor selects the Service and that it has endpoints.'],
          },
          escalation: 'If the targets of a platform job stay down for an hour, or those of several jobs are down at once, page the owning team\'s on-call lead.',
        },
        test: {
          series: [{ series: 'up{job="loki",namespace="monitoring",service="loki",instance="10.0.0.5:3100"}', values: '0x20' }],
          firesAt: '15m',
          labels: { job: 'loki', namespace: 'monitoring', service: 'loki' },
          quiet: { series: [{ series: 'up{job="loki",namespace="monitoring",service="loki",instance="10.0.0.5:3100"}', values: '1x20' }], at: '15m' },
        },
      },
      {
        name: 'PrometheusRuleEvaluationFailures',
        expr: 'increase(prometheus_rule_evaluation_failures_total[5m]) > 0',
        for: '15m',
        severity: 'critical',
        summary: 'Prometheus {{ $labels.instance }} fails to evaluate rules of {{ $labels.rule_group }}.',
        description: 'Rules of the group {{ $labels.rule_group }} have failed to evaluate for 15 minutes on {{ $labels.instance }}. Alerts of that group cannot fire and its recorded series are missing.',
        runbook: {
          tldr: 'Some alerting or recording rules fail on every evaluation, so their alerts are blind. Read the error and fix or roll back the rule.',
          mitigation: [
            'Open Prometheus\' Rules page (/rules) and read the error shown beside the failing rule.',
            'kubectl -n monitoring logs prometheus-kps-prometheus-0 -c prometheus | grep "Evaluating rule failed" for the error and the rule.',
            'If a recent change to a PrometheusRule caused it, revert that commit in the GitOps repository; Argo CD syncs the fix.',
          ],
          impact: 'Alerts of the failing rules cannot fire; dashboards reading their recorded series show nothing.',
          diagnosis: {
            queries: ['increase(prometheus_rule_evaluation_failures_total[5m]) > 0', 'prometheus_rule_group_rules{rule_group="<rule_group>"}'],
            steps: ['Common causes: many-to-many matching after a new label, a query that exceeds the sample limit, or the query timeout.'],
          },
          escalation: 'Page the owning team\'s on-call lead if platform rules keep failing for 30 minutes: the platform is alerting blind.',
        },
        test: {
          series: [{ series: `prometheus_rule_evaluation_failures_total{${PROMETHEUS},rule_group="${GROUP}"}`, values: '0+1x30' }],
          firesAt: '25m',
          labels: { ...prometheusLabels, rule_group: GROUP },
          quiet: { series: [{ series: `prometheus_rule_evaluation_failures_total{${PROMETHEUS},rule_group="${GROUP}"}`, values: '3x30' }], at: '25m' },
        },
      },
      {
        name: 'PrometheusRuleGroupSlow',
        // A group that takes longer than its interval skips evaluations: its alerts fire late or never.
        expr: 'prometheus_rule_group_last_duration_seconds > prometheus_rule_group_interval_seconds',
        for: '15m',
        severity: 'warning',
        summary: 'Rule group {{ $labels.rule_group }} takes longer to evaluate than its interval.',
        description: 'The last evaluations of {{ $labels.rule_group }} on {{ $labels.instance }} took longer than the group\'s interval for 15 minutes, so Prometheus skips evaluations and its alerts fire late or not at all.',
        runbook: {
          tldr: 'A rule group is too slow for its interval. Find its expensive rule and precompute it with a recording rule, or give the group a longer interval.',
          mitigation: [
            'Open Prometheus\' Rules page (/rules): it shows each rule\'s evaluation time; find the slowest of the group.',
            'Check Prometheus is not starved: kubectl -n monitoring top pod prometheus-kps-prometheus-0; raise its CPU limit if it is throttled.',
          ],
          impact: 'Evaluations are skipped: alerts of the group fire late or not at all, and its recorded series have gaps.',
          diagnosis: {
            queries: [
              'prometheus_rule_group_last_duration_seconds / prometheus_rule_group_interval_seconds',
              'increase(prometheus_rule_group_iterations_missed_total[1h])',
              'topk(10, prometheus_rule_group_last_duration_seconds)',
            ],
          },
          escalation: 'Ask the team owning the rule group to rewrite its slow rule the same working day; page the owning team\'s on-call lead if platform groups miss evaluations for an hour.',
        },
        test: {
          series: [
            { series: `prometheus_rule_group_last_duration_seconds{${PROMETHEUS},rule_group="${GROUP}"}`, values: '45x30' },
            { series: `prometheus_rule_group_interval_seconds{${PROMETHEUS},rule_group="${GROUP}"}`, values: '30x30' },
          ],
          firesAt: '20m',
          labels: { ...prometheusLabels, rule_group: GROUP },
          quiet: {
            series: [
              { series: `prometheus_rule_group_last_duration_seconds{${PROMETHEUS},rule_group="${GROUP}"}`, values: '2x30' },
              { series: `prometheus_rule_group_interval_seconds{${PROMETHEUS},rule_group="${GROUP}"}`, values: '30x30' },
            ],
            at: '20m',
          },
        },
      },
      {
        name: 'AlertmanagerNotificationsFailing',
        expr: 'sum without (reason) (rate(alertmanager_notifications_failed_total[5m])) > 0',
        for: '10m',
        severity: 'critical',
        summary: 'Alertmanager {{ $labels.instance }} fails to send {{ $labels.integration }} notifications.',
        description: 'Notifications through {{ $labels.integration }} have been failing for 10 minutes on {{ $labels.instance }}: the people on that receiver are not told about alerts.',
        runbook: {
          tldr: 'Alertmanager cannot deliver through one integration. Fix its credential or endpoint now; meanwhile watch the Alertmanager UI yourself.',
          mitigation: [
            'kubectl -n monitoring logs alertmanager-kps-alertmanager-0 -c alertmanager | grep -i "notify" for the error (401/403: the credential; 404: the webhook or channel; timeouts: egress).',
            'Check the Secret alertmanager-receivers exists and its ExternalSecret is Ready: kubectl -n monitoring get externalsecret alertmanager-receivers.',
            'Until it is fixed, keep the Alertmanager UI (svc/alertmanager-operated 9093) open: it lists every firing alert.',
          ],
          impact: 'Alerts routed to the failing integration reach nobody; with the critical receiver failing, pages are lost.',
          diagnosis: {
            queries: ['sum by (integration, reason) (rate(alertmanager_notifications_failed_total[5m]))', 'rate(alertmanager_notifications_total[5m])'],
          },
          escalation: 'Page the owning team\'s on-call lead through another channel at once if the paging integration fails.',
        },
        test: {
          series: [{ series: `alertmanager_notifications_failed_total{${ALERTMANAGER},integration="slack",reason="clientError"}`, values: '0+2x30' }],
          firesAt: '20m',
          labels: { ...alertmanagerLabels, integration: 'slack' },
          quiet: { series: [{ series: `alertmanager_notifications_failed_total{${ALERTMANAGER},integration="slack",reason="clientError"}`, values: '4x30' }], at: '20m' },
        },
      },
      {
        name: 'PrometheusConfigReloadFailed',
        // max_over_time: one failed scrape of the gauge must not hide a failure or invent one.
        expr: 'max_over_time(prometheus_config_last_reload_successful[5m]) == 0',
        for: '10m',
        severity: 'warning',
        summary: 'Prometheus {{ $labels.instance }} cannot load its configuration.',
        description: 'The last configuration reload of Prometheus {{ $labels.instance }} failed 10 minutes ago or more; it runs the configuration before the change, so new scrape targets and rules are missing.',
        runbook: {
          tldr: 'Prometheus rejected its new configuration and keeps running the old one. Read the error and fix the object that broke it.',
          mitigation: [
            'kubectl -n monitoring logs prometheus-kps-prometheus-0 -c prometheus | grep -i "error loading config" for the reason.',
            'kubectl -n monitoring logs prometheus-kps-prometheus-0 -c config-reloader for reload errors.',
            'Revert the last change to a ServiceMonitor, PrometheusRule or the kube-prometheus-stack values in the GitOps repository.',
          ],
          impact: 'Changes to scraping and rules do not take effect; a restart of Prometheus would fail to start with the broken configuration.',
          diagnosis: { queries: ['prometheus_config_last_reload_successful', 'prometheus_config_last_reload_success_timestamp_seconds'] },
          escalation: 'Call the owning team if the configuration does not load within an hour; do not restart Prometheus until it does.',
        },
        test: {
          series: [{ series: `prometheus_config_last_reload_successful{${PROMETHEUS}}`, values: '0x20' }],
          firesAt: '15m',
          labels: prometheusLabels,
          quiet: { series: [{ series: `prometheus_config_last_reload_successful{${PROMETHEUS}}`, values: '1x20' }], at: '15m' },
        },
      },
      {
        name: 'AlertmanagerConfigReloadFailed',
        expr: 'max_over_time(alertmanager_config_last_reload_successful[5m]) == 0',
        for: '10m',
        severity: 'warning',
        summary: 'Alertmanager {{ $labels.instance }} cannot load its configuration.',
        description: 'The last configuration reload of Alertmanager {{ $labels.instance }} failed 10 minutes ago or more; it routes with the configuration before the change.',
        runbook: {
          tldr: 'Alertmanager rejected its new configuration and routes with the old one. Read the error and fix alertmanager.yml.',
          mitigation: [
            'kubectl -n monitoring logs alertmanager-kps-alertmanager-0 -c alertmanager | grep -i "loading configuration file failed" for the reason.',
            'Check the rendered file: gitplane config alertmanager --env <env> > am.yml && amtool check-config am.yml.',
            'A missing credential file fails the load: check that the Secret alertmanager-receivers has every key the receivers name.',
          ],
          impact: 'Routing changes do not take effect: new receivers and teams get nothing; a restart would fail to start.',
          diagnosis: { queries: ['alertmanager_config_last_reload_successful', 'alertmanager_config_last_reload_success_timestamp_seconds'] },
          escalation: 'Call the owning team if the configuration does not load within an hour; do not restart Alertmanager until it does.',
        },
        test: {
          series: [{ series: `alertmanager_config_last_reload_successful{${ALERTMANAGER}}`, values: '0x20' }],
          firesAt: '15m',
          labels: alertmanagerLabels,
          quiet: { series: [{ series: `alertmanager_config_last_reload_successful{${ALERTMANAGER}}`, values: '1x20' }], at: '15m' },
        },
      },
    ],
  };
}
