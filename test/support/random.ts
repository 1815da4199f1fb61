/** Seeded pseudo-random numbers for tests that choose cases at random but must replay exactly. */

/**
 * Numbers in [0, 1) from mulberry32, a small generator with a 32-bit state: the same seed gives
 * the same sequence on every machine, so a failing case can be replayed from its seed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A numeric seed from a string (FNV-style multiply and xor), for data named by a string. */
export function seedOf(text: string): number {
  let a = 0;
  for (const ch of text) a = (Math.imul(a ^ ch.charCodeAt(0), 2654435761) + 1) >>> 0;
  return a;
}
