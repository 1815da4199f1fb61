/**
 * The `observability-prometheus` application: kube-prometheus-stack from its pinned chart, plus
 * gitplane's alert rules, the receivers' ExternalSecret and the rendered alertmanager.yml.
 */
import { EnvironmentSpec } from '../../environments/schema';
import {
  AlertSet,
  argocdAlerts,
  collectorAlerts,
  etcdAlerts,
  longhornAlerts,
  lokiAlerts,
  natsAlerts,
  nodeAlerts,
  preflightAlerts,
  tempoAlerts,
  watchdogAlerts,
  workloadAlerts,
} from '../../constructs/observability/alerts';
import { PREFLIGHT_TEXTFILE_DIR } from '../../constructs/node/preflight';
import {
  AlertmanagerConfigProps,
  alertmanagerConfig,
  alertmanagerConfigProblems,
  alertmanagerTemplate,
  kubePrometheusStackValues,
  MonitoringStack,
  NOTIFICATION_TEMPLATE_FILE,
} from '../../constructs/observability/prometheus';
import { environmentFile } from '../environment';
import { InputError } from '../errors';
import type { PlatformApp } from '../platform';
import { Wave, syncWave } from '../waves';

export const MONITORING_NAMESPACE = 'monitoring';
/** Secret of receiver credentials, mounted into Alertmanager at /etc/alertmanager/secrets/<name>/. */
export const RECEIVER_SECRET = 'alertmanager-receivers';

/** The built-in alert sets of the components an environment runs. */
export function alertSetsFor(spec: EnvironmentSpec): AlertSet[] {
  const c = spec.components;
  const kubeadm = spec.cluster.distribution === 'kubeadm';
  const storageNodes = spec.cluster.nodes.filter((n) => n.roles.includes('storage')).length;
  return [
    watchdogAlerts(),
    nodeAlerts(),
    workloadAlerts(),
    collectorAlerts(),
    lokiAlerts(),
    tempoAlerts(),
    argocdAlerts({ outOfSyncHours: spec.gitops.sync.automated ? 2 : 6 }),
    ...(kubeadm ? [etcdAlerts(c.etcdBackup.enabled ? { backups: { backupSchedule: c.etcdBackup.schedule, drillSchedule: c.etcdBackup.drillSchedule } } : {})] : []),
    ...(c.longhorn.enabled ? [longhornAlerts({ numberOfReplicas: c.longhorn.numberOfReplicas ?? Math.min(3, Math.max(1, storageNodes)) })] : []),
    ...(c.nats.enabled ? [natsAlerts()] : []),
    ...(c.preflight.enabled ? [preflightAlerts()] : []),
  ];
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
  });
}

export const MONITORING_APP: PlatformApp = {
  name: 'observability-prometheus',
  namespace: MONITORING_NAMESPACE,
  wave: Wave.Operators,
  component: 'observability',
  enabled: (spec) => spec.components.observability.enabled,
  build: (chart, { spec }) => {
    const receiverRefs = [...new Set(spec.alerting.receivers.map((r) => r.secretRef))].sort();
    new MonitoringStack(chart, 'monitoring', {
      namespace: MONITORING_NAMESPACE,
      app: { name: 'prometheus', instance: `prometheus-${spec.name}`, component: 'observability' },
      runbookBaseUrl: spec.gitops.runbookBaseUrl,
      alertSets: alertSetsFor(spec),
      alertmanagerConfig: alertmanagerConfig(alertmanagerPropsFor(spec)),
      alertmanagerTemplate: alertmanagerTemplate(alertmanagerPropsFor(spec)),
      receiverSecret:
        spec.secrets.provider === 'external-secrets' && receiverRefs.length > 0
          ? { name: RECEIVER_SECRET, store: spec.secrets.store, entries: Object.fromEntries(receiverRefs.map((k) => [k, spec.secrets.refs[k]])) }
          : undefined,
      customResourceAnnotations: syncWave(Wave.CustomResources),
    });
  },
  helm: ({ spec }) => ({ chart: 'kube-prometheus-stack', releaseName: 'kps', values: valuesFor(spec) }),
};
