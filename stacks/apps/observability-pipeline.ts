/**
 * The telemetry pipeline's applications: Loki, Tempo, the OpenTelemetry Collector gateway and
 * Grafana's datasources and dashboards, in the `monitoring` namespace beside the
 * kube-prometheus-stack that provides Prometheus, Alertmanager and Grafana itself; and the
 * collector agent, which reads the host, in its own privileged namespace.
 *
 * Every address one component uses to reach another is built here from the same names the
 * Services are synthesized with; validation/wiring.ts checks the rendered result.
 */
import { Construct } from 'constructs';
import { EnvironmentSpec } from '../../environments/schema';
import { environmentFile, objectStoreRegion } from '../environment';
import { AppLabels, ConfigMapKeyRef, IngressAllow, IngressPolicy, SecretEnv, selectorLabels } from '../../constructs/core';
import { collectorAlerts, lokiAlerts, tempoAlerts } from '../../constructs/observability/alerts';
import { COMPONENT_DASHBOARDS, DashboardSpec, GrafanaDashboard, GrafanaDatasources, ON_CALL_DASHBOARD } from '../../constructs/observability/grafana';
import { Loki, LokiStorage } from '../../constructs/observability/loki';
import { METRICS_PORT, OTLP_GRPC_PORT, OTLP_HTTP_PORT, OtelAgent, OtelGateway } from '../../constructs/observability/otel-collector';
import { Tempo, TempoStorage } from '../../constructs/observability/tempo';
import { ExternalSecret } from '../../constructs/secrets';
import { goDuration } from '../durations';
import { InputError } from '../errors';
import type { AppDescriptor, ServiceAddress } from '../application';
import { imageRef, versionLabel } from '../versions';
import { Wave, syncWave } from '../waves';
import { GRAFANA_DATA, HOST_AGENTS_NAMESPACE, LOKI_DATA, MONITORING_NAMESPACE, OTEL_AGENT_DATA, OTEL_DATA, TEMPO_DATA } from './catalog';

/**
 * Services other applications create that the pipeline's configs point at. The
 * prometheus-operator creates `prometheus-operated` and `alertmanager-operated` for the
 * kube-prometheus-stack's Prometheus and Alertmanager; gitplane never renders them itself.
 */
export const EXTERNAL_SERVICES = {
  prometheus: { name: 'prometheus-operated', namespace: MONITORING_NAMESPACE, port: 9090 },
  alertmanager: { name: 'alertmanager-operated', namespace: MONITORING_NAMESPACE, port: 9093 },
} as const satisfies Record<string, ServiceAddress>;

/** `name.namespace.svc:port`, the in-cluster address gRPC clients dial. */
export function hostPort(s: ServiceAddress): string {
  return `${s.name}.${s.namespace}.svc:${s.port}`;
}

/** `http://name.namespace.svc:port<path>`. */
export function httpUrl(s: ServiceAddress, path = ''): string {
  return `http://${hostPort(s)}${path}`;
}

const LOKI: ServiceAddress = { name: 'loki', namespace: MONITORING_NAMESPACE, port: Loki.HTTP_PORT };
const TEMPO_HTTP: ServiceAddress = { name: 'tempo', namespace: MONITORING_NAMESPACE, port: Tempo.HTTP_PORT };
const TEMPO_OTLP: ServiceAddress = { name: 'tempo', namespace: MONITORING_NAMESPACE, port: Tempo.OTLP_GRPC_PORT };
const GATEWAY_OTLP: ServiceAddress = { name: 'otel-gateway', namespace: MONITORING_NAMESPACE, port: OTLP_GRPC_PORT };

function labels(spec: EnvironmentSpec, name: string, version?: string): AppLabels {
  return { name, instance: `${name}-${spec.name}`, component: 'observability', version };
}

const enabled = (spec: EnvironmentSpec) => spec.components.observability.enabled;

/**
 * The ConfigMap key that names the cluster at each site of a fleet: kube-prometheus-stack's
 * release renders it from its `cluster` external label, which the ApplicationSet sets per cluster
 * as a Helm parameter (stacks/apps/monitoring.ts).
 */
export const TELEMETRY_CLUSTER: ConfigMapKeyRef = { name: 'telemetry-cluster', key: 'cluster' };

/**
 * How the collector and Tempo name the cluster: written in their configs for a single cluster; in
 * a fleet, whose sites share these manifests, read when they start from each site's own
 * TELEMETRY_CLUSTER ConfigMap.
 */
function clusterName(spec: EnvironmentSpec): { cluster?: string; clusterFrom?: ConfigMapKeyRef } {
  return isFleet(spec) ? { clusterFrom: TELEMETRY_CLUSTER } : { cluster: spec.cluster.name };
}

export const isFleet = (spec: EnvironmentSpec): boolean => spec.cluster.fleet.length > 0;

