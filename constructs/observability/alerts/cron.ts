/**
 * The longest gap between two runs of a five-field cron schedule, so alerts can say "the last
 * success is older than the schedule allows" without a person converting cron to hours.
 */

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

const MACROS: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
};

function parseField(text: string, field: (typeof FIELDS)[number], schedule: string): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`cron schedule "${schedule}": the ${field.name} field "${text}" is not understood; use numbers, ranges, lists and steps such as */6.`);
    const from = m[1] === '*' ? field.min : Number(m[2]);
    const to = m[1] === '*' ? field.max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? field.max : from;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (from < field.min || to > field.max || from > to || step < 1) {
      throw new Error(`cron schedule "${schedule}": the ${field.name} field "${text}" is out of range ${field.min}-${field.max}.`);
    }
    for (let v = from; v <= to; v += step) values.add(field.name === 'day of week' && v === 7 ? 0 : v);
  }
  return values;
}

/** Gaps already measured, by schedule: an environment's alerts and drills ask for the same few. */
const measured = new Map<string, number>();

/** The longest time in seconds between two consecutive runs, measured over two leap-free years. */
export function maxCronGapSeconds(schedule: string): number {
  let gap = measured.get(schedule);
  if (gap === undefined) {
    gap = measure(schedule);
    measured.set(schedule, gap);
  }
  return gap;
}

function measure(schedule: string): number {
  const expanded = MACROS[schedule] ?? schedule;
  const parts = expanded.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`cron schedule "${schedule}" must have five fields (minute hour day-of-month month day-of-week).`);
  const [minutes, hours, doms, months, dows] = parts.map((p, i) => parseField(p, FIELDS[i], schedule));
  const [sortedHours, sortedMinutes] = [hours, minutes].map((values) => [...values].sort((a, b) => a - b));
  const domRestricted = parts[2] !== '*';
  const dowRestricted = parts[4] !== '*';
  // Walk day by day, then through the matching hours and minutes of each day.
  const start = Date.UTC(2025, 0, 1);
  const days = 2 * 365;
  let previous: number | undefined;
  let longest = 0;
  for (let d = 0; d < days; d++) {
    const day = new Date(start + d * 86_400_000);
    if (!months.has(day.getUTCMonth() + 1)) continue;
    const domOk = doms.has(day.getUTCDate());
    const dowOk = dows.has(day.getUTCDay());
    // cron's rule: when both day fields are restricted, either may match.
    const dayOk = domRestricted && dowRestricted ? domOk || dowOk : domOk && dowOk;
    if (!dayOk) continue;
    for (const h of sortedHours) {
      for (const m of sortedMinutes) {
        const t = day.getTime() / 1000 + h * 3600 + m * 60;
        if (previous !== undefined) longest = Math.max(longest, t - previous);
        previous = t;
      }
    }
  }
  if (previous === undefined) throw new Error(`cron schedule "${schedule}" never runs.`);
  return longest;
}
