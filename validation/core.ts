/**
 * Validation of built-in Kubernetes kinds.
 *
 * Types, required fields, enums and formats come from kubernetes-models' compiled schemas. Those
 * accept unknown fields, which the API server's strict field validation rejects, so a second pass
 * walks every object against the field lists of @kubernetes/client-node's generated models and
 * reports any field the API does not define (`spec.replica` for `spec.replicas`).
 */
import type { ErrorObject } from 'ajv';
import { Manifest } from '../stacks/objects';
import { ajvProblems, FieldProblem, UNKNOWN_FIELD_FIX } from './field-problem';

interface Attribute {
  baseName: string;
  type: string;
}
interface ModelClass {
  getAttributeTypeMap(): Attribute[];
}
interface KubernetesModel {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
  prototype: { validate(this: unknown): void };
}

const fieldCache = new Map<string, Map<string, string> | null>();

function fieldsOf(typeName: string): Map<string, string> | null {
  let fields = fieldCache.get(typeName);
  if (fields === undefined) {
    const cls = clientModel(typeName);
    fields = cls?.getAttributeTypeMap ? new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type])) : null;
    fieldCache.set(typeName, fields);
  }
  return fields;
}

/**
 * One generated model of @kubernetes/client-node (V1Deployment is in `v1Deployment.js`), or
 * undefined. Loaded one file at a time: the index of all 600 models costs a second of start-up,
 * and a run needs a few dozen.
 */
function clientModel(typeName: string): ModelClass | undefined {
  // The name comes from the object's apiVersion and kind: never let it name a path.
  if (!/^[A-Z][A-Za-z0-9]*$/.test(typeName)) return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(`@kubernetes/client-node/dist/gen/model/${typeName.charAt(0).toLowerCase()}${typeName.slice(1)}`) as Record<string, ModelClass>)[typeName];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    return undefined;
  }
}

const modelCache = new Map<string, KubernetesModel | null>();

/** The kubernetes-models class for a built-in apiVersion and kind, or null. */
function modelFor(apiVersion: string, kind: string): KubernetesModel | null {
  const key = `${apiVersion}/${kind}`;
  let model = modelCache.get(key);
  if (model === undefined) {
    model = null;
    try {
      // One kind's module, not the group's index of every kind: a run loads what it checks.
      // Both names come from the object: never let them name a path.
      if (/^([a-z0-9]([a-z0-9.-]*[a-z0-9])?\/)?v[a-z0-9]+$/.test(apiVersion) && /^[A-Z][A-Za-z0-9]*$/.test(kind)) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const cls = (require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, KubernetesModel>)[kind];
        if (cls && cls.apiVersion === apiVersion && cls.kind === kind) model = cls;
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw e;
    }
    modelCache.set(key, model);
  }
  return model;
}

