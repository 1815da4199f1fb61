/**
 * Orders strings by code point (UTF-16 code unit, as `<` does), never by locale: output must be
 * byte-identical whatever LANG or LC_ALL says, and `localeCompare` follows them (in Danish "aa"
 * sorts after "z").
 */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