/**
 * Object-store credentials for a component: an ExternalSecret from the environment's store when
 * `secrets.refs.<ref>` names an entry (with `access_key_id` and `secret_access_key` properties),
 * passed to the container as the AWS SDK's environment variables. Without the ref, the SDK's
 * default chain (IRSA, instance profile) supplies them.
 */
function objectStoreCredentials(scope: Construct, spec: EnvironmentSpec, ref: string, app: AppLabels): SecretEnv | undefined {
  const remoteKey = spec.secrets.refs[ref];
  if (remoteKey === undefined) return undefined;
  if (spec.secrets.provider === 'external-secrets') {
    new ExternalSecret(scope, 'ObjectStoreCredentials', {
      name: ref,
      labels: app,
      store: spec.secrets.store,
      data: [
        { secretKey: 'access_key_id', remoteKey, property: 'access_key_id' },
        { secretKey: 'secret_access_key', remoteKey, property: 'secret_access_key' },
      ],
      // Before the workload that reads it: a pod whose Secret is missing never becomes ready,
      // and Argo CD would wait on it forever before reaching a later wave.
      annotations: syncWave(Wave.Operators),
    });
  }
  return { secretName: ref, keys: { AWS_ACCESS_KEY_ID: 'access_key_id', AWS_SECRET_ACCESS_KEY: 'secret_access_key' } };
}

/**
 * The monitoring namespace is shared with the kube-prometheus-stack chart's pods, whose traffic
 * the chart owns, so there is no namespace-wide default deny here: each gitplane workload gets
 * its own policy that admits only its senders (the gateway, Grafana and Prometheus, all in
 * monitoring; applications anywhere for the agent's OTLP receivers) and denies everything else.
 */
function admitOnly(scope: Construct, app: AppLabels, allow: readonly IngressAllow[]): void {
  new IngressPolicy(scope, 'network-policy', { name: app.name, app, podSelector: selectorLabels(app), allow });
}

const FROM_MONITORING = [{ namespace: MONITORING_NAMESPACE }] as const;

export const LOKI_APP: AppDescriptor = {
  ...LOKI_DATA,
  enabled,
  alerts: () => [lokiAlerts()],
  dashboards: [COMPONENT_DASHBOARDS.loki],
  scrape: ({ spec, versions }) => [{ name: 'loki', labels: labels(spec, 'loki', versionLabel(versions, 'loki')), port: 'http-metrics' }],
  build: (chart, { spec, versions }) => {
    const app = labels(spec, 'loki', versionLabel(versions, 'loki'));
    const bucket = spec.objectStore.lokiChunks;
    const storage: LokiStorage = bucket
      ? { type: 's3', bucket: bucket.bucket, region: objectStoreRegion(spec, 'lokiChunks'), prefix: bucket.prefix, endpoint: spec.objectStore.endpoint }
      : { type: 'filesystem' };
    new Loki(chart, 'loki', {
      labels: app,
      image: imageRef(versions, 'loki'),
      retentionPeriod: spec.components.observability.loki.retention,
      storageSize: spec.components.observability.loki.storageSize,
      storage,
      credentials: bucket ? objectStoreCredentials(chart, spec, 'loki-object-store', app) : undefined,
    });
    // Pushes from the gateway, queries from Grafana, scrapes from Prometheus.
    admitOnly(chart, app, [{ ports: [Loki.HTTP_PORT, Loki.GRPC_PORT], from: FROM_MONITORING }]);
  },
};

