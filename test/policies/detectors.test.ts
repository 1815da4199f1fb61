import { rules } from '@secretlint/secretlint-rule-preset-recommend';
import { PRESET_EXCLUDED, PRESET_MARKERS, redact, scanValue } from '../../policies/lib/detectors';
import { ALNUM, fake } from '../support/fake-secrets';

const presetIds = (rules as unknown as { meta: { id: string } }[]).map((r) => r.meta.id.replace(/^@secretlint\/secretlint-rule-/, '')).sort();

describe('credential detectors', () => {
  test('every rule of secretlint\'s preset has the literals that let it run, or is left out on purpose', () => {
    expect([...Object.keys(PRESET_MARKERS), ...PRESET_EXCLUDED].sort()).toEqual(presetIds);
  });
  test.each([
    ['GitLab', fake('glpat-', 20), 'GitLab Personal Access Token'],
    ['Grafana', `glsa_${fake('', 32)}_${'0a1b2c3d'}`, 'Grafana Service Account token'],
    ['HashiCorp Vault', fake('hvs.', 95, ALNUM), 'HashiCorp Vault service token'],
  ])('finds a %s token under a neutral name through the preset', (_what, token, detector) => {
    expect(scanValue({ note: `see ${token} here` }, '').map((d) => d.detector)).toEqual([expect.stringContaining(detector)]);
  });
  test('a string that recurs under many names and depths is judged under each, whether remembered or not', () => {
    const value = fake('', 24, ALNUM, 'recurring');
    // More names than a string's remembered variants, secret-like and neutral, at two depths.
    const names = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? `db${i}_password` : `note${i}`));
    const object = Object.fromEntries(names.map((n) => [n, { inner: { [n]: value }, [n]: value }]));
    const expected = names.filter((_, i) => i % 2 === 0).flatMap((n) => [`${n}.inner.${n}`, `${n}.${n}`]);
    for (let round = 0; round < 2; round++) {
      const found = scanValue(object, '');
      expect(found.map((d) => d.path)).toEqual(expected);
      expect(new Set(found.map((d) => d.detector)).size).toBe(6);
    }
  });
  test('redacts to at most six characters and the length', () => {
    expect(redact(fake('ghp_', 36))).toBe('ghp_FA… (40 characters)');
    expect(redact('short')).toBe('s… (5 characters)');
  });
});
