import { check, env, goodDeployment, messages, networkPolicy, obj } from '../support';

describe('network-policy-coverage', () => {
  test('passes a workload whose namespace has a NetworkPolicy (must-not-fire)', () => {
    expect(check('network-policy-coverage', env([obj(goodDeployment()), obj(networkPolicy('demo'))]))).toEqual([]);
  });
  test('fails when the namespace has no NetworkPolicy', () => {
    expect(messages(check('network-policy-coverage', env([obj(goodDeployment()), obj(networkPolicy('other'))])))).toEqual(['network-policy-coverage: namespace demo runs this workload but has no NetworkPolicy.']);
  });
});
