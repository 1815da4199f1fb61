import { AlertSet } from './types';

/** The dead man's switch: always firing, routed on its own, so silence means the pipeline is broken. */
export function watchdogAlerts(): AlertSet {
  return {
    name: 'gitplane-watchdog',
    component: 'observability',
    alerts: [
      {
        name: 'Watchdog',
        expr: 'vector(1)',
        noForReason: 'It is a dead man\'s switch: it must fire on the first evaluation and never stop.',
        severity: 'info',
        summary: 'The alerting pipeline is alive.',
        description: 'This alert always fires. The dead man\'s switch receiver pages when it stops arriving, which means Prometheus, Alertmanager or the path between them is down.',
        runbook: {
          tldr: 'If you were paged because the Watchdog stopped, alerting is blind: check Prometheus and Alertmanager now.',
          mitigation: [
            'kubectl -n monitoring get pods -l app.kubernetes.io/name=prometheus and -l app.kubernetes.io/name=alertmanager; restart any pod that is not Running.',
            'kubectl -n monitoring get secret alertmanager-receivers; if it is missing, check the ExternalSecret alertmanager-receivers.',
            'Open the Alertmanager UI (kubectl -n monitoring port-forward svc/alertmanager-operated 9093) and confirm Watchdog is listed.',
          ],
          impact: 'While the Watchdog is silent no other alert reaches anyone either.',
          diagnosis: { queries: ['ALERTS{alertname="Watchdog"}', 'prometheus_notifications_errors_total', 'alertmanager_notifications_failed_total'] },
          escalation: 'If Prometheus and Alertmanager are healthy and the dead man\'s switch still reports silence after 15 minutes, call the platform team lead.',
        },
        test: { series: [], firesAt: '5m', labels: {} },
      },
    ],
  };
}
