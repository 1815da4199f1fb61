import { RenderedObject } from '../../../stacks/objects';
import { ENVIRONMENTS, built } from '../../support/environments';
import { check, env, messages } from '../support';

const RULE = 'nats-stream-limits';

/** prod's synthesized objects with the Stream stream-orders changed by `change`. */
function prod(change: (spec: Record<string, unknown>) => void): RenderedObject[] {
  const objects = structuredClone(built('prod').output.objects) as RenderedObject[];
  change(objects.find((o) => o.manifest.kind === 'Stream' && o.manifest.metadata.name === 'stream-orders')!.manifest.spec as Record<string, unknown>);
  return objects;
}

describe('nats-stream-limits', () => {
  test.each(ENVIRONMENTS)('passes the synthesized %s (must-not-fire)', (name) => {
    expect(messages(check(RULE, env([...built(name).output.objects], { spec: built(name).spec })))).toEqual([]);
  });

  test('passes a stream limited by age only or by size only (must-not-fire)', () => {
    expect(check(RULE, env(prod((s) => delete s.maxBytes)))).toEqual([]);
    expect(check(RULE, env(prod((s) => delete s.maxAge)))).toEqual([]);
  });

  test('fails when a stream has neither maxAge nor maxBytes (dev\'s EVENTS before it got maxAge)', () => {
    const findings = check(RULE, env(prod((s) => (delete s.maxAge, delete s.maxBytes))));
    expect(findings.map((f) => `${f.ref}: ${f.message}`)).toEqual([
      'Stream/nats/stream-orders: Stream ORDERS has neither maxAge nor maxBytes: it grows until the JetStream store is full, and then no stream on the server accepts messages.',
    ]);
    expect(findings[0].value).toBe('maxAge: "(none)", maxBytes: "(none)"');
  });

  test('fails when the limits are NACK\'s spellings of unlimited', () => {
    expect(check(RULE, env(prod((s) => ((s.maxAge = '0s'), (s.maxBytes = -1))))).map((f) => f.value)).toEqual(['maxAge: "0s", maxBytes: -1']);
  });
});
