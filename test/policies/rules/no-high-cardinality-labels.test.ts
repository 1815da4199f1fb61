import { check, env, messages, obj } from '../support';

const cm = (key: string, text: string) => obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'monitoring' }, data: { [key]: text } });

describe('no-high-cardinality-labels', () => {
  test('passes bounded labels promoted to the index (must-not-fire)', () => {
    const loki = 'limits_config:\n  otlp_config:\n    resource_attributes:\n      attributes_config:\n      - action: index_label\n        attributes: [service.name, k8s.namespace.name]\n';
    expect(check('no-high-cardinality-labels', env([cm('loki.yaml', loki)]))).toEqual([]);
  });
  test('fails when Loki indexes a trace id', () => {
    const loki = 'limits_config:\n  otlp_config:\n    resource_attributes:\n      attributes_config:\n      - action: index_label\n        attributes: [service.name, trace_id]\n';
    expect(messages(check('no-high-cardinality-labels', env([cm('loki.yaml', loki)])))).toEqual(['no-high-cardinality-labels: data.loki.yaml: limits_config.otlp_config.resource_attributes.attributes_config[0].attributes promotes the high-cardinality attribute "trace_id" to a label.']);
  });
  test('fails when Prometheus promotes a user id resource attribute', () => {
    const prom = obj({ apiVersion: 'monitoring.coreos.com/v1', kind: 'Prometheus', metadata: { name: 'p', namespace: 'monitoring' }, spec: { otlp: { promoteResourceAttributes: ['service.name', 'user.id'] } } });
    expect(messages(check('no-high-cardinality-labels', env([prom])))).toEqual(['no-high-cardinality-labels: spec.otlp.promoteResourceAttributes promotes the high-cardinality attribute "user.id" to a label.']);
  });
  test('fails when a config names a promotion under a __proto__ key, which parses as a key like any other', () => {
    const config = '__proto__:\n  targetLabels: [user_id]\n';
    expect(messages(check('no-high-cardinality-labels', env([cm('scrape.yaml', config)])))).toEqual(['no-high-cardinality-labels: data.scrape.yaml: __proto__.targetLabels promotes the high-cardinality attribute "user_id" to a label.']);
  });
  test('fails when a relabeling targets a session id label', () => {
    const sm = obj({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 's', namespace: 'monitoring' }, spec: { endpoints: [{ port: 'm', relabelings: [{ sourceLabels: ['__meta_x'], targetLabel: 'session_id' }] }] } });
    expect(messages(check('no-high-cardinality-labels', env([sm])))).toEqual(['no-high-cardinality-labels: spec.endpoints[0].relabelings[0].targetLabel promotes the high-cardinality attribute "session_id" to a label.']);
  });
});
