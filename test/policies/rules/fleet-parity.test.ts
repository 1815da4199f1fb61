import { check, env, goodPrometheusRule, networkPolicy, obj, spec } from '../support';

const prodA = (objects: ReturnType<typeof obj>[]) => env(objects, { name: 'prod-a', spec: spec((s) => (s.name = 'prod-a')) });
const prodB = (objects: ReturnType<typeof obj>[]) => env(objects, { name: 'prod-b', spec: spec((s) => (s.name = 'prod-b')) });

describe('fleet-parity', () => {
  test('passes environments of one tier with the same policy objects (must-not-fire)', () => {
    const objects = [obj(networkPolicy('demo')), obj(goodPrometheusRule())];
    expect(check('fleet-parity', prodA(objects), [prodB(objects)])).toEqual([]);
  });
  test('passes an environment without peers (must-not-fire)', () => {
    expect(check('fleet-parity', prodA([]))).toEqual([]);
  });
  test('fails when a NetworkPolicy exists in a sibling only', () => {
    const f = check('fleet-parity', prodA([]), [prodB([obj(networkPolicy('demo'))])]);
    expect(f.map((x) => x.message)).toEqual(['NetworkPolicy/demo/default-deny exists in prod-b (same tier) but not in prod-a.']);
  });
  test('fails when an alert exists in a sibling only', () => {
    const other = goodPrometheusRule((a) => (a.alert = 'DemoSlow'));
    const f = check('fleet-parity', prodA([obj(goodPrometheusRule())]), [prodB([obj(other)])]);
    expect(f.map((x) => x.message)).toEqual(['alert DemoSlow exists in prod-b (same tier) but not in prod-a.']);
  });
});
