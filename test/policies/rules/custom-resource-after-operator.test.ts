import { application, check, env, goodPrometheusRule, messages, obj } from '../support';

describe('custom-resource-after-operator', () => {
  test('passes a PrometheusRule in wave 10 of the operator\'s own application (must-not-fire)', () => {
    expect(check('custom-resource-after-operator', env([application('observability-prometheus', -10), obj(goodPrometheusRule(), 'observability-prometheus')]))).toEqual([]);
  });
  test('fails when the PrometheusRule is moved to an earlier wave than its operator', () => {
    const r = goodPrometheusRule();
    r.metadata.annotations = { 'argocd.argoproj.io/sync-wave': '-20' };
    expect(messages(check('custom-resource-after-operator', env([application('observability-prometheus', -10), obj(r, 'observability-prometheus')])))).toEqual([
      'custom-resource-after-operator: PrometheusRule is in wave -20 of application observability-prometheus (application wave -10), not after its operator (group monitoring.coreos.com) in wave 0 of application observability-prometheus (application wave -10).',
    ]);
  });
  test('fails when the CR\'s application syncs before the operator\'s application', () => {
    expect(check('custom-resource-after-operator', env([application('observability-prometheus', -10), application('observability-alerts', -20), obj(goodPrometheusRule(), 'observability-alerts')]))).toHaveLength(1);
  });
});
