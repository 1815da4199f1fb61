import { AlertSet } from './types';

const APP = 'job="argocd-application-controller",namespace="argocd",name="prod-nats",project="prod",dest_namespace="nats"';
const app = { job: 'argocd-application-controller', namespace: 'argocd', name: 'prod-nats', project: 'prod', dest_namespace: 'nats' };

export interface ArgoCdAlertOptions {
  /** Hours an application may stay OutOfSync; longer where every sync is manual. */
  readonly outOfSyncHours: number;
}

/** Argo CD applications from `argocd_app_info` (health_status, sync_status labels). */
export function argocdAlerts(options: ArgoCdAlertOptions): AlertSet {
  const outOfSyncFor = `${options.outOfSyncHours}h`;
  const minutes = options.outOfSyncHours * 60;
  const info = (health: string, sync: string) => `argocd_app_info{${APP},health_status="${health}",sync_status="${sync}"}`;
  return {
    name: 'gitplane-argocd',
    component: 'gitops',
    alerts: [
      {
        name: 'ArgoCdAppDegraded',
        expr: 'argocd_app_info{health_status="Degraded"} == 1',
        for: '15m',
        severity: 'warning',
        summary: 'Argo CD application {{ $labels.name }} is Degraded.',
        description: 'Application {{ $labels.name }} (project {{ $labels.project }}) has been Degraded for 15 minutes: one of its resources is unhealthy.',
        runbook: {
          tldr: 'An application has an unhealthy resource. Open it in Argo CD and follow the red resource.',
          mitigation: ['argocd app get <name> --show-operation, or the Argo CD UI: find the Degraded resource.', 'If the last sync caused it, roll back (argocd app rollback <name>) or revert the commit.'],
          impact: 'Part of the platform component the application deploys is not working.',
          diagnosis: { queries: ['argocd_app_info{health_status!="Healthy"}'] },
          escalation: 'Call the platform team if a platform application stays Degraded for an hour.',
        },
        test: {
          series: [{ series: info('Degraded', 'Synced'), values: '1x30' }],
          firesAt: '20m',
          labels: { ...app, health_status: 'Degraded', sync_status: 'Synced' },
          quiet: { series: [{ series: info('Healthy', 'Synced'), values: '1x30' }], at: '20m' },
        },
      },
      {
        name: 'ArgoCdAppOutOfSync',
        expr: 'argocd_app_info{sync_status="OutOfSync"} == 1',
        for: outOfSyncFor,
        severity: 'warning',
        summary: 'Argo CD application {{ $labels.name }} is out of sync.',
        description: `Application {{ $labels.name }} (project {{ $labels.project }}) has differed from Git for ${outOfSyncFor}: a sync is failing, pending approval or someone changed the cluster by hand.`,
        runbook: {
          tldr: 'The cluster and Git disagree. Look at the diff, then sync or revert the hand change.',
          mitigation: ['argocd app diff <name>.', 'Sync (argocd app sync <name>) when the diff is the intended change; where sync is manual this needs the change approver.'],
          impact: 'What runs is not what Git says; the next sync may surprise.',
          diagnosis: { queries: ['argocd_app_info{sync_status="OutOfSync"}', 'increase(argocd_app_sync_total{phase!="Succeeded"}[1h])'] },
          escalation: 'Ask the platform team if the diff is not understood.',
        },
        test: {
          // Out of sync from the first sample: pending until its `for` has passed, firing from then on.
          series: [{ series: info('Healthy', 'OutOfSync'), values: `1x${minutes}` }],
          notYetAt: `${minutes - 1}m`,
          firesAt: `${minutes}m`,
          labels: { ...app, health_status: 'Healthy', sync_status: 'OutOfSync' },
          quiet: { series: [{ series: info('Healthy', 'Synced'), values: `1x${minutes}` }], at: `${minutes}m` },
        },
      },
      {
        name: 'ArgoCdSyncFailed',
        expr: 'sum by (name, project) (increase(argocd_app_sync_total{phase=~"Error|Failed"}[15m])) > 0',
        for: '5m',
        severity: 'warning',
        summary: 'Argo CD sync of {{ $labels.name }} failed.',
        description: 'A sync of application {{ $labels.name }} (project {{ $labels.project }}) ended in Error or Failed within the last 15 minutes.',
        runbook: {
          tldr: 'A sync failed. Read the sync result: usually a resource the API server rejects or a missing CRD.',
          mitigation: ['argocd app get <name> --show-operation shows the failing resource and message.', 'Fix the environment file or revert the commit, then sync again.'],
          impact: 'The change did not roll out; the application may be half-updated.',
          diagnosis: { queries: ['increase(argocd_app_sync_total{phase=~"Error|Failed"}[1h])'] },
          escalation: 'Call the platform team if the error names a gitplane-generated object.',
        },
        test: {
          series: [{ series: `argocd_app_sync_total{${APP},phase="Failed"}`, values: '0+1x30' }],
          firesAt: '20m',
          labels: { name: 'prod-nats', project: 'prod' },
          quiet: { series: [{ series: `argocd_app_sync_total{${APP},phase="Failed"}`, values: '2x30' }], at: '20m' },
        },
      },
    ],
  };
}
