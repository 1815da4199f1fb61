import { check, env, goodDeployment, messages, obj } from '../support';

describe('selector-matches-template', () => {
  test('passes a selector made of the template labels (must-not-fire)', () => {
    expect(check('selector-matches-template', env([obj(goodDeployment())]))).toEqual([]);
  });
  test('passes a selector of matchExpressions only that the template meets (must-not-fire)', () => {
    const d = goodDeployment((x) => (x.spec.selector = { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['demo'] }, { key: 'app.kubernetes.io/instance', operator: 'Exists' }] }));
    expect(check('selector-matches-template', env([obj(d)]))).toEqual([]);
  });
  test('fails when the selector does not match the template', () => {
    const d = goodDeployment((x) => (x.spec.selector.matchLabels['app.kubernetes.io/instance'] = 'demo-dev'));
    expect(messages(check('selector-matches-template', env([obj(d)])))).toEqual(["selector-matches-template: spec.selector requires app.kubernetes.io/instance=demo-dev, which the pod template's labels do not meet (app.kubernetes.io/instance=demo-prod)."]);
  });
  test('fails when the matchExpressions exclude the template its matchLabels select', () => {
    const d = goodDeployment((x) => (x.spec.selector.matchExpressions = [{ key: 'app.kubernetes.io/component', operator: 'Exists' }, { key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['demo'] }]));
    expect(messages(check('selector-matches-template', env([obj(d)])))).toEqual([
      "selector-matches-template: spec.selector requires app.kubernetes.io/component,app.kubernetes.io/name notin (demo), which the pod template's labels do not meet (app.kubernetes.io/component=(unset), app.kubernetes.io/name=demo).",
    ]);
  });
  test('fails when the selector is empty', () => {
    expect(messages(check('selector-matches-template', env([obj(goodDeployment((x) => (x.spec.selector = {})))])))).toEqual(['selector-matches-template: spec.selector is empty: it has no matchLabels and no matchExpressions.']);
  });
});
