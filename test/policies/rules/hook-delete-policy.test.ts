import { check, env, messages, obj } from '../support';

const job = (annotations: Record<string, string>) => obj({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'demo', annotations }, spec: {} });

describe('hook-delete-policy', () => {
  test('passes a hook with a delete policy (must-not-fire)', () => {
    expect(check('hook-delete-policy', env([job({ 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' })]))).toEqual([]);
  });
  test('fails when a hook has no delete policy', () => {
    expect(messages(check('hook-delete-policy', env([job({ 'argocd.argoproj.io/hook': 'PreSync' })])))).toEqual(['hook-delete-policy: the object is a hook (argocd.argoproj.io/hook: PreSync) without a delete policy.']);
  });
});
