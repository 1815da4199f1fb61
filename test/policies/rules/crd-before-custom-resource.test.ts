import { application, check, env, goodPrometheusRule, messages, obj } from '../support';

const rule = () => obj(goodPrometheusRule(), 'observability-alerts');

describe('crd-before-custom-resource', () => {
  test('passes a PrometheusRule in an application after the one installing the CRDs (must-not-fire)', () => {
    expect(check('crd-before-custom-resource', env([application('observability-prometheus', -10), application('observability-alerts', 10), rule()]))).toEqual([]);
  });
  test('fails when the CR\'s application is not later than the CRD installer', () => {
    expect(messages(check('crd-before-custom-resource', env([application('observability-prometheus', -10), application('observability-alerts', -10), rule()])))).toEqual([
      'crd-before-custom-resource: PrometheusRule is in wave 10 of application observability-alerts (application wave -10), not after its CRD (group monitoring.coreos.com) in wave -Infinity of application observability-prometheus (application wave -10).',
    ]);
  });
  test('fails when no application installs the CRDs', () => {
    expect(check('crd-before-custom-resource', env([application('observability-alerts', 10), rule()]))[0].message).toMatch(/which application observability-prometheus installs .* but this environment has no such application/);
  });
  test('fails when a CustomResourceDefinition in the output syncs later than its CR', () => {
    const crd = obj({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' }, spec: { group: 'example.com', names: { kind: 'Widget' } } }, 'widgets');
    const cr = obj({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'demo' } }, 'users');
    expect(check('crd-before-custom-resource', env([application('widgets', 10), application('users', 0), crd, cr]))[0].message).toMatch(/^Widget is in wave 0 of application users .* not after its CRD \(group example.com\)/);
  });
});