export const TEMPO_APP: AppDescriptor = {
  ...TEMPO_DATA,
  enabled,
  alerts: () => [tempoAlerts()],
  dashboards: [COMPONENT_DASHBOARDS.tempo],
  scrape: ({ spec, versions }) => [{ name: 'tempo', labels: labels(spec, 'tempo', versionLabel(versions, 'tempo')), port: 'http' }],
  build: (chart, { spec, versions }) => {
    const app = labels(spec, 'tempo', versionLabel(versions, 'tempo'));
    const bucket = spec.objectStore.tempoTraces;
    let storage: TempoStorage = { type: 'local' };
    if (bucket) {
      const r = objectStoreRegion(spec, 'tempoTraces');
      const endpoint = spec.objectStore.endpoint?.replace(/^https?:\/\//, '') ?? `s3.${r}.amazonaws.com`;
      storage = { type: 's3', bucket: bucket.bucket, region: r, endpoint, prefix: bucket.prefix };
    }
    new Tempo(chart, 'tempo', {
      labels: app,
      image: imageRef(versions, 'tempo'),
      blockRetention: goDuration(spec.components.observability.tempo.retention),
      storageSize: spec.components.observability.tempo.storageSize,
      remoteWriteUrl: httpUrl(EXTERNAL_SERVICES.prometheus, '/api/v1/write'),
      ...clusterName(spec),
      storage,
      credentials: bucket ? objectStoreCredentials(chart, spec, 'tempo-object-store', app) : undefined,
    });
    // OTLP from the gateway, queries from Grafana, scrapes from Prometheus.
    admitOnly(chart, app, [{ ports: [Tempo.HTTP_PORT, Tempo.GRPC_PORT, Tempo.OTLP_GRPC_PORT, Tempo.OTLP_HTTP_PORT], from: FROM_MONITORING }]);
  },
};


export const OTEL_APP: AppDescriptor = {
  ...OTEL_DATA,
  enabled,
  alerts: () => [collectorAlerts()],
  dashboards: [COMPONENT_DASHBOARDS['otel-collector']],
  scrape: ({ spec, versions }) => [{ name: 'otel-gateway', labels: labels(spec, 'otel-gateway', versionLabel(versions, 'otel-collector')), port: 'metrics' }],
  build: (chart, { spec, versions }) => {
    const collector = spec.components.observability.collector;
    if (collector.gatewayReplicas !== 1) {
      throw new InputError([
        `${environmentFile(spec)}: components.observability.collector.gatewayReplicas must be 1 (got ${collector.gatewayReplicas}). The gateway tail-samples traces, which needs every span of a trace on one replica; scale it up (memory) instead.`,
      ]);
    }
    const gateway = labels(spec, 'otel-gateway', versionLabel(versions, 'otel-collector'));
    const { cluster, clusterFrom } = clusterName(spec);
    new OtelGateway(chart, 'gateway', {
      labels: gateway,
      image: imageRef(versions, 'otel-collector'),
      tempoEndpoint: hostPort(TEMPO_OTLP),
      lokiEndpoint: httpUrl(LOKI, '/otlp'),
      prometheusEndpoint: httpUrl(EXTERNAL_SERVICES.prometheus, '/api/v1/otlp'),
      slowTraceThresholdMs: collector.slowTraceThresholdMs,
      samplePercentage: collector.samplePercentage,
      resourceAttributes: { ...(cluster === undefined ? {} : { 'k8s.cluster.name': cluster }), 'deployment.environment.name': spec.name },
      clusterFrom,
    });
    // The gateway hears only the agents; Prometheus scrapes it from monitoring.
    new IngressPolicy(chart, 'gateway-network-policy', {
      name: gateway.name,
      app: gateway,
      podSelector: selectorLabels(gateway),
      allow: [
        { ports: [OTLP_GRPC_PORT, OTLP_HTTP_PORT], from: [{ namespace: HOST_AGENTS_NAMESPACE }] },
        { ports: [METRICS_PORT], from: FROM_MONITORING },
      ],
    });
  },
};

/** The collector agent on every node, in the privileged namespace of the host collectors. */
export const OTEL_AGENT_APP: AppDescriptor = {
  ...OTEL_AGENT_DATA,
  enabled,
  scrape: ({ spec, versions }) => [{ name: 'otel-agent', labels: labels(spec, 'otel-agent', versionLabel(versions, 'otel-collector')), port: 'metrics' }],
  build: (chart, { spec, versions }) => {
    const agent = labels(spec, 'otel-agent', versionLabel(versions, 'otel-collector'));
    new OtelAgent(chart, 'agent', { labels: agent, namespace: HOST_AGENTS_NAMESPACE, image: imageRef(versions, 'otel-collector'), gatewayEndpoint: hostPort(GATEWAY_OTLP) });
    // The agents hear applications on any namespace of their node; Prometheus scrapes them from monitoring.
    new IngressPolicy(chart, 'agent-network-policy', {
      name: agent.name,
      app: agent,
      podSelector: selectorLabels(agent),
      allow: [
        { ports: [OTLP_GRPC_PORT, OTLP_HTTP_PORT], from: [{ cluster: true }] },
        { ports: [METRICS_PORT], from: FROM_MONITORING },
      ],
    });
  },
};

export const GRAFANA_APP: AppDescriptor = {
  ...GRAFANA_DATA,
  enabled,
  build: (chart, { spec, apps }) => {
    const app = labels(spec, 'grafana-config');
    new GrafanaDatasources(chart, 'datasources', {
      labels: app,
      prometheusUrl: httpUrl(EXTERNAL_SERVICES.prometheus),
      lokiUrl: httpUrl(LOKI),
      tempoUrl: httpUrl(TEMPO_HTTP),
    });
    for (const dashboard of environmentDashboards(apps)) new GrafanaDashboard(chart, dashboard.uid, { labels: app, dashboard });
  },
};

/** The dashboards Grafana shows: the on-call screen, then those of the applications the environment runs. */
export function environmentDashboards(apps: readonly AppDescriptor[]): DashboardSpec[] {
  return [ON_CALL_DASHBOARD, ...apps.flatMap((a) => a.dashboards ?? [])];
}

/** The pipeline's applications, in output order. */
export const OBSERVABILITY_PIPELINE_APPS: readonly AppDescriptor[] = [LOKI_APP, TEMPO_APP, OTEL_APP, OTEL_AGENT_APP, GRAFANA_APP];
