import { policyGate, PUBLISH_GATES } from '../../cli/commands/publish';
import { BuiltEnvironment } from '../../stacks/pipeline';
import { InputError } from '../../stacks/errors';
import { built } from '../support/environments';
import { fake } from '../support/fake-secrets';

test('publish runs the policy gate', () => {
  expect(PUBLISH_GATES).toContain(policyGate);
});

test('the policy gate passes the shipped environments (fixture that must not fire)', () => {
  expect(policyGate([built('prod'), built('dev')])).toEqual([]);
});

test('fails when an environment has a mandatory finding: a Secret with stringData blocks the publish', () => {
  const prod = built('prod');
  const secret = {
    manifest: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'leak', namespace: 'nats' }, stringData: { password: 'fake-not-a-secret-123' } },
    app: 'nats',
    file: 'apps/nats/secret-leak.yaml',
  };
  const mutated: BuiltEnvironment = { ...prod, output: { ...prod.output, objects: [...prod.output.objects, secret] } };
  expect(policyGate([mutated])).toEqual([expect.stringMatching(/^dist\/prod\/apps\/nats\/secret-leak\.yaml: Secret\/nats\/leak: \[no-secret-data\] .* Fix: /)]);
});

describe('the secret rules cannot be switched off or exempted for publish', () => {
  const leak = {
    manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'repo', namespace: 'nats' }, data: { url: `https://${fake('ghp_', 36)}@github.com/example/gitops.git` } },
    app: 'nats',
    file: 'apps/nats/configmap-repo.yaml',
  };
  const devWith = (policy: Partial<BuiltEnvironment['spec']['policy']>): BuiltEnvironment => {
    const dev = built('dev');
    return { ...dev, spec: { ...dev.spec, policy: { ...dev.spec.policy, ...policy } }, output: { ...dev.output, objects: [...dev.output.objects, leak] } };
  };
  test('fails when a development environment sets policy.packs without secrets: a GitHub token still blocks the publish', () => {
    expect(policyGate([devWith({ packs: ['hygiene'] })])).toEqual([expect.stringMatching(/^dist\/dev\/apps\/nats\/configmap-repo\.yaml: ConfigMap\/nats\/repo: \[no-plaintext-credentials\] GitHub Token/)]);
  });
  test('fails when an exemption with a reason names the secret rule: publish refuses it as an input error', () => {
    const exempted = devWith({ exemptions: [{ rule: 'no-plaintext-credentials', object: 'ConfigMap/nats/repo', reason: 'a reason that must not be enough' }] });
    expect(() => policyGate([exempted])).toThrow(InputError);
    expect(() => policyGate([exempted])).toThrow(/whose findings cannot be exempted/);
  });
});
