/**
 * The string formats of environment fields, each checked by the rules of the software that reads
 * the value: the cron parser of Kubernetes and Longhorn, S3's bucket naming rules, Git's ref
 * rules, the image reference grammar, Go's duration range.
 *
 * A check returns undefined for a good value, or what is wrong with it and the fix, as sentences.
 * The schema names a format with `format: '<name>'` and describes it; the loader registers these.
 */
import { durationMs } from './durations';

type Check = (value: string) => string | undefined;

/** Go's time.Duration is int64 nanoseconds: about 292 years. */
const MAX_DURATION_MS = Math.floor((2 ** 63 - 1) / 1e6);

const duration: Check = (value) => {
  if (!/^([0-9]{1,15}(ms|s|m|h|d|w|y))+$/.test(value)) return 'Write a number and a unit (ms, s, m, h, d, w or y), e.g. 30s, 5m, 12h or 15d.';
  const ms = durationMs(value);
  if (ms <= 0) return 'A zero duration turns the setting off or is refused by the program that reads it; give a positive one.';
  if (ms > MAX_DURATION_MS) return 'It is longer than Go\'s time.Duration can hold (about 292 years); give a shorter one.';
  return undefined;
};

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}
const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];
/** Days of each month in a leap year: a schedule on 29 February fires every four years. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The values one cron field selects, or what is wrong with it. */
function cronValues(text: string, field: CronField): Set<number> | string {
  const values = new Set<number>();
  const number = (s: string): number | undefined => {
    const named = field.names?.indexOf(s.toUpperCase()) ?? -1;
    if (named >= 0) return named + (field.name === 'month' ? 1 : 0);
    return /^[0-9]{1,2}$/.test(s) ? Number(s) : undefined;
  };
  for (const part of text.split(',')) {
    const m = /^(\*|\?|([^-/]+)(?:-([^-/]+))?)(?:\/([0-9]{1,2}))?$/.exec(part);
    if (!m) return `"${part}" is not a ${field.name} value, range or step`;
    let [from, to] = [field.min, field.max];
    if (m[2] !== undefined) {
      const a = number(m[2]);
      const b = m[3] === undefined ? (m[4] === undefined ? a : field.max) : number(m[3]);
      if (a === undefined || b === undefined) return `"${part}" is not a ${field.name} value, range or step`;
      [from, to] = [a, b];
    }
    const step = m[4] === undefined ? 1 : Number(m[4]);
    if (from < field.min || to > field.max) return `${field.name} "${part}" is outside ${field.min}-${field.max}`;
    if (from > to) return `${field.name} range "${part}" runs backwards`;
    if (step === 0) return `${field.name} step "${part}" is zero`;
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/**
 * A five-field schedule as Kubernetes CronJobs and Longhorn RecurringJobs parse it (robfig/cron's
 * standard parser), which also has a next time to fire.
 */
const cron: Check = (value) => {
  if (/^@(hourly|daily|weekly|monthly|yearly)$/.test(value)) return undefined;
  const parts = value.split(' ');
  if (parts.length !== 5) return `It has ${parts.length} fields separated by single spaces; write minute, hour, day of month, month and day of week, e.g. "0 */6 * * *".`;
  const fields = parts.map((p, i) => cronValues(p, CRON_FIELDS[i]));
  const wrong = fields.find((f): f is string => typeof f === 'string');
  if (wrong) return `Its ${wrong}; write minute, hour, day of month, month and day of week, e.g. "0 */6 * * *".`;
  const [, , days, months] = fields as Set<number>[];
  const dayRestricted = !/^[*?]/.test(parts[2]);
  const weekdayRestricted = !/^[*?]/.test(parts[4]);
  // When both day fields are restricted, either one matching fires the job, and weekdays always recur.
  const fires = !dayRestricted || weekdayRestricted || [...months].some((month) => [...days].some((day) => day <= DAYS_IN_MONTH[month - 1]));
  return fires ? undefined : 'It never fires: none of its days of the month occurs in its months. Pick a day that exists in those months.';
};

/** @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html */
const s3Bucket: Check = (value) => {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value)) return 'S3 bucket names are 3 to 63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit.';
  if (value.includes('..')) return 'S3 refuses two adjacent periods in a bucket name; remove one.';
  if (/^[0-9]+(\.[0-9]+){3}$/.test(value)) return 'S3 refuses bucket names formatted as an IP address; use a name.';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(value) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(value)) {
    return 'S3 reserves that prefix or suffix (xn--, sthree-, amzn-s3-demo-, -s3alias, --ol-s3, .mrap, --x-s3, --table-s3); choose another name.';
  }
  return undefined;
};

/** Git's check-ref-format rules for a branch name. @see https://git-scm.com/docs/git-check-ref-format */
const gitBranch: Check = (value) => {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(value) || value.includes('..') || value.includes('@{') || value === '@') {
    return 'Git refuses spaces, control characters, "~", "^", ":", "?", "*", "[", "\\", ".." and "@{" in a branch name; use letters, digits, "/", "-", "_" and ".".';
  }
  if (value.split('/').some((c) => c === '' || c.startsWith('.') || c.endsWith('.lock')) || value.endsWith('.')) {
    return 'Git refuses empty path components, components starting with "." or ending with ".lock", and a trailing "."; e.g. main or release/2026-11.';
  }
  return undefined;
};

