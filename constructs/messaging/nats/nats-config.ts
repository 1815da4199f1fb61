/** Ports of a NATS server, as the config and the Kubernetes objects use them. */
export const NATS_PORTS = { client: 4222, cluster: 6222, monitor: 8222, metrics: 7777 } as const;

/** Where the JetStream volume is mounted in the container. */
export const JETSTREAM_MOUNT = '/data';

export interface NatsConfigOptions {
  /** StatefulSet name; pods are `<name>-0`, `<name>-1`, ... */
  readonly name: string;
  readonly namespace: string;
  /** Headless Service that gives each pod a DNS name for routes. */
  readonly headlessService: string;
  readonly replicas: number;
  readonly clusterDomain: string;
  readonly maxFileStoreBytes: number;
  readonly maxMemoryStoreBytes: number;
  readonly lameDuckDurationSeconds: number;
  readonly lameDuckGracePeriodSeconds: number;
}

/**
 * `nats.conf` for every server of the StatefulSet. The server name comes from `$SERVER_NAME`
 * (the pod name), because JetStream clustering needs a unique, stable name per server; routes
 * list every peer, the server itself included (NATS ignores the route to itself).
 *
 * @see https://docs.nats.io/running-a-nats-service/configuration/clustering/jetstream_clustering
 */
export function renderNatsConfig(o: NatsConfigOptions): string {
  const lines = [
    `# nats.conf rendered by gitplane for the StatefulSet ${o.namespace}/${o.name}.`,
    'server_name: $SERVER_NAME',
    `listen: 0.0.0.0:${NATS_PORTS.client}`,
    `http: 0.0.0.0:${NATS_PORTS.monitor}`,
    '',
    '# Lame-duck mode on shutdown: stop accepting clients, then move them off over the duration.',
    `lame_duck_grace_period: ${o.lameDuckGracePeriodSeconds}s`,
    `lame_duck_duration: ${o.lameDuckDurationSeconds}s`,
    '',
    'jetstream {',
    `  store_dir: ${JETSTREAM_MOUNT}/jetstream`,
    `  max_file_store: ${o.maxFileStoreBytes}`,
    `  max_memory_store: ${o.maxMemoryStoreBytes}`,
    '}',
  ];
  if (o.replicas > 1) {
    const peers = Array.from({ length: o.replicas }, (_, i) => `    nats://${o.name}-${i}.${o.headlessService}.${o.namespace}.svc.${o.clusterDomain}:${NATS_PORTS.cluster}`);
    lines.push('', 'cluster {', `  name: ${o.name}`, `  listen: 0.0.0.0:${NATS_PORTS.cluster}`, '  routes: [', ...peers, '  ]', '}');
  }
  return `${lines.join('\n')}\n`;
}
