/** How messages show a value a user gave where another was expected: its kind and, for scalars, the value itself. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number' && !Number.isFinite(value)) return `number ${value}`;
  if (typeof value === 'string' && value.length > 80) return `a string of ${value.length} characters starting ${JSON.stringify(value.slice(0, 40))}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
