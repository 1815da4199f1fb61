import { application, check, env, goodPrometheusRule, messages, namespace, obj } from '../support';

describe('sync-order-acyclic', () => {
  test('passes applications that need each other one way (must-not-fire)', () => {
    expect(check('sync-order-acyclic', env([application('observability-prometheus', -10), application('observability-alerts', 10), obj(goodPrometheusRule(), 'observability-alerts')]))).toEqual([]);
  });
  test('fails when two applications need each other', () => {
    // alerts needs prometheus (CRDs); prometheus needs the namespace alerts creates.
    const promObject = obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'alerts-ns' } }, 'observability-prometheus');
    const corpus = env([application('observability-prometheus', -10), application('observability-alerts', 10), obj(goodPrometheusRule(), 'observability-alerts'), obj(namespace('alerts-ns'), 'observability-alerts'), promObject]);
    expect(messages(check('sync-order-acyclic', corpus))).toEqual(['sync-order-acyclic: applications need each other in a cycle: observability-alerts needs observability-prometheus needs observability-alerts.']);
  });
});
