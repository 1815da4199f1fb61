/**
 * Which changes to a JetStream stream nats-server applies in place and which it refuses, so that
 * the stream must be deleted and created anew, losing its messages. Measured on nats-server 2.14
 * (test/conformance/nats.test.ts replays every case on a real server): it refuses a new
 * storage type and a retention change to or from workqueue; subjects, replicas (up and down),
 * limits, discard and the duplicate window change in place. A renamed stream is a new stream,
 * and the old one, kept by `preventDelete`, still holds the subjects: the new one cannot be
 * created until the old one is deleted.
 */

/** The Stream object's annotation that lists the changes the environment accepts to lose messages for, as JSON. */
export const ACKNOWLEDGED_RECREATE = 'gitplane.dev/acknowledged-recreate';

export type RecreatingField = 'storage' | 'retention' | 'name';

/** One change of a field that nats-server cannot apply in place. */
export interface StreamChange {
  readonly field: RecreatingField;
  readonly from: string;
  readonly to: string;
}

/** The fields of a NACK Stream's spec this module reads. */
export interface StreamFields {
  readonly name: string;
  readonly subjects?: readonly string[];
  /** NACK's default is memory. */
  readonly storage?: string;
  /** NACK's default is limits. */
  readonly retention?: string;
}

/** What nats-server answers when asked to apply the change in place, or undefined when it accepts it. */
export function refusal(field: RecreatingField, from: string, to: string): string | undefined {
  if (from === to) return undefined;
  if (field === 'storage') return 'stream configuration update can not change storage type';
  if (field === 'retention') return from === 'workqueue' || to === 'workqueue' ? 'stream configuration update can not change retention policy to/from workqueue' : undefined;
  return 'subjects overlap with an existing stream';
}

/** The changes from `before` to `after` (the same stream) that nats-server refuses in place. */
export function recreatingChanges(before: StreamFields, after: StreamFields): StreamChange[] {
  const changes: StreamChange[] = [];
  const storage = [before.storage ?? 'memory', after.storage ?? 'memory'] as const;
  const retention = [before.retention ?? 'limits', after.retention ?? 'limits'] as const;
  if (refusal('storage', ...storage)) changes.push({ field: 'storage', from: storage[0], to: storage[1] });
  if (refusal('retention', ...retention)) changes.push({ field: 'retention', from: retention[0], to: retention[1] });
  return changes;
}

/**
 * Every stream of `after` that cannot be brought about in place from `before`: changed streams
 * with a refused field, and new streams whose subjects overlap a stream that is gone (a rename:
 * the old stream stays in the server and keeps its subjects).
 */
export function streamRecreations(before: readonly StreamFields[], after: readonly StreamFields[]): { stream: StreamFields; changes: StreamChange[] }[] {
  const beforeByName = new Map(before.map((s) => [s.name, s]));
  const afterNames = new Set(after.map((s) => s.name));
  const gone = before.filter((s) => !afterNames.has(s.name));
  return after
    .map((stream) => {
      const previous = beforeByName.get(stream.name);
      if (previous) return { stream, changes: recreatingChanges(previous, stream) };
      const renamed = gone.find((old) => (old.subjects ?? []).some((a) => (stream.subjects ?? []).some((b) => subjectsOverlap(a, b))));
      return { stream, changes: renamed ? [{ field: 'name' as const, from: renamed.name, to: stream.name }] : [] };
    })
    .filter((r) => r.changes.length > 0);
}

/** The changes a Stream object's annotation acknowledges; an unreadable annotation acknowledges nothing. */
export function acknowledgedChanges(annotations: Record<string, string> | undefined): StreamChange[] {
  const text = annotations?.[ACKNOWLEDGED_RECREATE];
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((c): c is StreamChange => typeof c?.field === 'string' && typeof c?.from === 'string' && typeof c?.to === 'string') : [];
  } catch {
    return [];
  }
}

export function isAcknowledged(change: StreamChange, acknowledged: readonly StreamChange[]): boolean {
  return acknowledged.some((a) => a.field === change.field && a.from === change.from && a.to === change.to);
}

/** What a reviewer reads about one change. */
export function describeRecreation(change: StreamChange): string {
  const what = change.field === 'name' ? `renaming stream ${change.from} to ${change.to}` : `changing ${change.field} from ${change.from} to ${change.to}`;
  return `${what} recreates the stream, loses messages: nats-server refuses it in place ("${refusal(change.field, change.from, change.to)}"), so the old stream must be deleted first`;
}

/** Whether some subject matches both NATS subject patterns. */
export function subjectsOverlap(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] === '>' || y[i] === '>') return true;
    if (x[i] === undefined || y[i] === undefined) return false;
    if (x[i] !== '*' && y[i] !== '*' && x[i] !== y[i]) return false;
  }
  return true;
}

/** Whether every subject `filter` matches is also matched by `subject`. */
export function subjectWithin(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (s[i] === '>') return true;
    if (s[i] === undefined || f[i] === '>') return false;
    if (s[i] !== '*' && (f[i] === '*' || f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}
