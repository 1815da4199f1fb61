/**
 * A schema problem of one object, with the path of the field it is about, so a command that read
 * the object from a file can name the line the field is on.
 */
import type { ErrorObject } from 'ajv';
import { describeValue } from '../stacks/describe-value';

export interface FieldProblem {
  /** The field's keys and list indexes from the object's root; empty for the object as a whole. */
  readonly path: readonly string[];
  /** What is wrong, beginning with the field's dotted path. */
  readonly message: string;
}

/** `path` as messages show it: dotted, e.g. `spec.template.spec.containers.0.image`; `(root)` when empty. */
export function dotted(path: readonly string[]): string {
  return path.join('.') || '(root)';
}

/**
 * ajv's errors of `object` as problems, each with the value found where that shows what is wrong
 * (a scalar, or a field of the wrong type).
 */
export function ajvProblems(errors: readonly ErrorObject[], object: unknown): FieldProblem[] {
  return errors.map((e) => {
    const path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      return { path: [...path, extra], message: `${dotted([...path, extra])}: unknown field "${extra}".` };
    }
    const value = path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), object);
    const shown = e.keyword !== 'required' && (e.keyword === 'type' || value === null || typeof value !== 'object');
    return { path, message: `${dotted(path)}: ${e.message}${shown ? ` (got ${describeValue(value)})` : ''}.` };
  });
}
