/**
 * A schema problem of one object, with the path of the field it is about, so a command that read
 * the object from a file can name the line the field is on.
 */
import type { ErrorObject } from 'ajv';
import { describeValue } from '../stacks/describe-value';

export interface FieldProblem {
  /** The field's keys and list indexes from the object's root; empty for the object as a whole. */
  readonly path: readonly string[];
  /** What is wrong, beginning with the field's path as shown, e.g. `spec.containers[0].image`. */
  readonly message: string;
}

/**
 * `path` in `object` as messages show it, list items as `[i]` (as the Kubernetes field walk shows
 * them), e.g. `spec.template.spec.containers[0].image`; `(root)` when empty. Also the value there.
 */
function field(path: readonly string[], object: unknown): { shown: string; value: unknown } {
  let shown = '';
  let value = object;
  for (const key of path) {
    shown += Array.isArray(value) ? `[${key}]` : shown ? `.${key}` : key;
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return { shown: shown || '(root)', value };
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
      return { path: [...path, extra], message: `${field([...path, extra], object).shown}: unknown field "${extra}".` };
    }
    const { shown, value } = field(path, object);
    const found = e.keyword !== 'required' && (e.keyword === 'type' || value === null || typeof value !== 'object');
    return { path, message: `${shown}: ${e.message}${found ? ` (got ${describeValue(value)})` : ''}.` };
  });
}
