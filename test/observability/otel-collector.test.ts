import { Chart, Testing } from 'cdk8s';
import { OtelGateway } from '../../constructs/observability/otel-collector';
import { parse } from 'yaml';
import { findOne } from '../../stacks/objects';
import { synthEnvironment } from '../../stacks/synth';
import { pinnedVersions } from '../../stacks/versions';
import { gitplane } from '../support/cli';
import { ENVIRONMENTS, built, manifests, variant } from '../support/environments';
import { testApp } from '../support/cdk8s';

const config = (env: string, name: 'otel-agent' | 'otel-gateway') => parse(built(env).output.configs.get(name)!.content);
const pipelines = (c: any) => Object.entries(c.service.pipelines) as [string, { receivers: string[]; processors: string[]; exporters: string[] }][];

describe.each(ENVIRONMENTS)('%s', (env) => {
  test.each(['otel-agent', 'otel-gateway'] as const)('%s: memory_limiter first and batch last in every pipeline', (name) => {
    const c = config(env, name);
    expect(pipelines(c).map(([p]) => p).sort()).toEqual(['logs', 'metrics', 'traces']);
    for (const [, p] of pipelines(c)) {
      expect(p.processors[0]).toBe('memory_limiter');
      expect(p.processors[p.processors.length - 1]).toBe('batch');
    }
    expect(c.extensions.health_check.endpoint).toBe('${env:MY_POD_IP}:13133');
    expect(c.service.extensions).toEqual(['health_check']);
  });

  test('the agent collects OTLP, pod logs, kubelet and host metrics, and forwards to the gateway', () => {
    const c = config(env, 'otel-agent');
    expect(Object.keys(c.receivers).sort()).toEqual(['file_log', 'hostmetrics', 'kubeletstats', 'otlp']);
    expect(c.receivers.file_log.include).toEqual(['/var/log/pods/*/*/*.log']);
    expect(c.receivers.file_log.exclude).toEqual(['/var/log/pods/monitoring-agents_otel-agent-*/*/*.log']);
    expect(c.processors.k8s_attributes.filter).toEqual({ node_from_env_var: 'KUBE_NODE_NAME' });
    expect(c.exporters).toEqual({ 'otlp_grpc/gateway': expect.objectContaining({ endpoint: 'otel-gateway.monitoring.svc:4317', tls: { insecure: true } }) });
    const byName = Object.fromEntries(pipelines(c));
    expect(byName.logs.receivers).toEqual(['otlp', 'file_log']);
    expect(byName.metrics.receivers).toEqual(['otlp', 'kubeletstats', 'hostmetrics']);
  });

  test('the agent DaemonSet gets its node name for the k8s_attributes filter and mounts logs and the host read-only', () => {
    const ds = findOne(manifests(env), 'DaemonSet', 'otel-agent') as any;
    const pod = ds.spec.template.spec;
    const c = pod.containers[0];
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'KUBE_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }]));
    expect(c.volumeMounts.filter((m: any) => m.name !== 'config').every((m: any) => m.readOnly)).toBe(true);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/', port: 'health' });
    expect(pod.serviceAccountName).toBe('otel-agent');
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  test('the gateway exports traces to Tempo, logs to Loki and metrics to Prometheus over OTLP', () => {
    const c = config(env, 'otel-gateway');
    expect(c.exporters['otlp_grpc/tempo']).toMatchObject({ endpoint: 'tempo.monitoring.svc:4317', tls: { insecure: true } });
    expect(c.exporters['otlp_http/loki'].endpoint).toBe('http://loki.monitoring.svc:3100/otlp');
    expect(c.exporters['otlp_http/prometheus'].endpoint).toBe('http://prometheus-operated.monitoring.svc:9090/api/v1/otlp');
    const byName = Object.fromEntries(pipelines(c));
    expect(byName.traces.exporters).toEqual(['otlp_grpc/tempo']);
    expect(byName.logs.exporters).toEqual(['otlp_http/loki']);
    expect(byName.metrics.exporters).toEqual(['otlp_http/prometheus']);
  });

  test('both collectors run the pinned image', () => {
    const pin = pinnedVersions().images['otel-collector'];
    for (const [kind, name] of [['DaemonSet', 'otel-agent'], ['Deployment', 'otel-gateway']]) {
      expect((findOne(manifests(env), kind, name) as any).spec.template.spec.containers[0].image).toBe(`${pin.repository}:${pin.tag}`);
    }
  });
});

test('tail sampling keeps every error, every trace slower than the spec threshold and a share of the rest', () => {
  const policies = config('prod', 'otel-gateway').processors.tail_sampling.policies;
  expect(policies).toEqual([
    { name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } },
    { name: 'slow', type: 'latency', latency: { threshold_ms: 1000 } },
    { name: 'sample-rest', type: 'probabilistic', probabilistic: { sampling_percentage: 5 } },
  ]);
  expect(config('dev', 'otel-gateway').processors.tail_sampling.policies[1].latency.threshold_ms).toBe(2000);
});

test('the agent has read access for k8s_attributes and the kubelet stats API, bound to its ServiceAccount', () => {
  const role = findOne(manifests('prod'), 'ClusterRole', 'otel-agent') as any;
  expect(role.rules).toEqual(
    expect.arrayContaining([
      { apiGroups: [''], resources: ['pods', 'namespaces', 'nodes'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['nodes/stats', 'nodes/proxy'], verbs: ['get'] },
    ]),
  );
  const binding = findOne(manifests('prod'), 'ClusterRoleBinding', 'otel-agent') as any;
  expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'otel-agent', namespace: 'monitoring-agents' }]);
});

