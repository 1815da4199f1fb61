import { application, check, env, goodDeployment, messages, namespace, obj } from '../support';

describe('namespace-before-objects', () => {
  test('passes an object whose namespace the namespaces application creates earlier (must-not-fire)', () => {
    expect(check('namespace-before-objects', env([application('namespaces', -20), application('demo', 0), obj(namespace('demo'), 'namespaces'), obj(goodDeployment())]))).toEqual([]);
  });
  test('fails when the namespace is created nowhere', () => {
    expect(messages(check('namespace-before-objects', env([obj(goodDeployment())])))).toEqual(['namespace-before-objects: namespace demo is not created anywhere in this environment.']);
  });
  test('fails when the namespace comes in a later wave', () => {
    expect(check('namespace-before-objects', env([application('namespaces', 10), application('demo', 0), obj(namespace('demo'), 'namespaces'), obj(goodDeployment())]))[0].message).toMatch(/not after its namespace demo/);
  });
});
