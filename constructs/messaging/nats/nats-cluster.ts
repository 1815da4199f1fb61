import { createHash } from 'node:crypto';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { unlessEmpty } from '../../core/collections';
import { AppLabels, REPLICATION_FACTOR, selectorLabels, standardLabels } from '../../core/labels';
import { IngressPolicy } from '../../core/network-policy';
import { RenderedConfig } from '../../core/rendered-config';
import { quantityBytes } from '../../core/units';
import { JETSTREAM_MOUNT, NATS_PORTS, renderNatsConfig } from './nats-config';

export interface NatsClusterProps {
  readonly labels: AppLabels;
  /**
   * Annotations of the custom resources (ServiceMonitor), such as their sync wave.
   * @default - none
   */
  readonly customResourceAnnotations?: Record<string, string>;
  /** @default 'nats' */
  readonly namespace?: string;
  /** Pinned NATS server image, `repository:tag`. */
  readonly image: string;
  /** Pinned prometheus-nats-exporter image. */
  readonly exporterImage: string;
  /**
   * Servers in the cluster: an odd number, so that a majority can elect a JetStream leader.
   * @default 3
   */
  readonly replicas?: number;
  /** Size of each server's JetStream volume and its `max_file_store`. @default '10Gi' */
  readonly fileStorage?: string;
  /** `max_memory_store`; the container's memory is sized above it. @default '256Mi' */
  readonly memoryStorage?: string;
  /** StorageClass of the JetStream volumes. @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /**
   * Copies JetStream keeps of the largest stream (its replicas), stated on the StatefulSet so
   * that storage which replicates again is found.
   * @default - the smaller of 3 and `replicas`
   */
  readonly streamReplicas?: number;
  /**
   * Whether two servers may share a node: `required` never lets them (a node loss costs one
   * server at most), `preferred` spreads them when it can.
   * @default 'required'
   */
  readonly antiAffinity?: 'required' | 'preferred';
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** Namespace of the Prometheus that scrapes the monitoring and metrics ports. @default 'monitoring' */
  readonly monitoringNamespace?: string;
}

/** Name of the StatefulSet, the client Service and the prefix of every pod name. Renaming loses data. */
export const NATS_NAME = 'nats';
export const NATS_HEADLESS = 'nats-headless';
/** Name of the JetStream volume claim template; PVCs are `nats-js-nats-<n>`. Renaming loses data. */
export const NATS_VOLUME = 'nats-js';
const LAME_DUCK_SECONDS = 30;
const LAME_DUCK_GRACE_SECONDS = 10;
// The Go runtime and connection buffers beyond the memory store.
const MEMORY_HEADROOM_BYTES = 256 * 2 ** 20;

/**
 * A NATS JetStream cluster as plain manifests: a StatefulSet of servers with a JetStream volume
 * each, a headless Service for routes, a client Service, `nats.conf` in a ConfigMap, a
 * PodDisruptionBudget that lets one server go at a time, lame-duck shutdown, and a
 * prometheus-nats-exporter sidecar scraped through a ServiceMonitor.
 *
 * @see https://docs.nats.io/running-a-nats-service/nats-kubernetes
 */
export class NatsCluster extends Construct {
  public readonly replicas: number;
  /** `nats.conf` exactly as the ConfigMap carries it. */
  public readonly config: string;
  /** URL clients in the cluster connect to. */
  public readonly clientUrl: string;