/** A tag, or a digest, in the OCI image reference grammar. @see https://github.com/distribution/reference */
const imageTag: Check = (value) =>
  /^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/.test(value) && value !== ''
    ? undefined
    : 'An image tag is up to 128 letters, digits, "_", "." and "-", not starting with "." or "-", optionally followed by @sha256:<64 hex digits>; e.g. 2.14.2-alpine.';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const segmentsOk = (segments: string[]) => segments.every((s) => SEGMENT.test(s) && s !== '..' && s !== '.');

/** A folder inside the GitOps repository: relative, and never above its root. */
const repoPath: Check = (value) =>
  value === '' || (segmentsOk(value.split('/')) && value.length <= 255)
    ? undefined
    : 'It must stay inside the repository: a relative path of folder names (letters, digits, ".", "_" and "-") separated by "/", with no ".." or empty part, no leading or trailing "/"; e.g. clusters or "" for the root.';

/** A key prefix inside a bucket: relative parts without "..", as the backup scripts join it to paths. */
const objectPrefix: Check = (value) =>
  value === '' || (segmentsOk(value.replace(/\/$/, '').split('/')) && value.length <= 512)
    ? undefined
    : 'Write folder names (letters, digits, ".", "_" and "-") separated by "/", with no ".." or empty part and no leading "/"; e.g. etcd/ or "" for none.';

/**
 * An absolute host path of plain folder names under one of `roots`: a root ending in "/" allows
 * only paths below it, one without it also allows itself.
 */
function hostPath(roots: readonly string[], example: string, extension?: RegExp): Check {
  return (value) => {
    const parts = value.replace(/\/$/, '').split('/');
    const under = (root: string) => {
      const rootParts = root.split('/').filter(Boolean);
      const depth = parts.length - 1;
      return rootParts.every((s, i) => parts[i + 1] === s) && (depth > rootParts.length || (depth === rootParts.length && !root.endsWith('/')));
    };
    if (parts[0] !== '' || !segmentsOk(parts.slice(1)) || !roots.some(under) || (extension && !extension.test(value))) {
      return `It is mounted from the host into a privileged pod, so only those folders are allowed, named plainly without ".."; e.g. ${example}.`;
    }
    return undefined;
  };
}

/** Key of a secret-store entry: AWS Secrets Manager's name characters, path parts without "..". */
const secretStoreKey: Check = (value) =>
  /^[A-Za-z0-9/_+=.@-]{1,512}$/.test(value) && !value.split('/').some((s) => s === '' || s === '.' || s === '..')
    ? undefined
    : 'Secrets Manager entry names are 1 to 512 letters, digits and /_+=.@-; use parts separated by "/" without "..", e.g. prod/loki/object-store.';

/** A Kubernetes quantity that is more than zero. */
const quantity: Check = (value) =>
  /^[0-9]{1,15}(\.[0-9]{1,6})?(Ki|Mi|Gi|Ti|K|M|G|T)?$/.test(value) && /[1-9]/.test(value.replace(/[KMGTi]+$/, ''))
    ? undefined
    : 'Write a positive Kubernetes quantity: a number of at most 15 digits and a unit (Ki, Mi, Gi, Ti, K, M, G or T), e.g. 512Mi or 10Gi.';

/** A calendar date that exists. */
const date: Check = (value) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  return d && d.toISOString().startsWith(value) ? undefined : 'Write a date that exists as YYYY-MM-DD, e.g. 2026-12-31.';
};

/** A NATS subject a stream may bind: dot-separated tokens, "*" a whole token, ">" only last. */
const natsSubject: Check = (value) => {
  const tokens = value.split('.');
  const ok = tokens.every((t, i) => (t === '>' ? i === tokens.length - 1 : t === '*' || /^[^\s*>.]+$/.test(t)));
  return ok && value.length <= 255 ? undefined : 'NATS subjects are dot-separated tokens without spaces, "*" as a whole token and ">" only as the last one; e.g. orders.> or events.*.created.';
};

export const FIELD_FORMATS: Readonly<Record<string, Check>> = {
  duration,
  cron,
  's3-bucket': s3Bucket,
  'git-branch': gitBranch,
  'image-tag': imageTag,
  'repo-path': repoPath,
  'object-prefix': objectPrefix,
  // Longhorn's own folder, or a disk mounted for it; never a system folder such as /var/lib/etcd.
  'longhorn-data-path': hostPath(['/var/lib/longhorn', '/mnt/', '/media/', '/srv/', '/data/'], '/var/lib/longhorn/ or /mnt/disk1'),
  // The folder policies/data/host-paths.ts allows the etcd backup (kubeadm only) to mount from.
  'encryption-config-path': hostPath(['/etc/kubernetes/encryption/'], '/etc/kubernetes/encryption/config.yaml', /\.(ya?ml|json)$/),
  'secret-store-key': secretStoreKey,
  quantity,
  date,
  'nats-subject': natsSubject,
};
