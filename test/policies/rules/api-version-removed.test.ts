import { check, env, obj, spec } from '../support';

const pdb = (apiVersion: string) => obj({ apiVersion, kind: 'PodDisruptionBudget', metadata: { name: 'demo', namespace: 'demo' }, spec: {} });

describe('api-version-removed', () => {
  test('passes policy/v1 and an API removed after the cluster\'s version (must-not-fire)', () => {
    expect(check('api-version-removed', env([pdb('policy/v1')]))).toEqual([]);
    const old = spec((s) => (s.cluster.kubernetesVersion = '1.24.9'));
    expect(check('api-version-removed', env([pdb('policy/v1beta1')], { spec: old }))).toEqual([]);
  });
  test('fails when the cluster no longer serves the API version', () => {
    const f = check('api-version-removed', env([pdb('policy/v1beta1')]));
    expect(f.map((x) => [x.message, x.fix])).toEqual([['policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25 and the cluster runs 1.34.2.', 'Use policy/v1 (Pod Security admission replaces PodSecurityPolicy).']]);
  });
});
