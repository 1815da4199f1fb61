import { parse } from 'yaml';
import { findOne } from '../../stacks/objects';
import { synthEnvironment } from '../../stacks/synth';
import { Tempo } from '../../constructs/observability/tempo';
import { Chart, Testing } from 'cdk8s';
import { ENVIRONMENTS, built, manifests, variant } from '../support/environments';
import { testApp } from '../support/cdk8s';

const tempoYaml = (env: string) => parse(built(env).output.configs.get('tempo')!.content);

describe.each(ENVIRONMENTS)('%s', (env) => {
  test('StatefulSet tempo with a data claim template and the HTTP and OTLP ports on its Service', () => {
    const sts = findOne(manifests(env), 'StatefulSet', 'tempo') as any;
    expect(sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['data']);
    expect((findOne(manifests(env), 'Service', 'tempo') as any).spec.ports.map((p: any) => [p.name, p.port])).toEqual([
      ['http', 3200],
      ['grpc', 9095],
      ['otlp-grpc', 4317],
      ['otlp-http', 4318],
    ]);
  });

  test('OTLP receivers listen on every interface (Tempo 2.7+ defaults to localhost)', () => {
    expect(tempoYaml(env).distributor.receivers.otlp.protocols).toEqual({ grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } });
  });

  test('the metrics generator runs service graphs, span metrics and local blocks and remote-writes with exemplars', () => {
    const c = tempoYaml(env);
    expect(c.overrides.defaults.metrics_generator.processors).toEqual(['service-graphs', 'span-metrics', 'local-blocks']);
    expect(c.metrics_generator.storage.remote_write).toEqual([{ url: 'http://prometheus-operated.monitoring.svc:9090/api/v1/write', send_exemplars: true }]);
    expect(c.metrics_generator.traces_storage.path).toBe('/var/tempo/generator/traces');
  });
});

test('retention comes from the spec as a Go duration', () => {
  expect(tempoYaml('prod').compactor.compaction.block_retention).toBe('336h');
  const spec = variant('dev', (s) => {
    s.components.observability.tempo.retention = '14d';
  });
  expect(parse(synthEnvironment(spec).configs.get('tempo')!.content).compactor.compaction.block_retention).toBe('336h');
});

test('local blocks on small environments, S3 on staging and prod', () => {
  expect(tempoYaml('pi-edge').storage.trace).toMatchObject({ backend: 'local', local: { path: '/var/tempo/blocks' } });
  expect(tempoYaml('prod').storage.trace).toMatchObject({
    backend: 's3',
    s3: { bucket: 'example-prod-tempo-traces', region: 'eu-west-1', endpoint: 's3.eu-west-1.amazonaws.com' },
  });
  expect(findOne(manifests('prod'), 'ExternalSecret', 'tempo-object-store')).toBeDefined();
});

test('an S3-compatible endpoint from the spec is used without its scheme', () => {
  const spec = variant('staging', (s) => {
    (s.objectStore as { endpoint?: string }).endpoint = 'https://minio.example.com:9000';
  });
  expect(parse(synthEnvironment(spec).configs.get('tempo')!.content).storage.trace.s3.endpoint).toBe('minio.example.com:9000');
});

test('fails when the retention is not a Go duration', () => {
  const chart = new Chart(testApp(), 'test');
  expect(() => new Tempo(chart, 'tempo', { labels: { name: 'tempo', instance: 'tempo-x', component: 'observability' }, image: 'tempo:1', blockRetention: '3d', storageSize: '1Gi', remoteWriteUrl: 'http://p:9090/api/v1/write', cluster: 'c' })).toThrow(
    'Tempo blockRetention must be a Go duration such as 72h (got "3d"). Tempo does not read d, w or y units.',
  );
});

const tempoProps = { labels: { name: 'tempo', instance: 'tempo-x', component: 'observability' }, image: 'tempo:1', blockRetention: '72h', storageSize: '1Gi', remoteWriteUrl: 'http://p:9090/api/v1/write' };

test('clusterFrom: Tempo reads the cluster from a ConfigMap key into its generated series\' external labels, expanding its config', () => {
  const chart = new Chart(testApp(), 'test');
  new Tempo(chart, 'tempo', { ...tempoProps, clusterFrom: { name: 'telemetry-cluster', key: 'cluster' } });
  const objects = Testing.synth(chart) as any[];
  const container = findOne<any>(objects, 'StatefulSet', 'tempo').spec.template.spec.containers[0];
  expect(container.args).toEqual(['-config.file=/etc/tempo/tempo.yaml', '-target=all', '-config.expand-env=true']);
  expect(container.env).toEqual([{ name: 'TEMPO_CLUSTER_NAME', valueFrom: { configMapKeyRef: { name: 'telemetry-cluster', key: 'cluster' } } }]);
  expect(parse(findOne<any>(objects, 'ConfigMap', 'tempo').data['tempo.yaml']).metrics_generator.registry.external_labels).toEqual({ source: 'tempo', cluster: '${TEMPO_CLUSTER_NAME}' });
});

test('fails when the cluster is named both by cluster and by clusterFrom', () => {
  const chart = new Chart(testApp(), 'test');
  expect(() => new Tempo(chart, 'tempo', { ...tempoProps, cluster: 'a', clusterFrom: { name: 'telemetry-cluster', key: 'cluster' } })).toThrow(
    'Tempo takes cluster ("a") or clusterFrom (ConfigMap telemetry-cluster), not both. Name the cluster one way.',
  );
});
