/**
 * Whether JSON.parse(JSON.stringify(value)) gives back a value equal to it: no undefined, NaN,
 * infinity or -0, nothing but plain objects, arrays and JSON's scalars, and no `__proto__` key.
 * A value reached twice is refused unless `shared` allows it (JSON repeats it, and a reader that
 * does not compare identities sees the same); a circular one always is.
 */
export function jsonExact(value: unknown, shared = false): boolean {
  return shared ? exactTree(value, 0) : exact(value, new Set());
}

function exact(value: unknown, seen: Set<object>): boolean {
  if (value === null || typeof value !== 'object') return exactScalar(value);
  if (seen.has(value)) return false;
  seen.add(value);
  if (Array.isArray(value)) return value.length === Object.keys(value).length && value.every((v) => exact(v, seen));
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.entries(value).every(([k, v]) => k !== '__proto__' && exact(v, seen));
}

/** Deeper than any document gitplane reads: a circular value reaches it, and is refused there. */
const MAX_DEPTH = 1000;

/** As `exact`, with values reached twice allowed: a walk of every value with no set to keep (validated objects are megabytes). */
function exactTree(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return exactScalar(value);
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!(i in value) || !exactTree(value[i], depth + 1)) return false;
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) if (key === '__proto__' || !exactTree((value as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}

function exactScalar(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  return value === null || typeof value === 'string' || typeof value === 'boolean';
}
