import { check, env, goodPrometheusRule, messages, obj, RUNBOOK } from '../support';

const files = { 'runbooks/demo-down.md': RUNBOOK };

describe('alert-runbook-url', () => {
  test('passes an alert whose runbook_url resolves to a rendered runbook (must-not-fire)', () => {
    expect(check('alert-runbook-url', env([obj(goodPrometheusRule())], { files }))).toEqual([]);
  });
  test('passes an external https runbook_url (must-not-fire)', () => {
    const r = goodPrometheusRule((a) => (a.annotations.runbook_url = 'https://runbooks.example.org/demo'));
    expect(check('alert-runbook-url', env([obj(r)], { files }))).toEqual([]);
  });
  test('fails when the runbook_url is missing', () => {
    const f = check('alert-runbook-url', env([obj(goodPrometheusRule((a) => delete a.annotations.runbook_url))], { files }));
    expect(messages(f)).toEqual(['alert-runbook-url: alert DemoDown (spec.groups[0].rules[0]) has no runbook_url annotation.']);
  });
  test('fails when the runbook_url points at a runbook the output does not have', () => {
    const f = check('alert-runbook-url', env([obj(goodPrometheusRule())], { files: { 'runbooks/other.md': RUNBOOK } }));
    expect(f[0].message).toMatch(/points at runbooks\/demo-down.md, but the output has no such file/);
  });
  test('fails when the runbook_url is plain http', () => {
    const f = check('alert-runbook-url', env([obj(goodPrometheusRule((a) => (a.annotations.runbook_url = 'http://wiki/demo')))], { files }));
    expect(f[0].message).toMatch(/neither an https URL nor a runbook/);
  });
  test('fails when a rule file inside a ConfigMap has an alert without runbook_url', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rules', namespace: 'monitoring' }, data: { 'alerts.yaml': 'groups:\n- name: g\n  rules:\n  - alert: X\n    expr: vector(1)\n' } };
    expect(messages(check('alert-runbook-url', env([obj(cm)], { files })))).toEqual(['alert-runbook-url: alert X (data.alerts.yaml: groups[0].rules[0]) has no runbook_url annotation.']);
  });
  test('fails when Helm values inside an Application carry an alert without runbook_url', () => {
    const app = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'x', namespace: 'argocd' }, spec: { source: { chart: 'c', helm: { valuesObject: { additionalPrometheusRules: [{ name: 'a', groups: [{ name: 'g', rules: [{ alert: 'Y', expr: 'vector(1)' }] }] }] } } } } };
    expect(check('alert-runbook-url', env([obj(app, 'bootstrap')], { files }))[0].message).toMatch(/^alert Y \(spec.source.helm.valuesObject.additionalPrometheusRules\[0\].groups\[0\].rules\[0\]\) has no runbook_url/);
  });
});
