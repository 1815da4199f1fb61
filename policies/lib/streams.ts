/** JetStream Streams among rendered objects, and the changes between two versions that recreate them. */
import {
  acknowledgedChanges,
  describeRecreation,
  isAcknowledged,
  StreamChange,
  StreamFields,
  streamRecreations,
} from '../../constructs/messaging/nats/stream-changes';
import { isMap, Manifest } from '../../stacks/objects';

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
  const earlier = jetStreams(before).flatMap((m) => readStream(m.spec) ?? []);
  for (const { stream, changes } of streamRecreations(earlier, [...objects.keys()])) {
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

/**
 * A Stream's fields from a tree gitplane did not write in this run (a base commit, a rendered
 * tree given to diff): a spec that is not a map is no stream, and a field of another shape reads
 * as absent (the tree's own checks judged or will judge it).
 */
function readStream(spec: unknown): StreamFields | undefined {
  if (!isMap(spec) || typeof spec.name !== 'string') return undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const subjects = Array.isArray(spec.subjects) ? spec.subjects.filter((s): s is string => typeof s === 'string') : undefined;
  return { name: spec.name, subjects, storage: text(spec.storage), retention: text(spec.retention) };
}
