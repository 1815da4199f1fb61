/** The `longhorn` application: the pinned Longhorn chart plus gitplane's StorageClasses, recurring jobs and backup credentials. */
import { EnvironmentSpec } from '../../environments/schema';
import { LONGHORN_BACKUP_SECRET_REF, objectStoreRegion } from '../environment';
import { Longhorn, LonghornProps, LonghornRestoreDrill, longhornValues } from '../../constructs/storage/longhorn';
import { maxCronGapSeconds } from '../../constructs/observability/alerts/cron';
import { shippedScript } from '../scripts';
import { imageRef } from '../versions';
import { longhornAlerts } from '../../constructs/observability/alerts';
import { COMPONENT_DASHBOARDS } from '../../constructs/observability/grafana';
import { IngressPolicy } from '../../constructs/core';
import { AppDescriptor, ScrapeTarget } from '../application';
import { syncWave, Wave } from '../waves';
import { LONGHORN_DATA } from './catalog';

function storageNodes(spec: EnvironmentSpec): number {
  return spec.cluster.nodes.filter((n) => n.roles.includes('storage')).length;
}

/** Longhorn's props from an environment. */
export function longhornProps(spec: EnvironmentSpec): LonghornProps {
  const lh = spec.components.longhorn;
  const nodes = spec.cluster.nodes.filter((n) => n.roles.includes('storage'));
  const backups = spec.objectStore.longhornBackups;
  return {
    labels: { name: 'longhorn', instance: `longhorn-${spec.name}`, component: 'storage' },
    customResourceAnnotations: syncWave(Wave.CustomResources),
    storageNodes: nodes.length,
    numberOfReplicas: lh.numberOfReplicas,
    defaultDataPath: lh.dataPath,
    storageReservedPercentageForDefaultDisk: lh.storageReservedPercentage,
    reclaimPolicy: spec.tier === 'production' ? 'Retain' : 'Delete',
    raspberryPi: nodes.some((n) => n.model?.startsWith('raspberry-pi')),
    recurringJobs: { snapshotCron: lh.snapshotCron, backupCron: lh.backupCron, retain: lh.retain },
    backupStore: backups && {
      bucket: backups.bucket,
      prefix: backups.prefix,
      region: objectStoreRegion(spec, 'longhornBackups'),
      endpoint: spec.objectStore.endpoint,
      secretStore: spec.secrets.store,
      secretKey: spec.secrets.refs[LONGHORN_BACKUP_SECRET_REF],
    },
  };
}

/** When the drill's canary volume gets new data: hourly, so each nightly backup holds a fresh one. */
const DRILL_CANARY_SCHEDULE = '10 * * * *';

/** The chart's longhorn-manager pods (label `app`) and the port of their API and metrics. */
export const LONGHORN_MANAGER = 'longhorn-manager';
export const LONGHORN_MANAGER_PORT = 9500;

/**
 * The managers' metrics, served by the chart's `longhorn-backend` Service (port `manager`). The
 * ServiceMonitor is the monitoring application's, beside the CRD it needs: Longhorn syncs in the
 * same wave as kube-prometheus-stack, so one of its own (or the chart's) could arrive before the
 * CRD and fail the sync.
 */
export const LONGHORN_MANAGER_METRICS: ScrapeTarget = {
  name: LONGHORN_MANAGER,
  namespace: 'longhorn-system',
  labels: { name: 'longhorn', instance: 'longhorn', component: 'storage' },
  port: 'manager',
};

export const LONGHORN_APP: AppDescriptor = {
  ...LONGHORN_DATA,
  enabled: (spec) => spec.components.longhorn.enabled,
  alerts: ({ spec }) => [
    longhornAlerts({
      numberOfReplicas: spec.components.longhorn.numberOfReplicas ?? Math.min(3, Math.max(1, storageNodes(spec))),
      drillSchedule: spec.objectStore.longhornBackups ? spec.components.longhorn.drillSchedule : undefined,
    }),
  ],
  dashboards: [COMPONENT_DASHBOARDS.longhorn],
  build: (chart, { spec, versions, scrapers }) => {
    const props = longhornProps(spec);
    new Longhorn(chart, 'longhorn', props);
    if (props.backupStore) {
      const lh = spec.components.longhorn;
      new LonghornRestoreDrill(chart, 'restore-drill', {
        labels: { ...props.labels, name: 'longhorn-restore-drill' },
        scripts: { drill: shippedScript('storage/longhorn/longhorn-restore-drill.sh'), canary: shippedScript('storage/longhorn/longhorn-drill-canary.sh') },
        kubectlImage: imageRef(versions, 'kubectl'),
        shellImage: imageRef(versions, 'preflight'),
        drillSchedule: lh.drillSchedule,
        canarySchedule: DRILL_CANARY_SCHEDULE,
        // The restored canary is at most one backup gap plus one canary gap old; an hour of slack.
        canaryMaxAgeSeconds: maxCronGapSeconds(lh.backupCron) + maxCronGapSeconds(DRILL_CANARY_SCHEDULE) + 3600,
        // No sync wave of its own: a CronJob needs nothing at apply time, and workloads of the
        // application in a later wave would read as the operator that its RecurringJobs wait for.
      });
    }
    // The chart's longhorn-manager NetworkPolicy admits only Longhorn's own pods; policies add
    // up, so this one lets Prometheus scrape the manager's metrics (longhorn-backend:9500).
    if (scrapers.length > 0) {
      new IngressPolicy(chart, 'manager-metrics', {
        name: 'longhorn-manager-metrics',
        app: props.labels,
        podSelector: { app: LONGHORN_MANAGER },
        allow: [{ ports: [LONGHORN_MANAGER_PORT], from: scrapers }],
      });
    }
  },
  helm: ({ spec }) => ({ chart: 'longhorn', releaseName: 'longhorn', values: longhornValues(longhornProps(spec)) }),
};
