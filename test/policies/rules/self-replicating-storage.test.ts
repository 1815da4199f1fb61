import { RenderedObject } from '../../../stacks/objects';
import { ENVIRONMENTS, built } from '../../support/environments';
import { check, env, messages } from '../support';

const RULE = 'self-replicating-storage';

/** prod's synthesized objects, with the StatefulSet `nats` and the StorageClasses changed by `change`. */
function prod(change: (nats: any, classes: Record<string, any>) => void = () => undefined): RenderedObject[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const objects = structuredClone(built('prod').output.objects) as RenderedObject[];
  const nats = objects.find((o) => o.manifest.kind === 'StatefulSet' && o.manifest.metadata.name === 'nats')!.manifest;
  const classes = Object.fromEntries(objects.filter((o) => o.manifest.kind === 'StorageClass').map((o) => [o.manifest.metadata.name, o.manifest]));
  change(nats, classes);
  return objects;
}

describe('self-replicating-storage', () => {
  test.each(ENVIRONMENTS)('passes the synthesized %s (must-not-fire)', (name) => {
    expect(messages(check(RULE, env([...built(name).output.objects], { spec: built(name).spec })))).toEqual([]);
  });

  test('the NATS StatefulSet states the copies JetStream keeps, on the one-replica strict-local class', () => {
    const objects = prod();
    const nats = objects.find((o) => o.manifest.kind === 'StatefulSet' && o.manifest.metadata.name === 'nats')!.manifest as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(nats.metadata.annotations['gitplane.dev/replication-factor']).toBe('3');
    expect(nats.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('longhorn-quorum');
  });

  test('fails when JetStream R3 is on a StorageClass with 3 Longhorn replicas (gitplane\'s longhorn-quorum before this rule)', () => {
    const objects = prod((_, classes) => (classes['longhorn-quorum'].parameters.numberOfReplicas = '3'));
    const findings = check(RULE, env(objects));
    expect(findings.map((f) => `${f.ref}: ${f.message}`)).toEqual([
      'StatefulSet/nats/nats: Volume claim template nats-js is on StorageClass longhorn-quorum with 3 Longhorn replicas while the software keeps 3 copies itself: every write is stored 9 times.',
    ]);
    expect(findings[0].value).toBe('gitplane.dev/replication-factor: "3", numberOfReplicas: "3"');
  });

  test('fails when the claim names no class and the default class replicates', () => {
    const objects = prod((nats) => delete nats.spec.volumeClaimTemplates[0].spec.storageClassName);
    expect(messages(check(RULE, env(objects)))).toEqual([
      `${RULE}: Volume claim template nats-js is on StorageClass longhorn with 3 Longhorn replicas while the software keeps 3 copies itself: every write is stored 9 times.`,
    ]);
  });

  test('passes a workload that keeps one copy on a replicated class (must-not-fire)', () => {
    const objects = prod((nats, classes) => {
      nats.metadata.annotations['gitplane.dev/replication-factor'] = '1';
      classes['longhorn-quorum'].parameters.numberOfReplicas = '3';
    });
    expect(check(RULE, env(objects))).toEqual([]);
  });
});
