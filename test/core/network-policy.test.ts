import { Chart, Testing } from 'cdk8s';
import { IngressPolicy } from '../../constructs/core';
import { findAll } from '../../stacks/objects';
import { manifests } from '../support/environments';
import { testApp } from '../support/cdk8s';

const app = { name: 'demo', instance: 'demo-test', component: 'demo' };
const render = (build: (chart: Chart) => void) => {
  const chart = new Chart(testApp(), 'test');
  build(chart);
  return Testing.synth(chart) as any[];
};

test('without allows or a pod selector it denies all ingress to every pod of the namespace, with no ingress field the API server would drop', () => {
  const [np] = render((c) => new IngressPolicy(c, 'deny', { name: 'default-deny-ingress', app, annotations: {} }));
  expect(np.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  expect(np.metadata).not.toHaveProperty('annotations');
});

test('allows name TCP ports and peers: the whole cluster, one namespace, or pods of its own namespace', () => {
  const [np] = render((c) => new IngressPolicy(c, 'p', {
    name: 'demo',
    app,
    podSelector: { 'app.kubernetes.io/name': 'demo' },
    allow: [{ ports: [80, 443], from: [{ cluster: true }, { namespace: 'monitoring' }, { pods: { role: 'peer' } }] }],
  }));
  expect(np.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'demo' } });
  expect(np.spec.ingress).toEqual([{
    from: [{ namespaceSelector: {} }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }, { podSelector: { matchLabels: { role: 'peer' } } }],
    ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 443 }],
  }]);
});

test('fails when an allow has no port or no peer', () => {
  expect(() => render((c) => new IngressPolicy(c, 'p', { name: 'demo', app, allow: [{ ports: [], from: [{ cluster: true }] }] }))).toThrow(
    'IngressPolicy demo: every allow needs at least one port and one peer (got ports [] from 1 peers); leave the allow out to deny instead.',
  );
  expect(() => render((c) => new IngressPolicy(c, 'p', { name: 'demo', app, allow: [{ ports: [80], from: [] }] }))).toThrow(/at least one port and one peer/);
});

describe('the platform', () => {
  const objs = () => manifests('prod');
  const ingress = (name: string, namespace: string) => findAll<any>(objs(), 'NetworkPolicy').find((n) => n.metadata.name === name && n.metadata.namespace === namespace).spec.ingress;
  const ports = (rules: any[]) => rules.map((r) => r.ports.map((p: any) => p.port));

  test('every namespace that runs a workload has a NetworkPolicy', () => {
    const workloads = ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'].flatMap((k) => findAll<any>(objs(), k));
    const covered = new Set(findAll<any>(objs(), 'NetworkPolicy').map((n) => n.metadata.namespace));
    for (const w of workloads) expect(covered).toContain(w.metadata.namespace);
  });

  test('NATS: clients from the cluster, routes between the servers, monitoring and metrics from monitoring', () => {
    const rules = ingress('nats', 'nats');
    expect(ports(rules)).toEqual([[4222], [6222], [8222, 7777]]);
    expect(rules[0].from).toEqual([{ namespaceSelector: {} }]);
    expect(rules[1].from[0].podSelector.matchLabels['app.kubernetes.io/name']).toBe('nats');
    expect(rules[2].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
    expect(ingress('default-deny-ingress', 'nats')).toBeUndefined();
  });

  test('the pipeline: OTLP from anywhere only to the agent, from the agents only to the gateway; Loki, Tempo and every metrics port only from monitoring', () => {
    const from = (namespace: string) => [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } }];
    expect(ports(ingress('otel-agent', 'monitoring-agents'))).toEqual([[4317, 4318], [8888]]);
    expect(ingress('otel-agent', 'monitoring-agents').map((r: { from: unknown }) => r.from)).toEqual([[{ namespaceSelector: {} }], from('monitoring')]);
    expect(ports(ingress('otel-gateway', 'monitoring'))).toEqual([[4317, 4318], [8888]]);
    expect(ingress('otel-gateway', 'monitoring').map((r: { from: unknown }) => r.from)).toEqual([from('monitoring-agents'), from('monitoring')]);
    for (const name of ['loki', 'tempo']) {
      for (const rule of ingress(name, 'monitoring')) expect(rule.from).toEqual(from('monitoring'));
    }
    expect(ports(ingress('loki', 'monitoring'))).toEqual([[3100, 9095]]);
    expect(ports(ingress('tempo', 'monitoring'))).toEqual([[3200, 9095, 4317, 4318]]);
  });

  test('host-network namespaces still get a default deny', () => {
    for (const ns of ['node-preflight', 'etcd-backup']) {
      const deny = findAll<any>(objs(), 'NetworkPolicy').find((n) => n.metadata.namespace === ns);
      expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    }
  });
});
