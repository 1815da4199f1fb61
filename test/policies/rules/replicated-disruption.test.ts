import { check, env, goodDeployment, obj } from '../support';

const replicated = (spread = true) =>
  obj(goodDeployment((d) => {
    d.spec.replicas = 3;
    if (spread) d.spec.template.spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: d.spec.selector.matchLabels } }];
  }));
const pdb = (spec: Record<string, unknown>) => obj({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'demo', namespace: 'demo' }, spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'demo', 'app.kubernetes.io/instance': 'demo-prod' } }, ...spec } });
const instanceIn = (...values: string[]) => ({ matchExpressions: [{ key: 'app.kubernetes.io/instance', operator: 'In', values }] });

describe('replicated-disruption', () => {
  test('passes three spread replicas with a PDB allowing one eviction (must-not-fire)', () => {
    expect(check('replicated-disruption', env([replicated(), pdb({ maxUnavailable: 1 })]))).toEqual([]);
  });
  test('passes a single replica (must-not-fire)', () => {
    expect(check('replicated-disruption', env([obj(goodDeployment())]))).toEqual([]);
  });
  test('fails when no PodDisruptionBudget selects the replicas', () => {
    expect(check('replicated-disruption', env([replicated()])).map((f) => f.message)).toEqual(['3 replicas but no PodDisruptionBudget selects the pods.']);
  });
  test('passes a PodDisruptionBudget that selects the pods with matchExpressions only (must-not-fire)', () => {
    expect(check('replicated-disruption', env([replicated(), pdb({ selector: instanceIn('demo-dev', 'demo-prod'), maxUnavailable: 1 })]))).toEqual([]);
  });
  test('fails when the PodDisruptionBudget\'s matchExpressions exclude the pods its matchLabels select', () => {
    const selector = { matchLabels: { 'app.kubernetes.io/name': 'demo' }, ...instanceIn('demo-dev') };
    expect(check('replicated-disruption', env([replicated(), pdb({ selector, maxUnavailable: 1 })])).map((f) => f.message)).toEqual(['3 replicas but no PodDisruptionBudget selects the pods.']);
  });
  test('fails when the PodDisruptionBudget allows no eviction', () => {
    const f = check('replicated-disruption', env([replicated(), pdb({ minAvailable: 3 })]));
    expect(f.map((x) => `${x.ref}: ${x.message}`)).toEqual(['PodDisruptionBudget/demo/demo: PodDisruptionBudget demo allows no eviction of the 3 replicas, which blocks every node drain.']);
  });
  test('fails when replicas are not spread', () => {
    expect(check('replicated-disruption', env([replicated(false), pdb({ maxUnavailable: 1 })])).map((f) => f.message)).toEqual(['3 replicas without podAntiAffinity or topologySpreadConstraints; they may all land on one node.']);
  });
});
