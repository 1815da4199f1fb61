/**
 * `value`, or `undefined` (the field is left out) when it is an empty list or map.
 *
 * The API server drops empty lists and maps from the objects it stores (every field of a built-in
 * kind, and every object's metadata), so an object that spells one out never equals what is
 * stored: each server-side apply bumps its generation and Argo CD never sees it in sync. Empty
 * structs such as `podSelector: {}` are stored and mean something; never pass those here.
 */
export function unlessEmpty<T extends readonly unknown[] | Readonly<Record<string, unknown>>>(value: T | undefined): T | undefined {
  if (value === undefined) return undefined;
  const size = Array.isArray(value) ? value.length : Object.keys(value).length;
  return size > 0 ? value : undefined;
}
