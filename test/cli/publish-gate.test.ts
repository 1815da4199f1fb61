import { policyGate, PUBLISH_GATES } from '../../cli/commands/publish';
import { BuiltEnvironment } from '../../stacks/pipeline';
import { built } from '../support/environments';

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