/** The client-node model name for a built-in kind: apps/v1 Deployment -> V1Deployment. */
function clientTypeName(apiVersion: string, kind: string): string | null {
  const version = apiVersion.split('/').pop() ?? '';
  const name = `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
  return fieldsOf(name) ? name : null;
}

export function isBuiltIn(apiVersion: string, kind: string): boolean {
  return modelFor(apiVersion, kind) !== null;
}

/**
 * Problems of a built-in object; empty when valid. A `parsed` object (read from JSON or YAML) has
 * no undefined field.
 */
export function validateBuiltIn(object: Manifest, parsed = false): FieldProblem[] {
  const model = modelFor(object.apiVersion, object.kind);
  if (!model) return [{ path: [], message: `apiVersion ${object.apiVersion} kind ${object.kind} has no registered schema.` }];
  const problems: FieldProblem[] = [];
  try {
    // A model copies the object without its undefined fields and validates the copy; an object
    // with none (parsed or synthesized ones) is validated as it is. A parsed one is not looked
    // through for them: a rendered CRD is megabytes.
    if (!parsed && hasUndefinedField(object)) new model(object).validate();
    else model.prototype.validate.call(object);
  } catch (e) {
    // kubernetes-models throws ajv's ValidationError, its errors worded by ajv-i18n.
    const errors = (e as { errors?: ErrorObject[] }).errors;
    if (!errors) throw e;
    problems.push(...ajvProblems(errors, object, (path) => wantedValue(object, path)));
  }
  const typeName = clientTypeName(object.apiVersion, object.kind);
  if (typeName) unknownFields(object, typeName, [], problems);
  return problems;
}

/** What kind of value the field at `path` of a built-in object takes, in the words of a fix (`a LabelSelector mapping`); undefined when unknown. */
function wantedValue(object: Manifest, path: readonly string[]): string | undefined {
  let typeName: string | null | undefined = clientTypeName(object.apiVersion, object.kind);
  for (const key of path) {
    if (!typeName) return undefined;
    if (typeName.startsWith('Array<')) typeName = typeName.slice('Array<'.length, -1);
    else if (typeName.startsWith(MAP_TYPE)) typeName = typeName.slice(MAP_TYPE.length, -'; }'.length);
    else typeName = fieldsOf(typeName)?.get(key);
  }
  if (!typeName) return undefined;
  if (typeName.startsWith('Array<')) return `a list of ${typeWords(typeName.slice('Array<'.length, -1), true)}`;
  if (typeName.startsWith(MAP_TYPE)) return `a mapping of ${typeWords(typeName.slice(MAP_TYPE.length, -'; }'.length), true)}`;
  return typeWords(typeName, false);
}

const SCALAR_WORDS: Record<string, [one: string, many: string]> = {
  string: ['a string', 'strings'],
  number: ['a number', 'numbers'],
  boolean: ['true or false', 'booleans'],
  Date: ['a date and time', 'dates and times'],
  IntOrString: ['a number or a string', 'numbers or strings'],
};

/** A client-node type name as a fix says it, one or `many` of it: V1Container is `a Container mapping`, `Container mappings`. */
function typeWords(typeName: string, many: boolean): string {
  const scalar = SCALAR_WORDS[typeName];
  if (scalar) return scalar[many ? 1 : 0];
  const kind = typeName.replace(/^V\d+(?:(?:alpha|beta)\d+)?/, '');
  return many ? `${kind} mappings` : `a ${kind} mapping`;
}

/** Whether a field of `value`, at any depth, is present with the value undefined. */
function hasUndefinedField(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasUndefinedField);
  if (value === null || typeof value !== 'object') return false;
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (field === undefined || hasUndefinedField(field)) return true;
  }
  return false;
}

/** Reports every field of `value` that the Kubernetes type `typeName` does not define; `path` is where `value` is. */
export function unknownFields(value: unknown, typeName: string, path: readonly string[], problems: FieldProblem[]): void {
  walkTyped(value, typeName, [...path], () => undefined, (at, key, known) => {
    const where = [...at, key];
    problems.push({ path: where.map(String), message: `${shownPath(where)}: unknown field "${key}" (known: ${known.join(', ')}). ${UNKNOWN_FIELD_FIX}` });
  });
}

/**
 * Field paths of the empty lists and maps in `object` that the API server drops when it stores
 * it: every list and map field of a built-in kind, and of any object's metadata (custom resources
 * are stored as written, so their own fields keep `[]` and `{}`). Empty structs such as
 * `podSelector: {}` or `emptyDir: {}` are kept and mean something, so they are not reported. An
 * object that carries a dropped collection never equals what is stored: every server-side apply
 * bumps its generation and Argo CD never sees it in sync.
 */
export function droppedEmptyCollections(object: Manifest): string[] {
  const found: string[] = [];
  const visit = (value: unknown, typeName: string, at: readonly (string | number)[]) => {
    const list = typeName.startsWith('Array<') && Array.isArray(value) && value.length === 0;
    const map = typeName.startsWith(MAP_TYPE) && value !== null && typeof value === 'object' && Object.keys(value).length === 0;
    if (list || map) found.push(shownPath(at));
  };
  const typeName = clientTypeName(object.apiVersion, object.kind);
  if (typeName && isBuiltIn(object.apiVersion, object.kind)) walkTyped(object, typeName, [], visit, () => undefined);
  else walkTyped(object.metadata, 'V1ObjectMeta', ['metadata'], visit, () => undefined);
  return found;
}

const MAP_TYPE = '{ [key: string]: ';

/** A field path as messages show it: keys dotted, list items as `[i]`, e.g. `spec.containers[0].image`. */
function shownPath(path: readonly (string | number)[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
}

/**
 * Walks `value` along the Kubernetes type `typeName`: `visit` sees every value with its declared
 * type and field path (keys, and list indexes as numbers); a field the type does not define goes
 * to `unknown`, with the path of the value it is in, and is not entered. `path` is one array for
 * the whole walk, holding the path down to `value` while the walk is inside it: the walk visits
 * every node of every object (a CRD's schema is megabytes), so a node costs no new path.
 */
function walkTyped(
  value: unknown,
  typeName: string,
  path: (string | number)[],
  visit: (value: unknown, typeName: string, path: readonly (string | number)[]) => void,
  unknown: (path: readonly (string | number)[], key: string, known: string[]) => void,
): void {
  visit(value, typeName, path);
  if (value === null || typeof value !== 'object') return;
  if (typeName.startsWith('Array<')) {
    if (Array.isArray(value)) {
      const inner = typeName.slice('Array<'.length, -1);
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        walkTyped(value[i], inner, path, visit, unknown);
        path.pop();
      }
    }
    return;
  }
  if (typeName.startsWith(MAP_TYPE)) {
    const inner = typeName.slice(MAP_TYPE.length, -'; }'.length);
    for (const [k, v] of Object.entries(value)) {
      path.push(k);
      walkTyped(v, inner, path, visit, unknown);
      path.pop();
    }
    return;
  }
  const fields = fieldsOf(typeName);
  if (!fields || Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const childType = fields.get(key);
    if (childType === undefined) {
      unknown(path, key, [...fields.keys()]);
    } else {
      path.push(key);
      walkTyped(child, childType, path, visit, unknown);
      path.pop();
    }
  }
}