test('GOMEMLIMIT sits below the container memory limit', () => {
  const c = (findOne(manifests('prod'), 'Deployment', 'otel-gateway') as any).spec.template.spec.containers[0];
  expect(c.resources.limits.memory).toBe('1024Mi');
  expect(c.env).toEqual(expect.arrayContaining([{ name: 'GOMEMLIMIT', value: '819MiB' }]));
});

test('fails when the spec asks for more than one gateway replica', () => {
  const spec = variant('prod', (s) => {
    s.components.observability.collector.gatewayReplicas = 2;
  });
  expect(() => synthEnvironment(spec)).toThrow(/environments\/prod\.yaml: components\.observability\.collector\.gatewayReplicas must be 1 \(got 2\)\. The gateway tail-samples traces/);
});

test('gitplane config otel-gateway --env prod prints traces, metrics and logs pipelines, memory limiting first, tail sampling on traces', () => {
  const r = gitplane(['config', 'otel-gateway', '--env', 'prod']);
  expect(r.status).toBe(0);
  const c = parse(r.stdout);
  const byName = Object.fromEntries(pipelines(c));
  expect(Object.keys(byName).sort()).toEqual(['logs', 'metrics', 'traces']);
  for (const p of Object.values(byName)) expect(p.processors[0]).toBe('memory_limiter');
  expect(byName.traces.processors).toContain('tail_sampling');
  expect(byName.traces.processors.indexOf('tail_sampling')).toBeLessThan(byName.traces.processors.indexOf('batch'));
});

const gatewayProps = {
  labels: { name: 'otel-gateway', instance: 'otel-gateway-x', component: 'observability' },
  image: 'otelcol:1',
  tempoEndpoint: 'tempo.monitoring.svc:4317',
  lokiEndpoint: 'http://loki.monitoring.svc:3100/otlp',
  prometheusEndpoint: 'http://prometheus-operated.monitoring.svc:9090/api/v1/otlp',
  slowTraceThresholdMs: 1000,
  samplePercentage: 10,
  resourceAttributes: { 'deployment.environment.name': 'x' },
};

test('fails when the sample percentage is outside 0-100', () => {
  const chart = new Chart(testApp(), 'test');
  expect(() => new OtelGateway(chart, 'gw', { ...gatewayProps, samplePercentage: 150 })).toThrow('OtelGateway samplePercentage must be between 0 and 100 (got 150).');
});

test('clusterFrom: the gateway reads the cluster from a ConfigMap key when it starts and stamps it as k8s.cluster.name', () => {
  const chart = new Chart(testApp(), 'test');
  new OtelGateway(chart, 'gw', { ...gatewayProps, clusterFrom: { name: 'telemetry-cluster', key: 'cluster' } });
  const objects = Testing.synth(chart) as any[];
  expect(findOne<any>(objects, 'Deployment', 'otel-gateway').spec.template.spec.containers[0].env).toContainEqual({ name: 'K8S_CLUSTER_NAME', valueFrom: { configMapKeyRef: { name: 'telemetry-cluster', key: 'cluster' } } });
  expect(parse(findOne<any>(objects, 'ConfigMap', 'otel-gateway').data['config.yaml']).processors.resource.attributes).toEqual([
    { key: 'k8s.cluster.name', value: '${env:K8S_CLUSTER_NAME}', action: 'upsert' },
    { key: 'deployment.environment.name', value: 'x', action: 'upsert' },
  ]);
});

test('fails when the cluster is named both in resourceAttributes and by clusterFrom', () => {
  const chart = new Chart(testApp(), 'test');
  expect(() => new OtelGateway(chart, 'gw', { ...gatewayProps, resourceAttributes: { 'k8s.cluster.name': 'a' }, clusterFrom: { name: 'telemetry-cluster', key: 'cluster' } })).toThrow(
    'OtelGateway takes k8s.cluster.name in resourceAttributes ("a") or clusterFrom (ConfigMap telemetry-cluster), not both. Name the cluster one way.',
  );
});
