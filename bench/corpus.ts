/**
 * A synthetic corpus of realistic shape: copies of the platform's real objects, renamed and
 * spread over namespaces so that no two collide. Generated at bench time, never committed.
 */
import { Manifest } from '../stacks/objects';

export function corpus(size: number, real: readonly Manifest[]): Manifest[] {
  const out: Manifest[] = [];
  for (let i = 0; out.length < size; i++) {
    const base = real[i % real.length];
    const copy = structuredClone(base);
    copy.metadata.name = `${base.metadata.name}-${i}`.slice(0, 63).replace(/-+$/, '');
    if (copy.metadata.namespace !== undefined) copy.metadata.namespace = `ns-${i % 500}`;
    out.push(copy);
  }
  return out;
}
