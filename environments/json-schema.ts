import { EnvironmentSchema } from './schema';

/**
 * The environment JSON Schema as editors read it.
 *
 * A field with a default may be left out of an environment file (the loader fills it in), so the
 * editor schema does not list it as required: otherwise the YAML language server would report a
 * "Missing property" for every default a file relies on.
 */
export function environmentJsonSchema(): string {
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://gitplane.dev/schemas/environment.schema.json',
    title: 'gitplane environment',
    ...(withDefaultsOptional(JSON.parse(JSON.stringify(EnvironmentSchema))) as object),
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** A copy of a JSON Schema whose objects no longer require the properties that have a default. */
function withDefaultsOptional(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withDefaultsOptional);
  if (typeof node !== 'object' || node === null) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    // A default is a value, not a schema: keep it as it is.
    copy[key] = key === 'default' ? value : withDefaultsOptional(value);
  }
  const properties = copy.properties as Record<string, { default?: unknown }> | undefined;
  if (Array.isArray(copy.required) && properties) {
    const required = (copy.required as string[]).filter((name) => properties[name]?.default === undefined);
    if (required.length > 0) copy.required = required;
    else delete copy.required;
  }
  return copy;
}
