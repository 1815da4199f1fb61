import { runPolicies } from '../../../policies/engine';
import { RULES } from '../../../policies/registry';
import { application, check, env, goodPrometheusRule, messages, obj, TODAY } from '../support';

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
  test('fails in the one of two environments judged together whose CRD syncs later, each judged by its own applications', () => {
    const crd = obj({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' }, spec: { group: 'example.com', names: { kind: 'Widget' } } }, 'widgets');
    const cr = obj({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'demo' } }, 'users');
    const early = { ...env([application('widgets', -5), application('users', 0), crd, cr]), name: 'early' };
    const late = { ...env([application('widgets', 5), application('users', 0), crd, cr]), name: 'late' };
    const rules = RULES.filter((r) => r.id === 'crd-before-custom-resource');
    const report = runPolicies([early, late], { rules, today: TODAY });
    expect(report.environments.map((e) => e.findings.map((f) => f.message))).toEqual([[], [expect.stringMatching(/^Widget is in wave 0 of application users .* not after its CRD \(group example.com\) in wave 0 of application widgets \(application wave 5\)/)]]);
  });
});
