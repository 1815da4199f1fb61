import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { unlessEmpty } from '../../core/collections';
import { AppLabels, selectorLabels, standardLabels } from '../../core/labels';
import { RenderedConfig } from '../../core/rendered-config';
import { ConfigMapKeyRef, configMapEnvVar } from '../../core/secret-env';
import { GatewayConfigOptions, gatewayConfig } from './collector-config';
import { CONFIG_FILE, collectorContainer, collectorPodMetadata, collectorServicePorts } from './collector-pod';

export interface OtelGatewayProps extends GatewayConfigOptions {
  readonly labels: AppLabels;
  /** `repository:tag` of a collector distribution with the components the config uses. */
  readonly image: string;
  /**
   * A ConfigMap key the gateway reads the cluster name from when it starts, stamped on everything
   * as `k8s.cluster.name`: for manifests the sites of a fleet share while each site's ConfigMap
   * names its own cluster. Excludes a `k8s.cluster.name` in `resourceAttributes`.
   * @default - only `resourceAttributes`
   */
  readonly clusterFrom?: ConfigMapKeyRef;
  /** @default 1024 */
  readonly memoryLimitMiB?: number;
  readonly annotations?: Record<string, string>;
}

/** The OpenTelemetry resource attribute naming the cluster, and the variable it is read from with `clusterFrom`. */
const CLUSTER_ATTRIBUTE = 'k8s.cluster.name';
const CLUSTER_VARIABLE = 'K8S_CLUSTER_NAME';

/**
 * The collector gateway: one Deployment replica behind a Service that receives OTLP from the
 * agents, tail-samples traces and exports to Tempo, Loki and Prometheus.
 *
 * Tail sampling decides per trace, so every span of a trace must reach the same replica: the
 * gateway runs exactly one replica (a second needs a trace-id-aware load-balancing exporter in
 * the agents).
 *
 * @see https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/processor/tailsamplingprocessor
 */
export class OtelGateway extends Construct {
  public readonly name = 'otel-gateway';
  public readonly memoryLimitMiB: number;

  constructor(scope: Construct, id: string, props: OtelGatewayProps) {
    super(scope, id);
    this.memoryLimitMiB = props.memoryLimitMiB ?? 1024;
    if (!(props.samplePercentage >= 0 && props.samplePercentage <= 100)) {
      throw new Error(`OtelGateway samplePercentage must be between 0 and 100 (got ${props.samplePercentage}).`);
    }
    if (props.clusterFrom && CLUSTER_ATTRIBUTE in props.resourceAttributes) {
      throw new Error(`OtelGateway takes ${CLUSTER_ATTRIBUTE} in resourceAttributes ("${props.resourceAttributes[CLUSTER_ATTRIBUTE]}") or clusterFrom (ConfigMap ${props.clusterFrom.name}), not both. Name the cluster one way.`);
    }
    const labels = standardLabels(props.labels);
    const env = props.clusterFrom && [configMapEnvVar(CLUSTER_VARIABLE, props.clusterFrom)];
    const metadata = { name: this.name, labels, annotations: unlessEmpty(props.annotations) };
    const config = gatewayConfig(
      props.clusterFrom ? { ...props, resourceAttributes: { [CLUSTER_ATTRIBUTE]: `\${env:${CLUSTER_VARIABLE}}`, ...props.resourceAttributes } } : props,
    );
    new ApiObject(this, 'ServiceAccount', { apiVersion: 'v1', kind: 'ServiceAccount', metadata, automountServiceAccountToken: false });
    new ApiObject(this, 'ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { [CONFIG_FILE]: config } });
    new ApiObject(this, 'Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: { type: 'ClusterIP', selector: selectorLabels(props.labels), ports: collectorServicePorts() },
    });
    new ApiObject(this, 'Deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        replicas: 1,
        // Never two replicas at once: a trace split between them would be sampled twice, or half.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selectorLabels(props.labels) },
        template: {
          metadata: collectorPodMetadata(labels, config),
          spec: {
            serviceAccountName: this.name,
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [collectorContainer({ name: 'otel-collector', image: props.image, config, memoryLimitMiB: this.memoryLimitMiB, cpuRequest: '200m', runAsUser: 10001, env })],
            volumes: [{ name: 'config', configMap: { name: this.name } }],
          },
        },
      },
    });
    new RenderedConfig(this, 'Config', { name: 'otel-gateway', description: 'OpenTelemetry Collector gateway (Deployment) configuration', content: config });
  }
}
