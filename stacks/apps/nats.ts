/** The `nats` application: the JetStream cluster as plain manifests, its streams, and the NACK controller that applies them. */
import { EnvironmentSpec } from '../../environments/schema';
import { IngressPolicy } from '../../constructs/core';
import { NatsCluster, NatsClusterProps, NatsConsumer, NatsStream } from '../../constructs/messaging/nats';
import { QUORUM_STORAGE_CLASS } from '../../constructs/storage/longhorn';
import { AppDescriptor } from '../application';
import { natsAlerts } from '../../constructs/observability/alerts';
import { COMPONENT_DASHBOARDS } from '../../constructs/observability/grafana';
import { imageRef, versionLabel, Versions } from '../versions';
import { syncWave, Wave } from '../waves';
import { NATS_DATA } from './catalog';

/** Servers in the cluster: the spec's number, or 3 (1 in the development tier). */
export function natsReplicas(spec: EnvironmentSpec): number {
  return spec.components.nats.replicas ?? (spec.tier === 'development' ? 1 : 3);
}

/** Copies of a stream: the spec's number, or 3 capped at the servers (1 in the development tier). */
function streamReplicas(spec: EnvironmentSpec, stream: EnvironmentSpec['components']['nats']['streams'][number]): number {
  return stream.replicas ?? (spec.tier === 'development' ? 1 : Math.min(3, natsReplicas(spec)));
}

export function natsClusterProps(spec: EnvironmentSpec, versions: Versions): NatsClusterProps {
  const nats = spec.components.nats;
  return {
    labels: { name: 'nats', instance: `nats-${spec.name}`, component: 'messaging', version: versionLabel(versions, 'nats') },
    image: imageRef(versions, 'nats'),
    exporterImage: imageRef(versions, 'nats-exporter'),
    replicas: natsReplicas(spec),
    fileStorage: nats.fileStorage,
    memoryStorage: nats.memoryStorage,
    storageClassName: spec.components.longhorn.enabled ? QUORUM_STORAGE_CLASS : undefined,
    // Without declared streams, applications create their own: assume the default copies.
    streamReplicas: nats.streams.length > 0 ? Math.max(...nats.streams.map((stream) => streamReplicas(spec, stream))) : undefined,
    antiAffinity: spec.tier === 'production' ? 'required' : 'preferred',
    customResourceAnnotations: syncWave(Wave.CustomResources),
  };
}

export const NATS_APP: AppDescriptor = {
  ...NATS_DATA,
  enabled: (spec) => spec.components.nats.enabled,
  alerts: () => [natsAlerts()],
  dashboards: [COMPONENT_DASHBOARDS.nats],
  build: (chart, { spec, versions }) => {
    const cluster = new NatsCluster(chart, 'nats', natsClusterProps(spec, versions));
    // Everything else in the namespace (the NACK controller) accepts no ingress.
    new IngressPolicy(chart, 'default-deny', { name: 'default-deny-ingress', app: { name: 'nats', instance: `nats-${spec.name}`, component: 'messaging' } });
    const labels = { name: 'nats', instance: `nats-${spec.name}`, component: 'messaging' };
    for (const stream of spec.components.nats.streams) {
      new NatsStream(chart, `stream-${stream.name}`, {
        labels,
        customResourceAnnotations: syncWave(Wave.CustomResources),
        name: stream.name,
        subjects: stream.subjects,
        clusterReplicas: cluster.replicas,
        replicas: streamReplicas(spec, stream),
        retention: stream.retention,
        maxAge: stream.maxAge,
        maxBytes: stream.maxBytes,
        storage: stream.storage,
        duplicateWindow: stream.duplicateWindow,
        acknowledgedRecreate: stream.acknowledgeRecreate,
        server: cluster.clientUrl,
      });
      for (const consumer of stream.consumers) {
        new NatsConsumer(chart, `consumer-${stream.name}-${consumer.name}`, {
          labels,
          customResourceAnnotations: syncWave(Wave.CustomResources),
          streamName: stream.name,
          durableName: consumer.name,
          filterSubject: consumer.filterSubject,
          ackWait: consumer.ackWait,
          maxDeliver: consumer.maxDeliver,
          maxAckPending: consumer.maxAckPending,
          server: cluster.clientUrl,
        });
      }
    }
  },
  // The NACK controller (and its CRDs) turns the Stream objects into streams; every Stream names
  // its server. The chart leaves the security contexts empty, which the namespace's `restricted`
  // Pod Security level refuses: the controller runs as the unprivileged user the chart suggests.
  helm: () => ({
    chart: 'nack',
    releaseName: 'nack',
    values: {
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    },
  }),
};
