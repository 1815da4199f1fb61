import { check, env, messages, namespace, obj } from '../support';

describe('sync-wave-format', () => {
  test('passes an integer string (must-not-fire)', () => {
    expect(check('sync-wave-format', env([obj(namespace('demo'))]))).toEqual([]);
  });
  test('fails when the wave is not an integer string', () => {
    const ns = namespace('demo');
    ns.metadata.annotations = { 'argocd.argoproj.io/sync-wave': 'early' };
    expect(messages(check('sync-wave-format', env([obj(ns)])))).toEqual(['sync-wave-format: metadata.annotations["argocd.argoproj.io/sync-wave"] is "early", not an integer string.']);
  });
});
