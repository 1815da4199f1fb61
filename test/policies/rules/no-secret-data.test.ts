import { fake, UPPER_DIGITS } from '../../support/fake-secrets';
import { check, env, messages, obj } from '../support';

const secret = (body: Record<string, unknown>) => obj({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'demo' }, ...body });

describe('no-secret-data', () => {
  test('passes a Secret without data, such as a service-account token request (must-not-fire)', () => {
    expect(check('no-secret-data', env([secret({ type: 'kubernetes.io/service-account-token' })]))).toEqual([]);
  });
  test('fails when a Secret has stringData', () => {
    expect(messages(check('no-secret-data', env([secret({ stringData: { password: 'fixture-not-a-secret' } })])))).toEqual(['no-secret-data: Secret has stringData with key(s) password; secret values must not be in Git.']);
  });
  test('fails when a Secret has data, naming what the decoded value is', () => {
    const f = check('no-secret-data', env([secret({ data: { key: Buffer.from(`${fake('AKIA', 16, UPPER_DIGITS)} fixture`).toString('base64') } })]));
    expect(f[0].message).toBe('Secret has data with key(s) key; secret values must not be in Git. It holds AWS Access Key ID (data.key (base64-decoded)).');
  });
});
