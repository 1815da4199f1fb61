/**
 * Fake credentials for tests, assembled at test time so that no token-shaped string sits in Git.
 *
 * Each value has the shape a real detector looks for (prefix, length, alphabet, randomness) and
 * is marked as fake: its body starts with FAKE (or `fa4e` where only hex digits fit), followed by
 * characters from a generator seeded by the value's label, so a value is the same on every run.
 */

export const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const BASE64 = `${ALNUM}+/`;
export const HEX = '0123456789abcdef';

/** `prefix` + a marked body of `length` characters from `alphabet`, the same for the same `label`. */
export function fake(prefix: string, length: number, alphabet: string = ALNUM, label: string = prefix): string {
  const marker = alphabet.includes('F') ? 'FAKE' : 'fa4e';
  const next = generator(`${label}|${prefix}|${length}`);
  let body = marker;
  while (body.length < length) body += alphabet[Math.floor(next() * alphabet.length)];
  return prefix + body.slice(0, length);
}

/** mulberry32 seeded with a string hash: small, deterministic, good enough for test data. */
function generator(seed: string): () => number {
  let a = 0;
  for (const ch of seed) a = (Math.imul(a ^ ch.charCodeAt(0), 2654435761) + 1) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
