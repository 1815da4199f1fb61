import { docsUrl } from '../lib/docs-url';
import { ObjectRule } from '../types';

/** A NACK duration that limits something: empty and zero mean unlimited. */
const limitsAge = (age: unknown) => typeof age === 'string' && /[1-9]/.test(age);
const limitsBytes = (bytes: unknown) => typeof bytes === 'number' && bytes > 0;

export const rule: ObjectRule = {
  id: 'nats-stream-limits',
  scope: 'object',
  severity: 'warning',
  pack: 'hygiene',
  description: 'Every JetStream Stream limits how long (maxAge) or how much (maxBytes) it keeps.',
  rationale:
    'A stream without either keeps every message until its servers\' JetStream store (max_file_store) is full; then every stream on the server stops accepting messages, not only this one. A limit makes the stream discard its own oldest messages instead.',
  remediation: 'Set maxAge (how long messages are worth keeping) or maxBytes (its share of the store) on the stream in components.nats.streams.',
  docsUrl: docsUrl('nats-stream-limits'),
  kinds: ['Stream'],
  check(object) {
    if (!object.manifest.apiVersion?.startsWith('jetstream.nats.io/')) return 'not-applicable';
    const spec = (object.manifest.spec ?? {}) as { name?: string; maxAge?: unknown; maxBytes?: unknown; mirror?: unknown };
    if (limitsAge(spec.maxAge) || limitsBytes(spec.maxBytes)) return [];
    return [
      {
        message: `Stream ${spec.name ?? object.manifest.metadata.name} has neither maxAge nor maxBytes: it grows until the JetStream store is full, and then no stream on the server accepts messages.`,
        value: `maxAge: ${JSON.stringify(spec.maxAge ?? '(none)')}, maxBytes: ${JSON.stringify(spec.maxBytes ?? '(none)')}`,
      },
    ];
  },
};
