/**
 * Where the fields of a loaded environment are in its file, for messages and reports about them
 * after loading. stacks/environment.ts records the positions as it loads a file; this module holds
 * no schema and no parser, so what only reports (the policy engine, its inputs) loads nothing else.
 */
import type { EnvironmentSpec } from '../environments/schema';

/** Where a field of an environment file is: the file as given, line and column from 1. */
export interface FieldPosition {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export type Locator = (segments: readonly (string | number)[]) => FieldPosition | undefined;

/** Per loaded environment: where a field's value is, and where its key is. */
const locations = new WeakMap<EnvironmentSpec, { readonly value: Locator; readonly key: Locator }>();

/** Records where the fields of a just loaded environment are (stacks/environment.ts). */
export function rememberPositions(spec: EnvironmentSpec, locators: { readonly value: Locator; readonly key: Locator }): void {
  locations.set(spec, locators);
}

/**
 * The position of a field's key in a loaded environment (of its nearest enclosing field's key when
 * the file leaves it to its default, else the document); undefined for a spec that was copied or
 * built in code.
 */
export function fieldPosition(spec: EnvironmentSpec, segments: readonly (string | number)[]): FieldPosition | undefined {
  return locations.get(spec)?.key(segments);
}

/**
 * `file:line:col` of a field's value in a loaded environment, for errors found after loading; the
 * file alone for a spec that was copied or built in code.
 */
export function fieldLocation(spec: EnvironmentSpec, segments: (string | number)[]): string {
  return formatPosition(locations.get(spec)?.value(segments)) ?? environmentFile(spec);
}

export function formatPosition(p: FieldPosition | undefined): string | undefined {
  return p && `${p.file}:${p.line}:${p.col}`;
}

/** The file an environment was loaded from, as messages name it; environments/<name>.yaml for a copy. */
export function environmentFile(spec: EnvironmentSpec): string {
  return spec.source ?? `environments/${spec.name}.yaml`;
}
