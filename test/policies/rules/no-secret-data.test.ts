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
    // Fake fixture: the AWS documentation's example key id.
    const f = check('no-secret-data', env([secret({ data: { key: Buffer.from('AKIAIOSFODNN7EXAMPLE-fixture').toString('base64') } })]));
    expect(f[0].message).toBe('Secret has data with key(s) key; secret values must not be in Git. It holds AWS access key id (data.key (base64-decoded)).');
  });
});
