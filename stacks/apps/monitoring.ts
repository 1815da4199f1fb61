/**
 * The `observability-prometheus` application: kube-prometheus-stack from its pinned chart, plus
 * gitplane's alert rules, the receivers' ExternalSecret and the rendered alertmanager.yml.
 */
import { EnvironmentSpec } from '../../environments/schema';
import { AlertSet, RunbookLinks, argocdAlerts, etcdAlerts, monitoringAlerts, nodeAlerts, recordingRuleSets, serviceAlerts, watchdogAlerts, workloadAlerts } from '../../constructs/observability/alerts';
import { PREFLIGHT_TEXTFILE_DIR } from '../../constructs/node/preflight';
import {
  AlertmanagerConfigProps,
  alertmanagerConfig,
  alertmanagerConfigProblems,
  alertmanagerTemplate,
  GRAFANA_ADMIN_KEYS,
  kubePrometheusStackValues,
  KUBE_SYSTEM_NAMESPACE,
  MonitoringStack,
  NOTIFICATION_TEMPLATE_FILE,
  notifiedReceivers,
  UNROUTED_RECEIVER,
} from '../../constructs/observability/prometheus';
import { ExternalSecret } from '../../constructs/secrets';
import { environmentFile, GRAFANA_ADMIN_SECRET_REF } from '../environment';
import { InputError } from '../errors';
import { AppDescriptor, appContext, PlatformContext } from '../application';
import { environmentDashboards, EXTERNAL_SERVICES, isFleet, TELEMETRY_CLUSTER } from './observability-pipeline';
import { runbookLinks } from '../../constructs/observability/grafana';
import { ARGOCD_CONTROLLER_METRICS, argoCdIsLocal } from '../bootstrap';
import { LONGHORN_APP, LONGHORN_MANAGER_METRICS } from './longhorn';
import { Wave, syncWave } from '../waves';
import { HOST_AGENTS_NAMESPACE, MONITORING_DATA, MONITORING_NAMESPACE } from './catalog';

/** Secret of receiver credentials, mounted into Alertmanager at /etc/alertmanager/secrets/<name>/. */
export const RECEIVER_SECRET = 'alertmanager-receivers';

/**
 * The platform's own rules: the recorded series its dashboards and alerts share; alerts on the
 * pipeline's heartbeat and its own health, nodes, workloads, services' span metrics, Argo CD and
 * the control plane's etcd. The Argo CD alerts ship only where this Prometheus scrapes Argo CD's
 * controller (its own cluster); a fleet site's Prometheus has no Argo CD to scrape, so they would
 * never fire there.
 */
function platformAlerts(spec: EnvironmentSpec): AlertSet[] {
  const etcd = spec.components.etcdBackup;
  return [
    ...recordingRuleSets(),
    watchdogAlerts(),
    monitoringAlerts(),
    nodeAlerts(),
    workloadAlerts(),
    serviceAlerts(),
    ...(argoCdIsLocal(spec) ? [argocdAlerts({ outOfSyncHours: spec.gitops.sync.automated ? 2 : 6 })] : []),
    ...(spec.cluster.distribution === 'kubeadm' ? [etcdAlerts(etcd.enabled ? { backups: { backupSchedule: etcd.schedule, drillSchedule: etcd.drillSchedule } } : {})] : []),
  ];
}

/**
 * Every alert set of an environment: those of the applications it runs, this one's included,
 * each alert labelled with its owning team: its application's owner, or the platform's
 * (`alerting.owner`), unless the alert names its team itself.
 */
export function alertSetsFor(ctx: PlatformContext): AlertSet[] {
  return ctx.apps.flatMap((a) => {
    const team = a.owner ?? ctx.spec.alerting.owner;
    return (a.alerts?.(appContext(ctx, a)) ?? []).map((set) => ({ ...set, alerts: set.alerts.map((alert) => ({ ...alert, labels: { team, ...alert.labels } })) }));
  });
}

/**
 * Grafana links for runbooks, where the environment names Grafana's URL: a fleet's sites share one
 * runbook, so its links filter on the environment only, not on a site's cluster.
 */
function runbookLinksFor(ctx: PlatformContext): ((alert: { readonly expr: string }) => RunbookLinks) | undefined {
  const { spec } = ctx;
  const grafanaUrl = spec.alerting.grafanaUrl;
  if (!grafanaUrl) return undefined;
  const props = { grafanaUrl, environment: spec.name, cluster: spec.cluster.fleet.length === 0 ? spec.cluster.name : undefined, dashboards: environmentDashboards(ctx.apps) };
  return (alert) => runbookLinks(props, alert);
}

/** The receivers the environment's Alertmanager notifies of an alert with these labels; none when it drops the alert. */
export function receiversFor(spec: EnvironmentSpec): (labels: Readonly<Record<string, string>>) => string[] {
  const config = alertmanagerConfig(alertmanagerPropsFor(spec));
  return (labels) => notifiedReceivers(config, labels).filter((r) => r !== UNROUTED_RECEIVER);
}

