import { Chart, Testing } from 'cdk8s';
import { ACKNOWLEDGED_RECREATE, NATS_HEADLESS, NATS_NAME, NATS_VOLUME, NatsCluster, NatsClusterProps, NatsConsumer, NatsStream, NatsStreamProps } from '../../constructs/messaging/nats';
import { Consumer, Stream } from '../../imports/jetstream.nats.io';
import { InputError } from '../../stacks/errors';
import { parseEnvironment } from '../../stacks/environment';
import { Manifest, findAll, findOne } from '../../stacks/objects';
import { synthEnvironment, toYaml } from '../../stacks/synth';
import { Wave } from '../../stacks/waves';
import { gitplane } from '../support/cli';
import { ENVIRONMENTS, built, manifests, variant } from '../support/environments';
import { testApp } from '../support/cdk8s';

const labels = { name: 'nats', instance: 'nats-test', component: 'messaging' };
const clusterProps: NatsClusterProps = { labels, image: 'docker.io/library/nats:2.14.2-alpine', exporterImage: 'docker.io/natsio/prometheus-nats-exporter:0.17.3' };
const streamProps: NatsStreamProps = { labels, name: 'EVENTS', subjects: ['events.>'], clusterReplicas: 3, server: 'nats://nats:4222' };

function synth(build: (chart: Chart) => void): Manifest[] {
  const chart = new Chart(testApp(), 'test', { namespace: 'nats' });
  build(chart);
  return Testing.synth(chart) as Manifest[];
}

