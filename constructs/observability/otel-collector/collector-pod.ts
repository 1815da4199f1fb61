import { configHash } from '../single-binary';
import { HEALTH_PORT, METRICS_PORT, OTLP_GRPC_PORT, OTLP_HTTP_PORT } from './collector-config';

/** Where the config file is mounted in a collector container. */
export const CONFIG_DIR = '/etc/otelcol';
export const CONFIG_FILE = 'config.yaml';

const COLLECTOR_PORTS = [
  { name: 'otlp-grpc', port: OTLP_GRPC_PORT },
  { name: 'otlp-http', port: OTLP_HTTP_PORT },
  { name: 'metrics', port: METRICS_PORT },
] as const;

/** The Service ports both the agent and the gateway expose, each targeting the container port of the same name. */
export function collectorServicePorts(): Record<string, unknown>[] {
  return COLLECTOR_PORTS.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: 'TCP' }));
}

export interface CollectorContainerOptions {
  readonly name: string;
  readonly image: string;
  readonly config: string;
  /** Memory limit in MiB; GOMEMLIMIT is set to 80% of it so the Go runtime collects before the kernel kills. */
  readonly memoryLimitMiB: number;
  readonly cpuRequest: string;
  readonly env?: readonly Record<string, unknown>[];
  readonly volumeMounts?: readonly Record<string, unknown>[];
  readonly runAsUser: number;
}

/** The collector container both the agent and the gateway run, with probes on the health_check extension. */
export function collectorContainer(o: CollectorContainerOptions): Record<string, unknown> {
  return {
    name: o.name,
    image: o.image,
    imagePullPolicy: 'IfNotPresent',
    args: [`--config=${CONFIG_DIR}/${CONFIG_FILE}`],
    ports: [...COLLECTOR_PORTS.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })), { name: 'health', containerPort: HEALTH_PORT, protocol: 'TCP' }],
    env: [
      { name: 'MY_POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'GOMEMLIMIT', value: `${Math.floor(o.memoryLimitMiB * 0.8)}MiB` },
      ...(o.env ?? []),
    ],
    readinessProbe: { httpGet: { path: '/', port: 'health' }, periodSeconds: 10 },
    livenessProbe: { httpGet: { path: '/', port: 'health' }, initialDelaySeconds: 10, periodSeconds: 20, failureThreshold: 3 },
    resources: { requests: { cpu: o.cpuRequest, memory: `${Math.floor(o.memoryLimitMiB / 2)}Mi` }, limits: { memory: `${o.memoryLimitMiB}Mi` } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      runAsUser: o.runAsUser,
      runAsNonRoot: o.runAsUser !== 0,
    },
    volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }, ...(o.volumeMounts ?? [])],
  };
}

/** Pod template metadata: labels, a config hash so a config change rolls the pods, and any extra annotations. */
export function collectorPodMetadata(labels: Record<string, string>, config: string, annotations: Record<string, string> = {}): Record<string, unknown> {
  return { labels, annotations: { 'gitplane.dev/config-hash': configHash(config), ...annotations } };
}
