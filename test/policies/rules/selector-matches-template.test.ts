import { check, env, goodDeployment, messages, obj } from '../support';

describe('selector-matches-template', () => {
  test('passes a selector made of the template labels (must-not-fire)', () => {
    expect(check('selector-matches-template', env([obj(goodDeployment())]))).toEqual([]);
  });
  test('fails when the selector does not match the template', () => {
    const d = goodDeployment((x) => (x.spec.selector.matchLabels['app.kubernetes.io/instance'] = 'demo-dev'));
    expect(messages(check('selector-matches-template', env([obj(d)])))).toEqual(['selector-matches-template: spec.selector.matchLabels app.kubernetes.io/instance=demo-dev not on the pod template (app.kubernetes.io/instance=demo-prod).']);
  });
  test('fails when the selector is empty', () => {
    expect(messages(check('selector-matches-template', env([obj(goodDeployment((x) => (x.spec.selector = {})))])))).toEqual(['selector-matches-template: spec.selector.matchLabels is empty.']);
  });
});
