/**
 * Reading manifests whose shape nothing has checked yet: a directory given to `policy --dir` may
 * hold any YAML, and a rule must judge it without failing. A value of the wrong type reads as
 * absent; the schema check, or a rule on the field, reports it.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
import { isMap } from '../../stacks/objects';

// Defined beside the objects, where stacks/ and validation/ import it too.
export { isMap };

/** The value when it is a map, else an empty one. */
export const mapOf = (v: unknown): Record<string, any> => (isMap(v) ? v : {});

/** The maps of a list: none when the value is not a list, and only its entries that are maps. */
export const mapsOf = (v: unknown): Record<string, any>[] => (Array.isArray(v) ? v.filter(isMap) : []);

/** The value when it is a list, else an empty one. */
export const listOf = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

/** A value as found in a manifest, for a message: JSON, or its string form where JSON has none. */
export const shown = (v: unknown): string => JSON.stringify(v) ?? String(v);
