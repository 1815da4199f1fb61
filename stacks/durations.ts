/** Conversions between the spec's duration strings and what each product reads. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** Milliseconds of a spec duration such as `15d`, `1h30m` or `500ms`. */
export function durationMs(value: string): number {
  const parts = [...value.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) {
    throw new Error(`"${value}" is not a duration; write it like 30s, 5m, 12h or 15d.`);
  }
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit], 0);
}

/**
 * The same duration as Go's time.ParseDuration reads it (no d, w or y), in the largest whole
 * unit: `15d` becomes `360h`, `90m` stays `90m`.
 */
export function goDuration(value: string): string {
  const ms = durationMs(value);
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
