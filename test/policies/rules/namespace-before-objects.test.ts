import { application, check, env, goodDeployment, messages, namespace, obj } from '../support';

describe('namespace-before-objects', () => {
  test('passes an object whose namespace the namespaces application creates earlier (must-not-fire)', () => {
    expect(check('namespace-before-objects', env([application('namespaces', -20), application('demo', 0), obj(namespace('demo'), 'namespaces'), obj(goodDeployment())]))).toEqual([]);
  });
  test('fails when the namespace is created nowhere', () => {
    expect(messages(check('namespace-before-objects', env([obj(goodDeployment())])))).toEqual(['namespace-before-objects: namespace demo is not created anywhere in this environment.']);
  });
  test('fails for the object of an application without CreateNamespace=true beside one whose Application or own annotation sets it', () => {
    const creating = application('demo', 0, { syncPolicy: { syncOptions: ['ServerSideApply=true', 'CreateNamespace=true'] } });
    const other = obj(goodDeployment((d) => (d.metadata = { ...d.metadata, name: 'other', namespace: 'other' })), 'other');
    const annotated = obj(goodDeployment((d) => (d.metadata = { ...d.metadata, name: 'own', namespace: 'own', annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false, CreateNamespace=true' } })), 'other');
    expect(messages(check('namespace-before-objects', env([creating, application('other', 0), obj(goodDeployment()), other, annotated])))).toEqual([
      'namespace-before-objects: namespace other is not created anywhere in this environment.',
    ]);
  });
  test('fails when the namespace comes in a later wave', () => {
    expect(check('namespace-before-objects', env([application('namespaces', 10), application('demo', 0), obj(namespace('demo'), 'namespaces'), obj(goodDeployment())]))[0].message).toMatch(/not after its namespace demo/);
  });
});
