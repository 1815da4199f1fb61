import { check, env, goodPrometheusRule, messages, obj } from '../support';

const run = (change: (a: any) => void) => messages(check('alert-annotations', env([obj(goodPrometheusRule(change))]))); // eslint-disable-line @typescript-eslint/no-explicit-any

describe('alert-annotations', () => {
  test('passes a complete alert (must-not-fire)', () => {
    expect(run(() => undefined)).toEqual([]);
  });
  test('fails when summary is missing', () => {
    expect(run((a) => delete a.annotations.summary)).toEqual(['alert-annotations: alert DemoDown (spec.groups[0].rules[0]) has no summary annotation.']);
  });
  test('fails when description is missing', () => {
    expect(run((a) => delete a.annotations.description)).toEqual(['alert-annotations: alert DemoDown (spec.groups[0].rules[0]) has no description annotation.']);
  });
  test('fails when the severity is not in the allowed set', () => {
    expect(run((a) => (a.labels.severity = 'urgent'))).toEqual(['alert-annotations: alert DemoDown (spec.groups[0].rules[0]) has severity "urgent"; allowed are critical, warning, info, none.']);
  });
  test('fails when a paging alert has no for', () => {
    expect(run((a) => delete a.for)[0]).toMatch(/pages \(severity critical\) but has no `for`/);
  });
});
