import { ACKNOWLEDGED_RECREATE } from '../../constructs/messaging/nats/stream-changes';
import { fieldLocation } from '../../stacks/field-position';
import { docsUrl } from '../lib/docs-url';
import { perEnvironment } from '../lib/lookup';
import { streamWarnings } from '../lib/streams';
import { ObjectRule } from '../types';

export const rule: ObjectRule = {
  id: 'nats-stream-recreate',
  scope: 'object',
  severity: 'error',
  pack: 'core',
  description:
    'A change to a JetStream stream that nats-server cannot apply in place (storage, retention to or from workqueue, a rename) is acknowledged in the environment; judged against the base of the change (gitplane policy --base REF).',
  rationale:
    'nats-server refuses these changes on an existing stream; the NACK controller reports the refusal and keeps the old stream, and the only way forward is to delete the stream and create it anew, which loses every message in it. That must be a decision someone wrote down, not a side effect of a YAML edit.',
  remediation: 'Keep the field as it was, or, if losing the stream\'s messages is intended, add the change to the stream\'s acknowledgeRecreate in the environment file.',
  docsUrl: docsUrl('nats-stream-recreate'),
  kinds: ['Stream'],
  check(object, ctx) {
    const base = ctx.env.base;
    if (!base) return 'not-applicable';
    const warnings = perEnvironment(ctx, 'nats-stream-recreate', () => streamWarnings(base.objects, ctx.objects.map((o) => o.manifest))).get(object.manifest) ?? [];
    const name = (object.manifest.spec as { name?: string } | undefined)?.name;
    const index = ctx.spec?.components.nats.streams.findIndex((s) => s.name === name) ?? -1;
    const where = ctx.spec && index >= 0 ? `components.nats.streams[${index}].acknowledgeRecreate (${fieldLocation(ctx.spec, ['components', 'nats', 'streams', index])})` : `the Stream's annotation ${ACKNOWLEDGED_RECREATE}`;
    return warnings
      .filter((w) => !w.acknowledged)
      .map(({ change, text }) => ({
        message: `Against ${base.ref}, ${text}`,
        value: `${change.field}: ${change.from} -> ${change.to}`,
        fix: `Keep ${change.field === 'name' ? 'the name' : change.field} ${change.from}, or, if losing the stream's messages is intended, add { field: ${change.field}, from: ${change.from}, to: ${change.to} } to ${where}; then delete the old stream (nats stream rm ${change.field === 'name' ? change.from : name}) so the NACK controller creates the new one.`,
      }));
  },
};
