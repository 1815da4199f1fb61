import { application, check, env, messages, obj } from '../support';

describe('application-wave-health', () => {
  test('passes waved Applications of a gitplane environment (its bootstrap sets the customization; must-not-fire)', () => {
    expect(check('application-wave-health', env([application('a', -10), application('b', 0)]))).toEqual([]);
  });
  test('passes a directory that ships argocd-cm with the customization (must-not-fire)', () => {
    const cm = obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd' }, data: { 'resource.customizations.health.argoproj.io_Application': 'hs = {}' } });
    expect(check('application-wave-health', env([application('a', -10), application('b', 0), cm], { spec: null }))).toEqual([]);
  });
  test('fails when waved Applications come without the health customization', () => {
    const f = check('application-wave-health', env([application('a', -10), application('b', 0)], { spec: null }));
    expect(messages(f)[0]).toBe('application-wave-health: Applications use 2 different waves, but no argocd-cm with resource.customizations.health.argoproj.io_Application is in the manifests, so the waves may not gate.');
  });
});
