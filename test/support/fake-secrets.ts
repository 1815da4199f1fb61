/**
 * Fake credentials for tests, assembled at test time so that no token-shaped string sits in Git.
 *
 * Each value has the shape a real detector looks for (prefix, length, alphabet, randomness) and
 * is marked as fake: its body starts with FAKE (or `fa4e` where only hex digits fit), followed by
 * characters from a generator seeded by the value's label, so a value is the same on every run.
 */
import { seededRandom, seedOf } from './random';

export const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const BASE64 = `${ALNUM}+/`;
export const HEX = '0123456789abcdef';

/** `prefix` + a marked body of `length` characters from `alphabet`, the same for the same `label`. */
export function fake(prefix: string, length: number, alphabet: string = ALNUM, label: string = prefix): string {
  const marker = alphabet.includes('F') ? 'FAKE' : 'fa4e';
  const next = seededRandom(seedOf(`${label}|${prefix}|${length}`));
  let body = marker;
  while (body.length < length) body += alphabet[Math.floor(next() * alphabet.length)];
  return prefix + body.slice(0, length);
}

