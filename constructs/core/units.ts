/** Conversions between the units environment files use and the ones upstream software reads. */

const BINARY: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** Bytes in a Kubernetes quantity such as `10Gi` or `512M` (whole bytes, rounded down). */
export function quantityBytes(quantity: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(quantity);
  if (!m) throw new Error(`"${quantity}" is not a Kubernetes quantity such as 512Mi or 10Gi.`);
  return Math.floor(Number(m[1]) * BINARY[m[2] ?? '']);
}

const HOURS: Record<string, number> = { d: 24, w: 24 * 7, y: 24 * 365 };

/**
 * A duration such as `15d` or `1h30m` in Go's `time.ParseDuration` syntax, which has no days,
 * weeks or years: those become hours (`15d` -> `360h`).
 */
export function goDuration(duration: string): string {
  const parts = [...duration.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== duration) {
    throw new Error(`"${duration}" is not a duration such as 30s, 5m, 12h or 15d.`);
  }
  let extraHours = 0;
  const kept: string[] = [];
  for (const [, n, unit] of parts) {
    if (unit in HOURS) extraHours += Number(n) * HOURS[unit];
    else if (unit === 'h') extraHours += Number(n);
    else kept.push(`${n}${unit}`);
  }
  return `${extraHours > 0 ? `${extraHours}h` : ''}${kept.join('')}` || '0s';
}
