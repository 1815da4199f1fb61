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
  test('redacts to at most six characters and the length', () => {
    expect(redact(fake('ghp_', 36))).toBe('ghp_FA… (40 characters)');
    expect(redact('short')).toBe('s… (5 characters)');
  });
});
