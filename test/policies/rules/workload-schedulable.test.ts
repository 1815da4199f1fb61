import { EnvironmentSpec } from '../../../environments/schema';
import { synthEnvironment } from '../../../stacks/synth';
import { ENVIRONMENTS, built, variant } from '../../support/environments';
import { check, env, goodDeployment, messages, obj } from '../support';

const RULE = 'workload-schedulable';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const daemonSet = (pod: (spec: any) => void = () => undefined) =>
  obj(goodDeployment((d) => {
    d.kind = 'DaemonSet';
    delete d.spec.replicas;
    pod(d.spec.template.spec);
  }));
const arch = (values: string[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values }] }] } } });
const judge = (name: string, ...objects: ReturnType<typeof obj>[]) => messages(check(RULE, env(objects, { spec: variant(name, () => undefined) })));

describe('workload-schedulable', () => {
  test('passes a Deployment without placement where worker nodes exist (must-not-fire)', () => {
    for (const name of ENVIRONMENTS) expect(judge(name, obj(goodDeployment()))).toEqual([]);
  });

  test('passes a DaemonSet on the control plane of kubeadm that tolerates its taint, and one that tolerates everything (must-not-fire)', () => {
    const controlPlane = daemonSet((p) => {
      p.nodeSelector = { 'node-role.kubernetes.io/control-plane': '' };
      p.tolerations = [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }];
    });
    expect(judge('staging', controlPlane)).toEqual([]);
    expect(judge('staging', daemonSet((p) => ((p.nodeSelector = { 'node-role.kubernetes.io/control-plane': '' }), (p.tolerations = [{ operator: 'Exists' }]))))).toEqual([]);
  });

  test('passes when any one required node affinity term matches, with NotIn, DoesNotExist and metadata.name fields (must-not-fire)', () => {
    const terms = [
      { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['riscv64'] }] },
      {
        matchExpressions: [
          { key: 'kubernetes.io/arch', operator: 'NotIn', values: ['amd64'] },
          { key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' },
          { key: 'example.com/generation', operator: 'DoesNotExist' },
        ],
        matchFields: [{ key: 'metadata.name', operator: 'In', values: ['prod-w-4'] }],
      },
    ];
    expect(judge('prod', daemonSet((p) => (p.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } })))).toEqual([]);
  });

  test('passes a k3s server selected by the label k3s sets, which carries no taint (must-not-fire)', () => {
    expect(judge('dev', daemonSet((p) => (p.nodeSelector = { 'node-role.kubernetes.io/control-plane': 'true' })))).toEqual([]);
  });

  test('passes a kubeadm control-plane node the spec also makes a worker, whose taint was removed (must-not-fire)', () => {
    const single = variant('staging', (s) => (s.cluster.nodes = [{ name: 'solo', arch: 'amd64', roles: ['control-plane', 'worker', 'storage'] }]));
    expect(messages(check(RULE, env([daemonSet((p) => (p.nodeSelector = { 'node-role.kubernetes.io/control-plane': '' }))], { spec: single })))).toEqual([]);
  });

  test('does not judge a directory of manifests, which declares no nodes (must-not-fire)', () => {
    expect(check(RULE, env([daemonSet((p) => (p.affinity = arch(['riscv64'])))], { spec: null }))).toEqual([]);
  });

  test('fails when the required node affinity admits no node\'s architecture (staging\'s preflight on arm64)', () => {
    const [f] = check(RULE, env([daemonSet((p) => (p.affinity = arch(['arm64'])))], { spec: variant('staging', () => undefined) }));
    expect(`${f.ref}: ${f.message}`).toBe(
      'DaemonSet/demo/demo: no node of cluster.nodes admits the pod (stg-cp-1, stg-cp-2, stg-cp-3, stg-w-1, stg-w-2, stg-w-3: required node affinity needs kubernetes.io/arch In [arm64] but the node has kubernetes.io/arch=amd64).',
    );
    expect(f.value).toBe('required node affinity kubernetes.io/arch In [arm64]');
  });

  test('fails when no term of several matches, naming what each needs', () => {
    const terms = ['riscv64', 's390x'].map((a) => ({ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: [a] }] }));
    const [f] = check(RULE, env([daemonSet((p) => (p.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } }))], { spec: variant('dev', () => undefined) }));
    expect([f.message, f.value]).toEqual([
      'no node of cluster.nodes admits the pod (dev-1: required node affinity needs kubernetes.io/arch In [riscv64] but the node has kubernetes.io/arch=amd64, or needs kubernetes.io/arch In [s390x] but the node has kubernetes.io/arch=amd64).',
      'required node affinity kubernetes.io/arch In [riscv64] or kubernetes.io/arch In [s390x]',
    ]);
  });

  test('fails when the nodeSelector names an architecture no node has, giving each node\'s reason', () => {
    expect(judge('pi-edge', daemonSet((p) => ((p.nodeSelector = { 'kubernetes.io/arch': 'amd64' }), (p.tolerations = [{ operator: 'Exists' }]))))).toEqual([
      'workload-schedulable: no node of cluster.nodes admits the pod (pi-cp-1, pi-cp-2, pi-cp-3, pi-w-1, pi-w-2: nodeSelector needs kubernetes.io/arch=amd64 but the node has kubernetes.io/arch=arm64).',
    ]);
  });

  test('fails when a kubeadm control-plane taint is not tolerated and the other nodes are not selected', () => {
    const [f] = check(RULE, env([daemonSet((p) => (p.nodeSelector = { 'node-role.kubernetes.io/control-plane': '' }))], { spec: variant('staging', () => undefined) }));
    expect(f.message).toBe(
      'no node of cluster.nodes admits the pod (stg-cp-1, stg-cp-2, stg-cp-3: taint node-role.kubernetes.io/control-plane:NoSchedule is not tolerated; stg-w-1, stg-w-2, stg-w-3: nodeSelector needs node-role.kubernetes.io/control-plane="" but the node has no node-role.kubernetes.io/control-plane).',
    );
    expect(f.value).toBe('taint node-role.kubernetes.io/control-plane:NoSchedule; nodeSelector node-role.kubernetes.io/control-plane=""');
  });

  test('fails when a toleration names the taint with another effect or value', () => {
    const wrong = daemonSet((p) => {
      p.nodeSelector = { 'node-role.kubernetes.io/control-plane': '' };
      p.tolerations = [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoExecute' }, { key: 'node-role.kubernetes.io/control-plane', value: 'true' }];
    });
    expect(check(RULE, env([wrong], { spec: variant('pi-edge', () => undefined) }))[0].value).toBe('taint node-role.kubernetes.io/control-plane:NoSchedule; nodeSelector node-role.kubernetes.io/control-plane=""');
  });

  test('fails when the workload selects a worker role label, which no distribution sets', () => {
    expect(judge('dev', obj(goodDeployment((d) => (d.spec.template.spec.nodeSelector = { 'node-role.kubernetes.io/worker': 'true' }))))).toEqual([
      'workload-schedulable: no node of cluster.nodes admits the pod (dev-1: nodeSelector needs node-role.kubernetes.io/worker=true but the node has no node-role.kubernetes.io/worker).',
    ]);
  });

  test('fails when kubeadm\'s control-plane label value is used on k3s, which sets "true"', () => {
    expect(judge('dev', daemonSet((p) => (p.nodeSelector = { 'node-role.kubernetes.io/control-plane': '' })))).toEqual([
      'workload-schedulable: no node of cluster.nodes admits the pod (dev-1: nodeSelector needs node-role.kubernetes.io/control-plane="" but the node has node-role.kubernetes.io/control-plane=true).',
    ]);
  });

  test('fails when the only required node affinity term is empty, which matches no node', () => {
    const empty = daemonSet((p) => (p.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } }));
    expect(judge('dev', empty)).toEqual(['workload-schedulable: no node of cluster.nodes admits the pod (dev-1: required node affinity has an empty term, which matches no node).']);
  });

  test('fails when Gt compares a label that is not a number', () => {
    const gt = (values: string[]) => daemonSet((p) => (p.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'Gt', values }] }] } } }));
    expect(judge('dev', gt(['1']))).toEqual(['workload-schedulable: no node of cluster.nodes admits the pod (dev-1: required node affinity needs kubernetes.io/hostname Gt [1] but the node has kubernetes.io/hostname=dev-1).']);
  });
});

describe('the shipped environments', () => {
  test.each(ENVIRONMENTS)('every workload of %s runs on at least one of its nodes', (name) => {
    const e = built(name);
    expect(messages(check(RULE, env([...e.output.objects], { spec: e.spec })))).toEqual([]);
  });

  test('fails when staging\'s preflight keeps the old fixed default of arm64, which none of its nodes has', () => {
    const old: EnvironmentSpec = variant('staging', (s) => (s.components.preflight.architectures = ['arm64']));
    const found = check(RULE, env(synthEnvironment(old).objects, { spec: old }));
    expect(found.map((f) => f.ref)).toEqual(['DaemonSet/node-preflight/node-preflight']);
  });
});
