/**
 * What JSON text an object was parsed from, by the sha256 of the text's UTF-8: the same text
 * parses to the same value, so the digest names the object exactly (a -0 as written, which
 * JSON.stringify would make 0) without serializing it again. Known for the documents of Helm's renders, which are read from
 * the render cache's JSON (stacks/helm-render.ts) and never changed once made; validation keeps
 * what it found under it (validation/kept-outcomes.ts).
 */
import { createHash } from 'node:crypto';

const digests = new WeakMap<object, string>();

/** Parses `json` (text, or its UTF-8 bytes) and records its digest as the value's, when it is an object. */
export function parseJsonSource(json: string | Buffer, digest = createHash('sha256').update(json).digest('hex')): unknown {
  const value = JSON.parse(typeof json === 'string' ? json : json.toString('utf8')) as unknown;
  if (value !== null && typeof value === 'object') digests.set(value, digest);
  return value;
}

/** The digest of the JSON text `value` was parsed from (parseJsonSource), or undefined. */
export function jsonSourceDigest(value: object): string | undefined {
  return digests.get(value);
}
