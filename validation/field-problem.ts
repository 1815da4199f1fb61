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

/** How to fix an unknown field, for every schema that rejects one. */
export const UNKNOWN_FIELD_FIX = 'Remove it or correct its name.';

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
 * (a scalar, or a field of the wrong type) and a sentence saying how to fix it. A value none of
 * whose alternatives (`anyOf`, `oneOf`) fits, each failing on the field itself, is one problem:
 * the types they take when all failed on the type (an int-or-string field given a list), else
 * the problem of the one alternative of the value's own type (a quantity's format), not one
 * problem per alternative and one for the `anyOf`. `wanted`, when given, says what kind of value
 * the field at a path takes (e.g. `a list of Container mappings`), for the fix of a missing field.
 */
export function ajvProblems(errors: readonly ErrorObject[], object: unknown, wanted?: (path: readonly string[]) => string | undefined): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const merged = new Map<ErrorObject, Alternatives>();
  const branches = new Set<ErrorObject>();
  errors.forEach((e, i) => {
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf') return;
    const found = alternatives(e, errors.slice(0, i));
    if (!found) return;
    merged.set(e, found);
    found.branches.forEach((b) => branches.add(b));
  });
  for (const e of errors) {
    if (branches.has(e)) continue;
    const path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      problems.push({ path: [...path, extra], message: `${field([...path, extra], object).shown}: unknown field "${extra}". ${UNKNOWN_FIELD_FIX}` });
      continue;
    }
    const { shown, value } = field(path, object);
    if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      const kind = wanted?.([...path, missing]);
      problems.push({ path, message: `${shown}: must have required property ${missing}. Add ${field([...path, missing], object).shown}${kind ? `, ${kind}` : ''}.` });
      continue;
    }
    const { types, nearest = e } = merged.get(e) ?? {};
    const message = types ? `must be ${types.join(' or ')}` : nearest.message;
    const found = nearest.keyword === 'type' || types !== undefined || value === null || typeof value !== 'object';
    problems.push({ path, message: `${shown}: ${message}${found ? ` (got ${describeValue(value)})` : ''}. ${types ? typeFix(types, value) : fix(nearest, value)}` });
  }
  return problems;
}

/**
 * What an `anyOf`/`oneOf` error says as one problem, with the errors of its alternatives it
 * stands for: the types they take, or the error of the one alternative of the value's type.
 */
type Alternatives = { branches: ErrorObject[] } & ({ types: string[]; nearest?: undefined } | { types?: undefined; nearest: ErrorObject });

/**
 * The alternatives of `of` as one problem, when each failed on the field itself; else undefined
 * (each is reported). ajv lists an `anyOf`'s error right after those of its alternatives, which
 * name schema paths of their own when an alternative is a `$ref` (kubernetes-models' quantity),
 * so they are the errors at the field or inside it just before it (`before`).
 */
function alternatives(of: ErrorObject, before: readonly ErrorObject[]): Alternatives | undefined {
  let start = before.length;
  while (start > 0 && (before[start - 1].instancePath === of.instancePath || before[start - 1].instancePath.startsWith(`${of.instancePath}/`))) start--;
  const branches = before.slice(start);
  if (branches.length === 0 || branches.some((e) => e.instancePath !== of.instancePath || e.keyword === 'required' || e.keyword === 'additionalProperties')) return undefined;
  const other = branches.filter((e) => e.keyword !== 'type');
  if (other.length === 0) return { branches, types: branches.flatMap((e) => [(e.params as { type: string | string[] }).type].flat()) };
  return other.length === 1 ? { branches, nearest: other[0] } : undefined;
}

/** What a JSON Schema type asks for, in the words of a fix. */
const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping of fields',
  array: 'a list',
  null: 'null',
};

/** How to give one of `types` instead of `value`: quote a number where a string is wanted, unquote a number or boolean written as a string. */
function typeFix(types: readonly string[], value: unknown): string {
  if (types.includes('string') && (typeof value === 'number' || typeof value === 'boolean')) return `Quote the value: ${JSON.stringify(String(value))}.`;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    const number = Number(value);
    if (types.includes('number') || (types.includes('integer') && Number.isInteger(number))) return `Write the number without quotes: ${number}.`;
  }
  if (types.includes('boolean') && (value === 'true' || value === 'false')) return `Write ${value} without quotes.`;
  return `Give ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}.`;
}

/** Formats the built-in kinds' schemas use, with an example of each. */
const FORMAT_FIXES: Record<string, string> = {
  quantity: 'Write a Kubernetes quantity, such as 100m, 1, 512Mi or 2Gi.',
  'date-time': 'Write an RFC 3339 date and time, such as 2026-01-31T12:00:00Z.',
  byte: 'Write the bytes base64-encoded.',
  int32: 'Write a whole number from -2147483648 to 2147483647.',
  int64: 'Write a whole number from -9223372036854775808 to 9223372036854775807.',
  double: 'Write a number.',
};

const COMPARISONS: Record<string, string> = { '>=': 'of at least', '>': 'greater than', '<=': 'of at most', '<': 'less than' };

/** An allowed value as a fix shows it: a string as it is written in YAML, unquoted unless empty. */
function shownValue(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : JSON.stringify(value);
}

/** `limit` of a noun, e.g. `1 item`, `3 items`. */
function count(limit: number, one: string, many = `${one}s`): string {
  return `${limit} ${limit === 1 ? one : many}`;
}

/** The sentence saying how to fix `value`, which broke the check of `e` (every keyword a Kubernetes or CRD schema uses). */
function fix(e: ErrorObject, value: unknown): string {
  const params = e.params as Record<string, unknown>;
  const limit = params.limit as number;
  switch (e.keyword) {
    case 'type':
      return typeFix([params.type as string | string[]].flat(), value);
    case 'enum': {
      const allowed = params.allowedValues as unknown[];
      const near = typeof value === 'string' ? allowed.find((a) => typeof a === 'string' && a.toLowerCase() === value.toLowerCase()) : undefined;
      return `${near === undefined ? '' : `Did you mean ${near}? `}Use one of: ${allowed.map(shownValue).join(', ')}.`;
    }
    case 'const':
      return `Use ${shownValue(params.allowedValue)}.`;
    case 'pattern':
      return 'Change the value to one the pattern matches.';
    case 'format':
      return FORMAT_FIXES[params.format as string] ?? `Write the value in the ${params.format} format.`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `Use a number ${COMPARISONS[params.comparison as string]} ${limit}.`;
    case 'multipleOf':
      return `Use a multiple of ${params.multipleOf}.`;
    case 'minLength':
      return `Make it at least ${count(limit, 'character')} long.`;
    case 'maxLength':
      return `Shorten it to at most ${count(limit, 'character')}.`;
    case 'minItems':
      return `Give at least ${count(limit, 'item')}.`;
    case 'maxItems':
      return `Give at most ${count(limit, 'item')}.`;
    case 'minProperties':
      return `Give at least ${count(limit, 'entry', 'entries')}.`;
    case 'maxProperties':
      return `Give at most ${count(limit, 'entry', 'entries')}.`;
    case 'uniqueItems':
      return `Remove item [${params.j}], which repeats item [${params.i}], or change it.`;
    case 'anyOf':
      return 'Change the value to one of the forms the schema allows (the other problems of this field say how it differs from each).';
    case 'oneOf':
      return 'Change the value so that it has exactly one of the forms the schema allows.';
    default:
      return `Change the value to one the schema allows (it fails the schema's "${e.keyword}" check).`;
  }
}
