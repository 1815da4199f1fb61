import { check, env, spec, TODAY } from '../support';

const withExemption = (expires?: string) => env([], { spec: spec((s) => (s.policy.exemptions = [{ rule: 'image-pinned', object: 'Deployment/demo/demo', reason: 'upstream publishes no tags yet', ...(expires ? { expires } : {}) }])) });

describe('exemption-expired', () => {
  test('passes an exemption without expiry and one expiring today (must-not-fire)', () => {
    expect(check('exemption-expired', withExemption())).toEqual([]);
    expect(check('exemption-expired', withExemption(TODAY))).toEqual([]);
  });
  test('fails when an exemption has expired', () => {
    expect(check('exemption-expired', withExemption('2026-01-31')).map((f) => f.message)).toEqual(['the exemption of Deployment/demo/demo from image-pinned expired on 2026-01-31 (reason given: "upstream publishes no tags yet"); the findings it waived are reported again.']);
  });
});
