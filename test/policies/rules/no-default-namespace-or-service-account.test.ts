import { check, env, goodDeployment, messages, obj } from '../support';

describe('no-default-namespace-or-service-account', () => {
  test('passes a workload in its own namespace with its own ServiceAccount (must-not-fire)', () => {
    expect(check('no-default-namespace-or-service-account', env([obj(goodDeployment())]))).toEqual([]);
  });
  test('fails when an object is in the default namespace', () => {
    const d = goodDeployment((x) => (x.metadata.namespace = 'default'));
    expect(messages(check('no-default-namespace-or-service-account', env([obj(d)])))).toEqual(['no-default-namespace-or-service-account: the object is in the default namespace.']);
  });
  test('fails when the pod runs as the default ServiceAccount with its token', () => {
    const d = goodDeployment((x) => delete x.spec.template.spec.serviceAccountName);
    expect(messages(check('no-default-namespace-or-service-account', env([obj(d)])))).toEqual(['no-default-namespace-or-service-account: the pod runs as the default ServiceAccount with its token mounted (spec.template.spec.serviceAccountName unset or "default").']);
  });
});
