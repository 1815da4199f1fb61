/**
 * Whether JSON.parse(JSON.stringify(value)) gives back a value equal to it: no undefined, NaN,
 * infinity or -0, nothing but plain objects, arrays and JSON's scalars, and no `__proto__` key.
 * A value reached twice is refused unless `shared` allows it (JSON repeats it, and a reader that
 * does not compare identities sees the same; refused, an alias bomb's values are never written
 * out); a circular one always is.
 */
export function jsonExact(value: unknown, shared = false): boolean {
  return exact(value, 0, shared ? undefined : new Set());
}

/** Deeper than any document gitplane reads: a circular value reaches it, and is refused there. */
const MAX_DEPTH = 1000;

/** One walk of every value: `seen` holds the objects met so far when a value may be reached only once. */
function exact(value: unknown, depth: number, seen: Set<object> | undefined): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value !== 'object' || depth > MAX_DEPTH || seen?.has(value)) return false;
  seen?.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!(i in value) || !exact(value[i], depth + 1, seen)) return false;
    return value.length === Object.keys(value).length;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) if (key === '__proto__' || !exact((value as Record<string, unknown>)[key], depth + 1, seen)) return false;
  return true;
}
