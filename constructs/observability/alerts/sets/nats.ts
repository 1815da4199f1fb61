import { AlertSet } from './types';

const KSM = 'job="kube-state-metrics",namespace="nats",statefulset="nats"';
const SERVER = 'job="nats",server_id="NABC",server_name="nats-0",cluster="nats"';

/**
 * The NATS cluster: the StatefulSet `nats` in namespace `nats` through kube-state-metrics, and
 * prometheus-nats-exporter's series (`gnatsd_varz_*` from /varz, `jetstream_*` from /jsz).
 *
 * @see https://github.com/nats-io/prometheus-nats-exporter
 */
export function natsAlerts(): AlertSet {
  return {
    name: 'gitplane-nats',
    component: 'messaging',
    alerts: [
      {
        name: 'NatsServerDown',
        expr: `kube_statefulset_replicas{${KSM}} - kube_statefulset_status_replicas_ready{${KSM}} > 0`,
        for: '5m',
        severity: 'critical',
        summary: 'A NATS server is down.',
        description: 'The nats StatefulSet has had fewer ready servers than replicas for 5 minutes. R3 streams keep working on two of three servers, not on one.',
        runbook: {
          tldr: 'A NATS server is not ready. Find the pod and read its log; a full JetStream volume is the usual cause.',
          mitigation: [
            'kubectl -n nats get pods -o wide; kubectl -n nats logs <pod> -c nats | tail -50.',
            'kubectl -n nats exec <ready pod> -c nats -- wget -qO- localhost:8222/healthz?js-enabled-only=true.',
            'If the volume is full, expand the PVC (KubePersistentVolumeFillingUp runbook).',
          ],
          impact: 'The cluster runs without redundancy; with a second loss JetStream loses quorum and stops accepting messages.',
          diagnosis: { queries: ['kube_statefulset_status_replicas_ready{namespace="nats",statefulset="nats"}', 'gnatsd_varz_connections', 'jetstream_server_jetstream_disabled'] },
          escalation: 'Page the platform on-call lead if two servers are down.',
        },
        test: {
          series: [
            { series: `kube_statefulset_replicas{${KSM}}`, values: '3x15' },
            { series: `kube_statefulset_status_replicas_ready{${KSM}}`, values: '2x15' },
          ],
          firesAt: '10m',
          labels: { job: 'kube-state-metrics', namespace: 'nats', statefulset: 'nats' },
          quiet: {
            series: [
              { series: `kube_statefulset_replicas{${KSM}}`, values: '3x15' },
              { series: `kube_statefulset_status_replicas_ready{${KSM}}`, values: '3x15' },
            ],
            at: '10m',
          },
        },
      },
      {
        name: 'NatsJetStreamNoMetaLeader',
        expr: 'count by (cluster) (jetstream_server_jetstream_disabled{meta_leader=""} == 0) > 0',
        for: '2m',
        severity: 'critical',
        summary: 'JetStream cluster {{ $labels.cluster }} has no meta leader.',
        description: 'JetStream servers of cluster {{ $labels.cluster }} report no meta leader: no stream or consumer can be created, and the cluster has probably lost quorum.',
        runbook: {
          tldr: 'JetStream lost its meta leader. Get a majority of servers back up.',
          mitigation: ['kubectl -n nats get pods: bring back the missing servers first.', 'kubectl -n nats exec nats-0 -c nats -- wget -qO- localhost:8222/jsz shows meta_cluster and its leader.'],
          impact: 'Stream and consumer changes fail; publishing to R3 streams stops once stream leaders are lost too.',
          diagnosis: { queries: ['jetstream_server_jetstream_disabled', 'count by (meta_leader) (jetstream_server_jetstream_disabled)'] },
          escalation: 'Page the platform on-call lead at once.',
        },
        test: {
          series: [{ series: `jetstream_server_jetstream_disabled{${SERVER},meta_leader="",is_meta_leader="false"}`, values: '0x10' }],
          firesAt: '5m',
          labels: { cluster: 'nats' },
          quiet: { series: [{ series: `jetstream_server_jetstream_disabled{${SERVER},meta_leader="nats-1",is_meta_leader="false"}`, values: '0x10' }], at: '5m' },
        },
      },
      {
        name: 'NatsConsumerLag',
        expr: 'jetstream_consumer_num_pending{is_consumer_leader="true"} > 10000',
        for: '15m',
        severity: 'warning',
        summary: 'Consumer {{ $labels.consumer_name }} of stream {{ $labels.stream_name }} is falling behind.',
        description: 'Consumer {{ $labels.consumer_name }} of stream {{ $labels.stream_name }} has had more than 10000 pending messages for 15 minutes.',
        runbook: {
          tldr: 'A consumer is not keeping up. Check that its application runs and acks.',
          mitigation: ['Find the application that consumes the stream and check its pods and logs.', 'Scale the consumer application out if it is simply too slow.'],
          impact: 'Messages are processed late; with limits retention old messages may be discarded before they are read.',
          diagnosis: { queries: ['jetstream_consumer_num_pending{is_consumer_leader="true"}', 'jetstream_consumer_num_ack_pending', 'jetstream_consumer_num_waiting'] },
          escalation: 'Hand over to the team owning the consuming application.',
        },
        test: {
          series: [{ series: `jetstream_consumer_num_pending{${SERVER},stream_name="ORDERS",consumer_name="shipping",is_consumer_leader="true"}`, values: '20000x30' }],
          firesAt: '20m',
          labels: { ...serverLabels(), stream_name: 'ORDERS', consumer_name: 'shipping', is_consumer_leader: 'true' },
          quiet: { series: [{ series: `jetstream_consumer_num_pending{${SERVER},stream_name="ORDERS",consumer_name="shipping",is_consumer_leader="true"}`, values: '10x30' }], at: '20m' },
        },
      },
      {
        name: 'NatsStreamNearLimit',
        expr: 'jetstream_stream_total_bytes / (jetstream_stream_limit_bytes > 0) > 0.9',
        for: '15m',
        severity: 'warning',
        summary: 'Stream {{ $labels.stream_name }} is above 90% of its byte limit.',
        description: 'Stream {{ $labels.stream_name }} holds more than 90% of its max_bytes; at the limit it discards old messages or refuses new ones.',
        runbook: {
          tldr: 'A stream is nearly at its size limit. Raise maxBytes in the environment file or shorten maxAge.',
          mitigation: ['Raise components.nats.streams[].maxBytes in environments/<env>.yaml and sync.', 'Check that consumers keep up (NatsConsumerLag).'],
          impact: 'Old messages are discarded (discard old) or publishers get errors (discard new).',
          diagnosis: { queries: ['jetstream_stream_total_bytes / jetstream_stream_limit_bytes', 'jetstream_stream_total_messages'] },
          escalation: 'Call the platform team if JetStream storage itself is full.',
        },
        test: {
          series: [
            { series: `jetstream_stream_total_bytes{${SERVER},stream_name="ORDERS"}`, values: '95x30' },
            { series: `jetstream_stream_limit_bytes{${SERVER},stream_name="ORDERS"}`, values: '100x30' },
          ],
          firesAt: '20m',
          labels: { ...serverLabels(), stream_name: 'ORDERS' },
          quiet: {
            series: [
              { series: `jetstream_stream_total_bytes{${SERVER},stream_name="ORDERS"}`, values: '95x30' },
              { series: `jetstream_stream_limit_bytes{${SERVER},stream_name="ORDERS"}`, values: '-1x30' },
            ],
            at: '20m',
          },
        },
      },
      {
        name: 'NatsJetStreamStorageNearLimit',
        expr: 'gnatsd_varz_jetstream_stats_storage / (gnatsd_varz_jetstream_config_max_storage > 0) > 0.85',
        for: '15m',
        severity: 'warning',
        summary: 'JetStream file storage on {{ $labels.server_id }} is above 85%.',
        description: 'JetStream on server {{ $labels.server_id }} uses more than 85% of its max_file_store; at the limit every stream on it refuses writes.',
        runbook: {
          tldr: 'JetStream storage on a server is nearly full. Grow components.nats.fileStorage and the PVCs, or trim streams.',
          mitigation: ['Expand the nats PVCs and raise fileStorage in the environment file.', 'Purge or shorten retention of the largest stream.'],
          impact: 'At the limit publishing to streams on this server fails.',
          diagnosis: { queries: ['gnatsd_varz_jetstream_stats_storage / gnatsd_varz_jetstream_config_max_storage', 'topk(5, jetstream_stream_total_bytes)'] },
          escalation: 'Page the platform on-call lead above 95%.',
        },
        test: {
          series: [
            { series: 'gnatsd_varz_jetstream_stats_storage{job="nats",server_id="nats-0"}', values: '90x30' },
            { series: 'gnatsd_varz_jetstream_config_max_storage{job="nats",server_id="nats-0"}', values: '100x30' },
          ],
          firesAt: '20m',
          labels: { job: 'nats', server_id: 'nats-0' },
          quiet: { at: '10m' },
        },
      },
    ],
  };
}

function serverLabels() {
  return { job: 'nats', server_id: 'NABC', server_name: 'nats-0', cluster: 'nats' };
}