  constructor(scope: Construct, id: string, props: NatsClusterProps) {
    super(scope, id);
    this.replicas = props.replicas ?? 3;
    if (!Number.isInteger(this.replicas) || this.replicas < 1 || this.replicas % 2 === 0) {
      throw new Error(
        `NATS replicas must be an odd number (got ${this.replicas}). A JetStream cluster needs a majority to elect a leader, and an even number adds a server without tolerating another failure; use 1 for development, 3 or 5 otherwise.`,
      );
    }
    const namespace = props.namespace ?? 'nats';
    const clusterDomain = props.clusterDomain ?? 'cluster.local';
    const fileStorage = props.fileStorage ?? '10Gi';
    const memoryBytes = quantityBytes(props.memoryStorage ?? '256Mi');
    const labels = standardLabels(props.labels);
    const selector = selectorLabels(props.labels);
    this.clientUrl = `nats://${NATS_NAME}.${namespace}.svc.${clusterDomain}:${NATS_PORTS.client}`;
    this.config = renderNatsConfig({
      name: NATS_NAME,
      namespace,
      headlessService: NATS_HEADLESS,
      replicas: this.replicas,
      clusterDomain,
      maxFileStoreBytes: quantityBytes(fileStorage),
      maxMemoryStoreBytes: memoryBytes,
      lameDuckDurationSeconds: LAME_DUCK_SECONDS,
      lameDuckGracePeriodSeconds: LAME_DUCK_GRACE_SECONDS,
    });
    new RenderedConfig(this, 'RenderedConfig', { name: 'nats', description: 'nats.conf of the NATS JetStream servers', content: this.config });

    const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace, labels, ...extra });
    new ApiObject(this, 'ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('nats-config'), data: { 'nats.conf': this.config } });

    const port = (name: keyof typeof NATS_PORTS) => ({ name, port: NATS_PORTS[name], targetPort: name, protocol: 'TCP' });
    new ApiObject(this, 'HeadlessService', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(NATS_HEADLESS, { labels: { ...labels, 'gitplane.dev/scrape': 'true' } }),
      spec: {
        clusterIP: 'None',
        // Peers must resolve each other before they are ready, or the cluster never forms.
        publishNotReadyAddresses: true,
        selector,
        ports: [port('client'), port('cluster'), port('monitor'), port('metrics')],
      },
    });
    new ApiObject(this, 'ClientService', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(NATS_NAME),
      spec: { type: 'ClusterIP', selector, ports: [port('client')] },
    });
    // Clients anywhere in the cluster; routes only between the servers; monitoring and metrics
    // only for Prometheus. Probes come from the kubelet on the node, which NetworkPolicy admits.
    new IngressPolicy(this, 'NetworkPolicy', {
      name: NATS_NAME,
      app: props.labels,
      podSelector: selector,
      allow: [
        { ports: [NATS_PORTS.client], from: [{ cluster: true }] },
        { ports: [NATS_PORTS.cluster], from: [{ pods: selector }] },
        { ports: [NATS_PORTS.monitor, NATS_PORTS.metrics], from: [{ namespace: props.monitoringNamespace ?? 'monitoring' }] },
      ],
    });
    new ApiObject(this, 'PodDisruptionBudget', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(NATS_NAME),
      spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
    });

    const affinityTerm = { labelSelector: { matchLabels: selector }, topologyKey: 'kubernetes.io/hostname' };
    const podAntiAffinity =
      (props.antiAffinity ?? 'required') === 'required'
        ? { requiredDuringSchedulingIgnoredDuringExecution: [affinityTerm] }
        : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: affinityTerm }] };
    const containerSecurity = {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    };
    const probe = (path: string, extra: Record<string, number>) => ({
      httpGet: { path, port: 'monitor' },
      periodSeconds: 10,
      timeoutSeconds: 5,
      ...extra,
    });
    const memory = `${Math.ceil((memoryBytes + MEMORY_HEADROOM_BYTES) / 2 ** 20)}Mi`;
    new ApiObject(this, 'StatefulSet', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta(NATS_NAME, { annotations: { [REPLICATION_FACTOR]: String(props.streamReplicas ?? Math.min(3, this.replicas)) } }),
      spec: {
        replicas: this.replicas,
        serviceName: NATS_HEADLESS,
        // All servers start together so the first can find a quorum.
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels,
            annotations: { 'gitplane.dev/config-sha256': createHash('sha256').update(this.config).digest('hex') },
          },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: LAME_DUCK_SECONDS + LAME_DUCK_GRACE_SECONDS + 20,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            affinity: { podAntiAffinity },
            containers: [
              {
                name: 'nats',
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                // nats-server runs as PID 1 so that the preStop hook can signal it.
                command: ['nats-server', '--config', '/etc/nats/nats.conf'],
                env: [{ name: 'SERVER_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
                ports: [
                  { name: 'client', containerPort: NATS_PORTS.client, protocol: 'TCP' },
                  { name: 'cluster', containerPort: NATS_PORTS.cluster, protocol: 'TCP' },
                  { name: 'monitor', containerPort: NATS_PORTS.monitor, protocol: 'TCP' },
                ],
                resources: { requests: { cpu: '100m', memory }, limits: { memory } },
                securityContext: containerSecurity,
                // Startup and liveness only need JetStream up; readiness waits until this server's
                // streams have caught up, so a rolling update never takes down a second replica
                // of a stream that is still behind.
                startupProbe: probe('/healthz?js-enabled-only=true', { failureThreshold: 90 }),
                livenessProbe: probe('/healthz?js-enabled-only=true', { failureThreshold: 3 }),
                readinessProbe: probe('/healthz', { failureThreshold: 3 }),
                lifecycle: { preStop: { exec: { command: ['nats-server', '--signal', 'ldm=1'] } } },
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/nats', readOnly: true },
                  { name: NATS_VOLUME, mountPath: JETSTREAM_MOUNT },
                ],
              },
              {
                name: 'metrics',
                image: props.exporterImage,
                imagePullPolicy: 'IfNotPresent',
                args: ['-port', String(NATS_PORTS.metrics), '-connz', '-routez', '-subz', '-varz', '-jsz=all', '-use_internal_server_id', `http://localhost:${NATS_PORTS.monitor}/`],
                ports: [{ name: 'metrics', containerPort: NATS_PORTS.metrics, protocol: 'TCP' }],
                // The exporter serves only HTTP on its metrics port: ready once it answers a scrape,
                // alive while the port accepts connections (a scrape fails whenever NATS is down).
                readinessProbe: { httpGet: { path: '/metrics', port: 'metrics' }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
                livenessProbe: { tcpSocket: { port: 'metrics' }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
                resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
                securityContext: containerSecurity,
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'nats-config' } }],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: NATS_VOLUME, labels },
            spec: {
              accessModes: ['ReadWriteOnce'],
              ...(props.storageClassName ? { storageClassName: props.storageClassName } : {}),
              resources: { requests: { storage: fileStorage } },
            },
          },
        ],
      },
    });

    new ApiObject(this, 'ServiceMonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: meta(NATS_NAME, { annotations: unlessEmpty(props.customResourceAnnotations) }),
      spec: {
        selector: { matchLabels: { ...selector, 'gitplane.dev/scrape': 'true' } },
        endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }],
      },
    });
  }
}