describe('prod', () => {
  const sts = () => findOne<any>(manifests('prod'), 'StatefulSet', 'nats');

  test('a StatefulSet of 3 servers with a pinned image, a JetStream volume on longhorn-quorum and names that never change', () => {
    expect(sts().spec.replicas).toBe(3);
    expect(sts().spec.serviceName).toBe('nats-headless');
    expect([NATS_NAME, NATS_HEADLESS, NATS_VOLUME]).toEqual(['nats', 'nats-headless', 'nats-js']);
    const [claim] = sts().spec.volumeClaimTemplates;
    expect(claim.metadata.name).toBe('nats-js');
    expect(claim.spec).toMatchObject({ storageClassName: 'longhorn-quorum', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } });
    const nats = sts().spec.template.spec.containers.find((c: any) => c.name === 'nats');
    expect(nats.image).toBe('docker.io/library/nats:2.14.2-alpine');
    expect(nats.env).toEqual([{ name: 'SERVER_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]);
  });

  test('required anti-affinity across nodes and a PodDisruptionBudget allowing one server down', () => {
    const affinity = sts().spec.template.spec.affinity.podAntiAffinity;
    expect(affinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(findOne<any>(manifests('prod'), 'PodDisruptionBudget', 'nats').spec.maxUnavailable).toBe(1);
  });

  test('non-root, read-only root filesystem, requests set, health probes and lame-duck shutdown', () => {
    const pod = sts().spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of pod.containers) {
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(c.resources.requests.memory).toBeDefined();
    }
    const nats = pod.containers.find((c: any) => c.name === 'nats');
    expect(nats.startupProbe.httpGet.path).toBe('/healthz?js-enabled-only=true');
    expect(nats.readinessProbe.httpGet.path).toBe('/healthz');
    expect(nats.lifecycle.preStop.exec.command).toEqual(['nats-server', '--signal', 'ldm=1']);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(40);
    // The container must fit the memory store.
    expect(nats.resources.limits.memory).toBe('1280Mi');
  });

  test('a prometheus-nats-exporter sidecar on 7777, scraped by a ServiceMonitor through the headless Service only', () => {
    const exporter = sts().spec.template.spec.containers.find((c: any) => c.name === 'metrics');
    expect(exporter.image).toBe('docker.io/natsio/prometheus-nats-exporter:0.17.3');
    expect(exporter.ports).toEqual([{ name: 'metrics', containerPort: 7777, protocol: 'TCP' }]);
    // The alerts query gnatsd_varz_*, the exporter's default prefix: no -prefix flag may rename them.
    expect(exporter.args.filter((a: string) => a.startsWith('-prefix'))).toEqual([]);
    expect(exporter.readinessProbe.httpGet).toEqual({ path: '/metrics', port: 'metrics' });
    expect(exporter.livenessProbe.tcpSocket).toEqual({ port: 'metrics' });
    const sm = findOne<any>(manifests('prod'), 'ServiceMonitor', 'nats');
    expect(sm.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': String(Wave.CustomResources), 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' });
    const matches = findAll<any>(manifests('prod'), 'Service').filter((s) => Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => s.metadata.labels[k] === v));
    expect(matches.map((s) => s.metadata.name)).toEqual(['nats-headless']);
    expect(matches[0].spec.ports.map((p: any) => p.port)).toContain(7777);
    expect(matches[0].spec.publishNotReadyAddresses).toBe(true);
    expect(findOne<any>(manifests('prod'), 'Service', 'nats').spec.ports.map((p: any) => p.port)).toEqual([4222]);
  });

  test('nats.conf in the ConfigMap routes to every peer through the headless Service and sizes JetStream from the spec', () => {
    const conf = findOne<any>(manifests('prod'), 'ConfigMap', 'nats-config').data['nats.conf'];
    expect(conf).toContain('server_name: $SERVER_NAME');
    for (const i of [0, 1, 2]) expect(conf).toContain(`nats://nats-${i}.nats-headless.nats.svc.cluster.local:6222`);
    expect(conf).toContain(`max_file_store: ${50 * 2 ** 30}`);
    expect(conf).toContain(`max_memory_store: ${2 ** 30}`);
    expect(conf).toContain('http: 0.0.0.0:8222');
    expect(conf).toMatch(/lame_duck_duration: 30s/);
  });

  test('streams from the spec become NACK Stream objects with three replicas', () => {
    const streams = findAll<any>(manifests('prod'), 'Stream');
    expect(streams.map((s) => [s.metadata.name, s.spec.name, s.spec.replicas])).toEqual([
      ['stream-audit', 'AUDIT', 3],
      ['stream-orders', 'ORDERS', 3],
    ]);
    const orders = findOne<any>(manifests('prod'), 'Stream', 'stream-orders');
    expect(orders.spec).toMatchObject({ subjects: ['orders.>'], maxAge: '720h', maxBytes: 20 * 2 ** 30, storage: 'file', servers: ['nats://nats.nats.svc.cluster.local:4222'] });
    expect(orders.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('SkipDryRunOnMissingResource=true');
    expect(orders.spec.duplicateWindow).toBe('5m');
    // The default window is written out, so what the server keeps is visible in the output.
    expect(findOne<any>(manifests('prod'), 'Stream', 'stream-audit').spec.duplicateWindow).toBe('2m');
  });

  test('consumers from the spec become durable pull Consumer objects with explicit acknowledgement', () => {
    const billing = findOne<any>(manifests('prod'), 'Consumer', 'consumer-orders-billing');
    expect(billing.spec).toEqual({
      streamName: 'ORDERS',
      durableName: 'billing',
      filterSubject: 'orders.created',
      deliverPolicy: 'all',
      ackPolicy: 'explicit',
      ackWait: '30s',
      maxDeliver: 5,
      maxAckPending: 1000,
      replayPolicy: 'instant',
      servers: ['nats://nats.nats.svc.cluster.local:4222'],
    });
    expect(billing.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe(String(Wave.CustomResources));
    expect(findOne<any>(manifests('prod'), 'Consumer', 'consumer-orders-shipping').spec).toMatchObject({ ackWait: '2m', maxDeliver: 10 });
  });

  test('an acknowledged recreation is written on the Stream, where diff and policy read it', () => {
    const spec = variant('prod', (s) => {
      const audit = s.components.nats.streams.find((x) => x.name === 'AUDIT')! as { retention: string; acknowledgeRecreate: unknown[] };
      audit.retention = 'workqueue';
      audit.acknowledgeRecreate = [{ field: 'retention', from: 'limits', to: 'workqueue' }];
    });
    const audit = findOne<any>(synthEnvironment(spec).objects.map((o) => o.manifest), 'Stream', 'stream-audit');
    expect(JSON.parse(audit.metadata.annotations[ACKNOWLEDGED_RECREATE])).toEqual([{ field: 'retention', from: 'limits', to: 'workqueue' }]);
    expect(findOne<any>(manifests('prod'), 'Stream', 'stream-audit').metadata.annotations[ACKNOWLEDGED_RECREATE]).toBeUndefined();
  });
});

test('gitplane config nats prints nats.conf exactly as the ConfigMap carries it', () => {
  const r = gitplane(['config', 'nats', '--env', 'prod']);
  expect(r.status).toBe(0);
  expect(r.stdout).toBe(findOne<any>(manifests('prod'), 'ConfigMap', 'nats-config').data['nats.conf']);
});

test.each(ENVIRONMENTS)('%s: the StatefulSet has an odd number of servers, at least 3 outside development', (env) => {
  const replicas = findOne<any>(manifests(env), 'StatefulSet', 'nats').spec.replicas;
  expect(replicas % 2).toBe(1);
  if (built(env).spec.tier !== 'development') expect(replicas).toBeGreaterThanOrEqual(3);
});

test('dev runs one server without a cluster block, one-replica streams and preferred anti-affinity', () => {
  expect(findOne<any>(manifests('dev'), 'StatefulSet', 'nats').spec.replicas).toBe(1);
  expect(findOne<any>(manifests('dev'), 'ConfigMap', 'nats-config').data['nats.conf']).not.toContain('cluster {');
  expect(findOne<any>(manifests('dev'), 'Stream', 'stream-events').spec.replicas).toBe(1);
  expect(findOne<any>(manifests('dev'), 'StatefulSet', 'nats').spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
});

test('an environment may override the NATS image tag', () => {
  const spec = variant('staging', (s) => ((s as any).versions = { nats: '2.14.5-alpine' }));
  const sts = findOne<any>(synthEnvironment(spec).objects.map((o) => o.manifest), 'StatefulSet', 'nats');
  expect(sts.spec.template.spec.containers[0].image).toBe('docker.io/library/nats:2.14.5-alpine');
});

describe('construct errors', () => {
  test('fails when the replicas are even', () => {
    expect(() => synth((c) => new NatsCluster(c, 'nats', { ...clusterProps, replicas: 2 }))).toThrow(/NATS replicas must be an odd number \(got 2\)\. A JetStream cluster needs a majority/);
  });

  test('fails when a stream has more replicas than the cluster has servers', () => {
    expect(() => synth((c) => new NatsStream(c, 's', { ...streamProps, replicas: 5 }))).toThrow(/NATS stream EVENTS replicas must not exceed the cluster's 3 servers \(got 5\)/);
  });

  test('a stream defaults to three replicas, or the cluster size when smaller', () => {
    expect(new NatsStream(new Chart(testApp(), 'a'), 's', streamProps).replicas).toBe(3);
    expect(new NatsStream(new Chart(testApp(), 'b'), 's', { ...streamProps, clusterReplicas: 1 }).replicas).toBe(1);
  });

  test('fails when a consumer would redeliver without end', () => {
    expect(() => synth((c) => new NatsConsumer(c, 'c', { labels, streamName: 'EVENTS', durableName: 'worker', maxDeliver: -1, server: 'nats://nats:4222' }))).toThrow(
      /NATS consumer worker maxDeliver must be a whole number of at least 1 \(got -1\)\. Unlimited redelivery repeats a message that always fails forever\./,
    );
  });

  test('streams and consumers are the classes generated from the NACK CRDs, and every retention and storage reaches the Stream', () => {
    const chart = new Chart(testApp(), 'typed', { namespace: 'nats' });
    const stream = new NatsStream(chart, 's', { ...streamProps, retention: 'workqueue', storage: 'memory' });
    const consumer = new NatsConsumer(chart, 'c', { labels, streamName: 'EVENTS', durableName: 'worker', filterSubject: '', server: 'nats://nats:4222' });
    expect(stream.node.defaultChild).toBeInstanceOf(Stream);
    expect(consumer.node.defaultChild).toBeInstanceOf(Consumer);
    const objects = Testing.synth(chart) as any[];
    expect(findOne<any>(objects, 'Stream', 'stream-events').spec).toMatchObject({ retention: 'workqueue', storage: 'memory', discard: 'old' });
    expect(findOne<any>(objects, 'Stream', 'stream-events').spec).not.toHaveProperty('maxAge');
    // An empty filter is every subject, as no filter is.
    expect(findOne<any>(objects, 'Consumer', 'consumer-events-worker').spec).not.toHaveProperty('filterSubject');
    for (const retention of ['limits', 'interest'] as const) {
      const [s] = synth((c) => new NatsStream(c, 's', { ...streamProps, retention, storage: 'file' })) as any[];
      expect([s.spec.retention, s.spec.storage]).toEqual([retention, 'file']);
    }
  });

  test('days in a max age become hours, as Go durations have no days', () => {
    const [stream] = synth((c) => new NatsStream(c, 's', { ...streamProps, maxAge: '15d' })) as any[];
    expect(stream.spec.maxAge).toBe('360h');
  });
});

describe('environment checks', () => {
  const problems = (change: (s: any) => void) => {
    const spec = variant('prod', change) as any;
    try {
      parseEnvironment(toYaml(spec), 'environments/prod.yaml', { expectName: 'prod' });
    } catch (e) {
      return (e as InputError).problems.join('\n');
    }
    return '';
  };

  test('fails when a spec asks for 2 NATS replicas', () => {
    expect(problems((s) => (s.components.nats.replicas = 2))).toMatch(/components\.nats\.replicas must be an odd number of at least 3 \(got 2\)/);
  });

  test('fails when a development spec asks for an even number of replicas', () => {
    const spec = variant('dev', (s) => ((s.components.nats as any).replicas = 2)) as any;
    expect(() => parseEnvironment(toYaml(spec), 'environments/dev.yaml', { expectName: 'dev' })).toThrow(/components\.nats\.replicas must be an odd number \(got 2\)\. .*use 1, 3 or 5/);
  });

  test('fails when a stream has more replicas than the cluster has servers', () => {
    expect(problems((s) => (s.components.nats.streams[0].replicas = 5))).toMatch(
      /environments\/prod\.yaml:\d+:\d+: components\.nats\.streams\[0\]\.replicas must not exceed the NATS cluster's 3 servers \(got 5\)/,
    );
  });
});
