import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { unlessEmpty } from '../../core/collections';
import { AppLabels, PRIVILEGED_REASON, selectorLabels, standardLabels } from '../../core/labels';
import { RenderedConfig } from '../../core/rendered-config';
import { agentConfig } from './collector-config';
import { CONFIG_FILE, collectorContainer, collectorPodMetadata, collectorServicePorts } from './collector-pod';
import { CollectorRbac } from './collector-rbac';

export interface OtelAgentProps {
  readonly labels: AppLabels;
  readonly namespace: string;
  /** `repository:tag` of a collector distribution with the components the config uses. */
  readonly image: string;
  /** `host:port` of the gateway's OTLP gRPC receiver. */
  readonly gatewayEndpoint: string;
  /** @default 512 */
  readonly memoryLimitMiB?: number;
  readonly annotations?: Record<string, string>;
}

/**
 * The collector agent: a DaemonSet on every node (control planes included) that receives OTLP
 * from the node's pods through a node-local Service, tails pod logs, scrapes the kubelet and the
 * host, adds Kubernetes attributes and forwards everything to the gateway.
 *
 * @see https://opentelemetry.io/docs/platforms/kubernetes/collector/components/
 */
export class OtelAgent extends Construct {
  public readonly name = 'otel-agent';
  public readonly memoryLimitMiB: number;

  constructor(scope: Construct, id: string, props: OtelAgentProps) {
    super(scope, id);
    this.memoryLimitMiB = props.memoryLimitMiB ?? 512;
    const labels = standardLabels(props.labels);
    const metadata = (name: string) => ({ name, labels, annotations: unlessEmpty(props.annotations) });
    const config = agentConfig({
      gatewayEndpoint: props.gatewayEndpoint,
      excludeLogPaths: [`/var/log/pods/${props.namespace}_${this.name}-*/*/*.log`],
    });
    const rbac = new CollectorRbac(this, 'Rbac', { name: this.name, namespace: props.namespace, labels: props.labels, annotations: props.annotations });
    new ApiObject(this, 'ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(this.name), data: { [CONFIG_FILE]: config } });
    new ApiObject(this, 'Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(this.name),
      spec: {
        type: 'ClusterIP',
        // Pods reach the agent on their own node; spans and logs never cross nodes twice.
        internalTrafficPolicy: 'Local',
        selector: selectorLabels(props.labels),
        ports: collectorServicePorts(),
      },
    });
    new ApiObject(this, 'DaemonSet', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: metadata(this.name),
      spec: {
        selector: { matchLabels: selectorLabels(props.labels) },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: collectorPodMetadata(labels, config, {
            [PRIVILEGED_REASON]: 'runs as uid 0 (no capabilities) to read the root-owned pod logs under /var/log/pods and the host\'s /proc, /sys and filesystems for hostmetrics',
          }),
          spec: {
            serviceAccountName: rbac.serviceAccountName,
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            // Every node, control planes and tainted nodes included, has pods and logs to collect.
            tolerations: [{ operator: 'Exists' }],
            priorityClassName: 'system-node-critical',
            containers: [
              collectorContainer({
                name: 'otel-collector',
                image: props.image,
                config,
                memoryLimitMiB: this.memoryLimitMiB,
                cpuRequest: '100m',
                // Pod log files are root-owned and mode 0640; reading them needs uid 0 (no capabilities).
                runAsUser: 0,
                env: [
                  { name: 'KUBE_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                  { name: 'K8S_NODE_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
                ],
                volumeMounts: [
                  { name: 'varlogpods', mountPath: '/var/log/pods', readOnly: true },
                  { name: 'hostfs', mountPath: '/hostfs', readOnly: true, mountPropagation: 'HostToContainer' },
                ],
              }),
            ],
            volumes: [
              { name: 'config', configMap: { name: this.name } },
              { name: 'varlogpods', hostPath: { path: '/var/log/pods', type: 'Directory' } },
              { name: 'hostfs', hostPath: { path: '/', type: 'Directory' } },
            ],
          },
        },
      },
    });
    new RenderedConfig(this, 'Config', { name: 'otel-agent', description: 'OpenTelemetry Collector agent (DaemonSet) configuration', content: config });
  }
}
