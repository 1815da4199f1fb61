/**
 * Validators kept as ajv's standalone code (https://ajv.js.org/standalone.html): a module that
 * needs only ajv's small runtime helpers, so a process that loads one from a cache entry neither
 * loads ajv's compiler nor compiles the schema.
 */
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';

/**
 * The standalone code of `validate`, which `ajv` (made with `code.source` set) compiled, in ASCII:
 * ajv writes the schema's text (descriptions, patterns, enums) as JSON string literals, where a
 * character outside ASCII means the same written as a `\u` escape. A CRD's description with one
 * curly quote made its whole validator text two bytes a character, decoded from UTF-8 on every
 * read; in ASCII it is read byte for byte (stacks/content-cache.ts readEntry).
 */
export function standaloneCode(ajv: Ajv, validate: ValidateFunction): string {
  // Loaded here: a process whose validators are all cached needs no code generator.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const code = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default(ajv, validate);
  return code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A validator from its standalone code, a CommonJS module that may require ajv's runtime helpers
 * and, by the names given in `modules`, what the compiling ajv's `code.formats` named.
 */
export function loadStandalone(code: string, modules: Readonly<Record<string, unknown>> = {}): ValidateFunction {
  const module = { exports: {} as { default?: ValidateFunction } & ValidateFunction };
  const load = (id: string): unknown => (Object.hasOwn(modules, id) ? modules[id] : require(id));
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('require', 'module', 'exports', code)(load, module, module.exports);
  return module.exports.default ?? module.exports;
}
