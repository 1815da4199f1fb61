/** JetStream Streams among rendered objects, and the changes between two versions that recreate them. */
import {
  acknowledgedChanges,
  describeRecreation,
  isAcknowledged,
  StreamChange,
  StreamFields,
  streamRecreations,
} from '../../constructs/messaging/nats/stream-changes';
import { Manifest } from '../../stacks/objects';

/** The JetStream Streams among objects. */
export function jetStreams(objects: readonly Manifest[]): Manifest[] {
  return objects.filter((m) => m.kind === 'Stream' && typeof m.apiVersion === 'string' && m.apiVersion.startsWith('jetstream.nats.io/'));
}

/**
 * For each Stream of `after` that cannot change in place from `before`: what the change does, and
 * whether the Stream carries the environment's acknowledgement of it.
 */
export function streamWarnings(before: readonly Manifest[], after: readonly Manifest[]): Map<Manifest, { change: StreamChange; acknowledged: boolean; text: string }[]> {
  const spec = (m: Manifest) => m.spec as unknown as StreamFields;
  const objects = new Map(jetStreams(after).map((m) => [spec(m), m]));
  const out = new Map<Manifest, { change: StreamChange; acknowledged: boolean; text: string }[]>();
  for (const { stream, changes } of streamRecreations(jetStreams(before).map(spec), [...objects.keys()])) {
    const m = objects.get(stream)!;
    const acknowledged = acknowledgedChanges(m.metadata?.annotations);
    out.set(
      m,
      changes.map((change) => {
        const ok = isAcknowledged(change, acknowledged);
        return { change, acknowledged: ok, text: `${describeRecreation(change)} (${ok ? 'acknowledged in the environment' : 'not acknowledged'}).` };
      }),
    );
  }
  return out;
}
