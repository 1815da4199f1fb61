/** Checks of `components.nats.streams` that span fields: what nats-server would refuse, said before a sync. */
import { EnvironmentSpec } from '../environments/schema';
import { refusal, subjectsOverlap, subjectWithin } from '../constructs/messaging/nats/stream-changes';
import { durationMs } from './durations';

type Stream = EnvironmentSpec['components']['nats']['streams'][number];

export interface StreamProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

export function streamProblems(streams: readonly Stream[]): StreamProblem[] {
  const problems: StreamProblem[] = [];
  streams.forEach((stream, i) => {
    const at = (...rest: (string | number)[]) => ['components', 'nats', 'streams', i, ...rest];
    if (stream.maxAge !== undefined && durationMs(stream.duplicateWindow) > durationMs(stream.maxAge)) {
      problems.push({
        path: at('duplicateWindow'),
        message: `must not be longer than the stream's maxAge ${stream.maxAge} (got ${stream.duplicateWindow}). nats-server refuses the stream otherwise; shorten the window.`,
      });
    }
    const seen = new Set<string>();
    stream.consumers.forEach((consumer, j) => {
      // Each consumer becomes the object consumer-<stream>-<name> in lower case.
      const key = consumer.name.toLowerCase().replace(/_/g, '-');
      if (seen.has(key)) problems.push({ path: at('consumers', j, 'name'), message: `must be unique within the stream, ignoring case and "_" versus "-" (got "${consumer.name}" twice). Rename one of the consumers.` });
      seen.add(key);
      const filter = consumer.filterSubject;
      if (filter !== undefined && !stream.subjects.some((s) => subjectWithin(filter, s))) {
        problems.push({
          path: at('consumers', j, 'filterSubject'),
          message: `must be inside the stream's subjects ${stream.subjects.join(', ')} (got "${filter}"). A consumer filtering on subjects its stream does not store never receives a message; use one of them or a narrower subject.`,
        });
      }
    });
    if (stream.retention === 'workqueue') {
      // A work queue hands each message to one consumer: their filters must not overlap.
      stream.consumers.forEach((consumer, j) => {
        const other = stream.consumers.slice(0, j).find((c) => subjectsOverlap(c.filterSubject ?? '>', consumer.filterSubject ?? '>'));
        if (other) {
          problems.push({
            path: at('consumers', j, 'filterSubject'),
            message: `must not overlap the filter of consumer ${other.name} on a workqueue stream (got "${consumer.filterSubject ?? '(none: every subject)'}" and "${other.filterSubject ?? '(none: every subject)'}"). A work queue delivers each message to one consumer only, and nats-server refuses overlapping ones; give each consumer its own subjects.`,
          });
        }
      });
    }
    const fields = new Set<string>();
    stream.acknowledgeRecreate.forEach((ack, j) => {
      const current = { storage: stream.storage, retention: stream.retention, name: stream.name }[ack.field];
      if (fields.has(ack.field)) problems.push({ path: at('acknowledgeRecreate', j, 'field'), message: `must appear once per stream (got "${ack.field}" twice). Keep the entry that names the change being made.` });
      fields.add(ack.field);
      if (ack.to !== current) {
        problems.push({
          path: at('acknowledgeRecreate', j, 'to'),
          message: `must be the stream's ${ack.field} in this file, "${current}" (got "${ack.to}"). An acknowledgement names the change this file makes; fix it or remove it.`,
        });
      } else if (ack.from === ack.to) {
        problems.push({ path: at('acknowledgeRecreate', j, 'from'), message: `must differ from to (both are "${ack.to}"). Name the value before the change, or remove the acknowledgement.` });
      } else if (!refusal(ack.field, ack.from, ack.to)) {
        problems.push({
          path: at('acknowledgeRecreate', j),
          message: `acknowledges a change nats-server makes in place (${ack.field} from "${ack.from}" to "${ack.to}"), which keeps the stream and its messages. Remove the acknowledgement.`,
        });
      }
    });
  });
  return problems;
}