/** The Alertmanager props of an environment; throws an InputError naming the fields when they do not fit together. */
export function alertmanagerPropsFor(spec: EnvironmentSpec): AlertmanagerConfigProps {
  const a = spec.alerting;
  const props: AlertmanagerConfigProps = {
    environment: spec.name,
    grafanaUrl: a.grafanaUrl,
    receivers: a.receivers.map((r) => ({ ...r, secretKey: r.secretRef })),
    routes: a.routes,
    groupBy: a.groupBy,
    groupWait: a.groupWait,
    groupInterval: a.groupInterval,
    repeatInterval: a.repeatInterval,
    secretDir: `/etc/alertmanager/secrets/${RECEIVER_SECRET}`,
  };
  const problems = alertmanagerConfigProblems(props);
  for (const [i, r] of a.receivers.entries()) {
    if (!Object.hasOwn(spec.secrets.refs, r.secretRef)) {
      problems.push(`alerting.receivers[${i}].secretRef "${r.secretRef}" names no entry of secrets.refs (known: ${Object.keys(spec.secrets.refs).join(', ') || 'none'}). Add it to secrets.refs.`);
    }
  }
  if (a.receivers.length > 0 && spec.secrets.provider === 'none') {
    problems.push('alerting.receivers need credentials, but secrets.provider is "none". Use external-secrets, or sealed-secrets with a SealedSecret named alertmanager-receivers.');
  }
  if (problems.length > 0) throw new InputError(problems.map((p) => `${environmentFile(spec)}: ${p}`));
  return props;
}

function valuesFor(spec: EnvironmentSpec): Record<string, unknown> {
  const p = spec.components.observability.prometheus;
  return kubePrometheusStackValues({
    distribution: spec.cluster.distribution,
    retention: p.retention,
    storageSize: p.storageSize,
    replicas: p.replicas,
    alertmanagerConfig: alertmanagerConfig(alertmanagerPropsFor(spec)),
    alertmanagerSecrets: spec.alerting.receivers.length > 0 ? [RECEIVER_SECRET] : [],
    alertmanagerTemplates: { [NOTIFICATION_TEMPLATE_FILE]: alertmanagerTemplate(alertmanagerPropsFor(spec)) },
    alertmanagerUrl: spec.alerting.alertmanagerUrl,
    externalLabels: { environment: spec.name, cluster: spec.cluster.name },
    // The preflight's gitplane_preflight.prom, which the preflight alerts query.
    textfileDirectory: spec.components.preflight.enabled ? PREFLIGHT_TEXTFILE_DIR : undefined,
    nodeExporterNamespace: HOST_AGENTS_NAMESPACE,
    grafanaAdminSecret: GRAFANA_ADMIN_SECRET_REF,
    // The fleet's collector and Tempo read their site's cluster from it.
    clusterConfigMap: isFleet(spec) ? TELEMETRY_CLUSTER : undefined,
  });
}

export const MONITORING_APP: AppDescriptor = {
  ...MONITORING_DATA,
  enabled: (spec) => spec.components.observability.enabled,
  services: () => Object.values(EXTERNAL_SERVICES),
  alerts: ({ spec }) => platformAlerts(spec),
  // Argo CD's controller, installed by Pulumi, serves the series of the Argo CD alerts; Longhorn's
  // managers serve its alerts' and dashboard's.
  scrape: ({ spec, apps }) => [
    ...(argoCdIsLocal(spec) ? [ARGOCD_CONTROLLER_METRICS] : []),
    ...(apps.some((a) => a.name === LONGHORN_APP.name) ? [LONGHORN_MANAGER_METRICS] : []),
  ],
  build: (chart, ctx) => {
    const { spec } = ctx;
    const receiverRefs = [...new Set(spec.alerting.receivers.map((r) => r.secretRef))].sort();
    new MonitoringStack(chart, 'monitoring', {
      namespace: MONITORING_NAMESPACE,
      app: { name: 'prometheus', instance: `prometheus-${spec.name}`, component: 'observability' },
      runbookBaseUrl: spec.gitops.runbookBaseUrl,
      alertSets: alertSetsFor(ctx),
      notifies: receiversFor(spec),
      runbookLinks: runbookLinksFor(ctx),
      alertmanagerConfig: alertmanagerConfig(alertmanagerPropsFor(spec)),
      alertmanagerTemplate: alertmanagerTemplate(alertmanagerPropsFor(spec)),
      receiverSecret:
        spec.secrets.provider === 'external-secrets' && receiverRefs.length > 0
          ? { name: RECEIVER_SECRET, store: spec.secrets.store, entries: Object.fromEntries(receiverRefs.map((k) => [k, spec.secrets.refs[k]])) }
          : undefined,
      customResourceAnnotations: syncWave(Wave.CustomResources),
    });
    // Without a provider the Secret is created by hand (docs/observability.md).
    if (spec.secrets.provider === 'external-secrets') {
      const remoteKey = spec.secrets.refs[GRAFANA_ADMIN_SECRET_REF];
      new ExternalSecret(chart, 'grafana-admin', {
        name: GRAFANA_ADMIN_SECRET_REF,
        labels: { name: 'grafana', instance: `grafana-${spec.name}`, component: 'observability' },
        store: spec.secrets.store,
        data: Object.values(GRAFANA_ADMIN_KEYS).map((key) => ({ secretKey: key, remoteKey, property: key })),
        // Before the chart's Grafana, whose pod does not start while the Secret is missing.
        annotations: syncWave(Wave.Operators),
      });
    }
  },
  helm: ({ spec }) => ({
    chart: 'kube-prometheus-stack',
    releaseName: 'kps',
    values: valuesFor(spec),
    // Every series and alert of a fleet site carries its own cluster.
    clusterNameValues: ['prometheus.prometheusSpec.externalLabels.cluster'],
    // The control-plane exporters' Services (CoreDNS everywhere; kube-proxy, etcd, scheduler and
    // controller-manager on kubeadm) are rendered in kube-system; see docs/decisions.md.
    // node-exporter runs in the host collectors' namespace.
    renderedNamespaces: [KUBE_SYSTEM_NAMESPACE, HOST_AGENTS_NAMESPACE],
    // Objects the chart renders as they are given, such as the fleet's TELEMETRY_CLUSTER ConfigMap.
    openKeys: ['extraManifests'],
  }),
};
