import { parse } from 'yaml';
import { findAll, findOne } from '../../stacks/objects';
import { synthEnvironment } from '../../stacks/synth';
import { ENVIRONMENTS, built, manifests, variant } from '../support/environments';

const lokiYaml = (env: string) => parse(built(env).output.configs.get('loki')!.content);

describe.each(ENVIRONMENTS)('%s', (env) => {
  test('the StatefulSet, its claim template and both Services keep their names', () => {
    const sts = findOne(manifests(env), 'StatefulSet', 'loki') as any;
    expect(sts.metadata.namespace).toBe('monitoring');
    expect(sts.spec.serviceName).toBe('loki-headless');
    expect(sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['data']);
    expect(findOne(manifests(env), 'Service', 'loki-headless').spec).toMatchObject({ clusterIP: 'None' });
    expect((findOne(manifests(env), 'Service', 'loki') as any).spec.ports.map((p: any) => [p.name, p.port])).toEqual([
      ['http-metrics', 3100],
      ['grpc', 9095],
    ]);
  });

  test('the ConfigMap carries exactly the config gitplane config prints', () => {
    const cm = findOne(manifests(env), 'ConfigMap', 'loki') as any;
    expect(cm.data['loki.yaml']).toBe(built(env).output.configs.get('loki')!.content);
  });

  test('runs without auth, on schema v13 with the TSDB index, with retention on', () => {
    const c = lokiYaml(env);
    expect(c.auth_enabled).toBe(false);
    expect(c.schema_config.configs).toEqual([expect.objectContaining({ store: 'tsdb', schema: 'v13', from: '2024-01-01' })]);
    expect(c.compactor).toMatchObject({ retention_enabled: true, delete_request_store: c.schema_config.configs[0].object_store });
    expect(c.limits_config.allow_structured_metadata).toBe(true);
  });

  test('keeps the default OTLP index labels and keeps ids as structured metadata', () => {
    const otlp = lokiYaml(env).limits_config.otlp_config;
    expect(otlp.resource_attributes.ignore_defaults).toBe(false);
    for (const rules of [otlp.resource_attributes.attributes_config, otlp.scope_attributes, otlp.log_attributes]) {
      expect(rules.every((r: any) => r.action === 'structured_metadata')).toBe(true);
      const regex = new RegExp(`^${rules[0].regex.replace('(?i)', '')}$`, 'i');
      for (const id of ['trace_id', 'span.id', 'http.request.id', 'user.id', 'session_id']) expect(regex.test(id)).toBe(true);
      for (const label of ['service.name', 'k8s.namespace.name', 'service.instance.id']) expect(regex.test(label)).toBe(false);
    }
  });
});

test('retention comes from the spec', () => {
  expect(lokiYaml('prod').limits_config.retention_period).toBe('720h');
  expect(lokiYaml('pi-edge').limits_config.retention_period).toBe('72h');
});

test('the data volume is sized from the spec', () => {
  const sts = findOne(manifests('prod'), 'StatefulSet', 'loki') as any;
  expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('50Gi');
});

test('small environments keep chunks on the volume, staging and prod in S3', () => {
  for (const env of ['dev', 'pi-edge']) {
    expect(lokiYaml(env).common.storage).toEqual({ filesystem: { chunks_directory: '/var/loki/chunks', rules_directory: '/var/loki/rules' } });
  }
  expect(lokiYaml('staging').common.storage).toEqual({ s3: { bucketnames: 'example-staging-loki-chunks', region: 'eu-west-1' } });
  expect(lokiYaml('prod').common.storage.s3.bucketnames).toBe('example-prod-loki-chunks');
});

test('S3 credentials come from an ExternalSecret as environment variables, never from the config', () => {
  const es = findOne(manifests('prod'), 'ExternalSecret', 'loki-object-store') as any;
  expect(es.apiVersion).toBe('external-secrets.io/v1');
  expect(es.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'aws-secrets-manager' });
  expect(es.spec.data.map((d: any) => d.remoteRef.key)).toEqual(['prod/loki/object-store', 'prod/loki/object-store']);
  // Before the StatefulSet (wave 0) that reads it.
  expect(Number(es.metadata.annotations['argocd.argoproj.io/sync-wave'])).toBeLessThan(0);
  const container = (findOne(manifests('prod'), 'StatefulSet', 'loki') as any).spec.template.spec.containers[0];
  expect(container.env).toEqual([
    { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'loki-object-store', key: 'access_key_id' } } },
    { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'loki-object-store', key: 'secret_access_key' } } },
  ]);
  expect(built('prod').output.configs.get('loki')!.content).not.toMatch(/access_key|secret/);
});

test('without a credentials ref the SDK chain (IRSA) is used and no ExternalSecret is made', () => {
  const spec = variant('prod', (s) => {
    delete (s.secrets.refs as Record<string, string>)['loki-object-store'];
  });
  const objects = synthEnvironment(spec).objects.map((o) => o.manifest);
  expect(findAll(objects, 'ExternalSecret').map((e) => e.metadata.name)).not.toContain('loki-object-store');
  expect((findOne(objects, 'StatefulSet', 'loki') as any).spec.template.spec.containers[0].env).toBeUndefined();
});

test('fails when a bucket is set but the environment has no cloud region', () => {
  // Loki's bucket is the only thing left that needs the region, so its error is the one raised.
  const spec = variant('prod', (s) => {
    (s.cloud as { region?: string }).region = undefined;
    s.secrets.provider = 'sealed-secrets';
    for (const other of ['etcdBackups', 'longhornBackups', 'tempoTraces'] as const) delete s.objectStore[other];
  });
  expect(() => synthEnvironment(spec)).toThrow(/environments\/prod\.yaml: objectStore\.lokiChunks needs cloud\.region, .* Add cloud\.region/);
});

test('a ServiceMonitor scrapes the client Service, not the headless one', () => {
  const sm = findOne(manifests('dev'), 'ServiceMonitor', 'loki') as any;
  expect(sm.spec.endpoints).toEqual([{ port: 'http-metrics', path: '/metrics', interval: '30s' }]);
  expect(sm.spec.selector.matchExpressions).toEqual([{ key: 'gitplane.dev/headless', operator: 'DoesNotExist' }]);
  expect(findOne(manifests('dev'), 'Service', 'loki-headless').metadata.labels?.['gitplane.dev/headless']).toBe('true');
  expect(findOne(manifests('dev'), 'Service', 'loki').metadata.labels?.['gitplane.dev/headless']).toBeUndefined();
  expect(sm.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '10', 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' });
});

test('observability off: no Loki, Tempo, collector or Grafana objects', () => {
  const spec = variant('prod', (s) => {
    s.components.observability.enabled = false;
  });
  const out = synthEnvironment(spec);
  expect([...out.files.keys()].filter((f) => f.startsWith('apps/observability-'))).toEqual([]);
  expect([...out.configs.keys()]).not.toEqual(expect.arrayContaining(['loki']));
});
